#!/usr/bin/env bash
# Rewrites examples/plans/*.json from examples/plans/questions.tsv with the built trainplan.
# tests/planner/examples_test.cpp regenerates them in memory and fails when they differ.
set -euo pipefail
cd "$(dirname "$0")/.."
trainplan=${TRAINPLAN:-build/cli/trainplan}
while IFS=$'\t' read -r name question; do
  [ -n "$name" ] || continue
  "$trainplan" plan "$question" -o "examples/plans/$name.json" >/dev/null
  echo "examples/plans/$name.json: $question"
done < examples/plans/questions.tsv
