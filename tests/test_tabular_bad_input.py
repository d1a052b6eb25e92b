"Bad input to the tabular workflow: each case gives a clear error (or a documented behaviour)."
import warnings
import numpy as np
import pandas as pd
import pytest
from sklearn.dummy import DummyClassifier
from fastflow.testing import synth_tabular
from fastflow.tabular.data import TabularProc
from fastflow.tabular.models import LinearClassifier, RFClassifier
from fastflow.tabular.workflow import TabularWorkflow

def _wf(**kw):
    return TabularWorkflow('y', n_splits=2, verbose=False, ensemble_top=0,
                           models={'linear': LinearClassifier(), 'baseline': DummyClassifier()}, **kw)

@pytest.fixture
def df(): return synth_tabular(120, seed=0).assign(pid=lambda d: np.arange(len(d)))

def test_missing_target(df):
    with pytest.raises(KeyError, match="target column 'label' not in the frame"): TabularWorkflow('label').fit(df)

def test_nan_target(df):
    with pytest.raises(ValueError, match="3 missing value.*dropna"): _wf().fit(df.assign(y=df.y.where(df.index >= 3)))

def test_single_class(df):
    with pytest.raises(ValueError, match="only one class"): _wf().fit(df.assign(y=0))

def test_empty_frame(df):
    with pytest.raises(ValueError, match="empty"): _wf().fit(df.iloc[:0])

def test_empty_test(df):
    wf = _wf(); wf.fit(df)
    with pytest.raises(ValueError, match="test frame is empty"): wf.predict(df.iloc[:0])

def test_duplicated_id(df):
    with pytest.raises(ValueError, match="duplicated id.*'pid'"): _wf(id_col='pid').fit(df.assign(pid=0))
    wf = _wf(id_col='pid'); wf.fit(df)
    with pytest.raises(ValueError, match="duplicated id"): wf.predict(df.assign(pid=1))

def test_all_nan_and_constant_columns_are_dropped_with_a_warning(df):
    with pytest.warns(UserWarning, match="dropped columns") as w:
        p = TabularProc(drop=['y']).fit(df.assign(empty=np.nan, const='k'))
    assert "'empty': 'all missing'" in str(w[-1].message) and "'const': 'constant'" in str(w[-1].message)
    assert 'empty' not in p.cat_out_ + p.cont_out_ and 'const' not in p.cat_out_ + p.cont_out_

def test_only_useless_columns():
    d = pd.DataFrame({'empty': [np.nan]*10, 'const': 1.0})
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        with pytest.raises(ValueError, match="no usable feature columns"): TabularProc().fit(d)

def test_test_columns_missing_or_extra(df):
    wf = _wf(); wf.fit(df)
    test = df.drop(columns='y')
    with pytest.raises(KeyError, match=r"lacks training column\(s\) \['cat'\]"): wf.predict(test.drop(columns='cat'))
    with pytest.warns(UserWarning, match=r"\['extra'\] were not in training and are ignored"):
        p = wf.predict(test.assign(extra=1))
    np.testing.assert_array_equal(p, wf.predict(test))

def test_unseen_categories_share_the_unknown_code(df):
    m = RFClassifier(n_estimators=10, random_state=0).fit(df.drop(columns='y'), df.y)
    test = df.drop(columns='y').iloc[:4].assign(cat=['never', 'seen', None, 'a'])
    assert m.proc_.transform(test)['cat'].tolist() == [0, 0, 0, 1]
    assert m.predict_proba(test).shape == (4, 2)

def test_bad_metric_and_task(df):
    with pytest.raises(ValueError, match="is for regression"): _wf(metric='rmse').fit(df)
    with pytest.raises(ValueError, match="task must be one of"): _wf(task='ranking').fit(df)
    with pytest.raises(ValueError, match="log_target needs a positive target"):
        TabularWorkflow('y', task='regression', metric='log_rmse', verbose=False).fit(df)
