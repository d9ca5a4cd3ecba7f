#!/bin/bash
# One device call: the decode / band / routed benchmarks alone on the GPU, then the quality studies sharing it.
# bash gpu/session_b.sh $OUT   (after the fastcore install; SPARSE_NB_COMMIT set)
OUT=$1; T0=$SECONDS
export PYTHONPATH=/tmp/site:. SPARSE_NB_CACHE=/tmp/snbcache PYTHONUNBUFFERED=1 OMP_NUM_THREADS=2
python3 gpu/bench_parts.py --out $OUT/bench --budget ${BENCH_BUDGET:-420} --data-dir .gpu_data decode e2e_band routed_e2e > $OUT/bench_log.txt 2>&1
LEFT=$(( ${TOTAL:-585} - (SECONDS - T0) )); echo "studies get $LEFT s" >> $OUT/bench_log.txt
mkdir -p /tmp/slogs
for s in 0 1 2; do
  timeout $LEFT python3 gpu/study_parts.py router $s --out $OUT/study --data-dir .gpu_data > /tmp/slogs/router_$s.txt 2>&1 &
  timeout $LEFT python3 gpu/study_parts.py band $s --steps 3000 --out $OUT/study --data-dir .gpu_data > /tmp/slogs/band_$s.txt 2>&1 &
done
wait
tar czf $OUT/study_logs.tgz -C /tmp slogs; tar czf $OUT/results.tgz -C $OUT bench study
tail -n 3 /tmp/slogs/*.txt; grep -v "it/s\]" $OUT/bench_log.txt | tail -80
