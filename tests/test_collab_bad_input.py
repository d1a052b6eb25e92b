"Bad ratings input gets a clear error that says what was wrong and how to fix it; cold start never raises or gives NaN."
import warnings
import numpy as np
import pandas as pd
import pytest
from fastflow.testing import synth_ratings
from fastflow.collab.data import CollabDataLoaders
from fastflow.data import TensorLoader
from fastflow.collab.learner import collab_learner

@pytest.fixture(scope='module')
def ratings(): return synth_ratings(30, 20, seed=0)

def _dls(df, **kw): return CollabDataLoaders.from_df(df, device='cpu', **kw)

def test_ratings_outside_y_range(ratings):
    with pytest.raises(ValueError, match=r'outside y_range=\(2, 4\).*widen y_range'): _dls(ratings, y_range=(2, 4))

def test_duplicates_raise_or_mean_or_last(ratings):
    dup = pd.concat([ratings, ratings.iloc[:3].assign(rating=5.)], ignore_index=True)
    with pytest.raises(ValueError, match=r"3 \(user, item\) pair\(s\) are rated more than once.*duplicates='mean'"):
        _dls(dup, duplicates='raise')
    with pytest.warns(UserWarning, match='keeping the mean'): d = _dls(dup)
    assert len(d.df) == len(ratings)
    r0 = d.df.set_index(['user', 'item']).rating.loc[tuple(ratings.iloc[0][['user', 'item']].astype(int))]
    assert r0 == pytest.approx((ratings.rating.iloc[0] + 5)/2)
    with pytest.warns(UserWarning, match='keeping the last'): d = _dls(dup, duplicates='last')
    assert d.df.rating.max() == 5.
    with pytest.raises(ValueError, match="'mean', 'last' or 'raise'"), warnings.catch_warnings():
        warnings.simplefilter('ignore'); _dls(dup, duplicates='first')

def test_nan_ids(ratings):
    bad = ratings.astype({'user': float}).copy(); bad.loc[[3, 7], 'user'] = np.nan
    with pytest.raises(ValueError, match=r"2 row\(s\) have a missing 'user' id \(first at index \[3, 7\]\).*dropna"): _dls(bad)
    bad = ratings.astype({'item': object}).copy(); bad.loc[0, 'item'] = None
    with pytest.raises(ValueError, match="missing 'item' id"): _dls(bad)

def test_nan_or_text_ratings(ratings):
    with pytest.raises(ValueError, match='NaN or infinite'): _dls(ratings.assign(rating=ratings.rating.where(ratings.index > 0)))
    with pytest.raises(ValueError, match='must be numbers'): _dls(ratings.assign(rating='good'))
    with pytest.raises(ValueError, match=r'rate it 0/1 first'): _dls(ratings.assign(rating=ratings.rating > 3))   # yes/no: how to convert

def test_empty_frame(ratings):
    with pytest.raises(ValueError, match='empty'): _dls(ratings.iloc[:0])

def test_wrong_column_name(ratings):
    with pytest.raises(ValueError, match=r"\['userId'\] not in the ratings frame.*user_name="): _dls(ratings, user_name='userId')
    with pytest.raises(ValueError, match='timestamp column'): _dls(ratings, split='time')

def test_not_a_frame_and_bad_split(ratings):
    with pytest.raises(TypeError, match='must be a pandas DataFrame'): _dls(ratings.to_numpy())
    with pytest.raises(ValueError, match="'random', 'user' or 'time'"): _dls(ratings, split='users')
    with pytest.raises(ValueError, match=r'valid_pct must be in \[0, 1\) \(0 trains on every row\)'): _dls(ratings, valid_pct=1.5)
    with pytest.raises(ValueError, match=r'valid_idx must be integer row positions'): _dls(ratings, valid_idx=[0.5])
    with pytest.raises(ValueError, match=r'valid_idx has positions outside 0\.\.'): _dls(ratings, valid_idx=[10**6])
    with pytest.raises(FileNotFoundError, match='no ratings file'): CollabDataLoaders.from_csv('/nonexistent/ratings.csv')
    with pytest.raises(ValueError, match='must match'): TensorLoader(np.zeros((3, 2)), np.zeros(2))

def test_string_ids_csv_and_cold_start(ratings, tmp_path):
    df = ratings.assign(user='u' + ratings.user.astype(str), item='film-' + ratings.item.astype(str))
    df.to_csv(tmp_path/'r.csv', index=False)
    d = CollabDataLoaders.from_csv(tmp_path/'r.csv', bs=256, device='cpu')
    learn = collab_learner(d, 'dot', n_factors=8)
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(2)
    pairs = pd.DataFrame({'user': ['u1', 'ghost', 'u1'], 'item': ['film-1', 'film-1', 'nope']})
    with pytest.warns(UserWarning, match='no training ratings'): p = learn.predict_pairs(pairs)
    assert np.isfinite(p).all() and p.dtype == np.float32
    with pytest.warns(UserWarning, match='the most rated items'): rec = learn.recommend('ghost', 5)
    assert len(rec) == 5 and rec.item.str.startswith('film-').all()
    with pytest.raises(ValueError, match=r"\['user'\] not in pairs, which has \['who'"): learn.predict_pairs(pairs.rename(columns={'user': 'who'}))
    with pytest.raises(ValueError, match='no training ratings'): learn.similar_items('nope')

def test_learner_y_range_must_cover_ratings(ratings):
    d = _dls(ratings)
    with pytest.raises(ValueError, match=r'y_range=\(2, 4\) does not cover the training ratings.*y_range=True'):
        collab_learner(d, 'dot', y_range=(2, 4))
    assert collab_learner(d, 'dot', y_range=None).model.y_range is None

# Export: what could not be rebuilt from data is an error at export time, and nothing is written

@pytest.fixture(scope='module')
def named(ratings):
    r = ratings.rename(columns={'user': 'userId', 'item': 'movieId', 'rating': 'stars'})
    return r,CollabDataLoaders.from_df(r, 'userId', 'movieId', 'stars', bs=256, device='cpu')

def test_export_custom_module(named, tmp_path):
    import torch
    from torch import nn
    from fastai.losses import MSELossFlat
    from fastflow.export import export_learner, save_weights, load_weights
    from fastflow.collab.model import DotProductBias
    from fastflow.collab.learner import CollabLearner
    class MyNet(nn.Module):
        def __init__(self): super().__init__(); self.w = nn.Parameter(torch.zeros(1))
        def forward(self, x): return self.w.expand(len(x))
    class MyDot(DotProductBias): pass
    _, d = named
    for m in (MyNet(), MyDot(d.n_users, d.n_items, 4)):
        with pytest.raises(TypeError, match=rf'{type(m).__name__} model cannot be exported.*save_weights\(learn, path\).*load_weights'):
            export_learner(collab_learner(d, m), tmp_path/'m')
        assert not (tmp_path/'m').exists()
    learn = collab_learner(d, m)                                                    # the way the message gives
    save_weights(learn, tmp_path/'w')
    l2 = CollabLearner(d, load_weights(tmp_path/'w', model=MyDot(d.n_users, d.n_items, 4)), loss_func=MSELossFlat())
    assert np.array_equal(l2.predict_pairs(d.df), learn.predict_pairs(d.df))

def test_export_model_that_does_not_match(named, tmp_path):
    from torch import nn
    from fastflow.export import export_learner
    from fastflow.collab.model import DotProductBias
    _, d = named
    with pytest.raises(ValueError, match=r'built for 5 users and 20 items but the data have 30 and 20'):
        export_learner(collab_learner(d, DotProductBias(5, d.n_items, 4)), tmp_path/'m')
    learn = collab_learner(d, 'nn', layers=(8,))
    learn.model.head = nn.Linear(8, 1, bias=False)    # changed after it was built: the config no longer describes it
    with pytest.raises(ValueError, match=r'head\.bias.*could not load them'): export_learner(learn, tmp_path/'m')
    assert not (tmp_path/'m').exists()

def test_mixed_ids(ratings, tmp_path):
    from fastflow.export import export_learner
    r = ratings.assign(item=[k if k % 2 else f's{k}' for k in ratings.item])   # ints and strings in one column: 3 and '3' would be two items
    with pytest.raises(ValueError, match=r"'item' ids mix numbers and strings.*astype\(str\)"): CollabDataLoaders.from_df(r, device='cpu')
    d = CollabDataLoaders.from_df(r.assign(item=r.item.astype(str)), device='cpu')      # the fix the message gives
    assert export_learner(collab_learner(d, 'dot', n_factors=4), tmp_path/'m').is_dir()

def test_predict_pairs_remembers_column_names(named):
    r, d = named
    learn = collab_learner(d, 'dot', n_factors=4)
    p = learn.predict_pairs(r)                                                       # the names given to from_df
    assert np.array_equal(p, learn.predict_pairs(r, user_name='userId', item_name='movieId'))
    assert np.array_equal(p, learn.predict_pairs(d.df))                              # the internal names still work
    with pytest.raises(ValueError, match=r"\['userId'\] not in pairs, which has \['who', 'movieId'"):
        learn.predict_pairs(r[['userId', 'movieId']].rename(columns={'userId': 'who'}))

def test_empty_valid_idx_and_valid_pct_0_train_on_every_row(ratings):
    for d in (_dls(ratings, valid_idx=[]), _dls(ratings, valid_idx=np.array([], dtype=float)), _dls(ratings, valid_pct=0)):
        assert len(d.train_idx) == len(ratings) and d.valid.n == 0
        learn = collab_learner(d, 'dot', n_factors=4, seed=0)
        with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(2)           # epoch chosen on an inner split, then all rows
        assert learn.inner_best_epoch in (0, 1) and np.isfinite(learn.predict_pairs(ratings)).all()

def test_mismatched_id_types(ratings):
    d = _dls(ratings)                                                            # int ids
    learn = collab_learner(d, 'dot', n_factors=4)
    q = ratings.assign(user=ratings.user.astype(str))
    with pytest.raises(ValueError, match=r"user ids asked for are strings \(e\.g\. '\d+'\) but the training user ids are numbers.*astype\(int\)"):
        learn.predict_pairs(q)
    ds = _dls(ratings.assign(item='i' + ratings.item.astype(str)))               # str ids, asked with ints
    with pytest.raises(ValueError, match=r"item ids asked for are numbers .* training item ids are strings.*pairs\['item'\]\.astype\(str\)"):
        collab_learner(ds, 'dot', n_factors=4).predict_pairs(ratings)

def test_inferred_range_warning(ratings):
    with pytest.warns(UserWarning, match=r'y_range inferred as \(-5\.75, 9\.375\) from training ratings spanning -3\.\.8: a few ratings \(0\.5%\) are -3 where the others are 1 or more'):
        _dls(ratings.assign(rating=ratings.rating.where(ratings.index != 0, -3.).where(ratings.index != 1, 8.)), valid_pct=0)
    with warnings.catch_warnings():
        warnings.simplefilter('error'); _dls(ratings)                            # 1-5 stars: no warning
        _dls(ratings.assign(rating=ratings.rating - 3), y_range=(-3, 3))        # a range given: no warning

def test_ranking_choices_and_ranker_inputs(ratings):
    from fastflow.collab.model import ItemRanker
    learn = collab_learner(_dls(ratings), best_epoch=False)
    for call in (lambda: learn.recommend(ratings.user.iloc[0], by='score'), lambda: learn.ranking_metrics(by='predicted')):
        with pytest.raises(ValueError, match="by must be 'relevance'.*'rating'.*'popularity'"): call()
    for kw, msg in ((dict(lam=0), 'lam must be > 0'), (dict(lams=()), 'lams must be positive'), (dict(inner_pct=1), r'inner_pct must be in \(0, 1\)')):
        with pytest.raises(ValueError, match=msg): ItemRanker(**kw)
    tr = learn.dls.train_df
    s = learn.ranker.scores([0, 1], tr.u.to_numpy(), tr.i.to_numpy())   # every item scored, finite
    assert s.shape == (2, learn.dls.n_items) and np.isfinite(s).all()
    with pytest.warns(UserWarning, match='the most rated items'): rec = learn.recommend('ghost', 3, by='popularity')   # an unknown user: the most rated items
    assert len(rec) == 3
    with pytest.warns(UserWarning, match=r'popular, well-rated items \(popular_items\)'): assert len(learn.recommend('ghost', 3, by='rating')) == 3

# --- a new user's sweep (helper-57) ---
def test_csv_ids_as_written(tmp_path):
    df = pd.DataFrame({'user': ['007', '7', '0007', '8']*5, 'item': [f'{k}' for k in range(20)], 'rating': 3.})
    df.to_csv(tmp_path/'r.csv', index=False)
    with pytest.warns(UserWarning, match=r"ids \['0007', '007'\] would be one id as numbers: read as text"): d = CollabDataLoaders.from_csv(tmp_path/'r.csv', device='cpu')
    assert sorted(d.users) == ['0007', '007', '7', '8'] and d.items.dtype.kind == 'i'   # items read as numbers, as before

def test_missing_timestamps_and_the_latest_duplicate():
    from fastflow.collab.data import clean_ratings
    r = pd.DataFrame({'user': [1, 1, 2], 'item': [1, 1, 2], 'rating': [5., 1., 3.], 'ts': [200., 100., np.nan]})
    with pytest.raises(ValueError, match=r"1 row\(s\) have a missing 'ts' timestamp"): clean_ratings(r, time_name='ts')
    with pytest.warns(UserWarning, match='keeping the last'): c = clean_ratings(r.iloc[:2], time_name='ts', duplicates='last')
    assert c.rating.tolist() == [5.]   # the latest (ts 200), not the last row
    shuffled = pd.DataFrame({'user': [3, 1, 1, 2], 'item': [1, 1, 1, 2], 'rating': [1., 2., 3., 4.], 'ts': [5, 9, 1, 3]}, index=[7, 2, 5, 1])
    with pytest.warns(UserWarning, match='keeping the last'): c = clean_ratings(shuffled, time_name='ts', duplicates='last')
    assert c.rating.tolist() == [1., 2., 4.]   # rows in their order, user 1's latest (ts 9) kept

def test_missing_ids_in_pairs_are_unknown(ratings):
    d = _dls(ratings.assign(user='u' + ratings.user.astype(str)))
    u, i = d.encode(pd.Series(['u1', np.nan, None], dtype=object), ratings.item.iloc[:3].to_numpy())
    assert u[0] >= 0 and (u[1:] == -1).all()

def test_first_mistakes_say_what_to_do(ratings, tmp_path):
    "A list of users for recommend, a folder for from_csv: each says what to pass instead"
    learn = collab_learner(_dls(ratings), 'dot', n_factors=4)
    with pytest.raises(TypeError, match=r"recommend takes one user id, got a list: for several, \[learn.recommend\(u\) for u in users\]"): learn.recommend([1, 2])
    ratings.to_csv(tmp_path/'ratings.csv', index=False)
    with pytest.raises(IsADirectoryError, match=r"is a folder: pass the ratings file in it, one of \['ratings.csv'\]"): CollabDataLoaders.from_csv(tmp_path)

# --- a new user's awkward inputs (helper-144) ---
def _wf(df, **kw):
    from fastflow.collab.workflow import CollabWorkflow
    wf = CollabWorkflow(members={'bias': dict(type='bias'), 'dot': dict(type='dot', n_factors=4, epochs=2)}, verbose=False, **kw)
    wf.fit(df); return wf

def test_missing_id_in_recommend_and_similar_items(ratings):
    "A NaN or None id (a merge that found no match) is an error that says so, not a cold-start user or an item 'with no training ratings'"
    learn, wf = collab_learner(_dls(ratings), 'dot', n_factors=4), _wf(ratings)
    for f in (learn.recommend, wf.recommend):
        for x in (None, np.nan, pd.NA):
            with pytest.raises(ValueError, match=r"the user id is missing .*: pass a user id; for a user with no ratings yet, any id"): f(x, 3)
    for f in (learn.similar_items, wf.similar_items):
        with pytest.raises(ValueError, match=r"the item id is missing \(nan\): pass an item id"): f(np.nan, 3)

def test_float_ids_match_ints(ratings):
    "Ids read as floats (12.0) train, and are found as 12 or 12.0; float ids asked of int training ids are found too"
    learn = collab_learner(_dls(ratings.astype({'user': float, 'item': float})), 'dot', n_factors=4, seed=0)
    li = collab_learner(_dls(ratings), 'dot', n_factors=4, seed=0)
    u, i = int(ratings.user.iloc[0]), int(ratings.item.iloc[0])
    with warnings.catch_warnings():
        warnings.simplefilter('error')   # no cold start: every id is found
        for l in (learn, li):
            p = l.predict_pairs(pd.DataFrame({'user': [u, float(u)], 'item': [i, float(i)]}))
            assert p[0] == p[1]
            assert l.recommend(u, 3).equals(l.recommend(float(u), 3)) and len(l.similar_items(float(i), 3)) == 3

def test_every_item_rated_warns(ratings):
    "A user who rated every item gets an empty list with a warning that says exclude_rated=False lists them"
    one = ratings[ratings.user == ratings.user.iloc[0]]
    with pytest.warns(UserWarning, match=r"the ratings hold one user only .* item biases and nothing more; pass the ratings of every user"): d = _dls(one, valid_pct=0)
    learn = collab_learner(d, 'dot', n_factors=4)
    with pytest.warns(UserWarning, match=r'has rated every item there is to recommend \(\d+\): nothing is left; pass exclude_rated=False'):
        assert len(learn.recommend(one.user.iloc[0], 3)) == 0
    assert len(learn.recommend(one.user.iloc[0], 3, exclude_rated=False)) == 3

def test_implicit_feedback_warns_once(ratings):
    "All ratings 1 (clicks): a workflow's folds and a learner's inner split do not repeat the data's warning"
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        wf = _wf(ratings.assign(rating=1.))
        learn = collab_learner(_dls(ratings.assign(rating=1.), valid_pct=0), 'dot', n_factors=4)
        with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(1)
    assert sum('positive-only feedback' in str(x.message) for x in w) == 2, [str(x.message) for x in w]   # one for each data set
    assert np.allclose(wf.predict(ratings.head(3)), 1.) and len(wf.recommend(ratings.user.iloc[0], 3)) == 3

def test_fifty_ratings_end_to_end(ratings):
    "A tiny set (50 ratings): learner and workflow fit, predict, recommend, find similar items and cold-start users"
    tiny = ratings.sample(50, random_state=0)
    learn = collab_learner(_dls(tiny), 'dot', n_factors=4, seed=0)
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(3)
    wf = _wf(tiny)
    for m in (learn, wf):
        p = m.predict_pairs(tiny) if m is learn else m.predict(tiny)
        assert np.isfinite(p).all() and ((1 <= p) & (p <= 5)).all()
        assert len(m.recommend(tiny.user.iloc[0], 3)) == 3 and len(m.similar_items(tiny.item.iloc[0], 3)) <= 3
        with pytest.warns(UserWarning, match='no training ratings'): assert len(m.recommend('ghost', 3)) == 3

def test_text_ratings_and_timestamps_as_ratings(ratings):
    "Ratings as text ('4') are refused with pd.to_numeric; timestamps passed as the rating column are trained on only with a warning naming them"
    with pytest.raises(ValueError, match=r"must be numbers, got dtype .*pd.to_numeric"): _dls(ratings.assign(rating=ratings.rating.round().astype(int).astype(str)))
    with pytest.warns(UserWarning, match='past any rating scale: check it is the rating column .*timestamp'): _dls(ratings, rating_name='timestamp')

def test_leading_zero_ids_read_back_as_numbers(ratings, tmp_path):
    "Text ids with leading zeros ('0070') written to a CSV and read back as numbers (70): the message says the zeros were lost and how to read them as text, not 'pass 70 as text'"
    r = ratings.assign(user=ratings.user.map('{:04d}'.format))
    learn = collab_learner(_dls(r, seed=0), n_factors=4, seed=0)
    r.head(5)[['user', 'item']].to_csv(tmp_path/'pairs.csv', index=False)
    lost = pd.read_csv(tmp_path/'pairs.csv')                    # pandas reads '0070' as 70
    assert lost.user.dtype.kind == 'i'
    with pytest.raises(ValueError, match=r"text with leading zeros.*pd\.read_csv\(path, dtype=\{'user': str, 'item': str\}\)"): learn.predict_pairs(lost)
    with pytest.raises(ValueError, match="but '0012' is: the ids are text with leading zeros"): learn.recommend(12)
    kept = pd.read_csv(tmp_path/'pairs.csv', dtype={'user': str, 'item': str}).astype({'item': int})   # as the message says (the items here are numbers)
    np.testing.assert_array_equal(learn.predict_pairs(kept), learn.predict_pairs(r.head(5)))
    with pytest.raises(ValueError) as e: learn.predict_pairs(pd.DataFrame({'user': [99999], 'item': [1]}))   # no padded form is an id: nothing suggested
    assert 'pass' not in str(e.value).split('convert them:')[1].split(';')[0], str(e.value)

def test_ranking_metrics_without_validation_ratings(ratings):
    learn = collab_learner(_dls(ratings, valid_pct=0, seed=0), n_factors=4, seed=0)
    with pytest.warns(UserWarning, match=r"no validation ratings.*valid_pct > 0"): m = learn.ranking_metrics()
    assert np.isnan(m['precision@10']) and m['n_users'] == 0

@pytest.mark.parametrize('f, t', [(lambda x: x, 4.), (lambda x: 5*x - 15, 5.), (lambda x: x - 6, -2.), (lambda x: (x >= 4).astype(float), 1.),
                                  (lambda x: np.maximum(np.round(x), 2), 4.),       # whole stars where nobody gave 1: still 4 (was 4.25, 3/4 of 2-5)
                                  (lambda x: np.maximum(np.round(2*x), 4)/2, 4.),   # half stars from 2: 4 (was 4.25)
                                  (lambda x: np.maximum(np.round(2*x), 3), 7.75),   # whole 3-10 of a 1-10 scale: 3/4 of 1-10 (the step 1 is its lowest grade)
                                  (lambda x: 20*np.maximum(np.round(x), 2), 80.)])  # 40-100 in steps of 20: 3/4 of 20-100, as 4 of 1-5 stars
def test_default_relevance_threshold_scales_with_the_ratings(ratings, f, t):
    "The default threshold: 4 on whole or half stars within 1-5, also where nobody gave 1; 1 on 0/1 ratings; else the point of the rating scale that 4 is of 1-5 stars (5 on -10..10, -2 on -5..-1); said in the result"
    from fastflow.collab.learner import _threshold
    r = ratings.assign(rating=f(ratings.rating.astype(np.float64)))
    learn = collab_learner(_dls(r, seed=0), n_factors=4, seed=0)
    assert _threshold(None, learn.dls.train_df.rating.to_numpy()) == t
    with warnings.catch_warnings():
        warnings.simplefilter('error')   # no 'metrics are NaN' warning
        m = learn.ranking_metrics()
    assert m == learn.ranking_metrics(threshold=t) and m['n_users'] > 0 and m['threshold'] == t

def test_threshold_on_stars_without_ones():
    "helper-162's case: 1-5 stars rounded, ratings >= 2 kept: the default is 4, not 4.25, so 4-star ratings count as relevant"
    df = synth_ratings(200, 150, seed=1); df['rating'] = df.rating.round(); df = df[df.rating >= 2].reset_index(drop=True)
    learn = collab_learner(CollabDataLoaders.from_df(df, valid_pct=0.2, seed=0, device='cpu'))
    m = learn.ranking_metrics(by='popularity')
    assert m == learn.ranking_metrics(threshold=4., by='popularity') and m['threshold'] == 4. and m['n_users'] == 197, m
    hand = collab_learner(CollabDataLoaders.from_df(df.assign(rating=2*df.rating), y_range=(0, 12), valid_pct=0.2, seed=0, device='cpu'))
    assert hand.ranking_metrics(by='popularity')['threshold'] == 9.   # a y_range given by hand is the scale: 3/4 of 0-12
    with pytest.warns(UserWarning, match=r"no validation ratings"): m0 = collab_learner(CollabDataLoaders.from_df(df, valid_pct=0, device='cpu')).ranking_metrics()
    assert m0['threshold'] == 4. and m0['n_users'] == 0   # said even when there is nothing to rank

def test_leading_zero_message_is_one(ratings):
    "encode (predict_pairs) and recommend say the same thing about ids that lost their leading zeros"
    from fastflow.collab.data import _zeros_lost
    r = ratings.assign(user=ratings.user.map('{:04d}'.format))
    learn = collab_learner(_dls(r, seed=0), n_factors=4, seed=0)
    pad = r.user.iloc[0]; x = int(pad)
    with pytest.raises(ValueError) as a: learn.recommend(x)
    with pytest.raises(ValueError) as b: learn.predict_pairs(pd.DataFrame({'user': [x], 'item': [r.item.iloc[0]]}))
    assert str(a.value) == str(b.value) == str(_zeros_lost('user', x, pad, {'user': 'user', 'item': 'item'})), (str(a.value), str(b.value))

def test_duplicate_messages_and_item_metadata(ratings):
    dup = pd.concat([ratings, ratings.iloc[:2]], ignore_index=True)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always'); _dls(dup)
    msg = [str(o.message) for o in w if 'more than once' in str(o.message)][0]
    assert 'timestamp' not in msg and 'keeping the mean (average rating)' in msg       # no timestamp column: none named
    meta = pd.DataFrame({'item': [1, 2, 2, 3, 3], 'title': ['a', 'b', 'B', 'c', 'C']})
    with pytest.warns(UserWarning, match=r"2 duplicated 'item' id\(s\) \(e\.g\. \[2, 3\]\): keeping the first row of each"):
        d = _dls(ratings, items=meta)
    assert d.titles([2, 3]) == ['b', 'c']
