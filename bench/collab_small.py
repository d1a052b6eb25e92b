"""Small rating sets: the default batch size (`collab_bs`) against the old floor of 4096, and biases-only, in the same run.

With one batch an epoch, `fit_one_cycle(5)` is five optimizer steps and a dot-product model stays at its initial
biases. `collab_bs` aims at about ten batches an epoch on small data (at least 64 ratings a batch) and is 4096 from
about 3e4 ratings on, as before. This script is the evidence for that rule (nbs/40_collab.data.ipynb quotes it).

Sets (80/20 random split of each set by `CollabDataLoaders.from_df`, seeds 0, 1, 2; validation RMSE):
- `synth-lowrank-200x120`: 200 users x 120 items, 12% of pairs rated, rank-3 factors plus noise, ratings rounded to 1-5;
- `ml-100k-dense-8k`: 10,000 ratings drawn from MovieLens 100K's 300 most active users x 200 most rated films;
- `ml-100k-dense`: all 29,337 ratings of those users and films;
- `ml-100k-random-2k`: 2,000 ratings drawn from all of MovieLens 100K (sparse: about two a user).
Systems: `biases-only` (`BiasBaseline`), `fastflow-collab_learner` (the documented first fit, `collab_learner(dls)` and
`fit_one_cycle(5)` with the default batch, but `best_epoch=False`: the reported rows must not pick the epoch),
`fastflow-collab_learner-bs4096` (the same with `bs=4096`, the old default).
Rows give the mean over the seeds (`value`) and each seed's figure (`per_seed`). One torch thread; about 2 minutes.

    python bench/collab_small.py
Writes bench/results/collab_small.json.
"""
import time, warnings
from pathlib import Path
import numpy as np, pandas as pd, torch
from report import write_results
from fastflow.core import data_path
from fastflow.metrics import rmse
from fastflow.collab.data import CollabDataLoaders
from fastflow.collab.learner import collab_learner
from fastflow.collab.model import BiasBaseline

def synth(seed, nu=200, ni=120, k=3, p=0.12):
    "Rank-`k` ratings on 1-5: a planted dot product, a user offset and noise"
    g = np.random.default_rng(seed); U, V = g.normal(size=(nu, k)), g.normal(size=(ni, k))
    u, i = np.nonzero(g.random((nu, ni)) < p)
    y = np.clip(np.round(3 + 0.5*(U[u]*V[i]).sum(1) + g.normal(0, 0.5, len(u)) + g.normal(0, .3, nu)[u]), 1, 5)
    return pd.DataFrame(dict(user=u, item=i, rating=y))

def sets():
    r = pd.read_csv(data_path('ml-100k')/'ratings.csv')[['user', 'item', 'rating']]
    dense = r[r.user.isin(r.user.value_counts().index[:300]) & r.item.isin(r.item.value_counts().index[:200])].reset_index(drop=True)
    return {'synth-lowrank-200x120': synth, 'ml-100k-dense-8k': lambda s: dense.sample(10_000, random_state=s),
            'ml-100k-dense': lambda s: dense, 'ml-100k-random-2k': lambda s: r.sample(2_000, random_state=s)}

def main():
    warnings.filterwarnings('ignore'); torch.set_num_threads(1)
    rows = []
    for task, make in sets().items():
        res = {}
        for seed in (0, 1, 2):
            df = make(seed).reset_index(drop=True)
            for system, bs in (('fastflow-collab_learner', None), ('fastflow-collab_learner-bs4096', 4096)):
                dls = CollabDataLoaders.from_df(df, seed=seed, bs=bs, device='cpu')
                learn = collab_learner(dls, seed=seed, best_epoch=False)
                t0 = time.perf_counter()
                with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(5)
                s = time.perf_counter() - t0
                res.setdefault(system, []).append((float(learn.validate()[1]), s, len(dls.train_df), dls.train.bs))
            t, v = dls.train_df, dls.valid_df
            t0 = time.perf_counter(); b = BiasBaseline().fit(t.u, t.i, t.rating, dls.n_users, dls.n_items); s = time.perf_counter() - t0
            res.setdefault('biases-only', []).append((rmse(b.predict(v.u, v.i), v.rating), s, len(t), None))
        for system, runs in res.items():
            val, sec, n, bs = (list(x) for x in zip(*runs))
            rows.append(dict(task=task, system=system, metric='rmse', value=float(np.mean(val)), seconds=float(np.median(sec)),
                             throughput=float(np.median([5*a/b for a, b in zip(n, sec)])) if system != 'biases-only' else None,
                             per_seed=[round(x, 4) for x in val], n_train=n, bs=bs))
            print(f"{task:24} {system:32} rmse {np.mean(val):.4f}  per seed {[round(x, 4) for x in val]}  bs {bs}", flush=True)
    write_results(rows, Path(__file__).resolve().parent/'results'/'collab_small.json')

if __name__ == '__main__': main()
