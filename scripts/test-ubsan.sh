#!/usr/bin/env bash
# The profile, cost-model, planner, simulator, CLI and report tests under UndefinedBehaviorSanitizer
# (no overflow anywhere: issue 10). Builds in build-ubsan/ without the LibTorch executor (the
# executor's data tests are left out: stb's image writer shifts negative values by design).
# Any runtime error stops the run with a stack trace and a non-zero exit. Needs scripts/setup.sh
# to have installed the packages. Usage: scripts/test-ubsan.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-ubsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DTRAINPLAN_BUILD_EXECUTOR=OFF \
      -DCMAKE_CXX_FLAGS="-O1 -fsanitize=undefined -fno-sanitize-recover=undefined" >/dev/null
suites=(profiles_tests costmodel_tests planner_tests simulator_tests cli_tests report_tests)
cmake --build build-ubsan -j 2 --target trainplan "${suites[@]}"
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
passed=0
for suite in "${suites[@]}"; do
  binary=$(find build-ubsan/tests -name "$suite" -type f -perm -u+x | head -1)
  echo "== $suite (UBSan)"
  "$binary" --no-version
  passed=$((passed + 1))
done
echo "UBSan: no undefined behaviour reported in ${#suites[@]} suites"
echo "ubsan: $passed passed, 0 failed"
