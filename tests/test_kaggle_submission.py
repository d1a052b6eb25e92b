"write_submission's bad-input cases: each is refused with a message that says what is wrong, and nothing is written."
import os
import numpy as np, pandas as pd, pytest
from fastflow import core
from fastflow.kaggle import SubmissionError, write_submission

@pytest.fixture
def sample(tmp_path):
    "A Titanic-format sample submission on disk, in its own 'competition' folder"
    comp = tmp_path/'comp'; comp.mkdir()
    pd.DataFrame({'PassengerId': range(892, 902), 'Survived': [0, 1]*5}).to_csv(comp/'gender_submission.csv', index=False)
    return comp/'gender_submission.csv'

def preds_df(ids, y=None): return pd.DataFrame({'PassengerId': list(ids), 'Survived': y if y is not None else [1]*len(ids)})

def test_valid_writes(sample, tmp_path):
    f = write_submission(preds_df(range(901, 891, -1)), sample, tmp_path/'out')   # any row order is fine
    assert f == tmp_path/'out'/'submission.csv' and pd.read_csv(f).PassengerId.tolist() == list(range(892, 902))

def test_different_id_set(sample, tmp_path):
    with pytest.raises(SubmissionError, match=r"ids in 'PassengerId' differ.*1 missing \(.?'?892.*1 not in the sample \(.?'?1000"):
        write_submission(preds_df([1000, *range(893, 902)]), sample, tmp_path/'out')
    assert not (tmp_path/'out').exists()

def test_duplicate_ids(sample, tmp_path):
    with pytest.raises(SubmissionError, match='repeat ids'): write_submission(preds_df([893, *range(893, 902)]), sample, tmp_path)

@pytest.mark.parametrize('n', [9, 11])
def test_wrong_length(sample, tmp_path, n):
    with pytest.raises(SubmissionError, match=rf"shape \({n},\).*needs \(10,\)"): write_submission(np.ones(n, dtype=int), sample, tmp_path)
    with pytest.raises(SubmissionError, match=f"{n} prediction rows for 10 rows"): write_submission(preds_df(range(892, 892+n)), sample, tmp_path)

def test_nan_predictions(sample, tmp_path):
    p = np.ones(10); p[[3, 7]] = np.nan
    with pytest.raises(SubmissionError, match=r"2 prediction\(s\) in 'Survived' are NaN or infinite \(rows 3, 7\)"): write_submission(p, sample, tmp_path)
    with pytest.raises(SubmissionError, match='NaN'): write_submission(pd.Series(['a', None]), pd.DataFrame({'id': [1, 2], 'label': ['a', 'b']}), tmp_path)

def test_probabilities_for_labels(sample, tmp_path):
    with pytest.raises(SubmissionError, match=r'have fractions.*\(p > 0.5\)'): write_submission(np.linspace(0, 1, 10), sample, tmp_path)

def test_wrong_columns(sample, tmp_path):
    with pytest.raises(SubmissionError, match=r"missing \['Survived'\]; unexpected \['survived'\]"):
        write_submission(preds_df(range(892, 902)).rename(columns={'Survived': 'survived'}), sample, tmp_path)

def test_ids_keep_their_text(tmp_path):
    (tmp_path/'s.csv').write_text('id,label\n00001.jpg,airplane\n007,airplane\n')
    f = write_submission(['cat', 'dog'], tmp_path/'s.csv', tmp_path/'out', classes=['airplane', 'cat', 'dog'])
    assert f.read_text().splitlines() == ['id,label', '00001.jpg,cat', '007,dog']

def test_read_only_output_folder(sample, tmp_path, monkeypatch):
    (tmp_path/'afile').write_text('x')   # a folder that cannot be created (root ignores chmod, so this is how we get one)
    with pytest.raises(PermissionError, match='Cannot write the submission: .* cannot be created'): write_submission(np.ones(10), sample, tmp_path/'afile'/'out')
    ro = tmp_path/'ro'; ro.mkdir()
    real_access = os.access
    monkeypatch.setattr(os, 'access', lambda p, mode, **kw: False if str(p).startswith(str(ro)) else real_access(p, mode, **kw))
    with pytest.raises(PermissionError, match='not writable'): write_submission(np.ones(10), sample, ro)
    assert list(ro.iterdir()) == []

def test_never_writes_into_inputs(sample, tmp_path, monkeypatch):
    with pytest.raises(PermissionError, match="competition's input folder"): write_submission(np.ones(10), sample, sample.parent)
    with pytest.raises(PermissionError, match="competition's input folder"): write_submission(np.ones(10), sample, sample)
    monkeypatch.setenv('KAGGLE_KERNEL_RUN_TYPE', 'Batch'); monkeypatch.setattr(core, 'KAGGLE_WORKING', tmp_path/'working')
    with pytest.raises(PermissionError, match='read-only'): write_submission(np.ones(10), sample, '/kaggle/input/titanic')
    assert write_submission(np.ones(10), sample) == tmp_path/'working'/'submission.csv'   # the default on Kaggle

def test_swapped_arguments_are_named(sample, tmp_path):
    with pytest.raises(TypeError, match='the predictions come first'): write_submission(pd.read_csv(sample), np.zeros(10, int), tmp_path)

def test_parquet_sample(tmp_path):
    "A sample_submission.parquet, as some recent competitions ship: found, read with pyarrow (ids and True/False as stored), predictions written as CSV"
    pytest.importorskip('pyarrow')
    from fastflow.kaggle import check_submission_file, find_sample_submission
    comp = tmp_path/'comp'; comp.mkdir()
    for f in ('train.parquet', 'test.parquet'): pd.DataFrame({'id': ['00001'], 'x': [1.]}).to_parquet(comp/f, index=False)
    pd.DataFrame({'id': ['00001', '00002', '00003'], 'flag': [False]*3}).to_parquet(comp/'sample_submission.parquet', index=False)
    s = find_sample_submission(comp); assert s == comp/'sample_submission.parquet'
    f = write_submission(pd.DataFrame({'id': ['00003', '00001', '00002'], 'flag': [True, False, True]}), s, tmp_path/'out')
    assert f.read_text().splitlines() == ['id,flag', '00001,False', '00002,True', '00003,True']
    assert check_submission_file(f, s)[1] is False   # written as the sample holds it
    with pytest.raises(SubmissionError, match="'flag' holds True/False"): write_submission(['x', 'y', 'z'], s, tmp_path/'out')
    (comp/'broken.parquet').write_bytes(b'PAR1 cut short')
    with pytest.raises(SubmissionError, match='is not a readable parquet file'): write_submission([True]*3, comp/'broken.parquet', tmp_path/'out')

def test_parquet_sample_without_pyarrow(tmp_path):
    "Without pyarrow or fastparquet (fastflow needs neither), a parquet sample is refused with what to do"
    import importlib.util
    if importlib.util.find_spec('pyarrow') or importlib.util.find_spec('fastparquet'): pytest.skip('a parquet engine is installed')
    (tmp_path/'sample_submission.parquet').write_bytes(b'PAR1')
    with pytest.raises(SubmissionError, match=r'is a parquet file, which pandas reads only with pyarrow.*`pip install pyarrow`'):
        write_submission([0.5], tmp_path/'sample_submission.parquet', tmp_path/'out')
    assert not (tmp_path/'out').exists()
