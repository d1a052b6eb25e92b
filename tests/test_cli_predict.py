"""`fastflow predict MODEL INPUT`: one tiny seeded model of each kind trained here, exported, made read-only, predicted by
the console script in a subprocess and compared with the same predictions in this process; then the errors (one line,
exit 1): a folder that is no model, INPUT of the wrong type, missing columns, a kernel's engineered features, --proba
for a regression; INPUT as the sample submission's reader reads files (.csv.gz, a plain .zip), and --tta for image models."""
import os, subprocess, sys, warnings, zipfile
from pathlib import Path
import numpy as np, pandas as pd
import pytest
from conftest import read_only
from fastflow.cli import main

FASTFLOW = str(Path(sys.executable).parent/'fastflow')   # the installed console script

def run(*args, cwd=None):
    env = {**os.environ, 'MPLBACKEND': 'Agg', 'OMP_NUM_THREADS': '1', 'OMP_WAIT_POLICY': 'PASSIVE'}
    env.pop('KAGGLE_KERNEL_RUN_TYPE', None)
    return subprocess.run([FASTFLOW, 'predict', *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=300, env=env)

def ok(r, kind, rows):
    "One stdout line naming the file, its rows and the model's kind; nothing but warnings on stderr"
    assert r.returncode == 0, r.stderr[-3000:]
    line, = r.stdout.strip().splitlines()
    assert line.startswith('wrote ') and f'({rows} rows)' in line and repr(kind) in line, line
    assert 'Traceback' not in r.stderr, r.stderr[-3000:]
    return Path(line.split()[1])

def here(capsys, *argv):
    "`fastflow predict` in this process (no interpreter to start): its stdout, read as `ok` reads a subprocess's"
    assert main(['predict', *map(str, argv)]) == 0
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(argv, 0, out, err)

def refused(argv, *words):
    "`fastflow predict` in this process: one line starting 'fastflow predict: ' holding `words`, exit 1"
    with pytest.raises(SystemExit) as e: main(['predict', *map(str, argv)])
    msg = str(e.value.code)
    assert msg.startswith('fastflow predict: ') and '\n' not in msg and all(w in msg for w in words), msg
    return msg

@pytest.fixture(scope='module')
def tab(tmp_path_factory):
    "A classification workflow (ids in 'pid'), a regression estimator, their test rows and a sample submission"
    from fastflow.testing import synth_tabular
    from fastflow.tabular.estimators import LinearClassifier, RFRegressor, export_estimator
    from fastflow.tabular.workflow import TabularWorkflow
    d = tmp_path_factory.mktemp('tab')
    warnings.simplefilter('ignore')
    train = synth_tabular(200, seed=1).assign(pid=lambda t: np.arange(len(t)) + 1)
    wf = TabularWorkflow('y', id_col='pid', metric='accuracy', models={'linear': LinearClassifier()}, n_splits=2, verbose=False); wf.fit(train)
    wf.export(d/'wf')
    test = synth_tabular(40, seed=11).drop(columns='y').assign(pid=lambda t: np.arange(len(t)) + 5000)
    test.to_csv(d/'test.csv', index=False)
    pd.DataFrame({'pid': test.pid[::-1], 'y': 0}).to_csv(d/'sample.csv', index=False)   # another row order than the test rows
    reg = synth_tabular(200, task='regression', seed=2)
    est = RFRegressor(n_estimators=10, random_state=0).fit(reg.drop(columns='y'), reg.y)
    export_estimator(est, d/'est')
    return d, wf, est, test

def test_tabular_workflow(tab, capsys):
    d, wf, _, test = tab
    with read_only(d/'wf'):
        f = ok(run(d/'wf', d/'test.csv', '--out', d/'o1', cwd=d), 'tabular.workflow', 40)
        got = pd.read_csv(f)
        assert f == d/'o1'/'predictions.csv' and list(got.columns) == ['pid', 'y']
        assert (got.pid == test.pid).all() and (got.y.to_numpy() == wf.predict(test)).all()
        f = ok(here(capsys, d/'wf', d/'test.csv', '--out', d/'o2', '--sample', d/'sample.csv', '--proba'), 'tabular.workflow', 40)   # probabilities in the sample's layout and row order
        sub = pd.read_csv(f).set_index('pid')
        assert f.name == 'submission.csv' and (sub.index == test.pid[::-1].to_numpy()).all()
        np.testing.assert_allclose(sub.loc[test.pid, 'y'], wf.predict_proba(test)[:, 1], rtol=1e-5)

def test_tabular_estimator(tab):
    d, _, est, test = tab
    with read_only(d/'est'):
        f = ok(run(d/'est', d/'test.csv', '--out', d/'o3'), 'tabular.estimator', 40)
    got = pd.read_csv(f)   # the columns it was not fitted on (the ids) kept beside the predictions
    assert list(got.columns) == ['pid', 'prediction'] and (got.pid == test.pid).all()
    np.testing.assert_allclose(got.prediction, est.predict(test.drop(columns='pid')), rtol=1e-6)

def test_collab_learner(tmp_path, capsys):
    from fastflow.core import set_seed
    from fastflow.testing import synth_ratings
    from fastflow.collab.data import CollabDataLoaders
    from fastflow.collab.learner import collab_learner
    from fastflow.export import export_learner
    set_seed(0)
    r = synth_ratings(40, 30, seed=1).rename(columns={'user': 'userId', 'item': 'movieId', 'rating': 'stars'})
    learn = collab_learner(CollabDataLoaders.from_df(r, 'userId', 'movieId', 'stars', bs=128, seed=0, device='cpu'), 'dot', n_factors=4)
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(1, 0.02)
    export_learner(learn, tmp_path/'m')
    pairs = pd.concat([r[['userId', 'movieId']].iloc[:25], pd.DataFrame({'userId': [10_000], 'movieId': [r.movieId.iloc[0]]})], ignore_index=True)   # and an unknown user
    pairs.insert(0, 'id', np.arange(len(pairs)) + 1)
    pairs.to_csv(tmp_path/'pairs.csv', index=False)
    pairs[['userId', 'movieId']].rename(columns={'userId': 'u', 'movieId': 'i'}).to_csv(tmp_path/'plain.csv', index=False)   # other names: the first two columns
    pd.DataFrame({'id': pairs.id[::-1], 'stars': 3.0}).to_csv(tmp_path/'sample.csv', index=False)
    with warnings.catch_warnings(): warnings.simplefilter('ignore'); want = learn.predict_pairs(pairs)
    with read_only(tmp_path/'m'):
        r1 = run(tmp_path/'m', tmp_path/'pairs.csv', '--out', tmp_path/'o', cwd=tmp_path)
        got = pd.read_csv(ok(r1, 'collab.learner', 26))
        assert list(got.columns) == ['id', 'userId', 'movieId', 'stars'] and 'fastflow predict: warning: 1 of 26 pair(s)' in r1.stderr, r1.stderr
        np.testing.assert_allclose(got.stars, want, rtol=1e-5)
        plain = pd.read_csv(ok(here(capsys, tmp_path/'m', tmp_path/'plain.csv', '--out', tmp_path/'o2'), 'collab.learner', 26))
        sub = pd.read_csv(ok(here(capsys, tmp_path/'m', tmp_path/'pairs.csv', '--out', tmp_path/'o3', '--sample', tmp_path/'sample.csv'), 'collab.learner', 26))
    assert list(plain.columns) == ['u', 'i', 'stars']
    np.testing.assert_allclose(plain.stars, want, rtol=1e-5)
    assert list(sub.columns) == ['id', 'stars'] and (sub.id == pairs.id[::-1].to_numpy()).all()   # in the sample's order, matched by id
    np.testing.assert_allclose(sub.stars.to_numpy(), want[::-1], rtol=1e-5)
    pd.DataFrame({'id': pairs.id, 'stars': 3}).to_csv(tmp_path/'sample3.csv', index=False)   # a whole placeholder: ratings are numbers all the same
    pairs.rename(columns={'userId': 'u', 'movieId': 'i'}).to_csv(tmp_path/'ided.csv', index=False)   # other names after the sample's id: not the id as a user
    sub3 = pd.read_csv(ok(here(capsys, tmp_path/'m', tmp_path/'ided.csv', '--out', tmp_path/'o4', '--sample', tmp_path/'sample3.csv'), 'collab.learner', 26))
    np.testing.assert_allclose(sub3.stars.to_numpy(), want, rtol=1e-5)
    pairs[['movieId', 'userId']].rename(columns={'userId': 'who'}).to_csv(tmp_path/'half.csv', index=False)   # one training name: the other is not guessed
    refused([tmp_path/'m', tmp_path/'half.csv', '--out', tmp_path/'o5'], "has the column 'movieId' but not 'userId'")

def test_collab_workflow(tmp_path):
    from fastflow.testing import synth_ratings
    from fastflow.collab.workflow import CollabWorkflow
    r = synth_ratings(30, 20, seed=2)
    wf = CollabWorkflow(members={'bias': dict(type='bias')}, n_splits=2, stack=False, verbose=False); wf.fit(r)
    wf.export(tmp_path/'m')
    pairs = r[['user', 'item']].iloc[:15]; pairs.to_csv(tmp_path/'pairs.csv', index=False)
    with read_only(tmp_path/'m'): got = pd.read_csv(ok(run(tmp_path/'m', tmp_path/'pairs.csv', '--out', tmp_path/'o', cwd=tmp_path), 'collab.workflow', 15))
    assert list(got.columns) == ['user', 'item', 'rating']
    np.testing.assert_allclose(got.rating, wf.predict(pairs), rtol=1e-5)

def test_vision_learner(tmp_path, capsys):
    from PIL import Image
    from fastflow.core import set_seed
    from fastflow.testing import synth_images
    from fastflow.export import export_learner
    from fastflow.vision.data import tensor_dls
    from fastflow.vision.learner import fastnet_learner, predict_folder
    set_seed(0)
    learn = fastnet_learner(tensor_dls(synth_images(8, size=16, path=tmp_path/'imgs', seed=0), valid_pct=0.25, bs=8, seed=0), widths=(8, 16, 16))
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(1, 0.05)
    learn.temperature, learn.tta_shifts = 0.25, 1   # as train_image_folder leaves them: a fitted temperature (sharpening this near-uniform model's probabilities), shifts for TTA
    export_learner(learn, tmp_path/'m')
    (tmp_path/'test').mkdir()
    for i, a in enumerate(synth_images(2, size=16, seed=5)[0]): Image.fromarray(a).save(tmp_path/'test'/f'{i:03d}.png')
    learn.to_fp32()   # as loaded: plain fp32
    with warnings.catch_warnings(): warnings.simplefilter('ignore'); want, probs = predict_folder(learn, tmp_path/'test')
    n = len(want)
    pd.DataFrame({'id': want.id, 'label': want.label.iloc[0]}).to_csv(tmp_path/'sample.csv', index=False)
    with read_only(tmp_path/'m'):
        got = pd.read_csv(ok(run(tmp_path/'m', tmp_path/'test', '--out', tmp_path/'o', '--proba', cwd=tmp_path), 'vision.learner', n), dtype={'id': str})
        sub = pd.read_csv(ok(here(capsys, tmp_path/'m', tmp_path/'test', '--out', tmp_path/'o2', '--sample', tmp_path/'sample.csv'), 'vision.learner', n), dtype={'id': str})
    assert (got.id == want.id).all() and (got.label == want.label).all() and (sub.label == want.label).all()
    refused([tmp_path/'m', tmp_path/'sample.csv'], 'is a file', "'vision.learner'", 'a folder of test images')   # a CSV for an image model
    cols = [str(c) for c in learn.dls.vocab]
    np.testing.assert_allclose(got[cols].to_numpy(), probs.numpy(), atol=1e-5)   # no --tta: predict_folder's default (the model's shifts), calibrated
    seen = {}
    for tta, kw in (('auto', {}), ('off', dict(tta=False)), ('0', dict(tta=True, shifts=0)), ('2', dict(tta=True, shifts=2))):   # --tta as predict_folder(..., tta=, shifts=)
        with warnings.catch_warnings(): warnings.simplefilter('ignore'); w, pr = predict_folder(learn, tmp_path/'test', **kw)
        with read_only(tmp_path/'m'): f = ok(here(capsys, tmp_path/'m', tmp_path/'test', '--out', tmp_path/f'tta{tta}', '--proba', '--tta', tta), 'vision.learner', n)
        g = pd.read_csv(f, dtype={'id': str}); seen[tta] = g[cols].to_numpy()
        assert (g.label == w.label).all(); np.testing.assert_allclose(seen[tta], pr.numpy(), rtol=0, atol=1e-7)   # the same numbers, but for the CSV's digits
    assert all(np.abs(seen[k] - seen['auto']).max() > 1e-6 for k in ('off', '0', '2'))   # each set of views its own probabilities (measured: 1.5e-5, 8e-6, 3.7e-6 apart)
    np.testing.assert_allclose(seen['auto'], probs.numpy(), rtol=0, atol=1e-7)
    with warnings.catch_warnings(): warnings.simplefilter('ignore'); raw = predict_folder(learn, tmp_path/'test', tta=False, calibrate=False)[1]
    assert np.abs(raw.numpy() - seen['off']).max() > 1e-5   # the model's temperature (0.25) applied with --tta off too, as predict_folder applies it
    sub = pd.read_csv(ok(here(capsys, tmp_path/'m', tmp_path/'test', '--out', tmp_path/'o3', '--sample', tmp_path/'sample.csv', '--tta', 'off'), 'vision.learner', n), dtype={'id': str})
    with warnings.catch_warnings(): warnings.simplefilter('ignore'); assert (sub.label == predict_folder(learn, tmp_path/'test', tta=False)[0].label).all()
    refused([tmp_path/'m', tmp_path/'test', '--tta', 'maybe'], "--tta 'maybe': pass auto", 'off, or a number of pixels N >= 0')
    refused([tmp_path/'m', tmp_path/'test', '--tta', '-1'], "--tta '-1'")

def test_errors(tab, tmp_path):
    d, wf, _, test = tab
    (tmp_path/'notes').mkdir(); (tmp_path/'x.csv').write_text('a,b\n1,2\n')
    refused([tmp_path/'notes', d/'test.csv'], 'holds no fastflow.json')   # a folder that is not a model
    refused([tmp_path/'nowhere', d/'test.csv'], 'No model folder at')
    refused([d/'wf', tmp_path/'notes'], 'is a folder', "'tabular.workflow'", 'CSV')   # a folder of images for a tabular model
    refused([d/'wf', tmp_path/'nothing.csv'], 'does not exist')
    test.drop(columns=['x_num1']).to_csv(tmp_path/'short.csv', index=False)
    refused([d/'wf', tmp_path/'short.csv'], "lacks column(s) ['x_num1']", 'predict.py')
    refused([d/'est', d/'test.csv', '--proba'], '--proba', 'regression')
    refused([d/'wf', d/'test.csv', '--sample', tmp_path/'nope.csv'], '--sample')
    (tmp_path/'empty.csv').write_text('')
    refused([d/'wf', tmp_path/'empty.csv'], 'is empty')
    try: import pyarrow   # noqa: F401
    except ImportError:   # a parquet INPUT without a reader for it: what to install
        (tmp_path/'t.parquet').write_bytes(b'PAR1'); refused([d/'wf', tmp_path/'t.parquet'], 'pip install pyarrow')

def test_input_formats(tab, tmp_path, capsys):
    "INPUT read as a sample submission is: .csv.gz, a plain .zip of one CSV, a parquet file named .csv; the same rows give the same predictions"
    d, wf, _, test = tab
    want = wf.predict(test)
    test.to_csv(tmp_path/'test.csv.gz', index=False)
    with zipfile.ZipFile(tmp_path/'test.zip', 'w') as z: z.writestr('test.csv', test.to_csv(index=False))
    for name in ('test.csv.gz', 'test.zip'):
        got = pd.read_csv(ok(here(capsys, d/'wf', tmp_path/name, '--out', tmp_path/name.replace('.', '_')), 'tabular.workflow', 40))
        assert (got.pid == test.pid).all() and (got.y.to_numpy() == want).all(), name
    sub = ok(here(capsys, d/'wf', tmp_path/'test.zip', '--out', tmp_path/'s', '--sample', d/'sample.csv'), 'tabular.workflow', 40)   # the count: the writer's frame, as written
    assert len(pd.read_csv(sub)) == 40
    try: import pyarrow   # noqa: F401
    except ImportError: pyarrow = None
    if pyarrow is not None:   # parquet by its name, and by its content when named .csv
        test.to_parquet(tmp_path/'t.parquet', index=False); test.to_parquet(tmp_path/'pq.csv', index=False)
        for name in ('t.parquet', 'pq.csv'):
            got = pd.read_csv(ok(here(capsys, d/'wf', tmp_path/name, '--out', tmp_path/(name + '_o')), 'tabular.workflow', 40))
            assert (got.y.to_numpy() == want).all(), name

def test_input_bad_files(tab, tmp_path):
    "A bad INPUT file: one line naming it as 'the input rows' and what is wrong, as the sample submission's reader says it"
    d, _, _, test = tab
    text = test.to_csv(index=False)
    (tmp_path/'ragged.csv').write_text(text.replace('\n', ',1\n', 2).replace(',1\n', '\n', 1))   # a row with a field too many: not taken as an index column
    refused([d/'wf', tmp_path/'ragged.csv'], f"The input rows {tmp_path/'ragged.csv'} has a row with more fields than its header")
    with zipfile.ZipFile(tmp_path/'comp.zip', 'w') as z: z.writestr('train.csv', text); z.writestr('test.csv', text)   # the competition's whole download
    refused([d/'wf', tmp_path/'comp.zip'], 'The input rows', "holds 2 files ('train.csv', 'test.csv')", 'A zip of input rows must hold one CSV', '`unzip comp.zip -d comp`')
    with zipfile.ZipFile(tmp_path/'notes.zip', 'w') as z: z.writestr('notes.txt', 'x')
    refused([d/'wf', tmp_path/'notes.zip'], "holds one file, 'notes.txt', which is neither CSV nor parquet")
    (tmp_path/'bad.zip').write_text(text); refused([d/'wf', tmp_path/'bad.zip'], 'is not a readable zip file')
    (tmp_path/'latin.csv').write_bytes(text.replace('pid', 'pïd').encode('latin-1')); refused([d/'wf', tmp_path/'latin.csv'], 'is not UTF-8 text', 'save it as UTF-8')
    (tmp_path/'head.csv').write_text(','.join(test.columns) + '\n'); refused([d/'wf', tmp_path/'head.csv'], 'hold a header but no rows')
    (tmp_path/'fake.csv').write_bytes(b'PAR1 not really parquet PAR1')   # parquet by its content: said as parquet, with or without pyarrow
    msg = refused([d/'wf', tmp_path/'fake.csv'], 'The input rows')
    assert 'is not a readable parquet file' in msg or 'pip install pyarrow' in msg, msg
    refused([d/'wf', d/'test.csv', '--tta', 'off'], '--tta applies to image models', "'tabular.workflow'")   # no test-time augmentation for rows
    (tmp_path/'bom.csv').write_bytes(b'\xef\xbb\xbf' + text.encode())   # a byte-order mark (Excel's CSV UTF-8): pandas drops it, the 'pid' column is found
    assert main(['predict', str(d/'wf'), str(tmp_path/'bom.csv'), '--out', str(tmp_path/'bom')]) == 0
    assert pd.read_csv(tmp_path/'bom'/'predictions.csv').columns[0] == 'pid'

def test_kernel_features_point_to_predict_py(tab, tmp_path):
    "A model trained on columns a script made (kaggle/titanic's Title, WCGroup): the raw test.csv lacks them, and the line says to use the kernel's predict.py"
    from fastflow.testing import synth_tabular
    from fastflow.tabular.estimators import LinearClassifier
    from fastflow.tabular.workflow import TabularWorkflow
    raw = synth_tabular(120, seed=3).assign(PassengerId=lambda t: np.arange(len(t)) + 1)
    feats = raw.assign(Title=np.where(raw.x_num1 > 0, 'Mr', 'Mrs'))   # what a kernel's features() adds
    wf = TabularWorkflow('y', id_col='PassengerId', models={'linear': LinearClassifier()}, n_splits=2, verbose=False); wf.fit(feats); wf.export(tmp_path/'m')
    raw.drop(columns='y').to_csv(tmp_path/'test.csv', index=False)
    refused([tmp_path/'m', tmp_path/'test.csv'], "['Title']", "kernel's predict.py", 'kaggle/')

def _column_text(f, col) -> list:
    "Column `col` of the CSV `f` as the file writes it"
    return pd.read_csv(f, dtype=str, keep_default_na=False)[col].tolist()

def test_text_ids_tabular(tmp_path, capsys):
    "A workflow trained on ids and codes written as text ('00042', '007'): fastflow predict writes the ids as `wf.submit` does (byte for byte) and reads the codes as text, as training had them"
    from fastflow.tabular.workflow import TabularWorkflow
    from fastflow.tabular.estimators import LinearClassifier
    rng = np.random.default_rng(0)
    def rows(n, start):
        code = rng.choice(['001', '002', '010', '100'], n)
        return pd.DataFrame({'Id': [f'{i:05d}' for i in range(start, start + n)], 'code': code, 'x': rng.normal(size=n), 'y': np.isin(code, ['001', '010']).astype(int)})
    train, test = rows(200, 0), rows(30, 200)
    wf = TabularWorkflow('y', id_col='Id', models={'linear': LinearClassifier()}, n_splits=2, verbose=False); wf.fit(train); wf.export(tmp_path/'m')
    test.drop(columns='y').to_csv(tmp_path/'te.csv', index=False)
    mem = pd.read_csv(tmp_path/'te.csv', dtype={'Id': str, 'code': str})   # in process, read as training was
    with warnings.catch_warnings(): warnings.simplefilter('ignore'); want = wf.submit(mem, path=tmp_path/'mem')
    with read_only(tmp_path/'m'): r = run(tmp_path/'m', tmp_path/'te.csv', '--out', tmp_path/'o')
    f = ok(r, 'tabular.workflow', 30)
    assert _column_text(f, 'Id') == _column_text(want, 'Id') == test.Id.tolist()   # '00200', not 200
    assert f.read_bytes() == Path(want).read_bytes()   # the whole file: ids and labels alike
    assert (pd.read_csv(f).y == test.y).all() and 'only as text' not in r.stderr, r.stderr   # the codes matched as text, with no warning about it
    pd.DataFrame({'Id': test.Id[::-1], 'y': 0}).to_csv(tmp_path/'sample.csv', index=False)
    sub = ok(here(capsys, tmp_path/'m', tmp_path/'te.csv', '--out', tmp_path/'s', '--sample', tmp_path/'sample.csv'), 'tabular.workflow', 30)
    assert sub.read_bytes() == Path(wf.submit(mem, tmp_path/'sample.csv', path=tmp_path/'mem_s')).read_bytes()

def test_text_ids_estimator(tab, tmp_path, capsys):
    "An estimator's columns it was not fitted on (the ids) are written as the file writes them"
    d, _, est, test = tab
    test.assign(pid=[f'{i:05d}' for i in range(len(test))]).to_csv(tmp_path/'te.csv', index=False)
    f = ok(here(capsys, d/'est', tmp_path/'te.csv', '--out', tmp_path/'o'), 'tabular.estimator', 40)
    assert _column_text(f, 'pid') == _column_text(tmp_path/'te.csv', 'pid')
    np.testing.assert_allclose(pd.read_csv(f).prediction, est.predict(test.drop(columns='pid')), rtol=1e-6)

def test_text_ids_collab(tmp_path, capsys):
    "A collab learner trained on user ids '0070' (text) and a workflow on item ids 'i07': the pairs' ids read as text, predictions as in process, ids written byte for byte"
    from fastflow.core import set_seed
    from fastflow.testing import synth_ratings
    from fastflow.collab.data import CollabDataLoaders
    from fastflow.collab.learner import collab_learner
    from fastflow.collab.workflow import CollabWorkflow
    from fastflow.export import export_learner
    set_seed(0)
    r = synth_ratings(40, 30, seed=1); r['user'] = r.user.map('{:04d}'.format)
    learn = collab_learner(CollabDataLoaders.from_df(r, bs=128, seed=0, device='cpu'), 'dot', n_factors=4)
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(1, 0.02)
    export_learner(learn, tmp_path/'m')
    r[['user', 'item']].iloc[:20].to_csv(tmp_path/'pairs.csv', index=False)
    mem = pd.read_csv(tmp_path/'pairs.csv', dtype={'user': str})
    with warnings.catch_warnings(): warnings.simplefilter('ignore'); mem.assign(rating=learn.predict_pairs(mem)).to_csv(tmp_path/'mem.csv', index=False)
    with read_only(tmp_path/'m'): res = run(tmp_path/'m', tmp_path/'pairs.csv', '--out', tmp_path/'o')
    f = ok(res, 'collab.learner', 20)
    assert 'warning' not in res.stderr, res.stderr   # no cold start: every user found
    assert _column_text(f, 'user') == _column_text(tmp_path/'mem.csv', 'user') == r.user.iloc[:20].tolist()   # '0070', not 70
    np.testing.assert_allclose(pd.read_csv(f).rating, pd.read_csv(tmp_path/'mem.csv').rating, rtol=1e-5)
    r2 = synth_ratings(30, 20, seed=2); r2['item'] = r2.item.map('i{:02d}'.format).where(r2.item % 2 == 0, r2.item.map('{:03d}'.format))   # 'i04' and '007'
    wf = CollabWorkflow(members={'bias': dict(type='bias')}, n_splits=2, stack=False, verbose=False); wf.fit(r2); wf.export(tmp_path/'w')
    r2[['user', 'item']].iloc[:15].to_csv(tmp_path/'p2.csv', index=False)
    f = ok(here(capsys, tmp_path/'w', tmp_path/'p2.csv', '--out', tmp_path/'o2'), 'collab.workflow', 15)
    assert _column_text(f, 'item') == r2.item.iloc[:15].tolist()
    with warnings.catch_warnings(): warnings.simplefilter('ignore'); np.testing.assert_allclose(pd.read_csv(f).rating, wf.predict(r2.iloc[:15]), rtol=1e-5)

def test_separators(tab, tmp_path, capsys):
    "Rows separated by ';' (with decimal commas in a text column: ragged when read with commas), tabs (.tsv, .tsv.gz) or '|': read with their separator, said in one warning line; the comma file's predictions"
    d, wf, _, test = tab
    want = wf.predict(test)
    t = test.assign(note=[f'{i},5' for i in range(len(test))])   # commas inside the fields of a ';' file
    t.to_csv(tmp_path/'semi.csv', sep=';', index=False); test.to_csv(tmp_path/'te.tsv', sep='\t', index=False)
    test.to_csv(tmp_path/'te.tsv.gz', sep='\t', index=False); test.to_csv(tmp_path/'pipe.txt', sep='|', index=False)
    for name, sep in (('semi.csv', "';'"), ('te.tsv', 'tab'), ('te.tsv.gz', 'tab'), ('pipe.txt', "'|'")):
        r = here(capsys, d/'wf', tmp_path/name, '--out', tmp_path/(name + '_o'))
        got = pd.read_csv(ok(r, 'tabular.workflow', 40))
        assert (got.pid == test.pid).all() and (got.y.to_numpy() == want).all(), name
        assert f"fastflow predict: warning: the input rows {tmp_path/name} are separated by {sep}, not commas" in r.stderr, r.stderr
    test.to_csv(tmp_path/'excel.csv', sep=';', decimal=',', index=False)   # Excel's CSV where the decimal mark is a comma: '0,5'
    r = here(capsys, d/'wf', tmp_path/'excel.csv', '--out', tmp_path/'excel')
    got = pd.read_csv(ok(r, 'tabular.workflow', 40))
    assert (got.y.to_numpy() == want).all() and "separated by ';', not commas, with decimal commas in ['x_num1', 'x_num2'" in r.stderr and "decimal=','" in r.stderr, r.stderr
    with warnings.catch_warnings(): warnings.simplefilter('ignore'); assert (wf.predict_proba(pd.read_csv(tmp_path/'excel.csv', sep=';', decimal=',')) == wf.predict_proba(test)).all()   # the same numbers, read back exactly
    (tmp_path/'bad.csv').write_text('pid;x_num1\n1;2;3\n')   # ragged with its own separator too: said so
    refused([d/'wf', tmp_path/'bad.csv'], 'read as', "';'-separated", 'more fields than its header')
    test[['pid']].to_csv(tmp_path/'one.csv', index=False)   # one column, no separator in it: the missing columns, as before
    refused([d/'wf', tmp_path/'one.csv'], 'lacks column(s)')

def test_image_flags(tmp_path, capsys):
    "--skip-non-images and --unreadable average, which the library's errors name as the command's flags (not Python keywords); refused for other models"
    from PIL import Image
    from fastflow.core import set_seed
    from fastflow.testing import synth_images
    from fastflow.export import export_learner
    from fastflow.vision.data import tensor_dls
    from fastflow.vision.learner import fastnet_learner, predict_folder
    set_seed(0)
    learn = fastnet_learner(tensor_dls(synth_images(8, size=16, path=tmp_path/'imgs', seed=0), valid_pct=0.25, bs=8, seed=0), widths=(8, 16))
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(1, 0.05)
    export_learner(learn, tmp_path/'m')
    (tmp_path/'test').mkdir()
    for i, a in enumerate(synth_images(2, size=16, seed=5)[0][:3]): Image.fromarray(a).save(tmp_path/'test'/f'{i:03d}.png')
    n = len(list((tmp_path/'test').iterdir()))
    (tmp_path/'test'/'labels.txt').write_text('not an image')
    msg = refused([tmp_path/'m', tmp_path/'test', '--out', tmp_path/'o'], 'non-image file(s)', 'pass --skip-non-images')
    assert 'skip_non_images=True' not in msg
    got = pd.read_csv(ok(run(tmp_path/'m', tmp_path/'test', '--out', tmp_path/'o', '--skip-non-images'), 'vision.learner', n), dtype={'id': str})
    (tmp_path/'test'/'labels.txt').unlink(); (tmp_path/'test'/'broken.png').write_text('not a png')
    msg = refused([tmp_path/'m', tmp_path/'test', '--out', tmp_path/'o2'], 'cannot be read', 'broken.png', '--unreadable average')
    assert 'predict_folder(' not in msg and "unreadable='average'" not in msg, msg
    r = here(capsys, tmp_path/'m', tmp_path/'test', '--out', tmp_path/'o3', '--unreadable', 'average', '--proba')
    avg = pd.read_csv(ok(r, 'vision.learner', n + 1), dtype={'id': str})
    assert 'broken.png' in r.stderr and 'df.attrs' not in r.stderr, r.stderr   # the warning names it, in the command's words
    learn.to_fp32()   # as loaded: plain fp32
    with warnings.catch_warnings(): warnings.simplefilter('ignore'); df, probs = predict_folder(learn, tmp_path/'test', unreadable='average')
    cols = [str(c) for c in learn.dls.vocab]
    assert avg.file.tolist() == df.file.tolist() and avg.id.tolist() == got.id.tolist() + ['broken']   # a row per image, the unreadable one too
    np.testing.assert_allclose(avg[cols].to_numpy(), probs.numpy(), atol=1e-6)   # as predict_folder(..., unreadable='average')
    with pytest.raises(SystemExit) as e: main(['predict', str(tmp_path/'m'), str(tmp_path/'test'), '--unreadable', 'skip'])
    assert e.value.code == 2 and "invalid choice: 'skip' (choose from 'raise', 'average')" in capsys.readouterr().err
    (tmp_path/'x.csv').write_text('a,b\n1,2\n')
    refused([tmp_path/'m', tmp_path/'x.csv', '--skip-non-images'], 'is a file')

def test_image_flags_other_models(tab):
    "--skip-non-images and --unreadable for a tabular model: one line saying they apply to image models"
    d = tab[0]
    refused([d/'wf', d/'test.csv', '--skip-non-images'], '--skip-non-images applies to image models', "'tabular.workflow'")
    refused([d/'est', d/'test.csv', '--unreadable', 'average', '--skip-non-images'], '--skip-non-images and --unreadable apply to image models')

def test_decimal_commas_every_separator(tab, tmp_path, capsys):
    "Decimal commas read as numbers whatever the separator (tab, quoted '0,5' in a comma file, ';'), thousands dots ('1.356,25') with thousands='.'; one warning line whose reader, followed, reads the same numbers"
    import re
    from fastflow.cli import _cli_words
    from fastflow.tabular.data import TabularProc
    d, wf, _, test = tab
    fmt = lambda v: f'{v:,.6f}'.replace(',', 'X').replace('.', ',').replace('X', '.')   # 1.356,250000
    big = test.assign(x_num1=(test.x_num1*1000).round(6))
    for name, sep, frame, dots in (('te.tsv', '\t', test, False), ('q.csv', ',', test, False), ('semi.csv', ';', test, False),
                                   ('dots.csv', ',', big, True), ('dots.tsv', '\t', big, True)):
        (frame.assign(x_num1=frame.x_num1.map(fmt)) if dots else frame).to_csv(tmp_path/name, sep=sep, decimal=',', index=False)
        r = here(capsys, d/'wf', tmp_path/name, '--out', tmp_path/(name + '_o'))
        got = pd.read_csv(ok(r, 'tabular.workflow', 40))
        with warnings.catch_warnings(): warnings.simplefilter('ignore'); want = wf.predict(frame)
        assert (got.pid == test.pid).all() and (got.y.to_numpy() == want).all(), name
        line, = [l for l in r.stderr.splitlines() if 'decimal commas' in l]   # one line, saying what was done
        assert ('thousands dots' in line) == dots and "read as numbers" in line and ("thousands='.'" in line) == dots, line
        kw = eval(f"dict({re.search(r'as pd.read_csv[(]path, (.*)[)] does', line)[1]})")   # the reader it names, followed
        back = pd.read_csv(tmp_path/name, **kw)
        np.testing.assert_allclose(back[['x_num1', 'x_num2']].to_numpy(float), frame[['x_num1', 'x_num2']].to_numpy(float), rtol=1e-12)
    # the library's decimal-comma advice (a file the command cannot convert: a column that was numeric in training arrives as text) in the command's words; followed, it works
    fitted = TabularProc().fit(test.drop(columns='pid'))
    try: fitted.transform(test.drop(columns='pid').assign(x_num1=test.x_num1.map(fmt))); raise AssertionError('accepted')
    except ValueError as e: msg = _cli_words(str(e))
    assert "save the file with '.' as the decimal mark and no thousands separator" in msg and 'pd.read_csv' not in msg and 'astype' not in msg, msg
    test.to_csv(tmp_path/'dot.csv', index=False)   # saved with '.' as the decimal mark
    ok(here(capsys, d/'wf', tmp_path/'dot.csv', '--out', tmp_path/'dot'), 'tabular.workflow', 40)
