#!/usr/bin/env bash
# The simulator's speed (docs/simulator.md, acceptance 3): 10,000 Monte Carlo runs of a
# three-stage, 32-GPU plan must finish in under 1 s as a whole process (median wall time).
# Usage: bench/simulate_speed.sh [BUILD_DIR] [REPEATS]    (default: build, 21)
# Prints process_latency's table and ends on its OK/FAILED line; exits non-zero on FAILED.
set -euo pipefail
build="${1:-build}"
repeats="${2:-21}"
trainplan="$build/cli/trainplan"
latency="$build/bench/process_latency"
for program in "$trainplan" "$latency"; do
  [[ -x "$program" ]] || { echo "simulate_speed: $program not found; build first" >&2; exit 2; }
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Progressive training on 32 GPUs, then two target fine-tunes on 16 GPUs each: three stages.
"$trainplan" plan "32 GPUs, 3 days, new model head" --target cars --target birds \
  -o "$work/plan.json" >/dev/null
summary="$("$trainplan" validate "$work/plan.json")"
echo "$summary"
[[ "$summary" == *"3 stages"* ]] || { echo "simulate_speed: expected a 3-stage plan" >&2; exit 2; }

"$latency" "$repeats" 1000 -- "$trainplan" simulate "$work/plan.json" --runs 10000 --mtbf-hours 5000
