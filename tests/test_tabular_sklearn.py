"scikit-learn conformance (`check_estimator`) of fastflow's tabular estimators and of `TabularProc`."
import warnings
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

@pytest.mark.parametrize('est', ESTIMATORS, ids=lambda e: type(e).__name__ + ('_y_range' if getattr(e, 'y_range', None) else ''))
def test_check_estimator(est):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        check_estimator(est)
