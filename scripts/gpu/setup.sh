# Sourced on the lent GPU machine (see README "Benchmarks"): unpacks .gpu/ (node, Dawn, the Vulkan/GL loaders) and
# points Vulkan at the NVIDIA driver. Leaves $NODE set to the unpacked node binary.
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
NODE="$T/node"
