// wharf names (graph/config.h: a letter or digit, then letters, digits, '.',
// '_' or '-', at most 100 characters) from what repositories call things.
#pragma once

#include <set>
#include <string>
#include <string_view>

namespace wharf::infer {

// The last path component of an image reference without tag or digest
// ("gcr.io/acme/cart:v1" -> "cart").
std::string image_base_name(std::string_view image);

// An npm package name without its scope ("@acme/ui" -> "ui").
std::string without_scope(std::string_view package);

// `raw` made a valid name: other characters become '-', leading characters
// that are not a letter or digit are dropped, at most 96 characters (room for
// a "-N" suffix). "" when nothing is left.
std::string sanitize_name(std::string_view raw);

// Hands out names once each: the name asked for when free, else name-2,
// name-3, ... (the caller warns that it happened).
class NameTable {
 public:
  std::string claim(const std::string& wanted);
  bool taken(const std::string& name) const { return taken_.contains(name); }

 private:
  std::set<std::string> taken_;
};

}  // namespace wharf::infer
