"""Forgetting v2 (issue 19, `sparse_nb.forgetting`): arms × seeds × phase-2 variants, one JSONL row per (arm, variant, seed).

Task A: 2-digit addition, task B: 2-digit subtraction, both generated (`ArithTask`) and read with the 15-id
character tokenizer, so both tasks answer with the same ten digit tokens (no vocabulary to suppress). Each arm's
model is trained on A to a plateau once per seed (`phase_a_v2`), every seed first; then every (rate, variant) pair,
in the order given (rates outer), runs for every seed, each on a copy of that seed's phase-A model (`phase_two`), so that a time
limit cuts the last pairs, not the last seeds. With `--phase-a-cache DIR` each phase A is saved there once and later
processes or device calls load it instead of training (`phase_a_cached`; the file name is a hash of all that determines it). Rows are appended as each run ends (under a file lock, so several processes can share one
file); rows already in `--out` with the same tag, arm, variant and seed are skipped.

    PYTHONPATH=. python gpu/forget2_run.py --smoke --out /tmp/f2.jsonl        # CPU proof, well under a minute
    bash gpu/forget2_gpu.sh OUTDIR COMMIT                                      # the GPU run
"""
import argparse, fcntl, json, os, sys, time
from dataclasses import asdict, fields, replace
import torch
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from sparse_nb.core import read_results, append_result, cli_errors
from sparse_nb.model import GPTConfig
from sparse_nb.data import arith
from sparse_nb.blockell_linear import set_bell_backend, BACKENDS
from sparse_nb.forgetting import V2Config, V2_ARMS, PLASTIC, phase_a_cached, phase_two

KEY = ('tag', 'arm', 'plastic', 'seed', 'lr_b')

def locked_append(path, row):
    with open(str(path) + '.lock', 'w') as lk:
        fcntl.flock(lk, fcntl.LOCK_EX); append_result(path, row, key=KEY)

@cli_errors
def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--arms', nargs='+', default=list(V2_ARMS)); p.add_argument('--plastic', nargs='+', default=list(PLASTIC))
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2]); p.add_argument('--tag', default='v2')
    p.add_argument('--n-layer', type=int, default=2); p.add_argument('--n-embd', type=int, default=64); p.add_argument('--n-head', type=int, default=4)
    p.add_argument('--block', type=int, default=16); p.add_argument('--out', default='results/forget2_runs.jsonl')
    p.add_argument('--smoke', action='store_true', help='tiny CPU proof: 1-digit tasks, a few steps')
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--bell-backend', default='ref', choices=BACKENDS,
                   help="Block-ELL ops: 'ref' (torch gather + bmm; no Triton autotuning of every new decode shape) or 'auto'")
    p.add_argument('--phase-a-cache', default=None, metavar='DIR',
                   help='folder of phase-A files: load a phase A saved there with the same key, else train it and save it (default: no cache)')
    p.add_argument('--lr-b-grid', type=float, nargs='+', default=None, help='phase-2 rates, each on a copy of the same phase-A model')
    for f in fields(V2Config):
        if f.name not in ('n_eval',): p.add_argument('--' + f.name.replace('_', '-'), type=type(f.default), default=None)
    a = p.parse_args(); torch.set_num_threads(a.threads); set_bell_backend(a.bell_backend)
    kw = {f.name: getattr(a, f.name) for f in fields(V2Config) if getattr(a, f.name, None) is not None}
    nd = 1 if a.smoke else 2
    if a.smoke: kw = dict(dict(steps_a=8, plateau_chunk=4, plateau_max=1, steps_b=4, relearn_max=4, relearn_every=2,
                              eval_every=4, eval_iters=1, batch_size=8, seq_len=16, update_every=2), **kw)
    cfg = V2Config(**kw); grid = a.lr_b_grid or [cfg.lr_b]
    A = arith(n_digits=nd, val_frac=0.2, op='+', tokenizer='char', n_tokens=20_000 if a.smoke else 300_000)
    B = arith(n_digits=nd, val_frac=0.2, op='-', tokenizer='char', n_tokens=20_000 if a.smoke else 300_000)
    base = GPTConfig(vocab_size=A.enc.n_vocab, seq_len=cfg.seq_len, n_layer=a.n_layer, n_head=a.n_head, n_embd=a.n_embd,
                     act='swiglu', bias=False, block_size=a.block)
    have = {tuple(r.get(k) for k in KEY) for r in read_results(a.out)}
    extra = dict(tag=a.tag, n_digits=nd, model_cfg=asdict(base), v2_cfg=asdict(cfg), argv=' '.join(sys.argv[1:]), bell_backend=a.bell_backend)
    t_all = time.time()
    pas, jobs = {}, [(lr, pl) for lr in grid for pl in a.plastic]     # priority: the first rate's variants first, all seeds each
    for arm in a.arms:
        for seed in a.seeds:
            if all((a.tag, arm, pl, seed, lr) in have for lr, pl in jobs): continue
            key = ('dense' if arm == 'replay' else arm, seed)
            if key not in pas:
                t0 = time.time(); pas[key] = phase_a_cached(arm, A, B, base, cfg, seed, a.phase_a_cache); pa = pas[key]
                c = pa.get('cache') or {}
                src = (f"loaded from the phase-A cache {c['path']} in {time.time() - t0:.1f} s (trained at {c['commit']})" if c.get('hit') else
                       f"trained{', saved to ' + c['path'] if c else ''}")
                print(f"[seed {seed}] {arm}: A to plateau in {pa['steps_a']} steps, {pa['plateau']} ({pa['wall_a']:.0f} s); {src}", flush=True)
    for lr, pl in jobs:
        for arm in a.arms:
            for seed in a.seeds:
                if (a.tag, arm, pl, seed, lr) in have: continue
                pa = pas[('dense' if arm == 'replay' else arm, seed)]; c = pa.get('cache') or {}
                r = phase_two(arm, pa, pl, A, B, base, replace(cfg, lr_b=lr), seed)
                locked_append(a.out, {**extra, 'lr_b': lr, 'phase_a_cached': bool(c.get('hit')), 'phase_a_commit': c.get('commit'), **r})
                print(f"[seed {seed}] {arm:>8} {pl:>5} lr_b {lr:g}: acc_A {r['acc_A_before']:.3f} → {r['acc_A_after']:.3f} "
                      f"(forgetting {r['forgetting']:.1f}%, restricted {r['forgetting_r']:.1f}%), acc_B {r['acc_B_after']:.3f}, "
                      f"relearn {r['relearn_steps']} steps, {r['wall_b']:.0f} s", flush=True)
    print(f"done in {time.time() - t_all:.0f} s")

if __name__ == '__main__': main()
