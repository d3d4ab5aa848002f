#!/usr/bin/env bash
# The runbook's way of planning a deploy: one `git diff --quiet` per service.
#   bash git_plan_loop.sh PLAN_TSV      (run inside the repository)
# PLAN_TSV lines: name<TAB>live SHA (empty: never deployed)<TAB>space-separated pathspecs.
# Prints "DEPLOY name" or "skip name" per service.
set -euo pipefail
set -f  # pathspecs such as :(glob)services/x/**/*.ts must reach git unexpanded
while IFS=$'\t' read -r name base specs; do
  if [[ -z $base ]]; then
    echo "DEPLOY $name"
    continue
  fi
  rc=0
  # shellcheck disable=SC2086  # word splitting of the pathspec list is intended
  git diff --quiet "$base" HEAD -- $specs || rc=$?
  case $rc in
    0) echo "skip $name" ;;
    1) echo "DEPLOY $name" ;;
    *) echo "git diff failed ($rc) for $name" >&2; exit 2 ;;
  esac
done < "$1"
