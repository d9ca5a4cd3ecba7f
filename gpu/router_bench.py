"""Routed block-sparse FFN on one GPU, in one process: every path checked against float64, FFN forward timings
(batch-1 decode and a 16,384-token batch, dense SwiGLU vs routed), then the TinyStories parity study.

  PYTHONPATH=. python gpu/router_bench.py --out $OUT            # on the device (H100)
  PYTHONPATH=. python gpu/router_bench.py --smoke --out /tmp/x  # tiny shapes on CPU: checks the script itself

Shapes are the source's: d=768, H=2048 = 32 blocks of 64, top-16, bf16. Decode is timed as a stack of 8 layers
with distinct weights (75 MB > the H100's 50 MB L2) run back to back, eagerly and captured in one CUDA graph,
per layer; triton's do_bench flushes L2 before every timed run. Dense and routed get the same treatment.
"""
import os, sys, json, time, math, argparse
from pathlib import Path
import numpy as np, torch, torch.nn.functional as F

ap = argparse.ArgumentParser()
ap.add_argument('--out', default=os.environ.get('OUT', 'gpu_out'))
ap.add_argument('--smoke', action='store_true', help='tiny shapes on CPU (Triton interpreter), to test this script')
ap.add_argument('--study-steps', type=int, default=600)
ap.add_argument('--data', default='.gpu_data/router')
ap.add_argument('--commit', default='', help='commit of the checkout (the device copy has no .git)')
ap.add_argument('--skip', default='', help="comma list of sections to skip: batch, study")
args = ap.parse_args()
OUT = Path(args.out); OUT.mkdir(parents=True, exist_ok=True)
from sparse_nb.core import cuda_graph, env_info, rel_err, TOLS, bench
import sparse_nb.router as router
from sparse_nb.router import RoutedFFN, compare_paths, router_topk, routed_decode_ffn, routed_ffn_ref, HAS_TRITON
from sparse_nb.router_study import study_configs, run_router_study

T0 = time.time()
def log(*a): print(f"[{time.time() - T0:6.1f}s]", *a, flush=True)

SMOKE = args.smoke
dev = torch.device('cpu' if SMOKE else 'cuda')
D, H, BS, K = (32, 128, 8, 8) if SMOKE else (768, 2048, 64, 16)
NB = H // BS
BF = torch.float32 if SMOKE else torch.bfloat16          # the interpreter has no bf16 dot; kernels are fp32-safe anyway
L = 2 if SMOKE else 8                                    # layers in the decode stack
TB = 64 if SMOKE else 16384                              # training-batch tokens
env = env_info()
if args.commit: env['commit'] = args.commit
SKIP = set(filter(None, args.skip.split(',')))
if not SMOKE:
    p = torch.cuda.get_device_properties(0)
    env.update(sm_count=p.multi_processor_count, l2_mb=getattr(p, 'L2_cache_size', 0) / 2**20, cuda=torch.version.cuda)
log(env)

def timed(fn, grad_to_none=None):
    "median / p20 / p80 in ms"
    if SMOKE: return bench(fn, warmup=1, rep=3)
    from triton.testing import do_bench
    m, a, b = do_bench(fn, warmup=25, rep=150, quantiles=[0.5, 0.2, 0.8], grad_to_none=grad_to_none)
    return dict(ms=m, p20=a, p80=b)

def graphed(fn):
    "Capture `fn` (no args) in a CUDA graph (`core.cuda_graph`); returns the replay callable"
    return fn if SMOKE else cuda_graph(fn)

def dense_ffn(x, w_gu, w_d):
    "Dense SwiGLU FFN: w_gu (2H, d) gate rows then up rows, w_d (d, H)"
    g, u = F.linear(x, w_gu).chunk(2, dim=-1)
    return F.linear(F.silu(g) * u, w_d)

result = dict(env=env, shape=dict(d=D, H=H, block_size=BS, num_blocks=NB, top_k=K, dtype=str(BF)), checks={}, rows=[])
def save():
    (OUT / 'router_bench.json').write_text(json.dumps(result, indent=1))

# ---------------------------------------------------------------- correctness
log('checks: paths vs float64 reference (fresh random inputs)')
torch.manual_seed(1)
ffn = RoutedFFN(D, H, BS, K).to(dev)
chk = result['checks']
def path_checks(tag=''):
    for name, T, impls, dt in ((f'bf16 T={TB // 4}', TB // 4, ('ref', 'grouped'), BF), ('bf16 T=3', 3, ('gather',), BF),
                               ('fp32 T=200', 200, ('grouped',), torch.float32), ('fp32 T=3', 3, ('gather',), torch.float32)):
        for ste in ('full', 'selected'):
            ffn.ste = ste
            try: errs = compare_paths(ffn, torch.randn(T, D, device=dev), impls=impls, dtype=dt)
            except Exception as e:
                chk[f'{"/".join(impls)} {name} ste={ste}{tag}'] = dict(ok=False, error=f"{type(e).__name__}: {e}"[:400])
                log('  FAILED', impls, name, ste, e); continue
            for impl, e in errs.items():
                chk[f'{impl} {name} ste={ste}{tag}'] = dict(max_rel_err=max(e.values()), tol=TOLS[dt], ok=max(e.values()) <= TOLS[dt], **e)
                log(f"  {impl:8s} {name:12s} ste={ste:8s}{tag} max rel err {max(e.values()):.2e} (tol {TOLS[dt]:.0e})")
path_checks()
if any(not v['ok'] for k, v in chk.items() if k.startswith('grouped bf16') or k.startswith('ref/grouped')):
    log('torch._grouped_mm path failed: retrying the grouped path with the per-block loop')
    router.USE_GROUPED_MM = False; path_checks(' (loop)')
result['grouped_mm_used'] = router.USE_GROUPED_MM
ffn.ste = 'full'

log('checks: fused Triton decode kernels')
for T in (1, 5):
    torch.manual_seed(10 + T)
    f = RoutedFFN(D, H, BS, K).to(dev).to(BF).eval()
    r0, r2 = f.router[0], f.router[2]
    x = torch.randn(T, D, device=dev, dtype=BF)
    lt = f.router_logits(x)
    for split in (1, 8):
        for rep in range(2):                                                    # second call reuses the workspaces
            logits, idx = router_topk(x, r0.weight, r0.bias, r2.weight, r2.bias, K, split=split)
            same = (idx.long().sort(-1).values == lt.topk(K).indices.sort(-1).values).all(-1).float().mean().item()
            chk[f'router_topk T={T} split={split} call{rep}'] = dict(logits_rel_err=rel_err(logits, lt), same_blocks=same,
                                                                      ok=rel_err(logits, lt) < 1e-5 and same == 1.0)
        hard = torch.zeros(T, NB, device=dev).scatter_(1, idx.long(), 1.)
        yr = routed_ffn_ref(x.double(), f.w_in.double(), f.w_down.double(), hard.double())
        for br in ((2, 4) if SMOKE else (8, 16, 32)):
            y = torch.full_like(x, float('nan'))                                 # poisoned: every element must be written
            routed_decode_ffn(x, f.w_in, f.w_down, idx, br=br, y=y)
            e = rel_err(y, yr); chk[f'decode T={T} split={split} br={br}'] = dict(rel_err=e, tol=TOLS[BF], ok=e <= TOLS[BF])
    f.impl = 'triton'
    with torch.no_grad():                                                       # through the module, eager and CUDA graph
        y1 = f(x).clone(); sel1 = f.last_selection.long().clone()
        xs, box = x.clone(), {}
        run = graphed(lambda: box.__setitem__('y', f(xs)))
        x2 = torch.randn_like(x); xs.copy_(x2); run()
        yg = box['y'].clone(); y2 = f(x2).clone()
        f.impl = 'ref'; yr1 = f(x); selr = f.last_selection
    same = bool(torch.equal(sel1.sort(-1).values, selr.sort(-1).values))
    chk[f'module triton T={T}'] = dict(rel_err=rel_err(y1, yr1), same_blocks_as_torch_router=same, graph_vs_eager=rel_err(yg, y2),
                                       ok=(rel_err(y1, yr1) <= TOLS[BF] or not same) and rel_err(yg, y2) <= TOLS[BF])
    for k_, v in chk.items():
        if f'T={T}' in k_ and k_.split()[0] in ('router_topk', 'decode', 'module'): log(f"  {k_}: {v}")
bad = [k for k, v in chk.items() if v.get('ok') is False]
log('checks failed: ' + ', '.join(bad) if bad else 'all checks passed')
save()

# ---------------------------------------------------------------- decode timing
log('decode (batch 1) timings')
torch.manual_seed(0)
layers = [RoutedFFN(D, H, BS, K).to(dev).to(BF).eval() for _ in range(L)]
dense = [(torch.randn(2 * H, D, device=dev, dtype=BF) * 0.02, torch.randn(D, H, device=dev, dtype=BF) * 0.02) for _ in range(L)]
x1 = torch.randn(1, D, device=dev, dtype=BF)
fixed = torch.stack([torch.randperm(NB, device=dev)[:K] for _ in range(1)]).int()
allb = torch.arange(NB, device=dev, dtype=torch.int32)[None]
def impl_fn(impl):
    def run():
        for f in layers: f.impl = impl; f(x1)
    return run
def rt(split, br, nw):
    def run():
        for f in layers:
            lg, ix = router_topk(x1, f.router[0].weight, f.router[0].bias, f.router[2].weight, f.router[2].bias, K, split=split, num_warps=nw)
            routed_decode_ffn(x1, f.w_in, f.w_down, ix, br=br, num_warps=nw)
    return run
variants = [('dense', 'dense SwiGLU: F.linear, silu*mul, F.linear', lambda: [dense_ffn(x1, *w) for w in dense]),
            ('routed', 'routed, torch ops: fp32 router, topk, gather+bmm', impl_fn('gather')),
            ('routed', 'routed, fused Triton (module: split 8, br 16)', impl_fn('triton'))]
variants += [('routed', f'routed, fused Triton split {s}, br {b}, {w} warps', rt(s, b, w))
             for s, b, w in ((1, 16, 4), (16, 16, 4), (8, 8, 4), (8, 32, 4), (8, 16, 8), (16, 8, 2))]
variants += [('kernel', 'fused FFN kernel only, 16 fixed blocks (no router)', lambda: [routed_decode_ffn(x1, f.w_in, f.w_down, fixed) for f in layers]),
             ('kernel', 'fused FFN kernel, all 32 blocks (a dense FFN, no router)', lambda: [routed_decode_ffn(x1, f.w_in, f.w_down, allb) for f in layers])]
with torch.no_grad():
    for mode in ('eager', 'graph'):
        for kind, name, fn in variants:
            try:
                run = graphed(fn) if mode == 'graph' else fn
                t = timed(run)
                result['rows'].append(dict(case='decode', mode=mode, kind=kind, variant=name, tokens=1, layers=L,
                                           **{k: v / L for k, v in t.items()}))
            except Exception as e:
                result['rows'].append(dict(case='decode', mode=mode, kind=kind, variant=name, error=f"{type(e).__name__}: {e}"[:300]))
                log('  FAILED', mode, name, e)
for mode in ('eager', 'graph'):
    dn = next(r for r in result['rows'] if r['case'] == 'decode' and r['mode'] == mode and r['kind'] == 'dense')
    for r in result['rows']:
        if r['case'] == 'decode' and r['mode'] == mode and 'ms' in r: r['vs_dense'] = dn['ms'] / r['ms']
for r in result['rows']:
    if 'ms' in r: log(f"  {r['mode']:5s} {r['variant']:58s} {r['ms'] * 1e3:8.2f} µs/layer  {r['vs_dense']:.2f}× vs dense")
save()
del layers, dense; graphed.keep.clear(); torch.cuda.empty_cache() if not SMOKE else None

# ---------------------------------------------------------------- training-batch timing
def batch_section():
  log(f'{TB}-token batch timings')
  torch.manual_seed(0)
  xb = torch.randn(TB, D, device=dev, dtype=BF)
  dy = torch.randn(TB, D, device=dev, dtype=BF)
  wgu = (torch.randn(2 * H, D, device=dev, dtype=BF) * 0.02).requires_grad_()
  wd = (torch.randn(D, H, device=dev, dtype=BF) * 0.02).requires_grad_()
  fb = RoutedFFN(D, H, BS, K).to(dev).to(BF)
  dense_flops = 2 * TB * D * 3 * H
  routed_flops = 2 * TB * (D * 128 + 128 * NB) + dense_flops * K // NB
  def fwd_routed(impl, ste='full'):
      def run(): fb.impl, fb.ste = impl, ste; return fb(xb)
      return run
  fwd = [('dense', 'dense SwiGLU', lambda: dense_ffn(xb, wgu, wd), dense_flops),
         ('routed', 'routed ref (dense mask-and-multiply)', fwd_routed('ref'), routed_flops),
         ('routed', 'routed grouped (grouped gate/up + dense down)', fwd_routed('grouped'), routed_flops)]
  for kind, name, fn, fl in fwd:
      for mode in ('forward', 'forward+backward'):
          variants_b = [('full',), ('selected',)] if (kind == 'routed' and mode != 'forward') else [('full',)]
          for (ste,) in variants_b:
              try:
                  if mode == 'forward':
                      with torch.no_grad(): t = timed(fn)
                  else:
                      def step(fn=fn, ste=ste):
                          if kind == 'routed': fb.ste = ste
                          y = fn(); y.backward(dy)
                      t = timed(step, grad_to_none=[wgu, wd] + list(fb.parameters()))
                  fl_m = fl * (1 if mode == 'forward' else 3)
                  result['rows'].append(dict(case=f'batch{TB}', mode=mode, kind=kind, variant=name + (f', ste={ste}' if kind == 'routed' and mode != 'forward' else ''),
                                             tokens=TB, **t, dense_equiv_tflops=(dense_flops * (1 if mode == 'forward' else 3)) / t['ms'] / 1e9,
                                             active_tflops=fl_m / t['ms'] / 1e9))
              except Exception as e:
                  result['rows'].append(dict(case=f'batch{TB}', mode=mode, kind=kind, variant=name, error=f"{type(e).__name__}: {e}"[:300]))
                  log('  FAILED', mode, name, e)
  for mode in ('forward', 'forward+backward'):
      dn = next(r for r in result['rows'] if r['case'] == f'batch{TB}' and r['mode'] == mode and r['kind'] == 'dense')
      for r in result['rows']:
          if r['case'] == f'batch{TB}' and r['mode'] == mode and 'ms' in r:
              r['vs_dense'] = dn['ms'] / r['ms']
              log(f"  {mode:16s} {r['variant']:62s} {r['ms'] * 1e3:9.1f} µs  {r['vs_dense']:.2f}× vs dense")
  save()
  del xb, dy, wgu, wd, fb
  if not SMOKE: torch.cuda.empty_cache()

if 'batch' not in SKIP: batch_section()

# ---------------------------------------------------------------- markdown
def md_table():
    out = [f"# Routed FFN benchmark\n\n{env['device']}, torch {env['torch']}, triton {env['triton']}, commit {env['commit']}.",
           f"Shape: d={D}, H={H} = {NB} blocks of {BS}, top-{K}, {BF}. Median (p20–p80) over do_bench runs, L2 flushed before each.",
           f"Decode: per layer, from a stack of {L} layers with distinct weights; vs_dense compares with the dense row of the same mode.\n",
           "| case | mode | variant | time | p20–p80 | vs dense |", "|---|---|---|---|---|---|"]
    for r in result['rows']:
        if 'ms' not in r: out.append(f"| {r['case']} | {r['mode']} | {r['variant']} | failed: {r['error'][:80]} | | |"); continue
        out.append(f"| {r['case']} | {r['mode']} | {r['variant']} | {r['ms'] * 1e3:.1f} µs | {r['p20'] * 1e3:.1f}–{r['p80'] * 1e3:.1f} | {r['vs_dense']:.2f}× |")
    out.append("\nChecks (max relative error vs float64): " + ', '.join(f"{k}: {v.get('max_rel_err', v.get('rel_err', v.get('logits_rel_err'))):.1e}" for k, v in chk.items()))
    return '\n'.join(out) + '\n'
(OUT / 'router_bench.md').write_text(md_table())

# ---------------------------------------------------------------- study
if 'study' not in SKIP:
 try:
     from sparse_nb.data import TokenData
     import sparse_nb.train  # noqa: F401  (needs fastcore + tqdm)
     dd = Path(args.data)
     data = TokenData(np.fromfile(dd / 'ts_train.bin', dtype=np.uint16), np.fromfile(dd / 'ts_val.bin', dtype=np.uint16), 'tinystories')
     runs, tcfg = study_configs(steps=args.study_steps, device=str(dev))
     if SMOKE:
         from dataclasses import replace
         runs = {n: replace(c, n_layer=2, seq_len=32) for n, c in runs.items()}
         tcfg = replace(tcfg, batch_size=2, eval_iters=1, eval_every=2)
     log(f'study: {list(runs)} × {tcfg.steps} steps, batch {tcfg.batch_size}×{runs["dense"].seq_len}, {data.n_tokens} tokens')
     study = run_router_study(data, runs, tcfg)
     (OUT / 'router_parity.json').write_text(json.dumps(dict(study=study, env=env, train_cfg=tcfg.__dict__), indent=1))
     for n, r in study.items(): log(f"  {n:13s} val loss {r['final_val_loss']:.4f} ppl {r['final_ppl']:.2f} ({r['wall_s']:.0f}s)")
     log(f"  routed/dense ppl {study['routed']['final_ppl'] / study['dense']['final_ppl']:.4f}")
 except Exception as e:
     import traceback; traceback.print_exc(); log('study failed:', e)

# ---------------------------------------------------------------- summary (last)
print('\n' + md_table())
log('done')
