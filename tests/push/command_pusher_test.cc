// The command pusher running real shell commands.
#include "push/command_pusher.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "tests/push/artifacts.h"
#include "tests/testing/temp_dir.h"

namespace wharf::push {
namespace {

using namespace std::chrono_literals;
using testing::make_layout;
using testing::make_zip;
using testing::read_file;

class CommandPusherTest : public ::testing::Test {
 protected:
  wharf::testing::TempDir temp_;
};

TEST_F(CommandPusherTest, RunsInTheRepositoryWithTheArtifactInItsEnvironment) {
  Artifact zip = make_zip(temp_.path(), "api.zip", "zip bytes");
  zip.tags = {"v7", "latest"};
  const std::string record = temp_.path() + "/env.txt";
  auto pusher = make_command_pusher({"pwd > seen.txt; env | grep '^WHARF_' | sort > " + record +
                                         "; echo uploading; echo 'arn:aws:lambda:eu-west-1:1:function:api'; echo",
                                     10s, temp_.path(), ""});
  EXPECT_EQ(pusher->kind(), "command");
  auto pushed = pusher->push(zip, nullptr);
  ASSERT_TRUE(pushed.has_value()) << pushed.error().message;
  EXPECT_EQ(pushed->location, "arn:aws:lambda:eu-west-1:1:function:api");
  EXPECT_EQ(pushed->digest, zip.digest);
  EXPECT_EQ(pushed->tag, "v7");
  EXPECT_EQ(pushed->bytes_sent, zip.size);
  EXPECT_EQ(read_file(temp_.path() + "/seen.txt"), temp_.path() + "\n");
  const std::string env = read_file(record);
  for (const std::string& line :
       {std::string("WHARF_SERVICE=api"), std::string("WHARF_ENV=dev"), "WHARF_ARTIFACT=" + zip.path, "WHARF_DIGEST=" + zip.digest,
        std::string("WHARF_TAG=v7"), std::string("WHARF_TAGS=v7 latest"), "WHARF_KEY=" + zip.key,
        "WHARF_SHA=" + zip.sha, "WHARF_SHORT_SHA=" + zip.short_sha, std::string("WHARF_KIND=zip"),
        std::string("WHARF_MEDIA_TYPE=application/zip"), "WHARF_SIZE=" + std::to_string(zip.size)}) {
    EXPECT_NE(env.find(line + "\n"), std::string::npos) << line << " not in\n" << env;
  }
}

TEST_F(CommandPusherTest, AnImageIsHandedOverAsItsLayoutDirectory) {
  Artifact image = make_layout(temp_.path(), "layout", "layer");
  auto pushed = make_command_pusher({"test -f \"$WHARF_ARTIFACT/index.json\" && echo \"$WHARF_KIND $WHARF_TAG\"",
                                     10s, temp_.path(), ""})
                    ->push(image, nullptr);
  ASSERT_TRUE(pushed.has_value()) << pushed.error().message;
  EXPECT_EQ(pushed->location, "image abc1234");
}

TEST_F(CommandPusherTest, AFailureNamesTheServiceTheExitAndTheOutputsLastLines) {
  Artifact zip = make_zip(temp_.path(), "api.zip", "zip bytes");
  const std::string log = temp_.path() + "/push.log";
  auto pushed = make_command_pusher({"for i in $(seq 1 40); do echo line $i; done; "
                                     "echo 'An error occurred (AccessDenied)' >&2; exit 3",
                                     10s, temp_.path(), log})
                    ->push(zip, nullptr);
  ASSERT_FALSE(pushed.has_value());
  EXPECT_EQ(pushed.error().kind, ErrorKind::io);
  const std::string& message = pushed.error().message;
  EXPECT_NE(message.find("service api"), std::string::npos) << message;
  EXPECT_NE(message.find("exited with 3"), std::string::npos) << message;
  EXPECT_NE(message.find("AccessDenied"), std::string::npos) << message;
  EXPECT_NE(message.find("line 40"), std::string::npos) << message;
  EXPECT_EQ(message.find("line 1\n"), std::string::npos) << message;  // only the tail
  EXPECT_NE(read_file(log).find("line 1\n"), std::string::npos);      // the whole output stays in the log
}

TEST_F(CommandPusherTest, AHangingCommandIsKilledAtItsTimeout) {
  Artifact zip = make_zip(temp_.path(), "api.zip", "zip bytes");
  const auto start = std::chrono::steady_clock::now();
  auto pushed =
      make_command_pusher({"echo starting; sleep 30; echo never", 300ms, temp_.path(), ""})->push(zip, nullptr);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(pushed.has_value());
  EXPECT_NE(pushed.error().message.find("timed out"), std::string::npos) << pushed.error().message;
  EXPECT_NE(pushed.error().message.find("starting"), std::string::npos) << pushed.error().message;
  EXPECT_LT(took, 5s);  // SIGTERM to the group at 300 ms, not the 30 s sleep
}

TEST_F(CommandPusherTest, PreviewRunsNothing) {
  Artifact zip = make_zip(temp_.path(), "api.zip", "zip bytes");
  auto preview = make_command_pusher({"touch ran", 10s, temp_.path(), ""})->preview(zip);
  ASSERT_TRUE(preview.has_value());
  EXPECT_FALSE(preview->complete);
  EXPECT_EQ(preview->bytes_to_send, zip.size);
  EXPECT_FALSE(std::filesystem::exists(temp_.path() + "/ran"));
}

}  // namespace
}  // namespace wharf::push
