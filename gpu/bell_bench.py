"""Block-ELL on the GPU in one process: correctness of every kernel against float64, then speed against dense
cuBLAS, PyTorch's Triton BSR kernel and STK (stanford-stk), at 16k tokens, bf16.

    PYTHONPATH=. python gpu/bell_bench.py --out $OUT            # everything
    PYTHONPATH=. python gpu/bell_bench.py --out $OUT --skip-checks --shapes 2048x8192

Writes bell_bench.json (env, checks, timing rows), bell_bench.log; prints a short table last.
Needs no fastcore/nbdev (only sparse_nb.core / blockell / blockell_triton)."""
import os, sys, json, time, argparse, traceback, math
import torch, torch.nn.functional as F
import triton
from triton.testing import do_bench
from sparse_nb.core import env_info, rel_err, TOLS
from sparse_nb.blockell import BlockELL, BLOCK_SIZES
from sparse_nb.blockell_linear import BlockELLLinear, blockell_linear
from sparse_nb import blockell_triton as bt

p = argparse.ArgumentParser()
p.add_argument('--out', default='.gpu_out')
p.add_argument('--tokens', type=int, default=16384)
p.add_argument('--shapes', default='2048x8192,768x3072,3072x768')
p.add_argument('--deadline', type=float, default=1e9, help='seconds after which remaining timings are skipped')
p.add_argument('--densities', default='0.5,0.25,0.125')
p.add_argument('--blocks', default='128')
p.add_argument('--commit', default=None, help='commit of the code (the device copy has no git)')
p.add_argument('--skip-checks', action='store_true')
p.add_argument('--no-peers', action='store_true')
p.add_argument('--device', default='cuda', help="'cpu' = smoke test of this script under the Triton interpreter")
args = p.parse_args()
os.makedirs(args.out, exist_ok=True)
LOG = open(os.path.join(args.out, 'bell_bench.log'), 'a')
T0 = time.time()
def log(*a):
    s = ' '.join(str(x) for x in a)
    print(s, flush=True); LOG.write(s + '\n'); LOG.flush()

dev = torch.device(args.device)
ENV = env_info(); ENV['commit'] = args.commit or ENV['commit']; ENV['sms'] = torch.cuda.get_device_properties(0).multi_processor_count if dev.type == 'cuda' else 0
RESULT = dict(env=ENV, checks=[], rows=[], errors=[])
def save():
    with open(os.path.join(args.out, 'bell_bench.json'), 'w') as f: json.dump(RESULT, f, indent=1)
log('env', ENV)

def poisoned(*shape, dtype): return torch.full(shape, float('nan'), dtype=dtype, device=dev)
def case(B, M, R, C, K, dtype, seed):
    g = torch.Generator().manual_seed(seed)
    w = BlockELL.random(R * B, C * B, B, K / C, std=1.0, generator=g, dtype=dtype, device=dev)
    x = torch.randn(M, C * B, generator=g).to(dtype=dtype, device=dev)
    dy = torch.randn(M, R * B, generator=g).to(dtype=dtype, device=dev)
    return w, x, dy
def dense_refs(w, x, dy):
    "float64 dense references: y = x Wᵀ, dx = dy W, dvalues = (dyᵀ x) gathered on the blocks"
    W = w.to_dense().double(); x64, dy64 = x.double(), dy.double()
    dW = dy64.T @ x64
    dv = BlockELL.from_dense(dW, w.block_mask()).values
    return x64 @ W.T, dy64 @ W, dv
def record_check(name, out, ref, dtype):
    err = rel_err(out, ref); ok = err <= TOLS[dtype]
    RESULT['checks'].append(dict(name=name, dtype=str(dtype), rel_err=err, tol=TOLS[dtype], ok=ok))
    log(f"  check {name:60s} rel_err {err:.2e} (tol {TOLS[dtype]:.0e}) {'ok' if ok else 'FAIL'}")
    return ok

# ---------------------------------------------------------------- correctness
NCHK = 1000 if dev.type == 'cuda' else 37
def checks():
    log('== kernel checks: fixed configs, ragged M=1000, every block size; poisoned outputs')
    bf, hf, f32 = torch.bfloat16, torch.float16, torch.float32
    grid = [(16, bf, False), (16, bf, True), (32, hf, True), (64, f32, False), (64, bf, True),
            (128, bf, False), (128, bf, True), (128, f32, True), (128, hf, False)]
    for i, (B, dtype, tma) in enumerate(grid):
        T = min(B, 128)
        w, x, dy = case(B, NCHK, 1024 // B, 768 // B, max(1, 384 // B), dtype, seed=i)
        ti, tc = w.transpose_index()
        cfg = dict(BM=64, BN=T, BK=min(B, 64), num_warps=4, num_stages=3)
        bias = torch.randn(1024, device=dev).to(dtype)
        y = bt.bell_dds_triton(x, w.values, w.col_indices, bias, out=poisoned(NCHK, 1024, dtype=dtype), config=cfg, use_tma=tma)
        dx = bt.bell_dds_t_triton(dy, w.values, w.col_indices, ti, tc, 768, out=poisoned(NCHK, 768, dtype=dtype), config=cfg, use_tma=tma)
        dv = bt.bell_sdd_triton(x, dy, w.col_indices, B, out=poisoned(*w.values.shape, dtype=dtype), use_tma=tma,
                                config=dict(BM=T, BN=T, BK=64, num_warps=4, num_stages=3))
        ry, rdx, rdv = dense_refs(w, x, dy)
        tag = f"B={B} {str(dtype)[6:]} tma={int(tma)}"
        record_check(f"dds   {tag} +bias", y, ry + bias.double(), dtype); record_check(f"dds_t {tag}", dx, rdx, dtype); record_check(f"sdd   {tag}", dv, rdv, dtype)
    log('== autotuned launchers at 16384 x 2048->8192, bf16, B=128 and 64, density 0.25; determinism; atomics')
    for B in (128,):
        w, x, dy = case(B, args.tokens, 8192 // B, 2048 // B, 512 // B, torch.bfloat16, seed=100 + B)
        ti, tc = w.transpose_index()
        ry, rdx, rdv = dense_refs(w, x, dy)
        y = bt.bell_dds_triton(x, w.values, w.col_indices, out=poisoned(args.tokens, 8192, dtype=torch.bfloat16))
        record_check(f"dds   autotuned B={B}", y, ry, torch.bfloat16)
        dx = bt.bell_dds_t_triton(dy, w.values, w.col_indices, ti, tc, 2048, out=poisoned(args.tokens, 2048, dtype=torch.bfloat16))
        record_check(f"dds_t autotuned B={B}", dx, rdx, torch.bfloat16)
        dv = bt.bell_sdd_triton(x, dy, w.col_indices, B, out=poisoned(*w.values.shape, dtype=torch.bfloat16))
        record_check(f"sdd   autotuned B={B}", dv, rdv, torch.bfloat16)
        dx2 = bt.bell_dds_t_triton(dy, w.values, w.col_indices, ti, tc, 2048)
        dv2 = bt.bell_sdd_triton(x, dy, w.col_indices, B)
        RESULT['checks'].append(dict(name=f'deterministic dds_t/sdd B={B}', ok=bool(torch.equal(dx, dx2) and torch.equal(dv, dv2))))
        log(f"  deterministic dds_t & sdd B={B}: {RESULT['checks'][-1]['ok']}")
        if B == 128:
            da = bt.bell_dds_t_atomic_triton(dy, w.values, w.col_indices, 2048)
            da2 = bt.bell_dds_t_atomic_triton(dy, w.values, w.col_indices, 2048)
            record_check("dds_t atomic B=128", da, rdx, torch.bfloat16)
            RESULT['checks'].append(dict(name='atomic dds_t bitwise repeatable', ok=bool(torch.equal(da, da2))))
            log(f"  atomic dds_t bitwise repeatable: {RESULT['checks'][-1]['ok']}")
    log('== BlockELLLinear under torch.compile (inductor), bf16 autocast, forward + backward')
    torch._dynamo.reset()
    lin = BlockELLLinear(768, 3072, block_size=128, density=0.25).to(dev)
    f = torch.compile(lin, fullgraph=True, backend='inductor' if dev.type == 'cuda' else 'aot_eager')
    xx = torch.randn(8, 256 if dev.type == 'cuda' else 4, 768, device=dev, requires_grad=True)
    with torch.autocast(dev.type, dtype=torch.bfloat16):
        yc, ye = f(xx), lin(xx)
    record_check('compiled forward vs eager', yc, ye.double(), torch.bfloat16)
    gc = torch.autograd.grad(yc.float().square().sum(), (xx, lin.values))
    ge = torch.autograd.grad(ye.float().square().sum(), (xx, lin.values))
    record_check('compiled dx vs eager', gc[0], ge[0].double(), torch.bfloat16)
    record_check('compiled dvalues vs eager', gc[1], ge[1].double(), torch.bfloat16)
    save()

# ---------------------------------------------------------------- peers
def torch_bsr(W, x, B):
    from torch.sparse._triton_ops import bsr_dense_mm
    Wb = W.to_sparse_bsr((B, B))
    out = torch.empty(x.shape[0], W.shape[0], dtype=x.dtype, device=dev)
    xt = x.t()
    def fwd(): return bsr_dense_mm(Wb, xt, out=out.t()).t()   # yᵀ = W xᵀ written column-major = y row-major
    return fwd

def stk_mats(w):
    import stk
    R, K, B, _ = w.values.shape
    data = w.values.detach().reshape(R * K, B, B).clone().requires_grad_()
    rows = torch.arange(R, device=dev, dtype=torch.int16).repeat_interleave(K)
    cols = w.col_indices.flatten().to(torch.int16)
    offs = torch.arange(R + 1, device=dev, dtype=torch.int32) * K
    return stk.Matrix((w.out_features, w.in_features), data, rows, cols, offs), data

def stk_wt_mats(w):
    import stk
    Wt = w.to_dense().detach().t().contiguous()
    m = stk.ops.to_sparse(Wt, blocking=w.block_size)
    m._data = m._data.detach().clone().requires_grad_()
    return m, m._data

# ---------------------------------------------------------------- timing
def tm(fn):
    if dev.type == 'cpu':
        t = time.perf_counter(); fn(); ms = (time.perf_counter() - t) * 1e3; return ms, ms, ms
    fn(); torch.cuda.synchronize()
    ms, p20, p80 = do_bench(fn, warmup=25, rep=100, quantiles=[0.5, 0.2, 0.8])
    return ms, p20, p80

def add_row(shape, M, IN, OUT, density, B, impl, mode, fn, err=None):
    try:
        ms, p20, p80 = tm(fn)
    except Exception as e:
        RESULT['errors'].append(dict(impl=impl, shape=shape, density=density, mode=mode, error=f'{type(e).__name__}: {e}'[:500]))
        log(f'  {impl} {mode} FAILED: {type(e).__name__}: {str(e)[:200]}'); return None
    flops = {'fwd': 2, 'dx': 2, 'dw': 2, 'bwd': 4, 'fwdbwd': 6}[mode] * M * IN * OUT
    row = dict(shape=shape, M=M, IN=IN, OUT=OUT, density=density, B=B, impl=impl, mode=mode, ms=ms, p20=p20, p80=p80,
               tflops_dense_equiv=flops / ms / 1e9, tflops_nnz=flops * density / ms / 1e9, rel_err=err)
    RESULT['rows'].append(row)
    log(f"  {impl:14s} {mode:6s} d={density:<6} {ms:8.4f} ms  [{p20:.4f}, {p80:.4f}]  {row['tflops_nnz']:6.0f} TFLOP/s on nnz" + (f"  err {err:.1e}" if err is not None else ''))
    return row

def bench():
    shapes = [tuple(int(v) for v in s.split('x')) for s in args.shapes.split(',')]
    dens = [float(d) for d in args.densities.split(',')]
    blocks = [int(b) for b in args.blocks.split(',')]
    M, dt = args.tokens, torch.bfloat16
    for IN, OUT in shapes:
        shape = f'{M}x{IN}->{OUT}'
        log(f'== {shape} bf16')
        g = torch.Generator().manual_seed(0)
        x = (torch.randn(M, IN, generator=g) ).to(dev, dt)
        dy = torch.randn(M, OUT, generator=g).to(dev, dt)
        xg = x.clone().requires_grad_()
        W = (torch.randn(OUT, IN, generator=g) * 0.02).to(dev, dt).requires_grad_()
        with torch.no_grad():
            add_row(shape, M, IN, OUT, 1.0, 0, 'dense', 'fwd', lambda: F.linear(x, W))
            add_row(shape, M, IN, OUT, 1.0, 0, 'dense', 'dx', lambda: dy @ W)
            add_row(shape, M, IN, OUT, 1.0, 0, 'dense', 'dw', lambda: dy.t() @ x)
        yd = F.linear(xg, W)
        add_row(shape, M, IN, OUT, 1.0, 0, 'dense', 'bwd', lambda: torch.autograd.grad(yd, (xg, W), dy, retain_graph=True))
        add_row(shape, M, IN, OUT, 1.0, 0, 'dense', 'fwdbwd', lambda: torch.autograd.grad(F.linear(xg, W), (xg, W), dy))
        del yd, W
        for d in dens:
            for B in blocks:
                if time.time() - T0 > args.deadline: log(f'  deadline: skipping {shape} d={d} B={B}'); continue
                w = BlockELL.random(OUT, IN, B, d, std=0.02, generator=torch.Generator().manual_seed(1), dtype=dt, device=dev)
                if abs(w.density - d) > 1e-6: log(f'  skip B={B} d={d}: K/C = {w.density}'); continue
                v = w.values.requires_grad_()
                ref = (x.double() @ w.to_dense().double().T)
                tag = f'bell-{B}'
                with torch.no_grad():
                    err = rel_err(blockell_linear(x, w), ref)
                    add_row(shape, M, IN, OUT, d, B, tag, 'fwd', lambda: blockell_linear(x, w), err)
                y = blockell_linear(xg, w)
                add_row(shape, M, IN, OUT, d, B, tag, 'bwd', lambda: torch.autograd.grad(y, (xg, v), dy, retain_graph=True))
                add_row(shape, M, IN, OUT, d, B, tag, 'fwdbwd', lambda: torch.autograd.grad(blockell_linear(xg, w), (xg, v), dy))
                del y
                ti, tc = w.transpose_index()
                vv, col = w.values.detach(), w.col_indices
                add_row(shape, M, IN, OUT, d, B, tag, 'dx', lambda: bt.bell_dds_t_triton(dy, vv, col, ti, tc, IN))
                add_row(shape, M, IN, OUT, d, B, tag, 'dw', lambda: bt.bell_sdd_triton(x, dy, col, B))
                add_row(shape, M, IN, OUT, d, B, tag + '-tma', 'fwd', lambda: bt.bell_dds_triton(x, vv, col, use_tma=True))
                add_row(shape, M, IN, OUT, d, B, tag + '-ptr', 'fwd', lambda: bt.bell_dds_triton(x, vv, col, use_tma=False))
                if IN == 2048 and d == 0.5:
                    add_row(shape, M, IN, OUT, d, B, tag + '-atomic', 'dx', lambda: bt.bell_dds_t_atomic_triton(dy, vv, col, IN))
                if args.no_peers or B != 128: continue
                Wm = w.to_dense().detach()
                try:
                    fwd = torch_bsr(Wm, x, B)
                    add_row(shape, M, IN, OUT, d, B, 'torch-bsr', 'fwd', fwd, rel_err(fwd(), ref))
                except Exception as e:
                    RESULT['errors'].append(dict(impl='torch-bsr', shape=shape, density=d, error=f'{type(e).__name__}: {e}'[:500])); log('  torch-bsr failed', e)
                for name, mk, use_t in (('stk', stk_mats, True), ('stk-wt', stk_wt_mats, False)):
                    try:
                        import stk
                        m, data = mk(w)
                        op = (lambda xx: stk.ops.dds(xx, m.t())) if use_t else (lambda xx: stk.ops.dds(xx, m))
                        with torch.no_grad():
                            err = rel_err(op(x), ref)
                            add_row(shape, M, IN, OUT, d, B, name, 'fwd', lambda: op(x), err)
                        ys = op(xg)
                        add_row(shape, M, IN, OUT, d, B, name, 'bwd', lambda: torch.autograd.grad(ys, (xg, data), dy, retain_graph=True))
                        add_row(shape, M, IN, OUT, d, B, name, 'fwdbwd', lambda: torch.autograd.grad(op(xg), (xg, data), dy))
                        del ys
                    except Exception as e:
                        RESULT['errors'].append(dict(impl=name, shape=shape, density=d, error=f'{type(e).__name__}: {e}'[:800]))
                        log(f'  {name} failed: {type(e).__name__}: {str(e)[:300]}')
                save()
        log(f'  [{time.time() - T0:.0f} s]')
    save()

def tuned_configs():
    "The config the autotuner chose for every key it saw"
    out = []
    for (kind, B, tma), kern in bt._TUNED.items():
        for key, cfg in getattr(kern, 'cache', {}).items():
            out.append(dict(kind=kind, B=B, tma_choices=list(tma), key=str(key), config=str(cfg)))
    RESULT['tuned'] = out
    for o in out: log(f"  tuned {o['kind']:5s} B={o['B']} {o['key'][:60]:60s} -> {o['config']}")

def cpu_overhead():
    "CPU time per call (no sync) on a tiny input, where the GPU work is negligible: the launch path alone"
    x = torch.randn(64, 768, device=dev, dtype=torch.bfloat16); W = torch.randn(3072, 768, device=dev, dtype=torch.bfloat16)
    w = BlockELL.random(3072, 768, 128, 0.5, generator=torch.Generator().manual_seed(0), dtype=torch.bfloat16, device=dev)
    xg, Wg, vg = x.clone().requires_grad_(), W.clone().requires_grad_(), w.values.clone().requires_grad_()
    wg = BlockELL(vg, w.col_indices, 768)
    fs = {'F.linear fwd': lambda: F.linear(x, W), 'blockell_linear fwd': lambda: blockell_linear(x, w),
          'bell_dds_triton fwd': lambda: bt.bell_dds_triton(x, w.values, w.col_indices),
          'F.linear fwd+bwd': lambda: torch.autograd.grad(F.linear(xg, Wg).sum(), (xg, Wg)),
          'blockell_linear fwd+bwd': lambda: torch.autograd.grad(blockell_linear(xg, wg).sum(), (xg, vg))}
    res = {}
    with torch.no_grad():
        for k in list(fs)[:3]:
            for _ in range(20): fs[k]()
            torch.cuda.synchronize(); t = time.perf_counter()
            for _ in range(200): fs[k]()
            res[k] = (time.perf_counter() - t) / 200 * 1e6; torch.cuda.synchronize()
    for k in list(fs)[3:]:
        for _ in range(20): fs[k]()
        torch.cuda.synchronize(); t = time.perf_counter()
        for _ in range(200): fs[k]()
        res[k] = (time.perf_counter() - t) / 200 * 1e6; torch.cuda.synchronize()
    RESULT['cpu_us_per_call'] = res
    log('  CPU µs per call:', {k: round(v, 1) for k, v in res.items()})

def summary():
    rows = RESULT['rows']
    dense = {(r['shape'], r['mode']): r['ms'] for r in rows if r['impl'] == 'dense'}
    log('\n== speedup over dense (fraction of 1/density)')
    for r in rows:
        if r['impl'] == 'dense' or r['mode'] not in ('fwd', 'fwdbwd'): continue
        s = dense[(r['shape'], r['mode'])] / r['ms']
        log(f"{r['shape']:22s} d={r['density']:<6} {r['impl']:14s} {r['mode']:6s} {s:5.2f}x ({s * r['density']:.0%})")
    bad = [c for c in RESULT['checks'] if not c['ok']]
    log(f"checks: {len(RESULT['checks']) - len(bad)} ok, {len(bad)} failed; errors: {len(RESULT['errors'])}; {time.time() - T0:.0f} s")

try:
    if not args.skip_checks: checks()
except Exception:
    RESULT['errors'].append(dict(impl='checks', error=traceback.format_exc()[-1500:])); log(traceback.format_exc())
try:
    bench()
except Exception:
    RESULT['errors'].append(dict(impl='bench', error=traceback.format_exc()[-1500:])); log(traceback.format_exc())
try:
    if dev.type == 'cuda': cpu_overhead()
    tuned_configs()
except Exception:
    RESULT['errors'].append(dict(impl='extras', error=traceback.format_exc()[-1500:])); log(traceback.format_exc())
save()
summary()
