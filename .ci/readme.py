"""Write README.md from nbs/index.ipynb, offline (nbdev-readme needs Quarto, which cannot be installed here).

Markdown cells are copied; code cells become ```python blocks, except those marked `#| hide` or `#| echo: false`.
Directive lines (`#| ...`) are dropped. The cell that shows the benchmark table (it runs bench/report.py) is replaced
by that table, generated from bench/results/*.json. Run by `make sync`; CI fails if the result differs from the commit."""
import json, runpy, sys
from pathlib import Path

root = Path(__file__).resolve().parents[1]
TABLE_MARK = 'bench/report.py'

def render(nb_path: Path) -> str:
    nb = json.loads(nb_path.read_text(encoding='utf-8'))
    out = [f"<!-- generated from {nb_path.relative_to(root)} by .ci/readme.py: edit the notebook, then run `make sync` -->\n"]
    for cell in nb['cells']:
        src = ''.join(cell['source']).strip('\n')
        lines = src.splitlines()
        if cell['cell_type'] == 'markdown': out.append(src + '\n')
        elif cell['cell_type'] == 'code':
            if TABLE_MARK in src: out.append(runpy.run_path(str(root/TABLE_MARK))['table_markdown']() + '\n'); continue
            if any(l.strip().replace(' ', '') in ('#|hide', '#|exec_doc:false', '#|echo:false') for l in lines): continue
            code = '\n'.join(l for l in lines if not l.lstrip().startswith('#|')).strip('\n')
            if code: out.append(f"```python\n{code}\n```\n")
    return '\n'.join(out)

if __name__ == '__main__':
    txt = render(root/'nbs'/'index.ipynb')
    dest = root/'README.md'
    if '--check' in sys.argv:
        sys.exit(0 if dest.exists() and dest.read_text(encoding='utf-8') == txt else 'README.md is out of date: run `python .ci/readme.py`')
    dest.write_text(txt, encoding='utf-8')
