#!/usr/bin/env bash
# Runs on the lent GPU machine: many benchmark runs in one call (a machine's start costs minutes), each printing
# one JSON line, into $OUT/bench.jsonl when $OUT is set. RUNS names what to compare, separated by `;`: a bench
# bundle in .gpu/ and its own arguments (default: `bench`; `bench-before` is the same CLI bundled from an earlier
# commit, e.g. RUNS="bench-before;bench --ahead off;bench --ahead on"). CONFIGS and MODELS make the grid, EXTRA
# adds arguments to every run (default: 20 timed steps after 3 warm-up; `--profile` for profiles).
set -uo pipefail
. "$(dirname "$0")/setup.sh"
out="${OUT:-/tmp}/bench.jsonl"
IFS=';' read -r -a runs <<< "${RUNS:-bench}"
for cfg in ${CONFIGS:-small default large}; do
  for model in ${MODELS:-onerank mmoe sharedbottom ple}; do
    for run in "${runs[@]}"; do
      read -r b args <<< "$run"
      # shellcheck disable=SC2086 # the runs' arguments are words
      line=$("$NODE" ".gpu/$b.mjs" --backend webgpu --config "$cfg" --model "$model" --json ${EXTRA:---steps 20 --warmup 3} $args 2>&1 | tail -1)
      echo "{\"run\":\"$run\",\"config\":\"$cfg\",\"model\":\"$model\",\"result\":$line}" | tee -a "$out"
    done
  done
done
