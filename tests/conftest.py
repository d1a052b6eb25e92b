import os
os.environ.setdefault('MPLBACKEND', 'Agg')
import shutil, stat, subprocess, sys
from contextlib import contextmanager
from pathlib import Path

def set_writable(path, writable: bool):
    "`chmod -R u+w` (writable) or `chmod -R a-w` (read-only, as Kaggle's /kaggle/input) on `path` and everything under it"
    for p in [Path(path), *Path(path).rglob('*')]:
        mode = p.stat().st_mode
        p.chmod(mode | stat.S_IWUSR if writable else mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))

@contextmanager
def read_only(path):
    "`path` made read-only inside the block, writable again after it (so pytest can clean up)"
    set_writable(path, False)
    try: yield Path(path)
    finally: set_writable(path, True)

NOBODY = 65534
DROPS = (['setpriv', f'--reuid={NOBODY}', f'--regid={NOBODY}', '--clear-groups'], ['runuser', '-u', 'nobody', '--'])

def unprivileged(module: str, env: dict) -> list:
    "The command prefix that runs a child as an unprivileged user who can import `module` ([] when this user is not root already), or a skip"
    import pytest
    if os.geteuid() != 0: return []
    probe = [sys.executable, '-c', f'import os, {module}; print(os.geteuid())']
    for d in DROPS:
        if not shutil.which(d[0]): continue
        try: r = subprocess.run(d + probe, capture_output=True, text=True, timeout=120, env=env, cwd='/')
        except (OSError, subprocess.TimeoutExpired): continue
        if r.returncode == 0 and r.stdout.strip() not in ('', '0'): return d
    pytest.skip('cannot run a process as an unprivileged user here (no working setpriv or runuser, or nobody cannot read the Python environment)')
