#!/bin/bash
# Issue 19 item 2 (e03, topology measured fairly) on one GPU: W concurrent Python processes (TOPO2_W, default 5), ≤ BUDGET s wall.
# Usage (repo root; $PWD/.gpu_data = shared/data's layout):   bash gpu/topo2_gpu.sh OUTDIR COMMIT [--smoke]
#   1. calibrate (W processes at once, ~25 s): ms per step of the heaviest arm under the GPU's real load now;
#   2. the step count that lets every worker finish its runs before the deadline (capped at 4 × the old 1100 steps);
#   3. W workers: 48 runs (dense + {static, ema, rigl, set, matched} × {0.5, 0.25, 0.125}) × seeds {0, 1, 2}, seed-major, one
#      row appended to OUTDIR/topo2_runs.jsonl as each run ends; the last worker first measures the overhead (kind=overhead).
# Continued calls: STEPS=N (no calibration), OVERHEAD=0 (none) or quiet (first, alone), TOPO2_QUEUE=1, FILL_STEPS=1500 FILL_ARGS="--arms static matched --lrs 5e-4 2e-3".
# Writes OUTDIR/topo2_runs.jsonl and OUTDIR/topo2_logs.tgz.  --smoke: the same on CPU with a tiny setting (< 1 min).
OUT=$1; COMMIT=$2; SMOKE=$3
T0=$(date +%s)
export SPARSE_NB_COMMIT=$COMMIT SPARSE_NB_DATA=${SPARSE_NB_DATA:-$PWD/.gpu_data} SPARSE_NB_CACHE=/tmp/topo2_cache PYTHONUNBUFFERED=1 PYTHONPATH=.${PYTHONPATH:+:$PYTHONPATH} OMP_NUM_THREADS=1
mkdir -p "$OUT" /tmp/topo2_logs; RUNS=$OUT/topo2_runs.jsonl; L=/tmp/topo2_logs
W=${TOPO2_W:-5}
if [ "$SMOKE" = "--smoke" ]; then X="--smoke"; BUDGET=${BUDGET:-60}; CAP=40; FLOOR=20; STEPS_FIXED=40; EXTRA="--seeds 0 1 --densities 0.5 0.125"
else X="--device cuda"; BUDGET=${BUDGET:-385}; CAP=4400; FLOOR=400; STEPS_FIXED=${STEPS:-}; EXTRA=""; fi
EXTRA="$EXTRA ${TOPO2_ARGS:-}"   # e.g. TOPO2_ARGS="--arms static matched --lrs 5e-4 2e-3": the Block-ELL learning-rate sweep
DEADLINE=$((T0 + BUDGET))
R="gpu/topo2_run.py $X --out"
timeout 90 python -c "from sparse_nb.data import load_data; load_data('tinystories')" > $L/cache.txt 2>&1   # fill the token cache once
CT=${CAL_TIMEOUT:-150}   # a GPU shared with 10 other starting processes: imports and data alone took over 60 s (session 5: every calibration was cut)
[ -z "$STEPS_FIXED" ] && { for i in $(seq 0 $((W - 1))); do timeout $CT python $R $L/cal_$i.json --calibrate > $L/cal_$i.txt 2>&1 & done; wait; }   # STEPS set: no calibration
[ -n "$SMOKE" ] && DEADLINE=$(( $(date +%s) + BUDGET ))   # smoke: a loaded CPU's calibration does not eat the runs' time
left() { local t=$(( DEADLINE - $(date +%s) + ${1:-0} )); [ $t -lt 5 ] && t=5; echo $t; }   # timeout never ≤ 0
# steps: the slowest calibrated worker × (runs per worker + eval/overhead allowance) × 1.3 safety must fit before the deadline
NRUNS=$(python $R /dev/null --count $EXTRA 2>/dev/null || echo 48)
STEPS=$(python - "$L" "$DEADLINE" "$CAP" "$FLOOR" "$STEPS_FIXED" "$NRUNS" "$W" <<'EOF'
import json, sys, glob, time, math
d, deadline, cap, floor, fixed = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
nruns, w = int(sys.argv[6]), int(sys.argv[7])
if fixed: print(int(fixed)); sys.exit()
ms = [json.load(open(f))['ms_per_step'] for f in glob.glob(f'{d}/cal_*.json')]
ms = max(ms) if ms else 60.0
left = deadline - time.time() - 25                       # imports, data, the final evaluations
runs_per_worker = math.ceil(nruns / w)
steps = int(left * 1e3 / (ms * 1.3 * runs_per_worker * 1.05))   # 1.05: the evaluations (10 × 10 batches, then 40)
print(max(floor, min(cap, steps // 100 * 100)))
EOF
)
echo "steps $STEPS for $NRUNS runs on $W workers (budget ${BUDGET}s from $T0, deadline $DEADLINE); calibration:" $(cat $L/cal_*.json 2>/dev/null) > $L/plan.txt
Q=""; [ "${TOPO2_QUEUE:-0}" = 1 ] && Q="--claims $L/claims"   # TOPO2_QUEUE=1: one queue (each worker takes the next run no one has), not i ≡ worker (mod W)
if [ "${OVERHEAD:-1}" = quiet ]; then   # the overhead row first, alone on the GPU: hooks and decisions without the other workers' load
  timeout $(left) python $R $RUNS --overhead --steps $STEPS $EXTRA > $L/overhead.txt 2>&1; fi
for i in $(seq 0 $((W - 1))); do
  WORK="python $R $RUNS --worker $i --workers $W --steps $STEPS --deadline $DEADLINE $Q $EXTRA"
  FILL=":"; [ -n "${FILL_STEPS:-}" ] && FILL="timeout \$(left 10) python $R $RUNS --worker $i --steps $FILL_STEPS --deadline $DEADLINE $Q ${FILL_ARGS:-}"   # FILL_STEPS/FILL_ARGS: shorter runs for a worker the main runs no longer fit
  if [ $i -eq $((W - 1)) ] && [ "${OVERHEAD:-1}" = 1 ]; then   # OVERHEAD=0: a continued call that has its overhead row   # the last worker (fewest runs, or as many as the rest) first measures the overhead
    ( timeout $(left) python $R $RUNS --overhead --steps $STEPS $EXTRA > $L/overhead.txt 2>&1
      timeout $(left 10) $WORK > $L/worker_$i.txt 2>&1; eval $FILL >> $L/worker_$i.txt 2>&1 ) &
  else ( timeout $(left 10) $WORK > $L/worker_$i.txt 2>&1; eval $FILL >> $L/worker_$i.txt 2>&1 ) & fi
done
wait
(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null || echo cpu) > $L/gpu.txt; echo "commit $COMMIT; wall $(( $(date +%s) - T0 )) s" >> $L/gpu.txt
tar czf $OUT/topo2_logs.tgz -C /tmp topo2_logs
tail -n 3 $L/plan.txt $L/worker_*.txt $L/overhead.txt $L/gpu.txt
