#!/usr/bin/env bash
# Installs the programs the launcher tests (tests/launchers) run trainplan under, from Debian 12
# packages, only what is missing: Slurm (slurmctld, slurmd, srun/sbatch) with munge, Open MPI's
# mpirun, iproute2's `ip` for network namespaces, and Chromium, which the report tests
# (tests/report) open `trainplan report` pages in, headless and offline. Idempotent; called by
# scripts/test.sh.
# The services are not started: the tests start their own daemons with their own configuration.
# Without root (and without sudo) it installs nothing and the launcher and browser tests skip.
set -euo pipefail

packages=(slurmctld slurmd slurm-client munge openmpi-bin iproute2 chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
((${#missing[@]})) || exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null || ! sudo -n true 2>/dev/null; then
    echo "setup-test-tools: not root and no sudo; not installing ${missing[*]} (the launcher and report browser tests will skip)"
    exit 0
  fi
  sudo="sudo -n"
fi
echo "setup-test-tools: installing ${missing[*]}"

# Without systemd, the packages' maintainer scripts would try to start munge, slurmctld and
# slurmd with the default configuration (and fail, or leave daemons running): forbid starting
# services while installing, unless a policy is already in place (as in Docker images).
policy=/usr/sbin/policy-rc.d
added_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# trainplan scripts/setup-test-tools.sh: no service starts during install\nexit 101\n' |
    $sudo tee "$policy" >/dev/null
  $sudo chmod 755 "$policy"
  added_policy=1
fi
cleanup() { if ((added_policy)); then $sudo rm -f "$policy"; fi; }
trap cleanup EXIT

$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
