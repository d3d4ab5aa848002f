#include "net/http_client.h"

#include <algorithm>

namespace wharf::net {

std::string_view HttpResponse::header(std::string_view name) const {
  auto same = [](std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
             return lower(x) == lower(y);
           });
  };
  for (const auto& [key, value] : headers) {
    if (same(key, name)) return value;
  }
  return {};
}

Result<HttpResponse> HttpClient::send(const HttpRequest& request) {
  auto results = send_all(std::span(&request, 1), std::chrono::steady_clock::now() + request.timeout);
  return std::move(results.front());
}

}  // namespace wharf::net
