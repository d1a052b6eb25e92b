"""Training speed on CPU: plain PyTorch fp32 and fastai fp32 against fastflow's speed options, same data, same run.

Tasks: `conv` (a small conv net on 32x32 `synth_images`) and `mlp` (3-layer MLP on 256 features).
Systems: `torch-fp32` (hand-written loop, the reference), `fastai-fp32` (Learner, no extras), `fastflow-default`
(`fast_cpu_cbs`: what `CPU_SPEED_DEFAULTS` turns on for this CPU),
`fastflow-bf16` (BF16Autocast), `fastflow-channels_last` and `fastflow-bf16+channels_last` (conv only).
Each system is warmed up on 4 batches, then trains one epoch, `--repeats` times, interleaved; throughput is training items/s (median), metric is
accuracy on a held-out synthetic set. Writes bench/results/train_speed.json.

    python bench/train_speed.py [--repeats 5] [--quick]
"""
import argparse, statistics, time
from pathlib import Path
import torch
from torch import nn
from fastai.learner import Learner
from fastai.data.core import DataLoaders
from fastai.data.load import DataLoader
from fastai.optimizer import Adam
from fastai.losses import CrossEntropyLossFlat
from fastflow.core import set_seed
from fastflow.testing import synth_images
from fastflow.callbacks import FFCallback
from fastflow.speed import BF16Autocast, ChannelsLast, fast_cpu_cbs, cpu_has_native_bf16, CPU_SPEED_DEFAULTS
from report import write_results

OUT = Path(__file__).parent/'results'/'train_speed.json'

def conv_data(n_per_class):
    x, y, _ = synth_images(n_per_class, size=32, classes=('a', 'b', 'c', 'd', 'e', 'f'), seed=0)
    x = torch.tensor(x).permute(0, 3, 1, 2).float()/255
    return x, torch.tensor(y)

def mlp_data(n):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, 256, generator=g); w = torch.randn(256, 10, generator=g)
    return x, (x @ w).argmax(1)

def conv_model():
    def blk(ni, nf, s): return [nn.Conv2d(ni, nf, 3, stride=s, padding=1, bias=False), nn.BatchNorm2d(nf), nn.ReLU()]
    return nn.Sequential(*blk(3, 32, 1), *blk(32, 64, 2), *blk(64, 128, 2), *blk(128, 128, 2),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(128, 6))

def mlp_model(): return nn.Sequential(nn.Linear(256, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(), nn.Linear(1024, 10))

TASKS = {'conv': (conv_data, conv_model, 64), 'mlp': (mlp_data, mlp_model, 256)}

class TrainTimer(FFCallback):
    "Wall time of the training phase only (validation excluded)"
    def before_train(self): self.t0 = time.perf_counter()
    def after_train(self): self.seconds = time.perf_counter() - self.t0

def accuracy_of(model, x, y):
    model.eval()
    with torch.no_grad(): return float((model(x).argmax(1) == y).float().mean())

def run_torch(task, x, y, xv, yv, bs):
    set_seed(0); model = TASKS[task][1](); opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train(); perm = torch.randperm(len(x)); t0 = time.perf_counter()
    for i in range(0, len(x), bs):
        idx = perm[i:i+bs]
        loss = nn.functional.cross_entropy(model(x[idx]), y[idx])
        loss.backward(); opt.step(); opt.zero_grad()
    return time.perf_counter() - t0, accuracy_of(model, xv, yv)

def run_fastai(task, x, y, xv, yv, bs, cbs_fn):
    set_seed(0); model = TASKS[task][1]()
    dls = DataLoaders(DataLoader(list(zip(x, y)), bs=bs, shuffle=True), DataLoader(list(zip(xv, yv)), bs=512))
    timer = TrainTimer()
    learn = Learner(dls, model, loss_func=CrossEntropyLossFlat(), opt_func=Adam, lr=1e-3, cbs=[timer, *cbs_fn(model)])
    with learn.no_bar(), learn.no_logging(): learn.fit(1)
    return timer.seconds, accuracy_of(learn.model, xv, yv)

def systems(task):
    s = {'torch-fp32': None, 'fastai-fp32': lambda m: [], 'fastflow-default': lambda m: fast_cpu_cbs(m),
         'fastflow-bf16': lambda m: [BF16Autocast()]}
    if task == 'conv': s.update({'fastflow-channels_last': lambda m: [ChannelsLast()],
                                 'fastflow-bf16+channels_last': lambda m: [ChannelsLast(), BF16Autocast()]})
    return s

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--repeats', type=int, default=5); ap.add_argument('--quick', action='store_true')
    ap.add_argument('--out', default=str(OUT))
    a = ap.parse_args(argv)
    sizes = {'conv': 100 if a.quick else 250, 'mlp': 2048 if a.quick else 8192}   # conv: per class (6 classes)
    rows = []
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, CPU_SPEED_DEFAULTS={CPU_SPEED_DEFAULTS}, "
          f"native bf16: {cpu_has_native_bf16()}")
    for task, (data_fn, _, bs) in TASKS.items():
        x, y = data_fn(sizes[task]); cut = int(0.8*len(x))
        perm = torch.randperm(len(x), generator=torch.Generator().manual_seed(1))
        x, y = x[perm], y[perm]
        xt, yt, xv, yv = x[:cut], y[:cut], x[cut:], y[cut:]
        res = {name: [] for name in systems(task)}
        for name, cbs_fn in systems(task).items():   # warm-up: each configuration once on 4 batches (oneDNN primitive caches)
            if cbs_fn is None: run_torch(task, xt[:bs*4], yt[:bs*4], xv, yv, bs)
            else: run_fastai(task, xt[:bs*4], yt[:bs*4], xv, yv, bs, cbs_fn)
        for r in range(a.repeats):
            for name, cbs_fn in systems(task).items():
                secs, acc = run_torch(task, xt, yt, xv, yv, bs) if cbs_fn is None else run_fastai(task, xt, yt, xv, yv, bs, cbs_fn)
                res[name].append((secs, acc))
        base = statistics.median(len(xt)/s for s, _ in res['fastai-fp32'])
        ref = statistics.median(len(xt)/s for s, _ in res['torch-fp32'])
        print(f"\n{task}: {len(xt)} training items, bs {bs}, {a.repeats} repeats (median)")
        print(f"{'system':30s} {'items/s':>9s} {'vs torch-fp32':>14s} {'vs fastai-fp32':>15s} {'seconds':>8s} {'best run items/s':>17s} {'accuracy':>9s}")
        for name, v in res.items():
            thr = statistics.median(len(xt)/s for s, _ in v); secs = statistics.median(s for s, _ in v)
            acc = statistics.median(ac for _, ac in v)
            print(f"{name:30s} {thr:9.0f} {thr/ref:14.2f} {thr/base:15.2f} {secs:8.2f} {max(len(xt)/s for s, _ in v):17.0f} {acc:9.3f}")
            best = max(len(xt)/s for s, _ in v)   # fastest run: the least disturbed by other processes on a shared machine
            rows.append(dict(task=task, system=name, metric='accuracy', value=round(acc, 4), seconds=round(secs, 3),
                             throughput_best_run=round(best, 1), best_ratio_vs_torch_fp32=round(best/max(len(xt)/s for s, _ in res['torch-fp32']), 3),
                             throughput=round(thr, 1), ratio_vs_torch_fp32=round(thr/ref, 3), ratio_vs_fastai_fp32=round(thr/base, 3),
                             runs=[dict(seconds=round(s, 3), accuracy=round(ac, 4)) for s, ac in v]))
    write_results(rows, a.out)
    return rows

if __name__ == '__main__': main()
