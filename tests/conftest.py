import os
os.environ.setdefault('MPLBACKEND', 'Agg')
import stat
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
