#!/bin/bash
# Session 6, device call 4 (issue 19 item 3): regime 1 of the band study (the repeated sample, 5000 steps, equal shape) for
# seeds 3 and 4 of its headline pairs — baseline, FC2-256, FC1-256 — six processes at once, ≤ 320 s (seeds 0-2 ran on an
# H100 in session 3; pairs are within a seed, so each new pair is on one device).
# Usage (repo root): bash gpu/session_e4.sh OUTDIR     (SPARSE_NB_COMMIT set by the caller; .gpu_data/bands holds the tokens)
OUT=$1; COMMIT=${SPARSE_NB_COMMIT:-local}
export PYTHONPATH=.:/tmp/site PYTHONUNBUFFERED=1
ONLY=$(for s in 3 4; do for r in baseline fc2-256 fc1-256; do printf "%s:%s:5000," $r $s; done; done)
python3 gpu/bands_sweep.py --out $OUT/bands --budget ${BUDGET:-320} --data .gpu_data/bands --commit $COMMIT --only ${ONLY%,} > $OUT/bands_console.txt 2>&1
tar czf $OUT/bands_logs.tgz -C $OUT/bands logs && rm -rf $OUT/bands/logs
tail -n 12 $OUT/bands_console.txt
