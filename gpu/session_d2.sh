#!/bin/bash
# Session 5, device call 2: the rest of the 2:4 timing tables alone on the GPU (MLP, kernels, host time: issue 17),
# then issue 19's three experiments sharing it (gpu/experiments_gpu.sh).
OUT=$1; COMMIT=$2; T0=$SECONDS
export PYTHONPATH=/tmp/site:. SPARSE_NB_CACHE=/tmp/snbcache PYTHONUNBUFFERED=1
mkdir -p /tmp/bench /tmp/bin
command -v python >/dev/null || { ln -sf "$(command -v python3)" /tmp/bin/python; export PATH=/tmp/bin:$PATH; }   # the drivers call python
timeout 250 python3 gpu/bench_parts.py --out /tmp/bench --budget 240 --data-dir .gpu_data semi24_tables semi24_e2e_refresh > /tmp/bench/bench_log.txt 2>&1
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader >> /tmp/bench/bench_log.txt
tar czf $OUT/bench.tgz -C /tmp bench
grep -v "it/s\]" /tmp/bench/bench_log.txt | tail -45
X=$(( 560 - (SECONDS - T0) )); [ $X -gt 385 ] && X=385; echo "experiments get $X s"   # the call's 600 s, less packing
LIMIT=$((X - 15)) BUDGET=$X BANDS2_BUDGET=$X bash gpu/experiments_gpu.sh $OUT $COMMIT
