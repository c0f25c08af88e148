#!/usr/bin/env bash
# Runs on the lent GPU machine (see README "Benchmarks"): unpacks .gpu/ and runs the bundled benchmark on the
# NVIDIA driver's Vulkan. Arguments are passed to the benchmark, e.g. `--backend webgpu --config default`.
set -euo pipefail
. "$(dirname "$0")/setup.sh"
# GPU_CLI=measure-demo runs the demo measurement instead of the benchmark.
"$NODE" ".gpu/${GPU_CLI:-bench}.mjs" "$@"
