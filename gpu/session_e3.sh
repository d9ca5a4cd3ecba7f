#!/bin/bash
# Session 6, device call 3 (issue 19): forgetting v2 at 7e-6 — between call 1's 5e-6 (dense forgot 25%) and 1e-5 (72%) —
# for seeds 0-2 (12 processes), and the topology study's six seed-2 runs call 2's deadline skipped (same 1500 steps, 8
# workers as in call 2 so each missing run lands on its own worker; no new calibration or overhead row). Earlier rows are
# copied in first (.gpu_data/forget2_prev.jsonl, .gpu_data/topo2_prev.jsonl), so only the missing runs run. ≤ 420 s.
# Usage (repo root): bash gpu/session_e3.sh OUTDIR     (SPARSE_NB_COMMIT set by the caller)
OUT=$1; COMMIT=${SPARSE_NB_COMMIT:-local}
export PYTHONPATH=/tmp/site:. PYTHONUNBUFFERED=1
mkdir -p /tmp/bin $OUT/forget2 $OUT/topo2
command -v python >/dev/null || { ln -sf "$(command -v python3)" /tmp/bin/python; export PATH=/tmp/bin:$PATH; }   # the drivers call python
cp .gpu_data/forget2_prev.jsonl $OUT/forget2/forget2_runs.jsonl; cp .gpu_data/topo2_prev.jsonl $OUT/topo2/topo2_runs.jsonl
N0=$(wc -l < $OUT/forget2/forget2_runs.jsonl); T0=$(wc -l < $OUT/topo2/topo2_runs.jsonl)
LIMIT=${LIMIT:-400} LRS="7e-6" SEEDS="0 1 2" bash gpu/forget2_gpu.sh $OUT/forget2 $COMMIT > $OUT/forget2_console.txt 2>&1 &
STEPS=1500 OVERHEAD=0 TOPO2_W=8 BUDGET=${BUDGET:-400} bash gpu/topo2_gpu.sh $OUT/topo2 $COMMIT > $OUT/topo2_console.txt 2>&1 &
wait
rm -rf $OUT/forget2/phase_a
echo "forget2 rows: $N0 copied in, $(wc -l < $OUT/forget2/forget2_runs.jsonl) now; topo2 rows: $T0 copied in, $(wc -l < $OUT/topo2/topo2_runs.jsonl) now"
tail -n 3 $OUT/forget2_console.txt $OUT/topo2_console.txt
