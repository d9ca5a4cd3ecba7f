#!/bin/bash
# Session 7, device call 1 (issue 19): forgetting v2 replicated on three new seeds (3-5; 12 processes) at the protocol rate 7e-6
# and its neighbours 5e-6 and 1e-5, all three on one set of phase-A models per seed (variants all and heads: mlp never enters
# dense's 20-80% band at these rates), beside the topology study at 3,300 steps (3 × the first version's 1,100) on a queue of
# 6 workers, which fill their last minutes with the Block-ELL learning-rate sweep (static and matched at 5e-4 and 2e-3, 1,500
# steps, the length of the study's 1e-3 rows). Both topology parts resume in later calls (rows already there are skipped). ≤ BUDGET s.
# Usage (repo root): bash gpu/session_f1.sh OUTDIR     (SPARSE_NB_COMMIT set by the caller; .gpu_data/topo2_prev.jsonl: rows so far, if any)
OUT=$1; COMMIT=${SPARSE_NB_COMMIT:-local}; BUDGET=${BUDGET:-530}
export PYTHONPATH=/tmp/site:. PYTHONUNBUFFERED=1
mkdir -p /tmp/bin $OUT/forget2 $OUT/topo2
command -v python >/dev/null || { ln -sf "$(command -v python3)" /tmp/bin/python; export PATH=/tmp/bin:$PATH; }   # the drivers call python
[ -f .gpu_data/topo2_prev.jsonl ] && cp .gpu_data/topo2_prev.jsonl $OUT/topo2/topo2_runs.jsonl; T0=$(cat $OUT/topo2/topo2_runs.jsonl 2>/dev/null | wc -l)
if [ "${FORGET:-1}" = 1 ]; then
  LIMIT=$((BUDGET - 10)) LRS="7e-6 5e-6 1e-5" SEEDS="3 4 5" PLASTIC="all heads" bash gpu/forget2_gpu.sh $OUT/forget2 $COMMIT > $OUT/forget2_console.txt 2>&1 &
fi
STEPS=3300 OVERHEAD=${OVERHEAD:-0} TOPO2_QUEUE=1 TOPO2_W=${TOPO2_W:-6} BUDGET=$BUDGET FILL_STEPS=1500 FILL_ARGS="--arms static matched --lrs 5e-4 2e-3" \
  bash gpu/topo2_gpu.sh $OUT/topo2 $COMMIT > $OUT/topo2_console.txt 2>&1 &
wait
rm -rf $OUT/forget2/phase_a
echo "forget2 rows: $(cat $OUT/forget2/forget2_runs.jsonl 2>/dev/null | wc -l); topo2 rows: $T0 copied in, $(wc -l < $OUT/topo2/topo2_runs.jsonl) now"
tail -n 3 $OUT/forget2_console.txt $OUT/topo2_console.txt 2>/dev/null || true   # FORGET=0 writes no forget2 console
