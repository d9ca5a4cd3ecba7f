"""Why is cuSPARSELt 2:4 slower than dense here? Per-call host overhead vs kernel time, operand layouts, alg_id
search, and what `_cslt_compress` launches. Shapes: the benchmark MLP's FC1/FC2 at 16k tokens.

Run on the device from the repo root:  PYTHONPATH=. python gpu/semi24_diag.py   (writes $OUT/semi24_diag.json)"""
import os, json, time
from pathlib import Path
import torch, torch.nn.functional as F
from sparse_nb.core import *
from sparse_nb.semi24 import tile_prune_24, _compress

OUT = Path(os.environ.get('OUT', 'out')); OUT.mkdir(parents=True, exist_ok=True)
dev, bf16 = torch.device('cuda'), torch.bfloat16
g = torch.Generator(dev).manual_seed(7)
R = dict(env={**env_info(), 'cusparselt': torch.backends.cusparselt.version()}, rows=[], profiles={})
def log(*a): print(*a, flush=True)
def t(fn): r = bench(fn, warmup=10, rep=40); return round(r['ms'], 4)

def host_us(fn, n=20):   # CPU time per call, no sync inside the loop
    torch.cuda.synchronize(); t0 = time.perf_counter()
    for _ in range(n): fn()
    t1 = time.perf_counter(); torch.cuda.synchronize(); return round((t1 - t0) / n * 1e6, 1)

def graph_ms(fn):        # kernel time without host gaps: replay a captured CUDA graph
    try:
        return t(cuda_graph(fn))
    except Exception as e: return f"{type(e).__name__}: {str(e)[:100]}"

def kernels(fn, name):
    from torch.profiler import profile, ProfilerActivity
    for _ in range(3): fn()
    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as p:
        for _ in range(5): fn()
        torch.cuda.synchronize()
    ev = [e for e in p.key_averages() if getattr(e, 'device_time_total', getattr(e, 'cuda_time_total', 0)) > 0]
    R['profiles'][name] = [(e.key[:90], e.count, round(getattr(e, 'device_time_total', getattr(e, 'cuda_time_total', 0)) / 5, 1)) for e in ev][:14]
    log(name, R['profiles'][name])

N = 16384
for label, out_f, in_f in [('FC1 d=2048 h=8192', 8192, 2048), ('FC2 d=2048 h=8192', 2048, 8192), ('FC1 d=768 h=3072', 3072, 768)]:
    w = torch.randn(out_f, in_f, device=dev, generator=g) * 0.02
    wm, _ = tile_prune_24(w, bf16); wb = w.to(bf16)
    x = torch.randn(N, in_f, device=dev, generator=g).to(bf16); xt = x.t().contiguous()
    cw = _compress(wm)
    try: alg = torch._cslt_sparse_mm_search(cw, x.t())
    except Exception as e: alg = f"{type(e).__name__}: {str(e)[:80]}"
    fl = 2 * N * out_f * in_f
    V = {'dense F.linear(x, W)': lambda: F.linear(x, wb),
         'A cslt(cW, x.t(), transpose_result=True)  [layer]': lambda: torch._cslt_sparse_mm(cw, x.t(), transpose_result=True),
         'B cslt(cW, x.t())  (out, N) result': lambda: torch._cslt_sparse_mm(cw, x.t()),
         'C cslt(cW, xT contiguous, transpose_result=True)': lambda: torch._cslt_sparse_mm(cw, xt, transpose_result=True),
         'D cslt(cW, xT contiguous)': lambda: torch._cslt_sparse_mm(cw, xt),
         'compress _cslt_compress(W)': lambda: torch._cslt_compress(wm)}
    if isinstance(alg, int):
        V[f'E layer layout with searched alg_id={alg}'] = lambda: torch._cslt_sparse_mm(cw, x.t(), transpose_result=True, alg_id=alg)
    for name, fn in V.items():
        try:
            row = dict(case=f"{label} N={N}", variant=name, ms=t(fn), graph_ms=graph_ms(fn), host_us_per_call=host_us(fn))
            if not name.startswith('compress'): row['tflops_events'] = round(fl / row['ms'] / 1e9)
            if isinstance(row['graph_ms'], float) and not name.startswith('compress'): row['tflops_graph'] = round(fl / row['graph_ms'] / 1e9)
        except Exception as e: row = dict(case=label, variant=name, error=f"{type(e).__name__}: {str(e)[:160]}")
        R['rows'].append(row); log(row)
    R.setdefault('alg_search', {})[label] = alg
    if label.startswith('FC1 d=2048'):
        kernels(V['A cslt(cW, x.t(), transpose_result=True)  [layer]'], 'cslt_sparse_mm layer layout FC1 d=2048')
        kernels(V['dense F.linear(x, W)'], 'dense F.linear FC1 d=2048')
        kernels(V['compress _cslt_compress(W)'], '_cslt_compress 8192x2048')
    (OUT/'semi24_diag.json').write_text(json.dumps(R, indent=1, default=str))

log('\n| case | variant | ms (events) | ms (graph replay) | host us/call | TFLOP/s events / graph |\n|---|---|---|---|---|---|')
for r in R['rows']:
    log(f"| {r['case']} | {r['variant']} | {r.get('ms')} | {r.get('graph_ms')} | {r.get('host_us_per_call')} | {r.get('tflops_events', '')} / {r.get('tflops_graph', '')} |" if 'error' not in r else f"| {r['case']} | {r['variant']} | {r['error']} |")
log('alg search:', R.get('alg_search'))
