"Export in one interpreter, load in another: weights-only needs no code; a pickle with a missing function names it."
import os, subprocess, sys, textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def py(code, cwd, extra_path=()):
    env = {**os.environ, 'PYTHONPATH': os.pathsep.join([str(ROOT), *map(str, extra_path)]), 'MPLBACKEND': 'Agg'}
    return subprocess.run([sys.executable, '-c', textwrap.dedent(code)], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)

def test_roundtrip_across_interpreters(tmp_path):
    (tmp_path/'mymodels.py').write_text(textwrap.dedent('''
        import torch.nn as nn, torch.nn.functional as F
        def make_net(n_in=3, n_out=2): return nn.Sequential(nn.Linear(n_in, 16), nn.ReLU(), nn.Linear(16, n_out))
        def my_loss(pred, targ): return F.cross_entropy(pred, targ)
    '''))
    save = py('''
        import torch
        from fastai.learner import Learner
        from fastai.data.core import Datasets
        from fastai.data.transforms import ItemGetter
        import fastai.callback.progress  # Learner.no_bar (fastai adds it when this module is imported, as `from fastai.basics import *` does)
        from fastflow.export import export_learner, save_weights
        from mymodels import make_net, my_loss
        torch.manual_seed(0); x = torch.randn(64, 3); y = (x[:, 0] > 0).long()
        dls = Datasets(list(zip(x, y)), [[ItemGetter(0)], [ItemGetter(1)]], splits=[list(range(64)), list(range(64))]).dataloaders(bs=16)
        learn = Learner(dls, make_net(), loss_func=my_loss)   # fastai Datasets: a pipeline the pickle can keep (emptied)
        with learn.no_bar(), learn.no_logging(): learn.fit(2, 1e-2)
        torch.save(learn.get_preds()[0], 'preds.pt'); torch.save(x, 'x.pt')
        export_learner(learn, 'out/learner.pkl', unsafe=True); save_weights(learn, 'out/net', builder=make_net, kwargs=dict(n_in=3, n_out=2))
    ''', tmp_path, [tmp_path])
    assert save.returncode == 0, save.stderr[-2000:]
    # fresh interpreter, mymodels importable: both formats give the same predictions (my_loss has no activation: raw outputs);
    # then mymodels is gone: weights load into a model the caller builds, and the pickle names what is missing
    r = py('''
        import importlib, os, sys, warnings, torch, torch.nn as nn
        from fastflow.export import load_learner, load_weights
        warnings.simplefilter('ignore')   # unsafe=True warns that unpickling runs code from the file: this file is ours
        x, p = torch.load('x.pt'), torch.load('preds.pt')
        assert torch.allclose(load_weights('out/net', trusted=True).eval()(x), p, atol=1e-6)
        assert torch.allclose(load_learner('out/learner.pkl', unsafe=True).model.eval()(x), p, atol=1e-6)
        os.remove('mymodels.py'); del sys.modules['mymodels']; importlib.invalidate_caches()
        net = load_weights('out/net', model=nn.Sequential(nn.Linear(3, 16), nn.ReLU(), nn.Linear(16, 2))).eval()
        assert torch.allclose(net(x), p, atol=1e-6)
        try: load_learner('out/learner.pkl', unsafe=True)
        except ImportError as e: print(e)
    ''', tmp_path, [tmp_path])
    assert r.returncode == 0, r.stderr[-2000:]
    assert 'mymodels.my_loss' in r.stdout and 'Fix:' in r.stdout, r.stdout
