// Request bodies streamed from a file range and response bodies saved to a
// file, against a real docker-registry: a blob goes up from the middle of a
// file and comes back byte for byte.
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "net/curl_http_client.h"
#include "tests/testing/assert_result.h"
#include "tests/testing/registry_server.h"
#include "tests/testing/temp_dir.h"
#include "util/sha.h"
#include "util/text.h"

namespace wharf::testing {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(CurlHttpClientFilesTest, UploadsAFileRangeAndSavesADownload) {
  if (!registry_available()) GTEST_SKIP() << "docker-registry is not installed";
  TempDir dir;
  RegistryServer registry(dir.path());
  std::string content;
  for (int i = 0; i < 10'000; ++i) content += static_cast<char>('a' + (i * 7919) % 26);
  std::ofstream(dir.path() + "/source", std::ios::binary) << content;
  const std::string range = content.substr(1000, 5000);
  Sha256 sha;
  sha.update(range);
  const std::string digest = "sha256:" + to_hex(sha.digest());

  ASSERT_OK_AND_ASSIGN(auto client, net::CurlHttpClient::create());
  const std::string base = "http://" + registry.address() + "/v2/net/files";
  net::HttpRequest start;
  start.method = "POST";
  start.url = base + "/blobs/uploads/";
  ASSERT_OK_AND_ASSIGN(auto session, client->send(start));
  ASSERT_EQ(session.status, 202) << session.body;
  std::string location(session.header("Location"));
  ASSERT_FALSE(location.empty());

  net::HttpRequest put;
  put.method = "PUT";
  put.url = location + (location.find('?') == std::string::npos ? "?" : "&") + "digest=" + digest;
  put.headers.emplace_back("Content-Type", "application/octet-stream");
  put.body_file = {dir.path() + "/source", 1000, 5000};
  ASSERT_OK_AND_ASSIGN(auto stored, client->send(put));
  EXPECT_EQ(stored.status, 201) << stored.body;  // the registry checked the digest of the range
  EXPECT_EQ(stored.bytes_sent, 5000u);

  net::HttpRequest get;
  get.url = base + "/blobs/" + digest;
  get.save_to = dir.path() + "/downloaded";
  ASSERT_OK_AND_ASSIGN(auto fetched, client->send(get));
  EXPECT_EQ(fetched.status, 200);
  EXPECT_EQ(fetched.bytes_received, 5000u);
  EXPECT_TRUE(fetched.body.empty());
  EXPECT_EQ(read_file(dir.path() + "/downloaded"), range);

  // A 404's body is the response's, and the file is not written.
  get.url = base + "/blobs/sha256:" + std::string(64, '0');
  get.save_to = dir.path() + "/missing";
  ASSERT_OK_AND_ASSIGN(auto missing, client->send(get));
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("BLOB_UNKNOWN"), std::string::npos) << missing.body;
}

}  // namespace
}  // namespace wharf::testing
