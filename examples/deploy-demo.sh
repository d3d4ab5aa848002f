#!/usr/bin/env bash
# deploy-demo.sh REPO WHARF
#
# The README's deploy walk-through on a sample repo with artifacts
# (make-sample-repo.sh, then add-artifacts.sh): starts Debian's
# docker-registry on a free 127.0.0.1 port, adds the dev and prod
# environments (add-environments.sh), then
#   wharf deploy --env dev --services scheduler,clinical-api,auth
#                                   builds (cached), pushes, records
#   the same again                  nothing to deploy
#   wharf verify --env dev          dev reports HEAD: marked verified
#   wharf promote --from dev --to prod --yes
# and checks with skopeo that prod serves dev's digests. Stops the registry
# (by its PID) on the way out.
set -euo pipefail
[[ $# -eq 2 ]] || { echo "usage: $0 REPO WHARF" >&2; exit 2; }
repo=$(realpath -- "$1")
wharf=$(realpath -- "$2")
here=$(cd -- "$(dirname -- "$0")" && pwd)
work=$(mktemp -d)
pid=""
cleanup() {
  # The registry's status after the kill (143) is not the demo's.
  if [[ -n $pid ]]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf -- "$work"
}
trap cleanup EXIT

mkdir -p "$work/registry"
cat > "$work/registry/config.yml" <<YML
version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/registry/data
http:
  addr: 127.0.0.1:0
  secret: demo-only
YML
setsid /usr/bin/docker-registry serve "$work/registry/config.yml" > "$work/registry/log" 2>&1 < /dev/null &
pid=$!
address=""
for _ in $(seq 1 100); do
  address=$(sed -n 's/.*listening on \(127\.0\.0\.1:[0-9]*\).*/\1/p' "$work/registry/log" | head -n 1)
  [[ -n $address ]] && curl -fsS -o /dev/null "http://$address/v2/" && break
  sleep 0.05
done
[[ -n $address ]] || { echo "docker-registry did not start:" >&2; cat "$work/registry/log" >&2; exit 1; }

bash "$here/add-environments.sh" "$repo" "$address" "$repo/../artifact-store" > /dev/null
cd "$repo"
# The services with an artifact table (the others are deployed by other
# means in this sample).
shipped=scheduler,clinical-api,auth
echo "== wharf deploy --env dev --services $shipped (registry $address)"
"$wharf" deploy --env dev --services "$shipped" --progress none --tfvars-out ../dev.tfvars.json
echo "== wharf deploy --env dev --services $shipped, again"
"$wharf" deploy --env dev --services "$shipped" --progress none
echo "== wharf verify --env dev"
"$wharf" verify --env dev --services "$shipped" --timeout 10s
echo "== wharf promote --from dev --to prod --yes"
"$wharf" promote --from dev --to prod --yes
for service in clinical-api auth; do
  dev=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' \
        "docker://$address/acme/$service:$(git rev-parse --short=7 HEAD)")
  prod=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' \
         "docker://$address/acme-prod/$service:prod-$(git rev-parse --short=7 HEAD)")
  [[ $dev == "$prod" ]] || { echo "prod's $service is $prod, dev's $dev" >&2; exit 1; }
  echo "prod serves dev's $service: $prod"
done
