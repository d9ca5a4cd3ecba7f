#!/bin/bash
# One device call: the banded training step alone on the GPU, then the quality studies sharing it
# (the band study's masked-path rows of the previous call, carried in .gpu_data/study, are resumed, not rerun).
OUT=$1; T0=$SECONDS
export PYTHONPATH=/tmp/site:. SPARSE_NB_CACHE=/tmp/snbcache PYTHONUNBUFFERED=1 OMP_NUM_THREADS=2
mkdir -p $OUT/study /tmp/slogs && cp .gpu_data/study/*.jsonl $OUT/study/ 2>/dev/null
python3 gpu/bench_parts.py --out $OUT/bench --budget 170 --data-dir .gpu_data e2e_band > $OUT/bench_log.txt 2>&1
LEFT=$(( ${TOTAL:-470} - (SECONDS - T0) )); echo "studies get $LEFT s" >> $OUT/bench_log.txt
for s in 0 1 2; do
  timeout $LEFT python3 gpu/study_parts.py router $s --steps 300 --out $OUT/study --data-dir .gpu_data > /tmp/slogs/router_$s.txt 2>&1 &
  timeout $LEFT python3 gpu/study_parts.py band $s --steps 3000 --out $OUT/study --data-dir .gpu_data > /tmp/slogs/band_$s.txt 2>&1 &
done
wait
tar czf $OUT/study_logs.tgz -C /tmp slogs; tar czf $OUT/results.tgz -C $OUT bench study
tail -n 2 /tmp/slogs/*.txt; grep -v "it/s\]" $OUT/bench_log.txt | tail -40
