"""Rating-prediction quality on MovieLens 100K: 5-fold CV (random folds, seed 42), RMSE mean +- std.

Rows: global mean; biases only; fastai `collab_learner` with fastbook's settings (n_factors=50, y_range=(0,5.5),
wd=0.1, fit_one_cycle(5, 5e-3), bs=64); fastflow DotProductBias, CollabNN and HybridCollab (defaults, 5 epochs);
and the best fastflow setting (an average of a few dot-product models and the hybrid). Ranking metrics
(precision@10, recall@10, NDCG@10; held-out ratings >= 4 are relevant; all items a user has not rated in training
are ranked) for the fastflow rows and for the bias baseline. Every system runs on one torch thread (this is a
quality benchmark; it changes no result, and on a small shared CPU it makes fastai's 6,250 small batches a fold
several times faster). Writes bench/results/collab_ml100k.json.
Usage: python bench/collab_ml100k.py [--folds 5]
"""
import argparse, json, time, warnings
from pathlib import Path
import numpy as np
import pandas as pd
import torch
from torch import nn
from sklearn.model_selection import KFold
from fastai.collab import TabularCollab, collab_learner as fastai_collab_learner
from fastai.data.block import TransformBlock
from fastai.tabular.core import Categorify
from fastai.losses import MSELossFlat
from fastflow.core import data_path, set_seed
from fastflow.collab.data import CollabDataLoaders
from fastflow.collab.model import BiasBaseline
from fastflow.collab.learner import CollabLearner, collab_learner

SEED, EPOCHS = 42, 5
# The best setting: the average of these fastflow models (name -> (collab_learner kwargs, epochs, seed))
ENSEMBLE = {'dot': (dict(model='dot'), 5, 0), 'dot_k100': (dict(model='dot', n_factors=100, lam=0.15), 10, 0),
            'dot_seed1': (dict(model='dot'), 5, 1), 'dot_seed2': (dict(model='dot'), 5, 2), 'hybrid': (dict(model='hybrid'), 5, 0)}

def _rmse(p, y): return float(np.sqrt(np.mean((np.asarray(p, np.float64) - np.asarray(y, np.float64))**2)))

class MeanOf(nn.Module):
    "Average of the outputs of several models (for ranking an ensemble with `CollabLearner`)"
    def __init__(self, models): super().__init__(); self.models = nn.ModuleList(models)
    def forward(self, x): return torch.stack([m(x) for m in self.models]).mean(0)

class Biases(nn.Module):
    "A fitted `BiasBaseline` as a module (mu + b_u + b_i)"
    def __init__(self, b):
        super().__init__()
        self.mu, self.bu, self.bi = float(b.mu_), torch.tensor(b.user_bias_, dtype=torch.float32), torch.tensor(b.item_bias_, dtype=torch.float32)
        self.dummy = nn.Parameter(torch.zeros(1))
    def forward(self, x): return self.mu + self.bu[x[:, 0]] + self.bi[x[:, 1]] + 0*self.dummy

def fastai_fold(ratings, tr, va):
    set_seed(SEED)
    to = TabularCollab(ratings[['user', 'item', 'rating']], [Categorify], cat_names=['user', 'item'], y_names=['rating'],
                       y_block=TransformBlock(), splits=(list(tr), list(va)))
    dls = to.dataloaders(bs=64)
    learn = fastai_collab_learner(dls, n_factors=50, y_range=(0, 5.5))
    t0 = time.perf_counter()
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(EPOCHS, 5e-3, wd=0.1)
    sec = time.perf_counter() - t0
    with learn.no_bar(): p, y = learn.get_preds()
    return _rmse(p.view(-1), y.view(-1)), sec, len(tr)*EPOCHS/sec

def fastflow_fit(dls, kw, epochs, seed):
    set_seed(seed)
    learn = collab_learner(dls, **kw)
    t0 = time.perf_counter()
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(epochs)
    return learn, time.perf_counter() - t0

def main(n_folds=5, out=Path(__file__).parent/'results'/'collab_ml100k.json'):
    warnings.simplefilter('ignore')
    torch.set_num_threads(1)
    ratings = pd.read_csv(data_path('ml-100k')/'ratings.csv')
    res = {}   # system -> list of dicts per fold
    add = lambda name, **kw: res.setdefault(name, []).append(kw)
    for k, (tr, va) in enumerate(KFold(n_folds, shuffle=True, random_state=SEED).split(ratings)):
        t_fold = time.perf_counter()
        dls = CollabDataLoaders.from_df(ratings, valid_idx=va, seed=SEED, device='cpu')
        vdf = dls.valid_df; y = vdf.rating.to_numpy()
        add('global-mean', rmse=_rmse(np.full(len(y), dls.global_mean), y))
        t0 = time.perf_counter()
        tdf = dls.train_df
        b = BiasBaseline().fit(tdf.u, tdf.i, tdf.rating, dls.n_users, dls.n_items)
        sec = time.perf_counter() - t0
        bl = CollabLearner(dls, Biases(b), loss_func=MSELossFlat())
        add('biases-only', rmse=_rmse(b.predict(vdf.u, vdf.i), y), seconds=sec, **bl.ranking_metrics())
        e, sec, thr = fastai_fold(ratings, tr, va)
        add('fastai-collab_learner', rmse=e, seconds=sec, throughput=thr)
        learners, preds, ens_sec = {}, {}, 0.
        for name, (kw, ep, seed) in ENSEMBLE.items():
            learners[name], sec = fastflow_fit(dls, kw, ep, seed)
            ens_sec += sec
            preds[name] = learners[name].predict_pairs(vdf)
            if name in ('dot', 'hybrid'):
                add(f"fastflow-{'DotProductBias' if name == 'dot' else 'HybridCollab'}", rmse=_rmse(preds[name], y), seconds=sec,
                    throughput=len(tr)*ep/sec, **learners[name].ranking_metrics())
            else: add(f'fastflow-{name}', rmse=_rmse(preds[name], y), seconds=sec, throughput=len(tr)*ep/sec)
        ln, sec = fastflow_fit(dls, dict(model='nn'), EPOCHS, 0)
        add('fastflow-CollabNN', rmse=_rmse(ln.predict_pairs(vdf), y), seconds=sec, throughput=len(tr)*EPOCHS/sec, **ln.ranking_metrics())
        ens = CollabLearner(dls, MeanOf([l.model for l in learners.values()]), loss_func=MSELossFlat())
        add('fastflow-best (mean of ' + '+'.join(ENSEMBLE) + ')', rmse=_rmse(np.mean(list(preds.values()), 0), y),
            seconds=ens_sec, **ens.ranking_metrics())
        print(f"fold {k}: " + ', '.join(f"{n} {r[-1]['rmse']:.4f}" for n, r in res.items()) + f"  ({time.perf_counter()-t_fold:.0f}s)", flush=True)
    rows = []
    print(f"\n{'system':<64}{'RMSE mean':>10}{'std':>8}{'fit s':>8}{'P@10':>8}{'R@10':>8}{'NDCG@10':>9}")
    for name, runs in res.items():
        e = np.array([r['rmse'] for r in runs]); sec = np.mean([r.get('seconds', np.nan) for r in runs])
        thr = np.mean([r['throughput'] for r in runs]) if 'throughput' in runs[0] else None
        rows.append(dict(task='ml-100k', system=name, metric='rmse', value=round(float(e.mean()), 4), std=round(float(e.std()), 4),
                         seconds=None if np.isnan(sec) else round(float(sec), 3), throughput=None if thr is None else round(float(thr)),
                         folds=len(runs)))
        rk = {m: float(np.mean([r[m] for r in runs])) for m in ('precision@10', 'recall@10', 'ndcg@10') if m in runs[0]}
        for m, v in rk.items():
            rows.append(dict(task='ml-100k', system=name, metric=m, value=round(v, 4), seconds=None, throughput=None, folds=len(runs)))
        print(f"{name:<64}{e.mean():>10.4f}{e.std():>8.4f}{sec:>8.2f}" + ''.join(f"{rk.get(m, np.nan):>8.4f}" for m in ('precision@10', 'recall@10'))
              + f"{rk.get('ndcg@10', np.nan):>9.4f}")
    print("Surprise on the same protocol (its docs): SVD 0.934, SVD++ 0.919")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=1))
    print(f"wrote {out}")
    return rows

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--folds', type=int, default=5, help='number of CV folds')
    main(p.parse_args().folds)
