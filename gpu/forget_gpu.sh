#!/bin/bash
# Issue 9 on one GPU: 3 seeds x arm groups as concurrent processes, one JSONL per process (at most 8 files come back).
# Usage on the device (repo root, .gpu_data/forget = shared/data's gpt2/ + TinyStories txt):
#   LIMIT=540 GROUPS_="dense_A_only,dense,ewc bell,dynamic,routed" bash gpu/forget_gpu.sh $OUT COMMIT [extra forget_run.py args]
# Session 2 ran it twice: the default groups (routed was cut by LIMIT), then GROUPS_=routed LIMIT=300.
OUT=$1; COMMIT=$2; shift 2
export SPARSE_NB_COMMIT=$COMMIT SPARSE_NB_DATA=$PWD/.gpu_data/forget SPARSE_NB_CACHE=/tmp/snbcache PYTHONUNBUFFERED=1 PYTHONPATH=. OMP_NUM_THREADS=1
LIMIT=${LIMIT:-540}; GROUPS_=${GROUPS_:-"dense_A_only,dense,ewc bell,dynamic,routed"}
ARGS="--device cuda --n-digits 2 --vocab 0 --n-layer 4 --n-embd 128 --n-head 4 --seq 32 --batch 128 --lr 3e-3 --steps 1500
      --eval-every 250 --eval-iters 10 --lams 1e2 1e4 1e6 1e8 --tag gpu-s1500 $*"
python -c "from sparse_nb.data import tinystories, arith; tinystories(); arith(n_digits=2, val_frac=0.2)"   # fill the token cache once
mkdir -p /tmp/flogs
for s in 0 1 2; do for g in $GROUPS_; do
  n=${g%%,*}
  timeout $LIMIT python gpu/forget_run.py $ARGS --seeds $s --arms ${g//,/ } --out $OUT/forget_s${s}_$n.jsonl > /tmp/flogs/log_s${s}_$n.txt 2>&1 &
done; done
wait
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader > /tmp/flogs/gpu.txt; echo "commit $COMMIT" >> /tmp/flogs/gpu.txt
tail -n 2 /tmp/flogs/log_*.txt
