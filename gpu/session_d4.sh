#!/bin/bash
# Session 5, device call 4: the 2:4 kernel table alone (cuSPARSELt per shape; the kernels' own time too)
OUT=$1
export PYTHONPATH=/tmp/site:. SPARSE_NB_CACHE=/tmp/snbcache PYTHONUNBUFFERED=1
timeout 200 python3 gpu/bench_parts.py --out $OUT/bench --budget 190 semi24_kh > $OUT/bench_log.txt 2>&1
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader >> $OUT/bench_log.txt
grep -v "it/s\]" $OUT/bench_log.txt | tail -50
