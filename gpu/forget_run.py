"""Catastrophic-forgetting experiment of issue 9 (`sparse_nb.forgetting`): every arm × seed, one JSONL row each.

Task A: addition from `ArithTask` (the embedded default generator), GPT-2 tokenized; task B: the TinyStories
sample. With `--vocab N` both are renumbered into one compact vocabulary (`compact_vocab`: every task-A id plus
the most frequent TinyStories ids) so that a CPU can afford the runs; `--vocab 0` keeps the full GPT-2
vocabulary. Rows already in `--out` with the same setup (`sparse_nb.forgetting.RUN_KEY`: tag, arm, seed, λ, model, training
config, task, vocabulary) are skipped, so the run resumes; the loop itself is `sparse_nb.forgetting.run_arms`. Runs on CPU or
GPU (`--device`); start one process per seed (or per arm group) to use several cores or share one GPU.

    PYTHONPATH=. SPARSE_NB_DATA=../shared/data python gpu/forget_run.py --device cpu --seeds 0      # the CPU-sized run
    bash gpu/forget_gpu.sh $OUT COMMIT                                                              # the issue-scale GPU run
"""
import argparse, os, sys, time
import torch
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from sparse_nb.core import read_results
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

tc = TrainConfig(steps=a.steps, batch_size=a.batch, seq_len=a.seq, lr=a.lr, weight_decay=a.weight_decay, eval_every=a.eval_every,
                 eval_iters=a.eval_iters, device=a.device, progress=False)
t_all = time.time()
run_arms(A, B, base, tc, seeds=a.seeds, arms=a.arms, lams=a.lams, results=a.out, tag=a.tag, density=a.density, topo=topo,
         fisher_batches=a.fisher_batches, vocab=vocab, enc=enc, n_train=a.n_train,
         extra=dict(unk_share_B=unk, argv=' '.join(sys.argv[1:])), log=lambda m: print(m, flush=True))
rows = [r for r in read_results(a.out) if r.get('tag') == a.tag]
print(f"done in {time.time() - t_all:.0f} s; {len(rows)} rows with tag {a.tag}")
print(summary_table(summarize(rows)))
