"""Issue 19 item 2, topology measured fairly (e03): dense vs static vs the gradient-EMA rule vs RigL vs SET, one JSONL row a run.

Tiny GPT (`GPTConfig.preset('tiny')`, vocabulary cut to the `--vocab` most frequent TinyStories tokens), Block-ELL B=16
on FC1 and FC2 at each `--densities`, `--seeds`, and a dense MLP with the same nonzero weights ('matched': hidden width ×
density); every dynamic arm is `sparse_nb.topology.DynamicTopology` with the
design's schedule (a decision every `--update-every` steps, 10% of each layer's blocks at the first, cosine decay, none
after 75% of training) and one of its rules. The final validation loss is a separate evaluation after the last step on
`--final-iters` batches, the same batches for every run. Modes:

    python gpu/topo2_run.py --calibrate --out CAL.json         # ms per optimizer step of the heaviest arm (ema, density 0.5)
    python gpu/topo2_run.py --worker I --workers 5 --out RUNS.jsonl --steps N --deadline T   # runs i ≡ I (mod 5), seed-major
    python gpu/topo2_run.py --worker I --claims DIR --out RUNS.jsonl --steps N --deadline T   # a queue: the next run no worker sharing DIR has taken
    python gpu/topo2_run.py --overhead --out RUNS.jsonl --steps N # hooks alone vs hooks + decisions, one process, interleaved

`--lrs 5e-4 2e-3 --arms static matched` adds the learning-rate sweep of the Block-ELL arm and its matched dense (rows keyed
by their rate too). `--smoke` shrinks everything for a CPU check (seconds per run). Rows already in `--out` with the same key are skipped;
a run that would not finish before `--deadline` is not started (a `skipped` row says so).
"""
import argparse, json, math, os, sys, time
from dataclasses import replace
import numpy as np
import torch, torch.nn as nn
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from sparse_nb.core import append_result, autocast
from sparse_nb.bench import time_fn
from sparse_nb.model import GPTConfig
from sparse_nb.data import TokenData, load_data
from sparse_nb.train import TrainConfig, train, build_model, make_optimizer, evaluate
from sparse_nb.topology import DynamicTopology

ARMS = ('dense', 'static', 'ema', 'rigl', 'set', 'matched')   # matched: a dense MLP as narrow as the Block-ELL one has nonzeros
KEY = ('kind', 'tag', 'arm', 'density', 'seed', 'steps', 'lr')

def cut_vocab(data:TokenData, V:int)->TokenData:
    "Keep the V − 1 most frequent train tokens and map the rest to one 'other' id"
    top = np.argsort(-np.bincount(data.train, minlength=65536), kind='stable')[:V - 1]
    lut = np.full(65536, V - 1, np.uint16); lut[top] = np.arange(V - 1)
    return TokenData(lut[data.train], lut[data.val], f'{data.name}-top{V}')

def model_cfg(a, arm, density)->GPTConfig:
    "The arm's model: the tiny dense GPT; with Block-ELL FC1/FC2 at `density`; or ('matched') dense with a hidden layer `density` as wide"
    base = GPTConfig.preset('tiny', vocab_size=a.vocab, seq_len=a.seq, **({'n_layer': 2} if a.smoke else {}))
    if arm == 'dense': return base
    if arm == 'matched': return replace(base, d_hidden=round(density * base.d_hidden))
    return replace(base, fc1='bell', fc2='bell', density=density, block_size=a.block)

def train_cfg(a, steps)->TrainConfig:
    return TrainConfig(steps=steps, batch_size=a.batch, seq_len=a.seq, lr=a.lr, eval_every=max(1, steps // 10),
                       eval_iters=a.eval_iters, seed=0, device=a.device, progress=False)

def run_list(a)->list:
    "(arm, density, seed, lr) of every run, seed-major: a seed's runs (dense, then each density's arms, each at every `--lrs`) come before the next seed's"
    out, lrs = [], a.lrs or [a.lr]
    for s in a.seeds:
        if 'dense' in a.arms: out += [('dense', 1.0, s, lr) for lr in lrs]
        for d in a.densities: out += [(arm, d, s, lr) for arm in ARMS[1:] if arm in a.arms for lr in lrs]
    return out

def one_run(a, data, arm, density, seed, steps, lr=None)->dict:
    "Train one run (at learning rate `lr`, default `--lr`) and return its row"
    lr = lr or a.lr
    cfg = model_cfg(a, arm, density); tc = replace(train_cfg(a, steps), seed=seed, lr=lr)
    m = build_model(cfg, seed)
    topo = None if arm in ('dense', 'static', 'matched') else DynamicTopology(m, update_every=a.update_every, prune_frac=a.prune_frac,
                                                                    rule=arm, steps=steps, stop_frac=a.stop_frac, seed=seed)
    t0 = time.time()
    rows = train(m, data, tc, hooks=[topo] if topo else [])
    train_s = time.time() - t0
    final = evaluate(m, data, replace(tc, eval_iters=a.final_iters))
    row = dict(kind='run', tag=a.tag, arm=arm, density=density, seed=seed, steps=steps, batch_size=a.batch, seq_len=a.seq,
               lr=lr, vocab=a.vocab, block_size=a.block if arm not in ('dense', 'matched') else None, n_layer=cfg.n_layer, n_embd=cfg.n_embd, d_hidden=cfg.d_hidden,
               mlp_params=m.mlp_params(), final_iters=a.final_iters, eval_iters=a.eval_iters,
               final_val=final, last_curve_val=rows[-1]['val_loss'], best_curve_val=min(r['val_loss'] for r in rows),
               curve_steps=[r['step'] for r in rows], curve_val=[round(r['val_loss'], 5) for r in rows],
               train_s=train_s, ms_per_step=1e3 * train_s / steps, smoke=a.smoke)
    if topo:
        h = topo.history; dec = sorted({r['step'] for r in h})
        row.update(topology=topo.config(), decisions=len(dec), last_decision=dec[-1] if dec else None,
                   swaps=sum(r['swaps'] for r in h), random_swaps=sum(r['random'] for r in h), considered=sum(r['considered'] for r in h),
                   blocks=sum(s['R'] * s['K'] for s in topo.summary()),
                   swaps_by_decision=[sum(r['swaps'] for r in h if r['step'] == s) for s in dec],
                   frac_by_decision=[round(next(r['frac'] for r in h if r['step'] == s), 5) for s in dec],
                   drift=float(np.mean([s['drift'] for s in topo.summary()])),
                   decision_ms=float(np.median([r['ms'] for r in h])) if h else None)
    return row

def load(a)->TokenData:
    return cut_vocab(load_data('tinystories'), a.vocab)

def calibrate(a, data)->dict:
    "Median ms of one training step of the ema arm at density 0.5 (warmup excluded), under whatever else runs now"
    cfg = model_cfg(a, 'ema', 0.5); tc = train_cfg(a, a.cal_steps)
    m = build_model(cfg, 0); DynamicTopology(m, update_every=a.update_every)   # hooks on; no decision in so few steps
    t0 = time.time(); train(m, data, replace(tc, steps=5, eval_every=5, eval_iters=1)); warm = time.time() - t0
    t0 = time.time(); train(m, data, replace(tc, eval_every=a.cal_steps, eval_iters=1)); dt = time.time() - t0
    return dict(ms_per_step=1e3 * dt / a.cal_steps, warm_s=warm, cal_steps=a.cal_steps)

def overhead(a, data, steps)->dict:
    "Step time with no hooks, with the ema rule's hooks, with RigL's dense-gradient capture; decision times; the fractions of a run"
    cfg, tc = model_cfg(a, 'static', 0.5), train_cfg(a, steps)
    dev = torch.device(a.device)
    x, y = data.get_batch('train', a.batch, a.seq, torch.Generator().manual_seed(0), dev)
    ms = {n: build_model(cfg, 0).to(dev) for n in ('none', 'ema', 'rigl')}
    opts = {n: make_optimizer(m, tc) for n, m in ms.items()}
    topos = dict(ema=DynamicTopology(ms['ema'], update_every=a.update_every),
                 rigl=DynamicTopology(ms['rigl'], update_every=1, rule='rigl'))    # every step captures the dense gradient
    def step(n):
        m, opt, hs = ms[n], opts[n], [topos[n]] if n in topos else []
        def f():
            with autocast(dev): loss = m(x, y)[1]
            loss.backward()
            for h in hs: h.before_step(m, opt, 0)
            nn.utils.clip_grad_norm_(m.parameters(), 1.0); opt.step(); opt.zero_grad(set_to_none=True)
        return f
    med = {n: [] for n in ms}
    for _ in range(a.oh_rounds):                                   # interleaved: drifts in the GPU's load hit all three alike
        for n in ms: med[n].append(time_fn(step(n), warmup=3, rep=a.oh_rep, device=dev)['ms'])
    t = {n: float(np.median(v)) for n, v in med.items()}
    topos['set'] = DynamicTopology(ms['none'], update_every=a.update_every, rule='set')
    dms = {r: float(np.median([topos[r].step(opts['ema' if r == 'ema' else 'rigl' if r == 'rigl' else 'none'])[0]['ms']
                               for _ in range(5)])) for r in ('ema', 'rigl', 'set')}
    n_dec = len([s for s in range(1, int(a.stop_frac * steps)) if s % a.update_every == 0])
    base = t['none'] * steps
    return dict(kind='overhead', tag=a.tag, steps=steps, update_every=a.update_every, decisions_per_run=n_dec, density=0.5,
                step_ms=t, step_ms_rounds=med, decision_ms=dms, smoke=a.smoke,
                ema_hooks_only_frac=(t['ema'] - t['none']) / t['none'],
                ema_decisions_frac=n_dec * dms['ema'] / base,
                ema_hooks_and_decisions_frac=(t['ema'] - t['none']) / t['none'] + n_dec * dms['ema'] / base,
                rigl_capture_and_decisions_frac=n_dec * (t['rigl'] - t['none'] + dms['rigl']) / base,
                set_decisions_frac=n_dec * dms['set'] / base)

def _rows(path)->list:
    "The rows of `path`, skipping a line another worker is writing right now"
    out = []
    for l in (open(path).read().splitlines() if os.path.exists(path) else []):
        try: out.append(json.loads(l))
        except ValueError: pass
    return out

def _claim(a, key)->bool:
    "With `--claims DIR`: take the run `key` for this worker (False: another worker of this call has it)"
    if not a.claims: return True
    os.makedirs(a.claims, exist_ok=True)
    f = os.path.join(a.claims, '_'.join(f"{key[k]}" for k in KEY) + '.claim')
    try: os.close(os.open(f, os.O_CREAT | os.O_EXCL | os.O_WRONLY)); return True
    except FileExistsError: return False

def _pace(a)->float|None:
    "Seconds per step of the slowest worker's latest run in this call (files in `--claims`; the load now, not at the call's start), or None"
    fs = [os.path.join(a.claims, f) for f in os.listdir(a.claims) if f.startswith('pace.')] if a.claims and os.path.isdir(a.claims) else []
    v = [float(open(f).read() or 0) for f in fs]
    return max(v) if v else None

def worker(a, data):
    "Run this worker's share: runs i ≡ `--worker` (mod `--workers`), or with `--claims` any run no other worker has taken (a queue)"
    runs = run_list(a) if a.claims else [r for i, r in enumerate(run_list(a)) if i % a.workers == a.worker]
    pace = None                                                      # seconds per step: the slowest run seen (a queue: the latest)
    for arm, d, s, lr in runs:
        key = dict(kind='run', tag=a.tag, arm=arm, density=d, seed=s, steps=a.steps, lr=lr)
        if any(all(r.get(k) == v for k, v in key.items()) for r in _rows(a.out)): continue
        left = a.deadline - time.time() if a.deadline else math.inf
        seen = (_pace(a) or pace) if a.claims else pace
        need = seen * a.steps if seen else a.est_s
        if need and need * 1.1 > left:                               # a queue's worker says so once, not once per run it passes
            why = f"{left:.0f} s left, a run takes ~{need:.0f} s"
            if a.claims: print(f"stop: {why}", flush=True); break
            append_result(a.out, dict(key, kind='skipped', why=why, smoke=a.smoke)); continue
        if not _claim(a, key): continue
        t0 = time.time()
        row = one_run(a, data, arm, d, s, a.steps, lr)
        append_result(a.out, row)
        pace = (time.time() - t0) / a.steps if a.claims else max(pace or 0, (time.time() - t0) / a.steps)   # a queue: the latest run
        if a.claims: open(os.path.join(a.claims, f'pace.{os.getpid()}'), 'w').write(f'{pace:.6f}')
        print(f"{arm:6s} d={d:<5} seed {s} lr {lr:g}: final val {row['final_val']:.4f}  {row['train_s']:.0f} s  swaps {row.get('swaps', '-')}", flush=True)

p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
p.add_argument('--out', required=True); p.add_argument('--tag', default='topo2')
p.add_argument('--device', default='cuda'); p.add_argument('--smoke', action='store_true')
p.add_argument('--calibrate', action='store_true'); p.add_argument('--count', action='store_true', help='print the number of runs and exit'); p.add_argument('--overhead', action='store_true')
p.add_argument('--worker', type=int, default=0); p.add_argument('--workers', type=int, default=1)
p.add_argument('--steps', type=int, default=3000); p.add_argument('--deadline', type=float, default=0, help='epoch seconds; 0: none')
p.add_argument('--est-s', type=float, default=0, help='expected seconds of one run before the first has ended (0: unknown)')
p.add_argument('--claims', default=None, metavar='DIR', help="a queue: workers sharing DIR take the next run no one has (and share their pace), instead of i ≡ worker (mod workers)")
p.add_argument('--arms', nargs='+', default=list(ARMS), choices=ARMS)
p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2]); p.add_argument('--densities', type=float, nargs='+', default=[0.5, 0.25, 0.125])
p.add_argument('--vocab', type=int, default=8192); p.add_argument('--seq', type=int, default=256); p.add_argument('--batch', type=int, default=32)
p.add_argument('--lr', type=float, default=1e-3); p.add_argument('--lrs', type=float, nargs='+', default=None, help='a learning-rate sweep: every run at each of these rates (default: --lr only)'); p.add_argument('--block', type=int, default=16)
p.add_argument('--update-every', type=int, default=100); p.add_argument('--prune-frac', type=float, default=0.1); p.add_argument('--stop-frac', type=float, default=0.75)
p.add_argument('--eval-iters', type=int, default=10); p.add_argument('--final-iters', type=int, default=40)
p.add_argument('--cal-steps', type=int, default=30); p.add_argument('--oh-rounds', type=int, default=3); p.add_argument('--oh-rep', type=int, default=15)
p.add_argument('--threads', type=int, default=1)

if __name__ == '__main__':
    a = p.parse_args()
    if a.smoke: a = argparse.Namespace(**{**vars(a), **dict(device='cpu', vocab=512, seq=32, batch=4, update_every=10,
                                                             final_iters=4, eval_iters=2, cal_steps=5, oh_rounds=2, oh_rep=3,
                                                             tag=a.tag + '-smoke')})
    if a.count: print(len(run_list(a))); sys.exit()
    torch.set_num_threads(a.threads)
    data = load(a)
    if a.calibrate: Path = __import__('pathlib').Path; Path(a.out).write_text(json.dumps(calibrate(a, data)))
    elif a.overhead: append_result(a.out, overhead(a, data, a.steps))
    else: worker(a, data)
