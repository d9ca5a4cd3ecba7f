#!/bin/bash
# Session 5, device call 5, after the stale-pack fix (fused AdamW leaves a weight's _version alone, so 2:4 packs were never
# rebuilt on CUDA): the 2:4-weight training steps re-timed alone, then the 2:4-weight quality runs re-run sharing the GPU.
OUT=$1; T0=$SECONDS
export PYTHONPATH=/tmp/site:. SPARSE_NB_CACHE=/tmp/snbcache PYTHONUNBUFFERED=1 OMP_NUM_THREADS=2
mkdir -p /tmp/bench /tmp/study /tmp/slogs
timeout 170 python3 gpu/bench_parts.py --out /tmp/bench --budget 165 --data-dir .gpu_data semi24_e2e_weights > /tmp/bench/bench_log.txt 2>&1
LEFT=$(( ${TOTAL:-320} - (SECONDS - T0) )); echo "studies get $LEFT s" >> /tmp/bench/bench_log.txt
for s in 0 1 2; do
  timeout $LEFT python3 gpu/study_parts.py semi24-gpt2 $s --variants semi24 semi24/10 --out /tmp/study --data-dir .gpu_data > /tmp/slogs/gpt2_$s.txt 2>&1 &
  timeout $LEFT python3 gpu/study_parts.py semi24-tiny $s --variants semi24 semi24/10 --out /tmp/study --data-dir .gpu_data > /tmp/slogs/tiny_$s.txt 2>&1 &
done
wait
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader >> /tmp/bench/bench_log.txt
tar czf $OUT/all.tgz -C /tmp bench study slogs
grep -v "it/s\]" /tmp/bench/bench_log.txt | tail -20; tail -qn 1 /tmp/slogs/*.txt; wc -l /tmp/study/*
