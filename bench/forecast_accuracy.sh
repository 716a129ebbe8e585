#!/usr/bin/env bash
# The closed loop's accuracy (issue 13): per stage, the cost model's first forecast, the
# forecast made after 20% of the stage's steps, and the measured time, from forecast.jsonl,
# (a) for `trainplan demo` (2 ranks, 120 + 48 steps) and (b) for a longer scaled run: the
# demo's plan on 400 synthetic 128 px images, 2 ranks, 8 epochs per stage.
# Target: the 20% forecast within 15% of the measured time.
# Usage: bench/forecast_accuracy.sh [BUILD_DIR] [WORK_DIR]
set -euo pipefail
build=$(realpath -m "${1:-build}")
work=${2:-/tmp/trainplan-forecast}
tp="$build/cli/trainplan"
rm -rf "$work"
mkdir -p "$work"

report() {
  python3 - "$1" <<'PY'
import json, sys
for line in open(sys.argv[1] + "/forecast.jsonl"):
    r = json.loads(line)
    if r["kind"] != "stage_end":
        continue
    m, first, refit = r["measured_s"], r["stage_first_forecast_s"], r["stage_refit_forecast_s"]
    refit_text = f"{refit:7.1f} s ({(refit / m - 1) * 100:+5.1f}%)" if refit else "      -"
    print(f"  {r['stage']:28} steps {r['steps']:4}  measured {m:7.1f} s  first {first:7.1f} s "
          f"({(first / m - 1) * 100:+5.1f}%)  at 20% {refit_text}")
PY
}

echo "== (a) trainplan demo"
"$tp" demo --work-dir "$work/demo" > "$work/demo.log" 2>&1
report "$work/demo"

echo "== (b) the demo's plan, 400 images, 8 epochs per stage, 2 ranks"
"$tp" data synth --out "$work/data/shapes" --images 400 --size 128 > /dev/null
python3 - "$work/demo/plan.json" "$work/long.json" <<'PY'
import json, sys
plan = json.load(open(sys.argv[1]))
for s in plan["stages"]:
    s.update(model="yolo-world-v2-n", dataset="shapes", eval_dataset="", resolution=128,
             epochs=8, global_batch=16, gpus=2)
    if s["init"].startswith("pretrained:"):
        s["init"] = "scratch"
plan["question"]["model"] = "yolo-world-v2-n"
json.dump(plan, open(sys.argv[2], "w"), indent=2)
PY
"$tp" run "$work/long.json" --nproc 2 --data-root "$work/data" --work-dir "$work/long" > "$work/long.log" 2>&1
report "$work/long"
