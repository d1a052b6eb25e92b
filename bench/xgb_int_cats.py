"""Integer columns as categories or as numbers for fastflow's xgboost (`GBMRegressor/GBMClassifier(int_cats=...)`).

The preprocessing makes integer columns with at most `max_card` (20) values categorical (grades 1-10, room counts, a
month). Each arm is the workflow's xgboost alone, default settings but for `int_cats`, scored by 5-fold CV on TRAINING
ROWS ONLY (no test labels are read), on two fold seeds; the paired per-fold difference says whether a gap is noise (its
standard error by `paired_gap`: the std of the fold differences times sqrt(1/5 + 1/4), for folds that share training rows).
An ablation of one switch, so there is no outside reference in this script: `bench/generality.py` holds those.

Also the 80% training splits of `bench/generality.py`'s tables (fetched as that script fetches them, into its cache).

    python bench/xgb_int_cats.py        # all sets; writes bench/results/xgb_int_cats.json
"""
import os
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')
import argparse, time, warnings
from pathlib import Path
import numpy as np, pandas as pd
from report import write_results

def generality_set(name):
    "The 80% training split (seed 0) of one of `bench/generality.py`'s tables (its test 20% is not read here): (frame, target, workflow kwargs)"
    import generality as G
    load, target, kind, metric = G.TABULAR[name]
    trn, _ = G.split80(load(), target, kind)
    return trn.reset_index(drop=True), target, dict(metric=metric, **({'task': 'classification'} if kind != 'regression' else {}))

def sets():
    "name -> (training frame, target, workflow kwargs), or a loader of them"
    from fastflow.core import data_path
    return {**{n: (lambda n=n: generality_set(n)) for n in ('bikeshare', 'caravan', 'wage', 'chile', 'default', 'diamonds')},
            'house_prices': (pd.read_csv(data_path('house_prices')/'train.csv'), 'SalePrice', dict(id_col='Id', metric='log_rmse')),
            'titanic': (pd.read_csv(data_path('titanic')/'train.csv').drop(columns=['Name', 'Ticket', 'Cabin']), 'Survived',
                        dict(id_col='PassengerId', metric='accuracy', task='classification')),
            'adult': (pd.read_csv(data_path('adult')/'train.csv'), 'income', dict(metric='accuracy', task='classification'))}

def main(argv=None):
    from fastflow.tabular.workflow import TabularWorkflow, paired_gap
    from fastflow.tabular.estimators import GBMClassifier, GBMRegressor
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--sets', nargs='+', default=['house_prices', 'titanic', 'adult', 'bikeshare', 'caravan', 'wage', 'chile', 'default', 'diamonds'])
    ap.add_argument('--out', default=str(Path(__file__).parent/'results'/'xgb_int_cats.json'))
    a = ap.parse_args(argv)
    warnings.simplefilter('ignore')
    rows, data = [], sets()
    for name in a.sets:
        df, target, kw = data[name]() if callable(data[name]) else data[name]
        for seed in (42, 7):
            sc = {}
            for arm in ('categories', 'numbers'):
                gbm = GBMClassifier if kw.get('task') == 'classification' else GBMRegressor
                wf = TabularWorkflow(target, models={'xgb': gbm(int_cats=arm, random_state=seed, n_jobs=1)}, n_splits=5, seed=seed,
                                     refit=False, verbose=False, n_jobs=1, **kw)
                t0 = time.perf_counter(); wf.fit(df); secs = time.perf_counter() - t0
                sc[arm] = np.asarray(wf.scores_['xgb'])
                rows.append(dict(task=name, system=f'fastflow-xgb-int_cats={arm}', metric=f"{wf.metric_.name}_cv5", value=round(float(sc[arm].mean()), 5),
                                 seconds=round(secs, 2), throughput=round(len(df)*4/5*5/secs), seed=seed, per_fold=[round(float(s), 5) for s in sc[arm]],
                                 int_cats=len([c for c in wf.proc_.int_cats_ if c in wf.proc_.cats_])))
            d = sc['numbers'] - sc['categories']
            _, se, _ = paired_gap(sc['numbers'], sc['categories'], True, 5)   # Nadeau and Bengio's correction, as the workflow's tie rule
            print(f"{name:<13} seed {seed:>2}: {rows[-1]['metric']} categories {sc['categories'].mean():.4f}  numbers {sc['numbers'].mean():.4f}  "
                  f"numbers - categories {d.mean():+.4f} ± {se:.4f}  ({rows[-1]['int_cats']} integer columns)", flush=True)
            rows[-1].update(diff=round(float(d.mean()), 5), diff_se=round(se, 5))
    write_results(rows, a.out)

if __name__ == '__main__': main()
