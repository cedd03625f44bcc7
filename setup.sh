#!/usr/bin/env bash
# Installs everything flemu needs on Debian bookworm, idempotently.
# Usage: ./setup.sh            (packages only)
#        ./setup.sh --build    (packages, then configure + build in ./build)
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config
  libsimgrid-dev
  libtorch-dev libopenblas0-openmp
  nlohmann-json3-dev libboost-graph-dev libspdlog-dev libfmt-dev catch2 libcli11-dev
  zlib1g-dev libxxhash-dev
  dataset-fashion-mnist
  fortunes fortunes-min
  gnuplot-nox chromium fonts-dejavu-core nodejs
  libopenmpi-dev openmpi-bin
)

SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup.sh: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

here="$(cd "$(dirname "$0")" && pwd)"
# Reports: Vega-Lite (inlined into the HTML) and playwright-core (browser test), pinned by
# analysis/package-lock.json.
command -v npm > /dev/null || $SUDO apt-get install -y -qq --no-install-recommends npm >&2
if [ ! -d "$here/analysis/node_modules" ] || [ "$here/analysis/package-lock.json" -nt "$here/analysis/node_modules/.package-lock.json" ]; then
  (cd "$here/analysis" && npm ci --no-audit --no-fund) >&2
fi

if [ "${1:-}" = "--build" ]; then
  cmake -S "$here" -B "$here/build" -DCMAKE_BUILD_TYPE=Release >&2
  cmake --build "$here/build" -j"$(nproc)" >&2
fi
