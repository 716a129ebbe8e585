#!/usr/bin/env bash
# Whole-process latency of the planning commands (issue 2 and 3 speed targets), measured with
# bench/process_latency (median of N runs, side by side in one run).
# Usage: bench/planning_speed.sh [BUILD_DIR] [RUNS]
set -euo pipefail
build=${1:-build}
runs=${2:-30}
tp="$build/cli/trainplan"
lat="$build/bench/process_latency"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "== trainplan ask (target: median < 50 ms)"
"$lat" "$runs" 50 -- "$tp" ask "4 GPUs, 1 day budget?"
echo "== full planner search: every strategy, GPU counts 1..1024, resolutions 320..1280 step 32, batch options (target: median < 200 ms)"
"$lat" "$runs" 200 -- "$tp" plan --gpus 1024 --budget 3d --resolution 320:1280:32 -o "$tmp/plan.json"
echo "== library: 100,000 estimates on one core (target: < 1 s)"
"$build/bench/estimate_throughput" 5
