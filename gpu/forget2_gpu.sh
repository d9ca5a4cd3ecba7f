#!/bin/bash
# Forgetting v2 (issue 19 item 1) on one GPU: one process per (arm group, seed) — {dense+replay, bell, dynamic, routed} × seeds
# 0-2, 12 processes — each running every phase-2 rate × variant for its seed; every row appended to OUTDIR/forget2_runs.jsonl as
# its run ends; logs in OUTDIR/forget2_logs.tgz.
# Usage (repo root): bash gpu/forget2_gpu.sh OUTDIR COMMIT      SMOKE=1 for the CPU proof (tiny, < 1 min: one process runs all five arms)
# Rates, in the order run (rates outer, then variants all, mlp, heads): 5e-6, 3e-6, 1e-5, 3e-5. Why these: session 5 on the H200
# found dense at 97-100% forgetting after 300 steps at 1e-4 and 3e-5 (a floor), while its logged curve at 3e-5 stood at 25-61%
# after 50 steps; AdamW moves weights about lr × steps, so 300 steps at 5e-6 (1.5e-3) is about 50 at 3e-5, 3e-6 lies below it,
# 1e-5 above, and 3e-5 links to the session-5 rows. The protocol rate is then picked from dense alone (e04's `pick_rate`).
# Phase A is cached in PHASE_A_CACHE (default OUTDIR/phase_a; one file per arm and seed, keyed by all that determines it, see
# `phase_a_cached`): a later call reuses it only if the folder is carried to the device, e.g. copy it to .gpu_data/phase_a, carry it,
# and run with PHASE_A_CACHE=.gpu_data/phase_a (the default lies in the fresh OUTDIR, so nothing is reused without that).
OUT=$1; COMMIT=$2
export SPARSE_NB_COMMIT=$COMMIT SPARSE_NB_DATA=$PWD/.gpu_data SPARSE_NB_CACHE=/tmp/snbcache PYTHONUNBUFFERED=1 PYTHONPATH=.${PYTHONPATH:+:$PYTHONPATH} OMP_NUM_THREADS=1
mkdir -p "$OUT" /tmp/f2logs; ROWS=$OUT/forget2_runs.jsonl
if [ -n "$SMOKE" ]; then DEV=cpu; LIMIT=55; ARGS="--smoke --n-layer 1 --n-embd 32"; LRS="1e-3"; TAG=smoke; SEEDS="0"; GROUPS_="dense,replay,bell,dynamic,routed"
else DEV=cuda; LIMIT=${LIMIT:-520}; ARGS="--n-layer 3 --n-embd 128 --steps-a 1500 --plateau-max 2 --batch-size 128 --steps-b 300 --relearn-max 150 --relearn-every 50 --plastic ${PLASTIC:-all mlp heads}"; LRS=${LRS:-"5e-6 3e-6 1e-5 3e-5"}; TAG=v2; SEEDS=${SEEDS:-"0 1 2"}; GROUPS_="dense,replay bell dynamic routed"; fi
PY=${PYTHON:-$(command -v python || command -v python3)}
for g in $GROUPS_; do
  for s in $([ -n "$SMOKE" ] && echo "$SEEDS" | tr ' ' ',' || echo $SEEDS); do   # smoke: one process, all seeds
    timeout $LIMIT $PY gpu/forget2_run.py $ARGS --device $DEV --lr-b-grid $LRS --tag $TAG --arms ${g//,/ } --seeds ${s//,/ } --out $ROWS --phase-a-cache "${PHASE_A_CACHE:-$OUT/phase_a}" \
      > /tmp/f2logs/${g%%,*}_s${s//,/}.txt 2>&1 &
  done
done
wait
{ nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null; echo "commit $COMMIT"; } > /tmp/f2logs/gpu.txt
tar -czf "$OUT/forget2_logs.tgz" -C /tmp f2logs; rm -f "$ROWS.lock"
tail -n 3 /tmp/f2logs/*.txt; echo "rows: $(cat $ROWS 2>/dev/null | wc -l)"
