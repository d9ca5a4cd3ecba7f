"""Run named parts of the `sparse_nb.bench` benchmarks in one process, in order, inside a wall-clock budget.

A thin driver: every part is one call of a `sparse_nb.bench` function (which times, checks and writes its rows
to `OUT/<bench>.jsonl`); this file only orders them, skips a part whose estimated cost no longer fits in the
budget (saying so), and records each part's wall time in `OUT/parts.jsonl`. Used on the lent GPU:

    SPARSE_NB_COMMIT=abc1234 python gpu/bench_parts.py --out $OUT/bench --budget 540 decode e2e band_kernel
    python gpu/bench_parts.py --smoke --out /tmp/b e2e                   # CPU check of the wiring (tiny model)
"""
import argparse, os, sys, time, json
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pathlib import Path
import torch
from sparse_nb.bench import *
from sparse_nb.bench import decode_bench, semi24_bench, semi24_e2e_rows, band_kernel_rows, routed_e2e_rows, e2e_rows, e2e_table, kernel_table, save_rows
from sparse_nb.data import load_data

p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
p.add_argument('parts', nargs='+'); p.add_argument('--out', required=True); p.add_argument('--budget', type=float, default=540)
p.add_argument('--data-dir', default=None); p.add_argument('--smoke', action='store_true', help='tiny shapes on CPU: wiring only')
a = p.parse_args()
out, t0 = Path(a.out), time.time()
S = a.smoke
M = 'tiny' if S else 'gpt2-small'
STEPS = dict(steps=2, warmup=1) if S else {}
CO = ('off',) if S else ('off', 'reduce-overhead')   # compile modes: eager and CUDA graphs (the fastest dense mode)
ts = lambda: load_data('tinystories', data_dir=a.data_dir)

def e2e(rows_name, **kw):
    rows = e2e_rows(**kw); save_rows(out/f'{rows_name}.jsonl', rows); print(e2e_table(rows), flush=True)

PARTS = {   # name: (estimated seconds on the H200, call)
    # the end-to-end step of every kind, with real data and a loss curve (issue 13 item 6: a few hundred steps per mode)
    'e2e_conv': (240, lambda: e2e('e2e', models=(M,), variants=('dense', 'bell:0.5'), compiles=('off',) if S else ('off', 'default', 'reduce-overhead'),
                                  data=ts(), eval_every=2 if S else 50, **(STEPS or dict(steps=300, warmup=5)))),
    'e2e_band': (150, lambda: e2e('e2e', models=(M,), variants=('dense', 'band:256', 'bandk:256'), compiles=CO,
                                  block_size=32 if S else 128, **STEPS)),
    'e2e_band_w2048': (170, lambda: e2e('e2e', models=('tiny' if S else 'w2048',), variants=('dense', 'bandk:256', 'bandk:512'),
                                        compiles=CO, block_size=32 if S else 128, **STEPS)),
    'routed_e2e': (110, lambda: save_rows(out/'e2e.jsonl', routed_e2e_rows(M, d_hidden=256 if S else 2048, impls=('grouped',), compiles=CO, **STEPS))),
    'decode': (180, lambda: decode_bench(out=str(out), layers=not S, training=not S, decode=True)),
    'band_kernel': (90, lambda: save_rows(out/'band_kernel.jsonl', [r for B in ((32,) if S else (128, 64)) for r in band_kernel_rows(
        shapes=((64, 256), (256, 64)) if S else ((768, 3072), (3072, 768), (2048, 8192), (8192, 2048)), bandwidths=(128,) if S else (1024, 512, 256),
        block_size=B, tokens=64 if S else 16384, warmup=1 if S else 10, rep=2 if S else 50, progress=False)])),
    # the 2:4 timing tables (end-to-end first: it matters most and costs most) and, apart, the compile check (not timed: can share the GPU)
    'semi24_timing': (380, lambda: semi24_bench(what='host,e2e' if S else 'e2e,mlp,kernel,host', out=str(out), model=M,
                                                compiles='off' if S else 'off,reduce-overhead')),
    'semi24_tables': (150, lambda: semi24_bench(what='host' if S else 'mlp,kernel,host', out=str(out), model=M)),
    'semi24_kh': (90, lambda: semi24_bench(what='host' if S else 'kernel,host', out=str(out), model=M)),
    'semi24_e2e_refresh': (90, lambda: save_rows(out/'semi24_e2e.jsonl', semi24_e2e_rows(M, variants=('dense', 'semi24:cslt:10'), compiles=CO, **STEPS))),
    'semi24_e2e_weights': (130, lambda: save_rows(out/'semi24_e2e.jsonl', semi24_e2e_rows(M, variants=('dense', 'semi24:cslt', 'semi24:cslt:10'), compiles=CO, **STEPS))),
    'semi24_compile': (120, lambda: semi24_bench(what='compile', out=str(out))),
    'semi24': (420, lambda: semi24_bench(what='host,e2e' if S else 'compile,mlp,host,kernel,e2e', out=str(out), model=M,
                                         compiles='off' if S else 'off,reduce-overhead')),
}
for name in a.parts:
    if name not in PARTS: sys.exit(f"bench_parts: unknown part {name!r}; choose from {', '.join(PARTS)}")
out.mkdir(parents=True, exist_ok=True)
for name in a.parts:
    est, fn = PARTS[name]
    left = a.budget - (time.time() - t0)
    row = dict(part=name, est_s=est, left_s=round(left, 1))
    if left < est and not S: row['skipped'] = 'estimated cost exceeds the time left'; print(f'## {name}: skipped ({left:.0f} s left, needs ~{est} s)', flush=True)
    else:
        print(f'## {name} ({left:.0f} s left)', flush=True); t = time.time()
        try: fn(); row['wall_s'] = round(time.time() - t, 1)
        except Exception as e: row['error'] = f'{type(e).__name__}: {e}'[:400]; print(f'## {name} failed: {row["error"]}', flush=True)
        print(f'## {name}: {time.time() - t:.0f} s', flush=True)
    with open(out/'parts.jsonl', 'a') as f: f.write(json.dumps(row) + '\n')
