#!/bin/bash
# Session 5, device call 3: the 2:4 kernel and host tables alone on the GPU, then, sharing it, the 2:4 compile check
# and the 2:4 quality study (tiny and GPT-2 small, seeds 0-2, one process per model and seed; issue 17).
OUT=$1; T0=$SECONDS
export PYTHONPATH=/tmp/site:. SPARSE_NB_CACHE=/tmp/snbcache PYTHONUNBUFFERED=1 OMP_NUM_THREADS=2
mkdir -p /tmp/bench /tmp/study /tmp/slogs
timeout 150 python3 gpu/bench_parts.py --out /tmp/bench --budget 140 semi24_kh > /tmp/bench/bench_log.txt 2>&1
LEFT=$(( 555 - (SECONDS - T0) )); echo "studies get $LEFT s" >> /tmp/bench/bench_log.txt
timeout $LEFT python3 gpu/bench_parts.py --out /tmp/bench --budget $LEFT semi24_compile > /tmp/bench/compile_log.txt 2>&1 &
for s in 0 1 2; do
  timeout $LEFT python3 gpu/study_parts.py semi24-tiny $s --out /tmp/study --data-dir .gpu_data > /tmp/slogs/tiny_$s.txt 2>&1 &
  timeout $LEFT python3 gpu/study_parts.py semi24-gpt2 $s --out /tmp/study --data-dir .gpu_data > /tmp/slogs/gpt2_$s.txt 2>&1 &
done
wait
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader >> /tmp/bench/bench_log.txt
tar czf $OUT/bench.tgz -C /tmp bench; tar czf $OUT/study.tgz -C /tmp study slogs
grep -v "it/s\]" /tmp/bench/bench_log.txt | tail -40; tail -n 2 /tmp/slogs/*.txt /tmp/bench/compile_log.txt; wc -l /tmp/study/*
