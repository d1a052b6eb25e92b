"""Training speed on MovieLens 100K: fastai's `collab_learner` (bs=64 and bs=1024) vs fastflow's DotProductBias.

Same 80/20 random split (fastai's, seed 42) for every system, 5 one-cycle epochs each. fastai runs on torch's
default thread count (what a user gets) and, at bs=1024, also on one thread (fastflow's default), so the gain from
threads is separated from the gain from the data path; fastflow likewise runs on one thread and on the default. Prints fit seconds,
train rows/s and validation RMSE; writes bench/results/collab_speed.json. Usage: python bench/collab_speed.py [--reps 3]
"""
import argparse, statistics, time, warnings
from pathlib import Path
import numpy as np
import pandas as pd
import torch
from fastai.collab import CollabDataLoaders as FastaiCollabDLs, collab_learner as fastai_collab_learner
from fastflow.core import data_path, set_seed
from fastflow.metrics import rmse
from fastflow.callbacks import torch_threads
from fastflow.collab.data import CollabDataLoaders
from fastflow.collab.learner import collab_learner
from report import write_results

EPOCHS = 5

def run_fastai(ratings, bs, seed=42, n_threads=None):
    "fastbook ch. 8: collab_learner(n_factors=50, y_range=(0,5.5)), fit_one_cycle(5, 5e-3, wd=0.1)"
    with torch_threads(n_threads or torch.get_num_threads()): return _run_fastai(ratings, bs, seed)

def _run_fastai(ratings, bs, seed):
    set_seed(seed)
    dls = FastaiCollabDLs.from_df(ratings, valid_pct=0.2, seed=seed, bs=bs)
    learn = fastai_collab_learner(dls, n_factors=50, y_range=(0, 5.5))
    t0 = time.perf_counter()
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(EPOCHS, 5e-3, wd=0.1)
    sec = time.perf_counter() - t0
    with learn.no_bar(): p, y = learn.get_preds()
    return dict(seconds=sec, rmse=rmse(p.view(-1), y.view(-1)), n_train=len(dls.train_ds),
                valid_idx=np.asarray(dls.valid_ds.items.index))

def run_fastflow(ratings, valid_idx, seed=0, **kw):
    "fastflow defaults: collab_learner(dls, 'dot'), batches of 4096, fit_one_cycle(5)"
    set_seed(seed)
    dls = CollabDataLoaders.from_df(ratings, valid_idx=valid_idx, seed=seed, device='cpu')
    learn = collab_learner(dls, 'dot', best_epoch=False, **kw)   # a fixed 5 epochs: the valid RMSE comes from rows that chose nothing
    t0 = time.perf_counter()
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(EPOCHS)
    sec = time.perf_counter() - t0
    va = dls.valid_df
    return dict(seconds=sec, rmse=rmse(learn.predict_pairs(va), va.rating), n_train=len(dls.train_idx))

def main(reps=3, out=Path(__file__).parent/'results'/'collab_speed.json'):
    warnings.simplefilter('ignore')
    ratings = pd.read_csv(data_path('ml-100k')/'ratings.csv')
    print(f"ml-100k: {len(ratings):,} ratings; torch threads {torch.get_num_threads()}; {EPOCHS} epochs each", flush=True)
    res = {}
    res['fastai-collab_learner-bs64'] = [run_fastai(ratings, 64)]
    print('fastai bs=64 done', flush=True)
    res['fastai-collab_learner-bs1024'] = [run_fastai(ratings, 1024) for _ in range(reps)]
    res['fastai-collab_learner-bs1024-1thread'] = [run_fastai(ratings, 1024, n_threads=1) for _ in range(reps)]
    vidx = res['fastai-collab_learner-bs64'][0]['valid_idx']
    assert len(vidx) == round(0.2*len(ratings))
    res['fastflow-DotProductBias'] = [run_fastflow(ratings, vidx, seed=k) for k in range(reps)]
    res['fastflow-DotProductBias-torch_default_threads'] = [run_fastflow(ratings, vidx, n_threads=None)]
    rows = []
    for name, runs in res.items():
        sec = statistics.median(r['seconds'] for r in runs)
        rows.append(dict(task='ml-100k', system=name, metric='rmse', value=round(statistics.median(r['rmse'] for r in runs), 4),
                         seconds=round(sec, 3), throughput=round(runs[0]['n_train']*EPOCHS/sec), epochs=EPOCHS, reps=len(runs)))
    base = {r['system']: r['throughput'] for r in rows}
    print(f"\n{'system':<48}{'fit s':>8}{'rows/s':>12}{'valid RMSE':>12}{'x bs64':>8}{'x bs1024':>9}{'x bs1024-1t':>12}")
    for r in rows:
        print(f"{r['system']:<48}{r['seconds']:>8.2f}{r['throughput']:>12,}{r['value']:>12.4f}"
              f"{r['throughput']/base['fastai-collab_learner-bs64']:>8.1f}{r['throughput']/base['fastai-collab_learner-bs1024']:>9.1f}"
              f"{r['throughput']/base['fastai-collab_learner-bs1024-1thread']:>12.1f}")
    ff = next(r for r in rows if r['system'] == 'fastflow-DotProductBias')
    print(f"\nfastflow DotProductBias: {EPOCHS}-epoch fit of {res['fastflow-DotProductBias'][0]['n_train']:,} ratings in "
          f"{ff['seconds']:.2f} s (median of {ff['reps']}; issue target: about a second on 2 cores)")
    write_results(rows, out)
    return rows

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--reps', type=int, default=3, help='repeats of the cheap runs (median reported)')
    main(p.parse_args().reps)
