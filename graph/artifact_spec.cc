#include "graph/artifact_spec.h"

#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "util/text.h"

namespace wharf::graph {

std::optional<RegistryBase> parse_registry_base(std::string_view text) {
  if (!text.starts_with("docker://")) return std::nullopt;
  text.remove_prefix(9);
  const std::size_t slash = text.find('/');
  const std::size_t at = text.find('@');
  if (slash == std::string_view::npos || slash == 0 || at == std::string_view::npos || at < slash + 2) {
    return std::nullopt;
  }
  RegistryBase base{std::string(text.substr(0, slash)), std::string(text.substr(slash + 1, at - slash - 1)),
                    std::string(text.substr(at + 1))};
  const bool hex = base.digest.size() == 71 && base.digest.starts_with("sha256:") &&
                   base.digest.find_first_not_of("0123456789abcdef", 7) == std::string::npos;
  if (!hex || base.repository.find_first_of(":@ ") != std::string::npos) return std::nullopt;
  return base;
}

std::string registry_base_problem(std::string_view text) {
  if (parse_registry_base(text)) return "";
  if (text.find('@') == std::string_view::npos) {
    return "must pin the image by digest, docker://REGISTRY/REPOSITORY@sha256:DIGEST: a tag can move while the "
           "input key stays the same (skopeo inspect docker://... prints the digest)";
  }
  return "must be docker://REGISTRY/REPOSITORY@sha256:DIGEST (64 lowercase hex digits)";
}
namespace {

// A pointer's segments, unescaped (RFC 6901).
std::vector<std::string> segments(std::string_view pointer) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < pointer.size() && pointer[pos] == '/') {
    std::size_t end = pointer.find('/', pos + 1);
    if (end == std::string_view::npos) end = pointer.size();
    std::string segment;
    for (std::size_t i = pos + 1; i < end; ++i) {
      if (pointer[i] == '~' && i + 1 < end) {
        segment += pointer[i + 1] == '1' ? '/' : '~';
        ++i;
      } else {
        segment += pointer[i];
      }
    }
    out.push_back(std::move(segment));
    pos = end;
  }
  return out;
}

std::optional<std::size_t> index_of(const std::string& segment) {
  if (segment.empty() || segment.size() > 6 || !std::all_of(segment.begin(), segment.end(), ::isdigit)) {
    return std::nullopt;
  }
  return static_cast<std::size_t>(std::strtoul(segment.c_str(), nullptr, 10));
}

// Archive paths: relative, '/'-separated, no "." or ".." (the packer checks
// the final names again; this names the config line).
bool valid_archive_dir(std::string_view to) {
  if (to.starts_with('/')) return false;
  std::size_t pos = 0;
  while (pos <= to.size()) {
    std::size_t end = to.find('/', pos);
    if (end == std::string_view::npos) end = to.size();
    std::string_view part = to.substr(pos, end - pos);
    if (part == "." || part == "..") return false;
    pos = end + 1;
  }
  return to.find('\0') == std::string_view::npos;
}

struct MappingDraft {
  std::optional<PathPattern> from;
  std::string to;
  std::vector<PathPattern> exclude;
  SourceLocation where;
  bool seen = false;
};

class SpecReader {
 public:
  SpecReader(const ComponentConfig& service, std::string_view table) : service_(service), table_(table) {}

  void error(const SettingEntry& s, const std::string& message) {
    errors_.push_back({s.where, fmt::format("{}: [service.{}.{}] {}: {}", s.where.str(), service_.name, table_,
                                            s.pointer.empty() ? "" : s.pointer.substr(1), message)});
  }
  void error(const SourceLocation& where, const std::string& message) {
    errors_.push_back({where, fmt::format("{}: [service.{}.{}] {}", where.str(), service_.name, table_, message)});
  }

  std::optional<nlohmann::json> value(const SettingEntry& s) {
    auto parsed = nlohmann::json::parse(s.json, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) {
      error(s, "unreadable value");  // only from a damaged snapshot; never from TOML
      return std::nullopt;
    }
    return parsed;
  }

  std::optional<std::string> text(const SettingEntry& s) {
    auto v = value(s);
    if (!v) return std::nullopt;
    if (!v->is_string()) {
      error(s, "must be a string");
      return std::nullopt;
    }
    return v->get<std::string>();
  }

  std::optional<std::vector<std::string>> texts(const SettingEntry& s) {
    auto v = value(s);
    if (!v) return std::nullopt;
    if (!v->is_array() || !std::all_of(v->begin(), v->end(), [](const auto& x) { return x.is_string(); })) {
      error(s, "must be an array of strings, like [\"a\", \"b\"]");
      return std::nullopt;
    }
    return v->get<std::vector<std::string>>();
  }

  std::optional<PathPattern> pattern(const SettingEntry& s, const std::string& textual) {
    auto parsed = PathPattern::parse(textual);
    if (!parsed) {
      error(s, parsed.error().message);
      return std::nullopt;
    }
    return std::move(*parsed);
  }

  void unknown(const SettingEntry& s, const std::string& key, const std::vector<std::string>& valid) {
    std::string hint = nearest(key, valid);
    error(s, hint.empty() ? fmt::format("unknown key '{}'; valid keys are: {}", printable(key), join(valid, ", "))
                          : fmt::format("unknown key '{}'; did you mean '{}'?", printable(key), hint));
  }

  // One setting of a mapping list ("files/3/from"); `rest` starts at the index.
  void mapping(const SettingEntry& s, std::span<const std::string> rest, std::map<std::size_t, MappingDraft>& drafts) {
    if (rest.empty()) {
      if (s.json != "[]") error(s, "must be an array of tables, like [{ from = \"dir\", to = \"\" }]");
      return;
    }
    auto index = index_of(rest[0]);
    if (!index || rest.size() != 2) {
      error(s, "must be an array of tables, like [{ from = \"dir\", to = \"\" }]");
      return;
    }
    MappingDraft& d = drafts[*index];
    d.seen = true;
    if (d.where.line == 0) d.where = s.where;
    const std::string& key = rest[1];
    if (key == "from") {
      if (auto t = text(s)) {
        d.from = pattern(s, *t);
        d.where = s.where;
      }
    } else if (key == "to") {
      if (auto t = text(s)) {
        if (!valid_archive_dir(*t)) {
          error(s, fmt::format("\"{}\" is not a path inside the archive (relative, no '.' or '..')", printable(*t)));
        }
        d.to = *t;
      }
    } else if (key == "exclude") {
      if (auto list = texts(s)) {
        for (const auto& item : *list) {
          if (auto p = pattern(s, item)) d.exclude.push_back(std::move(*p));
        }
      }
    } else {
      unknown(s, key, {"from", "to", "exclude"});
    }
  }

  std::vector<FileMapping> finish(std::map<std::size_t, MappingDraft>& drafts, const SettingEntry* any) {
    std::vector<FileMapping> out;
    for (auto& [i, d] : drafts) {
      if (!d.from) {
        if (any && errors_.empty()) error(d.where, "a files entry has no 'from'; add from = \"path\"");
        continue;
      }
      out.push_back(FileMapping{std::move(*d.from), std::move(d.to), std::move(d.exclude), d.where});
    }
    return out;
  }

  std::vector<ConfigProblem> errors_;

 private:
  const ComponentConfig& service_;
  std::string_view table_;
};

bool valid_template(std::string_view tmpl, std::string& bad) {
  std::size_t pos = 0;
  while ((pos = tmpl.find('{', pos)) != std::string_view::npos) {
    std::size_t end = tmpl.find('}', pos);
    if (end == std::string_view::npos) {
      bad = std::string(tmpl.substr(pos));
      return false;
    }
    std::string_view name = tmpl.substr(pos + 1, end - pos - 1);
    if (name != "service" && name != "sha" && name != "short_sha" && name != "key") {
      bad = std::string(name);
      return false;
    }
    pos = end + 1;
  }
  return true;
}

void check_tag(SpecReader& r, const SettingEntry& s, const std::string& tmpl) {
  std::string bad;
  if (!valid_template(tmpl, bad)) {
    r.error(s, fmt::format("unknown substitution '{{{}}}'; use {{service}}, {{sha}}, {{short_sha}} or {{key}}",
                           printable(bad)));
  }
}

void read_zip(SpecReader& r, const std::vector<SettingEntry>& settings, ZipSpec& zip) {
  std::map<std::size_t, MappingDraft> drafts;
  const std::vector<std::string> valid = {"files", "tag"};
  for (const SettingEntry& s : settings) {
    auto seg = segments(s.pointer);
    if (seg.empty()) continue;  // an empty table
    if (seg[0] == "files") {
      r.mapping(s, std::span(seg).subspan(1), drafts);
    } else if (seg[0] == "tag" && seg.size() == 1) {
      if (auto t = r.text(s)) {
        check_tag(r, s, *t);
        zip.tag = *t;
      }
    } else {
      r.unknown(s, seg[0], valid);
    }
  }
  zip.files = r.finish(drafts, settings.empty() ? nullptr : &settings.front());
}

void read_image(SpecReader& r, const std::vector<SettingEntry>& settings, ImageSpec& image,
                const SettingEntry*& layers_at) {
  std::map<std::size_t, std::map<std::size_t, MappingDraft>> layer_files;
  std::map<std::size_t, std::string> layer_names;
  const std::vector<std::string> valid = {"base",    "layers",      "entrypoint", "cmd",           "env",
                                          "workdir", "user",        "labels",     "exposed_ports", "platform",
                                          "tag",     "compression", "import"};
  for (const SettingEntry& s : settings) {
    auto seg = segments(s.pointer);
    if (seg.empty()) continue;
    const std::string& key = seg[0];
    const bool leaf = seg.size() == 1;
    if (key == "layers") {
      layers_at = &s;
      if (leaf) {
        if (s.json != "[]") r.error(s, "must be an array of tables: [[service.NAME.image.layers]]");
        continue;
      }
      auto index = index_of(seg[1]);
      if (index && seg.size() == 2 && s.json == "{}") {  // an empty [[layers]] table
        layer_files[*index];
        continue;
      }
      if (!index || seg.size() < 3) {
        r.error(s, "must be an array of tables: [[service.NAME.image.layers]]");
        continue;
      }
      if (seg[2] == "files") {
        r.mapping(s, std::span(seg).subspan(3), layer_files[*index]);
      } else if (seg[2] == "name" && seg.size() == 3) {
        if (auto t = r.text(s)) layer_names[*index] = *t;
      } else {
        r.unknown(s, seg[2], {"name", "files"});
      }
      layer_files[*index];  // a layer with only a name is still a layer
    } else if (key == "labels") {
      if (leaf) {
        if (s.json != "{}") r.error(s, "must be a table of strings, like { team = \"web\" }");
      } else if (seg.size() == 2) {
        if (auto t = r.text(s)) image.labels[seg[1]] = *t;
      } else {
        r.error(s, "label values must be strings");
      }
    } else if (!leaf) {
      r.unknown(s, key, valid);
    } else if (key == "entrypoint" || key == "cmd") {
      if (auto list = r.texts(s)) (key == "cmd" ? image.cmd : image.entrypoint) = *list;
    } else if (key == "env" || key == "exposed_ports") {
      if (auto list = r.texts(s)) {
        if (key == "env") {
          for (const auto& item : *list) {
            if (item.find('=') == std::string::npos || item.front() == '=') {
              r.error(s, fmt::format("\"{}\" is not KEY=VALUE", printable(item)));
            }
          }
          image.env = *list;
        } else {
          image.exposed_ports = *list;
        }
      }
    } else if (key == "compression") {
      if (auto t = r.text(s)) {
        if (*t != "gzip" && *t != "zstd") r.error(s, "must be \"gzip\" or \"zstd\"");
        image.compression = *t;
      }
    } else if (key == "tag") {
      if (auto t = r.text(s)) {
        check_tag(r, s, *t);
        image.tag = *t;
      }
    } else if (key == "base" || key == "workdir" || key == "user" || key == "platform" || key == "import") {
      auto t = r.text(s);
      if (!t) continue;
      if (key == "base") {
        if (t->starts_with("docker://")) {
          if (auto problem = registry_base_problem(*t); !problem.empty()) r.error(s, problem);
        } else if (*t != "scratch" && !t->starts_with("oci:")) {
          r.error(s, "must be \"scratch\", \"oci:DIR:TAG\" or \"docker://REGISTRY/REPOSITORY@sha256:DIGEST\"");
        }
        image.base = *t;
      } else if (key == "workdir") {
        image.workdir = *t;
      } else if (key == "user") {
        image.user = *t;
      } else if (key == "platform") {
        image.platform = *t;
      } else {
        if (!PathPattern::parse(*t) || t->find_first_of("*?[") != std::string::npos) {
          r.error(s, "must be a repository path (what the build command writes)");
        }
        image.import = *t;
      }
    } else {
      r.unknown(s, key, valid);
    }
  }
  for (auto& [i, files] : layer_files) {
    LayerSpec layer;
    layer.name = layer_names.count(i) ? layer_names[i] : fmt::format("layer {}", i + 1);
    layer.files = r.finish(files, settings.empty() ? nullptr : &settings.front());
    image.layers.push_back(std::move(layer));
  }
}

}  // namespace

std::vector<ConfigProblem> read_artifact(const ComponentConfig& service, ArtifactSpec& spec) {
  std::vector<ConfigProblem> errors;
  if (!service.zip.empty() && !service.image.empty()) {
    const SourceLocation& where = service.image.front().where;
    errors.push_back({where, fmt::format("{}: [service.{}] has both a zip and an image; a service builds one "
                                         "artifact: keep one of [service.{}.zip] and [service.{}.image]",
                                         where.str(), service.name, service.name, service.name)});
    return errors;
  }
  if (!service.zip.empty()) {
    SpecReader r(service, "zip");
    read_zip(r, service.zip, spec.zip);
    errors = std::move(r.errors_);
    spec.kind = ArtifactKind::zip;
    spec.where = service.zip.front().where;
  } else if (!service.image.empty()) {
    SpecReader r(service, "image");
    const SettingEntry* layers_at = nullptr;
    read_image(r, service.image, spec.image, layers_at);
    if (!spec.image.import.empty()) {
      const auto& image = spec.image;
      if (layers_at || image.entrypoint || image.cmd || !image.env.empty() || image.workdir || image.user ||
          !image.labels.empty() || !image.exposed_ports.empty() || image.base != "scratch") {
        r.error(service.image.front().where,
                "import takes the image the build writes as it is; remove base, layers and the run settings "
                "(set them in its Dockerfile)");
      }
      if (service.build.value.empty()) {
        r.error(service.image.front().where,
                fmt::format("import needs a build command that writes \"{}\"; add build = \"...\" to [service.{}]",
                            image.import, service.name));
      }
    }
    errors = std::move(r.errors_);
    spec.kind = ArtifactKind::image;
    spec.where = service.image.front().where;
  }
  return errors;
}

std::vector<ConfigProblem> artifact_problems(const ComponentConfig& service) {
  ArtifactSpec spec;
  return read_artifact(service, spec);
}

Result<ArtifactSpec> artifact_spec(const ComponentConfig& service) {
  ArtifactSpec spec;
  auto problems = read_artifact(service, spec);
  if (problems.empty()) return spec;
  std::vector<std::string> lines;
  for (auto& p : problems) lines.push_back(std::move(p.message));
  return fail(ErrorKind::config, join(lines, "\n"));
}

std::string expand_tag(std::string_view tmpl, std::string_view service, std::string_view sha,
                       std::string_view short_sha, std::string_view key) {
  std::string out;
  std::size_t pos = 0;
  while (pos < tmpl.size()) {
    std::size_t open = tmpl.find('{', pos);
    if (open == std::string_view::npos) break;
    std::size_t close = tmpl.find('}', open);
    if (close == std::string_view::npos) break;
    out += tmpl.substr(pos, open - pos);
    std::string_view name = tmpl.substr(open + 1, close - open - 1);
    if (name == "service") {
      out += service;
    } else if (name == "sha") {
      out += sha;
    } else if (name == "short_sha") {
      out += short_sha;
    } else if (name == "key") {
      out += key;
    } else {
      out += tmpl.substr(open, close - open + 1);
    }
    pos = close + 1;
  }
  out += tmpl.substr(pos);
  return out;
}

}  // namespace wharf::graph
