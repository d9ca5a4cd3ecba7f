"""Quality studies of the layer notebooks, one (study, seed) a process, for sharing one GPU between several processes.

A thin driver over library functions, each writing its own resumable results file under `--out`
(one file per study and seed, so concurrent processes never append to the same file):

- `router`: the GPT-2-small-size routed vs dense SwiGLU study (`router_study.gpt2_study_configs` + `run_seeds`; issue 16)
- `band`: the band study's best run retrained on the masked and on the kernel path (`band_sweep.kernel_path_rerun`; issue 20)
- `semi24-tiny`, `semi24-gpt2`: dense vs 2:4 weights vs 2:4 activations (`semi24.quality_rows`; issue 17)

    SPARSE_NB_COMMIT=abc1234 python gpu/study_parts.py router 0 --out $OUT/study --data-dir .gpu_data
"""
import argparse, os, sys
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pathlib import Path
from sparse_nb.data import load_data
from sparse_nb.bench import save_rows

p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
p.add_argument('study', choices=('router', 'band', 'semi24-tiny', 'semi24-gpt2')); p.add_argument('seed', type=int)
p.add_argument('--out', required=True); p.add_argument('--data-dir', default=None)
p.add_argument('--steps', type=int, default=0, help='optimizer steps (0: the study default)'); p.add_argument('--device', default='cuda')
p.add_argument('--variants', nargs='*', default=None, help='2:4 studies: the variants to run (default: all four)')
a = p.parse_args()
out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
ds = load_data('tinystories', data_dir=a.data_dir)
f = out/f'{a.study}_s{a.seed}.jsonl'
if a.study == 'router':
    from sparse_nb.router_study import gpt2_study_configs, run_seeds
    runs, tcfg, ste = gpt2_study_configs(steps=a.steps or 600, device=a.device)
    run_seeds(ds, runs, tcfg, seeds=(a.seed,), ste=ste, path=f)
elif a.study == 'band':
    from sparse_nb.band_sweep import kernel_path_rerun
    kernel_path_rerun(ds, 'fc2-512', (a.seed,), f, block_size=32, device=a.device, **({'steps': a.steps, 'eval_every': a.steps} if a.steps else {}))
else:
    from sparse_nb.semi24 import quality_rows
    QV = a.variants or ('dense', 'semi24', 'act24', 'semi24/10')
    if a.study == 'semi24-tiny': m, kw = 'tiny', dict(steps=a.steps or 1000, batch_size=32, lr=1e-3)
    else: m, kw = 'gpt2-small', dict(steps=a.steps or 300, batch_size=8, lr=6e-4)
    base = dict(n_layer=4, n_head=4, n_embd=128, seq_len=256) if m == 'tiny' else dict(n_layer=12, n_head=12, n_embd=768, seq_len=1024)
    for v in QV:   # a row file per variant as it ends: a deadline keeps what finished
        rows = quality_rows(base, ds, (v,), seeds=(a.seed,), device=a.device, eval_iters=20, **kw)
        save_rows(f, [dict(r, model=m, data='tinystories') for r in rows])
