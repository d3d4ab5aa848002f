#include "yaml/node.h"

#include <map>
#include <memory>

#include <fmt/format.h>
#include <yaml.h>

namespace wharf::yaml {

namespace {

const Node& null_node() {
  static const Node node;
  return node;
}

Mark mark_of(const yaml_mark_t& mark) { return Mark{static_cast<int>(mark.line) + 1, static_cast<int>(mark.column) + 1}; }

struct ParserDeleter {
  void operator()(yaml_parser_t* parser) const {
    yaml_parser_delete(parser);
    delete parser;
  }
};

struct EventGuard {
  yaml_event_t event{};
  ~EventGuard() { yaml_event_delete(&event); }
};

// Builds nodes from libyaml's events, depth-first.
class Builder {
 public:
  Builder(std::string_view text, std::string_view file) : file_(file), parser_(new yaml_parser_t) {
    yaml_parser_initialize(parser_.get());
    yaml_parser_set_input_string(parser_.get(), reinterpret_cast<const unsigned char*>(text.data()), text.size());
  }

  Result<std::vector<Node>> documents() {
    std::vector<Node> docs;
    for (;;) {
      EventGuard next;
      if (!yaml_parser_parse(parser_.get(), &next.event)) return parser_error();
      if (next.event.type == YAML_STREAM_END_EVENT) break;
      if (next.event.type != YAML_DOCUMENT_START_EVENT) continue;  // stream start
      anchors_.clear();
      auto root = node_from(next_event());
      if (!root) return std::unexpected(root.error());
      docs.push_back(std::move(*root));
      EventGuard end;  // DOCUMENT_END
      if (!yaml_parser_parse(parser_.get(), &end.event)) return parser_error();
    }
    return docs;
  }

 private:
  // The next event, owned by the caller.
  std::unique_ptr<EventGuard> next_event() {
    auto guard = std::make_unique<EventGuard>();
    if (!yaml_parser_parse(parser_.get(), &guard->event)) failed_ = true;
    return guard;
  }

  std::unexpected<Error> parser_error() const {
    const yaml_parser_t& p = *parser_;
    Mark at = mark_of(p.problem_mark);
    std::string what = p.problem ? p.problem : "not valid YAML";
    if (p.context) what = fmt::format("{} {}", what, p.context);
    return fail(ErrorKind::config, fmt::format("{}:{}:{}: {}", file_, at.line, at.column, what));
  }

  void remember(const yaml_char_t* anchor, const Node& node) {
    if (anchor) anchors_[reinterpret_cast<const char*>(anchor)] = node;
  }

  Result<Node> node_from(std::unique_ptr<EventGuard> guard) {
    if (failed_) return parser_error();
    yaml_event_t& event = guard->event;
    Mark mark = mark_of(event.start_mark);
    switch (event.type) {
      case YAML_SCALAR_EVENT: {
        const auto& s = event.data.scalar;
        Node node = Node::scalar(std::string(reinterpret_cast<const char*>(s.value), s.length),
                                 s.style == YAML_PLAIN_SCALAR_STYLE, mark);
        remember(s.anchor, node);
        return node;
      }
      case YAML_ALIAS_EVENT: {
        auto it = anchors_.find(reinterpret_cast<const char*>(event.data.alias.anchor));
        if (it == anchors_.end()) {
          return fail(ErrorKind::config, fmt::format("{}:{}:{}: unknown alias *{}", file_, mark.line, mark.column,
                                                     reinterpret_cast<const char*>(event.data.alias.anchor)));
        }
        return it->second;
      }
      case YAML_SEQUENCE_START_EVENT: {
        Node node = Node::sequence(mark);
        for (;;) {
          auto item = next_event();
          if (failed_) return parser_error();
          if (item->event.type == YAML_SEQUENCE_END_EVENT) break;
          auto child = node_from(std::move(item));
          if (!child) return child;
          node.mutable_items().push_back(std::move(*child));
        }
        remember(event.data.sequence_start.anchor, node);
        return node;
      }
      case YAML_MAPPING_START_EVENT: {
        Node node = Node::mapping(mark);
        std::vector<Node> merged;  // values of `<<` keys, applied at the end
        for (;;) {
          auto key_event = next_event();
          if (failed_) return parser_error();
          if (key_event->event.type == YAML_MAPPING_END_EVENT) break;
          bool merge = key_event->event.type == YAML_SCALAR_EVENT &&
                       key_event->event.data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
                       std::string_view(reinterpret_cast<const char*>(key_event->event.data.scalar.value),
                                        key_event->event.data.scalar.length) == "<<";
          auto key = node_from(std::move(key_event));
          if (!key) return key;
          auto value = node_from(next_event());
          if (!value) return value;
          if (merge) {
            merged.push_back(std::move(*value));
            continue;
          }
          node.mutable_entries().push_back(Node::Entry{key->text(), key->mark(), std::move(*value)});
        }
        // `<<: *a` or `<<: [*a, *b]`: the first mapping that sets a key wins,
        // and the mapping's own entries win over all of them.
        for (const Node& source : merged) {
          std::vector<const Node*> maps;
          if (source.is_mapping()) maps.push_back(&source);
          for (const Node& item : source.items()) {
            if (item.is_mapping()) maps.push_back(&item);
          }
          for (const Node* map : maps) {
            for (const auto& entry : map->entries()) {
              if (!node.find(entry.key)) node.mutable_entries().push_back(entry);
            }
          }
        }
        remember(event.data.mapping_start.anchor, node);
        return node;
      }
      default:
        return fail(ErrorKind::config, fmt::format("{}:{}:{}: unexpected YAML event", file_, mark.line, mark.column));
    }
  }

  std::string file_;
  std::unique_ptr<yaml_parser_t, ParserDeleter> parser_;
  std::map<std::string, Node> anchors_;
  bool failed_ = false;
};

}  // namespace

const Node* Node::find(std::string_view key) const {
  for (const auto& entry : entries_) {
    if (entry.key == key) return &entry.value;
  }
  return nullptr;
}

const Node& Node::operator[](std::string_view key) const {
  const Node* found = find(key);
  return found ? *found : null_node();
}

Node Node::scalar(std::string text, bool plain, Mark mark) {
  Node node;
  // An unquoted empty value, `~` or `null` is YAML's null.
  if (plain && (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL")) {
    node.kind_ = Kind::null;
  } else {
    node.kind_ = Kind::scalar;
  }
  node.text_ = std::move(text);
  node.plain_ = plain;
  node.mark_ = mark;
  return node;
}

Node Node::sequence(Mark mark) {
  Node node;
  node.kind_ = Kind::sequence;
  node.mark_ = mark;
  return node;
}

Node Node::mapping(Mark mark) {
  Node node;
  node.kind_ = Kind::mapping;
  node.mark_ = mark;
  return node;
}

Node Node::null(Mark mark) {
  Node node;
  node.mark_ = mark;
  return node;
}

Result<std::vector<Node>> parse_all(std::string_view text, std::string_view file) {
  Builder builder(text, file);
  return builder.documents();
}

Result<Node> parse(std::string_view text, std::string_view file) {
  auto docs = parse_all(text, file);
  if (!docs) return std::unexpected(docs.error());
  if (docs->empty()) return Node::null(Mark{});
  return std::move(docs->front());
}

}  // namespace wharf::yaml
