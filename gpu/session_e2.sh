#!/bin/bash
# Session 6, device call 2 (issue 19 item 2): the topology study alone on the GPU, 8 workers, ≤ 545 s.
# Usage (repo root): bash gpu/session_e2.sh OUTDIR     (SPARSE_NB_COMMIT set by the caller; BUDGET overrides the 545 s)
OUT=$1; COMMIT=${SPARSE_NB_COMMIT:-local}
export PYTHONPATH=/tmp/site:. PYTHONUNBUFFERED=1
mkdir -p /tmp/bin $OUT
command -v python >/dev/null || { ln -sf "$(command -v python3)" /tmp/bin/python; export PATH=/tmp/bin:$PATH; }   # the drivers call python
[ -f .gpu_data/topo2_prev.jsonl ] && cp .gpu_data/topo2_prev.jsonl $OUT/topo2_runs.jsonl   # a continued call skips the runs already there
TOPO2_W=${TOPO2_W:-8} BUDGET=${BUDGET:-545} CAL_TIMEOUT=${CAL_TIMEOUT:-90} bash gpu/topo2_gpu.sh $OUT $COMMIT > $OUT/topo2_console.txt 2>&1
tail -n 30 $OUT/topo2_console.txt
