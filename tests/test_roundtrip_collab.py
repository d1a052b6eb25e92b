"Collab learners ('dot', 'nn', 'hybrid') exported in one interpreter and loaded in another, from a read-only folder: identical predictions."
import json, os, shutil, subprocess, sys, textwrap
from pathlib import Path
from conftest import set_writable
import warnings
import numpy as np, pandas as pd
import pytest
from fastflow.export import ArtefactError, load_learner

ROOT = Path(__file__).resolve().parents[1]
KINDS = ('dot', 'nn', 'hybrid')

def py(code, cwd):
    env = {**os.environ, 'PYTHONPATH': str(ROOT), 'MPLBACKEND': 'Agg'}
    return subprocess.run([sys.executable, '-c', textwrap.dedent(code)], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)

# What both interpreters ask of a learner, written to an npz (one array per column, plus its dtype): no pickle on either side
QUERIES = '''
import warnings, numpy as np, pandas as pd
def queries(learn, pairs, user, item, path):
    warnings.simplefilter('ignore')   # cold-start warnings
    out = {'predict_pairs': learn.predict_pairs(pairs),
           'predict_codes': learn.predict_codes([0, 1, -1, 2, 3], [0, -1, 1, 2, 4]),
           'ranking_metrics': np.array(list(learn.ranking_metrics(k=5).items()), dtype=str)}
    frames = {'recommend': learn.recommend(user, 5), 'recommend_all': learn.recommend(user, 5, exclude_rated=False),
              'recommend_unknown': learn.recommend(-12345, 5), 'similar_items': learn.similar_items(item, 5),
              'popular_items': learn.popular_items(5), 'item_pca': learn.item_pca(20)}
    if learn.model.item_biases() is not None: frames['bias_low'],frames['bias_high'] = learn.bias_rankings(3)
    for name, f in frames.items():
        out[name + '/columns'] = np.array(f.columns.tolist())
        for c in f.columns:
            v = f[c].to_numpy()
            out[f'{name}/{c}'] = v.astype(str) if v.dtype == object else v
            out[f'{name}/{c}/type'] = np.array(type(v[0]).__name__)
    np.savez(path, **out)
'''

SAVE = QUERIES + '''
import json, sys
from fastflow.testing import synth_ratings
from fastflow.core import set_seed
from fastflow.collab.data import CollabDataLoaders
from fastflow.collab.learner import collab_learner
from fastflow.export import export_learner
cases = {'dot': ('str', 'int'), 'nn': ('int', 'str'), 'hybrid': ('str', 'int')}   # (user id type, item id type)
for kind, (ut, it) in cases.items():
    set_seed(0)
    r = synth_ratings(40, 30, seed=1)
    if ut == 'str': r['user'] = 'u' + r.user.astype(str)
    if it == 'str': r['item'] = 'film-' + r.item.astype(str)
    r = r.rename(columns={'user': 'userId', 'item': 'movieId', 'rating': 'stars'})
    items = pd.DataFrame({'movieId': r.movieId.unique()}).assign(title=lambda d: 'Title ' + d.movieId.astype(str)) if kind == 'hybrid' else None
    dls = CollabDataLoaders.from_df(r, 'userId', 'movieId', 'stars', bs=128, seed=0, items=items, device='cpu')
    learn = collab_learner(dls, kind, n_factors=6, layers=(8,))
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(2, 0.02)
    ghost_u, ghost_i = ('ghost', 'nope') if (ut, it) == ('str', 'str') else (('ghost', 10_000) if ut == 'str' else (10_000, 'nope'))
    pairs = pd.concat([r[['userId', 'movieId']].iloc[:50],
                       pd.DataFrame({'userId': [ghost_u, r.userId.iloc[0], ghost_u], 'movieId': [r.movieId.iloc[0], ghost_i, ghost_i]})],
                      ignore_index=True)
    np.savez(f'pairs_{kind}.npz', userId=np.array(pairs.userId.tolist()), movieId=np.array(pairs.movieId.tolist()))
    user, item = r.userId.iloc[0], r.movieId.iloc[0]
    json.dump(dict(user=user if ut == 'str' else int(user), item=item if it == 'str' else int(item)), open(f'query_{kind}.json', 'w'))
    queries(learn, pairs, user, item, f'orig_{kind}.npz')
    export_learner(learn, f'model_{kind}')
print('saved')
'''

LOAD = QUERIES + '''
import json, sys, time
from fastflow.export import load_learner
assert not any(m.startswith('fastflow.collab') for m in sys.modules)   # this interpreter never imports the training code itself
for kind in %r:
    t = time.perf_counter(); learn = load_learner(f'model_{kind}'); dt = time.perf_counter() - t
    with np.load(f'pairs_{kind}.npz') as z: pairs = pd.DataFrame({k: z[k].tolist() for k in ('userId', 'movieId')})
    q = json.load(open(f'query_{kind}.json'))
    queries(learn, pairs, q['user'], q['item'], f'loaded_{kind}.npz')   # pairs in the original column names
    print(kind, 'load_s', round(dt, 3))
''' % (KINDS,)

@pytest.fixture(scope='module')
def roundtrip(tmp_path_factory):
    d = tmp_path_factory.mktemp('collab_rt')
    save = py(SAVE, d)
    assert save.returncode == 0, save.stderr[-3000:]
    folders = [d/f'model_{k}' for k in KINDS]
    for f in folders: set_writable(f, False)   # chmod -R a-w
    try:
        before = {f: (f.stat().st_size, f.stat().st_mtime_ns) for p in folders for f in p.iterdir()}
        load = py(LOAD, d)
        assert load.returncode == 0, load.stderr[-3000:]
        assert before == {f: (f.stat().st_size, f.stat().st_mtime_ns) for p in folders for f in p.iterdir()}   # loading only reads (even as root)
        print(load.stdout)
        yield d
    finally:
        for f in folders: set_writable(f, True)

@pytest.mark.parametrize('kind', KINDS)
def test_identical_after_roundtrip(roundtrip, kind):
    with np.load(roundtrip/f'orig_{kind}.npz') as a, np.load(roundtrip/f'loaded_{kind}.npz') as b:
        assert sorted(a.files) == sorted(b.files)
        for k in a.files:
            assert a[k].dtype == b[k].dtype, k
            assert np.array_equal(a[k], b[k]), k   # max abs difference 0
        assert a['recommend/movieId'].dtype.kind == ('i' if kind != 'nn' else 'U')   # ids keep their type, in the column named as the data's items
        assert str(a['recommend/movieId/type']) == ('int64' if kind != 'nn' else 'str')
        assert len(a['predict_pairs']) == 53 and np.isfinite(a['predict_pairs']).all()
    files = sorted(p.name for p in (roundtrip/f'model_{kind}').iterdir())
    assert files == ['arrays.npz', 'fastflow.json', 'weights.safetensors']

def _copy(roundtrip, tmp_path, kind='dot') -> Path:
    dst = shutil.copytree(roundtrip/f'model_{kind}', tmp_path/'m')
    set_writable(dst, True)
    return dst

def test_tampered_or_truncated_files(roundtrip, tmp_path):
    m = _copy(roundtrip, tmp_path)
    w = m/'weights.safetensors'; data = bytearray(w.read_bytes()); data[-3] ^= 1; w.write_bytes(bytes(data))
    with pytest.raises(ArtefactError, match=r'weights\.safetensors does not match its checksum'): load_learner(m)
    m = _copy(roundtrip, tmp_path/'b')
    a = m/'arrays.npz'; a.write_bytes(a.read_bytes()[:100])
    with pytest.raises(ArtefactError, match=r'arrays\.npz does not match its checksum'): load_learner(m)
    m = _copy(roundtrip, tmp_path/'c'); (m/'weights.safetensors').unlink()
    with pytest.raises(ArtefactError, match=r'weights\.safetensors is missing'): load_learner(m)

def _edit_config(m:Path, f, reseal:bool=True):
    "Edit the config in `m`'s manifest; `reseal`: and its checksum, as a crafted folder would"
    from fastflow.export import _config_sha256
    man = json.loads((m/'fastflow.json').read_text()); f(man['config'])
    if reseal: man['config_sha256'] = _config_sha256(man['config'])
    (m/'fastflow.json').write_text(json.dumps(man))

def test_edited_manifest(roundtrip, tmp_path):
    "An edited config is refused by its checksum; with the checksum rewritten too, a changed builder is refused, changed arguments do not fit the weights"
    m = _copy(roundtrip, tmp_path/'y')
    _edit_config(m, lambda c: c['model']['kwargs'].update(y_range=[0, 100]), reseal=False)   # would predict 53.7 on a 1-5 scale
    with pytest.raises(ArtefactError, match='config does not match its checksum'): load_learner(m)
    m = _copy(roundtrip, tmp_path)
    _edit_config(m, lambda c: c['model'].update(builder='os:system'))
    with pytest.raises(ArtefactError, match="must be DotProductBias, CollabNN or HybridCollab, not 'os:system'"): load_learner(m)
    m = _copy(roundtrip, tmp_path/'b')
    _edit_config(m, lambda c: c['model']['kwargs'].update(n_factors=7))
    with pytest.raises(ArtefactError, match=r'weights\.safetensors does not fit a DotProductBias'): load_learner(m)
    m = _copy(roundtrip, tmp_path/'c')
    _edit_config(m, lambda c: c.pop('data'))
    with pytest.raises(ArtefactError, match="no 'model' and 'data' parts"): load_learner(m)
    for k, edit in enumerate((lambda c: c['model'].update(kwargs=['x']), lambda c: c['model']['kwargs'].update(bogus=1),
                              lambda c: c['model']['kwargs'].pop('n_users'), lambda c: c['model']['kwargs'].update(n_users=-1))):   # crafted arguments: an ArtefactError, not a TypeError from the model
        m = _copy(roundtrip, tmp_path/f'k{k}'); _edit_config(m, edit)
        with pytest.raises(ArtefactError, match='cannot be built'): load_learner(m)

# CollabWorkflow: fitted and exported in one interpreter, loaded with load_model in another from a read-only folder

WF_QUERIES = '''
import warnings, numpy as np, pandas as pd
def wf_queries(wf, pairs, test, user, item, path):
    warnings.simplefilter('ignore')   # cold-start warnings
    out = {'predict': wf.predict(pairs), 'ranking_metrics': np.array(list(wf.ranking_metrics(test, k=5).items()), dtype=str),
           'leaderboard': np.array(wf.leaderboard_.astype(str).values.tolist(), dtype=str)}
    frames = {'recommend': wf.recommend(user, 5), 'recommend_all': wf.recommend(user, 5, exclude_rated=False),
              'recommend_unknown': wf.recommend('nobody', 5), 'recommend_side': wf.recommend('r65', 5),   # no ratings, a side row
              'similar_items': wf.similar_items(item, 5)}
    for name, f in frames.items():
        out[name + '/columns'] = np.array(f.columns.tolist())
        for c in f.columns: out[f'{name}/{c}'] = f[c].to_numpy()
    np.savez(path, **out)
'''

WF_SAVE = WF_QUERIES + '''
import json
from fastflow.testing import synth_ratings
from fastflow.collab.workflow import CollabWorkflow
r = synth_ratings(60, 40, seed=2).rename(columns={'user': 'rater', 'item': 'film', 'rating': 'stars'})
r['rater'] = 'r' + r.rater.astype(str)
test = r.sample(frac=0.2, random_state=0); train = r.drop(test.index)
members = {'dot': dict(type='dot', n_factors=6, epochs=3, lr=0.05), 'nn': dict(type='nn', layers=[8], epochs=3),
           'hybrid': dict(type='hybrid', n_factors=6, layers=[8], epochs=3, lr=0.05),
           'knn_item': dict(type='knn', kind='item', k=10, shrinkage=10.), 'knn_user': dict(type='knn', kind='user', k=10, shrinkage=10.)}
users = pd.DataFrame({'rater': [f'r{k}' for k in range(70)], 'age': np.arange(70) % 50 + 18, 'job': ['a', 'b', 'c'] * 23 + ['a']})
films = pd.DataFrame({'film': range(45), 'genre': ['x', 'y', 'z'] * 15})        # side rows also for ids with no ratings
wf = CollabWorkflow('rater', 'film', 'stars', members=members, n_splits=3, seed=0, bs=256, verbose=False, users=users, items=films)
wf.fit(train)
wf.best_, wf.final_intercept_ = 'blend', wf.blend_intercept_   # every member in the final model, whatever won
wf.blend_weights_ = {n: 0.2 for n in wf.blend_weights_}
wf.fit_final()
pairs = pd.concat([test[['rater', 'film']], pd.DataFrame({'rater': ['ghost', 'r1', 'r65', 'r1'], 'film': [1, 10_000, 1, 42]})], ignore_index=True)
pairs.to_csv('pairs.csv', index=False); test.to_csv('test.csv', index=False)
json.dump(dict(user='r1', item=int(r.film.iloc[0]), final=sorted(wf.final_weights_)), open('query.json', 'w'))
wf_queries(wf, pairs, test, 'r1', int(r.film.iloc[0]), 'orig_wf.npz')
wf.export('model_wf')
print('saved')
'''

WF_LOAD = WF_QUERIES + '''
import json, sys
from fastflow.export import load_model
assert not any(m.startswith('fastflow.collab') for m in sys.modules)
wf = load_model('model_wf')
assert type(wf).__name__ == 'CollabWorkflow'
q = json.load(open('query.json'))
pairs, test = pd.read_csv('pairs.csv'), pd.read_csv('test.csv')
wf_queries(wf, pairs, test, q['user'], q['item'], 'loaded_wf.npz')
'''

@pytest.fixture(scope='module')
def wf_roundtrip(tmp_path_factory):
    d = tmp_path_factory.mktemp('collab_wf_rt')
    save = py(WF_SAVE, d)
    assert save.returncode == 0, save.stderr[-3000:]
    m = d/'model_wf'
    set_writable(m, False)
    try:
        load = py(WF_LOAD, d)
        assert load.returncode == 0, load.stderr[-3000:]
        yield d
    finally: set_writable(m, True)

def test_workflow_identical_after_roundtrip(wf_roundtrip):
    d = wf_roundtrip
    assert json.load(open(d/'query.json'))['final'] == ['bias', 'dot', 'hybrid', 'knn_item', 'knn_user', 'nn', 'side']   # every kind of member travels
    with np.load(d/'orig_wf.npz') as a, np.load(d/'loaded_wf.npz') as b:
        assert sorted(a.files) == sorted(b.files)
        for k in a.files:
            assert a[k].dtype == b[k].dtype, k
            assert np.array_equal(a[k], b[k]), k   # max abs difference 0
        assert np.isfinite(a['predict']).all() and a['predict'].dtype == np.float32
        assert len(np.unique(a['predict'][-3:])) == 3     # cold users / items with side rows get their own predictions
        assert list(a['recommend/columns']) == ['film', 'score', 'rating'] and a['recommend/film'].dtype.kind == 'i'
    assert sorted(p.name for p in (d/'model_wf').iterdir()) == ['arrays.npz', 'fastflow.json', 'weights.safetensors']

def test_workflow_tampered_or_edited(wf_roundtrip, tmp_path):
    from fastflow.collab.workflow import CollabWorkflow
    m = shutil.copytree(wf_roundtrip/'model_wf', tmp_path/'m'); set_writable(m, True)
    a = m/'arrays.npz'; a.write_bytes(a.read_bytes()[:-10])
    with pytest.raises(ArtefactError, match=r'arrays\.npz does not match its checksum'): CollabWorkflow.load(m)
    m = shutil.copytree(wf_roundtrip/'model_wf', tmp_path/'b'); set_writable(m, True)
    _edit_config(m, lambda c: c['members'][1]['model'].update(builder='os:system'))
    with pytest.raises(ArtefactError, match="must be DotProductBias, CollabNN or HybridCollab, not 'os:system'"): CollabWorkflow.load(m)
    with pytest.raises(ArtefactError, match="holds a 'collab.workflow' model, not 'vision.learner' or 'collab.learner'"): load_learner(m)

@pytest.mark.parametrize('edit, msg', [
    (lambda c: c.update(rating_range=[5, 1]), r'rating range \[5, 1\] is not two numbers lo <= hi'),
    (lambda c: c.update(similar='nope'), "similar_items' member 'nope' is not one of its fitted members"),
    (lambda c: c.update(intercept='x'), "intercept 'x' is not a number"),
    (lambda c: c['data'].update(seed='abc'), 'its data settings are not valid'),
])
def test_workflow_crafted_settings(wf_roundtrip, tmp_path, edit, msg):
    "A crafted folder (config edited, checksum resealed) whose settings no export writes gets a clear ArtefactError, not a raw error or a silent clip"
    from fastflow.collab.workflow import CollabWorkflow
    m = shutil.copytree(wf_roundtrip/'model_wf', tmp_path/'m'); set_writable(m, True)
    _edit_config(m, edit)
    with pytest.raises(ArtefactError, match=msg): CollabWorkflow.load(m)

def test_workflow_constant_ratings_roundtrip(tmp_path):
    "Every training rating the same (clicks, likes): fit leaves the range (1, 1), and the folder it exports loads (the crafted-folder check allows lo == hi)"
    from fastflow.collab.workflow import CollabWorkflow
    rng = np.random.default_rng(0)
    df = pd.DataFrame({'user': rng.integers(0, 30, 400), 'item': rng.integers(0, 20, 400)}).drop_duplicates().reset_index(drop=True)
    df['rating'] = 1.0
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')   # the positive-only-feedback warning
        wf = CollabWorkflow(members={'bias': dict(type='bias'), 'knn_item': dict(type='knn', kind='item', k=5)}, verbose=False); wf.fit(df)
    assert tuple(wf.rating_range_) == (1.0, 1.0)
    folder = wf.export(tmp_path/'m'); set_writable(folder, False)
    try: np.testing.assert_array_equal(CollabWorkflow.load(folder).predict(df.head(5)), wf.predict(df.head(5)))
    finally: set_writable(folder, True)

RAW_SAVE = QUERIES + '''
import json
from fastflow.testing import synth_ratings
from fastflow.core import set_seed
from fastflow.collab.data import CollabDataLoaders
from fastflow.collab.learner import collab_learner
from fastflow.collab.model import DotProductBias
from fastflow.export import export_learner
r = synth_ratings(40, 30, seed=1); r['rating'] = r.rating*20 + 7   # raw scores far from 1-5 stars
dls = CollabDataLoaders.from_df(r, bs=128, seed=0, device='cpu')
for name, model in (('raw', 'dot'), ('old', DotProductBias(dls.n_users, dls.n_items, 6, mean=dls.global_mean))):   # 'old': no y_unit, as folders before it
    set_seed(0)
    learn = collab_learner(dls, model, n_factors=6, y_range=None)
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(2, 0.02)
    queries(learn, r[['user', 'item']].iloc[:50], int(r.user.iloc[0]), int(r.item.iloc[0]), f'orig_{name}.npz')
    export_learner(learn, f'model_{name}')
print('saved')
'''

RAW_LOAD = QUERIES + '''
import json
from fastflow.testing import synth_ratings
from fastflow.export import load_learner
r = synth_ratings(40, 30, seed=1)
for name in ('raw', 'old'):
    learn = load_learner(f'model_{name}')
    queries(learn, r[['user', 'item']].iloc[:50], int(r.user.iloc[0]), int(r.item.iloc[0]), f'loaded_{name}.npz')
print('loaded')
'''

def test_raw_scores_roundtrip(tmp_path):
    "y_range=None: the unit (training mean and spread) is part of the model's config, so a fresh process predicts identically from a read-only folder; a folder without it (written before) loads raw, as it predicted"
    save = py(RAW_SAVE, tmp_path); assert save.returncode == 0, save.stderr[-3000:]
    folders = [tmp_path/'model_raw', tmp_path/'model_old']
    kw = {f.name: json.loads((f/'fastflow.json').read_text())['config']['model']['kwargs'] for f in folders}
    assert kw['model_raw']['y_range'] is None and len(kw['model_raw']['y_unit']) == 2 and kw['model_raw']['y_unit'][1] > 1   # ratings x20: a wide unit
    assert 'y_unit' not in kw['model_old']
    for f in folders: set_writable(f, False)
    try:
        load = py(RAW_LOAD, tmp_path); assert load.returncode == 0, load.stderr[-3000:]
    finally:
        for f in folders: set_writable(f, True)
    for name in ('raw', 'old'):
        with np.load(tmp_path/f'orig_{name}.npz') as a, np.load(tmp_path/f'loaded_{name}.npz') as b:
            assert sorted(a.files) == sorted(b.files)
            for k in a.files: assert np.array_equal(a[k], b[k]), (name, k)
            assert 20 < a['predict_pairs'].mean() < 110   # in the ratings' units

def test_raw_unit_crafted(tmp_path):
    "A crafted y_unit (scale 0, or beside a y_range) is refused as a folder no export writes"
    save = py(RAW_SAVE, tmp_path); assert save.returncode == 0, save.stderr[-3000:]
    for edit, msg in ((lambda c: c['model']['kwargs'].update(y_unit=[60., 0.]), 'scale > 0'),
                      (lambda c: c['model']['kwargs'].update(y_range=[0., 200.]), 'raw scores only')):
        m = shutil.copytree(tmp_path/'model_raw', tmp_path/f'm{len(msg)}')
        _edit_config(m, edit)
        with pytest.raises(ArtefactError, match=msg): load_learner(m)

def _rewrite_weights(m:Path, edit):
    "Edit the tensors in `m`'s weights.safetensors and make the file's checksum in the manifest again, as a crafted folder would"
    import hashlib
    from safetensors.torch import load_file, save_file
    w = m/'weights.safetensors'; sd = load_file(str(w)); edit(sd); save_file(sd, str(w))
    man = json.loads((m/'fastflow.json').read_text()); man['files']['weights.safetensors']['sha256'] = hashlib.sha256(w.read_bytes()).hexdigest()
    (m/'fastflow.json').write_text(json.dumps(man))

@pytest.mark.parametrize('kind', KINDS)
def test_crafted_weights_dtype_or_nonfinite(roundtrip, tmp_path, kind):
    "Weights resealed as another dtype were cast silently (an int64 bias moved predictions); NaN/inf weights predicted NaN: both refused at load, naming the tensor"
    first = lambda sd: next(k for k, v in sd.items() if v.is_floating_point())
    def cast(f): return lambda sd: sd.update({(k := first(sd)): f(sd[k])})
    for j, (edit, msg) in enumerate((
            (cast(lambda t: t.round().long()), r"weights\.safetensors: \S+ is torch\.int64, not the model's torch\.float32 that export writes"),
            (cast(lambda t: t.double()), r"is torch\.float64, not the model's torch\.float32"),
            (cast(lambda t: t.half()), r"is torch\.float16, not the model's torch\.float32"),
            (lambda sd: sd[first(sd)].view(-1).__setitem__(0, float('nan')), r"NaN or infinite weights in \S+ \(1\)"),
            (lambda sd: sd[first(sd)].view(-1).__setitem__(0, float('inf')), r"NaN or infinite weights in \S+ \(1\)"))):
        m = _copy(roundtrip, tmp_path/str(j), kind)
        _rewrite_weights(m, edit)
        with pytest.raises(ArtefactError, match=msg) as e: load_learner(m)
        assert 'export the model again' in str(e.value)
    if kind == 'dot':   # the reviewer's case: the global bias as int64
        m = _copy(roundtrip, tmp_path/'bias', kind)
        _rewrite_weights(m, lambda sd: sd.update(bias=sd['bias'].round().long()))
        with pytest.raises(ArtefactError, match=r"bias is torch\.int64, not the model's torch\.float32 that export writes: loading would cast it"): load_learner(m)
    assert len(load_learner(_copy(roundtrip, tmp_path/'plain', kind)).predict_codes([0, 1], [0, 1])) == 2   # unedited: loads

def test_workflow_crafted_weights(wf_roundtrip, tmp_path):
    "A collab workflow's torch member is checked as a learner's weights are"
    from fastflow.collab.workflow import CollabWorkflow
    for j, (edit, msg) in enumerate(((lambda sd: sd.update({'dot.bias': sd['dot.bias'].round().long()}), r"\(member 'dot'\): bias is torch\.int64, not the model's torch\.float32"),
                                     (lambda sd: sd['nn.u_emb.weight'].view(-1).__setitem__(3, float('nan')), r"\(member 'nn'\): NaN or infinite weights in u_emb\.weight \(1\)"))):
        m = shutil.copytree(wf_roundtrip/'model_wf', tmp_path/str(j)); set_writable(m, True)
        _rewrite_weights(m, edit)
        with pytest.raises(ArtefactError, match=msg): CollabWorkflow.load(m)

def test_export_refuses_what_load_would(tmp_path):
    "What a load refuses is refused at export, with what to do: NaN weights (training diverged), weights in another type; a numpy mean keeps the bias float32"
    import torch
    from fastflow.testing import synth_ratings
    from fastflow.collab.data import CollabDataLoaders
    from fastflow.collab.learner import collab_learner
    from fastflow.collab.model import DotProductBias
    from fastflow.export import export_learner, load_model
    r = synth_ratings(20, 15, seed=3)
    dls = CollabDataLoaders.from_df(r, bs=64, seed=0, device='cpu')
    m = DotProductBias(dls.n_users, dls.n_items, 4, mean=r.rating.astype('float64').mean(), y_unit=(3.5, 1.0))   # a numpy float64 mean
    learn = collab_learner(dls, m, y_range=None)
    assert learn.model.bias.dtype == torch.float32
    d = export_learner(learn, tmp_path/'ok')
    with warnings.catch_warnings(): warnings.simplefilter('ignore'); pairs = r[['user', 'item']].iloc[:5]; np.testing.assert_array_equal(load_model(d).predict_pairs(pairs), learn.predict_pairs(pairs))
    with torch.no_grad(): learn.model.u_weight.weight[0, 0] = float('nan')
    with pytest.raises(ValueError, match='NaN or infinite weights .*training diverged'): export_learner(learn, tmp_path/'nan')
    learn.model.double()
    with pytest.raises(ValueError, match=r'not in the types it is rebuilt in .*learn\.model\.float\(\)'): export_learner(learn, tmp_path/'f64')
    assert not (tmp_path/'nan').exists() or not any((tmp_path/'nan').iterdir())

def _rewrite_arrays(m:Path, edit):
    "Edit the arrays in `m`'s arrays.npz and make the file's checksum in the manifest again, as a crafted folder would"
    import hashlib
    a = m/'arrays.npz'
    with np.load(a) as z: arrs = {k: z[k] for k in z.files}
    edit(arrs)
    with open(a, 'wb') as f: np.savez(f, **arrs)
    man = json.loads((m/'fastflow.json').read_text()); man['files']['arrays.npz']['sha256'] = hashlib.sha256(a.read_bytes()).hexdigest()
    (m/'fastflow.json').write_text(json.dumps(man))

def _set(k, f): return lambda a: a.update({k: f(a[k])})
def _nan(k): return lambda a: a[k].__setitem__((0,)*a[k].ndim, np.nan)   # in place, whatever the layout (factors are stored in Fortran order)

WF_ARRAY_EDITS = [   # (edit, what the message names): every kind of array a workflow with side tables and neighbourhood members writes
    (_set('bias.user_bias', lambda v: v.astype(np.float32)), r"bias\.user_bias is float32, not the float64 that export writes"),
    (_set('bias.mu', lambda v: v.reshape(1)), r"bias\.mu has shape \(1,\), not \(\)"),
    (_nan('knn_item.item_bias'), r"NaN or infinite values in knn_item\.item_bias \(1\)"),
    (_set('knn_user.sim_data', lambda v: v.astype(np.float64)), r"knn_user\.sim_data is float64, not the float32 that export writes"),
    (_nan('knn_user.sim_data'), r"NaN or infinite values in knn_user\.sim_data \(1\)"),
    (_set('knn_item.sim_indptr', lambda v: v[:-1]), r"knn_item\.sim_indptr has shape \(\d+,\), not \(\d+,\)"),
    (_set('knn_item.sim_indices', lambda v: v.astype(np.float32)), r"knn_item\.sim_indices is float32, not the int32 or int64"),
    (_set('side.coef', lambda v: v[:-1]), r"side\.coef has shape"),
    (_set('side.user_coef', lambda v: v.astype(np.float32)), r"side\.user_coef is float32"),
    (_set('side.item_X', lambda v: v.astype(np.float64)), r"side\.item_X is float64, not the float32"),
    (_set('side.user_X', lambda v: v[:, :-1]), r"side\.user_X has shape"),
    (_nan('side.user_X'), r"NaN or infinite values in side\.user_X \(1\)"),
    (_set('rating', lambda v: v.astype(np.float64)), r"rating is float64, not the float32"),
    (_nan('rating'), r"NaN or infinite values in rating \(1\)"),
    (_set('u', lambda v: v[:-1]), r"u has shape"),
    (_set('items', lambda v: v[:-1]), r"items has shape \(\d+,\), not \(\d+,\)"),
    (lambda a: a.pop('knn_user.user_bias'), r"knn_user\.user_bias is missing"),
]

@pytest.mark.parametrize('j', range(len(WF_ARRAY_EDITS)))
def test_workflow_crafted_arrays(wf_roundtrip, tmp_path, j):
    "arrays.npz edited and resealed (so the manifest's checksums pass): an array of another dtype or shape than the export writes for the config, or NaN/inf, is an ArtefactError naming it"
    from fastflow.collab.workflow import CollabWorkflow
    edit, msg = WF_ARRAY_EDITS[j]
    m = shutil.copytree(wf_roundtrip/'model_wf', tmp_path/'m'); set_writable(m, True)
    _rewrite_arrays(m, edit)
    with pytest.raises(ArtefactError, match=msg) as e: CollabWorkflow.load(m)
    assert 'arrays.npz' in str(e.value) and str(e.value).endswith('the folder was edited; export the workflow again'), str(e.value)

def test_workflow_resealed_unchanged_loads(wf_roundtrip, tmp_path):
    "Arrays written again unchanged (checksums made again): the same predictions, so the check refuses edits, not re-saves"
    from fastflow.collab.workflow import CollabWorkflow
    m = shutil.copytree(wf_roundtrip/'model_wf', tmp_path/'m'); set_writable(m, True)
    _rewrite_arrays(m, lambda a: None)
    pairs = pd.read_csv(wf_roundtrip/'pairs.csv')
    with warnings.catch_warnings(): warnings.simplefilter('ignore'); p = CollabWorkflow.load(m).predict(pairs)
    with np.load(wf_roundtrip/'orig_wf.npz') as a: np.testing.assert_array_equal(p, a['predict'])

def test_learner_crafted_arrays(roundtrip, tmp_path):
    "A learner's data arrays are checked by the same function"
    for j, (edit, msg) in enumerate(((_set('rating', lambda v: v.astype(np.float16)), r"rating is float16, not the float32 that export writes: the folder was edited; export the learner again"),
                                     (_set('titles', lambda v: v[:-1]), r"titles has shape"),
                                     (_set('train_idx', lambda v: v.reshape(1, -1)), r"train_idx has shape \(1, \d+\), not \(any,\)"))):
        m = _copy(roundtrip, tmp_path/str(j), 'hybrid')
        _rewrite_arrays(m, edit)
        with pytest.raises(ArtefactError, match=msg): load_learner(m)

@pytest.fixture(scope='module')
def bayes_stack(tmp_path_factory):
    "A workflow whose final model is the stack of a BayesianMF and biases-only, exported"
    from fastflow.testing import synth_ratings
    from fastflow.collab.workflow import CollabWorkflow
    r = synth_ratings(40, 30, seed=2)
    wf = CollabWorkflow(members={'bayes': dict(type='bayes', n_factors=3, n_iter=8, burn_in=3)}, n_splits=2, seed=0, stack=True, verbose=False)
    wf.fit(r)
    wf.best_, wf.blend_weights_ = 'stack', {'bias': 0.5, 'bayes': 0.5}
    wf.stack_coef_ = np.random.default_rng(0).normal(0, 0.1, (3, 4))
    wf.fit_final()
    return wf, r, wf.export(tmp_path_factory.mktemp('bayes_stack')/'m')

def test_bayes_and_stack_crafted(bayes_stack, tmp_path):
    "BayesianMF's factors (float32, n_factors times the kept samples wide) and the stack's coefficients (a row per member and the offset) are held to the config"
    from fastflow.collab.workflow import CollabWorkflow
    wf, r, folder = bayes_stack
    assert sorted(wf.final_) == ['bayes', 'bias'] and wf.final_stack_ is not None
    np.testing.assert_array_equal(CollabWorkflow.load(folder).predict(r.head(20)), wf.predict(r.head(20)))
    for j, (edit, msg) in enumerate(((_set('bayes.user_factors', lambda v: v.astype(np.float64)), r"bayes\.user_factors is float64, not the float32"),
                                     (_set('bayes.item_factors', lambda v: v[:, :-3]), r"bayes\.item_factors has shape \(30, 6\), not \(30, 9\)"),
                                     (_nan('bayes.user_factors'), r"NaN or infinite values in bayes\.user_factors \(1\)"),
                                     (_set('stack', lambda v: v[:-1]), r"stack has shape \(2, 4\), not \(3, 4\)"),
                                     (_set('stack', lambda v: np.where(v == v, np.inf, v)), r"NaN or infinite values in stack \(12\)"))):
        m = shutil.copytree(folder, tmp_path/str(j))
        _rewrite_arrays(m, edit)
        with pytest.raises(ArtefactError, match=msg): CollabWorkflow.load(m)

def test_workflow_export_refuses_what_load_would(bayes_stack, tmp_path):
    "Arrays a load would refuse are refused at export, with what to do, and nothing is written"
    wf, r, _ = bayes_stack
    m = wf.final_['bayes']; f0 = m.user_factors_
    try:
        m.user_factors_ = f0.astype(np.float64)
        with pytest.raises(ValueError, match=r"bayes\.user_factors is float64, not float32\): convert them"): wf.export(tmp_path/'a')
        m.user_factors_ = f0.copy(); m.user_factors_[0, 0] = np.nan
        with pytest.raises(ValueError, match=r"holds NaN or infinite values \(bayes\.user_factors \(1\)\).*fit the workflow again"): wf.export(tmp_path/'b')
    finally: m.user_factors_ = f0
    assert not (tmp_path/'a').exists() and not (tmp_path/'b').exists()

ONE_SIDE_SAVE = '''
import warnings, numpy as np, pandas as pd
from fastflow.testing import synth_ratings
from fastflow.collab.workflow import CollabWorkflow
warnings.simplefilter('ignore')
r = synth_ratings(60, 40, seed=3)
users = pd.DataFrame({'user': r.user.unique()}); users['job'] = np.where(users.user % 3 == 0, 'a', 'b'); users['age'] = users.user % 40 + 18
items = pd.DataFrame({'item': r.item.unique()}); items['genre'] = np.where(items.item % 2 == 0, 'x', 'y')
new = users.user.iloc[:5]; tr, te = r[~r.user.isin(new)], r[r.user.isin(new)]
for name, kw in (('users', dict(users=users)), ('items', dict(items=items))):
    wf = CollabWorkflow(members={'bias': dict(type='bias')}, n_splits=3, seed=0, verbose=False, **kw); wf.fit(tr)
    assert wf.final_['side'].by_id_ == ('item' if name == 'users' else 'user')
    np.save(f'pred_{name}.npy', np.concatenate([wf.predict(te), wf.predict(tr.head(50))]))
    wf.export(f'model_{name}')
te.to_csv('te.csv', index=False); tr.head(50).to_csv('tr.csv', index=False)
'''

ONE_SIDE_LOAD = '''
import sys, warnings, numpy as np, pandas as pd
from fastflow.export import load_model
assert not any(m.startswith('fastflow.collab') for m in sys.modules)
warnings.simplefilter('ignore')
te, tr = pd.read_csv('te.csv'), pd.read_csv('tr.csv')
for name in ('users', 'items'):
    wf = load_model(f'model_{name}')
    np.testing.assert_array_equal(np.concatenate([wf.predict(te), wf.predict(tr)]), np.load(f'pred_{name}.npy'))
print('same')
'''

def test_one_side_table_workflow_roundtrip(tmp_path):
    "A workflow with users= alone (items by their ids) or items= alone: exported in one interpreter, loaded in another, the same predictions; a crafted by_id or coefficient shape is refused"
    from fastflow.collab.workflow import CollabWorkflow
    save = py(ONE_SIDE_SAVE, tmp_path); assert save.returncode == 0, save.stderr[-3000:]
    load = py(ONE_SIDE_LOAD, tmp_path); assert load.returncode == 0 and 'same' in load.stdout, load.stderr[-3000:]
    def side_member(c): return next(d for d in c['members'] if d['name'] == 'side')
    m = shutil.copytree(tmp_path/'model_users', tmp_path/'a')
    _edit_config(m, lambda c: side_member(c).update(by_id='nope'))
    with pytest.raises(ArtefactError, match="the config is not a collab workflow's"): CollabWorkflow.load(m)
    m = shutil.copytree(tmp_path/'model_users', tmp_path/'b')
    _edit_config(m, lambda c: side_member(c).pop('by_id'))   # the per-item coefficients read as one product fit: their shape does not fit
    with pytest.raises(ArtefactError, match=r"side\.coef has shape"): CollabWorkflow.load(m)
    m = shutil.copytree(tmp_path/'model_items', tmp_path/'c')
    _rewrite_arrays(m, _set('side.coef', lambda v: v[:-1]))
    with pytest.raises(ArtefactError, match=r"side\.coef has shape"): CollabWorkflow.load(m)

THR = '''
import warnings, sys, numpy as np
from fastflow.testing import synth_ratings
from fastflow.collab.data import CollabDataLoaders
from fastflow.collab.learner import collab_learner
from fastflow.collab.workflow import CollabWorkflow
from fastflow.export import export_learner, load_learner
warnings.simplefilter('ignore')
r = synth_ratings(60, 40, seed=2); r['rating'] = 2*np.maximum(r.rating.round(), 2)   # 4-10 in steps of 2
te = r.sample(frac=0.2, random_state=0)
if sys.argv[1] == 'save':
    for name, yr in (('hand', (0, 12)), ('inferred', None)):
        export_learner(collab_learner(CollabDataLoaders.from_df(r, y_range=yr, seed=0, device='cpu'), n_factors=4, seed=0), f'l_{name}')
        wf = CollabWorkflow(members={'bias': dict(type='bias')}, n_splits=2, seed=0, y_range=yr, verbose=False); wf.fit(r.drop(te.index)); wf.export(f'w_{name}')
for name in ('hand', 'inferred'):
    l = load_learner(f'l_{name}') if sys.argv[1] == 'load' else None
    w = CollabWorkflow.load(f'w_{name}')
    print(name, l.ranking_metrics()['threshold'] if l else '-', w.ranking_metrics(te)['threshold'])
'''

def test_threshold_after_roundtrip(tmp_path):
    "The default relevance threshold of a loaded learner or workflow is the one fitted: a y_range given by hand stays the scale (3/4 of 0-12: 9); an inferred one does not count (4-10 in steps of 2: 3/4 of 2-10: 8)"
    save = py(THR.replace("sys.argv[1]", "'save'"), tmp_path); assert save.returncode == 0, save.stderr[-3000:]
    load = py(THR.replace("sys.argv[1]", "'load'"), tmp_path); assert load.returncode == 0, load.stderr[-3000:]
    assert save.stdout.split() == ['hand', '-', '9.0', 'inferred', '-', '8.0'], save.stdout
    assert load.stdout.split() == ['hand', '9.0', '9.0', 'inferred', '8.0', '8.0'], load.stdout
