"""Dense baseline on the GPU: tiny-model training throughput and GPT-2-small step time.

A trimmed `train` loop (nanoGPT's bench.py idea): the library's model, optimizer and autocast, a fixed
synthetic batch of random tokens (data loading out of the timing), warmup, then CUDA-event timing of whole
optimizer steps. Writes $OUT/dense_baseline.json and prints a table. Run: PYTHONPATH=. python gpu/dense_baseline.py
"""
import json, os, time, torch
from sparse_nb.core import env_info, bench
from sparse_nb.model import GPTConfig
from sparse_nb.train import TrainConfig, build_model, make_optimizer
from sparse_nb.core import autocast

def step_time(preset, B, T, compile=False, steps=30):
    dev = torch.device('cuda')
    m = build_model(GPTConfig.preset(preset)).to(dev)
    opt = make_optimizer(m, TrainConfig(lr=3e-4))
    fwd = torch.compile(m) if compile else m
    g = torch.Generator(device=dev).manual_seed(0)
    x = torch.randint(0, 50257, (B, T), device=dev, generator=g); y = torch.randint(0, 50257, (B, T), device=dev, generator=g)
    def step():
        with autocast(dev): _, loss = fwd(x, y)
        loss.backward(); torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0); opt.step(); opt.zero_grad(set_to_none=True)
    r = bench(step, warmup=10, rep=steps)
    n = m.num_params()
    flops = 6 * n * B * T + 12 * m.cfg.n_layer * m.cfg.n_embd * T * B * T   # nanoGPT's MFU count per step
    return dict(model=preset, B=B, T=T, compile=compile, step_ms=r['ms'], p20=r['p20'], p80=r['p80'],
                tok_per_s=B * T / (r['ms'] / 1e3), tflops=flops / (r['ms'] / 1e3) / 1e12, params=n)

if __name__ == '__main__':
    assert torch.cuda.is_available()
    torch.backends.cuda.matmul.allow_tf32 = True
    rows = []
    for preset, B, T in [('tiny', 16, 256), ('tiny', 64, 256), ('gpt2-small', 8, 1024), ('gpt2-small', 16, 1024)]:
        for c in (False, True):
            try: rows.append(step_time(preset, B, T, c))
            except Exception as e: rows.append(dict(model=preset, B=B, T=T, compile=c, error=repr(e)[:300]))
            print(rows[-1], flush=True)
    out = dict(env=env_info(), what='dense training step (fwd+bwd+clip+AdamW), bf16 autocast, fixed random batch', rows=rows)
    os.makedirs(os.environ.get('OUT', '.'), exist_ok=True)
    json.dump(out, open(os.path.join(os.environ.get('OUT', '.'), 'dense_baseline.json'), 'w'), indent=1)
    print(f"\n{'model':11} {'B×T':>9} {'compile':>7} {'step ms':>8} {'tok/s':>11} {'TFLOP/s':>8}")
    for r in rows:
        if 'error' in r: print(r['model'], r['B'], r['T'], r['compile'], 'ERROR', r['error'][:80]); continue
        print(f"{r['model']:11} {r['B']:>3}×{r['T']:<5} {str(r['compile']):>7} {r['step_ms']:8.2f} {r['tok_per_s']:11,.0f} {r['tflops']:8.1f}")
