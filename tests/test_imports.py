"Every fastflow module imports alone in a fresh interpreter, with no side effects such as files written or globals changed."
import os, subprocess, sys
from pathlib import Path
import pytest

PKG = Path(__file__).resolve().parents[1]/'fastflow'
MODULES = sorted('fastflow.' + '.'.join(p.relative_to(PKG).with_suffix('').parts) for p in PKG.rglob('*.py')
                 if p.name != '__init__.py' and not p.name.startswith('_'))

def test_found_modules(): assert 'fastflow.core' in MODULES and 'fastflow.cli' in MODULES

@pytest.mark.parametrize('mod', MODULES)
def test_import_alone(mod, tmp_path):
    code = f"import {mod}, os; assert os.listdir('.') == [], os.listdir('.')"
    r = subprocess.run([sys.executable, '-c', code], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                       env={**os.environ, 'MPLBACKEND': 'Agg'})
    assert r.returncode == 0, r.stderr[-2000:]

# Dependencies imported before the snapshot of `warnings.filters`: the filters they install when imported
# (numpy's RankWarning, torch's TracerWarning, scipy's and sympy's own warning classes) are theirs, and a user has them
# whatever fastflow does. accelerate is not among them: only `fastflow.distributed` brings it in, and it must undo
# accelerate's global filter that hides torch's `lr_scheduler` warnings.
_DEPS = ('import torch, numpy, pandas, scipy.special, scipy.stats, sklearn, matplotlib.pyplot, sympy, xgboost\n'
         'from fastflow.core import import_fastai; import_fastai()\n'
         'import fastai.vision.all, fastai.tabular.all, fastai.collab\n')
# Environment variables dependencies set on import: scikit-learn/joblib and fastai set KMP_DUPLICATE_LIB_OK and
# KMP_INIT_AT_FORK (work-arounds for Intel OpenMP), torch's inductor sets TORCHINDUCTOR_CACHE_DIR when loaded.
IGNORED_ENV = {'KMP_DUPLICATE_LIB_OK', 'KMP_INIT_AT_FORK', 'TORCHINDUCTOR_CACHE_DIR'}

def test_imports_keep_globals():
    "Importing each fastflow module (one after another, in one fresh interpreter) leaves `warnings.filters` and `os.environ` (but for `IGNORED_ENV`) as they were"
    code = _DEPS + f"""
import os, warnings, importlib
env0, bad = dict(os.environ), []
for mod in {MODULES!r}:
    f0, e0 = list(warnings.filters), dict(os.environ)
    importlib.import_module(mod)
    added, removed = [f for f in warnings.filters if f not in f0], [f for f in f0 if f not in warnings.filters]
    env = {{k: (e0.get(k), os.environ.get(k)) for k in set(e0) | set(os.environ) if e0.get(k) != os.environ.get(k) and k not in {IGNORED_ENV!r}}}
    if added or removed: bad.append(f'{{mod}}: warnings filters added {{added}}, removed {{removed}}')
    if env: bad.append(f'{{mod}}: os.environ changed {{env}}')
assert not bad, chr(10).join(bad)
"""
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=300, env={**os.environ, 'MPLBACKEND': 'Agg'})
    assert r.returncode == 0, r.stderr[-3000:]

@pytest.mark.parametrize('mod', ['fastflow.tabular.workflow', 'fastflow.collab.learner', 'fastflow.vision.learner', 'fastflow.cli'])
def test_no_accelerate_unless_distributed(mod):
    "accelerate (and fastai.distributed) load only with fastflow.distributed, where they are used"
    code = f"import sys, {mod}; assert 'accelerate' not in sys.modules and 'fastai.distributed' not in sys.modules"
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=300, env={**os.environ, 'MPLBACKEND': 'Agg'})
    assert r.returncode == 0, r.stderr[-2000:]

# every public name that moved in the one-architecture redesign: old import -> new home, with a DeprecationWarning
MOVED = [('fastflow.learner', 'export_learner', 'fastflow.export', 'export_learner'),
         ('fastflow.learner', 'fast_cpu_cbs', 'fastflow.speed', 'fast_cpu_cbs'),
         ('fastflow.learner', 'distrib_ctx', 'fastflow.distributed', 'distrib_ctx'),
         ('fastflow.tabular.model', 'fit_tabular_nn', 'fastflow.tabular.nn', 'fit_tabular_nn'),
         ('fastflow.tabular.model', 'TensorDL', 'fastflow.data', 'TensorLoader'),
         ('fastflow.tabular.models', 'NNClassifier', 'fastflow.tabular.estimators', 'NNClassifier'),
         ('fastflow.tabular.explain', 'demo', 'fastflow.demo', 'demo_tabular'),
         ('fastflow.collab.learner', 'demo', 'fastflow.demo', 'demo_collab'),
         ('fastflow.vision.learner', 'fast_learner', 'fastflow.vision.learner', 'fastnet_learner'),
         ('fastflow.vision.learner', 'Interpretation', 'fastflow.vision.interpret', 'ImageInterpretation'),
         ('fastflow.vision.learner', 'write_digits', 'fastflow.testing', 'write_digits'),
         ('fastflow.vision.learner', 'demo', 'fastflow.demo', 'demo_vision'),
         ('fastflow.vision.data', 'stratified_split', 'fastflow.vision.data', 'train_valid_split'),
         ('fastflow.vision.models', 'local_vision_learner', 'fastflow.vision.learner', 'local_vision_learner')]

@pytest.mark.parametrize('old_mod,old,new_mod,new', MOVED, ids=[f'{m}.{n}' for m, n, _, _ in MOVED])
def test_moved_names_still_import(old_mod, old, new_mod, new):
    import importlib, warnings
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        obj = getattr(importlib.import_module(old_mod), old)
    assert obj is getattr(importlib.import_module(new_mod), new)
    assert any(issubclass(x.category, DeprecationWarning) and f'{new_mod}.{new}' in str(x.message) for x in w), [str(x.message) for x in w]

def test_old_callback_name_warns():
    from fastflow.callbacks import AccumulateBatches, GradientAccumulation
    with pytest.warns(DeprecationWarning, match='AccumulateBatches'): cb = GradientAccumulation(2)
    assert isinstance(cb, AccumulateBatches) and cb.n_batches == 2
