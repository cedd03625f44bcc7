#!/usr/bin/env bash
# Installs everything flemu needs on Debian bookworm, idempotently.
# Usage: ./setup.sh            (packages only)
#        ./setup.sh --build    (packages, then configure + build in ./build)
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config
  libsimgrid-dev simgrid
  libtorch-dev libopenblas0-openmp
  nlohmann-json3-dev libboost-graph-dev libspdlog-dev libfmt-dev catch2 libcli11-dev
  zlib1g-dev libxxhash-dev
  dataset-fashion-mnist
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "setup.sh: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

if [ "${1:-}" = "--build" ]; then
  here="$(cd "$(dirname "$0")" && pwd)"
  cmake -S "$here" -B "$here/build" -DCMAKE_BUILD_TYPE=Release >&2
  cmake --build "$here/build" -j"$(nproc)" >&2
fi
