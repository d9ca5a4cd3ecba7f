#!/bin/bash
# Session 8, device call 1 (issue 19): (1) the hook-overhead row re-timed alone on a quiet GPU after the leaner hooks
# (_norm32, addr_, _foreach updates; 136 → 36 extra ops a step on CPU), at the study's 3,300 steps, 5 rounds × 30 steps;
# (2) the rest of the Block-ELL learning-rate sweep (static and matched at 5e-4…4e-3, seeds 0-4,
# 1,500 steps; SWEEP_ARGS replaces that list, e.g. "--arms static matched --lrs 8e-3 --densities 0.5 --seeds 0 1 2 3 4") on one queue of TOPO2_W workers; rows already in results/topo2_runs.jsonl are skipped. ≤ BUDGET s in all.
# Usage (repo root): bash gpu/session_h1.sh OUTDIR     (SPARSE_NB_COMMIT set by the caller)
OUT=$1; COMMIT=${SPARSE_NB_COMMIT:-local}; T0=$(date +%s)
export PYTHONPATH=/tmp/site:. PYTHONUNBUFFERED=1 SPARSE_NB_COMMIT=$COMMIT SPARSE_NB_DATA=$PWD/.gpu_data SPARSE_NB_CACHE=/tmp/topo2_cache OMP_NUM_THREADS=1
mkdir -p /tmp/bin $OUT/topo2
command -v python >/dev/null || { ln -sf "$(command -v python3)" /tmp/bin/python; export PATH=/tmp/bin:$PATH; }   # the drivers call python
cp results/topo2_runs.jsonl $OUT/topo2/topo2_runs.jsonl; N0=$(wc -l < $OUT/topo2/topo2_runs.jsonl)
if [ "${OVERHEAD:-1}" = 1 ]; then
  timeout 120 python gpu/topo2_run.py --device cuda --out $OUT/topo2/topo2_runs.jsonl --overhead --steps 3300 --oh-rounds 5 --oh-rep 30 \
    > $OUT/overhead_console.txt 2>&1; tail -n 2 $OUT/overhead_console.txt; fi
LEFT=$(( ${BUDGET:-560} - ($(date +%s) - T0) ))
STEPS=1500 OVERHEAD=0 TOPO2_QUEUE=1 TOPO2_W=${TOPO2_W:-10} BUDGET=$LEFT TOPO2_ARGS="${SWEEP_ARGS:---arms static matched --lrs 5e-4 1e-3 2e-3 4e-3 --seeds 0 1 2 3 4}" \
  bash gpu/topo2_gpu.sh $OUT/topo2 $COMMIT > $OUT/topo2_console.txt 2>&1
echo "topo2 rows: $N0 copied in, $(wc -l < $OUT/topo2/topo2_runs.jsonl) now; wall $(( $(date +%s) - T0 )) s"; tail -n 3 $OUT/topo2_console.txt || true
