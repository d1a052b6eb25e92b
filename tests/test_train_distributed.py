"fastai Learner under accelerate/DDP on 2 CPU processes (gloo): it trains, and reaches the single-process quality."
import importlib.util, json, os, socket, subprocess, sys, time
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
        json.dump(dict(world=max(num_distrib(), 1), distributed=dist, valid_loss=float(vloss), accuracy=float(acc),
                       n_train_batches=n_train_batches), open(out, 'w'))
    # a gloo group left alive can abort the process at exit ("terminate called without an active exception")
    if torch.distributed.is_initialized(): torch.distributed.destroy_process_group()

if __name__ == '__main__': main(sys.argv[1])
'''

def free_port():
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def test_two_cpu_processes_match_single_process(tmp_path, monkeypatch):
    script = tmp_path/'train_ddp.py'; script.write_text(SCRIPT)
    env = {**os.environ, 'PYTHONPATH': str(ROOT), 'MPLBACKEND': 'Agg', 'OMP_NUM_THREADS': '1', 'CUDA_VISIBLE_DEVICES': ''}
    for k in ('RANK', 'WORLD_SIZE', 'LOCAL_RANK'): env.pop(k, None)
    t0 = time.time()
    cmd = [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node', '2', '--master_addr', '127.0.0.1',
           '--master_port', str(free_port()), str(script), str(tmp_path/'ddp.json')]
    proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    # meanwhile, the single-process reference in this interpreter
    for k in ('RANK', 'WORLD_SIZE', 'LOCAL_RANK'): monkeypatch.delenv(k, raising=False)
    spec = importlib.util.spec_from_file_location('train_ddp', script); mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.main(tmp_path/'single.json')
    out, _ = proc.communicate(timeout=240)
    assert proc.returncode == 0, out[-4000:]
    single, ddp = json.loads((tmp_path/'single.json').read_text()), json.loads((tmp_path/'ddp.json').read_text())
    print(single, ddp, f'{time.time()-t0:.0f}s')
    assert single['world'] == 1 and not single['distributed']
    assert ddp['n_train_batches'] == single['n_train_batches']//2   # each process saw half of every epoch
    assert ddp['world'] == 2 and ddp['distributed']
    assert single['accuracy'] > 0.9 and ddp['accuracy'] > 0.9, (single, ddp)
    assert abs(single['accuracy'] - ddp['accuracy']) < 0.05 and ddp['valid_loss'] < 1.5*single['valid_loss'] + 0.05, (single, ddp)
