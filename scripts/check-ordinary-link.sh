#!/usr/bin/env bash
# Builds wharf with libgit2 linked the ordinary way (-DWHARF_STATIC_LIBGIT2=OFF:
# what any libgit2 other than 1.5 gets, see cmake/Dependencies.cmake) and
# checks that it links the shared libgit2, has none of vcs/libgit2_link.cc's
# replacements, and plans the sample monorepo exactly as the main build does.
#   check-ordinary-link.sh SOURCE_DIR BUILD_DIR MAIN_WHARF [COMPILER_LAUNCHER]
# Run by scripts/test.sh (a build of its own: too slow for a ctest case).
set -euo pipefail
src=$1 build=$2 main_wharf=$3 launcher=${4:-}
args=(-S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWHARF_WERROR=ON
      -DWHARF_STATIC_LIBGIT2=OFF -DWHARF_BUILD_TESTS=OFF)
[[ -n $launcher ]] && args+=(-DCMAKE_CXX_COMPILER_LAUNCHER="$launcher")
mkdir -p "$build"
cmake "${args[@]}" > "$build/configure.log"
grep -q "static with link-time replacements: OFF" "$build/configure.log" ||
  { echo "configure did not fall back to ordinary linking"; cat "$build/configure.log"; exit 1; }
cmake --build "$build" --target wharf > "$build/build.log" || { tail -50 "$build/build.log"; exit 1; }
wharf=$build/wharf

ldd "$wharf" | grep -q 'libgit2\.so' || { echo "expected the shared libgit2:"; ldd "$wharf"; exit 1; }
if nm "$wharf" | grep -q '__wrap_git_'; then
  echo "the ordinary build must not carry libgit2_link.cc's replacements"; exit 1
fi

repo=$(mktemp -d)
trap 'rm -rf "$repo"' EXIT
bash "$src/examples/make-sample-repo.sh" "$repo/r" > /dev/null
expected=$(cd "$repo/r" && "$main_wharf" plan --json --live live/dev.json)
actual=$(cd "$repo/r" && "$wharf" plan --json --live live/dev.json)
[[ "$expected" == "$actual" ]] || { echo "plans differ:"; diff <(echo "$expected") <(echo "$actual"); exit 1; }
echo "ok: ordinary libgit2 link builds and plans as the main build"
