// The http pusher against real servers on 127.0.0.1: nginx's WebDAV module
// (skipped when nginx is not installed) and tests/testing/upload_server.py,
// which logs what it received and injects faults.
#include "push/http_pusher.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>

#include "tests/push/artifacts.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/upload_server.h"

namespace wharf::push {
namespace {

using namespace std::chrono_literals;
using testing::make_layout;
using testing::make_zip;
using testing::read_file;
using wharf::testing::run_command;
using wharf::testing::shell_quote;

// GET `url` with curl: the body (status in `code`).
std::string curl_get(const std::string& url, std::string* code = nullptr) {
  std::string out = run_command("curl -s -w '\\n%{http_code}' " + shell_quote(url));
  const auto newline = out.rfind('\n');
  if (code) *code = out.substr(newline + 1);
  return out.substr(0, newline);
}

HttpTarget to(std::string url) {
  HttpTarget target;
  target.url = std::move(url);
  return target;
}

// Options whose backoff is recorded, not slept.
HttpPusherOptions recording(std::vector<std::chrono::milliseconds>* sleeps,
                            std::map<std::string, std::string> env = {}) {
  HttpPusherOptions options;
  options.sleep = [sleeps](std::chrono::milliseconds delay) { sleeps->push_back(delay); };
  options.getenv = [env = std::move(env)](const char* name) -> const char* {
    static thread_local std::string value;
    auto it = env.find(name);
    if (it == env.end()) return nullptr;
    value = it->second;
    return value.c_str();
  };
  return options;
}

class HttpPusherTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new wharf::testing::TempDir();
    server_ = new wharf::testing::UploadServer(dir_->path());
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }
  void SetUp() override { server_->reset(); }

  std::vector<nlohmann::json> requests() const {
    auto log = nlohmann::json::parse(server_->log());
    return {log.begin(), log.end()};
  }
  std::vector<std::string> methods() const {
    std::vector<std::string> out;
    for (const auto& r : requests()) out.push_back(r["method"]);
    return out;
  }

  wharf::testing::TempDir temp_;
  std::vector<std::chrono::milliseconds> sleeps_;
  static inline wharf::testing::TempDir* dir_ = nullptr;
  static inline wharf::testing::UploadServer* server_ = nullptr;
};

TEST_F(HttpPusherTest, PutsTheZipWithAChecksumThenSendsNothingTheSecondTime) {
  Artifact zip = make_zip(temp_.path(), "api.zip", std::string(1'500'000, 'a') + "tail");
  auto pusher = make_http_pusher({server_->url("store/{service}/{digest}.{ext}"), {}, 10s}, recording(&sleeps_));
  EXPECT_EQ(pusher->kind(), "http");
  const std::string url = server_->url("store/api/" + zip.digest.substr(7) + ".zip");

  auto first = pusher->push(zip, nullptr);
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_FALSE(first->already_there);
  EXPECT_EQ(first->bytes_sent, zip.size);
  EXPECT_EQ(first->requests, 2u);
  EXPECT_EQ(first->location, url);
  auto log = requests();
  ASSERT_EQ(log.size(), 2u) << server_->log();
  EXPECT_EQ(curl_get(url), read_file(zip.path));
  EXPECT_EQ(log[0]["method"], "HEAD");
  EXPECT_EQ(log[1]["method"], "PUT");
  EXPECT_EQ(log[1]["length"], zip.size);
  EXPECT_EQ(log[1]["headers"]["If-None-Match"], "*");
  EXPECT_EQ(log[1]["headers"]["Content-Type"], "application/zip");
  // The server answers 400 to a Digest that does not match the body, so the
  // 201 above says it matched; check it is there at all.
  EXPECT_TRUE(log[1]["headers"]["Digest"].get<std::string>().starts_with("sha-256=")) << log[1];

  server_->reset();
  run_command("curl -fsS -o /dev/null -T " + shell_quote(zip.path) + " " + shell_quote(url));  // stored again
  auto log_before = requests().size();
  auto second = pusher->push(zip, nullptr);
  ASSERT_TRUE(second.has_value()) << second.error().message;
  EXPECT_TRUE(second->already_there);
  EXPECT_EQ(second->bytes_sent, 0u);
  EXPECT_EQ(second->bytes_present, zip.size);
  EXPECT_EQ(second->requests, 1u);
  EXPECT_EQ(requests().size(), log_before + 1);
  EXPECT_EQ(requests().back()["method"], "HEAD");
  auto preview = pusher->preview(zip);
  ASSERT_TRUE(preview.has_value()) << preview.error().message;
  EXPECT_TRUE(preview->complete);
  EXPECT_EQ(preview->bytes_to_send, 0u);
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(HttpPusherTest, RetriesA500TwiceThenSucceeds) {
  server_->set_faults(R"([{"method": "PUT", "status": 500, "times": 2, "body": "try later"}])");
  Artifact zip = make_zip(temp_.path(), "api.zip", "zip bytes");
  auto pushed = make_http_pusher(to(server_->url("r/{service}.zip")), recording(&sleeps_))->push(zip, nullptr);
  ASSERT_TRUE(pushed.has_value()) << pushed.error().message;
  EXPECT_FALSE(pushed->already_there);
  EXPECT_EQ(methods(), (std::vector<std::string>{"HEAD", "PUT", "PUT", "PUT"}));
  EXPECT_EQ(pushed->requests, 4u);
  EXPECT_EQ(pushed->bytes_sent, 3 * zip.size);  // every attempt sent the body
  ASSERT_EQ(sleeps_.size(), 2u);
  EXPECT_GE(sleeps_[0], 500ms);
  EXPECT_GE(sleeps_[1], 1000ms);  // backing off
  EXPECT_EQ(curl_get(server_->url("r/api.zip")), "zip bytes");
}

TEST_F(HttpPusherTest, HonoursRetryAfterAndGivesUpAfterMaxAttempts) {
  server_->set_faults(R"([{"method": "PUT", "status": 503, "times": 10, "body": "overloaded"}])");
  Artifact zip = make_zip(temp_.path(), "api.zip", "zip bytes");
  HttpPusherOptions options = recording(&sleeps_);
  options.max_attempts = 3;
  auto pushed = make_http_pusher(to(server_->url("g/{service}.zip")), options)->push(zip, nullptr);
  ASSERT_FALSE(pushed.has_value());
  EXPECT_EQ(pushed.error().kind, ErrorKind::io);
  const std::string& message = pushed.error().message;
  EXPECT_NE(message.find("service api"), std::string::npos) << message;
  EXPECT_NE(message.find("PUT " + server_->url("g/api.zip")), std::string::npos) << message;
  EXPECT_NE(message.find("503"), std::string::npos) << message;
  EXPECT_NE(message.find("overloaded"), std::string::npos) << message;
  EXPECT_EQ(methods(), (std::vector<std::string>{"HEAD", "PUT", "PUT", "PUT"}));
  EXPECT_EQ(sleeps_.size(), 2u);
  EXPECT_EQ(curl_get(server_->url("g/api.zip")), "no such object");
}

TEST_F(HttpPusherTest, AHeaderFromTheEnvironmentReachesTheServerButNoErrorMessage) {
  // The 403's body echoes the Authorization header, as a careless server might.
  server_->set_faults(R"([{"method": "PUT", "status": 403, "body": "denied: {Authorization} is expired"}])");
  Artifact zip = make_zip(temp_.path(), "api.zip", "zip bytes");
  const std::string secret = "Bearer s3cr3t-t0ken-value";
  auto pusher = make_http_pusher(
      {server_->url("h/{service}.zip?X-Amz-Signature=sig-also-secret"), {{"Authorization", "STORE_TOKEN"}}},
      recording(&sleeps_, {{"STORE_TOKEN", secret}}));
  auto pushed = pusher->push(zip, nullptr);
  ASSERT_FALSE(pushed.has_value());
  const std::string& message = pushed.error().message;
  EXPECT_NE(message.find("403"), std::string::npos) << message;
  EXPECT_NE(message.find("denied: *** is expired"), std::string::npos) << message;
  EXPECT_EQ(message.find("s3cr3t"), std::string::npos) << message;
  EXPECT_EQ(message.find("sig-also-secret"), std::string::npos) << message;
  EXPECT_NE(message.find(server_->url("h/api.zip")), std::string::npos) << message;
  auto log = requests();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0]["headers"]["Authorization"], secret);  // HEAD and PUT both carried it
  EXPECT_EQ(log[1]["headers"]["Authorization"], secret);
  EXPECT_TRUE(sleeps_.empty());  // a 403 is not retried

  // Pushed: the location has no query either.
  server_->set_faults("[]");
  auto ok = pusher->push(zip, nullptr);
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  EXPECT_EQ(ok->location, server_->url("h/api.zip"));
}

TEST_F(HttpPusherTest, AnUnsetHeaderVariableIsAConfigErrorNamingIt) {
  Artifact zip = make_zip(temp_.path(), "api.zip", "zip bytes");
  auto pushed = make_http_pusher({server_->url("u/{service}.zip"), {{"X-Api-Key", "WHARF_TEST_UNSET_KEY"}}},
                                 recording(&sleeps_))
                    ->push(zip, nullptr);
  ASSERT_FALSE(pushed.has_value());
  EXPECT_EQ(pushed.error().kind, ErrorKind::config);
  EXPECT_NE(pushed.error().message.find("WHARF_TEST_UNSET_KEY"), std::string::npos) << pushed.error().message;
  EXPECT_TRUE(requests().empty());
}

TEST_F(HttpPusherTest, AnImageIsRefused) {
  Artifact image = make_layout(temp_.path(), "layout", "layer");
  auto pushed = make_http_pusher(to(server_->url("{service}")), recording(&sleeps_))->push(image, nullptr);
  ASSERT_FALSE(pushed.has_value());
  EXPECT_EQ(pushed.error().kind, ErrorKind::config);
  EXPECT_NE(pushed.error().message.find("registry"), std::string::npos) << pushed.error().message;
  EXPECT_TRUE(requests().empty());
}

TEST_F(HttpPusherTest, ADifferentObjectAtTheUrlIsNotOverwritten) {
  Artifact zip = make_zip(temp_.path(), "api.zip", "new bytes");
  const std::string url = server_->url("d/api.zip");
  run_command("curl -fsS -o /dev/null -X PUT --data-binary 'older, longer bytes' " + shell_quote(url));
  auto pushed = make_http_pusher(to(server_->url("d/{service}.zip")), recording(&sleeps_))->push(zip, nullptr);
  ASSERT_FALSE(pushed.has_value());
  EXPECT_NE(pushed.error().message.find("different object"), std::string::npos) << pushed.error().message;
  EXPECT_EQ(curl_get(url), "older, longer bytes");

  // Same size, other bytes: told apart by the Digest header the server states.
  server_->set_faults(R"([{"digest_header": true}])");
  run_command("curl -fsS -o /dev/null -X PUT --data-binary 'old bytes' " + shell_quote(url));
  pushed = make_http_pusher(to(server_->url("d/{service}.zip")), recording(&sleeps_))->push(zip, nullptr);
  ASSERT_FALSE(pushed.has_value());
  EXPECT_NE(pushed.error().message.find("sha-256"), std::string::npos) << pushed.error().message;
  EXPECT_EQ(curl_get(url), "old bytes");
}

TEST_F(HttpPusherTest, A412MeansTheObjectIsAlreadyThere) {
  Artifact zip = make_zip(temp_.path(), "api.zip", "zip bytes");
  run_command("curl -fsS -o /dev/null -T " + shell_quote(zip.path) + " " + shell_quote(server_->url("p/api.zip")));
  // The HEAD misses it (a URL pre-signed for PUT only answers 403).
  server_->set_faults(R"([{"method": "HEAD", "status": 403}])");
  auto pushed = make_http_pusher(to(server_->url("p/{service}.zip")), recording(&sleeps_))->push(zip, nullptr);
  ASSERT_TRUE(pushed.has_value()) << pushed.error().message;
  EXPECT_TRUE(pushed->already_there);
  EXPECT_EQ(methods().back(), "PUT");
}

TEST_F(HttpPusherTest, ARefusedConnectionIsRetriedThenReported) {
  Artifact zip = make_zip(temp_.path(), "api.zip", "zip bytes");
  HttpPusherOptions options = recording(&sleeps_);
  options.max_attempts = 2;
  // Port 9 (discard) on 127.0.0.1: nothing listens there in the test machines.
  auto pushed = make_http_pusher(to("http://127.0.0.1:9/{service}.zip?token=abc"), options)->push(zip, nullptr);
  ASSERT_FALSE(pushed.has_value());
  EXPECT_EQ(pushed.error().kind, ErrorKind::io);
  EXPECT_NE(pushed.error().message.find("after 2 attempts"), std::string::npos) << pushed.error().message;
  EXPECT_NE(pushed.error().message.find("HEAD http://127.0.0.1:9/api.zip"), std::string::npos)
      << pushed.error().message;
  EXPECT_EQ(pushed.error().message.find("token=abc"), std::string::npos) << pushed.error().message;
  EXPECT_EQ(sleeps_.size(), 1u);
}

TEST(RedactUrl, DropsUserInfoQueryAndFragment) {
  EXPECT_EQ(redact_url("https://user:pw@store.example:8443/a/b.zip?X-Amz-Signature=s#f"),
            "https://store.example:8443/a/b.zip");
  EXPECT_EQ(redact_url("http://h?q=1"), "http://h");
}

class HttpPusherNginxTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (wharf::testing::NginxServer::binary().empty()) return;
    dir_ = new wharf::testing::TempDir();
    nginx_ = new wharf::testing::NginxServer(dir_->path());
  }
  static void TearDownTestSuite() {
    delete nginx_;
    delete dir_;
    nginx_ = nullptr;
  }
  void SetUp() override {
    if (!nginx_) GTEST_SKIP() << "nginx is not installed (apt-get install nginx)";
  }
  wharf::testing::TempDir temp_;
  static inline wharf::testing::TempDir* dir_ = nullptr;
  static inline wharf::testing::NginxServer* nginx_ = nullptr;
};

TEST_F(HttpPusherNginxTest, UploadsToWebDavAndFindsItThereTheSecondTime) {
  std::string bytes(3'000'000, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>((i * 7919) >> 3);
  Artifact zip = make_zip(temp_.path(), "api.zip", bytes);
  auto pusher = make_http_pusher(to(nginx_->url("artifacts/{env}/{service}/{short_sha}.{ext}")));
  auto preview = pusher->preview(zip);
  ASSERT_TRUE(preview.has_value()) << preview.error().message;
  EXPECT_FALSE(preview->complete);
  EXPECT_EQ(preview->bytes_to_send, zip.size);

  auto first = pusher->push(zip, nullptr);
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_FALSE(first->already_there);
  EXPECT_EQ(first->bytes_sent, zip.size);
  const std::string url = nginx_->url("artifacts/dev/api/0123456.zip");
  std::string code;
  EXPECT_TRUE(curl_get(url, &code) == bytes);
  EXPECT_EQ(code, "200");
  EXPECT_EQ(read_file(nginx_->root() + "/artifacts/dev/api/0123456.zip").size(), bytes.size());

  auto second = pusher->push(zip, nullptr);
  ASSERT_TRUE(second.has_value()) << second.error().message;
  EXPECT_TRUE(second->already_there);
  EXPECT_EQ(second->bytes_sent, 0u);
  EXPECT_EQ(second->requests, 1u);
}

TEST_F(HttpPusherNginxTest, AServerRefusalNamesTheStatus) {
  // nginx answers 409 to a PUT of a path that is a directory.
  std::filesystem::create_directories(nginx_->root() + "/taken/api.zip");
  Artifact zip = make_zip(temp_.path(), "api.zip", "bytes");
  auto pushed = make_http_pusher(to(nginx_->url("taken/{service}.zip")))->push(zip, nullptr);
  ASSERT_FALSE(pushed.has_value());
  EXPECT_NE(pushed.error().message.find("answered 409"), std::string::npos) << pushed.error().message;
}

}  // namespace
}  // namespace wharf::push
