#!/usr/bin/env bash
# The GPU checks of issue 12, for a machine with NVIDIA GPUs (the CI machines have none): one
# script, at most 10 minutes, one summary at the end. It builds trainplan with the CUDA
# toolkit and NCCL (under /usr/local/cuda or CUDAToolkit_ROOT), runs the communicator tests
# (NCCL with as many ranks as GPUs, at most 2), `trainplan probe comm --backend nccl`, and a
# short training run. Training on a GPU needs a CUDA LibTorch: LIBTORCH=/path/to/libtorch
# (the unzipped download from pytorch.org) builds against it; without one the training run
# uses the CPU with NCCL collectives where there are 2 GPUs or more. On a machine without
# GPUs the CPU parts run and the GPU parts print why they are skipped.
# Usage: scripts/gpu-check.sh [BUILD_DIR]   (default build-gpu)
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-gpu}
summary=()
status=0
record() {  # record NAME RESULT DETAIL
  summary+=("$(printf '%-34s %-5s %s' "$1" "$2" "$3")")
  [ "$2" = FAIL ] && status=1
  return 0
}
deadline=$((SECONDS + 600))
left() { echo $((deadline - SECONDS)); }

gpus=0
if command -v nvidia-smi >/dev/null 2>&1; then
  gpus=$(nvidia-smi --list-gpus 2>/dev/null | wc -l)
fi
echo "gpu-check: $gpus GPU(s) visible; $(nproc) cores"

# 1. Build (with the CUDA LibTorch when given).
cmake_args=(-S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release)
[ -n "${LIBTORCH:-}" ] && cmake_args+=(-DCMAKE_PREFIX_PATH="$LIBTORCH")
mkdir -p "$build"
logs="$build/gpu-check"
SETUP_PACKAGES_ONLY=1 scripts/setup.sh >"$logs.setup.log" 2>&1 || echo "gpu-check: scripts/setup.sh failed (see $logs.setup.log); building anyway"
if cmake "${cmake_args[@]}" >"$logs.configure.log" 2>&1 &&
   timeout "$(left)" cmake --build "$build" -j "$(nproc)" >"$logs.build.log" 2>&1; then
  nccl=$(grep -o "NCCL communicator o[nf]*" "$logs.configure.log" | head -1)
  record "build" PASS "${nccl:-?}"
else
  record "build" FAIL "see $logs.configure.log / $logs.build.log"
  printf '%s\n' "${summary[@]}"
  exit 1
fi
tp="$build/cli/trainplan"

# 2. The communicator tests (Gloo always; NCCL where a GPU is visible, else they say why).
out=$(timeout "$(left)" "$build/tests/executor_model/executor_model_tests" -tc="*all-reduce*,*all-gather*,*broadcast*,*peer never joins*" -s 2>&1)
rc=$?
skipped=$(grep -o "NCCL communicator tests skipped: .*" <<<"$out" | head -1)
[ $rc -eq 0 ] && record "communicator tests" PASS "${skipped:-gloo and nccl}" ||
  { echo "$out" | tail -30; record "communicator tests" FAIL "exit $rc"; }

# 3. bench-comm: Gloo at 2 ranks, NCCL over the GPUs.
if out=$(timeout "$(left)" "$tp" probe comm --nproc 2 --max-bytes $((64 << 20)) 2>&1); then
  echo "$out" | tail -8
  record "probe comm gloo x2" PASS "$(echo "$out" | grep -E '^ +67108864' | head -1 | awk '{print "64 MB all_reduce busbw " $7 " GB/s"}')"
else
  echo "$out" | tail -20; record "probe comm gloo x2" FAIL "exit code $?"
fi
if [ "$gpus" -ge 1 ]; then
  ranks=$((gpus >= 2 ? 2 : 1))
  if out=$(timeout "$(left)" "$tp" probe comm --backend nccl --nproc "$ranks" --profile-out "$build/nccl-interconnect.json" 2>&1); then
    echo "$out" | tail -8
    record "probe comm nccl x$ranks" PASS "profile $build/nccl-interconnect.json"
  else
    echo "$out" | tail -20; record "probe comm nccl x$ranks" FAIL "exit code $?"
  fi
else
  out=$("$tp" probe comm --backend nccl 2>&1); rc=$?
  [ $rc -eq 2 ] && record "probe comm nccl" SKIP "refused as expected (exit 2): $(echo "$out" | head -1 | cut -c1-80)" ||
    record "probe comm nccl" FAIL "expected exit 2 without a GPU, got $rc"
fi

# 4. Training: the n model on synthetic data.
work=$(mktemp -d)
"$tp" plan "4 GPUs, 1 day budget?" --strategy finetune -o "$work/plan.json" >/dev/null 2>&1
if [ -n "${LIBTORCH:-}" ] && [ "$gpus" -ge 1 ]; then
  args=(--device cuda)
  name="train on cuda"
elif [ "$gpus" -ge 2 ]; then
  args=(--device cpu --backend nccl --nproc 2)
  name="train cpu + nccl x2"
else
  args=(--device cpu --nproc 2)
  name="train cpu + gloo x2"
fi
if out=$(timeout "$(left)" "$tp" run "$work/plan.json" --scale-to-local --max-steps 6 --work-dir "$work/run" "${args[@]}" 2>&1); then
  if [ "${args[1]}" = cuda ] && ! grep -q '"gpu":"cuda".*"amp":true' "$work/run/measurements.jsonl"; then
    # The plan's fine-tune asks for mixed precision: on cuda the record must say it ran so.
    record "$name" FAIL "measurements.jsonl does not record gpu cuda with amp true"
  else
    record "$name" PASS "$(echo "$out" | grep -E 'epoch' | tail -1 | cut -c1-70)"
  fi
else
  echo "$out" | tail -20; record "$name" FAIL "$(echo "$out" | tail -1 | cut -c1-90)"
fi
rm -rf "$work"

echo
echo "gpu-check summary ($SECONDS s):"
printf '  %s\n' "${summary[@]}"
exit $status
