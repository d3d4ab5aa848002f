#include "tests/packer/oci_judges.h"

#include <fstream>

#include <gtest/gtest.h>

#include "tests/testing/temp_dir.h"

namespace wharf::testing {

bool have_oci_judges() {
  int status = 0;
  run_command("command -v umoci && command -v skopeo && command -v oci-image-tool", &status);
  return status == 0;
}

nlohmann::json judge_layout(const std::string& dir, const std::string& tag, const std::string& bundle) {
  std::string quoted = shell_quote(dir);
  run_command("oci-image-tool validate --type image --ref name=" + tag + " " + quoted + " 2>&1");
  run_command("umoci unpack --rootless --image " + quoted + ":" + tag + " " + shell_quote(bundle) + " 2>&1");
  nlohmann::json parsed = nlohmann::json::parse(run_command("skopeo inspect oci:" + quoted + ":" + tag), nullptr,
                                                /*allow_exceptions=*/false);
  EXPECT_TRUE(parsed.is_object()) << "skopeo inspect oci:" << dir << ":" << tag;
  return parsed;
}

nlohmann::json layout_blob_json(const std::string& dir, const std::string& digest) {
  std::ifstream in(dir + "/blobs/sha256/" + digest.substr(7));
  return nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
}

}  // namespace wharf::testing
