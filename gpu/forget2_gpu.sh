#!/bin/bash
# Forgetting v2 (issue 19 item 1) on one shared GPU: 5 processes (dense, replay, bell, dynamic, routed), each all seeds
# × phase-2 rates × variants, every row appended to OUTDIR/forget2_runs.jsonl as its run ends; logs in OUTDIR/forget2_logs.tgz.
# Usage (repo root): bash gpu/forget2_gpu.sh OUTDIR COMMIT      SMOKE=1 for the CPU proof (tiny, < 1 min: one process runs all five arms)
# Order inside each process: phase A for seeds 0-2, then (1e-4, all), (1e-4, mlp), (3e-5, all), (3e-5, mlp), (3e-4, all), (3e-4, mlp),
# each for seeds 0-2 (a CPU pilot, 2x64 dense: 3e-4 for 300 steps forgot 100% even MLP-only, so the lower rates go first).
# Session 5 on the H200: dense forgot 97-100% at 1e-4 and 3e-5 after 300 steps (a floor), so the default grid moved down to
# 1e-5, 3e-6 (3e-5 kept as the link to those rows). Give it a device call of its own: phase A alone took 350 s of 370 for the dynamic arm.
# Phase A is cached in PHASE_A_CACHE (default OUTDIR/phase_a; one file per arm and seed, keyed by all that determines it, see
# `phase_a_cached`): a later call reuses it only if the folder is carried to the device, e.g. copy it to .gpu_data/phase_a, carry it,
# and run with PHASE_A_CACHE=.gpu_data/phase_a (the default lies in the fresh OUTDIR, so nothing is reused without that).
OUT=$1; COMMIT=$2
export SPARSE_NB_COMMIT=$COMMIT SPARSE_NB_DATA=$PWD/.gpu_data SPARSE_NB_CACHE=/tmp/snbcache PYTHONUNBUFFERED=1 PYTHONPATH=.${PYTHONPATH:+:$PYTHONPATH} OMP_NUM_THREADS=1
mkdir -p "$OUT" /tmp/f2logs; ROWS=$OUT/forget2_runs.jsonl
if [ -n "$SMOKE" ]; then DEV=cpu; LIMIT=55; ARGS="--smoke --n-layer 1 --n-embd 32"; LRS="1e-3"; TAG=smoke; SEEDS="0"; GROUPS_="dense,replay,bell,dynamic,routed"
else DEV=cuda; LIMIT=${LIMIT:-370}; ARGS="--n-layer 3 --n-embd 128 --steps-a 1500 --plateau-max 2 --batch-size 128 --steps-b 300 --relearn-max 150 --relearn-every 50 --plastic all mlp"; LRS=${LRS:-"1e-5 3e-6 3e-5"}; TAG=v2; SEEDS="0 1 2"; GROUPS_="dense replay bell dynamic routed"; fi
for g in $GROUPS_; do
  timeout $LIMIT python gpu/forget2_run.py $ARGS --device $DEV --lr-b-grid $LRS --tag $TAG --arms ${g//,/ } --seeds $SEEDS --out $ROWS --phase-a-cache "${PHASE_A_CACHE:-$OUT/phase_a}" \
    > /tmp/f2logs/${g%%,*}.txt 2>&1 &
done
wait
{ nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null; echo "commit $COMMIT"; } > /tmp/f2logs/gpu.txt
tar -czf "$OUT/forget2_logs.tgz" -C /tmp f2logs; rm -f "$ROWS.lock"
tail -n 3 /tmp/f2logs/*.txt; echo "rows: $(cat $ROWS 2>/dev/null | wc -l)"
