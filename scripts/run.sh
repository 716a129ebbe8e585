#!/usr/bin/env bash
# The README's first command: set up, build, and run trainplan (by default the main job,
# `trainplan demo`: ask "4 GPUs, 1 day budget?" on the embedded profiles, write the plan, and
# run it scaled to this machine on 2 CPU ranks over Gloo).
# Usage: scripts/run.sh [trainplan arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >&2
if [ $# -eq 0 ]; then
  set -- demo
fi
exec build/cli/trainplan "$@"
