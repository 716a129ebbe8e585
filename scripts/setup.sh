#!/usr/bin/env bash
# Installs what trainplan needs from Debian 12 packages (only what is missing), then
# configures and builds it in build/ with two parallel jobs. Idempotent.
# Usage: scripts/setup.sh [extra cmake arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(cmake ninja-build g++ libeigen3-dev libboost-graph-dev libfmt-dev libcli11-dev
          nlohmann-json3-dev doctest-dev
          # the executor: LibTorch with c10d/Gloo, image decoding, PNG compression
          libtorch-dev libgloo-dev libstb-dev zlib1g-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# `trainplan report` inlines its chart libraries, fetched by `npm ci` at build time; any npm
# will do (a Node.js installed otherwise than from Debian is left alone).
command -v npm >/dev/null || missing+=(npm)
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# SETUP_PACKAGES_ONLY=1: the packages only (scripts/gpu-check.sh builds in its own folder).
[ "${SETUP_PACKAGES_ONLY:-}" = 1 ] && exit 0
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build build -j 2
