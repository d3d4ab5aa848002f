// Renders a Plan for people (text) and for scripts (JSON, a contract).
#pragma once

#include <string>

#include "plan/plan.h"

namespace wharf::plan {

// {"head": ..., "services": [{"name", "action", "base", "reasons": [...]}],
//  "orphans": [...]} plus extra fields; see README.md.
std::string plan_to_json(const Plan& plan);

// A reason in words: "services/api/x.ts (own path)", "not live".
std::string describe(const Reason& reason);

// One row per service: DEPLOY or skip, and the reason.
std::string plan_to_text(const Plan& plan);

}  // namespace wharf::plan
