#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine, builds wharf into build/, and runs
# `wharf plan` on the bundled sample monorepo. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build pkg-config git python3 ccache
  libgit2-dev liblmdb-dev libxxhash-dev libarchive-dev libtbb-dev libcli11-dev
  libtomlplusplus-dev nlohmann-json3-dev libfmt-dev libssl-dev libgtest-dev
  xxhash hyperfine time python3-yaml
  libcurl4-openssl-dev
  libyaml-dev libdeflate-dev libzstd-dev zlib1g-dev unzip zip pigz zstd umoci skopeo oci-image-tool
  # servers the deploy tests and the demo start on 127.0.0.1
  docker-registry apache2-utils nginx python3-jwt python3-cryptography curl openssl
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# ccache: scripts/test.sh builds the same sources again (libgit2 linked the
# ordinary way; the sanitizer job's tree shares nothing, other flags), and
# with ccache that second build takes seconds instead of most of ten
# minutes. Not hashing the build directory lets build trees share objects
# (their debug info then names the first tree's directory).
export CCACHE_NOHASHDIR=1
launcher=()
command -v ccache > /dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWHARF_WERROR=ON "${launcher[@]}"
cmake --build build

example=build/example-repo
rm -rf "$example"
bash examples/make-sample-repo.sh "$example" >/dev/null
echo "== wharf plan --live live/dev.json (in $example)"
(cd "$example" && ../wharf plan --live live/dev.json)
# One more commit gives the sample artifacts (a zip, two images on a shared
# base): the first build makes them, the second finds every one cached.
bash examples/add-artifacts.sh "$example" >/dev/null
echo "== wharf build, twice (in $example)"
(cd "$example" && ../wharf build --progress plain && ../wharf build --progress none)
# Two environments and a local registry: deploy to dev, promote to prod.
bash examples/deploy-demo.sh "$example" build/wharf
