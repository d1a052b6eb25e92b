"Every Python block of README.md runs as pasted, in a fresh interpreter, with its output going to a pipe (not a terminal)."
import os, re, subprocess, sys
from pathlib import Path
import pytest

README = Path(__file__).resolve().parents[1]/'README.md'
BLOCKS = re.findall(r'```python\n(.*?)```', README.read_text(encoding='utf-8'), flags=re.S)

def test_readme_has_examples(): assert len(BLOCKS) >= 4

@pytest.mark.parametrize('code', BLOCKS, ids=[f'block{i}' for i in range(len(BLOCKS))])
def test_readme_block_runs_as_pasted(code, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ('FASTFLOW_OUTPUT', 'KAGGLE_KERNEL_RUN_TYPE')}
    r = subprocess.run([sys.executable, '-c', code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f"README block failed:\n{code}\n--- stderr ---\n{r.stderr[-3000:]}"
    assert '\r' not in r.stdout and '█' not in r.stdout, f"progress-bar frames in piped output:\n{r.stdout[:2000]}"
    if 'fit_one_cycle' in code: assert re.search(r'^epoch 1/\d+ ', r.stdout, flags=re.M), f"no per-epoch line:\n{r.stdout[:2000]}"
    assert not (tmp_path/'history.jsonl').exists() and not (tmp_path/'models').exists()   # nothing lands loose in the current folder
