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
