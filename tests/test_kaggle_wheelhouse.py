"""The internet-off install, end to end, in CI (about 5 minutes; needs the package index to build the wheelhouse and
the stand-in image, `pytest tests/test_kaggle_wheelhouse.py -s` to see the timings).

1. `build_wheelhouse` (online, as on a developer machine).
2. A fresh virtual environment standing in for Kaggle's image: a matching torch and torchvision (the pair on this
   machine's disk), the scientific stack, and the image's old fast.ai stack (fastai 2.7.19 with fastcore<2);
   xgboost goes in without its CUDA dependencies.
3. `pip install --no-index --find-links WHEELHOUSE fastflow` with every pip config file ignored: the wheelhouse alone.
4. In that environment, outside the checkout: every fastflow module imports, a fastai tabular model fits and a
   submission is written; then the two-kernel workflow of every kaggle/ folder: kernel.py --smoke trains (a vision
   fit for cifar10-subset) and exports its model folder, the folder is made read-only, and predict.py in a fresh
   process writes the same submission.csv byte for byte.
"""
import os, subprocess, sys, time
from conftest import set_writable
from pathlib import Path
from fastflow.kaggle import build_wheelhouse

ROOT = Path(__file__).resolve().parents[1]
TORCH = ('torch==2.14.1', 'torchvision==0.29.1')   # a matching pair from this machine's disk, as Kaggle's image has one
IMAGE_NO_DEPS = ('xgboost', 'fastai==2.7.19')   # xgboost's CUDA pins would pull GBs; fastai 2.7's torch pin too
IMAGE = ('fastcore==1.7.29', 'fastprogress==1.0.3', 'fastdownload==0.0.7', 'numpy', 'pandas', 'scikit-learn', 'scipy',
         'matplotlib', 'pillow', 'requests', 'pyyaml', 'packaging', 'cloudpickle', 'rich', 'spacy', 'accelerate')
SMOKE = '''
import importlib, pkgutil, sys, tempfile, time
from importlib.metadata import version
import fastflow
assert 'site-packages' in fastflow.__file__, fastflow.__file__
mods = [m.name for m in pkgutil.walk_packages(fastflow.__path__, 'fastflow.') if not m.name.split('.')[-1].startswith('_')]
for m in mods: importlib.import_module(m)
import pandas as pd
from fastai.tabular.all import TabularDataLoaders, tabular_learner, Categorify, FillMissing, Normalize, CategoryBlock, accuracy
from fastflow.testing import synth_tabular
from fastflow.kaggle import write_submission
t0 = time.time()
dls = TabularDataLoaders.from_df(synth_tabular(400), y_names='y', y_block=CategoryBlock(), cat_names=['cat', 'flag'],
                                 cont_names=['x_num1', 'x_num2', 'noise'], procs=[Categorify, FillMissing, Normalize],
                                 bs=64, valid_idx=list(range(300, 400)))
learn = tabular_learner(dls, metrics=accuracy)
with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(3, 1e-2)
acc = float(learn.validate()[1])
f = write_submission(learn.get_preds()[0].argmax(1).numpy(), pd.DataFrame({'id': range(100), 'y': [0, 1]*50}), tempfile.mkdtemp())
print({'fastai': version('fastai'), 'fastcore': version('fastcore'), 'torch': version('torch'), 'modules': len(mods),
       'valid_accuracy': round(acc, 3), 'fit_seconds': round(time.time() - t0, 1)})
assert version('fastai').startswith('2.8') and version('fastcore').startswith('2.') and acc > 0.7
'''

def stand_in(py, name, version='99') -> None:
    "Register `name` as installed in `py`'s environment without its files: the GPU libraries Kaggle's image has (GBs)"
    site = Path(sh(py, '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])').strip())
    d = site/f"{name.replace('-', '_')}-{version}.dist-info"; d.mkdir()
    (d/'METADATA').write_text(f'Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n'); (d/'RECORD').write_text('')

def sh(*cmd, env=None, cwd=None, timeout=1800):
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout)
    assert r.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    return r.stdout

def test_offline_install(tmp_path):
    times = {}
    t = time.perf_counter(); wh = build_wheelhouse(tmp_path/'wheelhouse'); times['wheelhouse'] = time.perf_counter() - t
    t = time.perf_counter()
    sh(sys.executable, '-m', 'venv', tmp_path/'image'); py = tmp_path/'image'/'bin'/'python'
    sh(py, '-m', 'pip', 'install', '-q', *TORCH)
    sh(py, '-m', 'pip', 'install', '-q', '--no-deps', *IMAGE_NO_DEPS)
    sh(py, '-m', 'pip', 'install', '-q', *IMAGE)
    stand_in(py, 'nvidia-nccl-cu12')   # xgboost's CUDA dependency, present on Kaggle, skipped by --no-deps above
    times['image'] = time.perf_counter() - t
    assert sh(py, '-c', 'import fastcore; print(fastcore.__version__)').startswith('1.')
    offline = {k: v for k, v in os.environ.items() if not k.startswith(('PIP_', 'PYTHONPATH'))}
    offline['PIP_CONFIG_FILE'] = os.devnull   # no find-links or mirrors from pip's config: the wheelhouse alone
    t = time.perf_counter()
    log = sh(py, '-m', 'pip', 'install', '--no-index', '--find-links', wh['dir'], 'fastflow', env=offline)
    times['offline_install'] = time.perf_counter() - t
    print(log.splitlines()[-1])
    (tmp_path/'smoke.py').write_text(SMOKE)
    t = time.perf_counter(); print(sh(py, tmp_path/'smoke.py', env={**offline, 'MPLBACKEND': 'Agg'}, cwd=tmp_path).strip()); times['smoke'] = time.perf_counter() - t
    env = {**offline, 'MPLBACKEND': 'Agg'}
    for k in sorted(ROOT.glob('kaggle/*/kernel.py')):
        out, t = tmp_path/'out'/k.parent.name, time.perf_counter()
        r = subprocess.run([py, k, '--smoke', '--out', out], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=1800)
        times[f'kernel {k.parent.name}'] = time.perf_counter() - t
        assert r.returncode == 0, f"{k.parent.name}/kernel.py failed in the offline install:\n{r.stderr[-3000:]}"
        if not (k.parent/'predict.py').is_file(): continue
        set_writable(out/'model', False)
        t = time.perf_counter()
        try: r = subprocess.run([py, k.parent/'predict.py', '--model', out/'model', '--data', out/'smoke_data', '--out', tmp_path/'pred'/k.parent.name],
                                capture_output=True, text=True, env=env, cwd=tmp_path, timeout=1800)
        finally: set_writable(out/'model', True)
        times[f'predict {k.parent.name}'] = time.perf_counter() - t
        assert r.returncode == 0, f"{k.parent.name}/predict.py failed in the offline install:\n{r.stderr[-3000:]}"
        assert (tmp_path/'pred'/k.parent.name/'submission.csv').read_bytes() == (out/'submission.csv').read_bytes()
    print({k: round(v, 1) for k, v in times.items()}, f"wheelhouse {wh['mb']} MB, {len(wh['wheels'])} wheels")
