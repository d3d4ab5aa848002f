// Set-up helpers that fail the test instead of crashing it. A helper that
// checks a Result with EXPECT_TRUE and then dereferences it takes the whole
// test binary down when the set-up fails; these report the error instead.
//
// - ASSERT_OK_AND_ASSIGN(lhs, expr), where a statement fits: `expr` is a
//   Result<T>; on an error the test fails with its message and returns (like
//   ASSERT_TRUE); otherwise the value is moved into `lhs`, which may declare
//   a variable (`auto plan`).
// - value_or_throw(result, what), in a helper whose value is used inline
//   (where ASSERT_* cannot return from the test): on an error it throws, and
//   GoogleTest reports the exception, with `what` and the message, as this
//   test's failure.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include <gtest/gtest.h>

#include "util/error.h"

#define WHARF_TESTING_CONCAT_INNER(a, b) a##b
#define WHARF_TESTING_CONCAT(a, b) WHARF_TESTING_CONCAT_INNER(a, b)

#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  WHARF_TESTING_ASSERT_OK_AND_ASSIGN_IMPL(WHARF_TESTING_CONCAT(wharf_result_, __LINE__), lhs, expr)

#define WHARF_TESTING_ASSERT_OK_AND_ASSIGN_IMPL(result, lhs, expr)            \
  auto result = (expr);                                                       \
  ASSERT_TRUE(result.has_value()) << #expr << ": " << result.error().message; \
  lhs = std::move(*result)

namespace wharf::testing {

template <class T>
T value_or_throw(Result<T> result, std::string_view what) {
  if (!result) throw std::runtime_error(std::string(what) + ": " + result.error().message);
  return std::move(*result);
}

}  // namespace wharf::testing
