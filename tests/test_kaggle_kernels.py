"""Every kernel in kaggle/*/kernel.py runs in smoke mode (tiny generated data in the competition's file format) in a fresh
process and writes a submission that matches the competition's format; every kernel folder has metadata that keeps the
internet off. Where a folder has an inference kernel (predict.py), the training kernel's model folder is made read-only
and predict.py, in another fresh process, must write the same submission byte for byte. Kernels that do not exist yet
are skipped, not failed."""
import json, os, re, subprocess, sys
from pathlib import Path
import pandas as pd, pytest
from fastflow.kaggle import WHEELHOUSE_SLUG, check_submission
from conftest import set_writable

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = sorted(p for p in (ROOT/'kaggle').glob('*') if p.is_dir() and not p.name.startswith(('.', '_')))
KERNELS = [d for d in FOLDERS if (d/'kernel.py').is_file()]
CIFAR10 = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']
# The submission format of each competition: columns, and a check of the target column
FORMATS = {'titanic': (['PassengerId', 'Survived'], lambda s: s.isin([0, 1]).all()),
           'house-prices': (['Id', 'SalePrice'], lambda s: (s > 0).all()),
           'cifar10-subset': (['id', 'label'], lambda s: s.isin(CIFAR10).all())}
SAMPLE_NAMES = ('sample_submission.csv', 'gender_submission.csv')

def test_kaggle_folder_exists(): assert (ROOT/'kaggle'/'README.md').is_file() and FOLDERS

@pytest.mark.parametrize('folder', FOLDERS, ids=lambda p: p.name)
def test_metadata(folder):
    f = folder/'kernel-metadata.json'
    assert f.is_file(), f"{folder.name}/ has no kernel-metadata.json"
    m = json.loads(f.read_text())
    assert m['enable_internet'] is False, 'competitions run kernels with the internet off: set "enable_internet": false'
    assert m['kernel_type'] == 'script' and m['code_file'] == 'kernel.py' and m['language'] == 'python'
    assert m['id'].split('/')[1].startswith('fastflow-')
    assert any(s.endswith('/' + WHEELHOUSE_SLUG) for s in m['dataset_sources']), 'attach the wheelhouse dataset'
    assert m['competition_sources'] or len(m['dataset_sources']) > 1, 'the kernel needs its data: a competition or a dataset source'

@pytest.mark.parametrize('folder', [d for d in FOLDERS if (d/'predict.py').is_file()], ids=lambda p: p.name)
def test_predict_metadata(folder):
    m, k = (json.loads((folder/f).read_text()) for f in ('predict-metadata.json', 'kernel-metadata.json'))
    assert m['enable_internet'] is False and m['code_file'] == 'predict.py' and m['kernel_type'] == 'script'
    assert k['id'] in m['kernel_sources'], "the inference kernel takes the training kernel's output (its model folder) as an input"
    assert any(s.endswith('/' + WHEELHOUSE_SLUG) for s in m['dataset_sources']) and m['id'] != k['id']

@pytest.mark.parametrize('folder', FOLDERS, ids=lambda p: p.name)
def test_kernel_present(folder):
    if not (folder/'kernel.py').is_file(): pytest.skip(f'kaggle/{folder.name}/kernel.py not written yet')

@pytest.mark.parametrize('kernel', KERNELS, ids=lambda p: p.name)
def test_kernel_smoke(kernel, tmp_path):
    out = tmp_path/'out'
    env = {**os.environ, 'MPLBACKEND': 'Agg', 'PYTHONPATH': os.pathsep.join([str(ROOT), os.environ.get('PYTHONPATH', '')])}
    env.pop('KAGGLE_KERNEL_RUN_TYPE', None)
    r = subprocess.run([sys.executable, str(kernel/'kernel.py'), '--smoke', '--out', str(out)], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, f"{kernel.name} --smoke failed:\n{r.stdout[-2000:]}\n{r.stderr[-4000:]}"
    assert re.search(r'cv|score|valid|accuracy|rmse', r.stdout, re.I), f"{kernel.name} should print its CV score:\n{r.stdout[-2000:]}"
    subs = list(out.rglob('submission.csv'))
    assert len(subs) == 1, f"expected one submission.csv under --out, found {subs}"
    sub = pd.read_csv(subs[0], dtype={0: str})
    cols, ok = FORMATS.get(kernel.name, (None, None))
    if cols is not None:
        assert list(sub.columns) == cols and ok(sub[cols[1]]), sub.head()
    assert len(sub) > 0 and not sub.isna().any().any() and not sub.iloc[:, 0].duplicated().any()
    samples = [p for p in tmp_path.rglob('*.csv') if p.name in SAMPLE_NAMES]   # the sample the smoke data made, if kept
    if samples: check_submission(sub, samples[0], classes=CIFAR10 if kernel.name == 'cifar10-subset' else None)
    if not (kernel/'predict.py').is_file(): return
    model = out/'model'
    assert (model/'fastflow.json').is_file(), f"{kernel.name}/kernel.py should export its model folder to --out/model"
    set_writable(model, False)   # as /kaggle/input: the inference kernel must only read it
    try:
        r = subprocess.run([sys.executable, str(kernel/'predict.py'), '--model', str(model), '--data', str(out/'smoke_data'),
                            '--out', str(tmp_path/'predicted')], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
    finally: set_writable(model, True)
    assert r.returncode == 0, f"{kernel.name}/predict.py failed:\n{r.stdout[-2000:]}\n{r.stderr[-4000:]}"
    assert (tmp_path/'predicted'/'submission.csv').read_bytes() == subs[0].read_bytes(), "predict.py must reproduce kernel.py's submission"

def _kernel_module(name):
    import importlib.util
    spec = importlib.util.spec_from_file_location(f'kernel_{name.replace("-", "_")}_rowwise', ROOT/'kaggle'/name/'kernel.py')
    m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
    return m

@pytest.mark.parametrize('name', ['house-prices', 'titanic'])
def test_features_rowwise(name, tmp_path):
    "A kernel's `features` uses no statistic of other rows (those come out of fold from the workflow): a row's features do not depend on its neighbours"
    k = _kernel_module(name)
    df = pd.read_csv(k.make_smoke_data(tmp_path)/'train.csv')
    full, part = k.features(df), k.features(df.iloc[::3].reset_index(drop=True))
    pd.testing.assert_frame_equal(full.iloc[::3].reset_index(drop=True), part)

@pytest.mark.parametrize('folder', KERNELS, ids=lambda p: p.name)
def test_kernel_mistakes_are_one_line(folder, tmp_path):
    "A kernel given a folder without the competition's files, or an inference kernel given no model folder, stops with one line (exit 1), before writing anything"
    empty, out = tmp_path/'empty', tmp_path/'out'; empty.mkdir()
    runs = [([folder/'kernel.py', '--data', empty, '--out', out], 'lacks')]
    if (folder/'predict.py').is_file(): runs.append(([folder/'predict.py', '--model', tmp_path/'nowhere', '--data', empty, '--out', out], 'is not a model folder'))
    for args, says in runs:
        r = subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True, cwd=tmp_path, timeout=300)
        assert r.returncode == 1 and says in r.stderr and 'Traceback' not in r.stderr, r.stderr[-2000:]
        assert len(r.stderr.strip().splitlines()) == 1 and not out.exists()
