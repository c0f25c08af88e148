#!/usr/bin/env bash
# Runs on the lent GPU machine: many benchmark runs in one call (a machine's start costs minutes), each printing
# one JSON line, into $OUT/bench.jsonl when $OUT is set. BUNDLES names the bench bundles to compare (default: the
# current one; `bench-before` is the same CLI built from an earlier commit), CONFIGS and MODELS the grid, EXTRA
# extra arguments (e.g. `--profile`).
set -uo pipefail
. "$(dirname "$0")/setup.sh"
out="${OUT:-/tmp}/bench.jsonl"
for cfg in ${CONFIGS:-small default large}; do
  for model in ${MODELS:-onerank mmoe}; do
    for b in ${BUNDLES:-bench}; do
      line=$("$NODE" ".gpu/$b.mjs" --backend webgpu --config "$cfg" --model "$model" --json ${EXTRA:-} 2>&1 | tail -1)
      echo "{\"bundle\":\"$b\",\"result\":$line}" | tee -a "$out"
    done
  done
done
