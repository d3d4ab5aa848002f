#include "env/live_reader.h"

#include <regex>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "env/command_runner.h"
#include "plan/live.h"
#include "util/text.h"

namespace wharf::env {
namespace {

using Clock = std::chrono::steady_clock;

std::string seconds(std::chrono::milliseconds duration) {
  return duration.count() % 1000 ? fmt::format("{} ms", duration.count())
                                 : fmt::format("{} s", duration.count() / 1000);
}

// Sets `read.rev` from `value` (trimmed by the caller) or `read.error`.
void accept_value(LiveRead& read, const std::string& value, const graph::LiveSource& source) {
  read.raw = value;
  if (value.empty()) {
    read.error = fmt::format("{}: the live value is empty", read.origin);
    return;
  }
  if (value.size() > plan::kLiveMaxText || find_control_char(value)) {
    read.error = fmt::format("{}: the live value '{}' is not a revision (too long or holds a control character)",
                             read.origin, printable(value));
    return;
  }
  auto sha = extract_sha(value, source.sha_pattern);
  if (!sha || sha->empty()) {
    read.error = fmt::format("{}: the live value '{}' does not match sha_pattern '{}'", read.origin, printable(value),
                             printable(source.sha_pattern));
    return;
  }
  read.rev = *sha;
}

void read_http(const graph::EnvironmentConfig& environment, const std::vector<std::size_t>& which,
               std::vector<LiveRead>& reads, const LiveContext& context, Clock::time_point deadline) {
  std::vector<net::HttpRequest> requests;
  std::vector<std::size_t> sent;
  for (std::size_t i : which) {
    LiveRead& read = reads[i];
    const graph::LiveSource& source = environment.source_for(read.service);
    net::HttpRequest request;
    request.url = substitute(source.url, read.service);
    request.timeout = environment.timeout;
    request.headers.emplace_back("Accept", "application/json");
    read.origin = fmt::format("GET {}", printable(request.url, 200));
    bool headers_ok = true;
    for (const auto& [header, variable] : source.headers) {
      auto value = context.getenv ? context.getenv(variable) : std::nullopt;
      if (!value) {
        // The variable's name only: its value is a secret.
        read.error = fmt::format("{}: header {} takes its value from the environment variable {}, which is not set",
                                 read.origin, header, variable);
        headers_ok = false;
        break;
      }
      request.headers.emplace_back(header, *value);
    }
    if (!headers_ok) continue;
    if (!context.http) {
      read.error = fmt::format("{}: no HTTP client", read.origin);
      continue;
    }
    requests.push_back(std::move(request));
    sent.push_back(i);
  }
  if (requests.empty()) return;
  auto responses = context.http->send_all(requests, deadline);
  for (std::size_t k = 0; k < sent.size(); ++k) {
    LiveRead& read = reads[sent[k]];
    const graph::LiveSource& source = environment.source_for(read.service);
    auto& response = responses[k];
    if (!response) {
      read.error = response.error().message;  // names the method and URL
      continue;
    }
    if (response->status < 200 || response->status > 299) {
      read.error = fmt::format("{}: HTTP {}: {}", read.origin, response->status, printable(trim(response->body)));
      continue;
    }
    auto value = json_field(response->body, source.field);
    if (!value) {
      read.error = fmt::format("{}: {}", read.origin, value.error());
      continue;
    }
    accept_value(read, std::string(trim(*value)), source);
  }
}

void read_commands(const graph::EnvironmentConfig& environment, const std::vector<std::size_t>& which,
                   std::vector<LiveRead>& reads, const LiveContext& context, Clock::time_point deadline) {
  std::vector<CommandSpec> specs;
  for (std::size_t i : which) {
    LiveRead& read = reads[i];
    const graph::LiveSource& source = environment.source_for(read.service);
    CommandSpec spec;
    spec.command = substitute(source.command, read.service);
    spec.env.emplace_back("WHARF_SERVICE", read.service);
    spec.env.emplace_back("WHARF_ENVIRONMENT", environment.name);
    spec.directory = context.repo_root;
    spec.timeout = environment.timeout;
    read.origin = fmt::format("command `{}`", printable(spec.command, 120));
    specs.push_back(std::move(spec));
  }
  auto results = run_commands(specs, context.max_parallel_commands, deadline);
  for (std::size_t k = 0; k < which.size(); ++k) {
    LiveRead& read = reads[which[k]];
    const CommandResult& result = results[k];
    const std::string said = printable(trim(result.err.empty() ? result.out : result.err));
    if (!result.started) {
      read.error = fmt::format("{}: {}", read.origin, result.error);
    } else if (result.timed_out) {
      read.error = fmt::format("{}: no answer within {} (the deadline is {}); its process group was killed{}",
                               read.origin, seconds(environment.timeout), seconds(environment.deadline),
                               said.empty() ? "" : "; it said: " + said);
    } else if (result.signal) {
      read.error =
          fmt::format("{}: killed by signal {}{}", read.origin, result.signal, said.empty() ? "" : ": " + said);
    } else if (result.exit_code != 0) {
      read.error = fmt::format("{}: exited with {}{}", read.origin, result.exit_code, said.empty() ? "" : ": " + said);
    } else {
      std::string value(trim(result.out));
      if (value.find('\n') != std::string::npos) {
        read.error = fmt::format("{}: printed more than one line: {}", read.origin, printable(value));
      } else if (value.empty()) {
        read.error = fmt::format("{}: printed nothing{}", read.origin,
                                 result.err.empty() ? "" : "; on stderr: " + printable(trim(result.err)));
      } else {
        accept_value(read, value, environment.source_for(read.service));
      }
    }
  }
}

void read_files(const graph::EnvironmentConfig& environment, const std::vector<std::size_t>& which,
                std::vector<LiveRead>& reads, const LiveContext& context) {
  std::map<std::string, Result<plan::LiveShas>> files;
  for (std::size_t i : which) {
    LiveRead& read = reads[i];
    const graph::LiveSource& source = environment.source_for(read.service);
    read.origin = fmt::format("file {}", printable(source.file, 200));
    auto it = files.find(source.file);
    if (it == files.end()) {
      const std::string path = source.file.starts_with('/') ? source.file : context.repo_root + "/" + source.file;
      it = files.emplace(source.file, plan::load_live(path)).first;
    }
    if (!it->second) {
      read.error = it->second.error().message;
      continue;
    }
    auto entry = it->second->find(read.service);
    if (entry != it->second->end()) accept_value(read, entry->second, source);
  }
}

}  // namespace

std::string substitute(std::string_view text, std::string_view service) {
  std::string out;
  constexpr std::string_view kPlaceholder = "{service}";
  std::size_t from = 0;
  for (std::size_t at = text.find(kPlaceholder); at != std::string_view::npos; at = text.find(kPlaceholder, from)) {
    out.append(text.substr(from, at - from));
    out.append(service);
    from = at + kPlaceholder.size();
  }
  out.append(text.substr(from));
  return out;
}

std::optional<std::string> extract_sha(const std::string& value, const std::string& pattern) {
  if (pattern.empty()) return value;
  std::regex regex(pattern, std::regex::ECMAScript);  // checked when the config was read
  std::smatch match;
  if (!std::regex_search(value, match, regex)) return std::nullopt;
  return match.size() > 1 && match[1].matched ? match[1].str() : match[0].str();
}

std::expected<std::string, std::string> json_field(std::string_view body, std::string_view path) {
  nlohmann::json json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return std::unexpected(fmt::format("the body is not JSON: {}", printable(body)));
  const nlohmann::json* at = &json;
  for (const auto& part : split_list(path, '.')) {
    if (!at->is_object() || !at->contains(part)) {
      return std::unexpected(fmt::format("no field '{}' in {}", path, printable(trim(body))));
    }
    at = &(*at)[part];
  }
  if (at->is_string()) return at->get<std::string>();
  if (at->is_number_integer()) return at->dump();
  return std::unexpected(fmt::format("the field '{}' is not a string: {}", path, printable(at->dump())));
}

std::vector<LiveRead> read_live(const graph::EnvironmentConfig& environment, const std::vector<std::string>& services,
                                const LiveContext& context) {
  const auto deadline = Clock::now() + environment.deadline;
  std::vector<LiveRead> reads(services.size());
  std::map<graph::LiveSourceKind, std::vector<std::size_t>> by_kind;
  for (std::size_t i = 0; i < services.size(); ++i) {
    reads[i].service = services[i];
    reads[i].kind = environment.source_for(services[i]).kind;
    by_kind[reads[i].kind].push_back(i);
  }
  for (std::size_t i : by_kind[graph::LiveSourceKind::ledger]) {
    LiveRead& read = reads[i];
    read.origin = fmt::format("ledger {}", environment.name);
    auto it = context.ledger.find(read.service);
    if (it != context.ledger.end()) accept_value(read, it->second, graph::LiveSource{});
  }
  read_files(environment, by_kind[graph::LiveSourceKind::file], reads, context);
  // HTTP on this thread's curl multi handle while the commands run on
  // another: both wait on I/O, and neither may hold up the other.
  std::vector<std::size_t>& commands = by_kind[graph::LiveSourceKind::command];
  std::thread command_thread;
  if (!commands.empty()) {
    command_thread = std::thread([&] { read_commands(environment, commands, reads, context, deadline); });
  }
  read_http(environment, by_kind[graph::LiveSourceKind::http], reads, context, deadline);
  if (command_thread.joinable()) command_thread.join();
  return reads;
}

}  // namespace wharf::env
