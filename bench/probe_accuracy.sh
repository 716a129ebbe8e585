#!/usr/bin/env bash
# `trainplan probe` against the demo (issue 13): probe this machine, run `trainplan demo`, then
# estimate each of the demo's stages (its scenario read from the demo's measurement records:
# model, ranks, batch, input, images, epochs) with the probe's profile and records, side by
# side with the stage's measured time (forecast.jsonl's stage_end). Target: within 20%.
# Usage: bench/probe_accuracy.sh [BUILD_DIR] [WORK_DIR]
set -euo pipefail
build=$(realpath -m "${1:-build}")
work=${2:-/tmp/trainplan-probe-accuracy}
tp="$build/cli/trainplan"
rm -rf "$work"
mkdir -p "$work"
echo "== trainplan probe"
/usr/bin/time -f "probe wall %e s" "$tp" probe --out "$work/probe" 2>&1 | tail -6
echo "== trainplan demo"
"$tp" demo --work-dir "$work/demo" > "$work/demo.log" 2>&1
python3 - "$tp" "$work" <<'PY'
import json, subprocess, sys
tp, work = sys.argv[1], sys.argv[2]
measured = {}
for line in open(f"{work}/demo/forecast.jsonl"):
    r = json.loads(line)
    if r["kind"] == "stage_end":
        measured[r["stage"]] = r["measured_s"]
scenarios = {}
for line in open(f"{work}/demo/measurements.jsonl"):
    r = json.loads(line)
    scenarios[r["stage"]] = r
plan = json.load(open(f"{work}/demo/plan.json"))
evals = 96  # the demo's synthetic validation split
for stage, r in scenarios.items():
    base = [tp, "estimate", "--model", r["model"], "--gpu", "cpu", "--gpus", str(r["gpus"]),
            "--batch", str(r["global_batch"]), "--resolution", str(r["resolution"]),
            "--images", str(r["images"]), "--epochs", str(r["epochs"]),
            "--framework", "libtorch-cpu", "--eval-images", str(evals), "--no-startup", "--json"]
    plain = json.loads(subprocess.check_output(base))["total_seconds"]
    probed = json.loads(subprocess.check_output(
        base + ["--profiles", f"{work}/probe/profile.json",
                "--measured", f"{work}/probe/measurements.jsonl"]))["total_seconds"]
    m = measured[stage]
    print(f"  {stage:28} measured {m:6.1f} s   profiles alone {plain:6.1f} s ({(plain/m-1)*100:+5.1f}%)"
          f"   with the probe {probed:6.1f} s ({(probed/m-1)*100:+5.1f}%)")
PY
