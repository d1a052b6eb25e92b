"""Tabular NN training speed: fastai's `tabular_learner` (TabularPandas + its default TabDataLoader) against fastflow's
`fit_tabular_nn` (one `TabularProc`, tensors built once, batches by indexing), on the same rows in the same run.

Both train the same model (fastai's `TabularModel`, embedding sizes by fastai's rule, layers 200-100, no dropout) with the
same one-cycle schedule (lr 1e-2, div 25, final div 1e5, pct_start 0.25), Adam with decoupled weight decay 0.01, batch
size 1024 and the same number of epochs, validating on the evaluation rows after each epoch. Throughput = training rows
x epochs / seconds of `fit` (the per-epoch validation included for both); accuracy on the evaluation rows.
Data: a 200k-row synthetic table (`synth_tabular`, 80/20 split) and Adult (train.csv -> the official test.csv).
fastai runs with its default torch threads; a second fastai row runs it with one thread, as fastflow does, to separate the
thread effect from the data-loading one. `fastflow-nn` uses fastflow's CPU defaults (bf16 autocast where the CPU has
bf16 instructions); `fastflow-nn-fp32` turns that off, and `fastai-tabular_learner-bf16` gives fastai the same bf16
autocast (fastflow's `BF16Autocast` callback), so the ratios separate fastflow's loader from the precision switch.

A one-second fit cannot resolve a ratio on a shared machine, so every system is fitted again and again, the systems taking
turns (a change of load hits all of them), until each has trained for at least `--min-seconds` (20) and `--repeats` (3)
times; the figures are the medians over its fits. CPU seconds (`time.process_time`, all threads) are recorded beside the wall
seconds: a busy machine inflates wall time far more than CPU time.

    flock /work/bench.lock python bench/tabular_speed.py          # writes bench/results/tabular_speed.json
"""
import os
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')
import argparse, time, warnings
from pathlib import Path
import numpy as np, pandas as pd, torch
from report import write_results

LAYERS, BS, LR = [200, 100], 1024, 1e-2
ADULT_CATS = ['workclass', 'education', 'marital-status', 'occupation', 'relationship', 'race', 'sex', 'native-country']
ADULT_CONTS = ['age', 'fnlwgt', 'education-num', 'capital-gain', 'capital-loss', 'hours-per-week']

def load(task):
    "(train frame, eval frame, cat names, cont names, target)"
    if task == 'synth200k':
        from fastflow.testing import synth_tabular
        df = synth_tabular(200_000, seed=0).drop(columns='date').assign(flag=lambda d: d.flag.astype(str))
        idx = np.random.default_rng(0).permutation(len(df)); cut = int(.8*len(df))
        return df.iloc[idx[:cut]].reset_index(drop=True), df.iloc[idx[cut:]].reset_index(drop=True), ['cat', 'flag'], ['x_num1', 'x_num2', 'noise'], 'y'
    from fastflow.core import data_path
    p = data_path('adult')
    return pd.read_csv(p/'train.csv'), pd.read_csv(p/'test.csv'), ADULT_CATS, ADULT_CONTS, 'income'

def run_fastai(trn, tst, cats, conts, target, epochs, threads=None, bf16=False):
    "fastai's default tabular path (with `bf16`: plus fastflow's `BF16Autocast` callback); returns (fit seconds, accuracy, fit CPU seconds)"
    from fastai.tabular.all import TabularPandas, Categorify, FillMissing, Normalize, CategoryBlock, tabular_learner, accuracy
    from fastflow.callbacks import torch_threads
    df = pd.concat([trn, tst], ignore_index=True)
    splits = (list(range(len(trn))), list(range(len(trn), len(df))))    # procs are fitted on the training split only
    to = TabularPandas(df, procs=[Categorify, FillMissing, Normalize], cat_names=list(cats), cont_names=list(conts),
                       y_names=target, y_block=CategoryBlock(), splits=splits)
    dls = to.dataloaders(bs=BS)
    torch.manual_seed(0)
    from fastflow.speed import BF16Autocast
    learn = tabular_learner(dls, layers=LAYERS, metrics=accuracy, cbs=[BF16Autocast()] if bf16 else None)
    with torch_threads(threads), learn.no_bar(), learn.no_logging():
        t0, c0 = time.perf_counter(), time.process_time(); learn.fit_one_cycle(epochs, LR); secs, cpu = time.perf_counter() - t0, time.process_time() - c0
        acc = float(learn.validate()[1])
    return secs, acc, cpu

def run_fastflow(trn, tst, cats, conts, target, epochs, bf16=None):
    "fastflow's path: TabularProc once, fit_tabular_nn from tensors; returns (fit seconds, accuracy, fit CPU seconds)"
    from fastflow.tabular.data import TabularProc
    from fastflow.metrics import accuracy
    from fastflow.tabular.nn import fit_tabular_nn, predict_tabular_nn
    proc = TabularProc(cat_names=cats, cont_names=conts, max_levels=1000, drop=[target]).fit(trn[[*cats, *conts, target]])
    xtr, xte = proc.arrays(proc.transform(trn)), proc.arrays(proc.transform(tst))
    classes, ytr = np.unique(trn[target], return_inverse=True)
    yte = np.searchsorted(classes, tst[target])
    torch.manual_seed(0)
    t0, c0 = time.perf_counter(), time.process_time()
    learn = fit_tabular_nn(*xtr, ytr, proc.card_, valid=(*xte, yte), epochs=epochs, bs=BS, lr=LR, layers=LAYERS, bf16=bf16)
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    return secs, accuracy(yte, predict_tabular_nn(learn.model, *xte)), cpu

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--tasks', nargs='+', default=['synth200k', 'adult'])
    ap.add_argument('--epochs', type=int, default=3)
    ap.add_argument('--repeats', type=int, default=3, help='fit each system at least this many times, report medians')
    ap.add_argument('--min-seconds', type=float, default=20., help='... and until it has trained for at least this long in total')
    ap.add_argument('--out', default=str(Path(__file__).parent/'results'/'tabular_speed.json'))
    a = ap.parse_args(argv)
    warnings.simplefilter('ignore')
    rows = []
    systems = {'fastflow-nn': lambda *d: run_fastflow(*d, a.epochs),
               'fastflow-nn-fp32': lambda *d: run_fastflow(*d, a.epochs, bf16=False),
               'fastai-tabular_learner': lambda *d: run_fastai(*d, a.epochs),
               'fastai-tabular_learner-bf16': lambda *d: run_fastai(*d, a.epochs, bf16=True),
               'fastai-tabular_learner-1thread': lambda *d: run_fastai(*d, a.epochs, threads=1)}
    for task in a.tasks:
        data = load(task)
        n, res = len(data[0]), {k: [] for k in systems}
        done = lambda k: len(res[k]) >= a.repeats and sum(r[0] for r in res[k]) >= a.min_seconds
        while not all(done(k) for k in systems):          # the systems take turns, so a change of load hits all of them
            for name, fn in systems.items():
                if done(name): continue
                res[name].append(fn(*data))
                print(f"{task:<10} {name:<32} fit {len(res[name]):>2}: {res[name][-1][0]:6.2f} s  acc {res[name][-1][1]:.4f}", flush=True)
        for name in systems:
            secs, acc = float(np.median([r[0] for r in res[name]])), float(np.median([r[1] for r in res[name]]))
            cpu = float(np.median([r[2] for r in res[name]]))
            rows.append(dict(task=task, system=name, metric='accuracy', value=round(acc, 4), seconds=round(secs, 2),
                             throughput=round(n*a.epochs/secs), cpu_seconds=round(cpu, 2), rows_per_cpu_second=round(n*a.epochs/cpu),
                             fits=len(res[name]), total_seconds=round(sum(r[0] for r in res[name]), 1), load=[round(x, 1) for x in os.getloadavg()]))
    print(f"\n{'task':<10} {'system':<32} {'accuracy':>8} {'seconds':>8} {'rows/s':>9} {'speed vs fastai':>15} {'CPU-s':>6} {'rows/CPU-s':>10}")
    for r in rows:
        ref = next(x for x in rows if x['task'] == r['task'] and x['system'] == 'fastai-tabular_learner')
        print(f"{r['task']:<10} {r['system']:<32} {r['value']:>8.4f} {r['seconds']:>8.1f} {r['throughput']:>9} {r['throughput']/ref['throughput']:>14.1f}x"
              f" {r['cpu_seconds']:>6.1f} {r['rows_per_cpu_second']:>10}")
    write_results(rows, a.out)
    return rows

if __name__ == '__main__': main()
