"scikit-learn conformance (`check_estimator`) of fastflow's tabular estimators and of `TabularProc`."
import warnings
import numpy as np
import pandas as pd
import pytest
from sklearn.utils.estimator_checks import check_estimator
from fastflow.tabular.data import TabularProc
from fastflow.tabular.estimators import (NNClassifier, NNRegressor, RFClassifier, RFRegressor, GBMClassifier, GBMRegressor,
                                     LinearClassifier, LinearRegressor, SeedBagClassifier, SeedBagRegressor)

ESTIMATORS = [NNClassifier(epochs=3, layers=(32,), random_state=0), NNRegressor(epochs=3, layers=(32,), random_state=0),
              NNRegressor(epochs=3, layers=(32,), random_state=0, y_range='auto'),
              RFClassifier(n_estimators=20, random_state=0), RFRegressor(n_estimators=20, random_state=0),
              GBMClassifier(n_estimators=10, early_stopping_rounds=None, random_state=0),
              GBMRegressor(n_estimators=10, early_stopping_rounds=None, random_state=0),
              LinearClassifier(), LinearRegressor(), TabularProc(),
              SeedBagClassifier(GBMClassifier(n_estimators=10, early_stopping_rounds=None), n_seeds=2, random_state=0),
              SeedBagRegressor(RFRegressor(n_estimators=10), n_seeds=2, random_state=0)]

# sample_weight: weight 2 is not the same as a row twice here, as in scikit-learn's own forests: the preprocessing's medians, means and
# vocabularies are of the rows, the forest bootstraps rows and xgboost subsamples them. The nets take no weights (a clear TypeError).
EQUIV = {'check_sample_weight_equivalence_on_dense_data': "TabularProc's statistics are of the rows, not weighted; forests bootstrap and xgboost subsamples rows"}
NN_WEIGHTS = {c: 'the net takes no sample_weight: a TypeError says so' for c in
              ('check_sample_weights_pandas_series', 'check_sample_weights_not_an_array', 'check_sample_weights_list', 'check_all_zero_sample_weights_error',
               'check_sample_weights_shape', 'check_sample_weights_not_overwritten', 'check_sample_weight_equivalence_on_dense_data', 'check_classifiers_one_label_sample_weights')}

def expected_failures(est) -> dict:
    "Checks a fastflow estimator is known to fail, with why"
    if isinstance(est, TabularProc): return {}
    return NN_WEIGHTS if isinstance(est, (NNClassifier, NNRegressor)) else EQUIV

@pytest.mark.parametrize('est', ESTIMATORS, ids=lambda e: type(e).__name__ + ('_y_range' if getattr(e, 'y_range', None) else ''))
def test_check_estimator(est):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        check_estimator(est, expected_failed_checks=expected_failures(est))

def _weighted_rows(n=300, seed=0):
    "Rows whose first half (weight 1) follows y = x and second half (weight `w`) y = -x: the weights decide which rule a model learns"
    r = np.random.default_rng(seed); x = r.normal(size=n)
    half = np.arange(n) >= n//2
    X = pd.DataFrame({'x': x, 'noise': r.normal(size=n)})
    return X, np.where(half, -x, x), half

@pytest.mark.parametrize('make', [lambda: GBMRegressor(n_estimators=60, random_state=0), lambda: RFRegressor(n_estimators=30, random_state=0),
                                  lambda: LinearRegressor(), lambda: LinearRegressor(alpha='cv'), lambda: SeedBagRegressor(GBMRegressor(n_estimators=30), n_seeds=2)],
                         ids=['gbm', 'rf', 'linear', 'linear_cv', 'seedbag'])
def test_sample_weight_regression(make):
    "sample_weight reaches the model: heavy rows win, and weights of 1 change nothing"
    X, y, half = _weighted_rows()
    grid = pd.DataFrame({'x': [-1., 1.], 'noise': 0.})
    heavy = make().fit(X, y, sample_weight=np.where(half, 50., 1.)).predict(grid)
    light = make().fit(X, y, sample_weight=np.where(half, 1., 50.)).predict(grid)
    assert heavy[1] < light[1] and heavy[0] > light[0], (heavy, light)   # y = -x wins with heavy second half
    if not isinstance(make(), RFRegressor):   # scikit-learn's forest draws a weighted bootstrap: weights of 1 draw other rows than none
        np.testing.assert_allclose(make().fit(X, y, sample_weight=np.ones(len(y))).predict(grid), make().fit(X, y).predict(grid), atol=1e-6)

@pytest.mark.parametrize('make', [lambda: GBMClassifier(n_estimators=60, random_state=0), lambda: RFClassifier(n_estimators=30, random_state=0),
                                  lambda: LinearClassifier(), lambda: LinearClassifier(alpha='cv')], ids=['gbm', 'rf', 'linear', 'linear_cv'])
def test_sample_weight_classification(make):
    X, y, half = _weighted_rows(seed=1); yc = (y > 0).astype(int)
    grid = pd.DataFrame({'x': [1.], 'noise': 0.})
    heavy = make().fit(X, yc, sample_weight=np.where(half, 50., 1.)).predict_proba(grid)[0, 1]
    light = make().fit(X, yc, sample_weight=np.where(half, 1., 50.)).predict_proba(grid)[0, 1]
    assert heavy < 0.5 < light, (heavy, light)

def test_sample_weight_bad():
    X, y, _ = _weighted_rows(40)
    with pytest.raises(TypeError, match="NNRegressor does not take sample_weight"): NNRegressor(epochs=1).fit(X, y, sample_weight=np.ones(len(y)))
    with pytest.raises(ValueError, match="sample_weight has shape \\(3,\\) for 40 rows"): LinearRegressor().fit(X, y, sample_weight=[1, 2, 3])
    with pytest.raises(ValueError, match="not all weights zero"): GBMRegressor().fit(X, y, sample_weight=np.zeros(len(y)))
    with pytest.raises(ValueError, match=">= 0"): RFRegressor().fit(X, y, sample_weight=-np.ones(len(y)))
    with pytest.raises(TypeError, match="sample_weight must be numbers"): LinearRegressor().fit(X, y, sample_weight=['a']*len(y))

def test_cv_penalty_multiclass_and_wide():
    "alpha='cv' on three classes and more columns than rows: L1 (saga) or L2 (lbfgs) chosen by an inner CV, ahead of the fixed alpha=1 on a sparse signal"
    from sklearn.model_selection import cross_val_score
    r = np.random.default_rng(0); X = pd.DataFrame(r.normal(size=(150, 300))).add_prefix('f')
    y = np.argmax(np.c_[3*X.f0, 3*X.f1, 3*X.f2] + r.normal(size=(150, 3)), 1)
    m = LinearClassifier(alpha='cv').fit(X, y)
    assert m.l1_ratio_ in (0., 1.) and m.alpha_ > 0 and m.predict_proba(X).shape == (150, 3)
    ll = lambda e: -cross_val_score(e, X, y, cv=3, scoring='neg_log_loss').mean()
    assert ll(LinearClassifier(alpha='cv')) < ll(LinearClassifier())

CV_FIT = """
import numpy as np, pandas as pd
from fastflow.tabular.estimators import LinearClassifier
r = np.random.default_rng(0); X = pd.DataFrame(r.normal(size=(100, 300))).add_prefix('f')
for y in ((X.f0 + X.f1 + .5*r.normal(size=100) > 0).astype(int), np.digitize(X.f0 + X.f1 + .5*r.normal(size=100), [-1, 1])):   # liblinear; saga
    np.random.seed(int.from_bytes(__import__('os').urandom(4), 'little'))   # numpy's global state differs from run to run
    print(repr(LinearClassifier(alpha='cv').fit(X, y).predict_proba(X).round(12).tolist()))
"""

def test_cv_penalty_same_in_two_processes():
    "alpha='cv' seeds liblinear and saga (random_state=0): two fresh interpreters give the same probabilities"
    import subprocess, sys
    run = lambda: subprocess.run([sys.executable, '-c', CV_FIT], capture_output=True, text=True, check=True, env={**__import__('os').environ, 'OMP_NUM_THREADS': '1'}).stdout
    a, b = run(), run()
    assert a == b and a.count('\n') == 2, (a[:200], b[:200])

def test_cv_penalty_multiclass_capped(monkeypatch):
    "alpha='cv' on 3 classes: saga's L1 path runs with LINEAR_CV['saga']'s tolerance and iterations, in the inner CV and the refit (uncapped, a fit on 300 x 1,500 took 16 s against 0.4 s for alpha=1; speed is measured outside tests)"
    import sklearn.linear_model as lm
    from fastflow.tabular.estimators import LINEAR_CV
    seen, real = [], lm.LogisticRegressionCV
    def spy(**kw): seen.append(kw); return real(**kw)
    monkeypatch.setattr(lm, 'LogisticRegressionCV', spy)
    r = np.random.default_rng(0); X = r.normal(size=(120, 300)); df = pd.DataFrame(X).add_prefix('f')
    y = np.digitize(X[:, :10] @ r.normal(size=10) + r.normal(size=120), [-2, 0, 2])
    m = LinearClassifier(alpha='cv').fit(df, y)
    cap = LINEAR_CV['saga']
    l1 = [k for k in seen if k.get('l1_ratios') == [1.]]
    assert l1 and all((k['solver'], k['tol'], k['max_iter']) == ('saga', cap['tol'], cap['max_iter']) for k in l1), l1
    if m.model_.solver == 'saga': assert (m.model_.tol, m.model_.max_iter) == (cap['tol'], cap['max_iter'])
