#include "infer/names.h"

#include <fmt/format.h>

namespace wharf::infer {

std::string image_base_name(std::string_view image) {
  std::size_t slash = image.rfind('/');
  std::string_view last = slash == std::string_view::npos ? image : image.substr(slash + 1);
  if (std::size_t at = last.find('@'); at != std::string_view::npos) last = last.substr(0, at);
  if (std::size_t colon = last.find(':'); colon != std::string_view::npos) last = last.substr(0, colon);
  return std::string(last);
}

std::string without_scope(std::string_view package) {
  if (package.starts_with('@')) {
    if (std::size_t slash = package.find('/'); slash != std::string_view::npos) return std::string(package.substr(slash + 1));
  }
  return std::string(package);
}

std::string sanitize_name(std::string_view raw) {
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); };
  std::string out;
  for (char c : raw) {
    if (out.empty() && !alnum(c)) continue;
    out += alnum(c) || c == '.' || c == '_' || c == '-' ? c : '-';
  }
  if (out.size() > 96) out.resize(96);
  return out;
}

std::string NameTable::claim(const std::string& wanted) {
  std::string name = wanted;
  for (int n = 2; taken_.contains(name); ++n) name = fmt::format("{}-{}", wanted, n);
  taken_.insert(name);
  return name;
}

}  // namespace wharf::infer
