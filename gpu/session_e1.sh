#!/bin/bash
# Session 6, device call 1 (issue 19): forgetting v2 (12 processes: gpu/forget2_gpu.sh) and the band study's extended
# rate sweep (5 workers: BANDS2_EXT=1 gpu/bands2_gpu.sh, earlier rows copied in so they are skipped) on one GPU, ≤ 540 s.
# Usage (repo root): bash gpu/session_e1.sh OUTDIR     (SPARSE_NB_COMMIT set by the caller)
OUT=$1; COMMIT=${SPARSE_NB_COMMIT:-local}
export PYTHONPATH=/tmp/site:. SPARSE_NB_CACHE=/tmp/snbcache PYTHONUNBUFFERED=1
mkdir -p /tmp/bin $OUT/forget2 $OUT/bands2
command -v python >/dev/null || { ln -sf "$(command -v python3)" /tmp/bin/python; export PATH=/tmp/bin:$PATH; }   # the drivers call python
cp results/bands2_runs.jsonl $OUT/bands2/bands2_runs.jsonl
LIMIT=520 bash gpu/forget2_gpu.sh $OUT/forget2 $COMMIT > $OUT/forget2_console.txt 2>&1 &
BANDS2_EXT=1 BANDS2_BUDGET=510 bash gpu/bands2_gpu.sh $OUT/bands2 $COMMIT > $OUT/bands2_console.txt 2>&1 &
wait
[ -d $OUT/forget2/phase_a ] && tar czf $OUT/phase_a.tgz -C $OUT/forget2 phase_a && rm -rf $OUT/forget2/phase_a   # one file back
tail -n 4 $OUT/forget2_console.txt $OUT/bands2_console.txt
