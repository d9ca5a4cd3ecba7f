"""Matched-baseline band study (issue 19 items 3-4): one worker of `gpu/bands2_gpu.sh`.

    python gpu/bands2_run.py prepare [--smoke]                      # tokenise the sample once (cache: $SPARSE_NB_CACHE)
    python gpu/bands2_run.py work K N RESULTS DEADLINE [--smoke]    # worker K of N: its queue of `bands2_plan`

The runs, their order and everything they record come from `sparse_nb.band_sweep` (`bands2_plan`, `plan_queues`,
`bands2_run` → `band_run`, whose key and row writer are the library's). Worker K runs seed K's headline trio
(baseline, FC2-256, its matched dense) first, then its share of the learning-rate sweep; it skips a run that its
last run's wall time says cannot end before DEADLINE (a `time.time()` value), and a run cut by the deadline writes
a partial row beside RESULTS. `--smoke`: a 1-layer C=32 model, 2 steps a run, on CPU (plumbing check).
`--ext`: the session-6 extension (`EXT`): every arm at three rates (5e-4, 1e-3, 2e-3) for every seed, so that each arm can be
compared at its own best rate; runs already in RESULTS (same key) are not run again.
`--low`: every arm at 2.5e-4 for every seed (session 8), below the extension's grid, whose bottom (5e-4) was the matched arm's best;
`--at LR`: every arm at LR for every seed (session 8: 4e-3, which the first sweep ran on seeds 0-1 only).
"""
import sys, time, json
import torch
from sparse_nb.model import GPTConfig
from sparse_nb.data import load_data
from sparse_nb.band_sweep import bands2_plan, plan_queues, bands2_run, epoch_steps, B2_EXT_LRS

EXT = dict(lrs=B2_EXT_LRS, lr_seeds=range(5))   # --ext: the rate sweep on all five seeds, bracketing session 5's best (1e-3)
LOW = dict(lrs=(2.5e-4,), lr_seeds=range(5))    # --low: one rate below that grid, so that the matched arm's best (5e-4, its bottom) is bracketed

def setting(smoke:bool):
    "(model, FC2 bandwidth, `TrainConfig` overrides) of the real run or the CPU smoke run"
    if smoke: return GPTConfig(n_layer=1, n_head=2, n_embd=32, seq_len=32), 64, dict(steps=2, batch_size=4, seq_len=32, eval_iters=1, device='cpu')
    return GPTConfig.preset('tiny'), 256, dict(device='cuda')

if __name__ == '__main__':
    argv = sys.argv[1:]; at = None
    if '--at' in argv: i = argv.index('--at'); at = float(argv[i + 1]); argv = argv[:i] + argv[i + 2:]
    args = [a for a in argv if a not in ('--smoke', '--ext', '--low')]; smoke = '--smoke' in sys.argv
    ext = EXT if '--ext' in sys.argv else LOW if '--low' in sys.argv else dict(lrs=(at,), lr_seeds=range(5)) if at else None
    torch.set_num_threads(1)
    data = load_data('tinystories')
    base, bw, kw = setting(smoke)
    if args[0] == 'prepare':
        print(json.dumps(dict(train_tokens=len(data.train), val_tokens=len(data.val), epoch_steps=epoch_steps(data, 16, 256))), flush=True)
        sys.exit()
    k, n, results, deadline = int(args[1]), int(args[2]), args[3], float(args[4])
    plan = (bands2_plan(base, bw, seeds=range(n), lr_seeds=(0,)) if smoke else
            bands2_plan(base, bw, seeds=range(n), lrs=ext['lrs'], lr_seeds=[s for s in ext['lr_seeds'] if s < n]) if ext else bands2_plan(base, bw, seeds=range(n)))
    last = 0.0
    for spec in plan_queues(plan, n)[k]:
        left = deadline - time.time()
        if left <= 0 or (last and left < 1.02 * last):
            print(f"skip {spec}: {left:.0f} s left, last run took {last:.0f} s", flush=True); continue
        t0 = time.time()
        r = bands2_run(spec, data, base, results, deadline=deadline, **kw)
        last = time.time() - t0 if r.get('time') else last
        print(f"{r['run']} s{r['seed']} lr {r['lr']:g} {r['phase']}: val {r['final_val']} after {r['steps_done']}/{r['steps']} steps "
              f"({r['epochs']:.3f} epochs), {r['wall_s']:.0f} s, complete {r['complete']}", flush=True)
