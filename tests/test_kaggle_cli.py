"""`fastflow kaggle push|submit`: a clear stop without the official client or its credentials; with them (a stand-in script here,
so nothing reaches the network) the right command on a checked copy of the kernel."""
import json, os, subprocess, sys, tempfile, zipfile
from pathlib import Path
import pandas as pd, pytest
from fastflow.cli import main

FAKE_KAGGLE = '''#!/bin/sh
printf '%s\\n' "$@" > "$FAKE_KAGGLE_LOG"
if [ "$1" = kernels ]; then cp -r "$4" "$FAKE_KAGGLE_LOG.dir"; fi
'''

@pytest.fixture
def log(tmp_path, monkeypatch):
    "No `kaggle` on PATH and no credentials (empty HOME, KAGGLE_* unset); returns where a stand-in client logs its arguments"
    for k in [k for k in os.environ if k.startswith('KAGGLE_')]: monkeypatch.delenv(k)
    (tmp_path/'home').mkdir(); (tmp_path/'bin').mkdir()
    monkeypatch.setenv('HOME', str(tmp_path/'home')); monkeypatch.setenv('PATH', f"{tmp_path/'bin'}:/usr/bin:/bin")
    monkeypatch.setenv('FAKE_KAGGLE_LOG', str(tmp_path/'kaggle.log'))
    (tmp_path/'tmp').mkdir(); monkeypatch.setattr(tempfile, 'tempdir', str(tmp_path/'tmp'))   # copies made for the client land here
    return tmp_path/'kaggle.log'

@pytest.fixture
def client(log, tmp_path, monkeypatch):
    "A stand-in `kaggle` on PATH, and credentials in the environment"
    (tmp_path/'bin'/'kaggle').write_text(FAKE_KAGGLE); (tmp_path/'bin'/'kaggle').chmod(0o755)
    monkeypatch.setenv('KAGGLE_USERNAME', 'alice'); monkeypatch.setenv('KAGGLE_KEY', 'not-a-key')
    return log

@pytest.fixture
def kernel(tmp_path):
    d = tmp_path/'titanic'; d.mkdir()
    (d/'kernel.py').write_text('"A kernel."\nfrom __future__ import annotations\nprint("hi")\n')
    meta = {'id': 'KAGGLE_USERNAME/fastflow-titanic', 'title': 'fastflow titanic', 'code_file': 'kernel.py', 'language': 'python',
            'kernel_type': 'script', 'enable_internet': False, 'competition_sources': ['titanic'],
            'dataset_sources': ['KAGGLE_USERNAME/fastflow-wheelhouse']}
    (d/'kernel-metadata.json').write_text(json.dumps(meta))
    return d

def fails(*args) -> str:
    "Run `fastflow kaggle ARGS` in this process; it must stop with a message, which is returned"
    with pytest.raises(SystemExit) as e: main(['kaggle', *map(str, args)])
    assert isinstance(e.value.code, str), e.value.code
    return e.value.code

def test_console_script_without_client(log, kernel):
    "The installed `fastflow` command, in a fresh process: exit code 1 and the message on stderr"
    r = subprocess.run([str(Path(sys.executable).parent/'fastflow'), 'kaggle', 'push', str(kernel)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 1 and 'official `kaggle` client is not installed' in r.stderr and 'pip install kaggle' in r.stderr

def test_no_action(log):
    with pytest.raises(SystemExit) as e: main(['kaggle'])
    assert e.value.code == 2

@pytest.mark.parametrize('cmd', [['push', '{k}'], ['submit', '{f}', '-c', 'titanic']])
def test_stops_without_client(log, kernel, tmp_path, cmd):
    f = tmp_path/'sub.csv'; f.write_text('PassengerId,Survived\n892,0\n')
    assert 'pip install kaggle' in fails(*[c.format(k=kernel, f=f) for c in cmd]) and not log.exists()

def test_stops_without_credentials(client, kernel, monkeypatch):
    monkeypatch.delenv('KAGGLE_USERNAME'); monkeypatch.delenv('KAGGLE_KEY')
    msg = fails('push', kernel); assert 'No Kaggle credentials' in msg and 'kaggle.json' in msg and not client.exists()

def test_credentials_file_is_enough(client, kernel, tmp_path, monkeypatch):
    monkeypatch.delenv('KAGGLE_USERNAME'); monkeypatch.delenv('KAGGLE_KEY')
    (tmp_path/'home'/'.kaggle').mkdir(); (tmp_path/'home'/'.kaggle'/'kaggle.json').write_text('{"username": "bob", "key": "x"}')
    assert main(['kaggle', 'push', str(kernel)]) == 0
    assert json.loads((Path(f'{client}.dir')/'kernel-metadata.json').read_text())['id'] == 'bob/fastflow-titanic'

def test_push(client, kernel):
    assert main(['kaggle', 'push', str(kernel)]) == 0
    args = client.read_text().split('\n')
    assert args[:3] == ['kernels', 'push', '-p'] and Path(args[3]) != kernel   # a prepared copy, not the folder itself
    pushed = Path(f'{client}.dir')
    meta = json.loads((pushed/'kernel-metadata.json').read_text())
    assert meta['id'] == 'alice/fastflow-titanic' and meta['dataset_sources'] == ['alice/fastflow-wheelhouse'] and meta['enable_internet'] is False
    code = (pushed/'kernel.py').read_text()
    assert code.startswith('"A kernel."\nfrom __future__ import annotations\n') and "'--no-index', '--find-links'" in code
    assert '--no-index' not in (kernel/'kernel.py').read_text()   # the kernel in the repo is untouched
    assert not Path(args[3]).exists()                              # the prepared copy is removed once pushed

def test_push_dry_run(client, kernel, capsys):
    assert main(['kaggle', 'push', str(kernel), '--dry-run']) == 0
    out = capsys.readouterr().out
    assert 'kernels push -p' in out and not client.exists()
    kept = Path(out.split('kernels push -p ')[1].split()[0])   # kept to look at, and said so
    assert (kept/'kernel-metadata.json').is_file() and f'is in {kept}' in out

@pytest.mark.parametrize('change,msg', [({'enable_internet': True}, 'enable_internet'), ({'code_file': 'nope.py'}, "'nope.py'")])
def test_push_refuses_bad_metadata(client, kernel, change, msg):
    f = kernel/'kernel-metadata.json'; f.write_text(json.dumps({**json.loads(f.read_text()), **change}))
    assert msg in fails('push', kernel) and not client.exists()

def test_push_needs_metadata(client, tmp_path): assert 'no kernel-metadata.json' in fails('push', tmp_path)

def test_push_client_fails(client, kernel, tmp_path):
    "The client exits non-zero: a one-line message, and the temporary copy is gone"
    (tmp_path/'bin'/'kaggle').write_text('#!/bin/sh\necho "403 Forbidden" >&2\nexit 1\n')
    msg = fails('push', kernel)
    assert '`kernels push` failed' in msg and 'exited with 1' in msg and 'was removed' in msg
    assert not list((tmp_path/'tmp').iterdir())
    (kernel/'kernel.py').write_text('def broken(:\n')   # fails while preparing the copy: one line naming the file and line, no folder left either
    assert f"{kernel/'kernel.py'}:1: " in fails('push', kernel)
    assert not list((tmp_path/'tmp').iterdir())

@pytest.fixture
def comp(tmp_path, monkeypatch):
    "A local competition folder found through FASTFLOW_DATA"
    d = tmp_path/'data'/'my-comp'; d.mkdir(parents=True)
    pd.DataFrame({'id': [1, 2, 3], 'target': [0.5]*3}).to_csv(d/'sample_submission.csv', index=False)
    monkeypatch.setenv('FASTFLOW_DATA', str(tmp_path/'data'))
    return d

def test_submit(client, comp, tmp_path):
    f = tmp_path/'submission.csv'; pd.DataFrame({'id': [1, 2, 3], 'target': [0.1, 0.9, 0.4]}).to_csv(f, index=False)
    assert main(['kaggle', 'submit', str(f), '-c', 'my-comp', '-m', 'first try']) == 0
    assert client.read_text().split('\n')[:8] == ['competitions', 'submit', '-c', 'my-comp', '-f', str(f), '-m', 'first try']

def test_submit_refuses_a_smoke_run(client, comp, tmp_path):
    from fastflow.kaggle import SMOKE_MARK
    f = tmp_path/'submission.csv'; pd.DataFrame({'id': [1, 2, 3], 'target': [0.1, 0.9, 0.4]}).to_csv(f, index=False); (tmp_path/SMOKE_MARK).touch()
    assert 'was written by a --smoke run' in fails('submit', f, '-c', 'my-comp') and not client.exists()

def test_submit_checks_the_file_first(client, comp, tmp_path):
    f = tmp_path/'submission.csv'; pd.DataFrame({'id': [1, 2], 'target': [0.1, 0.9]}).to_csv(f, index=False)
    msg = fails('submit', f, '-c', 'my-comp')
    assert '2 prediction rows for 3 rows' in msg and f"checked against {comp/'sample_submission.csv'}" in msg and not client.exists()   # which sample said no

def test_submit_placeholder_sample(log, tmp_path, monkeypatch, capsys):
    "A sample of integer placeholders (Santander's 0s): probabilities pass; --dry-run checks offline, with no client"
    d = tmp_path/'data'/'santa'; d.mkdir(parents=True); monkeypatch.setenv('FASTFLOW_DATA', str(tmp_path/'data'))
    pd.DataFrame({'ID_code': ['test_0', 'test_1'], 'target': [0, 0]}).to_csv(d/'sampleSubmission.csv', index=False)   # found whatever its case
    f = tmp_path/'sub.csv'; pd.DataFrame({'ID_code': ['test_0', 'test_1'], 'target': [0.25, 0.75]}).to_csv(f, index=False)
    msg = fails('submit', f, '-c', 'santa', '--dry-run')   # labels or numbers? the flags are named
    assert 'say so with --no-proba' in msg and 'with --proba' in msg
    assert main(['kaggle', 'submit', str(f), '-c', 'santa', '--dry-run', '--proba']) == 0
    pd.DataFrame({'ID_code': ['test_0', 'test_1'], 'target': [0.25, 1.5]}).to_csv(f, index=False)
    assert 'outside [0, 1]' in fails('submit', f, '-c', 'santa', '--dry-run', '--proba')
    pd.DataFrame({'ID_code': ['test_0'], 'target': [0.25]}).to_csv(f, index=False)
    assert '1 prediction rows for 2 rows' in fails('submit', f, '-c', 'santa', '--dry-run')

def test_submit_unchecked_and_normalised(log, comp, tmp_path, capsys, monkeypatch):
    "No local sample: said so on stderr; a file the check rewrites (1.0 for an integer label) is sent as the checked copy"
    f = tmp_path/'sub.csv'; f.write_text('id,target\n1,0.1\n')
    assert main(['kaggle', 'submit', str(f), '-c', 'elsewhere', '--dry-run']) == 0
    err = capsys.readouterr().err
    assert "no local sample submission for 'elsewhere' (competition 'elsewhere' not found)" in err and 'the file is NOT checked' in err
    pd.DataFrame({'id': [1, 2, 3], 'target': [0, 1, 1]}).to_csv(comp/'sample_submission.csv', index=False)
    f.write_text('id,target\n1,0.0\n2,1.0\n3,1.0\n')
    main(['kaggle', 'submit', str(f), '-c', 'my-comp', '--dry-run'])
    sent = capsys.readouterr().out.split('-f ')[-1].split(' -m')[0]
    assert sent != str(f) and Path(sent).read_text() == 'id,target\n1,0\n2,1\n3,1\n'
    monkeypatch.setenv('PATH', f"{tmp_path/'bin'}:/usr/bin:/bin"); (tmp_path/'bin'/'kaggle').write_text(FAKE_KAGGLE); (tmp_path/'bin'/'kaggle').chmod(0o755)
    monkeypatch.setenv('KAGGLE_USERNAME', 'alice'); monkeypatch.setenv('KAGGLE_KEY', 'not-a-key')
    main(['kaggle', 'submit', str(f), '-c', 'my-comp'])                           # a real submit removes its copy once sent
    sent = capsys.readouterr().out.split('-f ')[-1].split(' -m')[0]
    assert sent != str(f) and not Path(sent).parent.exists() and '-f' in log.read_text()
    gz = tmp_path/'sub.csv.gz'; pd.read_csv(f).to_csv(gz, index=False)              # compressed, as write_submission may write it
    main(['kaggle', 'submit', str(gz), '-c', 'my-comp', '--dry-run'])
    sent = capsys.readouterr().out.split('-f ')[-1].split(' -m')[0]
    assert sent.endswith('sub.csv.gz') and pd.read_csv(sent).target.tolist() == [0, 1, 1]
    pd.DataFrame({'id': [1, 2, 3], 'code': ['007', '012', '100']}).to_csv(comp/'sample_submission.csv', index=False)
    f.write_text('id,code\n1,012\n2,007\n3,007\n')                                  # labels that look like numbers are sent as written
    main(['kaggle', 'submit', str(f), '-c', 'my-comp', '--dry-run'])
    assert capsys.readouterr().out.split('-f ')[-1].split(' -m')[0] == str(f)
    f.write_text('')
    assert 'is empty' in fails('submit', f, '-c', 'my-comp', '--dry-run')
    pd.DataFrame({'id': [1, 2, 3], 'tags': ['clear primary']*3}).to_csv(comp/'sample_submission.csv', index=False)
    f.write_text('id,tags\n1,clear water\n2,\n3,haze\n')                        # multi-label: image 2 has no tag above the threshold
    assert 'pass --multi-label' in fails('submit', f, '-c', 'my-comp', '--dry-run')   # a missing label unless told
    assert main(['kaggle', 'submit', str(f), '-c', 'my-comp', '--dry-run', '--multi-label']) == 0

def test_submit_needs_competition_and_file(client, tmp_path):
    assert '-c SLUG' in fails('submit', tmp_path/'x.csv')
    assert 'not found' in fails('submit', tmp_path/'x.csv', '-c', 'titanic')
    assert 'is a folder: pass the submission file itself' in fails('submit', tmp_path, '-c', 'titanic')

def test_submit_parquet_sample(log, tmp_path, monkeypatch, capsys):
    "A competition that ships sample_submission.parquet: the CSV is checked against it with pyarrow, and without a parquet engine the stop says what to do"
    import importlib, importlib.util
    d = tmp_path/'data'/'pq-comp'; d.mkdir(parents=True); monkeypatch.setenv('FASTFLOW_DATA', str(tmp_path/'data'))
    f = tmp_path/'sub.csv'; f.write_text('id,target\n1,0.1\n2,0.9\n')
    if importlib.util.find_spec('pyarrow') or importlib.util.find_spec('fastparquet'):
        pd.DataFrame({'id': [1, 2], 'target': [0.5, 0.5]}).to_parquet(d/'sample_submission.parquet', index=False)
        assert main(['kaggle', 'submit', str(f), '-c', 'pq-comp', '--dry-run']) == 0
        assert f"checked against {d/'sample_submission.parquet'}: it matches" in capsys.readouterr().out
        f.write_text('id,target\n1,0.1\n')
        assert '1 prediction rows for 2 rows' in fails('submit', f, '-c', 'pq-comp', '--dry-run')
        pd.DataFrame({'id': [2, 1], 'target': [0.9, 0.1]}).to_parquet(g := tmp_path/'sub.parquet', index=False)   # a parquet submission, rows in another order
        assert main(['kaggle', 'submit', str(g), '-c', 'pq-comp', '--dry-run']) == 0
        sent = capsys.readouterr().out.split('-f ')[-1].split(' -m')[0]
        assert sent != str(g) and pd.read_parquet(sent).id.tolist() == [1, 2]   # the normalised copy is parquet too
    else: (d/'sample_submission.parquet').write_bytes(b'PAR1')
    real = importlib.import_module   # and as if no engine were installed, whether or not one is
    def imp(name, *a, **kw):
        if name.split('.')[0] in ('pyarrow', 'fastparquet'): raise ImportError(f"No module named {name!r}")
        return real(name, *a, **kw)
    monkeypatch.setattr(importlib, 'import_module', imp)
    msg = fails('submit', f, '-c', 'pq-comp', '--dry-run')
    assert f"checked against {d/'sample_submission.parquet'}" in msg and '`pip install pyarrow`' in msg

def _zip(path, files:dict):
    with zipfile.ZipFile(path, 'w') as z: [z.writestr(n, v) for n, v in files.items()]
    return path

def test_submit_zip_sample_and_zipped_submission(log, comp, tmp_path, capsys):
    "A plain sample_submission.zip (not .csv.zip) is found and checked against; a zipped submission's normalised copy keeps its inner file's name"
    (comp/'sample_submission.csv').unlink()
    _zip(comp/'sample_submission.zip', {'sample_submission.csv': 'id,target\n1,0\n2,1\n3,1\n'})
    f = _zip(tmp_path/'submission.zip', {'preds.csv': 'id,target\n3,1.0\n1,0\n2,1\n'})   # rows in another order, 1.0 for a label
    assert main(['kaggle', 'submit', str(f), '-c', 'my-comp', '--dry-run']) == 0
    out = capsys.readouterr().out
    assert 'checked against sample_submission.zip; sending a copy' in out
    sent = Path(out.split('-f ')[-1].split(' -m')[0])
    assert sent.name == 'submission.zip' and zipfile.ZipFile(sent).namelist() == ['preds.csv']
    assert zipfile.ZipFile(sent).read('preds.csv').decode() == 'id,target\n1,0\n2,1\n3,1\n'
    _zip(comp/'sample_submission.zip', {'sample_submission.csv': 'id,target\n1,0\n', 'test.csv': 'id\n1\n'})   # two files: what it holds, and what to do
    msg = fails('submit', f, '-c', 'my-comp', '--dry-run')
    assert "holds 2 files ('sample_submission.csv', 'test.csv')" in msg and 'unzip it' in msg

def test_submit_plain_zip_and_bom(log, comp, tmp_path, capsys):
    "A submission.zip that write_submission wrote is checked and sent as it is; so is a CSV with a BOM first (pandas, as a scorer reading with it, drops it)"
    from fastflow.kaggle import write_submission
    z = write_submission([0.1, 0.9, 0.4], comp/'sample_submission.csv', tmp_path/'submission.zip')
    assert main(['kaggle', 'submit', str(z), '-c', 'my-comp', '--dry-run']) == 0
    out = capsys.readouterr().out
    assert f"{z} checked against {comp/'sample_submission.csv'}: it matches" in out and out.split('-f ')[-1].split(' -m')[0] == str(z)
    f = tmp_path/'bom.csv'; f.write_bytes(b'\xef\xbb\xbfid,target\n1,0.1\n2,0.9\n3,0.4\n')
    assert main(['kaggle', 'submit', str(f), '-c', 'my-comp', '--dry-run']) == 0
    out = capsys.readouterr().out
    assert 'it matches' in out and out.split('-f ')[-1].split(' -m')[0] == str(f)
    f.write_bytes(b'\xef\xbb\xbf' + f.read_bytes())   # two: the second stays in the header's first name
    assert 'byte-order mark (U+FEFF)' in fails('submit', f, '-c', 'my-comp', '--dry-run')
