// YAML documents as a small tree of mappings, sequences and scalars, each
// with where it was written, read with libyaml (Debian's libyaml-dev).
//
// Why a tree of our own: the files wharf reads (docker-compose.yml,
// skaffold.yaml, pnpm-workspace.yaml, lockfiles) are looked up by key and
// reported by line, and libyaml only gives events. Anchors and aliases are
// resolved (an alias is a copy of what it names), and so is the merge key
// `<<` that compose files use for shared settings: its mapping's entries are
// added where the mapping itself does not set them.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/error.h"

namespace wharf::yaml {

struct Mark {
  int line = 0;  // 1-based; 0 for a node that is not in the text
  int column = 0;
};

class Node {
 public:
  enum class Kind { null, scalar, sequence, mapping };
  struct Entry;

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::null; }
  bool is_scalar() const { return kind_ == Kind::scalar; }
  bool is_sequence() const { return kind_ == Kind::sequence; }
  bool is_mapping() const { return kind_ == Kind::mapping; }
  Mark mark() const { return mark_; }

  // A scalar's text as written, quotes and escapes resolved ("" otherwise).
  const std::string& text() const { return text_; }
  // Whether the scalar was written without quotes: only then is `null`, `~`,
  // `true` or `1` something other than a string.
  bool plain() const { return plain_; }

  // A sequence's items (empty otherwise).
  const std::vector<Node>& items() const { return items_; }
  // A mapping's entries in the order written (empty otherwise). A key that
  // is not a scalar is kept with empty text.
  const std::vector<Entry>& entries() const { return entries_; }

  // The value of `key` in a mapping, or a null node (kind null, line 0) when
  // absent or when this is not a mapping. Chains: doc["build"]["context"].
  const Node& operator[](std::string_view key) const;
  // Like operator[], but nullptr when the key is absent.
  const Node* find(std::string_view key) const;

  static Node scalar(std::string text, bool plain, Mark mark);
  static Node sequence(Mark mark);
  static Node mapping(Mark mark);
  static Node null(Mark mark);
  std::vector<Node>& mutable_items() { return items_; }
  std::vector<Entry>& mutable_entries() { return entries_; }

 private:
  Kind kind_ = Kind::null;
  Mark mark_;
  std::string text_;
  bool plain_ = false;
  std::vector<Node> items_;
  std::vector<Entry> entries_;
};

struct Node::Entry {
  std::string key;
  Mark key_mark;
  Node value;
};

// The documents of a YAML stream (an empty text has none). Errors are
// ErrorKind::config, "file:line:col: what libyaml said".
Result<std::vector<Node>> parse_all(std::string_view text, std::string_view file);

// The first document, or a null node for a text with none.
Result<Node> parse(std::string_view text, std::string_view file);

}  // namespace wharf::yaml
