"A CollabWorkflow with a BayesianMF member and the count-feature stack as its final model, exported in one interpreter and loaded in another from a read-only folder: identical predictions; bad 'bayes' specs refused; BayesianMF.to_module inside a collab learner."
import os, subprocess, sys, textwrap, warnings
from pathlib import Path
from conftest import set_writable
import numpy as np
import pandas as pd
import pytest
from fastflow.testing import synth_ratings
from fastflow.collab.workflow import CollabWorkflow

ROOT = Path(__file__).resolve().parents[1]

def py(code, cwd):
    env = {**os.environ, 'PYTHONPATH': str(ROOT), 'MPLBACKEND': 'Agg'}
    return subprocess.run([sys.executable, '-c', textwrap.dedent(code)], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)

SAVE = '''
import warnings, numpy as np, pandas as pd
from fastflow.testing import synth_ratings
from fastflow.collab.workflow import CollabWorkflow
warnings.simplefilter('ignore')
r = synth_ratings(80, 50, seed=3)
test = r.sample(frac=0.2, random_state=0); train = r.drop(test.index)
members = {'bayes': dict(type='bayes', n_factors=4, n_iter=40, burn_in=10, thin=3), 'knn_item': dict(type='knn', kind='item', k=10, shrinkage=10.),
           'dot': dict(type='dot', n_factors=6, epochs=3, lr=0.05)}
wf = CollabWorkflow(members=members, n_splits=3, seed=0, bs=256, verbose=False)
lb = wf.fit(train)
assert {'blend', 'stack'} <= set(lb.model), lb
wf.best_ = 'stack'; wf.fit_final()   # the stack as the final model, whatever won
assert wf.final_stack_ is not None and 'bayes' in wf.final_weights_, wf.final_weights_
pairs = pd.concat([test[['user', 'item']], pd.DataFrame({'user': [10_000, 1], 'item': [1, 10_000]})], ignore_index=True)
pairs.to_csv('pairs.csv', index=False); test.to_csv('test.csv', index=False)
np.save('orig.npy', wf.predict(pairs)); np.save('orig_rec.npy', wf.recommend(1, 5).item.to_numpy())
wf.export('model_wf')
'''

LOAD = '''
import sys, warnings, numpy as np, pandas as pd
from fastflow.export import load_model
warnings.simplefilter('ignore')
wf = load_model('model_wf')
assert wf.final_stack_ is not None
np.save('loaded.npy', wf.predict(pd.read_csv('pairs.csv'))); np.save('loaded_rec.npy', wf.recommend(1, 5).item.to_numpy())
'''

def test_bayes_and_stack_roundtrip(tmp_path):
    save = py(SAVE, tmp_path)
    assert save.returncode == 0, save.stderr[-3000:]
    set_writable(tmp_path/'model_wf', False)
    try: load = py(LOAD, tmp_path)
    finally: set_writable(tmp_path/'model_wf', True)
    assert load.returncode == 0, load.stderr[-3000:]
    a, b = np.load(tmp_path/'orig.npy'), np.load(tmp_path/'loaded.npy')
    assert a.dtype == b.dtype == np.float32 and np.array_equal(a, b) and np.isfinite(a).all()
    assert np.array_equal(np.load(tmp_path/'orig_rec.npy'), np.load(tmp_path/'loaded_rec.npy'))

@pytest.mark.parametrize('spec, msg', [(dict(type='bayes', n_iter=10, burn_in=10), 'smaller than n_iter'),
                                       (dict(type='bayes', n_factors=2.5), 'n_factors must be an integer'),
                                       (dict(type='bayes', thin=0), 'thin must be an integer >= 1')])
def test_bad_bayes_spec(spec, msg):
    with pytest.raises(ValueError, match=msg):
        CollabWorkflow(members={'b': spec}, n_splits=2, verbose=False).fit(synth_ratings(20, 15, seed=0))

def test_bayes_to_module_learner_export(tmp_path):
    "A BayesianMF as a DotProductBias inside collab_learner: same predictions, and its model folder loads"
    from fastflow.collab.data import CollabDataLoaders
    from fastflow.collab.learner import collab_learner
    from fastflow.collab.model import BayesianMF
    from fastflow.export import export_learner, load_learner
    dls = CollabDataLoaders.from_df(synth_ratings(60, 40, seed=0), bs=256, seed=0, device='cpu')
    t, v = dls.train_df, dls.valid_df
    bm = BayesianMF(n_factors=3, n_iter=40, burn_in=10).fit(t.u, t.i, t.rating, dls.n_users, dls.n_items)
    learn = collab_learner(dls, model=bm.to_module())
    p = learn.predict_codes(v.u.to_numpy(), v.i.to_numpy())
    np.testing.assert_allclose(p, bm.predict(v.u, v.i), atol=1e-5)
    export_learner(learn, tmp_path/'m')
    assert np.array_equal(load_learner(tmp_path/'m').predict_codes(v.u.to_numpy(), v.i.to_numpy()), p)

def test_member_penalty_with_a_wide_hand_range():
    "A dot member's penalty (for 1-5 stars) under a y_range given by hand far wider than the ratings: scaled at the range's slope where the ratings lie, not at its width (18 times the penalty on (0, 100))"
    from fastflow.collab.data import CollabDataLoaders
    from fastflow.collab.learner import EmbeddingPenalty, STAR_STD, unit_scale
    from fastflow.collab.workflow import _fit_member
    r = synth_ratings(60, 40, seed=0)
    for yr in [None, (0, 100)]:
        dls = CollabDataLoaders.from_df(r, valid_pct=0., y_range=yr, bs=256, seed=0, device='cpu')
        learn = _fit_member(dict(type='dot', n_factors=4, epochs=1, emb_penalty=0.1), dls, 0)
        pen = next(c for c in learn.cbs if isinstance(c, EmbeddingPenalty)).weight
        want = 0.1*unit_scale(dls.y_range, dls.rating_std, (*dls.rating_range, dls.global_mean))
        assert np.isclose(pen, want), (yr, pen, want)
        if yr is None: assert np.isclose(pen, 0.1*unit_scale(dls.y_range, dls.rating_std))   # the inferred range: as before
        else: assert 0.1 < pen < 0.1*4*dls.rating_std/STAR_STD, pen   # (0, 100) is about 2.7 times as steep as (0, 5.5) at 3.5 stars, not 18 times

def _grouped(seed=0, nu=300, ni=40):
    "Ratings decided by a user's group and an item's hidden genre (+3 on a match), with the users table"
    rng = np.random.default_rng(seed)
    grp, gen = rng.integers(0, 3, nu), rng.integers(0, 3, ni)
    rows = [(f'U{u}', f'I{i}', float(np.clip(np.round(2 + 3*(grp[u] == gen[i]) + rng.normal(0, .7)), 1, 5)))
            for u in range(nu) for i in rng.choice(ni, rng.integers(2, 12), replace=False)]
    users = pd.DataFrame({'user': [f'U{u}' for u in range(nu)], 'group': [f'g{g}' for g in grp]})
    items = pd.DataFrame({'item': [f'I{i}' for i in range(ni)], 'genre': [f'x{g}' for g in gen]})
    return pd.DataFrame(rows, columns=['user', 'item', 'rating']), users, items

def test_one_side_table_learns():
    "users= alone (or items= alone): the other side is represented by its ids, so the side member learns group x item; new users beat the global mean by far"
    from fastflow.collab.workflow import CollabWorkflow
    r, users, items = _grouped()
    new = users.user[250:]; tr, te = r[~r.user.isin(new)], r[r.user.isin(new)]
    se = lambda p: float(np.sqrt(np.mean((p - te.rating.to_numpy())**2)))
    for kw in (dict(users=users), dict(items=items)):
        wf = CollabWorkflow(members={'bias': dict(type='bias')}, n_splits=3, verbose=False, **kw); lb = wf.fit(tr).set_index('model')
        assert lb.rmse_mean['side'] < 0.8*lb.rmse_mean['bias'], (kw.keys(), lb.rmse_mean.to_dict())
    wf = CollabWorkflow(members={'bias': dict(type='bias')}, n_splits=3, verbose=False, users=users); wf.fit(tr)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore'); p = wf.predict(te)
    assert se(p) < 0.6*se(np.full(len(te), tr.rating.mean())), se(p)

def test_users_table_missing_rated_users_is_counted():
    from fastflow.collab.workflow import CollabWorkflow
    r, users, _ = _grouped(1, nu=100)
    with pytest.warns(UserWarning, match=r"40 of \d+ rated users \(\d+%\) have no row in the users side table"):
        CollabWorkflow(members={'bias': dict(type='bias')}, n_splits=2, verbose=False, users=users.iloc[40:]).fit(r)

def test_id_ridge_memory_is_bounded():
    "SideBaseline's per-id ridge (one side table) keeps its temporaries near _CELLS floats: 8192 rows of d*d products took 8192*d*d*8 bytes (1.5 GB at d=150)"
    import tracemalloc
    from fastflow.collab.workflow import _id_ridge, _ridge, _CELLS, _REG_ID
    rng = np.random.default_rng(0); n, d, ni = 6000, 120, 40
    g = rng.integers(0, ni, n); X = rng.random((n, d)); e = rng.normal(size=n)
    tracemalloc.start()
    try: C = _id_ridge(g, X, e, ni, _REG_ID)
    finally: peak = tracemalloc.get_traced_memory()[1]; tracemalloc.stop()
    assert peak < 4*8*_CELLS, peak/1e6   # before: 6000*120*120*8 bytes of products alone (0.69 GB) and 7*40*120*120*8 of systems
    for j in (0, 17): np.testing.assert_allclose(C[2, j], _ridge(X[g == j], e[g == j], _REG_ID[2]), rtol=1e-8, atol=1e-10)
    np.testing.assert_array_equal(_id_ridge(g, X, e, ni, [10.], chunk=n)[0], _id_ridge(g, X, e, ni, [10.], block=5, chunk=400)[0])   # groups of <= 400 rows: summed in one go, exactly equal

def test_workflow_ranking_metrics_says_its_threshold():
    "The default threshold of a workflow: 4 on whole stars where nobody gave 1 (was 3/4 of 2-5, 4.25), and returned"
    r = synth_ratings(80, 60, density=0.3, seed=0).assign(rating=lambda d: np.maximum(d.rating.round(), 2))
    te = r.sample(frac=0.2, random_state=0); tr = r.drop(te.index)
    wf = CollabWorkflow(members={'bias': dict(type='bias')}, n_splits=2, seed=0, verbose=False); wf.fit(tr)
    m = wf.ranking_metrics(te)
    assert m['threshold'] == 4. and m == wf.ranking_metrics(te, threshold=4) and m['n_users'] > 0, m
