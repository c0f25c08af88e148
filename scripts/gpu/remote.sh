#!/usr/bin/env bash
# Runs on the lent GPU machine (see README "Benchmarks"): unpacks .gpu/ and runs the bundled benchmark on the
# NVIDIA driver's Vulkan. Arguments are passed to the benchmark, e.g. `--backend webgpu --config default`.
set -euo pipefail
for f in .gpu/*.deb; do dpkg -x "$f" /; done
ldconfig
T=$(mktemp -d)
xz -dc .gpu/node.xz > "$T/node" && chmod +x "$T/node"
xz -dc .gpu/dawn.node.xz > "$T/dawn.node"
icd=$(ls /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json 2>/dev/null | head -1 || true)
[ -n "$icd" ] || icd=$(find / -name 'nvidia_icd*.json' -not -path '*/proc/*' 2>/dev/null | head -1)
echo "vulkan icd: $icd"
export VK_DRIVER_FILES="$icd" VK_ICD_FILENAMES="$icd" DAWN_NODE="$T/dawn.node"
export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader || true
# GPU_CLI=measure-demo runs the demo measurement instead of the benchmark.
"$T/node" ".gpu/${GPU_CLI:-bench}.mjs" "$@"
