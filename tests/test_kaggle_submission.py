"write_submission's bad-input cases: each is refused with a message that says what is wrong, and nothing is written."
import importlib, importlib.util, os, zipfile
from pathlib import Path
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

def _zip(path, files:dict):
    "A zip at `path` holding `files` (name -> text or bytes)"
    with zipfile.ZipFile(path, 'w') as z: [z.writestr(n, v) for n, v in files.items()]
    return path

def no_parquet_engine(monkeypatch):
    "As if neither pyarrow nor fastparquet were installed (pandas and fastflow look for them with importlib.import_module)"
    real = importlib.import_module
    def imp(name, *a, **kw):
        if name.split('.')[0] in ('pyarrow', 'fastparquet'): raise ImportError(f"No module named {name!r}")
        return real(name, *a, **kw)
    monkeypatch.setattr(importlib, 'import_module', imp)

def test_plain_zip_sample(sample, tmp_path):
    "sample_submission.zip (not .csv.zip), as a download may be: found, read, written against and checked; a zipped submission checked too"
    from fastflow.kaggle import check_submission_file, find_sample_submission
    comp = tmp_path/'zipped'; comp.mkdir()
    for n in ('train.zip', 'test.zip'): _zip(comp/n, {n.replace('.zip', '.csv'): 'PassengerId\n1\n'})
    z = _zip(comp/'sample_submission.zip', {'gender_submission.csv': sample.read_text(), '__MACOSX/._gender_submission.csv': b'\0'})   # zipped on macOS
    assert find_sample_submission(comp) == z
    f = write_submission(preds_df(range(901, 891, -1), [1, 0]*5), z, tmp_path/'out')   # the sample's answers, in another order
    assert f.name == 'submission.csv' and f.read_text() == sample.read_text()   # a CSV sample: CSV
    assert check_submission_file(f, z)[1] is False
    sub = _zip(tmp_path/'submission.zip', {'submission.csv': f.read_text().replace('\n892,', '\n892.0,')})
    out, changed = check_submission_file(sub, z)
    assert changed and out.PassengerId.tolist()[0] == '892'

@pytest.mark.parametrize('files,said', [({'train.csv': 'a\n1\n', 'test.csv': 'a\n2\n', 'gender_submission.csv': 'a,b\n1,2\n'},
                                         r"holds 3 files \('train.csv', 'test.csv', 'gender_submission.csv'\)\. .*unzip it \(`unzip s.zip -d s`\) and pass .* \(e.g. 'gender_submission.csv'\)"),
                                        ({}, r'holds no file'), ({'readme.txt': 'x'}, r"holds one file, 'readme.txt', which is neither CSV nor parquet")])
def test_zip_sample_not_one_table(tmp_path, files, said):
    "A sample zip of several files, none, or one of another kind: what it holds is named, with what to do, and nothing is written"
    z = _zip(tmp_path/'s.zip', files)
    with pytest.raises(SubmissionError, match=said): write_submission([1], z, tmp_path/'out')
    assert not (tmp_path/'out').exists()

def test_zip_bad_input(sample, tmp_path):
    from fastflow.kaggle import check_submission_file
    (tmp_path/'s.zip').write_text(sample.read_text())   # a CSV named .zip
    with pytest.raises(SubmissionError, match='is not a readable zip file'): write_submission(np.ones(10), tmp_path/'s.zip', tmp_path/'out')
    many = _zip(tmp_path/'sub.csv.zip', {'a.csv': sample.read_text(), 'b.csv': sample.read_text()})   # a .csv.zip too: said, not pandas' 'Multiple files'
    with pytest.raises(SubmissionError, match=r"The submission .*sub.csv.zip holds 2 files \('a.csv', 'b.csv'\)\. Kaggle takes a zip that holds one CSV"):
        check_submission_file(many, sample)
    pq = _zip(tmp_path/'p.zip', {'submission.parquet': b'PAR1 cut short'})   # read as parquet: said as such, with or without pyarrow
    with pytest.raises(SubmissionError, match=r"p.zip (is not a readable parquet file|is a parquet file, which pandas reads only with pyarrow)"): check_submission_file(pq, sample)
    assert not (tmp_path/'out').exists()

def test_parquet_sample(tmp_path):
    "A sample_submission.parquet, as code competitions ship: found, read with pyarrow, and submission.parquet written with its dtypes; CSV when a .csv is named"
    pytest.importorskip('pyarrow')
    from fastflow.kaggle import check_submission_file, find_sample_submission
    comp = tmp_path/'comp'; comp.mkdir()
    for f in ('train.parquet', 'test.parquet'): pd.DataFrame({'id': ['00001'], 'x': [1.]}).to_parquet(comp/f, index=False)
    pd.DataFrame({'id': ['00001', '00002', '00003'], 'flag': [False]*3}).to_parquet(comp/'sample_submission.parquet', index=False)
    s = find_sample_submission(comp); assert s == comp/'sample_submission.parquet'
    preds = pd.DataFrame({'id': ['00003', '00001', '00002'], 'flag': [True, False, True]})
    f = write_submission(preds, s, tmp_path/'out')
    assert f == tmp_path/'out'/'submission.parquet'
    got = pd.read_parquet(f); assert got.id.tolist() == ['00001', '00002', '00003'] and got.flag.tolist() == [False, True, True] and got.flag.dtype == bool
    f = write_submission(preds, s, tmp_path/'out'/'submission.csv')   # a .csv named: CSV
    assert f.read_text().splitlines() == ['id,flag', '00001,False', '00002,True', '00003,True']
    assert check_submission_file(f, s)[1] is False   # written as the sample holds it
    with pytest.raises(SubmissionError, match="'flag' holds True/False"): write_submission(['x', 'y', 'z'], s, tmp_path/'out')
    (comp/'broken.parquet').write_bytes(b'PAR1 cut short')
    with pytest.raises(SubmissionError, match='is not a readable parquet file'): write_submission([True]*3, comp/'broken.parquet', tmp_path/'out')

def test_parquet_written_with_the_samples_dtypes(tmp_path, monkeypatch):
    "int32 ids, float32 probabilities and text stay as the sample stores them; the default path and a zip of the parquet sample too; atomic"
    pytest.importorskip('pyarrow')
    sample = pd.DataFrame({'row_id': np.arange(5, dtype='int32'), 'p': np.full(5, .5, dtype='float32'), 'label': ['a', 'b', 'a', 'b', 'a'],
                           'n': np.zeros(5, dtype='int16')})
    (tmp_path/'comp').mkdir(); sample.to_parquet(s := tmp_path/'comp'/'sample_submission.parquet', index=False)
    preds = pd.DataFrame({'row_id': [4, 3, 2, 1, 0], 'p': [.1, .2, .3, .4, .5], 'label': list('babab'), 'n': [1, 2, 3, 4, 5]})   # int64, float64
    monkeypatch.setenv('FASTFLOW_OUTPUT', str(tmp_path/'working'))
    f = write_submission(preds, s); assert f == tmp_path/'working'/'submission.parquet'   # no path: the default folder
    got = pd.read_parquet(f)
    assert got.dtypes.tolist() == pd.read_parquet(s).dtypes.tolist() and got.row_id.tolist() == [0, 1, 2, 3, 4]
    np.testing.assert_allclose(got.p, [.5, .4, .3, .2, .1], rtol=1e-6)
    import pyarrow.parquet as papq
    assert papq.read_schema(f).types == papq.read_schema(s).types   # the file's schema is the sample's
    z = _zip(tmp_path/'comp'/'sample_submission.zip', {'sample_submission.parquet': s.read_bytes()})   # a zip of the parquet sample: the same
    assert pd.read_parquet(write_submission(preds, z, tmp_path/'z')).dtypes.tolist() == got.dtypes.tolist()
    before = f.read_bytes()
    def half(self, path, **kw): Path(path).write_bytes(b'PAR1'); raise OSError(28, 'No space left on device')
    monkeypatch.setattr(pd.DataFrame, 'to_parquet', half)
    with pytest.raises(PermissionError, match='No space left'): write_submission(preds.assign(p=.9), s)
    assert f.read_bytes() == before and sorted(p.name for p in f.parent.iterdir()) == ['submission.parquet']   # the earlier file whole, no temporary left

def test_parquet_submission_checked(tmp_path):
    "check_submission_file on a submission.parquet (or a zip of one): checked as stored; put in the sample's order and dtypes, and said to differ when it did"
    pytest.importorskip('pyarrow')
    from fastflow.kaggle import check_submission_file
    sample = pd.DataFrame({'row_id': np.arange(3, dtype='int32'), 'p': np.full(3, .5, dtype='float32')})
    sample.to_parquet(s := tmp_path/'sample_submission.parquet', index=False)
    f = write_submission([.1, .2, .3], s, tmp_path/'out')
    assert check_submission_file(f, s)[1] is False   # as write_submission wrote it: unchanged
    pd.DataFrame({'row_id': [2, 0, 1], 'p': [.3, .1, .2]}).to_parquet(g := tmp_path/'g.parquet', index=False)   # int64, float64, rows shuffled
    out, changed = check_submission_file(g, s)
    assert changed and out.row_id.tolist() == [0, 1, 2] and out.dtypes.tolist() == sample.dtypes.tolist()
    z = _zip(tmp_path/'g.zip', {'g.parquet': g.read_bytes()}); assert check_submission_file(z, s)[0].equals(out)
    pd.DataFrame({'row_id': [0, 1], 'p': [.3, .1]}).to_parquet(g, index=False)
    with pytest.raises(SubmissionError, match='2 prediction rows for 3 rows'): check_submission_file(g, s)

def test_parquet_path_needs_a_parquet_or_frame_sample(sample, tmp_path):
    with pytest.raises(ValueError, match='is a CSV, so the competition takes CSV: name it .csv'): write_submission(np.ones(10, int), sample, tmp_path/'sub.parquet')
    assert not (tmp_path/'sub.parquet').exists()

def test_parquet_without_pyarrow(tmp_path, monkeypatch):
    "Without pyarrow or fastparquet (fastflow needs neither): a parquet sample, or a .parquet path, is refused with what to do, and nothing is written"
    s = tmp_path/'sample_submission.parquet'
    if importlib.util.find_spec('pyarrow'): pd.DataFrame({'id': [1], 'target': [0.5]}).to_parquet(s, index=False)   # a real one where pyarrow is here
    else: s.write_bytes(b'PAR1')
    no_parquet_engine(monkeypatch)
    with pytest.raises(SubmissionError, match=r'is a parquet file, which pandas reads only with pyarrow.*`pip install pyarrow`'):
        write_submission([0.5], s, tmp_path/'out')
    frame = pd.DataFrame({'id': [1], 'target': [0.5]})
    with pytest.raises(SubmissionError, match=r'A parquet submission .* neither is installed: `pip install pyarrow`.*nothing was written'):
        write_submission([0.5], frame, tmp_path/'out'/'sub.parquet')
    assert not (tmp_path/'out').exists()
    assert write_submission([0.5], frame, tmp_path/'out').name == 'submission.csv'   # a DataFrame sample: CSV, no engine needed

def test_plain_zip_output(sample, tmp_path, monkeypatch):
    "write_submission to a plain .zip: one CSV named after it, as the CSV would be written (the sample's columns, ids, integer labels); read back by check_submission_file"
    from fastflow.kaggle import check_submission_file
    z = write_submission(preds_df(range(901, 891, -1), [1, 0]*5), sample, tmp_path/'out'/'submission.zip')   # the sample's answers, in another order
    assert z == tmp_path/'out'/'submission.zip' and zipfile.ZipFile(z).namelist() == ['submission.csv']
    assert zipfile.ZipFile(z).read('submission.csv') == sample.read_bytes()   # byte for byte the sample's layout
    assert check_submission_file(z, sample)[1] is False
    assert zipfile.ZipFile(write_submission(np.ones(10, int), sample, tmp_path/'out'/'V2.ZIP')).namelist() == ['V2.csv']
    (tmp_path/'taken.zip').mkdir()
    with pytest.raises(IsADirectoryError, match='is a folder: pass a file name'): write_submission(np.ones(10, int), sample, tmp_path/'taken.zip')
    with pytest.raises(SubmissionError, match='shape'): write_submission(np.ones(3, int), sample, tmp_path/'new'/'submission.zip')   # checked first: nothing written
    assert not (tmp_path/'new').exists()

def test_plain_zip_refused_for_a_parquet_sample(tmp_path, monkeypatch):
    "A parquet sample (a code competition: scored on the notebook's submission.parquet) and a .zip path: refused with what to name it; nothing written"
    s = tmp_path/'sample_submission.parquet'; s.write_bytes(b'PAR1')
    monkeypatch.setattr(pd, 'read_parquet', lambda *a, **kw: pd.DataFrame({'id': [1, 2], 'target': [.5, .5]}))   # stands in for pyarrow's reader
    with pytest.raises(ValueError, match=r"names a plain \.zip, but the sample submission .* is parquet: .*Name it \.parquet .*name it \.csv\.zip"):
        write_submission([.1, .2], s, tmp_path/'out'/'submission.zip')
    assert not (tmp_path/'out').exists()
    assert write_submission([.1, .2], s, tmp_path/'out'/'submission.csv.zip').read_bytes()[:2] == b'PK'   # a zipped CSV, named so: written

def test_byte_order_mark(sample, tmp_path):
    "A UTF-8 BOM first: pandas' read_csv (so a scorer reading with it) drops it and sees 'PassengerId', so the file passes as it is; a second one is named; write_submission writes none"
    import bz2, codecs, gzip, lzma
    from fastflow.kaggle import check_submission_file
    f = tmp_path/'bom.csv'; f.write_bytes(codecs.BOM_UTF8 + sample.read_bytes())
    for engine in ('c', 'python'): assert list(pd.read_csv(f, engine=engine).columns) == ['PassengerId', 'Survived']
    out, changed = check_submission_file(f, sample)
    assert not changed and list(out.columns) == ['PassengerId', 'Survived']
    z = _zip(tmp_path/'bom.zip', {'submission.csv': f.read_bytes()}); assert check_submission_file(z, sample)[1] is False   # zipped, the same
    f.write_bytes(codecs.BOM_UTF8*2 + sample.read_bytes())
    with pytest.raises(SubmissionError, match=r"byte-order mark \(U\+FEFF\) left in the first name.*encoding='utf-8-sig'"): check_submission_file(f, sample)
    bom_sample = tmp_path/'bom_sample.csv'; bom_sample.write_bytes(codecs.BOM_UTF8 + sample.read_bytes())   # the sample itself with one: read as 'PassengerId'
    written = [write_submission(np.zeros(10, int), bom_sample, tmp_path/'w'/n) for n in ('s.csv', 's.csv.gz', 's.csv.bz2', 's.csv.xz', 's.csv.zip', 's.zip')]
    unpack = {'.csv': lambda b: b, '.gz': gzip.decompress, '.bz2': bz2.decompress, '.xz': lzma.decompress}
    for w in written:
        text = zipfile.ZipFile(w).read(zipfile.ZipFile(w).namelist()[0]) if w.suffix == '.zip' else unpack[w.suffix](w.read_bytes())
        assert text.startswith(b'PassengerId,Survived\n') and not text.startswith(codecs.BOM_UTF8), (w, text[:20])
