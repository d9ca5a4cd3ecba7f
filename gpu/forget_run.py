"""Catastrophic-forgetting experiment of issue 9 (`sparse_nb.forgetting`): every arm × seed, one JSONL row each.

Task A: addition from `ArithTask` (the embedded default generator), GPT-2 tokenized; task B: the TinyStories
sample. With `--vocab N` both are renumbered into one compact vocabulary (`compact_vocab`: every task-A id plus
the most frequent TinyStories ids) so that a CPU can afford the runs; `--vocab 0` keeps the full GPT-2
vocabulary. Rows already in `--out` (same tag, arm, seed, λ) are skipped, so the run resumes. Runs on CPU or
GPU (`--device`); start one process per seed (or per arm group) to use several cores or share one GPU.

    PYTHONPATH=. SPARSE_NB_DATA=../shared/data python gpu/forget_run.py --device cpu --seeds 0      # the CPU-sized run
    bash gpu/forget_gpu.sh $OUT COMMIT                                                              # the issue-scale GPU run
"""
import argparse, os, sys, time, json, math
from dataclasses import asdict
import numpy as np
import torch
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from sparse_nb.core import append_result, read_results, env_info
from sparse_nb.model import GPTConfig
from sparse_nb.data import arith, tinystories, gpt2_encoding
from sparse_nb.train import TrainConfig
from sparse_nb.forgetting import *

p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
p.add_argument('--device', default='cpu'); p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
p.add_argument('--arms', nargs='+', default=list(ARMS)); p.add_argument('--lams', type=float, nargs='+', default=[1e2, 1e3, 1e4, 1e5])
p.add_argument('--steps', type=int, default=800, help='optimizer steps of each phase (A and B)')
p.add_argument('--batch', type=int, default=16); p.add_argument('--seq', type=int, default=32)
p.add_argument('--lr', type=float, default=3e-3); p.add_argument('--weight-decay', type=float, default=0.1)
p.add_argument('--n-layer', type=int, default=3); p.add_argument('--n-embd', type=int, default=96); p.add_argument('--n-head', type=int, default=4)
p.add_argument('--block', type=int, default=16); p.add_argument('--density', type=float, default=0.5)
p.add_argument('--vocab', type=int, default=4096, help='compact vocabulary size; 0 = the full GPT-2 vocabulary'); p.add_argument('--n-digits', type=int, default=1); p.add_argument('--val-frac', type=float, default=0.2)
p.add_argument('--eval-every', type=int, default=100); p.add_argument('--eval-iters', type=int, default=10)
p.add_argument('--update-every', type=int, default=50, help='DynamicTopology decisions every N steps')
p.add_argument('--fisher-batches', type=int, default=20); p.add_argument('--n-train', type=int, default=200)
p.add_argument('--threads', type=int, default=1); p.add_argument('--tag', default='cpu-s800')
p.add_argument('--out', default='results/forget_runs.jsonl'); p.add_argument('--data-dir', default=None)
a = p.parse_args()
torch.set_num_threads(a.threads)

enc = gpt2_encoding(a.data_dir)
A0, B0 = arith(n_digits=a.n_digits, val_frac=a.val_frac), tinystories(a.data_dir)
if a.vocab:
    vocab = compact_vocab([A0.train, A0.val], [B0.train], size=a.vocab)
    A, B = remap(A0, vocab), remap(B0, vocab)
    unk, V = float((B.val == vocab.unk).mean()), vocab.size
else: vocab, A, B, unk, V = None, A0, B0, 0.0, enc.n_vocab
base = GPTConfig(vocab_size=V, seq_len=a.seq, n_layer=a.n_layer, n_head=a.n_head, n_embd=a.n_embd,
                 act='swiglu', bias=False, block_size=a.block)
topo = dict(update_every=a.update_every)
print(f"vocab {V} (TinyStories val tokens → unk: {unk:.2%}); task A: {len(A0.task.train_pairs)} train / "
      f"{len(A0.task.val_pairs)} held-out problems; {a.steps} steps per phase; device {a.device}", flush=True)

def todo(arm, seed, lam=0.0):
    return not any(r.get('tag') == a.tag and r['arm'] == arm and r['seed'] == seed and r['lam'] == lam for r in read_results(a.out))

def save(row):
    row = dict(tag=a.tag, **row, n_digits=a.n_digits, val_frac=a.val_frac, vocab_size=V, unk_share_B=unk,
               model_cfg=asdict(arm_config(row['arm'], base, a.density)), train_cfg=asdict(tc), topo=topo if row['arm'] == 'dynamic' else None,
               argv=' '.join(sys.argv[1:]))
    append_result(a.out, row, key=('tag', 'arm', 'seed', 'lam'))
    print(f"[seed {row['seed']}] {row['arm']:>12} λ={row['lam']:g}: acc_A {row['acc_A_before']:.3f} → {row['acc_A_after']:.3f} "
          f"(forgetting {row['forgetting']:.1f}%), train-problems {row['acc_A_train_before']:.3f} → {row['acc_A_train_after']:.3f}, "
          f"loss_B {row['loss_B_before']:.3f} → {row['loss_B']:.3f}, {row['wall_A'] + row['wall_B']:.0f} s", flush=True)

kw = dict(vocab=vocab, enc=enc, n_train=a.n_train, density=a.density)
t_all = time.time()
for seed in a.seeds:
    tc = TrainConfig(steps=a.steps, batch_size=a.batch, seq_len=a.seq, lr=a.lr, weight_decay=a.weight_decay, eval_every=a.eval_every, eval_iters=a.eval_iters,
                     seed=seed, device=a.device, progress=False)
    jobs = [(arm, 0.0) for arm in a.arms if arm != 'ewc'] + ([('ewc', l) for l in a.lams] if 'ewc' in a.arms else [])
    jobs = [j for j in jobs if todo(j[0], seed, j[1])]
    dense = [j for j in jobs if j[0] in DENSE_ARMS]
    pa = phase_a('dense', A, B, base, tc, **{k: v for k, v in kw.items()}) if dense else None
    for arm, lam in sorted(jobs, key=lambda j: (ARMS.index(j[0]), j[1])):
        t0 = time.time()
        row = run_protocol(arm, A, B, base, tc, lam=lam, fisher_batches=a.fisher_batches, topo=topo,
                           start=pa if arm in DENSE_ARMS else None, **kw)
        if arm in DENSE_ARMS and pa is not None: row['wall_A'] = pa['wall_A']
        save(row)
rows = [r for r in read_results(a.out) if r.get('tag') == a.tag]
print(f"done in {time.time() - t_all:.0f} s; {len(rows)} rows with tag {a.tag}")
print(summary_table(summarize(rows)))
