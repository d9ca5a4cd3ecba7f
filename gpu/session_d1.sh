#!/bin/bash
# Session 5, device call 1 (timing only, nothing else on the GPU): the width-2048 banded training step (issue 20)
# and the 2:4 timing tables (issue 17; its end-to-end rows are issue 13's missing kind).
OUT=$1
export PYTHONPATH=/tmp/site:. SPARSE_NB_CACHE=/tmp/snbcache PYTHONUNBUFFERED=1
timeout 560 python3 gpu/bench_parts.py --out $OUT/bench --budget 540 --data-dir .gpu_data e2e_band_w2048 semi24_timing > $OUT/bench_log.txt 2>&1
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader >> $OUT/bench_log.txt
tar czf $OUT/bench.tgz -C $OUT bench
grep -v "it/s\]" $OUT/bench_log.txt | tail -60
