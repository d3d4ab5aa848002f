// CurlHttpClient against a real HTTP server on 127.0.0.1
// (tests/testing/health_server.py).
#include "net/curl_http_client.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>

#include "tests/testing/health_server.h"
#include "tests/testing/temp_dir.h"

namespace wharf::net {
namespace {

using namespace std::chrono_literals;

CurlOptions options_with(std::size_t max_parallel, std::size_t max_body = std::size_t{8} << 20) {
  CurlOptions options;
  options.max_parallel = max_parallel;
  options.max_body = max_body;
  return options;
}

class CurlHttpClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    server_ =
        new testing::HealthServer(dir_->path(), R"({"api": "1.0", "web": "2.0", "slow": {"version": "3", "delay": 5},
        "broken": {"version": "x", "mode": "500"}, "moved": {"version": "4.0", "mode": "redirect"},
        "loop": {"version": "5", "mode": "loop"}, "locked": {"version": "6", "require": {"X-Token": "sesame"}},
        "dropped": {"version": "7", "mode": "drop"}})");
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }

  static HttpRequest get(const std::string& service, std::chrono::milliseconds timeout = 5000ms) {
    HttpRequest request;
    request.url = server_->url(service + "/health");
    request.timeout = timeout;
    return request;
  }

  static inline testing::TempDir* dir_ = nullptr;
  static inline testing::HealthServer* server_ = nullptr;
};

TEST_F(CurlHttpClientTest, GetsStatusHeadersAndBody) {
  auto client = CurlHttpClient::create();
  ASSERT_TRUE(client.has_value());
  auto response = (*client)->send(get("api"));
  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->header("content-type"), "application/json");
  EXPECT_EQ(nlohmann::json::parse(response->body)["version"], "1.0");
}

TEST_F(CurlHttpClientTest, AnHttpErrorIsAResponseNotAnError) {
  auto client = CurlHttpClient::create();
  auto response = (*client)->send(get("broken"));
  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->status, 500);
  EXPECT_NE(response->body.find("database is down"), std::string::npos);
}

TEST_F(CurlHttpClientTest, FollowsRedirectsAndStopsALoop) {
  auto client = CurlHttpClient::create();
  auto moved = (*client)->send(get("moved"));
  ASSERT_TRUE(moved.has_value()) << moved.error().message;
  EXPECT_EQ(moved->status, 200);
  EXPECT_NE(moved->url.find("/_redirected/moved/health"), std::string::npos) << moved->url;
  auto loop = (*client)->send(get("loop"));
  ASSERT_FALSE(loop.has_value());
  EXPECT_NE(loop.error().message.find("/loop/health"), std::string::npos) << loop.error().message;
}

TEST_F(CurlHttpClientTest, SendsHeaders) {
  auto client = CurlHttpClient::create();
  HttpRequest request = get("locked");
  EXPECT_EQ((*client)->send(request)->status, 401);
  request.headers.emplace_back("X-Token", "sesame");
  EXPECT_EQ((*client)->send(request)->status, 200);
}

TEST_F(CurlHttpClientTest, ATimeoutIsAnErrorNamingTheUrl) {
  auto client = CurlHttpClient::create();
  auto response = (*client)->send(get("slow", 300ms));
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().kind, ErrorKind::io);
  EXPECT_NE(response.error().message.find("no answer within 300 ms"), std::string::npos) << response.error().message;
  EXPECT_NE(response.error().message.find("/slow/health"), std::string::npos);
}

TEST_F(CurlHttpClientTest, AConnectionClosedWithoutAnswerIsAnError) {
  auto client = CurlHttpClient::create();
  auto response = (*client)->send(get("dropped"));
  ASSERT_FALSE(response.has_value());
  EXPECT_NE(response.error().message.find("GET http://127.0.0.1"), std::string::npos) << response.error().message;
}

TEST_F(CurlHttpClientTest, ARefusedConnectionIsAnError) {
  auto client = CurlHttpClient::create();
  HttpRequest request;
  request.url = "http://127.0.0.1:1/health";  // nothing listens on port 1
  auto response = (*client)->send(request);
  ASSERT_FALSE(response.has_value());
  EXPECT_NE(response.error().message.find("127.0.0.1:1"), std::string::npos);
}

TEST_F(CurlHttpClientTest, ABodyOverTheLimitIsAnError) {
  auto client = CurlHttpClient::create(options_with(64, 10));
  auto response = (*client)->send(get("api"));
  ASSERT_FALSE(response.has_value());
  EXPECT_NE(response.error().message.find("longer than 10 bytes"), std::string::npos) << response.error().message;
}

TEST_F(CurlHttpClientTest, OnlyHttpAndHttpsAreFetched) {
  auto client = CurlHttpClient::create();
  HttpRequest request;
  request.url = "file:///etc/passwd";
  EXPECT_FALSE((*client)->send(request).has_value());
}

TEST_F(CurlHttpClientTest, ManyRequestsInParallelKeepTheirOrderAndReuseConnections) {
  auto client = CurlHttpClient::create(options_with(4));
  std::vector<HttpRequest> requests;
  for (int i = 0; i < 40; ++i) requests.push_back(get(i % 2 ? "api" : "web"));
  auto results = (*client)->send_all(requests, std::chrono::steady_clock::now() + 20s);
  ASSERT_EQ(results.size(), 40u);
  for (int i = 0; i < 40; ++i) {
    ASSERT_TRUE(results[i].has_value()) << results[i].error().message;
    EXPECT_EQ(nlohmann::json::parse(results[i]->body)["version"], i % 2 ? "1.0" : "2.0");
  }
  // At most 4 at once, kept alive: far fewer connections than requests.
  EXPECT_LE((*client)->connections_opened(), 8);
}

TEST_F(CurlHttpClientTest, TheDeadlineEndsEveryTransferStillRunning) {
  auto client = CurlHttpClient::create(options_with(2));
  std::vector<HttpRequest> requests = {get("api"), get("slow"), get("slow"), get("slow")};
  const auto start = std::chrono::steady_clock::now();
  auto results = (*client)->send_all(requests, start + 500ms);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);  // not the 5 s of the slow answers
  ASSERT_TRUE(results[0].has_value());
  for (int i = 1; i < 4; ++i) {
    ASSERT_FALSE(results[i].has_value());
    EXPECT_NE(results[i].error().message.find("/slow/health"), std::string::npos);
  }
}

}  // namespace
}  // namespace wharf::net
