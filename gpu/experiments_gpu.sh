#!/bin/bash
# Issue 19's three experiment drivers sharing one GPU call (each ≤ 5 processes, ≤ ~400 s; all three at once).
# Session 5 ran this once: too little for forgetting (phase A ate the budget) and topology (one seed of three), enough
# for bands2. Next time run gpu/forget2_gpu.sh and gpu/topo2_gpu.sh each in a call of its own (LIMIT= / BUDGET= ~540).
# Usage (repo root, after the fastcore install, .gpu_data = shared/data's layout):
#   bash gpu/experiments_gpu.sh OUTDIR COMMIT            SMOKE=1: the CPU wiring check of all three
OUT=$1; COMMIT=$2
mkdir -p "$OUT"
if [ -n "$SMOKE" ]; then T=--smoke; B="BANDS2_SMOKE=1 BANDS2_N=2"; else T=""; B=""; fi
( SMOKE=$SMOKE bash gpu/forget2_gpu.sh "$OUT" "$COMMIT" > "$OUT/forget2_console.txt" 2>&1 ) &
( bash gpu/topo2_gpu.sh "$OUT" "$COMMIT" $T > "$OUT/topo2_console.txt" 2>&1 ) &
( env $B bash gpu/bands2_gpu.sh "$OUT" "$COMMIT" > "$OUT/bands2_console.txt" 2>&1 ) &
wait
tar czf "$OUT/console.tgz" -C "$OUT" forget2_console.txt topo2_console.txt bands2_console.txt && rm "$OUT"/*_console.txt
wc -l "$OUT"/*.jsonl
