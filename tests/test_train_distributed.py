"fastai Learner under accelerate/DDP on 2 CPU processes (gloo): it trains, and reaches the single-process quality."
import importlib.util, json, os, re, shutil, socket, subprocess, sys, time, warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = '''
import json, os, sys, torch
from torch import nn
from fastai.learner import Learner
from fastai.data.core import DataLoaders
from fastai.data.load import DataLoader
from fastai.optimizer import Adam
from fastai.losses import CrossEntropyLossFlat
from fastai.metrics import accuracy
from fastai.torch_core import rank_distrib, num_distrib
from fastflow.core import set_seed
from fastflow.distributed import distrib_ctx, DistributedTrainer

def data(n=2048, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 8, generator=g); w = torch.randn(8, 3, generator=g)
    return list(zip(x, (x @ w).argmax(1)))

def main(out):
    torch.set_num_threads(1)
    ds = data(); set_seed(0)
    model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 3))
    dls = DataLoaders(DataLoader(ds[:1536], bs=32, shuffle=True), DataLoader(ds[1536:], bs=256))
    learn = Learner(dls, model, loss_func=CrossEntropyLossFlat(), opt_func=Adam, metrics=accuracy)
    with distrib_ctx(learn):
        dist = any(isinstance(c, DistributedTrainer) for c in learn.cbs)
        with learn.no_bar(), learn.no_logging(): learn.fit(6, 3e-3 * num_distrib() if num_distrib() else 3e-3)
    n_train_batches = len(learn.recorder.losses)   # training batches this process ran
    vloss, acc = learn.validate()   # after the context: full validation set on every process
    if rank_distrib() == 0:
        with open(out, 'w') as f: json.dump(dict(world=max(num_distrib(), 1), distributed=dist, valid_loss=float(vloss), accuracy=float(acc),
                                                 n_train_batches=n_train_batches), f)
    # a gloo group left alive can abort the process at exit ("terminate called without an active exception")
    if torch.distributed.is_initialized(): torch.distributed.destroy_process_group()

if __name__ == '__main__':
    main(sys.argv[1])
    # even with the group destroyed, a rank still aborted at interpreter teardown in one of session 14's two CI runs (a C++ thread
    # of torch's left joinable); the work is done and written, so leave without the teardown
    sys.stdout.flush(); sys.stderr.flush(); os._exit(0)
'''

def free_port():
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def torchrun(script, out, tmp_path, env):
    "Start `script out` on 2 CPU processes; each rank's output also goes to its own files under tmp_path/'ranks'"
    cmd = [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node', '2', '--master_addr', '127.0.0.1', '--master_port', str(free_port()),
           '--log-dir', str(tmp_path/'ranks'), '--tee', '3', str(script), str(out)]
    return subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

def ranks_said(tmp_path, n=3000):
    "The end of each rank's own output: the console interleaves them, and cuts off a rank that aborted"
    logs = sorted(f for f in (tmp_path/'ranks').rglob('*.log') if f.stat().st_size)
    return '\n'.join(f"--- {f.relative_to(tmp_path)}:\n{f.read_text(errors='replace')[-n:]}" for f in logs)

def finished(proc, script, out, tmp_path, env, timeout):
    "Wait for a `torchrun` run and check it succeeded; if its first failure was a rank's SIGABRT other than a collective mismatch, run it once more, with a warning"
    said, _ = proc.communicate(timeout=timeout)
    cause = re.search(r'Root Cause.*?exitcode\s*:\s*(-?\d+)', said, re.S)
    if proc.returncode and cause and int(cause[1]) == -6 and 'collective mismatch' not in ranks_said(tmp_path):
        # gloo aborts a rank from a C++ thread (std::terminate) on a transport error; it happened in 1 of ~40 CI runs, and in none
        # of 25 runs on the same commit here. Collectives of different sizes on two ranks say so ("Is there a distributed collective
        # mismatch in your code?"): that fails at once, whether it happens every time or by timing. A different number of collectives
        # shows as a closed peer or a timeout instead, and would be run again once: a second failure still fails.
        warnings.warn(f"a rank aborted (SIGABRT); running the processes again, once. What each rank said:\n{ranks_said(tmp_path, 1500)}")
        shutil.rmtree(tmp_path/'ranks', ignore_errors=True)
        proc = torchrun(script, out, tmp_path, env); said, _ = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, said[-2000:] + '\n' + ranks_said(tmp_path)

def test_two_cpu_processes_match_single_process(tmp_path, monkeypatch):
    script = tmp_path/'train_ddp.py'; script.write_text(SCRIPT)
    env = {**os.environ, 'PYTHONPATH': str(ROOT), 'MPLBACKEND': 'Agg', 'OMP_NUM_THREADS': '1', 'CUDA_VISIBLE_DEVICES': ''}
    for k in ('RANK', 'WORLD_SIZE', 'LOCAL_RANK'): env.pop(k, None)
    t0 = time.time()
    proc = torchrun(script, tmp_path/'ddp.json', tmp_path, env)
    # meanwhile, the single-process reference in this interpreter
    for k in ('RANK', 'WORLD_SIZE', 'LOCAL_RANK'): monkeypatch.delenv(k, raising=False)
    spec = importlib.util.spec_from_file_location('train_ddp', script); mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.main(tmp_path/'single.json')
    finished(proc, script, tmp_path/'ddp.json', tmp_path, env, timeout=240)
    single, ddp = json.loads((tmp_path/'single.json').read_text()), json.loads((tmp_path/'ddp.json').read_text())
    print(single, ddp, f'{time.time()-t0:.0f}s')
    assert single['world'] == 1 and not single['distributed']
    assert ddp['n_train_batches'] == single['n_train_batches']//2   # each process saw half of every epoch
    assert ddp['world'] == 2 and ddp['distributed']
    assert single['accuracy'] > 0.9 and ddp['accuracy'] > 0.9, (single, ddp)
    assert abs(single['accuracy'] - ddp['accuracy']) < 0.05 and ddp['valid_loss'] < 1.5*single['valid_loss'] + 0.05, (single, ddp)


# ---------------------------------------------------------------- fastflow's own learners on 2 CPU processes
APPS = '''
import json, os, sys, torch, numpy as np, warnings
warnings.simplefilter('ignore')
from fastai.torch_core import rank_distrib, num_distrib
from fastflow.core import set_seed
from fastflow.distributed import distrib_ctx, distrib_cbs, DistributedTrainer
from fastflow.metrics import rmse, accuracy

WORLD = max(num_distrib(), 1)   # each process takes bs/WORLD rows a step: the same global batch and number of steps as one process

def collab(sparse):
    "collab_learner('dot') on planted ratings: validation RMSE"
    from fastflow.testing import synth_ratings
    from fastflow.collab.data import CollabDataLoaders
    from fastflow.collab.learner import collab_learner
    dls = CollabDataLoaders.from_df(synth_ratings(150, 100, density=0.3, seed=0), bs=512//WORLD, seed=0, device='cpu')
    learn = collab_learner(dls, 'dot', n_factors=10, seed=0, sparse=sparse)
    with distrib_ctx(learn):
        dist = any(isinstance(c, DistributedTrainer) for c in learn.cbs)
        with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(6, 0.03)
    return dict(distributed=dist, value=float(rmse(dls.valid_df.rating, learn.predict_pairs(dls.valid_df))))

def tabular():
    "fit_tabular_nn (the public fit function) with cbs=distrib_cbs(): validation accuracy"
    from fastflow.testing import synth_tabular
    from fastflow.tabular.data import TabularProc
    from fastflow.tabular.nn import fit_tabular_nn, predict_tabular_nn
    df = synth_tabular(3000, seed=0).drop(columns='date'); trn, val = df.iloc[:2400], df.iloc[2400:]
    proc = TabularProc(drop=['y']).fit(trn)
    set_seed(0)
    cbs = distrib_cbs()
    learn = fit_tabular_nn(*proc.arrays(proc.transform(trn)), trn.y.to_numpy(), proc.card_, epochs=4, bs=128//WORLD, cbs=cbs, bf16=False)
    p = predict_tabular_nn(learn.model, *proc.arrays(proc.transform(val)))
    return dict(distributed=bool(cbs), value=float(accuracy(val.y.to_numpy(), p)))

def vision():
    "fastnet_learner on tensor_dls of synthetic images, fit_budget(epochs=...): validation accuracy"
    from fastflow.testing import synth_images
    from fastflow.vision.data import ImageTensors, tensor_dls
    from fastflow.vision.learner import fastnet_learner, fit_budget
    x, y, vocab = synth_images(40, size=16, seed=0)
    data = ImageTensors(torch.from_numpy(x).permute(0, 3, 1, 2).contiguous(), torch.from_numpy(y), vocab, [f'{k}.png' for k in range(len(y))])
    dls = tensor_dls(data, valid_pct=0.25, bs=16//WORLD, seed=0)
    set_seed(0)
    learn = fastnet_learner(dls, widths=(16, 32, 32), n_whiten=200, bf16=False, channels_last=False)
    with distrib_ctx(learn):
        dist = any(isinstance(c, DistributedTrainer) for c in learn.cbs)
        with learn.no_bar(), learn.no_logging(): fit_budget(learn, epochs=6)
    return dict(distributed=dist, value=float(learn.validate()[1]))

def budget():
    "TimeBudget(fit_schedule=True) with a clock per process, rank 1's running 3x fast: every process stops where rank 0 does, on one schedule"
    from torch import nn
    from fastai.learner import Learner
    from fastai.data.core import DataLoaders
    from fastai.data.load import DataLoader
    from fastflow.callbacks import FFCallback, TimeBudget
    class Clock(FFCallback):
        order = -1
        def __init__(self, s): self.s, self.t = s, 0.
        def now(self): return self.t
        def after_batch(self):
            if self.learn.training: self.t += self.s
    g = torch.Generator().manual_seed(0); x = torch.randn(4096, 4, generator=g); ds = list(zip(x, x.sum(1, keepdim=True)))
    learn = Learner(DataLoaders(DataLoader(ds, bs=32, shuffle=True), DataLoader(ds[:64], bs=32)), nn.Linear(4, 1), loss_func=nn.MSELoss())
    clock = Clock(1. + 2*rank_distrib()); tb = TimeBudget(10, fit_schedule=True, clock=clock.now)
    with distrib_ctx(learn):
        dist = any(isinstance(c, DistributedTrainer) for c in learn.cbs)
        with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(100, 0.01, cbs=[tb, clock])
    mine = dict(batches=tb.n_batches_run, lrs=[round(float(v), 12) for v in learn.recorder.lrs])
    every = [None]*WORLD
    if WORLD > 1: torch.distributed.all_gather_object(every, mine)
    else: every = [mine]
    return dict(distributed=dist, batches=[o['batches'] for o in every], same_lrs=all(o['lrs'] == every[0]['lrs'] for o in every))

def main(out):
    torch.set_num_threads(1)
    res = {'world': max(num_distrib(), 1), 'collab': collab(None), 'collab_sparse': collab(True), 'tabular': tabular(), 'vision': vision(),
           'budget': budget()}
    if rank_distrib() == 0: json.dump(res, open(out, 'w'))
    if torch.distributed.is_initialized(): torch.distributed.destroy_process_group()

if __name__ == '__main__':
    main(sys.argv[1])
    # as in SCRIPT: a rank aborted at interpreter teardown in session 25's CI ("terminate called without an active exception",
    # gloo's worker threads, pytorch/pytorch#190489) after its work was done; leave without the teardown
    sys.stdout.flush(); sys.stderr.flush(); os._exit(0)
'''

# tolerance: with bs/2 rows a process, 2 processes take the same steps on the same global batches as one process, but
# on other rows (rank 0's order cut in two) and with BatchNorm statistics per process, so they reach its quality, not its weights
TOL = {'collab': ('rmse', 0.05), 'collab_sparse': ('rmse', 0.05), 'tabular': ('accuracy', 0.05), 'vision': ('accuracy', 0.10)}

def test_fastflow_learners_two_cpu_processes_match_single_process(tmp_path, monkeypatch):
    script = tmp_path/'apps_ddp.py'; script.write_text(APPS)
    env = {**os.environ, 'PYTHONPATH': str(ROOT), 'MPLBACKEND': 'Agg', 'OMP_NUM_THREADS': '1', 'CUDA_VISIBLE_DEVICES': ''}
    for k in ('RANK', 'WORLD_SIZE', 'LOCAL_RANK'): env.pop(k, None)
    proc = torchrun(script, tmp_path/'ddp.json', tmp_path, env)
    for k in ('RANK', 'WORLD_SIZE', 'LOCAL_RANK'): monkeypatch.delenv(k, raising=False)
    single_out = subprocess.run([sys.executable, str(script), str(tmp_path/'single.json')], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert single_out.returncode == 0, single_out.stderr[-4000:]
    finished(proc, script, tmp_path/'ddp.json', tmp_path, env, timeout=400)
    single, ddp = json.loads((tmp_path/'single.json').read_text()), json.loads((tmp_path/'ddp.json').read_text())
    print(single, ddp)
    assert single['world'] == 1 and ddp['world'] == 2
    for app, (metric, tol) in TOL.items():
        s, d = single[app], ddp[app]
        assert not s['distributed'] and d['distributed'], (app, s, d)
        assert abs(s['value'] - d['value']) <= tol, f"{app}: {metric} {d['value']:.4f} on 2 processes vs {s['value']:.4f} on one (tolerance {tol})"
    assert single['collab']['value'] < 0.6 and single['tabular']['value'] > 0.8 and single['vision']['value'] > 0.8, single   # each learned
    # a time budget: rank 0's clock decides for every process (each by its own, rank 1 would stop at batch 4 and leave rank 0 waiting)
    assert single['budget']['batches'] == [10] and ddp['budget']['batches'] == [10, 10] and ddp['budget']['same_lrs'], ddp['budget']


def test_xgboost_on_a_two_worker_dask_cluster():
    "fit_xgb_dask trains through xgboost.dask on a LocalCluster and scores like single-machine xgboost"
    import pytest
    # the optional extra: pip install '.[distributed]' (Dask and pyarrow); `make test` runs this test in `make pytest-distributed`
    import os
    if os.environ.get('FASTFLOW_REQUIRE_DASK'): import dask.distributed, xgboost.dask  # noqa: F401 (make pytest-distributed: a failed import fails, never skips)
    else: pytest.importorskip('dask.distributed'); pytest.importorskip('xgboost.dask', reason="xgboost.dask needs dask.dataframe and pyarrow: `make pytest-distributed` runs this test")
    import numpy as np, xgboost as xgb, dask.dataframe as dd
    from dask.distributed import Client, LocalCluster
    from fastflow.distributed import fit_xgb_dask
    from fastflow.testing import synth_tabular
    df = synth_tabular(4000, seed=0).drop(columns='date').assign(cat=lambda d: d.cat.astype('category'))
    X, y = df.drop(columns='y'), df.y.to_numpy()
    trn, val = slice(0, 3000), slice(3000, None)
    params = dict(n_estimators=50, learning_rate=0.1, max_depth=4)
    local = xgb.XGBClassifier(tree_method='hist', enable_categorical=True, **params).fit(X.iloc[trn], y[trn])
    acc_local = float((local.predict(X.iloc[val]) == y[val]).mean())
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster) as client:
        est = fit_xgb_dask(client, X.iloc[trn], y[trn], **params)
        p = est.predict(dd.from_pandas(X.iloc[val], npartitions=2)).compute()
    acc_dask = float((np.asarray(p) == y[val]).mean())
    print(acc_local, acc_dask)
    assert acc_local > 0.8 and abs(acc_dask - acc_local) < 0.03, (acc_local, acc_dask)
