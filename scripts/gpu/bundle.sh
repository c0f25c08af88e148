#!/usr/bin/env bash
# Builds what the lent GPU machine needs to run `npm run bench` there (it has no Node): .gpu/ gets node, Dawn,
# the Vulkan/GL loaders, and cli/bench.ts and cli/measure-demo.ts each bundled into one ESM file. Run from the repo root; .gpu/ is git-ignored.
set -euo pipefail
mkdir -p .gpu
[ -f .gpu/node.xz ] || xz -6 -T2 -c "$(command -v node)" > .gpu/node.xz
[ -f .gpu/dawn.node.xz ] || xz -6 -c node_modules/webgpu/dist/linux-x64.dawn.node > .gpu/dawn.node.xz
if ! ls .gpu/libvulkan1_*.deb >/dev/null 2>&1; then
  mkdir -p /tmp/amd64/partial
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  apt-get $o update >/dev/null
  (cd .gpu && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
fi
for cli in bench measure-demo; do
  npx esbuild cli/$cli.ts --bundle --platform=node --format=esm --target=node20 \
    --alias:webgpu=./scripts/gpu/webgpu-shim.mjs \
    --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" \
    --outfile=.gpu/$cli.mjs --log-level=warning
done
ls -la .gpu
