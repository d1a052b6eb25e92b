"""Tabular quality: fastflow's workflow against plain xgboost and scikit-learn on the same rows and folds, in one run.

- adult: 5-fold leaderboard on the 32,561 training rows (wall time; target <= 5 min) of the default models plus the three
  xgboost settings with the lowest CV log loss in `bench/adult_xgb_grid.py`'s grid (CV on the training rows only; with
  `--adult-seeds N`, each averaged over N seeds by `SeedBagClassifier`), then
  every model and the ensemble (the 3 best by CV, weights fitted out of fold) refitted on all training rows and scored
  on the official 16,281-row test set (targets: best >= 0.874, NN >= 0.855).
- house_prices: CV RMSE of log(SalePrice) of the kernel's recipe (kaggle/house-prices/kernel.py: `workflow()`, 5-fold x 3
  repeats, every training row scored, the two partial sales not fitted on; target <= 0.118).
- titanic: stratified CV accuracy of the kernel's recipe (kaggle/titanic/kernel.py: `workflow()`, 5-fold x 3 repeats).
References (same rows, same folds): xgboost with its default settings on the raw columns (pandas categoricals), and
scikit-learn's random forest and HistGradientBoosting on ordinal-encoded columns.

    flock /work/bench.lock python bench/tabular_benchmarks.py      # writes bench/results/tabular_benchmarks.json
"""
import os
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')
import argparse, importlib.util, json, time, warnings
from pathlib import Path
import numpy as np, pandas as pd
from report import write_results

ROOT = Path(__file__).resolve().parents[1]
ROWS = []

def row(task, system, metric, value, seconds, throughput=None):
    ROWS.append(dict(task=task, system=system, metric=metric, value=round(float(value), 5), seconds=round(float(seconds), 2),
                     throughput=None if throughput is None else round(float(throughput))))
    print(f"{task:<13} {system:<34} {metric:<13} {value:8.4f} {seconds:8.1f}s", flush=True)

def kernel(name):
    "The kernel script kaggle/<name>/kernel.py as a module (its features and settings are the recipe benchmarked)"
    spec = importlib.util.spec_from_file_location(f'kernel_{name.replace("-", "_")}', ROOT/'kaggle'/name/'kernel.py')
    m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
    return m

def raw_frame(X):
    "Raw columns for the references: text as pandas categoricals (xgboost) "
    X = X.copy()
    for c in X.columns:
        if not pd.api.types.is_numeric_dtype(X[c]) or pd.api.types.is_bool_dtype(X[c]): X[c] = X[c].astype('category')
    return X

def ordinal(X):
    "Raw columns with categoricals as integer codes (-1 missing) for scikit-learn"
    X = raw_frame(X)
    for c in X.columns:
        if isinstance(X[c].dtype, pd.CategoricalDtype): X[c] = X[c].cat.codes
    return X

def references(task, clf, X, y, folds, metric_fn, metric, Xtest=None, ytest=None, log_target=False, cv_name=None):
    "xgboost defaults, sklearn RF and HistGradientBoosting: CV on `folds`, and the test score when a test set is given"
    import xgboost as xgb
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor, HistGradientBoostingClassifier, HistGradientBoostingRegressor
    refs = {'xgboost': (lambda: (xgb.XGBClassifier if clf else xgb.XGBRegressor)(enable_categorical=True, tree_method='hist', random_state=0), raw_frame),
            'sklearn-rf': (lambda: (RandomForestClassifier if clf else RandomForestRegressor)(n_estimators=200, random_state=0, n_jobs=2), ordinal),
            'sklearn-hgb': (lambda: (HistGradientBoostingClassifier if clf else HistGradientBoostingRegressor)(categorical_features='from_dtype', random_state=0), raw_frame)}
    full = pd.concat([X, Xtest]) if Xtest is not None else X      # one encoding for train and test
    yt = np.log(y) if log_target else y
    for name, (make, enc) in refs.items():
        Z = enc(full); Ztr, Zte = Z.iloc[:len(X)], Z.iloc[len(X):]
        t0, scores = time.perf_counter(), []
        for tr, va in folds:
            p = make().fit(Ztr.iloc[tr], yt[tr])
            pred = p.predict_proba(Ztr.iloc[va]) if clf else p.predict(Ztr.iloc[va])
            scores.append(metric_fn(y[va], pred if clf else (np.exp(pred) if log_target else pred)))
        row(task, name, cv_name or f'{metric}_cv5', np.mean(scores), time.perf_counter() - t0)
        if Xtest is not None:
            t0 = time.perf_counter(); p = make().fit(Ztr, yt); secs = time.perf_counter() - t0
            row(task, name, metric, metric_fn(ytest, p.predict_proba(Zte)), secs, len(X)/secs)

def adult_models(n_seeds=1):
    "The default models plus the three xgboost settings with the lowest CV log loss in bench/adult_xgb_grid.py's grid (each averaged over `n_seeds` seeds if > 1)"
    from fastflow.tabular.workflow import default_models
    from fastflow.tabular.estimators import GBMClassifier, SeedBagClassifier
    from adult_xgb_grid import best_settings, name
    grid = json.loads((ROOT/'bench'/'results'/'adult_xgb_grid.json').read_text())
    bag = lambda m: SeedBagClassifier(m, n_seeds=n_seeds, random_state=42) if n_seeds > 1 else m.set_params(random_state=42)
    extra = {name(g).removeprefix('fastflow-') + (f'-seeds{n_seeds}' if n_seeds > 1 else ''): bag(GBMClassifier(n_estimators=5000, **g))
             for g in best_settings(grid)}
    return {**default_models('classification', seed=42), **extra}

def adult(n_seeds=1):
    from fastflow.core import data_path
    from fastflow.tabular.workflow import TabularWorkflow, get_metric
    p = data_path('adult')
    trn, tst = pd.read_csv(p/'train.csv'), pd.read_csv(p/'test.csv')
    wf = TabularWorkflow('income', metric='accuracy', models=adult_models(n_seeds), n_splits=5, seed=42, ensemble_top=3, refit=False, verbose=False)
    t0 = time.perf_counter(); lb = wf.fit(trn); secs = time.perf_counter() - t0
    print(lb.to_string(index=False))
    for r in lb.itertuples(): row('adult', f'fastflow-{r.model}', 'accuracy_cv5', r.accuracy_mean, r.fit_s*5 if r.model != 'ensemble' else 0)
    row('adult', 'fastflow-leaderboard', 'wall_seconds', secs, secs)
    acc = get_metric('accuracy', 'classification').fn
    yte = np.searchsorted(wf.classes_, tst.income)
    probs, fit_s = {}, {}
    for name in wf.models_:                       # each model refitted on all training rows, scored on the test set
        t0 = time.perf_counter(); wf.fit_final(trn, model=name); fit_s[name] = time.perf_counter() - t0
        probs[name] = wf.predict_raw(tst)
        row('adult', f'fastflow-{name}', 'accuracy', acc(yte, probs[name]), fit_s[name], len(trn)/fit_s[name])
    w = wf.ensemble_weights_                      # members and weights fitted on the training rows' out-of-fold predictions only
    print(f"ensemble weights (fitted out of fold): {w}")
    row('adult', 'fastflow-ensemble', 'accuracy', acc(yte, sum(v*probs[k] for k, v in w.items())), sum(fit_s[k] for k, v in w.items() if v > 0))
    references('adult', True, trn.drop(columns='income'), wf.y_, wf.folds_, acc, 'accuracy', tst.drop(columns='income'), yte)

def competition(task, name, target, id_col, metric):
    "The kernel's own workflow (`k.workflow()`, its features, its fitted rows), and the references on the same folds and rows"
    from fastflow.core import data_path
    from fastflow.tabular.workflow import get_metric
    k = kernel(name)
    train = pd.read_csv(data_path(task)/'train.csv')
    if task == 'titanic': trn, raw, mask = k.features(train), train.drop(columns=['Name', 'Ticket', 'Cabin']), None
    else: trn, raw, mask = k.features(train), train, k.fit_rows(train)
    wf = k.workflow(); wf.refit, wf.verbose = False, False
    t0 = time.perf_counter(); lb = wf.fit(trn, train_mask=mask); secs = time.perf_counter() - t0
    print(lb.to_string(index=False))
    cv = f'{metric}_cv{wf.n_splits}x{wf.n_repeats}'
    for r in lb.itertuples(): row(task, f'fastflow-{r.model}', cv, getattr(r, f'{metric}_mean'), r.fit_s*len(wf.folds_) if r.model != 'ensemble' else secs)
    m = get_metric(metric, wf.task_).fn
    folds = [(tr[wf.train_mask_[tr]], va) for tr, va in wf.folds_]   # the references fit on the same rows and score every row
    references(task, wf.task_ == 'classification', raw.drop(columns=[target, id_col]), wf.y_, folds, m, metric, log_target=metric == 'log_rmse', cv_name=cv)

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--tasks', nargs='+', default=['adult', 'house_prices', 'titanic'])
    ap.add_argument('--adult-seeds', type=int, default=1, help='average each extra xgboost setting over this many seeds')
    ap.add_argument('--out', default=str(ROOT/'bench'/'results'/'tabular_benchmarks.json'))
    a = ap.parse_args(argv)
    warnings.simplefilter('ignore')
    for t in a.tasks:
        if t == 'adult': adult(a.adult_seeds)
        elif t == 'house_prices': competition('house_prices', 'house-prices', 'SalePrice', 'Id', 'log_rmse')
        elif t == 'titanic': competition('titanic', 'titanic', 'Survived', 'PassengerId', 'accuracy')
        else: raise SystemExit(f"unknown task {t!r}")
    print(f"\n{'task':<13} {'system':<34} {'metric':<13} {'value':>8} {'seconds':>8}")
    for r in ROWS: print(f"{r['task']:<13} {r['system']:<34} {r['metric']:<13} {r['value']:8.4f} {r['seconds']:8.1f}")
    out = Path(a.out)
    old = [r for r in json.loads(out.read_text()) if r['task'] not in a.tasks] if out.is_file() else []   # keep other tasks' rows
    write_results(old + ROWS, out)
    return ROWS

if __name__ == '__main__': main()
