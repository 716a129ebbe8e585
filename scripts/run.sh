#!/usr/bin/env bash
# The README's first command: set up, build, and run trainplan (by default the main job,
# `trainplan ask "4 GPUs, 1 day budget?"` on the embedded profiles).
# Usage: scripts/run.sh [trainplan arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >&2
if [ $# -eq 0 ]; then
  set -- ask "4 GPUs, 1 day budget?"
fi
exec build/cli/trainplan "$@"
