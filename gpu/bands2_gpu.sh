#!/usr/bin/env bash
# Matched-baseline band study (issue 19 items 3-4) on one shared GPU: 5 worker processes, <= 400 s wall in total.
# Usage, at the repo root:  gpu/bands2_gpu.sh OUTDIR COMMIT
#   writes OUTDIR/bands2_runs.jsonl (one row per complete run, appended as each ends) and OUTDIR/bands2_logs.tgz
#   (worker logs, and bands2_runs.partial.jsonl with the runs the deadline cut).
#   BANDS2_SMOKE=1: the same path on CPU with a tiny model, 2 steps a run, an 80 s budget (the deadline path too);
#   BANDS2_EXT=1: the extended plan (`gpu/bands2_run.py --ext`); copy earlier rows to OUTDIR/bands2_runs.jsonl first to skip them;
#   BANDS2_LOW=1: every arm at 2.5e-4 on all five seeds (`gpu/bands2_run.py --low`), earlier rows likewise skipped;
#   BANDS2_AT=LR: every arm at LR on all five seeds (`gpu/bands2_run.py --at LR`), earlier rows skipped;
#   BANDS2_N: worker processes (default 5, the contract's limit; 2 for a smoke run on a 2-core machine).
set -uo pipefail
OUT=${1:?usage: bands2_gpu.sh OUTDIR COMMIT}; COMMIT=${2:?usage: bands2_gpu.sh OUTDIR COMMIT}
T0=$(date +%s); BUDGET=${BANDS2_BUDGET:-$([ -n "${BANDS2_SMOKE:-}" ] && echo 80 || echo 385)}; N=${BANDS2_N:-5}; PY=${PYTHON:-$(command -v python || command -v python3)}
export SPARSE_NB_COMMIT="$COMMIT" SPARSE_NB_DATA="${SPARSE_NB_DATA:-$PWD/.gpu_data}" SPARSE_NB_CACHE=/tmp/bands2_cache
export OMP_NUM_THREADS=1 PYTHONUNBUFFERED=1 PYTHONPATH="${PYTHONPATH:-.}"
LOGS=$(mktemp -d /tmp/bands2_logs.XXXXXX); mkdir -p "$OUT"
SMOKE=${BANDS2_SMOKE:+--smoke}; EXT=${BANDS2_EXT:+--ext}; [ -n "${BANDS2_LOW:-}" ] && EXT=--low; [ -n "${BANDS2_AT:-}" ] && EXT="--at $BANDS2_AT"
timeout 60 $PY gpu/bands2_run.py prepare $SMOKE > "$LOGS/prepare.txt" 2>&1
DEADLINE=$((T0 + BUDGET - 10))                       # runs stop here; then rows are written and the logs packed
for k in $(seq 0 $((N - 1))); do
  timeout $((DEADLINE - $(date +%s) + 8)) $PY gpu/bands2_run.py work $k $N "$OUT/bands2_runs.jsonl" $DEADLINE $SMOKE $EXT \
    > "$LOGS/worker_$k.txt" 2>&1 &
done
wait
[ -f "$OUT/bands2_runs.partial.jsonl" ] && mv "$OUT/bands2_runs.partial.jsonl" "$LOGS/"
tar czf "$OUT/bands2_logs.tgz" -C "$LOGS" .
echo "bands2: $(cat "$OUT/bands2_runs.jsonl" 2>/dev/null | wc -l) complete runs in $(( $(date +%s) - T0 )) s; logs in $OUT/bands2_logs.tgz"
