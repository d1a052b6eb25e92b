"Tabular export in one interpreter, load from a read-only folder in another: identical predictions; tampered or crafted folders refused."
import json, hashlib, os, shutil, subprocess, sys, textwrap
from pathlib import Path
from conftest import set_writable
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]

def py(code, cwd):
    env = {**os.environ, 'PYTHONPATH': str(ROOT), 'MPLBACKEND': 'Agg', 'OMP_WAIT_POLICY': 'PASSIVE'}
    return subprocess.run([sys.executable, '-c', textwrap.dedent(code)], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)

# rows to predict: fresh rows, plus rows with unseen and missing categories and missing numbers
ROWS = '''
import numpy as np
from fastflow.testing import synth_tabular
def rows(task):
    t = synth_tabular(60, task=task, seed=11).drop(columns='y').assign(pid=lambda d: np.arange(len(d)) + 5000)
    t.loc[:19, 'cat'] = ['zzz', None]*10; t.loc[10:29, 'x_num2'] = np.nan; t['flag'] = t.flag.astype(object); t.loc[25:30, 'flag'] = None
    return t
def grp_rows():
    "rows with a group column (some groups unseen, some missing) and inputs far outside the training range"
    t = rows('classification'); t['grp'] = (np.arange(len(t)) % 9).astype(str); t.loc[:5, 'grp'] = None; t.loc[40:45, 'x_num1'] = [1e3, -1e3]*3
    return t
'''

TRAIN = ROWS + '''
import json, warnings
from sklearn.dummy import DummyClassifier
from fastflow.tabular.estimators import *
from fastflow.tabular.estimators import export_estimator
from fastflow.tabular.workflow import TabularWorkflow
warnings.simplefilter('ignore')
out = {}
def save(name, obj, task):
    t = grp_rows() if name == 'wf_grp' else rows(task)
    if isinstance(obj, TabularWorkflow): obj.export(f'models/{name}'); raw, lab = obj.predict_raw(t), obj.predict(t)
    else:
        export_estimator(obj, f'models/{name}'); t = t.drop(columns='pid'); lab = obj.predict(t)
        raw = obj.predict_proba(t) if hasattr(obj, 'predict_proba') else lab
    np.save(f'preds/{name}.raw.npy', np.asarray(raw, dtype='float64')); np.save(f'preds/{name}.lab.npy', np.asarray(lab).astype(str))
    out[name] = dict(dtype=str(np.asarray(lab).dtype), type=type(lab[0]).__name__, classes=[str(c) for c in getattr(obj, 'classes_', [])])
c = synth_tabular(200, seed=1).assign(pid=lambda d: np.arange(len(d)) + 1, y=lambda d: d.y.map({0: 'no', 1: 'yes'}))
r = synth_tabular(200, task='regression', seed=2).assign(pid=lambda d: np.arange(len(d)) + 1, y=lambda d: np.exp(d.y/4))
fast = lambda clf: {'nn': (NNClassifier if clf else NNRegressor)(epochs=2, random_state=0),
                    'rf': (RFClassifier if clf else RFRegressor)(n_estimators=10, random_state=0),
                    'xgb': (GBMClassifier if clf else GBMRegressor)(n_estimators=30, random_state=0),
                    'linear': LinearClassifier() if clf else LinearRegressor(alpha=1e-3, l1_ratio=.5)}
for name, df, clf, metric in (('wf_clf', c, True, 'log_loss'), ('wf_reg', r, False, 'log_rmse'), ('wf_rmsle', r, False, 'rmsle')):
    wf = TabularWorkflow('y', id_col='pid', metric=metric, models=fast(clf), n_splits=2, ensemble_top=4, ensemble_weights='equal',
                         refit=False, verbose=False)
    wf.fit(df); wf.fit_final(df, 'ensemble')
    assert sorted(wf.final_) == ['linear', 'nn', 'rf', 'xgb'], wf.final_weights_
    save(name, wf, 'classification' if clf else 'regression')
    if clf: wf.submit(rows('classification'), path='preds/sub_before')
cg = c.assign(grp=(np.arange(len(c)) % 7).astype(str))   # repeated folds, a group rate, clipping, two rows kept out of fitting
wf = TabularWorkflow('y', id_col='pid', models={k: v for k, v in fast(True).items() if k != 'rf'}, n_splits=2, n_repeats=2,
                     group_target=['grp'], clip=True, verbose=False)
wf.fit(cg, train_mask=np.arange(len(cg)) >= 2)
assert wf.group_stats_ and wf.clip_ranges_
save('wf_grp', wf, 'classification')
json.dump(wf.clip_report_, open('preds/clip.json', 'w'))
assert wf.clip_report_['rows'] >= 6 and wf.clip_report_['columns']['x_num1'] == 6, wf.clip_report_
Xc, yc, Xr, yr = c.drop(columns=['y', 'pid']), c.y, r.drop(columns=['y', 'pid']), r.y
for est, clf in ((NNClassifier(epochs=2, random_state=0), 1), (NNRegressor(epochs=2, y_range='auto', random_state=0), 0),
                 (RFClassifier(n_estimators=10, random_state=0), 1), (RFRegressor(n_estimators=10, random_state=0), 0),
                 (GBMClassifier(n_estimators=40, refit_full=False, random_state=0), 1), (GBMRegressor(n_estimators=30, random_state=0), 0),
                 (LinearClassifier(), 1), (LinearRegressor(), 0),
                 (SeedBagClassifier(GBMClassifier(n_estimators=20), n_seeds=2), 1), (SeedBagRegressor(RFRegressor(n_estimators=5), n_seeds=2), 0),
                 (SeedBagClassifier(NNClassifier(epochs=1), n_seeds=2), 1)):
    save(f'{type(est).__name__}_{len(out)}', est.fit(Xc, yc) if clf else est.fit(Xr, yr), 'classification' if clf else 'regression')
save('dummy', DummyClassifier(strategy='prior').fit(Xc, yc), 'classification')
json.dump(out, open('preds/meta.json', 'w'))
print(sorted(out))
'''

LOAD = ROWS + '''
import json, sys
from pathlib import Path
from fastflow.export import load_model
assert 'fastflow.tabular.workflow' not in sys.modules and 'fastflow.tabular.estimators' not in sys.modules
meta = json.load(open('preds/meta.json'))
for name, m in meta.items():
    obj = load_model(f'models/{name}')
    task = 'classification' if m['classes'] else 'regression'
    t = grp_rows() if name == 'wf_grp' else rows(task)
    if name.startswith('wf'): raw, lab = obj.predict_raw(t), obj.predict(t)
    else:
        t = t.drop(columns='pid'); lab = obj.predict(t)
        raw = obj.predict_proba(t) if hasattr(obj, 'predict_proba') else lab
    raw0, lab0 = np.load(f'preds/{name}.raw.npy'), np.load(f'preds/{name}.lab.npy')
    diff = np.abs(np.asarray(raw, dtype='float64') - raw0).max()
    assert diff == 0, (name, diff)
    assert np.array_equal(np.asarray(lab).astype(str), lab0), name
    assert (str(np.asarray(lab).dtype), type(lab[0]).__name__) == (m['dtype'], m['type']), (name, m, np.asarray(lab).dtype)
    assert [str(c) for c in getattr(obj, 'classes_', [])] == m['classes'], name
    print(name, 'max abs diff', diff)
wf = load_model('models/wf_clf')
assert wf.leaderboard_.model.tolist()[0] in ('ensemble', 'nn', 'rf', 'xgb', 'linear')
sub = wf.submit(rows('classification'), path='preds/sub_after')
assert Path(sub).read_bytes() == Path('preds/sub_before/submission.csv').read_bytes()
g = load_model('models/wf_grp'); g.predict(grp_rows()); wf_clip = json.load(open('preds/clip.json'))
assert g.clip_report_ == wf_clip and list(g.group_stats_) == ['grp'] and g.n_repeats == 2, g.clip_report_
print('LOADED', len(meta))
'''

@pytest.fixture(scope='module')
def exported(tmp_path_factory):
    d = tmp_path_factory.mktemp('tab_roundtrip')
    (d/'models').mkdir(); (d/'preds').mkdir()
    r = py(TRAIN, d)
    assert r.returncode == 0, r.stderr[-3000:]
    set_writable(d/'models', False)
    yield d
    set_writable(d/'models', True)

def test_identical_predictions_in_a_fresh_interpreter_from_a_read_only_folder(exported):
    assert not os.access(exported/'models'/'wf_clf'/'fastflow.json', os.W_OK) or os.geteuid() == 0
    r = py(LOAD, exported)
    assert r.returncode == 0, r.stderr[-3000:]
    assert 'LOADED 16' in r.stdout, r.stdout
    files = {p.name for p in (exported/'models'/'wf_clf').iterdir()}
    assert {'fastflow.json', 'weights.safetensors', 'arrays.npz'} <= files and {'.ubj', '.skops'} <= {Path(f).suffix for f in files}, files
    assert not any(p.suffix in ('.pkl', '.pickle', '.joblib') for p in (exported/'models').rglob('*'))

def _copy(exported, name, tmp_path) -> Path:
    "A writable copy of the first exported folder whose name starts with `name`"
    src = sorted((exported/'models').glob(f'{name}*'))[0]
    dst = tmp_path/src.name
    shutil.copytree(src, dst)
    set_writable(dst, True)
    return dst

def _reseal(folder:Path, fname:str):
    "Rewrite the manifest checksum of `fname`, as someone crafting a folder would"
    man = json.loads((folder/'fastflow.json').read_text())
    man['files'][fname]['sha256'] = hashlib.sha256((folder/fname).read_bytes()).hexdigest()
    (folder/'fastflow.json').write_text(json.dumps(man))

@pytest.mark.parametrize('pattern', ['weights.safetensors', 'arrays.npz', '*.ubj', 'm?.skops', '*.onehot.skops'])
def test_tampered_or_truncated_member_file_is_named(exported, tmp_path, pattern):
    from fastflow.export import ArtefactError, load_model
    fname = next((exported/'models'/'wf_clf').glob(pattern)).name
    for how in ('truncate', 'flip'):
        f = _copy(exported, 'wf_clf', tmp_path/how)/fname
        data = f.read_bytes()
        f.write_bytes(data[:len(data)//2] if how == 'truncate' else data[:100] + bytes([data[100] ^ 1]) + data[101:])
        with pytest.raises(ArtefactError, match=f'{fname}.*checksum'): load_model(f.parent)

def test_untrusted_skops_file_is_refused_without_running_it(exported, tmp_path):
    import skops.io as sio
    from sklearn.preprocessing import FunctionTransformer
    from fastflow.export import ArtefactError, load_model
    d = _copy(exported, 'LinearClassifier_', tmp_path)
    flag = tmp_path/'PWNED'
    (d/'m.skops').write_bytes(sio.dumps(FunctionTransformer(func=os.system, kw_args={'command': f'touch {flag}'})))
    _reseal(d, 'm.skops')
    with pytest.raises(ArtefactError, match=r"m\.skops names types that skops does not trust.*system"): load_model(d)
    assert not flag.exists()

def test_crafted_tree_arrays_are_refused(exported, tmp_path):
    from fastflow.export import ArtefactError, load_model
    d = _copy(exported, 'RFClassifier_', tmp_path)
    with np.load(d/'arrays.npz') as z: arrs = {k: z[k] for k in z.files}
    arrs['m.left_child'][0] = 10**9                       # a child far outside the tree
    with open(d/'arrays.npz', 'wb') as f: np.savez(f, **arrs)
    _reseal(d, 'arrays.npz')
    with pytest.raises(ArtefactError, match='inconsistent'): load_model(d)
    d = _copy(exported, 'RFClassifier_', tmp_path/'wide')    # the config claims more columns than the data has: splits could read past them
    man = json.loads((d/'fastflow.json').read_text())
    man['config']['estimator']['state']['trees'][0]['n_features'] = 10**6
    from fastflow.export import _config_sha256
    man['config_sha256'] = _config_sha256(man['config'])   # resealed, as a crafted folder would be (an edit alone fails the checksum)
    (d/'fastflow.json').write_text(json.dumps(man))
    with pytest.raises(ArtefactError, match='reads 1000000 columns'): load_model(d)

def test_export_errors(exported, tmp_path):
    from sklearn.base import BaseEstimator
    from fastflow.tabular.estimators import GBMClassifier, export_estimator
    from fastflow.tabular.workflow import TabularWorkflow
    from fastflow.testing import synth_tabular
    with pytest.raises(RuntimeError, match='call fit'): TabularWorkflow('y').export(tmp_path/'a')
    with pytest.raises(Exception, match='not fitted'): export_estimator(GBMClassifier(), tmp_path/'b')
    class Mine(BaseEstimator):
        def fit(self, X, y): self.classes_ = np.unique(y); return self
        def predict_proba(self, X): return np.full((len(X), 2), .5)
    df = synth_tabular(60, seed=0)
    wf = TabularWorkflow('y', models={'mine': Mine()}, n_splits=2, ensemble_top=0, verbose=False)
    wf.fit(df)
    with pytest.raises(TypeError, match="workflow member 'mine' \\(Mine\\) cannot be exported"): wf.export(tmp_path/'c')
    assert not (tmp_path/'c'/'fastflow.json').exists()

def _edit_config(folder:Path, edit):
    "Edit the config in `folder`'s manifest and make its checksum again, as someone crafting a folder would"
    from fastflow.export import _config_sha256
    man = json.loads((folder/'fastflow.json').read_text()); edit(man['config'])
    man['config_sha256'] = _config_sha256(man['config'])
    (folder/'fastflow.json').write_text(json.dumps(man))

@pytest.mark.parametrize('name, edit, msg', [
    ('wf_clf', lambda c: c.update(members=[]), r"members \[\] is not a non-empty list"),   # was: 'call fit ... before predicting' at predict time
    ('wf_clf', lambda c: c.update(feature_names=['a']), r"feature_names \['a'\] are not the columns its preprocessing \(proc\) was fitted on"),   # was: 'test frame lacks column a'
    ('wf_clf', lambda c: c.update(feature_names=c['feature_names'][::-1]), r"are not the columns member '\w+' was fitted on"),   # the same columns, in another order
    ('wf_clf', lambda c: c.update(task='regression'), "task is 'regression' but it holds classes"),   # was: class-1 probabilities returned as values
    ('wf_clf', lambda c: c.update(task='regression', classes=None), r"task is 'regression' but member '\w+' \(\w+Classifier\) is a classifier"),
    ('wf_clf', lambda c: c.update(classes={'dtype': 'object', 'values': ['no']}), r"classes .* are fewer than two"),
    ('wf_clf', lambda c: c['members'][0].update(name='rf'), r"name a member twice"),
    ('wf_clf', lambda c: c['members'][0].update(name='gbm'), r"members \['gbm', .*\] are not among its ensemble's"),
    ('wf_clf', lambda c: c['members'][0].update(weight=3.), r"member weights \[3\.0, .*\] are not positive numbers that sum to 1"),
    ('wf_reg', lambda c: c.update(task='classification', classes={'dtype': 'object', 'values': ['a', 'b']}), r"member '\w+' \(\w+Regressor\) is a regressor"),
    ('wf_grp', lambda c: c.update(feature_names=[f for f in c['feature_names'] if f != 'grp']), r"group columns \['grp'\] are not among its feature_names"),
    ('wf_grp', lambda c: c.update(groups=[]), r"feature_names \[.*'grp'\] are not the columns its preprocessing"),   # no group rates: grp itself would reach the members
])
def test_crafted_workflow_config_is_refused_at_load(exported, tmp_path, name, edit, msg):
    "A workflow folder whose members, feature names or task were edited (checksum resealed) is refused at load, saying what and how to fix it"
    from fastflow.export import ArtefactError, load_model
    d = _copy(exported, name, tmp_path)
    load_model(d)   # unedited: loads
    _edit_config(d, edit)
    with pytest.raises(ArtefactError, match=msg) as e: load_model(d)
    assert 'the folder was edited; export the workflow again' in str(e.value) and str(d) in str(e.value)

ZONED = '''
import numpy as np, pandas as pd
def zoned():
    "Store times in Paris (a datetime column) and the same instants written with New York's offsets (strings); a target in units of 1e-9 that rises on Paris weekends"
    rng = np.random.default_rng(0); n = 400
    when = pd.Series(pd.date_range('2024-01-01 21:00', periods=n, freq='5h', tz='Europe/Paris'))
    df = pd.DataFrame({'when': when, 'stamp': [t.isoformat() for t in when.dt.tz_convert('America/New_York')], 'x': rng.normal(size=n)})
    df['y'] = 1e-9*(df.x + 2*(when.dt.dayofweek >= 5)) + 1e-10*rng.normal(size=n)
    return df
'''

def test_zoned_times_and_tiny_targets_in_a_fresh_interpreter(tmp_path):
    "Date parts in local clock time and xgboost's target scale travel with the folder: identical predictions in a fresh interpreter; folders without them (written before session 36) load with the old rules"
    (tmp_path/'models').mkdir(); (tmp_path/'preds').mkdir()
    r = py(ZONED + '''
import warnings; warnings.simplefilter('ignore')
from fastflow.tabular.estimators import GBMRegressor, RFRegressor
from fastflow.tabular.workflow import TabularWorkflow
df = zoned()
wf = TabularWorkflow('y', n_splits=2, verbose=False, models={'xgb': GBMRegressor(n_estimators=60, random_state=0, n_jobs=1), 'rf': RFRegressor(n_estimators=10, random_state=0, n_jobs=1)})
wf.fit(df); wf.fit_final(df); wf.export('models/wf_zoned')
xt = wf.proc_.transform(df.drop(columns='y'))
for c in ('when', 'stamp'):   # parts in Paris' and New York's clocks, as written; not UTC's
    dow = xt[f'{c}_Dayofweek']*wf.proc_.stds_[f'{c}_Dayofweek'] + wf.proc_.means_[f'{c}_Dayofweek']
    local = df.when.dt.tz_convert('Europe/Paris' if c == 'when' else 'America/New_York').dt.dayofweek
    assert np.abs(dow - local).max() < 1e-4, c
p = wf.predict(df.drop(columns='y')); r2 = 1 - np.mean((p - df.y)**2)/np.var(df.y)
assert r2 > 0.9, r2   # the units (1e-9) cost the trees nothing
np.save('preds/zoned.npy', p)
''', tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    r = py(ZONED + '''
from fastflow.export import load_model
wf = load_model('models/wf_zoned'); df = zoned()
assert wf.proc_.date_clock_ == 'local'
d = np.abs(wf.predict(df.drop(columns='y')) - np.load('preds/zoned.npy')).max()
assert d == 0, d
print('ZONED OK')
''', tmp_path)
    assert r.returncode == 0 and 'ZONED OK' in r.stdout, r.stderr[-3000:]
    from fastflow.export import load_model
    def old(c):   # what a folder written before session 36 holds: no date_clock in any TabularProc, no target scale in xgboost's state
        if isinstance(c, dict):
            c.pop('date_clock', None)
            if str(c.get('file', '')).endswith('.ubj'): c.pop('y_mean', None); c.pop('y_std', None)
            for v in c.values(): old(v)
        elif isinstance(c, list):
            for v in c: old(v)
    d = tmp_path/'old'; shutil.copytree(tmp_path/'models'/'wf_zoned', d); _edit_config(d, old)
    wf = load_model(d)
    assert wf.proc_.date_clock_ == 'utc' and all(m.proc_.date_clock_ == 'utc' for m in wf.final_.values())
    assert [(m.y_mean_, m.y_std_) for m in wf.final_.values() if hasattr(m, 'y_std_')] == [(0., 1.)]

def test_cv_penalty_and_workflow_proc_in_a_fresh_interpreter(tmp_path):
    "A wide table's linear member (alpha='cv': an elastic net or liblinear logistic model) and members given the workflow's proc travel as data: identical predictions in a fresh interpreter"
    (tmp_path/'models').mkdir(); (tmp_path/'preds').mkdir()
    common = '''
import warnings; warnings.simplefilter('ignore')
import numpy as np, pandas as pd
def wide(seed=0):
    r = np.random.default_rng(seed); X = pd.DataFrame(r.normal(size=(90, 150))).add_prefix('f')
    return X.assign(y=2*X.f0 + X.f1 + .1*r.normal(size=90), c=(X.f0 - X.f2 > 0).astype(int), city=r.choice([f'c{i}' for i in range(120)], 90))
'''
    r = py(common + '''
from fastflow.tabular.workflow import TabularWorkflow
from fastflow.tabular.data import TabularProc
from fastflow.tabular.estimators import LinearClassifier
d = wide()
wr = TabularWorkflow('y', n_splits=3, verbose=False, ensemble_top=0); wr.fit(d.drop(columns=['c', 'city']))   # the defaults: wide, so the linear member's penalty is chosen
assert wr.models_['linear'].alpha == 'cv' and wr.final_name_ == 'linear', wr.leaderboard_
wr.export('models/wide_reg'); np.save('preds/wide_reg.npy', wr.predict(d.drop(columns=['y', 'c', 'city'])))
wc = TabularWorkflow('c', n_splits=3, verbose=False, proc=TabularProc(high_card='encode'), models={'l': LinearClassifier(alpha='cv')})
wc.fit(d.drop(columns=['y'])); assert 'city' in wc.final_['l'].proc_.cat_out_
wc.export('models/wide_clf'); np.save('preds/wide_clf.npy', wc.predict_raw(d.drop(columns=['y', 'c'])))
''', tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    r = py(common + '''
from fastflow.export import load_model
d = wide()
a = np.abs(load_model('models/wide_reg').predict(d.drop(columns=['y', 'c', 'city'])) - np.load('preds/wide_reg.npy')).max()
c = load_model('models/wide_clf'); b = np.abs(c.predict_raw(d.drop(columns=['y', 'c'])) - np.load('preds/wide_clf.npy')).max()
assert a == 0 and b == 0 and 'city' in c.final_['l'].proc_.cat_out_, (a, b)
print('OK')
''', tmp_path)
    assert r.returncode == 0 and 'OK' in r.stdout, r.stderr[-3000:]
