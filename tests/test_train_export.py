"Export in one interpreter, load in another: weights-only needs no code; a pickle with a missing function names it."
import ast, os, subprocess, sys, textwrap
from pathlib import Path
import pytest

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

def test_tampered_files_never_run(tmp_path):
    "Payloads planted where each part of a model folder (or a pickle) is read: the default load refuses them all, and none runs"
    r = py(f'''
        import hashlib, json, os, pickle, numpy as np, torch
        from pathlib import Path
        from fastflow.export import ArtefactError, load_learner, load_model, save_artefact
        t, marker = Path({str(tmp_path)!r}), Path({str(tmp_path)!r})/'pwned'
        class Payload:
            def __reduce__(self): return (os.system, (f'touch {{marker}}',))
        def refused(f, *a, **k):
            try: f(*a, **k)
            except (ArtefactError, FileNotFoundError) as e: return str(e)
            raise AssertionError(f'{{f.__name__}}{{a}} was not refused')
        def reseal(d):   # a tamperer who also updates the checksums in the manifest
            m = json.loads((d/'fastflow.json').read_text())
            for n in m['files']: m['files'][n]['sha256'] = hashlib.sha256((d/n).read_bytes()).hexdigest()
            (d/'fastflow.json').write_text(json.dumps(m))
        (t/'evil.pkl').write_bytes(pickle.dumps(Payload())); torch.save({{'x': Payload()}}, t/'evil.pt')
        for f in ('evil.pkl', 'evil.pt'): print(refused(load_learner, t/f)[:60]); print(refused(load_model, t/f)[:60])
        d = save_artefact(t/'m', 'collab.learner', dict(model=dict(builder='os:system', kwargs=dict(command=f'touch {{marker}}'))),
                          tensors={{'w': torch.zeros(2)}}, arrays={{'a': np.zeros(2)}})
        print(refused(load_learner, d)[:80])
        torch.save({{'w': Payload()}}, d/'weights.safetensors'); reseal(d); print(refused(load_learner, d)[:80])
        save_artefact(d, 'collab.learner', {{}}, arrays={{'a': np.zeros(2)}})
        with open(d/'arrays.npz', 'wb') as f: np.savez(f, a=np.array([Payload()], dtype=object))
        reseal(d); print(refused(load_model, d)[:80])
        m = json.loads((d/'fastflow.json').read_text()); m['kind'] = 'os:system'; (d/'fastflow.json').write_text(json.dumps(m))
        print(refused(load_model, d)[:80])
        assert not marker.exists()
    ''', tmp_path)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    assert not (tmp_path/'pwned').exists()

# Linux's NFS client on a default mount (local_lock=none) makes flock a whole-file lock of lockf's kind held by the open
# file (flock(2)); an open-file-description (OFD) lock is exactly that. A child that runs this first sees NFS's locks.
NFS_FLOCK = '''
import fcntl, struct
def _nfs_flock(fd, op):
    typ = fcntl.F_WRLCK if op & fcntl.LOCK_EX else fcntl.F_RDLCK if op & fcntl.LOCK_SH else fcntl.F_UNLCK
    fcntl.fcntl(fd, fcntl.F_OFD_SETLK if op & fcntl.LOCK_NB else fcntl.F_OFD_SETLKW, struct.pack('hhqqi4x', typ, 0, 0, 0, 0))
fcntl.flock = _nfs_flock
'''
nfs_only = pytest.mark.skipif(not sys.platform.startswith('linux'), reason='simulates Linux NFS locks with OFD locks (Linux only)')

@pytest.mark.parametrize('nfs', [False, pytest.param(True, marks=nfs_only)])
def test_load_while_other_processes_reexport(tmp_path, nfs):
    "Two processes export into one folder while a third loads it: no export fails (one waits for the other), every load gives one export whole (never a mix of two, never a 'no fastflow.json'); under NFS's lock semantics too"
    d = tmp_path/'m'
    def writer(v): return subprocess.Popen([sys.executable, '-c', (NFS_FLOCK if nfs else '') + textwrap.dedent(f'''
        import collections, time, numpy as np, torch
        from fastflow.export import save_artefact
        t0, res = time.time(), collections.Counter()
        while time.time() - t0 < 6:
            try: save_artefact({str(d)!r}, 'demo', dict(i={v}), tensors={{'w': torch.full((50,), float({v}))}}, arrays={{'a': np.full(50, {v})}}); res['ok'] += 1
            except Exception as e: res[f'{{type(e).__name__}}: {{str(e)[:200]}}'] += 1
        print(dict(res))
    ''')], env={**os.environ, 'PYTHONPATH': str(ROOT)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    writers = [writer(0), writer(1)]
    r = py(f'''
        import time
        from pathlib import Path
        from fastflow.export import load_artefact
        d, t0, n = Path({str(d)!r}), time.time(), 0
        while not (d/'fastflow.json').exists(): time.sleep(0.01)
        while time.time() - t0 < 4:
            art = load_artefact(d); i = art.config['i']   # a mix (the config of one export, the weights of the other) fails here
            assert (art.tensors['w'] == i).all() and (art.arrays['a'] == i).all(), (i, art.tensors['w'][:3], art.arrays['a'][:3]); n += 1
        print(n)
    ''', tmp_path)
    outs = [w.communicate(timeout=120) for w in writers]
    for w, (out, err) in zip(writers, outs):
        assert w.returncode == 0, err[-2000:]
        res = ast.literal_eval(out)
        assert list(res) == ['ok'] and res['ok'] > 10, res   # before: 10% of them failed ('No such file', 'holds weights.safetensors ... cut short')
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    assert int(r.stdout) > 5, r.stdout
    assert sorted(p.name for p in d.iterdir()) == ['arrays.npz', 'fastflow.json', 'weights.safetensors']   # no staging folder left
    assert (tmp_path/'.m.lock').is_file()   # the lock: a file beside the folder (NFS locks a file open for writing across machines), not in it

# The lock and the staging folders' markers (helper-155): a lock file beside the folder, opened for writing (NFS locks
# across machines only so), never inside it; loading takes no lock; a killed export's staging folder judged by who wrote it.
import json, shutil, signal, socket, stat, tempfile, warnings

from conftest import NOBODY, unprivileged

def _env(**kw) -> dict:
    keep = {k: v for k, v in os.environ.items() if k in ('PATH', 'LANG', 'LC_ALL')}
    return {**keep, 'PYTHONPATH': str(ROOT), 'HOME': '/nonexistent', 'PYTHONDONTWRITEBYTECODE': '1', 'OMP_NUM_THREADS': '1',
            'MPLCONFIGDIR': tempfile.gettempdir(), 'MPLBACKEND': 'Agg', **kw}

@pytest.fixture(scope='module')
def drop():
    "The command prefix that runs a child as an unprivileged user ([] when this user is not root already), or a skip"
    return unprivileged('fastflow.export', _env())

@pytest.fixture
def base():
    "A folder other users can read but not write (not pytest's tmp_path: its parents are closed to other users)"
    b = Path(tempfile.mkdtemp(prefix='fastflow-lock-')); b.chmod(0o755)
    yield b
    for p in [b, *b.rglob('*')]:
        if not p.is_symlink(): p.chmod(p.stat().st_mode | stat.S_IWUSR)
    shutil.rmtree(b)

def _as(drop, code, *args):
    "Run `code` as the unprivileged user (or, not root, as this one); its last stdout line as JSON"
    r = subprocess.run(drop + [sys.executable, '-c', textwrap.dedent(code), *map(str, args)], capture_output=True, text=True, timeout=300, env=_env(), cwd='/')
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(r.stdout.strip().splitlines()[-1])

def _listing(p): return sorted((str(f.relative_to(p)), f.stat().st_mtime_ns) for f in [p, *p.rglob('*')] if f != p)

def test_read_only_folder_loads_without_a_lock(drop, base):
    "A model folder and its parent that the loading user cannot write (Kaggle's inputs): the load takes no lock and writes nothing"
    import numpy as np, torch
    from fastflow.export import save_artefact
    d = save_artefact(base/'models'/'m', 'demo', dict(i=3), tensors={'w': torch.full((4,), 3.)}, arrays={'a': np.arange(3)})
    assert (base/'models'/'.m.lock').is_file() and not any('lock' in f.name for f in d.iterdir())   # the exporter's lock: beside, not inside
    (base/'models'/'.m.lock').unlink()
    for p in [base/'models', *(base/'models').rglob('*')]: p.chmod(0o555 if p.is_dir() else 0o444)   # read-only (to root too, by mode; nobody is not the owner)
    before = _listing(base)
    got = _as(drop, '''
        import fcntl, json, os, sys
        from unittest import mock
        from fastflow.export import load_artefact
        def refuse(*a): raise AssertionError('a load took a lock')
        with mock.patch.object(fcntl, 'flock', refuse), mock.patch.object(fcntl, 'lockf', refuse):
            art = load_artefact(sys.argv[1])
        print(json.dumps([os.access(sys.argv[1], os.W_OK) and os.geteuid() != 0, art.config['i'], art.tensors['w'].tolist(), art.arrays['a'].tolist()]))
    ''', d)
    assert got == [False, 3, [3.] * 4, [0, 1, 2]], got
    assert _listing(base) == before   # no lock file, no staging folder, nothing touched

@pytest.mark.parametrize('nfs', [False, pytest.param(True, marks=nfs_only)])
@pytest.mark.parametrize('lock_there', [False, True])
def test_export_into_own_folder_in_a_parent_not_writable(drop, base, lock_there, nfs):
    "The user owns the model folder but cannot write its parent (so cannot make the lock file, or can only read one that is there): the export still works (flock on a descriptor open for reading; refused by NFS), and adds nothing to the folder"
    if not drop: pytest.skip('runs the child as nobody (a folder of another user is needed)')
    m = base/'models'/'m'; m.mkdir(parents=True); (base/'models').chmod(0o755); os.chown(m, NOBODY, NOBODY)
    if lock_there: (base/'models'/'.m.lock').touch(); (base/'models'/'.m.lock').chmod(0o644)   # root's, read-only to nobody
    got = _as(drop, (NFS_FLOCK if nfs else '') + textwrap.dedent('''
        import json, sys, numpy as np, torch
        from fastflow.export import load_artefact, save_artefact
        for i in range(3): save_artefact(sys.argv[1], 'demo', dict(i=i), tensors={'w': torch.full((4,), float(i))}, arrays={'a': np.arange(i + 1)})
        art = load_artefact(sys.argv[1]); print(json.dumps([art.config['i'], art.arrays['a'].tolist()]))
    '''), m)
    assert got == [2, [0, 1, 2]], got
    assert sorted(f.name for f in m.iterdir()) == ['arrays.npz', 'fastflow.json', 'weights.safetensors']
    assert sorted(f.name for f in (base/'models').iterdir()) == (['.m.lock', 'm'] if lock_there else ['m'])

KILLED = '''
import os, signal, sys, numpy as np, torch
from fastflow import export
d, at = sys.argv[1], int(sys.argv[2])
export.save_artefact(d, 'demo', dict(i=0), tensors={'w': torch.zeros(4)}, arrays={'a': np.zeros(3)})
real, calls = os.replace, []
def replace(a, b):   # killed in the middle of the swap, before move `at`: 2, the old manifest moved aside, the old weights not yet; 5, the new weights moved in, not the new arrays
    calls.append(b)
    if len(calls) == at: os.kill(os.getpid(), signal.SIGKILL)
    return real(a, b)
os.replace = replace
export.save_artefact(d, 'demo', dict(i=1), tensors={'w': torch.ones(4)}, arrays={'a': np.ones(3)})
'''

@pytest.fixture(params=[2, 5])
def killed(tmp_path, request):
    "A model folder whose second export was killed (SIGKILL) in the middle of its swap: no fastflow.json, the earlier export's manifest in the staging folder (and, at 5, the new weights already in the folder)"
    d = tmp_path/'m'
    r = subprocess.run([sys.executable, '-c', KILLED, str(d), str(request.param)], env=_env(), capture_output=True, text=True, timeout=300)
    assert r.returncode == -signal.SIGKILL, r.stderr[-2000:]
    (stage,) = d.glob('.fastflow-export-*'); who = json.loads((stage/'.fastflow-stage').read_text())
    assert who['host'] == socket.gethostname() and isinstance(who['pid'], int) and not (d/'fastflow.json').exists()
    if Path('/proc/sys/kernel/random/boot_id').exists(): assert who['boot_id'] == Path('/proc/sys/kernel/random/boot_id').read_text().strip()
    assert ((d/'weights.safetensors').exists() and not (stage/'weights.safetensors').exists()) == (request.param == 5)   # 5: the new weights moved in
    return d, stage, who

def test_killed_export_of_this_machine_is_restored(killed):
    "On this machine and boot, the killed export's process is gone: a load says where the earlier export is at once, the next export restores it and replaces it"
    import time, torch
    from fastflow.export import ArtefactError, load_artefact, save_artefact
    d, stage, who = killed
    t0 = time.monotonic()
    with pytest.raises(ArtefactError, match='killed while replacing the earlier one'): load_artefact(d)
    assert time.monotonic() - t0 < 5   # not waited on
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always'); save_artefact(d, 'demo', dict(i=2), tensors={'w': torch.full((4,), 2.)})
    assert any('the earlier export is restored' in str(m.message) for m in w), [str(m.message) for m in w]
    assert load_artefact(d).config['i'] == 2 and not stage.exists()

def test_killed_export_of_another_machine_is_left_alone(killed, monkeypatch):
    "The same folder as another machine left it (its marker names another host): never judged dead here; the load and the export say which machine, and the one command (recover) that puts the earlier export back"
    import torch
    from fastflow import export
    d, stage, who = killed
    (stage/'.fastflow-stage').write_text(json.dumps({**who, 'host': 'gpu-node-7'}))
    monkeypatch.setattr(export, '_WAIT', 0.3)   # a load waits for it as for a live export
    with pytest.raises(export.ArtefactError) as e: export.load_artefact(d)
    cmd = f"run fastflow.export.recover({str(d)!r}, force=True), which puts the earlier export back into the folder and removes {stage}"
    assert "an export on 'gpu-node-7' (process" in str(e.value) and cmd in str(e.value), str(e.value)
    with warnings.catch_warnings(record=True) as w, pytest.raises(export.ArtefactError, match='no fastflow manifest there lists them'):
        warnings.simplefilter('always'); export.save_artefact(d, 'demo', dict(i=2), tensors={'w': torch.full((4,), 2.)})
    assert any("an export on 'gpu-node-7'" in str(m.message) and cmd in str(m.message) for m in w), [str(m.message) for m in w]
    assert stage.exists() and (stage/'.previous'/'fastflow.json').exists()   # left alone, the earlier export with it
    with warnings.catch_warnings(record=True): warnings.simplefilter('always'); assert export.recover(d) == [] and stage.exists()   # not without force
    r = subprocess.run([sys.executable, '-c', f'import fastflow.export; print(fastflow.export.recover({str(d)!r}, force=True))'], env=_env(), capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and str(stage) in r.stdout and 'the earlier export is restored' in r.stderr, r.stderr[-2000:]   # the note's command, as given
    art = export.load_artefact(d); assert art.config['i'] == 0 and (art.tensors['w'] == 0).all() and (art.arrays['a'] == 0).all()   # the earlier export, whole
    assert sorted(f.name for f in d.iterdir()) == ['arrays.npz', 'fastflow.json', 'weights.safetensors']
    export.save_artefact(d, 'demo', dict(i=2), tensors={'w': torch.full((4,), 2.)}); assert export.load_artefact(d).config['i'] == 2

@nfs_only
def test_export_on_nfs_does_not_wait_on_itself(tmp_path):
    "helper-162's nfs_sim.py: with flock as NFS makes it (a lock of lockf's kind held by the open file), an export that took both on one file waited on itself for ever; one lock kind per file now"
    r = subprocess.run([sys.executable, '-c', NFS_FLOCK + textwrap.dedent(f'''
        import fcntl, os, signal, numpy as np, torch
        signal.alarm(20)   # the hang, if it came back: SIGALRM ends the child
        fd = os.open({str(tmp_path/'both.lock')!r}, os.O_RDWR | os.O_CREAT); fcntl.flock(fd, fcntl.LOCK_EX)   # the simulation is faithful: lockf waits on flock
        try: fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB); raise SystemExit('lockf did not wait on flock: not NFS-like')
        except BlockingIOError: os.close(fd)
        from fastflow.export import load_artefact, save_artefact
        for i in range(3): p = save_artefact({str(tmp_path/'model')!r}, 'test', dict(a=i), tensors={{'w': torch.full((2,), float(i))}}, arrays={{'x': np.arange(i + 1)}})
        art = load_artefact(p); print(art.config['a'], art.arrays['x'].tolist())
    ''')], env=_env(), capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, (r.returncode, r.stderr[-2000:])   # before: -14 (SIGALRM) after 20 s
    assert r.stdout.split() == ['2', '[0,', '1,', '2]'], r.stdout
