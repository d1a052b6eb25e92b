"""The `fastflow` command given awkward input: a path where a slug goes, a competition unzipped into a folder of its own,
an output folder that cannot be made or is an empty string, a misplaced flag, a file where a folder goes, Ctrl-C in the
middle. Each ends in one line saying what to fix, never a traceback."""
import json, os, signal, subprocess, sys
from pathlib import Path
import pytest
from fastflow.cli import main

FASTFLOW = str(Path(sys.executable).parent/'fastflow')   # the installed console script

@pytest.fixture
def comp(tmp_path, monkeypatch):
    "A competition 'nested' under $FASTFLOW_DATA as `unzip nested.zip -d nested` leaves it (nested/nested/*.csv), and a submission"
    d = tmp_path/'data'/'nested'/'nested'; d.mkdir(parents=True)
    (d/'sample_submission.csv').write_text('id,p\n1,0.5\n2,0.5\n')
    monkeypatch.setenv('FASTFLOW_DATA', str(tmp_path/'data'))
    monkeypatch.setattr('tempfile.tempdir', str(tmp_path))   # the checked copy a dry run keeps lands here
    sub = tmp_path/'my subs'/'sub 1.csv'; sub.parent.mkdir(); sub.write_text('id,p\n1,1.5\n2,0.5\n')   # a probability out of [0, 1]
    return sub

def test_submit_checks_against_a_nested_sample(comp, capsys):
    "The sample one folder down is found, so the file is checked (and refused), not sent unchecked"
    with pytest.raises(SystemExit) as e: main(['kaggle', 'submit', str(comp), '-c', 'nested', '--dry-run'])
    assert 'outside [0, 1]' in str(e.value.code) and 'nested/nested/sample_submission.csv' in str(e.value.code)
    assert 'NOT checked' not in capsys.readouterr().err

def test_submit_path_for_slug(comp):
    "A folder given to -c (as a shell completes it) is said to be no slug, instead of a ValueError traceback"
    r = subprocess.run([FASTFLOW, 'kaggle', 'submit', str(comp), '-c', str(comp.parent), '--dry-run'], capture_output=True, text=True, timeout=300,
                       env={**os.environ})
    assert r.returncode == 1 and 'is not a competition slug' in r.stderr and 'Traceback' not in r.stderr, r.stderr[-2000:]

def test_demo_out_not_a_folder(tmp_path):
    (tmp_path/'f').write_text('x')
    r = subprocess.run([FASTFLOW, 'demo', '--quick', '--only', 'data', '--out', str(tmp_path/'f'/'out')], capture_output=True, text=True, timeout=300)
    assert r.returncode == 1 and r.stderr.strip().startswith('fastflow demo --out:') and 'Traceback' not in r.stderr, r.stderr[-2000:]
    assert not (tmp_path/'out').exists()

@pytest.mark.parametrize('argv,usage', [(['data', '--bogus'], 'usage: fastflow data'), (['kaggle', 'push', 'k', '--bogus'], 'usage: fastflow kaggle push')])
def test_wrong_flag_names_the_subcommand(argv, usage, capsys):
    with pytest.raises(SystemExit) as e: main(argv)
    err = capsys.readouterr().err
    assert e.value.code == 2 and err.startswith(usage) and 'unrecognized arguments: --bogus' in err

def test_ctrl_c_in_demo_keeps_finished_parts(tmp_path):
    "SIGINT (Ctrl-C) during the second part: exit 130, one line naming the command that finishes, the first part's summary kept"
    p = subprocess.Popen([FASTFLOW, 'demo', '--quick', '--only', 'data', 'tabular', '--out', str(tmp_path/'o')], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env={**os.environ, 'MPLBACKEND': 'Agg', 'OMP_NUM_THREADS': '1'},
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))   # a shell's background job (CI run with &) ignores SIGINT, and its children inherit that
    try:
        for line in p.stdout:   # the tabular part has started: interrupt it
            if line.startswith('== demo tabular'): p.send_signal(signal.SIGINT); break
        out, err = p.communicate(timeout=120)
    finally: p.kill()
    assert p.returncode == 130 and 'Traceback' not in err and len(err.strip().splitlines()) == 1, err[-2000:]
    assert "interrupted (Ctrl-C) in part 'tabular'" in err and err.strip().endswith(f"--out {tmp_path/'o'} --quick --only tabular"), err
    assert list(json.loads((tmp_path/'o'/'demo_summary.json').read_text())) == ['data']

def test_empty_out(tmp_path):
    "--out \"$OUT\" with OUT unset: refused, nothing written in the current folder"
    r = subprocess.run([FASTFLOW, 'demo', '--quick', '--only', 'data', '--out', ''], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert r.returncode == 1 and 'empty string' in r.stderr and 'Traceback' not in r.stderr and not list(tmp_path.iterdir()), r.stderr[-2000:]

def test_file_where_a_folder_goes(tmp_path, capsys):
    "A file given as the wheelhouse folder: the OS's one line (exit 1), before pip is run"
    (tmp_path/'wheels').write_text('x')
    with pytest.raises(SystemExit) as e: main(['kaggle', 'wheelhouse', str(tmp_path/'wheels')])
    assert str(e.value.code).startswith('fastflow kaggle wheelhouse: [Errno 17] File exists') and str(tmp_path/'wheels') in str(e.value.code)

def test_help_says_where_training_is(capsys):
    "No command trains on your own files: --help says so, names `fastflow predict` and the kernel scripts that exist, with flags they take"
    with pytest.raises(SystemExit) as e: main(['--help'])
    out, root = ' '.join(capsys.readouterr().out.split()), Path(__file__).parents[1]
    assert e.value.code == 0 and 'Training on your own files is Python' in out and 'fastflow predict MODEL INPUT' in out
    for script, flag in (('kernel.py', '--data'), ('predict.py', '--model')):
        assert f'kaggle/titanic/{script}' in out and flag in (root/'kaggle'/'titanic'/script).read_text() + (root/'fastflow'/'kaggle.py').read_text()

def test_mistyped_fastflow_data_is_said(tmp_path):
    "FASTFLOW_DATA pointing nowhere: `fastflow data` says so on stderr (it listed other folders without a word); the exit code is the listing's"
    r = subprocess.run([FASTFLOW, 'data'], capture_output=True, text=True, timeout=300, env={**os.environ, 'FASTFLOW_DATA': str(tmp_path/'dat')})
    assert r.returncode == 0 and r.stderr == f"fastflow data: FASTFLOW_DATA is set to '{tmp_path/'dat'}', which is not there; what is listed was looked for without it\n", r.stderr[-2000:]

def test_reader_gone(tmp_path):
    "`fastflow data | head -1`: the pipe closes under a long listing; exit 141 (as killed by SIGPIPE) with nothing on stderr (was a BrokenPipeError traceback)"
    for i in range(3000): (tmp_path/f'set{i:04d}').mkdir()   # a listing longer than the pipe's buffer
    p = subprocess.Popen([FASTFLOW, 'data'], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, 'FASTFLOW_DATA': str(tmp_path)})
    try: p.stdout.readline(); p.stdout.close(); err = p.stderr.read(); p.wait(timeout=120)
    finally: p.kill()
    assert p.returncode == 141 and err == '', err[-2000:]

def test_killed_demo_keeps_finished_parts(tmp_path):
    "`timeout 60 fastflow demo` sends SIGTERM, which no handler sees: the summary of the parts finished is on disk already (it was written only at the end)"
    p = subprocess.Popen([FASTFLOW, 'demo', '--quick', '--only', 'data', 'tabular', '--out', str(tmp_path/'o')], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True, env={**os.environ, 'MPLBACKEND': 'Agg', 'OMP_NUM_THREADS': '1'})
    try:
        for line in p.stdout:
            if line.startswith('== demo tabular'): p.terminate(); break
        p.wait(timeout=120)
    finally: p.kill()
    assert p.returncode == -signal.SIGTERM and list(json.loads((tmp_path/'o'/'demo_summary.json').read_text())) == ['data']
