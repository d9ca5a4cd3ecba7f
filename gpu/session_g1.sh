#!/bin/bash
# Next device call for issue 19 item 3 (e03): finish the Block-ELL learning-rate sweep — static Block-ELL and its matched
# dense at 5e-4, 1e-3, 2e-3 and 4e-3 (4e-3 brackets session 7's best, 2e-3, the old grid's top), seeds 0-4, 1,500 steps.
# The rows so far are copied in from results/topo2_runs.jsonl, so only the missing runs run (75 of 120 after session 7:
# seed 2's nine, 4e-3 everywhere, seeds 3-4). One queue of 8 workers, ≤ BUDGET s; a later call resumes the same way.
# Usage (repo root): bash gpu/session_g1.sh OUTDIR     (SPARSE_NB_COMMIT set by the caller)
OUT=$1; COMMIT=${SPARSE_NB_COMMIT:-local}
export PYTHONPATH=/tmp/site:. PYTHONUNBUFFERED=1
mkdir -p /tmp/bin $OUT/topo2
command -v python >/dev/null || { ln -sf "$(command -v python3)" /tmp/bin/python; export PATH=/tmp/bin:$PATH; }   # the drivers call python
cp results/topo2_runs.jsonl $OUT/topo2/topo2_runs.jsonl; T0=$(wc -l < $OUT/topo2/topo2_runs.jsonl)
STEPS=1500 OVERHEAD=0 TOPO2_QUEUE=1 TOPO2_W=${TOPO2_W:-8} BUDGET=${BUDGET:-560} TOPO2_ARGS="--arms static matched --lrs 5e-4 1e-3 2e-3 4e-3 --seeds 0 1 2 3 4" \
  bash gpu/topo2_gpu.sh $OUT/topo2 $COMMIT > $OUT/topo2_console.txt 2>&1
echo "topo2 rows: $T0 copied in, $(wc -l < $OUT/topo2/topo2_runs.jsonl) now"; tail -n 3 $OUT/topo2_console.txt || true
