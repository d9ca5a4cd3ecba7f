"""CPU pilot for issue 9's step budget: does a small dense GPT learn 2-digit addition (held-out exact match), and how fast?

Trains task A only (`sparse_nb.forgetting.phase_a`, arm 'dense') with the compact vocabulary and prints the accuracy
probe every 250 steps. Session 2 ran it three ways (results/forget_pilot.md):

    SPARSE_NB_DATA=../shared/data OMP_NUM_THREADS=1 python scripts/forget_pilot.py STEPS N_LAYER N_EMBD BATCH SEQ LR WD VAL_FRAC
    e.g. 3000 3 96 32 32 3e-3 0.1 0.2
"""
import sys, time, torch
from sparse_nb.model import GPTConfig
from sparse_nb.data import arith, tinystories, gpt2_encoding
from sparse_nb.train import TrainConfig
from sparse_nb.forgetting import compact_vocab, remap, phase_a

steps, nl, ne, bs, seq = map(int, sys.argv[1:6]); lr, wd, vf = map(float, sys.argv[6:9])
torch.set_num_threads(1)
enc = gpt2_encoding()
A0, B0 = arith(n_digits=2, val_frac=vf), tinystories()
vocab = compact_vocab([A0.train, A0.val], [B0.train], size=4096)
A, B = remap(A0, vocab), remap(B0, vocab)
base = GPTConfig(vocab_size=vocab.size, seq_len=seq, n_layer=nl, n_head=4, n_embd=ne, act='swiglu', bias=False, block_size=16)
tc = TrainConfig(steps=steps, batch_size=bs, seq_len=seq, lr=lr, weight_decay=wd, eval_every=250, eval_iters=5, seed=0, device='cpu', progress=False)
t0 = time.time()
pa = phase_a('dense', A, B, base, tc, vocab=vocab, enc=enc, n_train=200)
print(sys.argv[1:], 'wall', round(time.time() - t0), flush=True)
for r in pa['curve_A']: print(r, flush=True)
print(pa['before'])
