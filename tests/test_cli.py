"The fastflow console script: help, data, demo, and clear errors for bad commands."
import json, os, subprocess, sys
from pathlib import Path


FASTFLOW = str(Path(sys.executable).parent/'fastflow')   # the installed console script itself

def run(*args, cwd=None, env=None):
    return subprocess.run([FASTFLOW, *args], capture_output=True, text=True, cwd=cwd,
                          timeout=900, env=env or {**os.environ, 'MPLBACKEND': 'Agg'})

def test_help():
    r = run('--help'); assert r.returncode == 0 and 'demo' in r.stdout and 'data' in r.stdout

def test_no_command_prints_help():
    r = run(); assert r.returncode == 2 and 'usage' in r.stdout

def test_unknown_command():
    r = run('fly'); assert r.returncode == 2 and "invalid choice: 'fly'" in r.stderr

def test_missing_argument():
    r = run('demo', '--out'); assert r.returncode == 2 and 'expected one argument' in r.stderr

def test_unknown_demo_part(tmp_path):
    r = run('demo', '--out', str(tmp_path), '--only', 'nope'); assert r.returncode != 0 and 'unknown part' in r.stderr

def test_data(tmp_path):
    (tmp_path/'titanic').mkdir(); (tmp_path/'titanic'/'train.csv').write_text('a\n1\n')   # its own data folder: ../shared need not be there
    env = {**os.environ, 'MPLBACKEND': 'Agg', 'FASTFLOW_DATA': str(tmp_path)}
    r = run('data', 'titanic', 'not-a-dataset', env=env)   # a set asked for by name and not found: listed, and exit code 1
    assert r.returncode == 1 and 'not-a-dataset' in r.stdout and 'not found' in r.stdout
    assert run('data', 'titanic', env=env).returncode == 0
    r = run('data', '', env=env); assert r.returncode == 1 and 'a data set name is a folder name' in r.stderr

def test_demo_quick(tmp_path):
    headless = {k: v for k, v in os.environ.items() if k not in ('MPLBACKEND', 'DISPLAY', 'WAYLAND_DISPLAY')}   # no backend chosen for it
    r = run('demo', '--quick', '--out', str(tmp_path/'o'), env=headless)
    assert r.returncode == 0, r.stderr[-3000:]
    s = json.loads((tmp_path/'o'/'demo_summary.json').read_text())
    assert 'data' in s and str(tmp_path/'o') in r.stdout

def test_predict_help_names_image_flags():
    "The flags that the library's image errors point to are in `fastflow predict --help`, with the values predict_folder takes"
    r = run('predict', '--help'); out = ' '.join(r.stdout.split())
    assert r.returncode == 0 and '--skip-non-images' in out and '--unreadable {raise,average}' in out and '--tta auto|off|N' in out, r.stdout
