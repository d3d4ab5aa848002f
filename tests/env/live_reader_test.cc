// read_live against a real HTTP server on 127.0.0.1 and real commands.
#include "env/live_reader.h"

#include <gtest/gtest.h>

#include <fstream>

#include "net/curl_http_client.h"
#include "tests/testing/health_server.h"
#include "tests/testing/temp_dir.h"

namespace wharf::env {
namespace {

using namespace std::chrono_literals;

class LiveReaderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    server_ = new testing::HealthServer(dir_->path(), R"({"api": "abc1234", "web": "sha-def5678",
        "tagged": "v1.4.0-3-g0123abc", "broken": {"version": "x", "mode": "500"},
        "garbage": {"version": "x", "mode": "garbage"}, "hang": {"version": "x", "delay": 30},
        "secret": {"version": "5555555", "require": {"Authorization": "Bearer s3cret"}}})");
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }

  void SetUp() override {
    auto client = net::CurlHttpClient::create();
    ASSERT_TRUE(client.has_value());
    http_ = std::move(*client);
    context_.http = http_.get();
    context_.repo_root = dir_->path();
    context_.getenv = [](const std::string& name) -> std::optional<std::string> {
      if (name == "TOKEN") return "Bearer s3cret";
      return std::nullopt;
    };
    environment_.name = "prod";
    environment_.defaults.kind = graph::LiveSourceKind::http;
    environment_.defaults.url = server_->url("{service}/health");
    environment_.timeout = 1s;
    environment_.deadline = 3s;
  }

  std::vector<LiveRead> read(const std::vector<std::string>& services) {
    return read_live(environment_, services, context_);
  }

  static inline testing::TempDir* dir_ = nullptr;
  static inline testing::HealthServer* server_ = nullptr;
  std::unique_ptr<net::CurlHttpClient> http_;
  LiveContext context_;
  graph::EnvironmentConfig environment_;
};

TEST_F(LiveReaderTest, ReadsAFieldPathAndExtractsTheShaFromTags) {
  environment_.defaults.field = "build.git_sha";
  environment_.defaults.sha_pattern = "(?:^sha-|-g)?([0-9a-f]{7,40})$";
  auto reads = read({"api", "web", "tagged"});
  for (const auto& r : reads) EXPECT_EQ(r.error, "") << r.service;
  EXPECT_EQ(*reads[0].rev, "abc1234");
  EXPECT_EQ(*reads[1].raw, "sha-def5678");
  EXPECT_EQ(*reads[1].rev, "def5678");
  EXPECT_EQ(*reads[2].rev, "0123abc");
  EXPECT_EQ(reads[0].origin, "GET " + server_->url("api/health"));
}

TEST_F(LiveReaderTest, EachFailureNamesTheUrlAndWhatCameBack) {
  environment_.defaults.field = "build.git_sha";
  auto reads = read({"broken", "garbage", "unknown"});
  EXPECT_EQ(reads[0].error, "GET " + server_->url("broken/health") +
                                ": HTTP 500: {\"error\":\"internal error: the database is down\"}");
  EXPECT_EQ(reads[1].error,
            "GET " + server_->url("garbage/health") + ": the body is not JSON: <html>not json\\x01\\x02</html>");
  EXPECT_NE(reads[2].error.find("HTTP 404"), std::string::npos) << reads[2].error;
  environment_.defaults.field = "build.missing";
  auto missing = read({"api"});
  EXPECT_NE(missing[0].error.find(": no field 'build.missing' in {\"service\": \"api\""), std::string::npos)
      << missing[0].error;
}

TEST_F(LiveReaderTest, AValueThePatternDoesNotMatchIsAnError) {
  environment_.defaults.sha_pattern = "^sha-([0-9a-f]+)$";
  auto reads = read({"api"});
  EXPECT_EQ(reads[0].error, "GET " + server_->url("api/health") +
                                ": the live value 'abc1234' does not match sha_pattern '^sha-([0-9a-f]+)$'");
}

TEST_F(LiveReaderTest, HeadersComeFromEnvironmentVariablesAndAreNeverPrinted) {
  environment_.defaults.headers = {{"Authorization", "TOKEN"}};
  auto reads = read({"secret"});
  EXPECT_EQ(reads[0].error, "");
  EXPECT_EQ(*reads[0].rev, "5555555");
  environment_.defaults.headers = {{"Authorization", "UNSET_TOKEN"}};
  reads = read({"secret"});
  EXPECT_NE(reads[0].error.find("the environment variable UNSET_TOKEN, which is not set"), std::string::npos);
  environment_.defaults.headers = {};
  reads = read({"secret"});
  EXPECT_NE(reads[0].error.find("HTTP 401"), std::string::npos);
  EXPECT_EQ(reads[0].error.find("s3cret"), std::string::npos);
}

TEST_F(LiveReaderTest, AHangingSourceEndsAtTheDeadlineWhileTheOthersAreRead) {
  environment_.services["cmd-hang"] = environment_.defaults;
  environment_.services["cmd-hang"].kind = graph::LiveSourceKind::command;
  environment_.services["cmd-hang"].command = "sleep 30";
  environment_.services["cmd-ok"] = environment_.services["cmd-hang"];
  environment_.services["cmd-ok"].command = "echo \"$WHARF_SERVICE\" | tr -d - ; echo {service} >/dev/null";
  const auto start = std::chrono::steady_clock::now();
  auto reads = read({"api", "hang", "cmd-hang", "cmd-ok"});
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);  // not the 30 s either source would take
  EXPECT_EQ(*reads[0].rev, "abc1234");
  EXPECT_NE(reads[1].error.find("no answer within 1000 ms"), std::string::npos) << reads[1].error;
  EXPECT_NE(reads[2].error.find("command `sleep 30`: no answer within 1 s"), std::string::npos) << reads[2].error;
  EXPECT_NE(reads[2].error.find("its process group was killed"), std::string::npos);
  EXPECT_EQ(*reads[3].rev, "cmdok");
}

TEST_F(LiveReaderTest, CommandsThatFailSayWhatTheyPrinted) {
  environment_.defaults.kind = graph::LiveSourceKind::command;
  environment_.defaults.command = "echo 'no such service: {service}' >&2; exit 4";
  auto reads = read({"api"});
  EXPECT_EQ(reads[0].error, "command `echo 'no such service: api' >&2; exit 4`: exited with 4: no such service: api");
  environment_.defaults.command = "printf 'a\\nb\\n'";
  EXPECT_NE(read({"api"})[0].error.find("printed more than one line"), std::string::npos);
  environment_.defaults.command = "true";
  EXPECT_NE(read({"api"})[0].error.find("printed nothing"), std::string::npos);
}

TEST_F(LiveReaderTest, FileAndLedgerSources) {
  std::ofstream(dir_->path() + "/live.json") << R"({"api": "abc1234"})";
  environment_.defaults.kind = graph::LiveSourceKind::file;
  environment_.defaults.file = "live.json";
  auto reads = read({"api", "web"});
  EXPECT_EQ(*reads[0].rev, "abc1234");
  EXPECT_FALSE(reads[1].rev);  // not live
  EXPECT_EQ(reads[1].error, "");
  environment_.defaults.kind = graph::LiveSourceKind::ledger;
  context_.ledger["web"] = "fedcba9";
  reads = read({"api", "web"});
  EXPECT_FALSE(reads[0].rev);
  EXPECT_EQ(*reads[1].rev, "fedcba9");
  EXPECT_EQ(reads[1].origin, "ledger prod");
}

TEST(ShaExtractTest, GroupOrWholeMatch) {
  EXPECT_EQ(*extract_sha("v1.4.0-3-gabc1234", "-g([0-9a-f]+)$"), "abc1234");
  EXPECT_EQ(*extract_sha("build abc1234", "[0-9a-f]{7}"), "abc1234");
  EXPECT_EQ(*extract_sha("anything", ""), "anything");
  EXPECT_FALSE(extract_sha("v1.4.0", "-g([0-9a-f]+)$"));
}

TEST(JsonFieldTest, PathsAndTypes) {
  EXPECT_EQ(*json_field(R"({"build": {"git_sha": "abc"}})", "build.git_sha"), "abc");
  EXPECT_EQ(*json_field(R"({"version": 12})", "version"), "12");
  EXPECT_FALSE(json_field(R"({"version": {"a": 1}})", "version"));
  EXPECT_FALSE(json_field(R"([1])", "version"));
}

}  // namespace
}  // namespace wharf::env
