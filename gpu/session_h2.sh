#!/bin/bash
# Session 8, device call 2 (issue 19 item 3): the band study's matched arm bracketed — every arm of the one-epoch study
# (baseline, FC2-256, dense-h369) at 2.5e-4 on seeds 0-4 (`gpu/bands2_gpu.sh`, BANDS2_LOW=1; 15 runs, 5 workers) — beside
# whatever the Block-ELL rate sweep still lacks (gpu/session_h1.sh with OVERHEAD=0). Rows already in results/ are skipped.
# Usage (repo root): bash gpu/session_h2.sh OUTDIR     (SPARSE_NB_COMMIT set by the caller)
OUT=$1; COMMIT=${SPARSE_NB_COMMIT:-local}; T0=$(date +%s)
export PYTHONPATH=/tmp/site:. PYTHONUNBUFFERED=1
mkdir -p /tmp/bin $OUT/bands2
command -v python >/dev/null || { ln -sf "$(command -v python3)" /tmp/bin/python; export PATH=/tmp/bin:$PATH; }
cp results/bands2_runs.jsonl $OUT/bands2/bands2_runs.jsonl; N0=$(wc -l < $OUT/bands2/bands2_runs.jsonl)
BANDS2_LOW=1 BANDS2_BUDGET=${BANDS2_BUDGET:-300} bash gpu/bands2_gpu.sh $OUT/bands2 $COMMIT > $OUT/bands2_console.txt 2>&1 &
OVERHEAD=0 TOPO2_W=${TOPO2_W:-8} BUDGET=${BUDGET:-400} bash gpu/session_h1.sh $OUT
wait
echo "bands2 rows: $N0 copied in, $(wc -l < $OUT/bands2/bands2_runs.jsonl) now; wall $(( $(date +%s) - T0 )) s"; tail -n 2 $OUT/bands2_console.txt
