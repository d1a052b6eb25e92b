"""write_submission into a folder this user cannot write: root ignores permissions, so the write runs as an unprivileged user
(nobody, through setpriv or runuser) in a child process. The error names the folder and what to do, and nothing is lost."""
import json, os, shutil, stat, subprocess, sys, tempfile
from pathlib import Path
import pandas as pd, pytest
from fastflow.submission import write_submission

from conftest import NOBODY, unprivileged

CHILD = '''
import json, os, sys
from fastflow.submission import write_submission
path = sys.argv[2] or None
try: print(json.dumps(['written', str(write_submission([0, 1, 1], sys.argv[1], path))]))
except Exception as e: print(json.dumps([type(e).__name__, str(e)]))
'''

def _env(**kw) -> dict:
    keep = {k: v for k, v in os.environ.items() if k in ('PATH', 'LANG', 'LC_ALL', 'PYTHONPATH')}
    return {**keep, 'HOME': '/nonexistent', 'PYTHONDONTWRITEBYTECODE': '1', 'OMP_NUM_THREADS': '1', 'MPLCONFIGDIR': tempfile.gettempdir(), **kw}

@pytest.fixture(scope='module')
def drop():
    "The command prefix that runs a child as an unprivileged user ([] when this user is not root already), or a skip"
    return unprivileged('fastflow.submission', _env())

@pytest.fixture
def place(drop):
    "A competition folder with its sample, and an output folder with an earlier submission that the unprivileged user cannot write in (root's, or made read-only)"
    base = Path(tempfile.mkdtemp(prefix='fastflow-ro-')); base.chmod(0o755)   # not pytest's tmp_path: its parents are closed to other users
    (base/'comp').mkdir(); pd.DataFrame({'id': [1, 2, 3], 'y': [0, 1, 0]}).to_csv(base/'comp'/'sample_submission.csv', index=False)
    (base/'out').mkdir(); (base/'out'/'submission.csv').write_text('id,y\n1,1\n2,1\n3,1\n')
    for p in base.rglob('*'): p.chmod(0o755 if p.is_dir() else 0o644)
    if not drop: (base/'out').chmod(0o555)   # this user is unprivileged already: its own folder, read-only
    yield base
    for p in [base, *base.rglob('*')]: p.chmod(p.stat().st_mode | stat.S_IWUSR)
    shutil.rmtree(base)

def write_as(drop, place, path, **env):
    "Run write_submission as the unprivileged user; returns [error type or 'written', message or file]"
    if not drop:   # this user is unprivileged already: in this process
        with pytest.MonkeyPatch.context() as m:
            for k, v in env.items(): m.setenv(k, v)
            m.chdir(place)
            try: return ['written', str(write_submission([0, 1, 1], place/'comp'/'sample_submission.csv', path))]
            except Exception as e: return [type(e).__name__, str(e)]
    r = subprocess.run(drop + [sys.executable, '-c', CHILD, str(place/'comp'/'sample_submission.csv'), str(path or '')],
                       capture_output=True, text=True, timeout=300, env=_env(**env), cwd=place)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])

def test_read_only_output_folder(drop, place):
    out, old = place/'out', (place/'out'/'submission.csv').read_text()
    for path in (out, out/'submission.csv', out/'new.csv'):   # the folder, the file in it, another file in it
        kind, msg = write_as(drop, place, path)
        assert kind == 'PermissionError', msg
        assert f'Cannot write the submission: {out} is not writable' in msg and 'Pass another path, a folder or .csv file you can write to' in msg, msg
        assert msg.endswith(f'nothing was written, and {out/"submission.csv"} is unchanged.' if path != out/'new.csv' else 'nothing was written.'), msg
    kind, msg = write_as(drop, place, None, FASTFLOW_OUTPUT=str(out))   # the default folder, set by the environment
    assert kind == 'PermissionError' and f'{out} is not writable' in msg and '(or set FASTFLOW_OUTPUT to one)' in msg, msg
    kind, msg = write_as(drop, place, out/'sub'/'more')   # a folder that cannot be made
    assert kind == 'PermissionError' and f"{out/'sub'/'more'} cannot be created" in msg and 'Permission denied' in msg and 'nothing was written.' in msg, msg
    assert (out/'submission.csv').read_text() == old and sorted(p.name for p in out.iterdir()) == ['submission.csv']   # nothing lost, nothing left

def test_read_only_file_in_a_writable_folder(drop, place):
    "A folder the user may write, holding a submission.csv the user may not: refused too, rather than replaced by a rename"
    out, old = place/'out', (place/'out'/'submission.csv').read_text()
    if drop: os.chown(out, NOBODY, NOBODY)
    else: out.chmod(0o755); (out/'submission.csv').chmod(0o444)
    kind, msg = write_as(drop, place, out)
    assert kind == 'PermissionError' and f"{out/'submission.csv'} exists and is read-only; choose another path" in msg, msg
    assert (out/'submission.csv').read_text() == old and sorted(p.name for p in out.iterdir()) == ['submission.csv']
    kind, f = write_as(drop, place, out/'new.csv')   # a new file beside it is fine
    assert kind == 'written' and Path(f) == out/'new.csv' and (out/'new.csv').read_text() == 'id,y\n1,0\n2,1\n3,1\n'
    assert stat.S_IMODE((out/'submission.csv').stat().st_mode) in (0o644, 0o444)

OUT_CHILD = '''
import json, sys
from fastflow.core import output_dir
try: print(json.dumps(['made', str(output_dir(sys.argv[1] or None))]))
except Exception as e: print(json.dumps([type(e).__name__, str(e)]))
'''

@pytest.mark.parametrize('given', [True, False])
def test_output_dir_not_writable(drop, place, given):
    "output_dir (every --out and export folder) on a folder this user cannot write: the advice fits how it was named"
    if not drop: pytest.skip('runs the child as nobody (this user is unprivileged already: covered by the submission tests)')
    out = place/'out'
    r = subprocess.run(drop + [sys.executable, '-c', OUT_CHILD, str(out) if given else ''], capture_output=True, text=True, timeout=300,
                       env=_env(**({} if given else {'FASTFLOW_OUTPUT': str(out)})), cwd=place)
    kind, msg = json.loads(r.stdout.strip().splitlines()[-1])
    assert kind == 'PermissionError' and f'{out} is not writable by this user' in msg and 'nothing was written' in msg, msg
    assert ('pass a folder you can write to' if given else 'set FASTFLOW_OUTPUT to a folder you can write to') in msg, msg

def test_output_dir_cannot_be_made(drop, place):
    "A new output folder inside one this user cannot write: the same advice, and the OS's reason"
    if not drop: pytest.skip('runs the child as nobody')
    out = place/'out'/'new'
    r = subprocess.run(drop + [sys.executable, '-c', OUT_CHILD, str(out)], capture_output=True, text=True, timeout=300, env=_env(), cwd=place)
    kind, msg = json.loads(r.stdout.strip().splitlines()[-1])
    assert kind == 'PermissionError' and f'Cannot create output folder {out} (Permission denied)' in msg and 'pass a folder you can write to' in msg, msg
    assert not out.exists()
