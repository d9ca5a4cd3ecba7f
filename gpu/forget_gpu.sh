#!/bin/bash
# Issue 9 on one GPU: 3 seeds x {dense arms, sparse arms} as 6 concurrent processes, one JSONL per process.
# Usage on the device (repo root, .gpu_data/forget = shared/data's gpt2/ + TinyStories txt):  bash gpu/forget_gpu.sh $OUT COMMIT [extra forget_run.py args]
OUT=$1; COMMIT=$2; shift 2
export SPARSE_NB_DATA=$PWD/.gpu_data/forget SPARSE_NB_CACHE=/tmp/snbcache PYTHONUNBUFFERED=1 PYTHONPATH=. OMP_NUM_THREADS=1
LIMIT=${LIMIT:-540}
ARGS="--device cuda --n-digits 2 --vocab 0 --n-layer 4 --n-embd 128 --n-head 4 --seq 32 --batch 128 --lr 3e-3 --steps 1500
      --eval-every 250 --eval-iters 10 --lams 1e2 1e4 1e6 1e8 --tag gpu-s1500 $*"
python -c "from sparse_nb.data import tinystories, arith; tinystories(); arith(n_digits=2, val_frac=0.2)"   # fill the token cache once
for s in 0 1 2; do
  timeout $LIMIT python gpu/forget_run.py $ARGS --seeds $s --arms dense_A_only dense ewc --out $OUT/forget_s${s}_dense.jsonl > $OUT/log_s${s}_dense.txt 2>&1 &
  timeout $LIMIT python gpu/forget_run.py $ARGS --seeds $s --arms bell dynamic routed --out $OUT/forget_s${s}_sparse.jsonl > $OUT/log_s${s}_sparse.txt 2>&1 &
done
wait
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader > $OUT/gpu.txt
echo "commit $COMMIT" >> $OUT/gpu.txt
tail -n 3 $OUT/log_*.txt
