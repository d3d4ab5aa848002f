// The one declaration of wharf.toml's fields. Each config table lists its
// fields once, in visit_fields(), with what the reader, the snapshot, the
// input key and `wharf explain` need to know about them; those four walk the
// list instead of naming fields themselves.
//
// Adding a field to a table: add the member to the struct in graph/config.h
// and one visit(...) line below. Its type must be one that the visitors
// handle (std::vector<PatternEntry>, std::vector<NameEntry>, TextEntry,
// std::vector<SettingEntry> for a nested table); a new
// type fails to compile in each visitor until it is handled there. The
// snapshot's format and the key's transcript follow from the list (see
// config_schema()); keys change, deliberately, when a keyed field is added.
#pragma once

#include <concepts>
#include <string>
#include <string_view>
#include <type_traits>

#include "graph/config.h"

namespace wharf::graph {

// Which [package.*]/[service.*] tables take a field.
enum class Tables { packages_and_services, services };

// Where a field counts in the input key (hashing/service_key.cc), hashed as
// "<table>.<name>" ("config.paths", "workspace.inputs").
enum class KeyUse {
  none,      // not an input (e.g. where outputs go)
  services,  // in the keys of services only
  all,       // in the keys of packages and services
};

// What a list of names holds, for the reader's check.
enum class NameRule { component, env_var };

struct FieldSpec {
  std::string_view name;  // the TOML key
  Tables tables = Tables::packages_and_services;
  bool required = false;
  KeyUse key = KeyUse::all;
  NameRule names = NameRule::component;  // std::vector<NameEntry> fields only

  bool applies_to(ComponentKind kind) const {
    return tables == Tables::packages_and_services || kind == ComponentKind::service;
  }
};

// The fields of a [package.NAME] or [service.NAME] table, in the order the
// snapshot stores them. `C` is ComponentConfig, const or not.
template <class C, class Visit>
requires std::same_as<std::remove_const_t<C>, ComponentConfig>
void visit_fields(C& c, Visit&& visit) {
  visit(FieldSpec{.name = "paths", .required = true}, c.paths);
  visit(FieldSpec{.name = "exclude"}, c.exclude);
  visit(FieldSpec{.name = "deps"}, c.deps);
  // Environment variables that are inputs: their names here, their values
  // hashed separately (hashing/service_key.cc).
  visit(FieldSpec{.name = "env", .tables = Tables::services, .names = NameRule::env_var}, c.env);
  visit(FieldSpec{.name = "build", .tables = Tables::services}, c.build);
  visit(FieldSpec{.name = "workdir", .tables = Tables::services}, c.workdir);
  // The names of the outputs are keyed (another list packs other files); their
  // contents never are: they are what the build makes from the inputs.
  visit(FieldSpec{.name = "outputs", .tables = Tables::services}, c.outputs);
  // Every artifact setting is an input: a new entrypoint is a new image.
  visit(FieldSpec{.name = "zip", .tables = Tables::services}, c.zip);
  visit(FieldSpec{.name = "image", .tables = Tables::services}, c.image);
}

// The fields of [workspace].
template <class W, class Visit>
requires std::same_as<std::remove_const_t<W>, WorkspaceConfig>
void visit_fields(W& w, Visit&& visit) {
  // A change to an input reaches every service (not the packages' keys).
  visit(FieldSpec{.name = "inputs", .key = KeyUse::services}, w.inputs);
  visit(FieldSpec{.name = "exclude"}, w.exclude);
  // Which services a lockfile change reaches is the plan's business: the
  // lockfile's bytes are in every key already, as an input.
  visit(FieldSpec{.name = "lockfile", .key = KeyUse::none}, w.lockfile);
}

// Names and types of every field, one line each ("service paths patterns"):
// part of the snapshot's digest, so a snapshot written before a field was
// added, removed or retyped never matches.
std::string config_schema();

// The type names config_schema() uses.
inline std::string_view field_type_name(const std::vector<PatternEntry>&) { return "patterns"; }
inline std::string_view field_type_name(const std::vector<NameEntry>&) { return "names"; }
inline std::string_view field_type_name(const TextEntry&) { return "text"; }
inline std::string_view field_type_name(const std::vector<SettingEntry>&) { return "table"; }

}  // namespace wharf::graph
