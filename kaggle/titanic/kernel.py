"""fastflow on Kaggle's Titanic (train.csv 891 rows, test.csv 418 rows, target Survived, metric accuracy).

Recipe: the gender + woman-child-group model. Women and boys ("Master") travelling together survive or die together: the
woman-child group (women and boys sharing surname, class, ticket stem, port and fare; adult men have none) gets its
survival rate and size measured OUT OF FOLD by the workflow (`group_target`), and a logistic regression on sex, title and
those two numbers learns the rule (males die unless a boy in a surviving group; females live unless in a dying group).
It is scored on stratified 5 folds repeated 3 times and refitted on all rows; submission.csv. The group rates of the test
rows come from all training rows. Chosen by a separate repeated CV (seeds 0-2, README.md) over the previous line-up (net,
forest, xgboost and logistic regression on a dozen features, which also let some adult men live) and the bare rule.

    python kaggle/titanic/kernel.py --smoke                 # tiny generated data in the competition's format, seconds
    python kaggle/titanic/kernel.py --out out/titanic       # the real data (comp_path('titanic'))

It prints the accuracy it expects on the leaderboard and how it got it. It also exports the fitted workflow to OUT/model
(a model folder: data only, no pickle, the group rates included); predict.py beside this file loads it, read-only, and
writes the same submission.csv without training.
"""
import os
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')   # shared CPUs: do not let OpenMP threads spin
import time
from pathlib import Path
import numpy as np, pandas as pd

TARGET, ID = 'Survived', 'PassengerId'
TITLES = {'Mr': 'Mr', 'Mrs': 'Mrs', 'Miss': 'Miss', 'Master': 'Master', 'Mlle': 'Miss', 'Ms': 'Miss', 'Mme': 'Mrs'}

def features(df: pd.DataFrame) -> pd.DataFrame:
    "Sex, title from Name (Mr, Mrs, Miss, Master, Rare) and the woman-child group key `WCGroup` (rated out of fold by the workflow)"
    d = df.copy()
    title = d.Name.str.extract(r',\s*([^.]+)\.', expand=False).str.strip()
    d['Title'] = title.map(TITLES).fillna('Rare')             # Col, Dr, Rev, Sir, the Countess, ...: few rows each
    wc = (d.Sex == 'female') | (d.Title == 'Master')          # women and boys: they survive or die together
    key = d.Name.str.split(',').str[0] + '|' + d.Pclass.astype(str) + '|' + d.Ticket.astype(str).str[:-1] + '|' + d.Embarked.fillna('') + '|' + d.Fare.astype(str)
    d['WCGroup'] = key.where(wc)
    return d[[c for c in (ID, TARGET, 'Sex', 'Title', 'WCGroup') if c in d.columns]]

GROUPS = ['WCGroup']   # the workflow replaces it by its out-of-fold survival rate and size
GENDER_LB = 0.76555   # gender_submission.csv (women live, men die) on the leaderboard (shared/data/README)

def write_preds(wf, test: pd.DataFrame, data: Path, out: Path) -> Path:
    "submission.csv for the raw test.csv frame: this kernel's features, `wf`'s labels, checked against the sample (used by predict.py too)"
    from fastflow.submission import write_submission
    tst = features(test)
    return write_submission(pd.DataFrame({ID: tst[ID], TARGET: wf.predict(tst).astype(int)}), data/'gender_submission.csv', out)

def expected_score(wf, train: pd.DataFrame, test: pd.DataFrame) -> tuple:
    "Leaderboard guess: `GENDER_LB` plus the net gain of the test rows where `wf` departs from sex alone, each type (a male who lives, a female who dies) right as often as its out-of-fold departures were"
    g, gt = (train.Sex == 'female').to_numpy().astype(int), (test.Sex == 'female').to_numpy().astype(int)
    oof, pt = wf.classes_[wf.oof_[wf.final_name_].argmax(1)].astype(int), wf.predict(features(test)).astype(int)
    gain, var, parts = 0., 0., []
    for sex, v in (('males who live', 0), ('females who die', 1)):
        f, n = (oof != g) & (g == v), int(((pt != gt) & (gt == v)).sum())
        p = float((oof[f] == train[TARGET].to_numpy()[f]).mean()) if f.any() else 0.5
        gain, var = gain + n*(2*p - 1)/len(test), var + n*p*(1 - p)   # each departure moves accuracy by +-1 row: right or wrong
        parts.append(f"{n} {sex} (right on {p:.0%} of {int(f.sum())} such out-of-fold calls)")
    return GENDER_LB + gain, '; '.join(parts), 2*np.sqrt(var)/len(test)

def models() -> dict:
    "The line-up chosen by CV (seeds 0-2): one logistic regression on sex, title and the group's rate and size (the prior as a baseline)"
    from sklearn.dummy import DummyClassifier
    from fastflow.tabular.estimators import LinearClassifier
    return {'wcg_logistic': LinearClassifier(alpha=0.1), 'baseline': DummyClassifier(strategy='prior')}

def make_smoke_data(path: Path, n_train: int = 120, n_test: int = 30, seed: int = 0) -> Path:
    "Tiny data set in the competition's format: train.csv, test.csv, gender_submission.csv with the real columns"
    rng = np.random.default_rng(seed)
    n = n_train + n_test
    sex = rng.choice(['male', 'female'], n)
    title = np.where(sex == 'male', rng.choice(['Mr', 'Master', 'Dr'], n, p=[.85, .1, .05]), rng.choice(['Mrs', 'Miss', 'Mme'], n, p=[.5, .45, .05]))
    pclass = rng.choice([1, 2, 3], n, p=[.25, .2, .55])
    df = pd.DataFrame({ID: np.arange(1, n + 1), 'Pclass': pclass,
                       'Name': [f'Surname{i % 40}, {t}. Given{i}' for i, t in enumerate(title)], 'Sex': sex,
                       'Age': np.where(rng.random(n) < .2, np.nan, rng.uniform(1, 70, n).round()),
                       'SibSp': rng.integers(0, 3, n), 'Parch': rng.integers(0, 3, n),
                       'Ticket': [f'{rng.integers(1000, 1040)}' for _ in range(n)],
                       'Fare': (100/pclass*rng.uniform(.5, 1.5, n)).round(4),
                       'Cabin': np.where(pclass == 1, [f'{c}{k}' for c, k in zip(rng.choice(list('ABC'), n), rng.integers(1, 99, n))], None),
                       'Embarked': rng.choice(['S', 'C', 'Q', None], n, p=[.7, .18, .1, .02])})
    p = 1/(1 + np.exp(-(2.5*(sex == 'female') - 0.8*(pclass - 2) - 1)))
    df.insert(1, TARGET, (rng.random(n) < p).astype(int))
    path.mkdir(parents=True, exist_ok=True)
    df.iloc[:n_train].to_csv(path/'train.csv', index=False)
    test = df.iloc[n_train:].drop(columns=TARGET)
    test.to_csv(path/'test.csv', index=False)
    pd.DataFrame({ID: test[ID], TARGET: (test.Sex == 'female').astype(int)}).to_csv(path/'gender_submission.csv', index=False)
    return path

def workflow(seed: int = 42):
    "This kernel's `TabularWorkflow` (bench/tabular_benchmarks.py runs the same): stratified 5-fold x 3 repeats, out-of-fold group rates"
    from fastflow.tabular.workflow import TabularWorkflow
    return TabularWorkflow(TARGET, id_col=ID, metric='accuracy', models=models(), n_splits=5, n_repeats=3, seed=seed, ensemble_top=3, group_target=GROUPS)

def main(argv=None):
    from fastflow.kaggle import KernelInputError, kernel_parser, kernel_paths
    p = kernel_parser('titanic', 'fastflow Titanic kernel')
    a = p.parse_args(argv)
    t0 = time.perf_counter()
    data, out = kernel_paths(a, 'titanic', make_smoke_data, files=('train.csv', 'test.csv', 'gender_submission.csv'))
    train, test = pd.read_csv(data/'train.csv'), pd.read_csv(data/'test.csv')
    if TARGET not in train.columns or ID not in test.columns:   # another competition's files
        raise KernelInputError(f"{data}/train.csv has no {TARGET!r} column (or test.csv no {ID!r}): pass the folder of the Titanic files as --data")
    trn = features(train)
    wf = workflow()
    lb = wf.fit(trn)
    lb.to_csv(out/'leaderboard.csv', index=False)
    best = lb.set_index('model', drop=False).loc[wf.final_name_]   # the entry submitted (not always row 0: the ensemble wins ties)
    print(f"CV accuracy (stratified 5-fold x 3 repeats, seeds 42-44, all {len(trn)} rows): {best.model} {best.accuracy_mean:.4f}, "
          f"fold std {best.accuracy_std:.4f}, repeat std {best.repeat_std:.4f}; submitting {wf.final_name_} ({'+'.join(wf.final_)}); "
          "chosen on other folds (seeds 0-2)", flush=True)
    exp, how, sd = expected_score(wf, train, test)
    if a.smoke: print("expected on the leaderboard: none for generated data (a smoke run checks the code path, not the score)", flush=True)
    else: print(f"expected on the leaderboard: {exp:.3f}, give or take {sd:.3f}: sex alone scores {GENDER_LB} on these {len(test)} rows, and the "
          f"submission departs from it on {how}; +-{sd:.3f} is the chance spread of those departures alone, if the out-of-fold hit rates "
          "carry over to the test rows (see README: they may not)", flush=True)
    model = wf.export(out/'model')
    sub = write_preds(wf, test, data, out)
    print(f"wrote {sub} ({len(test)} rows) and the model folder {model}; {time.perf_counter() - t0:.0f}s in all")
    return lb

if __name__ == '__main__':
    from fastflow.kaggle import run_kernel
    run_kernel(main)   # a wrong folder or a missing file: one line saying what to fix, not a traceback
