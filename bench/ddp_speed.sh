#!/usr/bin/env bash
# Data-parallel training speed of `trainplan run` against PyTorch's DistributedDataParallel.
#
# Usage: bench/ddp_speed.sh [BUILD_DIR] [STEPS] [REPS]
#   BUILD_DIR  holds cli/trainplan (default: build)
#   STEPS      optimizer steps per 2-rank run, a multiple of 24 (one epoch; default 24)
#   REPS       repetitions of each side, alternating (default 5)
#
# One invocation measures, side by side and alternating, REPS times each:
#   trainplan 2 ranks  `trainplan run plan.json --scale-to-local --nproc 2 --global-batch 16
#                       --max-steps STEPS --loader-threads 1` (Gloo, 8 images per rank);
#                       plan.json: the pretrain stage alone of `trainplan plan "4 GPUs, 1 day
#                       budget?" --strategy pretrain` (--max-steps stops each stage and runs the
#                       next, so the fine-tune stage is left out of the plan)
#   PyTorch DDP 2 ranks bench/ddp_reference/train_ddp.py: the same detector, loss, optimizer,
#                       data and batch in Python, DistributedDataParallel over Gloo (25 MB
#                       buckets), SyncBatchNorm, a DataLoader with 1 worker process per rank
#   trainplan 1 rank   the same with --nproc 1 --global-batch 8 (2 x STEPS steps: the same
#                       images), for the scaling from 1 to 2 ranks
# Every rank computes on 1 thread (OMP_NUM_THREADS=1, torch.set_num_threads(1)). All read
# one synthetic COCO set written by `trainplan data synth` (480 images, 5 classes, 128 px,
# seed 1: the corpus --scale-to-local trains on).
#
# The figure per run is rank 0's median step time over each epoch (a step: fetching the
# batch to the end of the optimizer step), averaged over the run's epochs: for trainplan,
# seconds_per_iter of metrics.jsonl; for the reference, the same statistic of its own step
# times. images/s = global batch / that; each side's figure is the median of its REPS runs.
# Start-up, evaluation and checkpoints fall outside the steps on both sides. Also printed,
# per side (medians): the epoch-1 training loss (both sides learn alike), and the whole
# command's wall seconds and CPU seconds (user + system of all its processes, start-up,
# trainplan's end-of-epoch evaluation and checkpoints included): CPU seconds depend far less
# than wall-clock figures on other work sharing the cores.
#
# Set BENCH_PY_1RANK=1 to also time the reference with 1 rank (its own 1 -> 2 scaling).
# Needs Debian's python3-torch and python3-pil (for /usr/bin/python3):
#   apt-get install -y python3-torch python3-pil
# Ends with "OK: ..." when trainplan's images/s is at least PyTorch DDP's, else "FAILED: ...".
set -euo pipefail
TIMEFORMAT='%R %U %S'  # `time`: wall, user and system seconds of a run and its children

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="$(cd "${1:-$ROOT/build}" && pwd)"
STEPS="${2:-24}"
REPS="${3:-5}"
PY=/usr/bin/python3
TRAINPLAN="$BUILD/cli/trainplan"
REF="$ROOT/bench/ddp_reference/train_ddp.py"
EPOCH_2RANKS=24  # 480 images x 0.8 train / 16 per step

[[ -x "$TRAINPLAN" ]] || { echo "FAILED: $TRAINPLAN not found (build it first)"; exit 1; }
"$PY" -c 'import torch, PIL' 2>/dev/null ||
  { echo "FAILED: $PY lacks torch or PIL: apt-get install -y python3-torch python3-pil"; exit 1; }
if ! [[ "$STEPS" =~ ^[0-9]+$ ]] || (( STEPS < EPOCH_2RANKS || STEPS % EPOCH_2RANKS )); then
  echo "FAILED: STEPS must be a multiple of $EPOCH_2RANKS (whole epochs), got $STEPS"; exit 1
fi

T="$(mktemp -d /tmp/ddp_speed.XXXXXX)"
trap 'rm -rf "$T"' EXIT
"$TRAINPLAN" data synth --out "$T/corpus" --images 480 --classes 5 --size 128 --seed 1 >/dev/null
# The plan measured is the pretrain stage alone of `trainplan plan ... --strategy pretrain`.
# Its fine-tune stage is dropped: --max-steps stops each stage and then runs the next one, so
# it would train too, adding rows to metrics.jsonl and seconds to the run that the reference
# never spends.
(cd "$T" && "$TRAINPLAN" plan "4 GPUs, 1 day budget?" --strategy pretrain -o plan-full.json >/dev/null)
"$PY" - "$T/plan-full.json" "$T/plan.json" <<'EOF'
import json, sys
plan = json.load(open(sys.argv[1]))
plan["stages"] = [s for s in plan["stages"] if s["id"] == "pretrain"]
assert len(plan["stages"]) == 1 and not plan["stages"][0]["depends_on"], "no pretrain stage"
json.dump(plan, open(sys.argv[2], "w"), indent=2)
EOF
"$TRAINPLAN" validate "$T/plan.json" >/dev/null ||
  { echo "FAILED: the pretrain-only plan does not validate"; exit 1; }

echo "ddp_speed: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start;" \
     "$("$PY" -c 'import torch; print("torch", torch.__version__)') for both sides; STEPS $STEPS, REPS $REPS"

# trainplan_run TAG NPROC GLOBAL_BATCH STEPS: appends "tag s_per_iter loss wall" to $T/results.
trainplan_run() {
  local tag="$1" nproc="$2" batch="$3" steps="$4" w="$T/$1-$RANDOM"
  mkdir -p "$w/data"
  ln -s "$T/corpus" "$w/data/corpus"
  if ! { time OMP_NUM_THREADS=1 "$TRAINPLAN" run "$T/plan.json" --scale-to-local --nproc "$nproc" \
      --global-batch "$batch" --max-steps "$steps" --loader-threads 1 --work-dir "$w" \
      >"$w.log" 2>&1; } 2>"$w.time"; then
    echo "FAILED: trainplan run ($tag) failed:"; tail -20 "$w.log"; exit 1
  fi
  "$PY" - "$w/metrics.jsonl" "$tag" $(cat "$w.time") >>"$T/results" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert rows and all(r["stage"] == "pretrain" for r in rows), "rows of another stage than pretrain"
spi = sum(r["seconds_per_iter"] for r in rows) / len(rows)
loss = rows[0]["train_loss"]
wall, user, system = map(float, sys.argv[3:6])
print(sys.argv[2], spi, loss, wall, user + system)
EOF
}

# python_run TAG NPROC GLOBAL_BATCH STEPS
python_run() {
  local tag="$1" nproc="$2" batch="$3" steps="$4" out="$T/$1-$RANDOM.json"
  if ! { time "$PY" "$REF" --data "$T/corpus" --nproc "$nproc" --global-batch "$batch" \
      --steps "$steps" --loader-workers 1 --threads 1 --out "$out" >"$out.log" 2>&1; } \
      2>"$out.time"; then
    echo "FAILED: PyTorch DDP reference ($tag) failed:"; tail -20 "$out.log"; exit 1
  fi
  "$PY" - "$out" "$tag" $(cat "$out.time") "$(( 384 / batch ))" >>"$T/results" <<'EOF'
import json, statistics, sys
r = json.load(open(sys.argv[1]))
wall, user, system = map(float, sys.argv[3:6])
per_epoch = int(sys.argv[6])
s, losses = r["step_seconds"], r["losses"]
epochs = [s[i:i + per_epoch] for i in range(0, len(s), per_epoch)]
spi = sum(statistics.median(e) for e in epochs) / len(epochs)
print(sys.argv[2], spi, sum(losses[:per_epoch]) / per_epoch, wall, user + system)
EOF
}

for ((rep = 1; rep <= REPS; ++rep)); do
  trainplan_run cpp2 2 16 "$STEPS"
  python_run py2 2 16 "$STEPS"
  trainplan_run cpp1 1 8 $(( 2 * STEPS ))
  [[ "${BENCH_PY_1RANK:-0}" == 1 ]] && python_run py1 1 8 $(( 2 * STEPS ))
  echo "ddp_speed: repetition $rep/$REPS done ($(cut -d' ' -f1 /proc/loadavg) load)"
done

echo "ddp_speed: load average $(cut -d' ' -f1-3 /proc/loadavg) at end"
"$PY" - "$T/results" "$REPS" <<'EOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    tag, *values = line.split()
    rows.setdefault(tag, []).append(tuple(map(float, values)))
names = {"cpp2": ("trainplan run (LibTorch, Gloo)", 2, 16), "py2": ("PyTorch DDP (Python, Gloo)", 2, 16),
         "cpp1": ("trainplan run (LibTorch)", 1, 8), "py1": ("PyTorch (Python)", 1, 8)}
ips = {}
print(f"{'side':32} {'ranks':>5} {'batch':>5} {'images/s':>9} {'s/iter':>7}  {'runs (images/s)':24} {'epoch-1 loss':>12} {'wall s':>7} {'cpu s':>6}")
for tag in ("cpp2", "py2", "cpp1", "py1"):
    if tag not in rows:
        continue
    name, ranks, batch = names[tag]
    spi = statistics.median(r[0] for r in rows[tag])
    ips[tag] = batch / spi
    runs = " ".join(f"{batch / r[0]:.1f}" for r in rows[tag])
    loss = statistics.median(r[1] for r in rows[tag])
    wall = statistics.median(r[2] for r in rows[tag])
    cpu = statistics.median(r[3] for r in rows[tag])
    print(f"{name:32} {ranks:>5} {batch:>5} {ips[tag]:>9.1f} {spi:>7.3f}  {runs:24} {loss:>12.3f} {wall:>7.1f} {cpu:>6.1f}")
ratio = ips["cpp2"] / ips["py2"]
scaling = ips["cpp2"] / ips["cpp1"]
extra = f"; PyTorch's own scaling 1->2 ranks {ips['py2'] / ips['py1']:.2f}" if "py1" in ips else ""
verdict = "OK" if ratio >= 1.0 else "FAILED"
print(f"{verdict}: trainplan/PyTorch DDP images/s ratio {ratio:.2f} (target >= 1.0); "
      f"scaling 1->2 ranks {scaling:.2f}{extra}")
sys.exit(0 if ratio >= 1.0 else 1)
EOF
