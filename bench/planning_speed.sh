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
echo "== trainplan ask, a long English question with a cluster shape and pre-training (target: median < 50 ms)"
"$lat" "$runs" 50 -- "$tp" ask "We have 4 nodes of 8 A100 40GB GPUs for two weeks and about \$20,000: can we pre-train YOLO-World-L on Objects365+GoldG like the paper, or should we fine-tune on our own 150k images?"
echo "== trainplan ask, a Chinese question (target: median < 50 ms)"
"$lat" "$runs" 50 -- "$tp" ask "两台机器每台8张A100 40G，一个周末，在自己的数据集（1.2万张）上微调YOLO-World-M，1280分辨率，预算两千美元，可以吗？"
echo "== full planner search: every strategy, GPU counts 1..1024, resolutions 320..1280 step 32, batch options (target: median < 200 ms)"
"$lat" "$runs" 200 -- "$tp" plan --gpus 1024 --budget 3d --resolution 320:1280:32 -o "$tmp/plan.json"
echo "== library: 100,000 estimates on one core (target: < 1 s)"
"$build/bench/estimate_throughput" 5
