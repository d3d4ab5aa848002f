#include "infer/dep_cycles.h"

#include <algorithm>

namespace wharf::infer {
namespace {

class CycleBreaker {
 public:
  explicit CycleBreaker(std::map<std::string, std::vector<std::string>>& deps) : deps_(deps) {}

  void visit_if_new(const std::string& name) {
    if (state_[name] == State::unvisited) visit(name);
  }

  void visit(const std::string& name) {
    state_[name] = State::on_path;
    path_.push_back(name);
    std::vector<std::string>& edges = deps_[name];
    std::sort(edges.begin(), edges.end());
    std::vector<std::string> kept;
    for (const std::string& dep : edges) {
      if (!deps_.contains(dep)) {
        kept.push_back(dep);
        continue;
      }
      State state = state_[dep];
      if (state == State::on_path) {
        auto from = std::find(path_.begin(), path_.end(), dep);
        std::string cycle;
        for (auto it = from; it != path_.end(); ++it) cycle += *it + " -> ";
        broken.push_back(cycle + dep);
        continue;
      }
      kept.push_back(dep);
      if (state == State::unvisited) visit(dep);
    }
    deps_[name] = std::move(kept);
    path_.pop_back();
    state_[name] = State::done;
  }

  std::vector<std::string> broken;

 private:
  enum class State { unvisited, on_path, done };
  std::map<std::string, std::vector<std::string>>& deps_;
  std::map<std::string, State> state_;
  std::vector<std::string> path_;
};

}  // namespace

std::vector<std::string> break_cycles(std::map<std::string, std::vector<std::string>>& deps) {
  CycleBreaker breaker(deps);
  std::vector<std::string> names;
  for (const auto& [name, _] : deps) names.push_back(name);
  for (const std::string& name : names) breaker.visit_if_new(name);
  return std::move(breaker.broken);
}

}  // namespace wharf::infer
