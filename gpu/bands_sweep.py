"""Band-width study on one GPU: every run is its own process, all running at once.

Usage on the device (repo root, pre-tokenised TinyStories sample in .gpu_data/bands/, fastcore wheel carried):
    PYTHONPATH=.:/tmp/site python gpu/bands_sweep.py --out $OUT --budget 380 --commit abc1234

1. checks `BandedLinear` on the GPU against a float64 CPU reference (forward + grads, fp32 and bf16 autocast)
   and that out-of-band weights stay exactly 0 under fused AdamW with weight decay;
2. launches the study (reference settings: C=128 L=4 NH=4, 16x256 tokens, constant lr 3e-4, 5000 steps,
   val every 500 on 20 batches) as concurrent processes on the one GPU, each stopping cleanly at the deadline;
3. merges the result rows into $OUT/bands_sweep.jsonl (+ .partial.jsonl for runs cut by the deadline),
   writes $OUT/bands_sweep.md with the tables, and prints the final-loss table last; the children's console logs
   go to $OUT/logs/ (not results: copy only the JSONL rows and the tables into results/).

Each run is `sparse_nb.band_sweep.band_run`, which writes its own row (keyed on everything that determines it);
`--have` skips the runs whose key is already in a results file.
"""
import os, sys, json, time, argparse, subprocess
from pathlib import Path
import numpy as np
import torch

DRY = os.environ.get('BANDS_DRY') == '1'  # plumbing test on CPU: tiny steps, few jobs
MAIN = 20 if DRY else 5000      # the reference schedule
BUDGET1 = 10 if DRY else 500    # one-epoch budget: 500 x 16 x 256 = 2.05M tokens ~ 0.985 epochs of the 2.08M-token sample

def train_config(r, work=None, k=0):
    "The `TrainConfig` of run spec `r` (the same in the parent, which skips runs already done, and in the child)"
    from sparse_nb.band_sweep import REF_TRAIN
    from sparse_nb.train import TrainConfig
    kw = {**REF_TRAIN, 'progress': False, 'device': 'cuda', 'seed': r['seed'], 'steps': r['steps']}
    if DRY: kw.update(device='cpu', eval_every=10, eval_iters=2, batch_size=2, seq_len=64)
    if r.get('schedule') == 'cosine':  # the one-epoch budget with the library's schedule: 5% warmup, cosine to lr/10
        kw.update(warmup=-1, min_lr=0.0, eval_every=5 if DRY else 50)
    if work: kw['log_file'] = str(Path(work)/f"trainlog_{k}.jsonl")
    return TrainConfig(**kw)

def done(r, data, have):
    "Whether run spec `r` already has a complete row in the results file `have`"
    from sparse_nb.band_sweep import band_config, sweep_key, find_result
    from sparse_nb.model import GPTConfig
    cfg = band_config(GPTConfig.preset('tiny'), r['fc1_bw'], r['fc2_bw'])
    return find_result(have, sweep_key(r['run'], r['fc1_bw'], r['fc2_bw'], r.get('rescale', True), cfg, train_config(r), data)) is not None

def jobs(data=None, have=None, trim=DRY):
    """One list of runs per process: each long run alone, the short one-epoch runs together in one process.
    Runs with a row in the results file `have` (already complete) are skipped. Runs marked `extra` may be stopped to give their
    GPU share to the required ones: the bandwidth-1024 runs (the mask is all ones at C=128, so they repeat the
    baseline; the first sweep matched it bit for bit to step 3300) go first, the reference-init run last."""
    from sparse_nb.band_sweep import band_runs
    long = [[dict(r, seed=0, steps=MAIN, extra=r['run'].endswith('-1024'))] for r in band_runs()]
    long += [[dict(run='baseline', fc1_bw=0, fc2_bw=0, seed=1, steps=MAIN)],
             [dict(run='fc2-256', fc1_bw=0, fc2_bw=256, seed=1, steps=MAIN)],
             [dict(run='fc2-256-refinit', fc1_bw=0, fc2_bw=256, rescale=False, seed=0, steps=MAIN, extra=True)]]
    # noise level: more seeds of the baseline and of the configurations closest to it (added after the first full sweep)
    long += [[dict(r, seed=s, steps=MAIN, extra=True)] for s in (1, 2) for r in band_runs()
             if r['run'] in ('fc1-256', 'fc2-512') or (s == 2 and r['run'] in ('baseline', 'fc2-256'))]
    # seeds 3 and 4 of the headline pairs (issue 19: >= 5 seeds; session 6, on an H200 where seeds 0-2 ran on an H100)
    long += [[dict(r, seed=s, steps=MAIN)] for s in (3, 4) for r in band_runs() if r['run'] in ('baseline', 'fc2-256', 'fc1-256')]
    short = [dict(run=n, fc1_bw=a, fc2_bw=b, seed=s, steps=BUDGET1, schedule='cosine')
             for s in (0, 1) for n, a, b in (('baseline', 0, 0), ('fc2-256', 0, 256), ('fc1-256', 256, 0))]
    js = (long[:2] + long[-1:] + [short[:2]]) if trim else long + [short]   # a dry run without --only: a few jobs
    js = [[r for r in j if not (have and done(r, data, have))] for j in js]
    return [j for j in js if j]

def _last_step(f):
    try:
        with open(f, 'rb') as fh:
            fh.seek(0, 2); fh.seek(max(0, fh.tell() - 400)); tail = fh.read().decode(errors='ignore').splitlines()
        return json.loads(tail[-1])['step'] if tail else 0
    except Exception: return 0

def load_tokens(folder):
    from sparse_nb.data import TokenData
    f = Path(folder)
    return TokenData(np.fromfile(f/'tinystories_train.bin', dtype=np.uint16), np.fromfile(f/'tinystories_val.bin', dtype=np.uint16), 'tinystories')

def child(spec, work, deadline):
    torch.set_num_threads(1)
    from sparse_nb.band_sweep import band_run, _Deadline
    data = load_tokens(spec['data'])
    for r in spec['runs']:
        prog, stop = Path(work)/f"progress_{spec['k']}.jsonl", Path(work)/f"stop_{spec['k']}"
        def on_eval(step, m, r=r):
            with open(prog, 'a') as f: f.write(json.dumps(dict(run=r['run'], seed=r['seed'], steps=r['steps'], step=step, val=m['val_loss'])) + '\n')
            if stop.exists(): raise _Deadline()  # the parent gave this run's GPU share to the required runs
        band_run(r['run'], r['fc1_bw'], r['fc2_bw'], data, train_config(r, work, spec['k']), results=Path(work)/f"rows_{spec['k']}.jsonl",
                 rescale=r.get('rescale', True), deadline=deadline, on_eval=on_eval,
                 extra=dict(schedule=r.get('schedule', 'constant'), concurrent_procs=spec['n']))

def check_layer():
    "BandedLinear on the GPU vs float64 CPU reference, and exact zeros under fused AdamW"
    from sparse_nb.bands import BandedLinear
    from sparse_nb.core import rel_err, TOLS
    out = []
    g = torch.Generator().manual_seed(0)
    for dt in (torch.float32, torch.bfloat16):
        torch.manual_seed(1); l = BandedLinear(512, 128, 256, std=0.02).cuda()
        x = torch.randn(64, 256, 512, generator=g).cuda().requires_grad_()
        with torch.autocast('cuda', dtype=torch.bfloat16, enabled=dt == torch.bfloat16): y = l(x)
        dy = torch.randn(y.shape, generator=g).cuda(); (y.float() * dy).sum().backward()
        W = (l.weight.detach().double().cpu() * l.mask.cpu()).requires_grad_(); xr = x.detach().double().cpu().requires_grad_()
        yr = xr @ W.T + l.bias.detach().double().cpu(); (yr * dy.double().cpu()).sum().backward()
        errs = dict(y=rel_err(y, yr), dx=rel_err(x.grad, xr.grad), dW=rel_err(l.weight.grad, W.grad * l.mask.cpu()))
        oob_grad = l.weight.grad[~l.mask].abs().max().item()
        ok = all(e <= TOLS[dt] for e in errs.values()) and oob_grad == 0
        out.append(dict(check=f'BandedLinear 512->128 bw256 {str(dt)[6:]}', **{k: f'{v:.2e}' for k, v in errs.items()}, oob_grad=oob_grad, ok=ok))
    torch.manual_seed(2); l = BandedLinear(128, 512, 256, std=0.02).cuda()
    opt = torch.optim.AdamW(l.parameters(), lr=1e-2, weight_decay=0.1, fused=True)
    x, t = torch.randn(256, 128, device='cuda'), torch.randn(256, 512, device='cuda')
    for _ in range(500):
        with torch.autocast('cuda', dtype=torch.bfloat16): loss = torch.nn.functional.mse_loss(l(x).float(), t)
        opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
    oob = l.weight[~l.mask].abs().max().item()
    out.append(dict(check='500 fused AdamW steps, wd 0.1, bf16 autocast, no post_step', oob_max=oob, ok=oob == 0.0))
    return out

def summary(rows, partial, checks, dev, wall):
    from sparse_nb.band_sweep import sweep_val_table, sweep_final_table
    s = [f"# Band-width study on {dev}", '', f"torch {torch.__version__}, {len(rows)} complete runs, {len(partial)} cut by the deadline, wall {wall:.0f} s", '',
         '## GPU checks', '', *[json.dumps(c) for c in checks], '']
    main = [r for r in rows if r['steps'] == MAIN]
    if main:
        s += [f'## Validation loss per checkpoint ({MAIN} steps, seed 0)', '', sweep_val_table(main, MAIN, 0), '',
              '## Final validation loss', '', sweep_final_table(main, MAIN), '']
    one = [r for r in rows if r['steps'] == BUDGET1]
    if one:
        s += [f'## One-epoch budget ({BUDGET1} steps, warmup + cosine)', '', sweep_final_table(one, BUDGET1, early=None), '']
    if partial: s += ['## Partial runs', '', *[f"{r['run']} seed {r['seed']}: {r['steps_done']} steps, last val {r['final_val']}" for r in partial]]
    return '\n'.join(s)

if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', default='out'); ap.add_argument('--budget', type=float, default=380)
    ap.add_argument('--data', default='.gpu_data/bands'); ap.add_argument('--commit', default=None, help='commit to record (sets $SPARSE_NB_COMMIT; the device copy has no history)')
    ap.add_argument('--have', default=None, help='JSONL of complete runs to skip')
    ap.add_argument('--only', default=None, help='comma-separated run:seed:steps keys to run (others skipped)')
    ap.add_argument('--child', default=None); ap.add_argument('--work', default='/tmp/bands_work'); ap.add_argument('--deadline', type=float, default=0)
    a = ap.parse_args()
    if a.commit: os.environ['SPARSE_NB_COMMIT'] = a.commit   # read by env_info in every child
    if a.child: child(json.loads(a.child), a.work, a.deadline); sys.exit()
    t0 = time.time(); out, work = Path(a.out), Path(a.work); out.mkdir(parents=True, exist_ok=True); work.mkdir(parents=True, exist_ok=True)
    dev = 'cpu (dry run)' if DRY else torch.cuda.get_device_name()
    checks = [] if DRY else check_layer()
    for c in checks: print(c, flush=True)
    trim = DRY and not a.only                                              # --only picks the jobs itself, dry or not
    js = jobs(load_tokens(a.data), a.have, trim) if a.have else jobs(trim=trim); deadline = t0 + a.budget
    if a.only:
        want = {tuple(k.split(':')) for k in a.only.split(',')}
        js = [j for j in ([r for r in j if (r['run'], str(r['seed']), str(r['steps'])) in want] for j in js) if j]
    env = {**os.environ, 'OMP_NUM_THREADS': '1', 'PYTHONUNBUFFERED': '1'}
    procs = [subprocess.Popen([sys.executable, __file__, '--child', json.dumps(dict(k=k, n=len(js), runs=j, data=a.data)), '--work', str(work),
                               '--deadline', str(deadline)],
                              stdout=open(work/f'log_{k}.txt', 'w'), stderr=subprocess.STDOUT, env=env) for k, j in enumerate(js)]
    print(f"{len(procs)} processes started at {time.time() - t0:.0f}s; deadline in {deadline - time.time():.0f}s", flush=True)
    core = [k for k, j in enumerate(js) if j[0]['steps'] == MAIN and not j[0].get('extra')]
    extras = sorted((k for k, j in enumerate(js) if j[0].get('extra')), key=lambda k: js[k][0]['run'].endswith('refinit'))
    prev, tprev = {k: 0 for k in range(len(js))}, time.time()
    while any(p.poll() is None for p in procs) and time.time() < deadline + 25:
        time.sleep(2 if DRY else 30)
        last = {}
        for f in work.glob('progress_*.jsonl'):
            for l in f.read_text().splitlines(): r = json.loads(l); last[(r['run'], r['seed'], r['steps'])] = (r['step'], r['val'])
        print(f"[{time.time() - t0:4.0f}s] " + ', '.join(f"{k[0]}/s{k[1]}{'' if k[2] == MAIN else '/' + str(k[2])}@{v[0]}:{v[1]:.3f}"
                                                   for k, v in sorted(last.items())), flush=True)
        now, steps = time.time(), {k: _last_step(work/f'trainlog_{k}.jsonl') for k in range(len(js))}
        rates = [(steps[k] - prev[k]) / (now - tprev) for k in core if procs[k].poll() is None and steps[k] > prev[k] > 0]
        if rates and time.time() - t0 > 70:
            eta = now + (MAIN - min(steps[k] for k in core if procs[k].poll() is None)) / min(rates)
            print(f"       core runs: slowest at step {min(steps[k] for k in core)}, {min(rates):.1f} steps/s, projected end {eta - t0:.0f}s (deadline {deadline - t0:.0f}s)", flush=True)
            for k in extras:
                if eta > deadline - 5 and procs[k].poll() is None and not (work/f'stop_{k}').exists():
                    (work/f'stop_{k}').touch(); print(f"       stopping extra run {js[k][0]['run']} to give its share to the required runs", flush=True); break
        prev, tprev = steps, now
    for p in procs:
        if p.poll() is None: p.kill()
    from sparse_nb.core import read_results, append_result
    ok = dict(gpu_checks_ok=all(c['ok'] for c in checks))
    done = [{**r, **ok} for k in range(len(js)) for r in read_results(work/f'rows_{k}.jsonl')]
    part = [{**r, **ok} for k in range(len(js)) for r in read_results(work/f'rows_{k}.partial.jsonl')]
    for name, rs in (('bands_sweep.jsonl', done), ('bands_sweep.partial.jsonl', part)):
        for r in rs: append_result(out/name, r, key=('key',), stamp=False)    # rows are stamped by `band_run` already
    (out/'logs').mkdir(exist_ok=True)
    for k in range(len(procs)): (out/'logs'/f'bands_sweep_{k}.txt').write_text((work/f'log_{k}.txt').read_text()[-3000:])
    md = summary(done, part, checks, dev, time.time() - t0); (out/'bands_sweep.md').write_text(md)
    print(md[md.find('## Final'):] if '## Final' in md else md)
