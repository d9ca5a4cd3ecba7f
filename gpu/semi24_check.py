"""2:4 semi-structured sparsity on the GPU, in one process: why torchao's call pattern crashes, correctness of
the cuSPARSELt path vs the float64 dense-masked reference, kept magnitude of the pruning rules, the MLP
benchmark (dense vs 2:4, with the time split), and tiny-GPT TinyStories training (dense vs 2:4).

Run on the device from the repo root:  PYTHONPATH=. python gpu/semi24_check.py [--no-rootcause --no-kept --no-split --no-graph --no-train]
Writes $OUT/semi24_check.json and $OUT/semi24_bench.md; prints a short table last."""
import os, sys, json, time, math, copy, warnings
from pathlib import Path
import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F
from sparse_nb.core import *
from sparse_nb import semi24 as S
from sparse_nb.semi24 import SemiSparseLinear, tile_prune_24, tile_mask_24_ref, mask_24, kept_fraction, is_24

T0 = time.time(); OUT = Path(os.environ.get('OUT', 'out'))
SKIP = {a[5:] for a in sys.argv[1:] if a.startswith('--no-')}   # rootcause, kept, split, graph, train
TAG = os.environ.get('SEMI24_TAG', ''); OUT.mkdir(parents=True, exist_ok=True)
dev = torch.device('cuda'); bf16 = torch.bfloat16
R = dict(env={**env_info(), 'cusparselt': torch.backends.cusparselt.version(), 'cc': torch.cuda.get_device_capability()})
def log(*a): print(*a, flush=True)
def save(): (OUT/f'semi24_check{TAG}.json').write_text(json.dumps(R, indent=1, default=str))
g = torch.Generator(dev).manual_seed(1234)
def rnd(*s, std=1.0): return torch.randn(*s, device=dev, generator=g) * std

# --- 1. why torchao's SemiSparseLinear trips `compressed_A.dim() == 2` -----------------------------------
rc = {}
if 'rootcause' in SKIP: R['pack_route'] = S.pack_route(dev)
else:
  rc = {}
  w = rnd(512, 256); wm, m = tile_prune_24(w, bf16)
  packed, meta, packed_t, meta_t, bitmask = torch._sparse_semi_structured_tile(wm, algorithm='largest_abs_values_greedy', use_cutlass=False)
  rc['tile_packed_shape'] = list(packed.shape); rc['tile_packed_t_shape'] = list(packed_t.shape)
  rc['cslt_compress_shape'] = list(torch._cslt_compress(wm).shape)
  x = rnd(64, 256).to(bf16)
  try: torch._cslt_sparse_mm(packed, x.t()); rc['raw_1d'] = 'ok'
  except Exception as e: rc['raw_1d'] = f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"
  try:  # torchao 0.18 SemiSparseLinear.forward, verbatim logic: subclass from the tile op, then F.linear on a 3-D input
      sp = torch.sparse.SparseSemiStructuredTensorCUSPARSELT(wm.shape, packed=packed, meta=meta, packed_t=packed_t, meta_t=meta_t,
          compressed_swizzled_bitmask=bitmask, requires_grad=False, fuse_transpose_cusparselt=True)
      F.linear(x.view(4, 16, 256), sp); rc['torchao_pattern'] = 'ok'
  except Exception as e: rc['torchao_pattern'] = f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"
  ref = x.double() @ wm.double().t()
  for route, (p, pt) in [('tile_view2d', S._pack_tile(wm)), ('cslt_compress', S._pack_compress(wm))]:
      try:
          y = torch._cslt_sparse_mm(p, x.t(), transpose_result=True)
          gy = rnd(64, 512).to(bf16); gx = torch._cslt_sparse_mm(pt, gy.t(), transpose_result=True)
          rc[route] = dict(fwd_rel_err=rel_err(y, ref), dx_rel_err=rel_err(gx, gy.double() @ wm.double()))
      except Exception as e: rc[route] = f"{type(e).__name__}: {str(e)[:200]}"
  rc['pack_route'] = S.pack_route(dev); R['root_cause'] = rc; R['pack_route'] = rc['pack_route']; save()
  log('root cause:', json.dumps(rc, indent=1))

# --- 2. correctness: Triton mask vs torch reference; layer vs float64 dense-masked reference --------------
mk = []
for (o, i) in [(3072, 768), (768, 3072), (256, 384)]:
    w = rnd(o, i, std=0.02); wb, mm = tile_prune_24(w, bf16); mr = tile_mask_24_ref(w)
    wz = torch.zeros(o, i, device=dev); _, mz = tile_prune_24(wz)
    wt = torch.randint(-2, 3, (o, i), device=dev, generator=g).float(); _, mt = tile_prune_24(wt)
    mk.append(dict(shape=[o, i], mask_equal_ref=bool(torch.equal(mm, mr)), mismatch_tiles=int((mm != mr).sum()) // 16,
                   kept_triton=kept_fraction(w, mm), kept_ref=kept_fraction(w, mr), bf16_copy_exact=bool(torch.equal(wb, (w * mm).to(bf16))),
                   valid_24_both=is_24(mm, 1) and is_24(mm, 0), zeros_valid=is_24(mz, 1) and is_24(mz, 0),
                   ties_equal_ref=bool(torch.equal(mt, tile_mask_24_ref(wt))), ties_valid=is_24(mt, 1) and is_24(mt, 0)))
R['mask_check'] = mk; log('mask check:', mk)

def check_layer(out_f, in_f, n, static, seed):
    gg = torch.Generator(dev).manual_seed(seed)
    lin = SemiSparseLinear(in_f, out_f, static=static).to(dev)
    with torch.no_grad(): lin.weight.normal_(0, 0.02, generator=gg); lin.bias.normal_(0, 0.02, generator=gg)
    if static: lin.update_mask_()
    x = torch.randn(n, in_f, device=dev, generator=gg, requires_grad=True); gy = torch.randn(n, out_f, device=dev, generator=gg)
    yp = torch.full((n, out_f), float('nan'), device=dev)  # poison: the output must be fully written
    with torch.autocast('cuda', dtype=bf16): y = lin(x)
    yp.copy_(y.float()); y.backward(gy.to(bf16))
    mm = lin.current_mask(); wd = (lin.weight.detach() * mm).to(bf16).double()
    xd, gyd = x.detach().to(bf16).double(), gy.to(bf16).double(); gw = gyd.t() @ xd
    e = dict(y=rel_err(yp, xd @ wd.t() + lin.bias.detach().to(bf16).double()), grad_x=rel_err(x.grad, gyd @ wd),
             grad_w=rel_err(lin.weight.grad, gw * mm if static else gw), grad_b=rel_err(lin.bias.grad, gyd.sum(0)))
    return dict(shape=[out_f, in_f], tokens=n, static=static, seed=seed, sparse_path=S.semi24_reason(x, out_f, in_f, bf16) is None,
                **e, ok=max(e.values()) <= TOLS[bf16])

R['correctness'] = [check_layer(o, i, n, st, sd) for sd, (o, i, n, st) in enumerate(
    [(3072, 768, 4096, False), (768, 3072, 4099, False), (8192, 2048, 2048, False), (3072, 768, 1000, True), (512, 128, 8, False)])]
for r in R['correctness']: log('correctness:', r)
save()

# --- 3. kept magnitude: row-wise vs tile exact vs torch's greedy tile (abs and signed default) -------------
def greedy_mask(w, algo):
    _, _, _, _, bm = torch._sparse_semi_structured_tile(w.to(bf16).contiguous(), algorithm=algo, use_cutlass=True)
    return torch._sparse_semi_structured_apply_dense(torch.ones_like(w, dtype=bf16), bm) != 0

def kept_rows(name, w):
    row = dict(weight=name, shape=list(w.shape), row_24=kept_fraction(w, mask_24(w)), tile_exact=kept_fraction(w, tile_mask_24_ref(w)))
    for algo, key in [('largest_abs_values_greedy', 'torch_greedy_abs'), ('', 'torch_default_signed')]:
        try: mg = greedy_mask(w, algo); row[key] = kept_fraction(w, mg); row[key + '_nnz_frac'] = mg.float().mean().item()
        except Exception as e: row[key] = f"{type(e).__name__}: {str(e)[:120]}"
    return row
R['kept_fraction'] = [] if 'kept' in SKIP else [kept_rows('random normal', rnd(3072, 768)), kept_rows('random uniform', torch.rand(3072, 768, device=dev, generator=g) - .5)]
for r in R['kept_fraction']: log('kept:', r)
save()

# --- 4. MLP benchmark: FC1 -> relu^2 -> FC2, fwd+bwd, 16k tokens, fp32 master weights under bf16 autocast -----
N = 16384
def timed(fn, rep=50): r = bench(fn, warmup=10, rep=rep); return dict(ms=r['ms'], p20=r['p20'], p80=r['p80'])
def graphed(step):   # capture one whole fwd+bwd step (prune/pack included when the step does them) in a CUDA graph
    for _ in range(3): step()
    return cuda_graph(step).graph
bench_rows, split_rows = [], []
for d, h in [(768, 3072), (2048, 8192)]:
    case = f"mlp d={d} h={h} N={N}"
    x = rnd(N, d).requires_grad_(True); gy = rnd(N, d).to(bf16)
    dense1, dense2 = nn.Linear(d, h).to(dev), nn.Linear(h, d).to(dev)
    def mk_step(f1, f2, reset):
        ps = [x, *f1.parameters(), *f2.parameters()]
        def fn():
            for p in ps: p.grad = None
            if reset: f1.post_step(); f2.post_step()
            with torch.autocast('cuda', dtype=bf16, cache_enabled=False): y = f2(F.relu(f1(x)).square())
            y.backward(gy)
        return fn
    def semi(static): return (SemiSparseLinear.from_dense(copy.deepcopy(dense1), static), SemiSparseLinear.from_dense(copy.deepcopy(dense2), static))
    variants = [('dense (F.linear, bf16 autocast)', mk_step(dense1, dense2, False)),
                ('2:4 dynamic: prune+pack every step', mk_step(*semi(False), True)),
                ('2:4 static mask: pack every step', mk_step(*semi(True), True)),
                ('2:4 cached pack: matmuls only (frozen W / micro-steps)', mk_step(*semi(False), False))]
    base = gbase = None
    for name, fn in variants:
        t = timed(fn); base = base or t['ms']
        bench_rows.append(dict(case=case, variant=name, **t, speedup_vs_dense=base / t['ms'])); log(bench_rows[-1])
    if 'graph' not in SKIP:
        for name, fn in variants:   # same steps replayed from CUDA graphs: no per-call host overhead
            try:
                gr = graphed(fn); t = timed(gr.replay); gbase = gbase or t['ms']; del gr
                bench_rows.append(dict(case=case, variant=name + ' [CUDA graph]', **t, speedup_vs_dense=gbase / t['ms']))
            except Exception as e: bench_rows.append(dict(case=case, variant=name + ' [CUDA graph]', ms=float('nan'), p20=float('nan'), p80=float('nan'), speedup_vs_dense=float('nan'), error=f"{type(e).__name__}: {str(e)[:160]}"))
            log(bench_rows[-1]); torch.cuda.synchronize()
    # the split, per MLP (both linears), bf16 tensors
    xb, hb, gh = x.detach().to(bf16), rnd(N, h).to(bf16), rnd(N, h).to(bf16)
    w1, w2 = dense1.weight.detach(), dense2.weight.detach()
    wm1, _ = tile_prune_24(w1, bf16); wm2, _ = tile_prune_24(w2, bf16)
    c1, c2 = S._pack_tile(wm1) if R['pack_route'] == 'tile' else S._pack_compress(wm1), S._pack_tile(wm2) if R['pack_route'] == 'tile' else S._pack_compress(wm2)
    w1b, w2b = w1.to(bf16), w2.to(bf16)
    fl = 2 * N * d * h
    parts = [
        ('prune: exact tile, Triton (fp32 W -> bf16 masked), both W', lambda: (tile_prune_24(w1, bf16), tile_prune_24(w2, bf16)), 0),
        ('prune: exact tile, torch reference, both W', lambda: (tile_mask_24_ref(w1), tile_mask_24_ref(w2)), 0),
        ('pack: _sparse_semi_structured_tile (W and Wt), both W', lambda: (S._pack_tile(wm1), S._pack_tile(wm2)), 0),
        ('pack: _cslt_compress(W) + _cslt_compress(Wt), both W', lambda: (S._pack_compress(wm1), S._pack_compress(wm2)), 0),
        ('prune+pack: torch greedy tile op alone, both W', lambda: (torch._sparse_semi_structured_tile(w1b, algorithm='largest_abs_values_greedy', use_cutlass=False),
                                                                   torch._sparse_semi_structured_tile(w2b, algorithm='largest_abs_values_greedy', use_cutlass=False)), 0),
        ('fwd dense: x W1t, h W2t', lambda: (F.linear(xb, w1b), F.linear(hb, w2b)), 2 * fl),
        ('fwd 2:4 cuSPARSELt (B = contiguous xT, as the layer)', lambda: (torch._cslt_sparse_mm(c1[0], xb.t().contiguous(), transpose_result=True), torch._cslt_sparse_mm(c2[0], hb.t().contiguous(), transpose_result=True)), 2 * fl),
        ('dx dense: gh W1, gy W2', lambda: (gh @ w1b, gy @ w2b), 2 * fl),
        ('dx 2:4 cuSPARSELt (B = contiguous gyT, as the layer)', lambda: (torch._cslt_sparse_mm(c1[1], gh.t().contiguous(), transpose_result=True), torch._cslt_sparse_mm(c2[1], gy.t().contiguous(), transpose_result=True)), 2 * fl),
        ('dW dense (both paths): ghT x, gyT h', lambda: (gh.t() @ xb, gy.t() @ hb), 2 * fl),
        ('relu^2 fwd+bwd elementwise (both paths)', lambda: (F.relu(hb).square(), 2 * F.relu(hb) * gh), 0)]
    for name, fn, flops in ([] if 'split' in SKIP else parts):
        try: t = timed(fn)
        except Exception as e: t = dict(ms=float('nan'), error=f"{type(e).__name__}: {str(e)[:120]}")
        split_rows.append(dict(case=case, part=name, **t, tflops=flops / t['ms'] / 1e9 if flops and t['ms'] == t['ms'] else None)); log(split_rows[-1])
    del x, gy, dense1, dense2, variants, xb, hb, gh, c1, c2; torch.cuda.empty_cache()
R['bench'], R['bench_split'] = bench_rows, split_rows; save()

# --- 5. training quality: tiny GPT on TinyStories, dense (2 seeds) vs 2:4 (2 seeds) -----------------------
if 'train' not in SKIP:
    try:
        from sparse_nb.train import TrainConfig, train, build_model, model_config
        from sparse_nb.data import TokenData
        D = Path('.gpu_data/semi24'); data = TokenData(np.fromfile(D/'ts_train.bin', dtype=np.uint16), np.fromfile(D/'ts_val.bin', dtype=np.uint16), 'tinystories')
        tc = dict(steps=500, batch_size=32, seq_len=256, lr=1e-3, eval_every=100, eval_iters=20, device='cuda', progress=False)
        runs = []
        for sparse, seed in [(False, 0), (True, 0), (False, 1), (True, 1)]:
            if time.time() - T0 > float(os.environ.get('SEMI24_TRAIN_DEADLINE', 200)): log('skipping run: time'); continue
            S._WARNED.clear(); t0 = time.time()
            model = build_model(model_config('tiny', sparse=sparse), seed=seed)
            rows = train(model, data, TrainConfig(seed=seed, **tc))
            runs.append(dict(mlp='semi24' if sparse else 'dense', seed=seed, final_val=rows[-1]['val_loss'], curve=[(r['step'], r['val_loss']) for r in rows],
                             tok_per_s=rows[-1]['tok_per_s'], wall_s=time.time() - t0, dense_fallback_warnings=sorted(S._WARNED)))
            log({k: v for k, v in runs[-1].items() if k != 'curve'})
            if not sparse and seed == 0:
                R['kept_fraction'] += [kept_rows(f"trained tiny GPT h.{i}.mlp.{n}", getattr(b.mlp, n).weight.detach().float())
                                       for i, b in enumerate(model.h) for n in ('c_fc', 'c_proj')]
            del model; torch.cuda.empty_cache()
        dv = [r['final_val'] for r in runs if r['mlp'] == 'dense']; sv = [r['final_val'] for r in runs if r['mlp'] == 'semi24']
        R['train'] = dict(config=tc, model='tiny (4x128, H=512, gelu)', runs=runs, dense_seed_gap=abs(dv[0] - dv[1]) if len(dv) > 1 else None,
                          delta_same_seed=[s - d for s, d in zip(sv, dv)], delta_mean=float(np.mean(sv) - np.mean(dv)) if sv and dv else None)
    except Exception as e:
        import traceback; R['train'] = f"failed: {type(e).__name__}: {e}"; traceback.print_exc()
    save()

# --- summary --------------------------------------------------------------------------------------------
md = [f"# semi24 on {R['env']['device']} (torch {R['env']['torch']}, cuSPARSELt {R['env']['cusparselt']}, pack route {R['pack_route']})", '',
      '| case | variant | ms (p20-p80) | speedup vs dense |', '|---|---|---|---|']
md += [f"| {r['case']} | {r['variant']} | {r['ms']:.3f} ({r['p20']:.3f}-{r['p80']:.3f}) | {r['speedup_vs_dense']:.2f}x |" for r in bench_rows]
md += ['', '| case | part | ms | TFLOP/s |', '|---|---|---|---|']
md += [f"| {r['case']} | {r['part']} | {r['ms']:.3f} | {r['tflops'] or 0:.0f} |" for r in split_rows]
(OUT/f'semi24_bench{TAG}.md').write_text('\n'.join(md) + '\n')
log('\n'.join(md))
log('correctness ok:', all(r['ok'] for r in R['correctness']), [round(max(r['y'], r['grad_x'], r['grad_w'], r['grad_b']), 5) for r in R['correctness']])
if isinstance(R.get('train'), dict): log('train:', {k: R['train'][k] for k in ('dense_seed_gap', 'delta_same_seed', 'delta_mean')},
                                          [(r['mlp'], r['seed'], round(r['final_val'], 4), round(r['tok_per_s'])) for r in R['train']['runs']])
