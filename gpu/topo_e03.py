"""e03 on the GPU: does moving Block-ELL blocks during training help? Tiny GPT on TinyStories, MLP linears
dense vs static random Block-ELL (density 0.5) vs dynamic Block-ELL (`DynamicTopology`), same steps and seed;
then the cost of the topology machinery as a fraction of the training step.

    PYTHONPATH=. python gpu/topo_e03.py --data .gpu_data/topo --out $OUT --budget 130 --commit <sha>
    PYTHONPATH=. python gpu/topo_e03.py --device cpu --steps 20 --batch-size 4 --seq-len 64   # smoke test

1. checks (float64 references, fresh random inputs): score accumulation of a CUDA Block-ELL layer against the
   dense gradient; regrowth leaves the output unchanged; the Triton path agrees with the reference path.
2. warm-up: 20 steps of each model kind (compiles kernels), measures ms/step; the step count of the runs is
   then chosen so that all runs fit in --budget seconds (a multiple of --update-every, at most --steps).
3. runs: dense, static, dynamic (growth='norm'), and dynamic growth='token' if time is left.
4. overhead: one optimizer step (fwd + bwd + optimizer) with and without the DynamicTopology hooks (CUDA
   events, median/p20/p80), plus the measured cost of a decision amortised over --update-every steps.

Writes topo_e03_runs.jsonl (eval rows + one summary row per run), topo_e03_dynamic.json (decision history,
snapshots, ages), topo_e03_overhead.json, topo_e03.md, topo_e03.log; prints the table last.
Needs fastcore (the library's `@patch`), not nbdev."""
import os, sys, json, time, math, argparse, traceback
from dataclasses import replace, asdict
import numpy as np
import torch, torch.nn as nn

p = argparse.ArgumentParser()
p.add_argument('--data', default='.gpu_data/topo', help='folder with ts_train.bin / ts_val.bin (uint16 GPT-2 tokens)')
p.add_argument('--out', default='.gpu_out')
p.add_argument('--device', default='cuda')
p.add_argument('--budget', type=float, default=130, help='seconds for the whole script; runs are sized to fit')
p.add_argument('--steps', type=int, default=3000, help='upper bound on training steps per run')
p.add_argument('--batch-size', type=int, default=32)
p.add_argument('--seq-len', type=int, default=256)
p.add_argument('--block-size', type=int, default=16)
p.add_argument('--update-every', type=int, default=50)
p.add_argument('--lr', type=float, default=1e-3)
p.add_argument('--seed', type=int, default=0)
p.add_argument('--full-tune', action='store_true', help='autotune over every Triton config (slow to compile)')
p.add_argument('--commit', default=None)
p.add_argument('--vocab', type=int, default=0, help='0: GPT-2 vocabulary; V: keep the V-1 most frequent train tokens, map the rest to one id (CPU runs)')
p.add_argument('--runs', default='dense,static,dynamic,dynamic-token', help='which runs (dynamic-token only if time is left)')
p.add_argument('--tag', default='', help='suffix for the run names (e.g. -ue100)')
p.add_argument('--overhead-only', action='store_true', help='checks and the overhead bench only (no training runs)')
args = p.parse_args()
T_START = time.time()
os.makedirs(args.out, exist_ok=True)
LOG = open(os.path.join(args.out, 'topo_e03.log'), 'a')
def log(*a):
    s = ' '.join(str(x) for x in a); print(s, flush=True); LOG.write(s + '\n'); LOG.flush()
def left(): return args.budget - (time.time() - T_START)

from sparse_nb.core import env_info, rel_err, TOLS, autocast, bench
from sparse_nb.model import GPTConfig
from sparse_nb.data import TokenData
from sparse_nb.train import TrainConfig, train, build_model, make_optimizer
from sparse_nb.blockell_linear import BlockELLLinear, bell_backend, set_bell_backend
from sparse_nb.topology import DynamicTopology, prune_, regrow_, bell_layers

dev = torch.device(args.device)
ENV = env_info()
if args.commit: ENV['commit'] = args.commit
log('env', ENV, 'args', vars(args))
if dev.type == 'cuda' and not args.full_tune:
    import sparse_nb.blockell_triton as bt
    _orig = bt.bell_configs
    bt.bell_configs = lambda kind, B, *a: _orig(kind, B, *a)[:1]     # first (Hopper-default) config only: 3 compiles, not 13
BACKEND = 'auto'

# ------------------------------------------------------------------ 1. checks
def check_row(name, out, ref, dtype):
    err = rel_err(out, ref); ok = err <= TOLS[dtype]
    log(f"  check {name:58s} rel_err {err:.2e} (tol {TOLS[dtype]:.0e}) {'ok' if ok else 'FAIL'}"); return dict(name=name, rel_err=err, tol=TOLS[dtype], ok=ok)

def checks():
    out = []
    g = torch.Generator().manual_seed(1234)
    # scores: 3 steps of random inputs / output gradients through a fp32 layer on the device vs float64 dense gradients
    for growth in ('norm', 'token'):
        lay = BlockELLLinear(256, 512, block_size=args.block_size, density=0.5, generator=g).to(dev)
        net = nn.Sequential(lay); topo = DynamicTopology(net, alpha_keep=0.9, alpha_grow=0.8, growth=growth)
        R, K, B, _ = lay.values.shape; C = 256 // B
        keep = torch.zeros(R, K, dtype=torch.float64); grow = torch.zeros(R, C, dtype=torch.float64)
        for t in range(3):
            x, w = torch.randn(300, 256, generator=g), torch.randn(300, 512, generator=g)
            (net(x.to(dev)) * w.to(dev)).sum().backward(); topo.before_step(net, None, t); net.zero_grad()
            x2, d2 = x.double(), w.double()
            Gb = (d2.T @ x2).reshape(R, B, C, B).square().sum((1, 3)).sqrt()
            keep = 0.9 * keep + 0.1 * Gb.gather(1, lay.col_indices.long().cpu())
            xn, dn = x2.reshape(-1, C, B).norm(dim=2), d2.reshape(-1, R, B).norm(dim=2)
            prod = dn.T @ xn if growth == 'token' else torch.outer(dn.square().sum(0).sqrt(), xn.square().sum(0).sqrt())
            grow = 0.8 * grow + 0.2 * prod
        out.append(check_row(f'retention EMA vs dense gradient ({growth})', topo.state['0']['keep'].cpu(), keep, torch.float32))
        out.append(check_row(f'growth EMA vs dense block norms ({growth})', topo.state['0']['grow'].cpu(), grow, torch.float32))
        topo.remove()
    # regrowth leaves the output unchanged; pruning equals removing the blocks from the float64 dense weight
    for dtype in (torch.float32, torch.bfloat16):
        lay = BlockELLLinear(256, 512, block_size=args.block_size, density=0.5, generator=g).to(dev, dtype)
        x = torch.randn(1000, 256, generator=g).to(dev, dtype)
        R, K = lay.values.shape[:2]
        rows = torch.arange(R, device=dev); slots = torch.randint(0, K, (R,), generator=g).to(dev)
        prune_(lay, rows, slots); W = lay.weight.to_dense().double()
        with torch.no_grad(): y1 = lay(x)
        out.append(check_row(f'pruned layer vs float64 dense ({str(dtype)[6:]})', y1, x.double() @ W.T + lay.bias.double(), dtype))
        absent = (~lay.weight.block_mask()).float().cpu()
        regrow_(lay, rows, slots, absent.multinomial(1, generator=g).flatten().to(dev))
        with torch.no_grad(): y2 = lay(x)
        same = bool(torch.equal(y1, y2)); log(f"  check regrow leaves the output bit-identical ({str(dtype)[6:]}): {same}")
        out.append(dict(name=f'regrow output unchanged ({str(dtype)[6:]})', rel_err=rel_err(y2, y1), tol=0.0, ok=same))
    # the default backend against the pure-torch reference on a bf16 training step of the experiment's MLP layer
    lay = BlockELLLinear(128, 512, block_size=args.block_size, density=0.5, generator=g).to(dev)
    x = torch.randn(4096, 128, generator=g).to(dev).requires_grad_(); dy = torch.randn(4096, 512, generator=g).to(dev)
    res = {}
    for b in ('auto', 'ref'):
        with bell_backend(b), autocast(dev):
            y = lay(x)
        (y.float() * dy).sum().backward(); res[b] = (y.float(), x.grad.clone(), lay.values.grad.clone()); x.grad = None; lay.values.grad = None
    for i, nm in enumerate(('y', 'dx', 'dvalues')): out.append(check_row(f'backend auto vs ref, bf16 autocast: {nm}', res['auto'][i], res['ref'][i], torch.bfloat16))
    return out

RESULT = dict(env=ENV, args=vars(args), checks=[], runs=[], overhead={}, errors=[])
def save():
    with open(os.path.join(args.out, 'topo_e03_overhead.json'), 'w') as f: json.dump(RESULT, f, indent=1)
try: RESULT['checks'] = checks()
except Exception: RESULT['errors'].append(traceback.format_exc()); log(traceback.format_exc())
if any(not c['ok'] and c['name'].startswith('backend') for c in RESULT['checks']):
    BACKEND = 'ref'; set_bell_backend('ref'); log('!! Triton path disagrees with the reference: runs use the ref backend')
RESULT['backend'] = BACKEND; save()

# ------------------------------------------------------------------ data, configs
def load_tokens():
    if dev.type == 'cpu' and not os.path.exists(os.path.join(args.data, 'ts_train.bin')):
        from sparse_nb.data import load_data; return load_data('tinystories')
    tr, va = (np.memmap(os.path.join(args.data, f), dtype=np.uint16, mode='r') for f in ('ts_train.bin', 'ts_val.bin'))
    return TokenData(tr, va, 'tinystories')
data = load_tokens()
if args.vocab:
    top = np.argsort(-np.bincount(data.train, minlength=65536), kind='stable')[:args.vocab - 1]
    lut = np.full(65536, args.vocab - 1, np.uint16); lut[top] = np.arange(args.vocab - 1)
    cover = float(np.isin(data.val, top).mean())
    data = TokenData(lut[data.train], lut[data.val], f'tinystories-top{args.vocab}')
    log(f"vocabulary cut to the {args.vocab - 1} most frequent train tokens + 1 'other' id: covers {cover:.1%} of val tokens")
log(f"data: {len(data.train):,} train / {len(data.val):,} val tokens")
base = GPTConfig.preset('tiny', **({'vocab_size': args.vocab} if args.vocab else {}))
sparse = replace(base, fc1='bell', fc2='bell', density=0.5, block_size=args.block_size)
TOPO = dict(update_every=args.update_every)     # every other DynamicTopology setting at its default
RUNS = [('dense', base, None), ('static', sparse, None), ('dynamic', sparse, 'norm'), ('dynamic-token', sparse, 'token')]
RUNS = [r for r in RUNS if r[0] in args.runs.split(',')]

class Deadline:
    "Hook: stop a run that would overrun the budget (the run is then marked partial); keeps the eval rows seen"
    def __init__(self, t): self.t, self.rows = t, []
    def on_step(self, model, opt, step):
        if time.time() > self.t: raise TimeoutError(f'deadline at step {step + 1}')
    def on_eval(self, step, metrics): self.rows.append(dict(metrics))

def tcfg(steps): return TrainConfig(steps=steps, batch_size=args.batch_size, seq_len=args.seq_len, lr=args.lr, eval_every=max(steps // 10, 1),
                                    eval_iters=20, seed=args.seed, device=args.device, progress=False)

# ------------------------------------------------------------------ 2. warm-up and sizing
ms = {}
for name, cfg, growth in ([] if args.overhead_only else [r for r in RUNS if r[0] != 'dynamic-token'] or RUNS):
    m = build_model(cfg, args.seed); hooks = [DynamicTopology(m, **TOPO, growth=growth)] if growth else []
    if hooks: hooks[0].update_every = 10
    t0 = time.time(); rows = train(m, data, replace(tcfg(20), eval_every=10, eval_iters=2), hooks=hooks)
    ms[name] = 1e3 * args.batch_size * args.seq_len / rows[-1]['tok_per_s']
    log(f"warm-up {name}: {time.time() - t0:.1f}s, {ms[name]:.1f} ms/step (steps 11-20)")
    del m, hooks
per_step = sum(ms.values()) / 1e3 or 1.0
eval_s = 10 * 20 * 3 * min(ms.values(), default=0) / 1e3 / 3          # 10 evals of 20 batches, forward only (~1/3 of a step)
avail = left() - 10 - eval_s                                 # keep ~10 s for the overhead bench and writing
steps = int(min(args.steps, max(args.update_every * 2, (avail / (1.15 * per_step + 1e-9)))) // args.update_every * args.update_every)
steps = max(steps, args.update_every)
log(f"sizing: {left():.0f}s left, ≈{per_step * 1e3:.0f} ms for one step of each of the 3 runs → {steps} steps per run")
RESULT['steps'] = steps; RESULT['warmup_ms_per_step'] = ms; save()

# ------------------------------------------------------------------ 3. runs
rows_path = os.path.join(args.out, 'topo_e03_runs.jsonl')
def write(row):
    with open(rows_path, 'a') as f: f.write(json.dumps(row) + '\n')
dyn = {}
for name, cfg, growth in ([] if args.overhead_only else RUNS):
    est = steps * ms.get(name, max(ms.values())) / 1e3 * 1.1
    if name == 'dynamic-token' and left() - 20 < est: log(f"skip {name}: {left():.0f}s left, needs ≈{est:.0f}s"); continue
    m = build_model(cfg, args.seed)
    topo = DynamicTopology(m, **TOPO, growth=growth) if growth else None
    hooks = ([topo] if topo else []) + [Deadline(time.time() + max(est * 1.5, 10) if name == 'dynamic-token' else T_START + args.budget - 8)]
    t0 = time.time(); partial = False
    try: rows = train(m, data, tcfg(steps), hooks=hooks)
    except TimeoutError as e: partial = True; rows = hooks[-1].rows; log(f"{name}: {e}")
    wall = time.time() - t0
    meta = dict(run=name + args.tag, fc1=cfg.fc1, fc2=cfg.fc2, density=cfg.density if cfg.fc1 == 'bell' else 1.0, block_size=cfg.block_size,
                topology=(dict(TOPO, growth=growth) if growth else None), seed=args.seed, steps=steps, batch_size=args.batch_size,
                seq_len=args.seq_len, lr=args.lr, vocab=cfg.vocab_size, mlp_params=m.mlp_params(), backend=BACKEND, **ENV)
    for r in rows: write(dict(meta, kind='eval', **r))
    summ = dict(meta, kind='summary', partial=partial, wall_s=wall, final_val=rows[-1]['val_loss'] if rows else None,
                best_val=min(r['val_loss'] for r in rows) if rows else None,
                ms_per_step=float(np.mean([1e3 * args.batch_size * args.seq_len / r['tok_per_s'] for r in rows[1:]])) if len(rows) > 1 else None)
    if topo: summ.update(swaps=sum(r['swaps'] for r in topo.history), random_swaps=sum(r['random'] for r in topo.history),
                         decisions=len({r['step'] for r in topo.history}), decision_ms=float(np.median([r['ms'] for r in topo.history])) if topo.history else None,
                         drift=float(np.mean([s['drift'] for s in topo.summary()])))
    write(summ); RESULT['runs'].append(summ); save()
    log(f"{name:14s} final val {summ['final_val']}, {summ['ms_per_step']} ms/step, {wall:.0f}s" + (f", {summ['swaps']} swaps" if topo else ''))
    if topo:
        dyn[name + args.tag] = dict(history=topo.history, summary=topo.summary(),
                         ages={n: a.tolist() for n, a in topo.block_ages().items()},
                         snapshots={n: [(s, c.tolist()) for s, c in topo.snapshots[n]] for n in ('h.0.mlp.c_fc', 'h.0.mlp.c_proj', 'h.3.mlp.c_proj')})
        with open(os.path.join(args.out, 'topo_e03_dynamic.json'), 'w') as f: json.dump(dyn, f)
    del m, topo

# ------------------------------------------------------------------ 4. overhead of the hooks on one optimizer step
try:
    tc = tcfg(steps)
    m = build_model(sparse, args.seed).to(dev); opt = make_optimizer(m, tc)
    x, y = data.get_batch('train', args.batch_size, args.seq_len, torch.Generator().manual_seed(0), dev)
    topo = DynamicTopology(m, **TOPO)
    def one(hooks):
        def f():
            with autocast(dev): loss = m(x, y)[1]
            loss.backward()
            for h in hooks: h.before_step(m, opt, 0)
            nn.utils.clip_grad_norm_(m.parameters(), 1.0); opt.step(); opt.zero_grad(set_to_none=True)
        return f
    with_h = bench(one([topo]), warmup=5, rep=30)
    topo.remove()
    without = bench(one([]), warmup=5, rep=30)
    topo._handles = [l.register_forward_hook(topo._forward_hook(n)) for n, l in topo.layers.items()]
    dec = [topo.step(opt)[0]['ms'] for _ in range(5)]        # decisions on the accumulated scores
    d_ms = float(np.median(dec))
    RESULT['overhead'] = dict(step_without_hooks=without, step_with_hooks=with_h, decision_ms=d_ms, decision_ms_all=dec,
                              per_step_frac=(with_h['ms'] - without['ms']) / without['ms'],
                              decision_frac_amortised=d_ms / (args.update_every * without['ms']),
                              decision_frac_amortised_100=d_ms / (100 * without['ms']),
                              total_frac=(with_h['ms'] - without['ms'] + d_ms / args.update_every) / without['ms'])
    log('overhead', json.dumps(RESULT['overhead']))
except Exception: RESULT['errors'].append(traceback.format_exc()); log(traceback.format_exc())
save()

# ------------------------------------------------------------------ table
lines = [f"# e03 dynamic topology — {ENV['device']}, torch {ENV['torch']}, triton {ENV['triton']}, commit {ENV.get('commit')}",
         f"tiny GPT (4L, C=128, vocab {base.vocab_size}), TinyStories sample, {steps} steps × {args.batch_size}×{args.seq_len} tokens, seed {args.seed}, "
         f"Block-ELL B={args.block_size} density 0.5 on FC1+FC2, backend {BACKEND}", '',
         '| run | final val loss | best val | Δ vs dense | ms/step | swaps | drift |', '|---|---|---|---|---|---|---|']
dense_v = next((r['final_val'] for r in RESULT['runs'] if r['run'] == 'dense' and r['final_val']), None)
def fmt(v, f='.4f'): return '–' if v is None else format(v, f)
for r in RESULT['runs']:
    fv = r['final_val']; d = f"{(fv - dense_v) / dense_v:+.2%}" if fv and dense_v else '–'
    lines.append(f"| {r['run']}{' (partial)' if r['partial'] else ''} | {fmt(fv)} | {fmt(r['best_val'])} | {d} | {fmt(r['ms_per_step'], '.1f')} | "
                 f"{r.get('swaps', '–')} | {fmt(r.get('drift'), '.2f')} |")
o = RESULT['overhead']
if o: lines += ['', f"overhead of DynamicTopology on one optimizer step (static Block-ELL model, {'bf16 autocast' if dev.type == 'cuda' else 'fp32'}): hooks {o['step_with_hooks']['ms']:.2f} ms "
                f"(p20 {o['step_with_hooks']['p20']:.2f}, p80 {o['step_with_hooks']['p80']:.2f}) vs {o['step_without_hooks']['ms']:.2f} ms "
                f"(p20 {o['step_without_hooks']['p20']:.2f}, p80 {o['step_without_hooks']['p80']:.2f}) = {o['per_step_frac']:+.1%}; "
                f"a decision {o['decision_ms']:.1f} ms = {o['decision_frac_amortised']:.1%} of a step amortised over {args.update_every} steps "
                f"({o['decision_frac_amortised_100']:.2%} at the default update_every=100); "
                f"total {o['total_frac']:+.1%}"]
lines += ['', 'checks: ' + ', '.join(f"{c['name']}: {'ok' if c['ok'] else 'FAIL'}" for c in RESULT['checks'])]
open(os.path.join(args.out, 'topo_e03.md'), 'w').write('\n'.join(lines) + '\n')
log(f"total {time.time() - T_START:.0f}s"); log('\n'.join(lines))
