#!/usr/bin/env bash
# add-environments.sh REPO REGISTRY STORE
#
# Adds one commit to a sample repo that has artifacts (add-artifacts.sh):
# two environments, dev and prod, whose live state is wharf's own ledger
# (what `wharf deploy` recorded), pushing the images to the OCI registry at
# REGISTRY (host:port, plain http: a local docker-registry) and the
# scheduler's zip into the directory STORE (outside the repository). prod
# asks before a deploy (confirm = true) and takes what dev tested with
# `wharf promote`. See README "Deploy".
set -euo pipefail
[[ $# -eq 3 ]] || { echo "usage: $0 REPO REGISTRY STORE" >&2; exit 2; }
registry=$2
store=$(realpath -m -- "$3")
cd -- "$1"
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 LC_ALL=C TZ=UTC
export GIT_AUTHOR_NAME="Wharf Example" GIT_AUTHOR_EMAIL="example@wharf.invalid"
export GIT_COMMITTER_NAME="Wharf Example" GIT_COMMITTER_EMAIL="example@wharf.invalid"
grep -q '^\[service.scheduler.zip\]' wharf.toml || { echo "$0: run add-artifacts.sh first" >&2; exit 2; }

cat >> wharf.toml <<TOML

# ---------------------------------------------------------------------------
# Environments (\`wharf deploy\`, \`wharf promote\`): where artifacts go
# ---------------------------------------------------------------------------

[environment.dev]
source = "ledger"
terraform = ["module.service[\"{service}\"]"]

[environment.dev.push]
to = "registry"
registry = "$registry"
insecure = true                 # a local registry over plain http
repository = "acme/{service}"

[environment.dev.service.scheduler.push]
to = "dir"
path = "$store/dev/{service}/{short_sha}.zip"

[environment.prod]
source = "ledger"
tag = "prod-{sha7}"
confirm = true
terraform = ["module.service[\"{service}\"]"]

[environment.prod.push]
to = "registry"
registry = "$registry"
insecure = true
repository = "acme-prod/{service}"

[environment.prod.service.scheduler.push]
to = "dir"
path = "$store/prod/{service}/{short_sha}.zip"
TOML
git add wharf.toml
GIT_AUTHOR_DATE="2024-03-21T10:00:00Z" GIT_COMMITTER_DATE="2024-03-21T10:00:00Z" \
  git commit -q -m "deploy to dev and prod with wharf"
git rev-parse HEAD
