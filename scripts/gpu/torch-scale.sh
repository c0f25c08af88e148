#!/usr/bin/env bash
# "Outgrow the browser", measured: a shop-world run exported as a PyTorch project trains on the built-in world's
# data written as CSV at 1M requests, with torchrun, on the lent GPU host (torch there, no Node).
#   here:      scripts/gpu/torch-scale.sh prepare       # trains a shop run in Node and exports it to .gpu/torch-export
#   GPU host:  scripts/gpu/torch-scale.sh run [GPUS]    # 1M-request CSV (gen_shop.py), then train.py with torchrun
# `run` prints requests/s per batch size (median over steps, and the share of time rank 0 waited for data) and
# copies each result.json to $OUT when set. GPUS (default 1) is --nproc_per_node; REQUESTS (default 1000000) the
# CSV's size; SPECS (default "64:500 1024:200") the batch:steps runs; PYTHON the interpreter with torch.
set -euo pipefail
cd "$(dirname "$0")/../.."
EXPORT=.gpu/torch-export

case "${1:-}" in
  prepare)
    # The app's default config on the shop world, 150 steps (a minute or two on wasm), exported with its README.
    npm run export-torch -- --data shop --steps 150 --out "$EXPORT"
    ;;
  run)
    GPUS="${2:-1}"
    REQUESTS="${REQUESTS:-1000000}"
    PY="${PYTHON:-python3}"
    [ -f "$EXPORT/train.py" ] || { echo "no $EXPORT/train.py: run 'scripts/gpu/torch-scale.sh prepare' first and carry .gpu/torch-export"; exit 1; }
    nvidia-smi --query-gpu=name,driver_version --format=csv,noheader || true
    "$PY" -c 'import torch, numpy; print("torch", torch.__version__, "cuda", torch.cuda.is_available(), torch.cuda.device_count(), "GPUs")'
    DATA=/tmp/shop-${REQUESTS}.csv
    [ -f "$DATA" ] || (cd "$EXPORT" && "$PY" gen_shop.py --out "$DATA" --requests "$REQUESTS")
    ls -la "$DATA"
    WORKERS=$(( ($(nproc) - 2) / GPUS )); [ "$WORKERS" -ge 1 ] || WORKERS=1
    for spec in ${SPECS:-64:500 1024:200}; do  # batch per process : steps
      set -- ${spec/:/ }
      echo "== batch $1 per process, $2 steps, $GPUS process(es), $WORKERS data workers each"
      (cd "$EXPORT" && "$PY" -m torch.distributed.run --standalone --nproc_per_node="$GPUS" train.py --data "$DATA" \
        --steps "$2" --batch "$1" --eval-every 0 --eval-requests 20000 --workers "$WORKERS" \
        --out "/tmp/result-b$1-g$GPUS.json" --save "/tmp/trained-b$1-g$GPUS.safetensors")
      [ -z "${OUT:-}" ] || cp "/tmp/result-b$1-g$GPUS.json" "$OUT/"
    done
    ;;
  *)
    echo "usage: scripts/gpu/torch-scale.sh prepare | run [GPUS]"
    exit 2
    ;;
esac
