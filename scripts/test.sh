#!/usr/bin/env bash
# The README's test command: set up, build, and run every test suite with CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# The launchers the launcher tests run trainplan under (Slurm, munge, Open MPI, iproute2) and
# the browser the report tests open pages in (Chromium).
scripts/setup-test-tools.sh
cd build
ctest --output-on-failure -j 2
