#!/bin/bash
# Session 6, device call 3 (issue 19 item 1): forgetting v2 at 7e-6 (between call 1's 5e-6, where dense forgot 25%, and 1e-5,
# where it forgot 72%) for seeds 0-4, and seeds 3-4 at 1e-5 and 5e-6 too; call 1's rows (.gpu_data/forget2_prev.jsonl) are
# copied in first, so the runs they hold are skipped. 20 processes (4 arm groups × 5 seeds), ≤ 420 s.
# Usage (repo root): bash gpu/session_e3.sh OUTDIR     (SPARSE_NB_COMMIT set by the caller)
OUT=$1; COMMIT=${SPARSE_NB_COMMIT:-local}
export PYTHONPATH=/tmp/site:. PYTHONUNBUFFERED=1
mkdir -p /tmp/bin $OUT/forget2
command -v python >/dev/null || { ln -sf "$(command -v python3)" /tmp/bin/python; export PATH=/tmp/bin:$PATH; }   # the drivers call python
cp .gpu_data/forget2_prev.jsonl $OUT/forget2/forget2_runs.jsonl
N0=$(wc -l < $OUT/forget2/forget2_runs.jsonl)
LIMIT=${LIMIT:-420} LRS="7e-6 1e-5 5e-6" SEEDS="0 1 2 3 4" bash gpu/forget2_gpu.sh $OUT/forget2 $COMMIT > $OUT/forget2_console.txt 2>&1
rm -rf $OUT/forget2/phase_a
echo "rows: $N0 copied in, $(wc -l < $OUT/forget2/forget2_runs.jsonl) now"; tail -n 4 $OUT/forget2_console.txt
