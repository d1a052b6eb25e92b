"Bad input to the tabular workflow: each case gives a clear error (or a documented behaviour)."
import warnings
import numpy as np
import pandas as pd
import pytest
from sklearn.dummy import DummyClassifier
from fastflow.testing import synth_tabular
from fastflow.tabular.data import TabularProc
from fastflow.tabular.estimators import LinearClassifier, LinearRegressor, RFClassifier
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
    with pytest.raises(ValueError, match=r"metric=log_rmse takes logs of 'y', but \d+ of its values are <= 0 .* RMSLE"):
        TabularWorkflow('y', task='regression', metric='log_rmse', verbose=False).fit(df)
    with pytest.raises(ValueError, match=r"log_target takes logs of 'y', but \d+ of its values are <= 0"):
        TabularWorkflow('y', task='regression', log_target=True, verbose=False).fit(df)

def test_unseen_categories_and_missing_values_through_every_model(df):
    "Every default model family predicts finite probabilities for unseen categories and NaN where training had none"
    from fastflow.tabular.estimators import GBMClassifier, NNClassifier
    wf = TabularWorkflow('y', id_col='pid', n_splits=2, verbose=False, ensemble_top=4, ensemble_weights='equal',   # every member refitted
                         models={'nn': NNClassifier(epochs=1, random_state=0), 'rf': RFClassifier(n_estimators=10, random_state=0),
                                 'xgb': GBMClassifier(n_estimators=20, n_jobs=1, random_state=0), 'linear': LinearClassifier()})
    wf.fit(df)
    wf.fit_final(df, 'ensemble')
    assert set(wf.final_) == {'nn', 'rf', 'xgb', 'linear'}
    test = df.drop(columns='y').iloc[:5].assign(cat=['zz', 'yy', None, 'a', 'q'], x_num1=np.nan, noise=np.nan)
    p = wf.predict_raw(test)
    assert p.shape == (5, 2) and np.isfinite(p).all() and np.allclose(p.sum(1), 1)

def test_dropped_columns_may_be_absent_from_test(df):
    wf = _wf()
    with pytest.warns(UserWarning, match="dropped columns"): wf.fit(df.assign(empty=np.nan, const='k'))
    test = df.drop(columns='y')
    np.testing.assert_array_equal(wf.predict(test), wf.predict(test.assign(empty=np.nan, const='k')))

def test_text_in_a_numeric_column(df):
    wf = _wf(); wf.fit(df)
    bad = df.drop(columns='y').assign(noise=lambda d: d.noise.astype(object))
    bad.loc[bad.index[4], 'noise'] = 'n/a'
    with pytest.raises(ValueError, match=r"column 'noise' should be numeric \(it was in training\) but holds 1 non-numeric value\(s\), e.g. 'n/a'"):
        wf.predict(bad)
    with pytest.raises(ValueError, match=r"'v' should be numeric \(it is continuous\).*pd.to_numeric"):
        TabularProc(cont_names=['v']).fit(pd.DataFrame({'v': ['1', 'x', '3']}))

def test_id_column_missing(df, tmp_path):
    with pytest.raises(KeyError, match="id column 'pid' not in the training frame"): _wf(id_col='pid').fit(df.drop(columns='pid'))
    wf = _wf(id_col='pid'); wf.fit(df)
    np.testing.assert_array_equal(wf.predict(df.drop(columns=['y', 'pid'])), wf.predict(df))   # predictions need no ids
    with pytest.raises(KeyError, match="id column 'pid' not in the test frame"): wf.submit(df.drop(columns=['y', 'pid']), path=tmp_path)

def test_not_a_frame(df):
    with pytest.raises(TypeError, match="expected the training frame as a pandas DataFrame, got ndarray"): _wf().fit(df.to_numpy())
    wf = _wf(); wf.fit(df)
    with pytest.raises(TypeError, match="expected the rows to predict as a pandas DataFrame, got ndarray"): wf.predict(df.drop(columns="y").to_numpy())

def test_fitted_ensemble_weights_refit_only_members_with_weight(df):
    "With out-of-fold weights, a member with weight 0 is not refitted, and predictions are the weighted blend"
    wf = TabularWorkflow('y', id_col='pid', n_splits=2, verbose=False, ensemble_top=3,
                         models={'rf': RFClassifier(n_estimators=10, random_state=0), 'linear': LinearClassifier(),
                                 'dummy': DummyClassifier(strategy='prior')})
    wf.fit(df); wf.fit_final(df, 'ensemble')
    w = wf.ensemble_weights_
    assert set(w) == {'rf', 'linear', 'dummy'} and abs(sum(w.values()) - 1) < 1e-3
    assert set(wf.final_) == {k for k, v in w.items() if v > 0}
    test = df.drop(columns='y').iloc[:7]
    blend = sum(w[k]*wf.final_[k].predict_proba(test.drop(columns='pid')) for k in wf.final_)
    np.testing.assert_allclose(wf.predict_raw(test), blend, atol=1e-6)
    with pytest.raises(ValueError, match="ensemble_weights must be"):
        TabularWorkflow('y', verbose=False, ensemble_weights='best', models={'a': LinearClassifier(), 'b': DummyClassifier()}).fit(df)

def test_export_refuses_what_it_cannot_store_as_data(df, tmp_path):
    from decimal import Decimal
    from fastflow.tabular.estimators import export_estimator
    odd = df.assign(cat=[Decimal(i % 3) for i in range(len(df))])           # categories that are neither text nor numbers
    with pytest.raises(TypeError, match=r"column\(s\) \['cat'\] hold values a model folder cannot store"):   # refused at fit, before any training
        LinearClassifier().fit(odd.drop(columns=['y', 'pid']), odd.y)
    with pytest.raises(RuntimeError, match='call fit'): _wf().export(tmp_path/'b')
    with pytest.raises(Exception, match='not fitted'): export_estimator(RFClassifier(), tmp_path/'c')
    class Mine(DummyClassifier): pass                                      # a user's own class, even a scikit-learn subclass
    wf = TabularWorkflow('y', n_splits=2, verbose=False, ensemble_top=0, models={'mine': Mine()})
    with warnings.catch_warnings(): warnings.simplefilter('ignore'); wf.fit(df)
    with pytest.raises(TypeError, match="workflow member 'mine' \\(Mine\\) cannot be exported"): wf.export(tmp_path/'d')
    assert not (tmp_path/'d'/'fastflow.json').exists()

def test_bad_repeats_mask_and_groups(df):
    with pytest.raises(ValueError, match='n_repeats must be a positive int'): _wf(n_repeats=0).fit(df)
    with pytest.raises(ValueError, match=f'train_mask must be {len(df)} booleans'): _wf().fit(df, train_mask=np.ones(len(df)))
    with pytest.raises(ValueError, match='fewer than 2 rows'): _wf().fit(df, train_mask=np.zeros(len(df), bool))
    with pytest.raises(KeyError, match=r"group_target column\(s\) \['nope'\] not in the training features"): _wf(group_target=['nope']).fit(df)
    three = df.assign(y=np.array(['a', 'b', 'c'])[np.arange(len(df)) % 3])
    with pytest.raises(ValueError, match='group_target needs a binary or regression target, got 3 classes'): _wf(group_target=['cat']).fit(three)
    w = _wf(); w.fit(df)
    with pytest.raises(ValueError, match=f'fit_final needs the {len(df)}-row frame'): w.fit_final(df.iloc[:10])

# issue 15: tables nobody tuned for

def _quiet_fit(wf, d, **kw):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always'); wf.fit(d, **kw)
    return ' | '.join(str(m.message) for m in w)

def test_inf_is_missing_for_every_member(df):
    "±inf in a numeric column: a warning naming it, then every default member fits and predicts finite probabilities"
    from fastflow.tabular.estimators import GBMClassifier, NNClassifier
    d = df.copy(); d.loc[:4, 'x_num1'] = np.inf; d.loc[5:7, 'noise'] = -np.inf
    wf = TabularWorkflow('y', id_col='pid', n_splits=2, verbose=False, ensemble_top=4, ensemble_weights='equal',
                         models={'nn': NNClassifier(epochs=2, random_state=0), 'rf': RFClassifier(n_estimators=10, random_state=0),
                                 'xgb': GBMClassifier(n_estimators=20, random_state=0), 'linear': LinearClassifier()})
    msgs = _quiet_fit(wf, d)
    assert "['x_num1', 'noise'] hold ±inf" in msgs and 'treated as missing' in msgs
    wf.fit_final(d, 'ensemble')
    p = wf.predict_raw(d.drop(columns='y').assign(x_num2=np.inf))
    assert np.isfinite(p).all() and np.allclose(p.sum(1), 1)
    assert set(wf.predict(d.drop(columns='y'))) == {0, 1}       # not class 0 for every row

def test_nan_predictions_are_refused_before_anything_is_written(df, tmp_path):
    class NaNModel(DummyClassifier):
        def predict_proba(self, X): return np.full((len(X), 2), np.nan)
    wf = TabularWorkflow('y', id_col='pid', n_splits=2, verbose=False, ensemble_top=0, models={'nan': NaNModel()})
    with pytest.raises(ValueError, match=r"every model gave NaN or infinite predictions \(\{'nan': \[1, 2\]\}; e.g. NaNModel predicted NaN or ±inf for 60 of 60"): _quiet_fit(wf, df)
    wf = _wf(id_col='pid'); wf.fit(df)
    wf.final_ = {'nan': NaNModel().fit(df[['x_num1']], df.y)}; wf.final_weights_ = {'nan': 1.}
    with pytest.raises(ValueError, match="predicted NaN"): wf.submit(df.drop(columns='y'), path=tmp_path)
    assert not (tmp_path/'submission.csv').exists()

def test_id_like_column_is_not_a_feature(df):
    d = df.assign(id=np.arange(len(df)) + 7, customer_id=[f'c{i}' for i in range(len(df))])
    wf = _wf(); msgs = _quiet_fit(wf, d)
    assert "'id' looks like a row id" in msgs and "'customer_id' looks like a row id" in msgs
    assert wf.proc_.dropped_['id'] == 'id-like (unique per row)' and 'id' not in wf.final_['linear'].proc_.cat_out_ + wf.final_['linear'].proc_.cont_out_
    wf2 = _wf(id_col='id'); msgs = _quiet_fit(wf2, d.drop(columns='customer_id'))    # named as id_col: no warning, not a feature
    assert 'looks like a row id' not in msgs

def test_date_strings_are_expanded_not_dropped(df):
    d = df.drop(columns='date').assign(sold=pd.date_range('2020-01-01', periods=len(df), freq='D').strftime('%d/%m/%Y'))
    wf = _wf(); msgs = _quiet_fit(wf, d)
    assert "'sold' holds date strings (format '%d/%m/%Y')" in msgs and 'high cardinality' not in msgs
    assert 'sold_Year' in wf.final_['linear'].proc_.cont_out_

def test_dropped_text_column_advice():
    "A text column with too many values is dropped with one warning; advice to parse it only when most values are numbers or dates"
    days = pd.date_range('2020-01-01', periods=300).strftime('%Y-%m-%d').tolist()
    d = pd.DataFrame({'code': [f'q{i}' for i in range(300)], 'hp': [str(i) if i % 10 else '?' for i in range(300)],
                      'when': [x if i % 3 else f'n/a {i}' for i, x in enumerate(days)], 'v': np.arange(300.)})   # 2/3 dates: too few to expand
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always'); p = TabularProc().fit(d)
    msgs = {c: [str(m.message) for m in w if f"column '{c}' has" in str(m.message)] for c in ('code', 'hp', 'when')}
    assert all(len(v) == 1 for v in msgs.values()), msgs                                          # one warning a column
    assert 'date_names' not in msgs['code'][0] and 'to_numeric' not in msgs['code'][0]           # codes: no advice to parse them
    assert "pd.to_numeric(df['hp']" in msgs['hp'][0] and "date_names=['when']" in msgs['when'][0]
    assert not any(str(m.message).startswith('dropped columns') for m in w) and p.conts_ == ['v']

def test_cat_names_add_to_the_inferred_columns(df):
    p = TabularProc(cat_names=['x_num1'], drop=['y', 'pid']).fit(df)
    assert p.cats_[0] == 'x_num1' and 'cat' in p.cats_ and 'noise' in p.conts_     # named first, the rest still inferred

def test_single_estimators_report_what_they_drop(df):
    with pytest.warns(UserWarning, match="dropped columns.*'const': 'constant'"):
        LinearClassifier().fit(df.drop(columns='y').assign(const=1.0), df.y)

def test_integer_target_with_few_values_is_classification(df):
    d = df.assign(y=np.arange(len(df)) % 3)
    wf = _wf(); msgs = _quiet_fit(wf, d)
    assert wf.task_ == 'classification' and 'treated as classification' in msgs and "task='regression'" in msgs
    assert wf.predict(d.drop(columns='y')).dtype.kind == 'i'                                  # labels, not 1.083...
    stray = df.assign(y=np.r_[2, df.y.to_numpy()[1:]])                                           # 0/1 with one stray 2
    wf = _wf(); msgs = _quiet_fit(wf, stray)
    assert wf.task_ == 'classification' and 'class 2 has only 1 row' in msgs
    assert wf.predict_raw(stray.drop(columns='y')).shape == (len(df), 3)
    from fastflow.tabular.estimators import LinearRegressor
    r = TabularWorkflow('y', task='regression', n_splits=2, verbose=False, ensemble_top=0, models={'linear': LinearRegressor()})
    r.fit(d); assert r.task_ == 'regression'

def test_nn_regression_is_bounded(df):
    from fastflow.tabular.estimators import NNRegressor
    r = df.assign(y=np.exp(df.x_num1))
    m = NNRegressor(epochs=2, random_state=0).fit(r.drop(columns=['y', 'pid']), r.y)
    far = r.drop(columns=['y', 'pid']).iloc[:20].assign(x_num1=1e4, noise=-1e4)
    hi = m.y_range_[1]*m.y_std_ + m.y_mean_
    assert m.predict(far).max() <= hi + 1e-6 and hi < 2*r.y.max()

def test_bad_n_jobs(df):
    with pytest.raises(ValueError, match='n_jobs must be a positive int or None'): _wf(n_jobs=-1).fit(df)

# --- a new user's sweep (helper-53): inputs that used to fail late, or silently ---
def _reg(**kw):
    from fastflow.tabular.estimators import LinearRegressor
    return TabularWorkflow('y', n_splits=2, verbose=False, ensemble_top=0, models={'linear': LinearRegressor()}, **kw)

def test_explain_on_a_workflow_with_an_id(df, tmp_path):
    from fastflow.tabular.explain import partial_dependence, permutation_importance
    wf = _wf(id_col='pid'); wf.fit(df)
    assert len(permutation_importance(wf, df, show=False, path=tmp_path/'pi.png')) > 0   # the features alone: predict needs no id
    partial_dependence(wf, df, [df.columns[0]], show=False, path=tmp_path/'pd.png')

def test_a_column_read_as_another_type_matches_as_text():
    rng = np.random.default_rng(0); code = rng.integers(0, 8, 300)
    d = pd.DataFrame({'code': code.astype(str), 'flag': rng.random(300) > .5, 'x': rng.normal(size=300)})
    d['y'] = np.array([3, -2, 1, 0, -3, 2, -1, 4.])[code] + 3*d.flag + d.x
    with warnings.catch_warnings(): warnings.simplefilter('ignore'); wf = _reg(); wf.fit(d)
    t = d.drop(columns='y').iloc[:20]
    with pytest.warns(UserWarning, match="equal a training category only as text"):
        got = wf.predict(t.assign(code=t.code.astype(int), flag=t.flag.astype(str)))
    np.testing.assert_allclose(got, wf.predict(t))
    wf2 = TabularWorkflow('y', n_splits=2, verbose=False, ensemble_top=3, ensemble_weights='equal', models={'linear': LinearRegressor(), 'linear2': LinearRegressor(alpha=10.),
                                                                                   'linear3': LinearRegressor(alpha=0.1)})
    with warnings.catch_warnings(): warnings.simplefilter('ignore'); wf2.fit(d); wf2.fit_final(d, 'ensemble')
    assert len(wf2.final_) == 3
    with warnings.catch_warnings(record=True) as w:   # every member transforms the frame: each warning is said once, not once a member
        warnings.simplefilter('always'); wf2.predict(t.assign(code=t.code.astype(int)))
    assert sum('only as text' in str(m.message) for m in w) == 1, [str(m.message) for m in w]

def test_group_keys_match_across_int_and_float():
    rng = np.random.default_rng(0); shop = rng.integers(0, 20, 400)
    d = pd.DataFrame({'shop': shop, 'x': rng.normal(size=400)}); d['y'] = rng.normal(size=20)[shop]*3 + d.x
    wf = _reg(group_target=['shop']); wf.fit(d)
    t = d.drop(columns='y').iloc[:5]
    pd.testing.assert_frame_equal(wf.transform(t.assign(shop=t.shop.astype(float))), wf.transform(t))   # a blank in test.csv makes it floats
    assert wf.transform(t).shop_n.gt(0).all()

def test_clipped_regression_predictions_are_said():
    rng = np.random.default_rng(0); x = rng.uniform(0, 10, 200)
    wf = _reg(); wf.fit(pd.DataFrame({'x': x, 'y': 3*x + rng.normal(scale=.5, size=200)}))
    t = pd.DataFrame({'x': [5., 20.]})
    with pytest.warns(UserWarning, match=r"1 of 2 prediction\(s\) fell far outside the training target's range"): p = wf.predict(t)
    assert wf.target_clip_ == dict(rows=1, far=1, of=2)
    assert p[1] == pytest.approx(wf.y_bounds_[1])
    wf.y_bounds_ = None
    assert wf.predict(t)[1] > 50   # what the model says, unclipped

def test_dates_in_another_format_or_with_a_zone():
    rng = np.random.default_rng(0); days = pd.date_range('2015-01-01', periods=200, freq='D')
    d = pd.DataFrame({'when': days.strftime('%Y-%m-%d'), 'x': rng.normal(size=200)}); d['y'] = np.arange(200)/20 + d.x
    wf = _reg(); wf.fit(d)
    t = d.drop(columns='y').iloc[:5]
    with pytest.warns(UserWarning, match="that training did not have"): p = wf.predict(t.assign(when=days[:5].strftime('%Y/%m/%d')))
    np.testing.assert_allclose(p, wf.predict(t))
    mixed = d.assign(when=[w.replace('-', '/') if k % 20 == 0 else w for k, w in enumerate(d.when)])   # training itself has 5% in another format
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always'); wm = _reg(); wm.fit(mixed); wm.predict(mixed.drop(columns='y'))
    assert not [x for x in w if 'that training did not have' in str(x.message)]   # said only of formats training never had
    with pytest.warns(UserWarning, match=r"\['%m\.%d\.%Y'\] that training did not have.*day and month can swap"): wm.predict(t.assign(when=days[:5].strftime('%d.%m.%Y')))
    z = pd.DataFrame({'when': pd.date_range('2020-01-01', periods=100, freq='D', tz='UTC'), 'x': rng.normal(size=100)}).assign(y=lambda f: f.x)
    _reg().fit(z)   # zone-aware dates: in UTC

def test_duplicated_and_integer_column_names():
    rng = np.random.default_rng(0)
    d = pd.DataFrame(rng.normal(size=(100, 3)), columns=['a', 'a', 'y'])
    with pytest.raises(ValueError, match=r"duplicated column name\(s\) \['a'\]"): _reg().fit(d)
    d = pd.DataFrame(rng.normal(size=(100, 3))).assign(y=lambda f: f[0]); d[2] = np.nan   # numpy-made frame; an all-missing column
    with warnings.catch_warnings(): warnings.simplefilter('ignore'); wf = _reg(); wf.fit(d)
    assert len(wf.predict(d.drop(columns=['y', 2]))) == 100   # the dropped column may be absent, whatever the names' type

def test_roc_auc_with_a_class_rarer_than_the_folds():
    rng = np.random.default_rng(0); x = rng.normal(size=150)
    y = np.select([x < -.5, x < .5], ['lo', 'mid'], 'hi').astype(object); y[:2] = 'rare'
    wf = TabularWorkflow('y', metric='roc_auc', n_splits=5, verbose=False, models={'lin': LinearClassifier()})
    with warnings.catch_warnings(): warnings.simplefilter('ignore'); lb = wf.fit(pd.DataFrame({'x': x, 'y': y}))
    assert np.isfinite(lb.loc[lb.model == 'lin'].iloc[0, 2])

def test_models_of_the_wrong_task_and_mixed_targets():
    from fastflow.tabular.estimators import RFRegressor
    rng = np.random.default_rng(0); d = pd.DataFrame({'x': rng.normal(size=300)})
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        with pytest.raises(ValueError, match=r"model\(s\) \['rf'\] are regressors but the task is classification.*task='regression'"):
            TabularWorkflow('y', verbose=False, models={'rf': RFRegressor(n_estimators=5)}).fit(d.assign(y=(d.x*3).round().astype(int) + 10))
    with pytest.raises(ValueError, match="mixes number and text values"):
        _wf().fit(d.assign(y=pd.Series([1 if v > 0 else 'no' for v in d.x], dtype=object)))
    with pytest.raises(ValueError, match="task='regression' needs a numeric target"):
        _reg(task='regression').fit(d.assign(y=np.where(d.x > 0, 'a', 'b')))

def test_warnings_said_once_keep_their_module_filters():
    "the workflow says each member's warning once, and a filter by module still matches it (it is fastflow.tabular.data's)"
    rng = np.random.default_rng(0); code = rng.integers(0, 8, 300)
    d = pd.DataFrame({'code': code.astype(str), 'x': rng.normal(size=300)}); d['y'] = code + d.x
    wf = TabularWorkflow('y', n_splits=2, verbose=False, ensemble_top=2, ensemble_weights='equal',
                         models={'a': LinearRegressor(), 'b': LinearRegressor(alpha=10.)})
    with warnings.catch_warnings(): warnings.simplefilter('ignore'); wf.fit(d); wf.fit_final(d, 'ensemble')
    t = d.drop(columns='y').iloc[:20].assign(code=lambda f: f.code.astype(int))
    for mod in ('fastflow', 'fastflow.tabular.data'):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always'); warnings.filterwarnings('ignore', module=mod); wf.predict(t)
        assert not [m for m in w if 'only as text' in str(m.message)], mod
        with warnings.catch_warnings():
            warnings.simplefilter('always'); warnings.filterwarnings('error', module=mod)
            with pytest.raises(UserWarning, match='only as text'): wf.predict(t)

def test_awkward_kaggle_tables_through_the_workflow(tmp_path):
    "helper-143's awkward tables: labels typed several ways, dates as YYYYMMDD integers, a test without the training zone, a target of tiny units"
    from fastflow.tabular.estimators import GBMRegressor, RFRegressor
    rng = np.random.default_rng(0); n = 200; x = rng.normal(size=n)
    yes = np.where(x > 0, np.array(['Yes', 'yes ', 'YES'])[np.arange(n) % 3], 'No')
    with pytest.warns(UserWarning, match=r"differ only in case or surrounding spaces, \['YES', 'Yes', 'yes '\].*\(4 classes; 2 if each group is one\).*str\.strip\(\)\.str\.lower\(\)"):
        _wf().fit(pd.DataFrame({'x': x, 'y': yes}))
    days = pd.date_range('2021-03-01', periods=n, freq='D', tz='Europe/Paris')
    d = pd.DataFrame({'x': x, 'sold': days.strftime('%Y%m%d').astype(int), 'when': days}); d['y'] = 3*d.x + np.arange(n)/50
    with pytest.warns(UserWarning, match=r"column 'sold' holds integers that read as dates written YYYYMMDD.*proc=TabularProc\(date_names=\['sold'\]\)"): _reg().fit(d)
    wf = _reg(proc=TabularProc(date_names=['sold'])); wf.fit(d)   # the advice: parts, Month and Day among them
    assert {'sold_Month', 'sold_Day', 'when_Day'} <= set(wf.proc_.cont_out_)
    wf.export(tmp_path/'m'); back = TabularWorkflow.load(tmp_path/'m')
    t = d.drop(columns='y').iloc[:5]
    np.testing.assert_array_equal(back.predict(t), wf.predict(t))
    with pytest.warns(UserWarning, match=r"column 'when' had times in zone Europe/Paris in training, but here they have none.*tz_localize\('Europe/Paris'\)"):
        back.predict(t.assign(when=t.when.dt.tz_localize(None)))
    def xgb_rf(): return TabularWorkflow('y', n_splits=2, verbose=False, ensemble_top=2, models={'xgb': GBMRegressor(n_estimators=50, random_state=0, n_jobs=1),
                                                                                        'rf': RFRegressor(n_estimators=10, random_state=0, n_jobs=1)})
    ref, tiny, huge = xgb_rf(), xgb_rf(), xgb_rf()   # a target in units of 1e-6, and one of spread 1 around 1e9: the fit of the target in units of 1
    ref.fit(d)
    with warnings.catch_warnings():
        warnings.simplefilter('error', UserWarning); warnings.filterwarnings('ignore', message='.*(YYYYMMDD|zone)')   # was: 'the target spreads only ... Multiply the target by 1e+06'
        tiny.fit(d.assign(y=d.y*1e-6)); huge.fit(d.assign(y=d.y + 1e9))
    for wf, scale, off in ((tiny, 1e-6, 0.), (huge, 1., 1e9)):
        score = lambda w: w.leaderboard_.set_index('model').sort_index()['rmse_mean'].to_numpy()
        np.testing.assert_allclose(score(wf)/scale, score(ref), rtol=1e-3)
        np.testing.assert_allclose((wf.predict(t) - off)/scale, ref.predict(t), rtol=1e-3, atol=1e-3*float(d.y.std()))

def test_decimal_commas_said_with_a_fix_that_works():
    "Numbers written with a decimal comma: at fit (inferred, or named in cont_names) and at predict, the message gives a fix that keeps them"
    r = np.random.default_rng(0); x = r.normal(size=300)*10
    d = pd.DataFrame({'x': [f'{v:.3f}'.replace('.', ',') for v in x], 'z': r.normal(size=300), 'y': x*2})
    wf = lambda **kw: TabularWorkflow('y', n_splits=2, verbose=False, models={'l': LinearRegressor()}, **kw)
    with pytest.warns(UserWarning, match=r"column 'x' holds text, but its values are numbers written with a decimal comma .*decimal=','.*As it is, it is dropped"):
        wf().fit(d)
    with pytest.raises(ValueError, match=r"should be numeric \(it is continuous\) but holds text: .*str.replace\(',', '.'\).astype\(float\)"):
        wf(proc=TabularProc(cont_names=['x'])).fit(d)
    fixed = d.assign(x=d.x.str.replace(',', '.').astype(float))
    w = wf(); w.fit(fixed)
    assert w.leaderboard_.rmse_mean.min() < 0.5 < 10 < d.y.std()        # the fix it gives keeps every value (ridge shrinks a little)
    with pytest.raises(ValueError, match=r"\(it was in training\) but holds text: its values are numbers written with a decimal comma"):
        w.predict(d.drop(columns='y'))

def test_few_rows_per_integer_label_warns_regression():
    "Integer labels with fewer than 10 rows per value are a regression by the rule: said, with task='classification'"
    from sklearn.datasets import load_digits, load_wine
    for load, n in ((load_wine, 25), (load_digits, 90)):
        d = load(as_frame=True).frame.rename(columns={'target': 'y'}).sample(n, random_state=1)
        with pytest.warns(UserWarning, match=r"treated as regression.*pass task='classification'"):
            w = TabularWorkflow('y', n_splits=2, verbose=False, refit=False, models={'l': LinearRegressor()}); w.fit(d)
        assert w.task_ == 'regression'
        w = TabularWorkflow('y', n_splits=2, verbose=False, refit=False, task='classification', models={'l': LinearClassifier()})
        with warnings.catch_warnings():
            warnings.simplefilter('ignore'); w.fit(d)
        assert w.task_ == 'classification'

def test_workflow_proc_reaches_given_models():
    "proc= applies to the members of models= that have no proc of their own; a member's own proc is kept"
    r = np.random.default_rng(0); d = pd.DataFrame({'k': r.integers(0, 5, 200), 'x': r.normal(size=200)}); d['y'] = d.k*2. + d.x
    w = TabularWorkflow('y', n_splits=2, verbose=False, proc=TabularProc(cont_names=['k']), models={'l': LinearRegressor(), 'own': LinearRegressor(proc=TabularProc())})
    w.fit(d)
    assert w.models_['l'].proc is w.proc and w.models_['own'].proc.cont_names is None
    assert 'k' in w.fit_final(d, 'l').final_['l'].proc_.cont_out_      # the hint's cont_names=['k'] works with models=
    assert 'k' in w.fit_final(d, 'own').final_['own'].proc_.cat_out_    # its own proc: k a category (few integer values)
