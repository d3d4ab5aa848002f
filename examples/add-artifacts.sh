#!/usr/bin/env bash
# add-artifacts.sh REPO
#
# Adds one commit to a sample repo made by make-sample-repo.sh: artifact
# tables for `wharf build` (see README "Artifacts"), runnable offline:
#   - scheduler: a zip (its "compiled" dist/ plus package.json), built by a
#     stand-in for tsc that copies the sources;
#   - clinical-api and auth: OCI images on a shared base image (a tiny OCI
#     layout committed under infra/base, made here with python3), each with
#     a dependency layer (packages/common, the same bytes in both: one blob)
#     and a code layer.
# The history before it is untouched, so the pinned SHAs and the expected
# plans of examples/selftest.sh still hold for C1..C13.
set -euo pipefail
[[ $# -eq 1 ]] || { echo "usage: $0 REPO" >&2; exit 2; }
cd -- "$1"
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 LC_ALL=C TZ=UTC
export GIT_AUTHOR_NAME="Wharf Example" GIT_AUTHOR_EMAIL="example@wharf.invalid"
export GIT_COMMITTER_NAME="Wharf Example" GIT_COMMITTER_EMAIL="example@wharf.invalid"
umask 022

# The base image: one uncompressed layer with /etc/os-release, written byte
# for byte the same everywhere (fixed mtime, owner and order).
python3 - <<'EOF'
import hashlib, io, json, os, tarfile
out = "infra/base"
os.makedirs(f"{out}/blobs/sha256", exist_ok=True)
def blob(data):
    digest = hashlib.sha256(data).hexdigest()
    with open(f"{out}/blobs/sha256/{digest}", "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + digest, "size": len(data)}
layer = io.BytesIO()
with tarfile.open(fileobj=layer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
    for name, data in [("etc/", None), ("etc/os-release", b"NAME=acme-base\nVERSION_ID=1\n")]:
        info = tarfile.TarInfo(name.rstrip("/"))
        info.mtime, info.uid, info.gid, info.uname, info.gname = 315532800, 0, 0, "", ""
        if data is None:
            info.type, info.mode = tarfile.DIRTYPE, 0o755
            tar.addfile(info)
        else:
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
layer_bytes = layer.getvalue()
diff_id = "sha256:" + hashlib.sha256(layer_bytes).hexdigest()
layer_desc = dict(blob(layer_bytes), mediaType="application/vnd.oci.image.layer.v1.tar")
config = {"architecture": "amd64", "os": "linux", "created": "1980-01-01T00:00:00Z",
          "config": {"Env": ["PATH=/usr/local/bin:/usr/bin:/bin"], "WorkingDir": "/"},
          "rootfs": {"type": "layers", "diff_ids": [diff_id]},
          "history": [{"created": "1980-01-01T00:00:00Z", "created_by": "acme base"}]}
config_desc = dict(blob(json.dumps(config, sort_keys=True, separators=(",", ":")).encode()),
                   mediaType="application/vnd.oci.image.config.v1+json")
manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": config_desc, "layers": [layer_desc]}
manifest_desc = dict(blob(json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode()),
                     mediaType="application/vnd.oci.image.manifest.v1+json",
                     annotations={"org.opencontainers.image.ref.name": "1"})
with open(f"{out}/index.json", "w") as f:
    json.dump({"schemaVersion": 2, "manifests": [manifest_desc]}, f, sort_keys=True, separators=(",", ":"))
with open(f"{out}/oci-layout", "w") as f:
    json.dump({"imageLayoutVersion": "1.0.0"}, f)
EOF

# Artifact tables, appended to the services they ship.
python3 - <<'EOF'
import re
text = open("wharf.toml").read()
def replace_build(service, build):
    global text
    pattern = re.compile(r'(\[service\.%s\]\n(?:.*\n)*?)build = .*\n' % re.escape(service))
    text, n = pattern.subn(lambda m: m.group(1) + build + "\n", text, count=1)
    assert n == 1, service
replace_build("scheduler", 'build = "mkdir -p services/scheduler/dist && cp services/scheduler/src/*.ts services/scheduler/dist/"\noutputs = ["services/scheduler/dist"]')
replace_build("clinical-api", 'build = ""')
replace_build("auth", 'build = ""')
text += '''
# ---------------------------------------------------------------------------
# Artifacts (`wharf build`): what each service ships
# ---------------------------------------------------------------------------

[service.scheduler.zip]
# A backend bundle: the compiled code and its manifest, nothing else.
files = [
  { from = "services/scheduler/dist", to = "dist" },
  { from = "services/scheduler/package.json", to = "package.json" },
]

[service.clinical-api.image]
base = "oci:infra/base:1"
entrypoint = ["node", "/app/src/index.ts"]
workdir = "/app"
env = ["NODE_ENV=production"]
exposed_ports = ["8080/tcp"]
labels = { "org.opencontainers.image.title" = "clinical-api" }

[[service.clinical-api.image.layers]]
name = "deps"   # the same bytes in every image that ships common: one blob
files = [{ from = "packages/common/src", to = "app/node_modules/@acme/common" }]

[[service.clinical-api.image.layers]]
name = "code"   # a code change ships only this small layer
files = [{ from = "services/clinical-api/src", to = "app/src", exclude = ["**/*.test.ts"] }]

[service.auth.image]
base = "oci:infra/base:1"
entrypoint = ["node", "/app/src/index.ts"]
workdir = "/app"
env = ["NODE_ENV=production"]

[[service.auth.image.layers]]
name = "deps"
files = [{ from = "packages/common/src", to = "app/node_modules/@acme/common" }]

[[service.auth.image.layers]]
name = "code"
files = [{ from = "services/auth/src", to = "app/src", exclude = ["**/*.test.ts"] }]
'''
open("wharf.toml", "w").write(text)
EOF
# The base layout is an input of the images that use it.
sed -i 's|^paths = \["services/clinical-api", "infra/docker/.npmrc"\]|paths = ["services/clinical-api", "infra/docker/.npmrc", "infra/base"]|; s|^paths = \["services/auth", "infra/docker/.npmrc"\]|paths = ["services/auth", "infra/docker/.npmrc", "infra/base"]|' wharf.toml
mkdir -p services/scheduler/src
[[ -n $(ls services/scheduler/src 2>/dev/null) ]] || echo 'export const tick = () => 1;' > services/scheduler/src/index.ts
git add -A
GIT_AUTHOR_DATE="2024-03-20T10:00:00Z" GIT_COMMITTER_DATE="2024-03-20T10:00:00Z" \
  git commit -q -m "ship artifacts with wharf build"
git rev-parse HEAD
