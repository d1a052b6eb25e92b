"""Adult: fastflow's xgboost (`GBMClassifier`) over a small grid of settings, scored by 5-fold CV on the 32,561 training
rows only (the folds of `TabularWorkflow(seed=42)`); the official test set is not touched. `bench/tabular_benchmarks.py`
adds the three settings with the lowest CV log loss (a smoother criterion than accuracy) to its Adult leaderboard. Each setting: early stopping on an inner 10% split, then a refit
on all rows of the fold with 1.1x the best rounds (the `GBMClassifier` defaults), one thread, seed 0. Categorical
columns are split either by xgboost's default (partitions of levels for columns with 4 or more levels) or one level
against the rest (`max_cat_to_onehot=64`, as after one-hot encoding).

    python bench/adult_xgb_grid.py        # about 16 minutes; writes bench/results/adult_xgb_grid.json
"""
import os
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')
import argparse, itertools, time, warnings
from pathlib import Path
import numpy as np, pandas as pd
from report import write_results

GRID = dict(learning_rate=(0.05, 0.02), max_depth=(4, 5, 6, 7), min_child_weight=(1, 5), colsample_bytree=(0.5, 0.8),
            max_cat_to_onehot=(None, 64))

def name(g):
    oh = g.get('max_cat_to_onehot')
    return f"fastflow-xgb-lr{g['learning_rate']}-d{g['max_depth']}-mcw{g['min_child_weight']}-cs{g['colsample_bytree']}" + (f'-oh{oh}' if oh else '')

def best_settings(rows, k=3) -> list:
    "The `k` settings with the lowest CV log loss"
    return [r['settings'] for r in sorted(rows, key=lambda r: r['logloss_cv5'])[:k]]

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', default=str(Path(__file__).parent/'results'/'adult_xgb_grid.json'))
    a = ap.parse_args(argv)
    warnings.simplefilter('ignore')
    from fastflow.core import data_path
    from fastflow.tabular.workflow import make_folds
    from fastflow.metrics import accuracy, log_loss
    from fastflow.tabular.estimators import GBMClassifier
    trn = pd.read_csv(data_path('adult')/'train.csv')
    X, y = trn.drop(columns='income'), trn.income
    yc = np.unique(y, return_inverse=True)[1]
    folds = make_folds(yc, 'classification', 5, 42)
    rows = []
    for vals in itertools.product(*GRID.values()):
        g = dict(zip(GRID, vals)); t0 = time.perf_counter(); accs, lls = [], []
        for tr, va in folds:
            p = GBMClassifier(n_estimators=5000, n_jobs=1, random_state=0, **g).fit(X.iloc[tr], y.iloc[tr]).predict_proba(X.iloc[va])
            accs.append(accuracy(yc[va], p)); lls.append(log_loss(yc[va], p))
        secs = time.perf_counter() - t0
        rows.append(dict(task='adult', system=name(g), metric='accuracy_cv5', value=round(float(np.mean(accs)), 5), seconds=round(secs, 1),
                         throughput=round(len(X)*0.8*5/secs), logloss_cv5=round(float(np.mean(lls)), 5), settings=g))
        print(f"{rows[-1]['system']:<40} acc {rows[-1]['value']:.5f}  logloss {rows[-1]['logloss_cv5']:.5f}  {secs:5.1f}s", flush=True)
    write_results(rows, a.out)
    print('lowest CV log loss:', best_settings(rows))
    return rows

if __name__ == '__main__': main()
