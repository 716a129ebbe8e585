#!/usr/bin/env bash
# Data at full scale (issue 12): a standard-layout COCO 2017 set of 100,000 small images with
# 1,000,000 annotations, then, with /usr/bin/time -v,
#   (a) building the annotation index cold (no cache)  target: < 20 s and < 1 GB peak RSS
#   (b) `trainplan run ... --data coco-train2017=... --max-steps 1` from launch to the first
#       training step                                   target: < 30 s
# Usage: bench/data_scale.sh [BUILD_DIR] [WORK_DIR]   (WORK_DIR is kept for reruns)
set -euo pipefail
build=$(realpath -m "${1:-build}")
work=${2:-/tmp/trainplan-data-scale}
tp="$build/cli/trainplan"
images=100000
per_image=10
mkdir -p "$work"
set_dir="$work/coco"

if [[ ! -f "$set_dir/annotations/instances_train2017.json" ]]; then
  echo "== generating $images images and $((images * per_image)) annotations in $set_dir"
  python3 - "$set_dir" "$images" "$per_image" <<'PY'
import json, os, struct, sys, zlib
root, n, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
W = H = 32
def png(w, h):
    # One small valid PNG (grey), written to every file: generation stays fast.
    raw = b"".join(b"\x00" + bytes([128] * (w * 3)) for _ in range(h))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
data = png(W, H)
os.makedirs(f"{root}/annotations", exist_ok=True)
categories = [{"id": c + 1, "name": f"class{c}", "supercategory": "thing"} for c in range(80)]
for split, count in (("train", n), ("val", max(1, n // 100))):
    folder = f"{root}/{split}2017"
    os.makedirs(folder, exist_ok=True)
    with open(f"{root}/annotations/instances_{split}2017.json", "w") as out:
        out.write('{"info": {"description": "trainplan data_scale bench"}, "licenses": [], "images": [')
        for i in range(count):
            name = f"{i + 1:012d}.png"
            with open(f"{folder}/{name}", "wb") as f:
                f.write(data)
            out.write(("," if i else "") + json.dumps({"id": i + 1, "file_name": name, "width": W, "height": H, "license": 1}))
        out.write('], "annotations": [')
        k = 0
        for i in range(count):
            for j in range(per):
                x, y = (j * 3) % 20, (j * 5) % 20
                ann = {"id": k + 1, "image_id": i + 1, "category_id": (k % 80) + 1,
                       "bbox": [x + 0.5, y + 0.25, 8.0, 6.0], "area": 48.0, "iscrowd": 0,
                       "segmentation": [[x, y, x + 8, y, x + 8, y + 6, x, y + 6]]}
                out.write(("," if k else "") + json.dumps(ann))
                k += 1
        out.write('], "categories": ' + json.dumps(categories) + "}")
PY
  # An hour old, so that the index cache may be written (never for a file under 2 s old).
  touch -d '1 hour ago' "$set_dir"/annotations/*.json
fi
ls -la "$set_dir/annotations"

echo "== (a) building the index, cold (target: < 20 s, < 1 GB peak RSS)"
rm -f "$set_dir"/annotations/*.trainplan-index
/usr/bin/time -v "$tp" data check --annotations-only "$set_dir" 2> "$work/index.time"
grep -E "Elapsed \(wall clock\)|Maximum resident set size" "$work/index.time"
echo "== (a') the same with the cache in place"
/usr/bin/time -v "$tp" data check --annotations-only "$set_dir" 2> "$work/index-warm.time" > /dev/null
grep -E "Elapsed \(wall clock\)|Maximum resident set size" "$work/index-warm.time"

echo "== (b) trainplan run --data coco-train2017=$set_dir --max-steps 1: launch to first step (target: < 30 s)"
# A one-stage plan of the n detector on coco-train2017 at 64 px, 1 GPU, batch 8.
"$tp" plan "4 GPUs, 1 day budget?" -o "$work/generated.json" > /dev/null
python3 - "$work/generated.json" "$work/plan.json" <<'PY'
import json, sys
plan = json.load(open(sys.argv[1]))
plan["stages"] = plan["stages"][:1]
s = plan["stages"][0]
s.update({"model": "yolo-world-v2-n", "dataset": "coco-train2017", "eval_dataset": "coco-val2017",
          "init": "scratch", "resolution": 64, "epochs": 1, "global_batch": 8, "gpus": 1,
          "depends_on": []})
plan["question"]["model"] = "yolo-world-v2-n"
json.dump(plan, open(sys.argv[2], "w"), indent=2)
PY
# Prints each line of the run's output with the seconds since launch. Non-terminal output
# gets no per-step line before step 10, so the first line after the first step is the stopped
# epoch's (which includes evaluating the 1,000 val images): an upper bound on the first step.
timed_run() {
  rm -rf "$work/run"
  local start
  start=$(date +%s.%N)
  /usr/bin/time -v stdbuf -oL "$tp" run "$work/plan.json" --data "coco-train2017=$set_dir" \
    --data "coco-val2017=$set_dir" --max-steps 1 --work-dir "$work/run" \
    2> "$work/run.time" | while IFS= read -r line; do
      printf '%8.2f s  %s\n' "$(echo "$(date +%s.%N) - $start" | bc)" "$line"
    done | tee "$work/run.log" | grep -E "plan: stage|epoch 1/" || true
  grep -E "Elapsed \(wall clock\)|Maximum resident set size|Exit status" "$work/run.time"
}
echo "-- cold: no index cache (the launcher builds it)"
rm -f "$set_dir"/annotations/*.trainplan-index
timed_run
echo "-- warm: index cache in place"
timed_run
