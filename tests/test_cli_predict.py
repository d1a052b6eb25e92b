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
