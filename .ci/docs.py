"""Build fastflow's docs site offline from the notebooks (Quarto, nbdev's usual renderer, cannot be installed here).

    python .ci/docs.py build [--strict]   # site/ from every notebook in nbs/ (`make docs`)
    python .ci/docs.py check              # build --strict, then: a page per module, links and images resolve, no CDN
    python .ci/docs.py screenshots        # headless Chromium screenshots of home + first tutorial -> docs/screenshots/

Each notebook goes through nbdev's own doc processors (`FilterDefaults`: show_doc cells after exports, `#| hide`,
`#| export` and friends, links to symbols), is written as Markdown with its outputs (figures become PNG files) and
rendered by mkdocs-material with its built-in search; nothing is fetched from the network. API notebooks are committed
without outputs, so they run at build time (skipping the `tst_flags` cells, as `nbdev-test` does); tutorials keep their
saved outputs and are never re-run. This file is also the mkdocs hook that points each page's edit button at its
notebook."""
import base64, hashlib, html.parser, json, multiprocessing, os, re, shutil, subprocess, sys, tempfile, time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parents[1]
NBS, SITE, STAGE = ROOT/'nbs', ROOT/'site', ROOT/'_proc'/'mkdocs'
DOCS = STAGE/'docs'
LAYERS = {'0': 'Foundations', '1': 'Training', '2': 'Vision', '3': 'Tabular', '4': 'Collaborative filtering',
          '5': 'Kaggle', '6': 'Command line'}
EXTRA_PAGES = {'ARCHITECTURE.md': 'Architecture'}   # top-level Markdown files that are pages of the site too
IMAGES = {'.png', '.jpg', '.jpeg', '.gif', '.svg', '.webp'}
_re_ansi = re.compile(r'\x1B(?:[@-Z\\-_]|\[[0-?]*[ -/]*[@-~])')

# ---------------------------------------------------------------- notebooks -> pages
def notebooks() -> list[Path]:
    "Every notebook under nbs/ (relative paths), skipping `_`/`.` files and folders as nbdev does"
    return sorted(p.relative_to(NBS) for p in NBS.rglob('*.ipynb')
                  if not any(part.startswith(('_', '.')) for part in p.relative_to(NBS).parts))

def page_of(rel: Path) -> Path:
    "Page path of notebook `rel`, named as nbdev/Quarto name it: nbs/41_collab.model.ipynb -> collab.model.md"
    return rel.with_name(re.sub(r'^\d+[a-zA-Z0-9]*_', '', rel.name.lower())).with_suffix('.md')

def nav_group(rel: Path) -> str:
    if rel.parts[0] == 'tutorials': return 'Tutorials'
    if len(rel.parts) > 1: return rel.parts[0].replace('_', ' ').capitalize()
    m = re.match(r'(\d)\d*[a-zA-Z0-9]*_', rel.name)
    return LAYERS.get(m.group(1), f'Layer {m.group(1)}0') if m else 'More'

def nav_order(rel: Path):
    "index first, then numbered notebooks by number (= layer order), then the rest, tutorials last"
    return (rel.name != 'index.ipynb' or len(rel.parts) > 1, rel.parts[0] == 'tutorials', len(rel.parts), str(rel))

def has_outputs(nb) -> bool: return any(c.get('outputs') for c in nb['cells'] if c['cell_type'] == 'code')

def _cfg():
    from nbdev.config import get_config
    return get_config(ROOT)

def repo_url() -> str:
    import tomllib
    return tomllib.loads((ROOT/'pyproject.toml').read_text())['project']['urls']['Repository'].rstrip('/')

def _exec_all_proc(fn: Path, timeout):
    "An nbdev processor that runs every cell `nbdev-test` would run, plus the show_doc cells nbdev inserts"
    from execnb.shell import CaptureShell
    from fastcore.nbio import does_cell_eval, fm_default_eval
    from nbdev.frontmatter import nb_frontmatter
    from nbdev.process import Processor
    flags = set(str(_cfg().get('tst_flags', '')).split())
    class exec_all(Processor):
        def begin(self):
            self.k = CaptureShell(fn)
            self.k.run_cell('from nbdev.showdoc import show_doc')
            self.dflt = fm_default_eval(nb_frontmatter(self.nb))
        def __call__(self, cell):
            if cell.cell_type != 'code' or not cell.source: return
            if not getattr(cell, 'has_sd', False):
                if flags & set(cell.directives_) or not does_cell_eval(cell, self.dflt): return
            self.k.cell(cell, timeout=timeout)
            if self.k.exc: raise RuntimeError(f'{fn.relative_to(ROOT)}: cell {cell.idx_} failed while building the docs:\n'
                                              f'{cell.source}\n{type(self.k.exc).__name__}: {self.k.exc}')
    return exec_all

def split_title_cell(nb):
    "nbdev turns the `# Title` / `> description` cell into frontmatter and drops the cell: keep any prose after them"
    from fastcore.nbio import mk_cell
    for i, c in enumerate(nb.cells):
        if c.cell_type != 'markdown' or not re.search(r'^#\s+\S', c.source, re.M): continue
        lines, desc = [], None   # desc: the description's line while its run of '> ' lines lasts; False once it ended
        for l in c.source.splitlines():   # a description over several '> ' lines: one line (nbdev keeps only the first)
            if desc and l.startswith('>') and l[1:].strip(): lines[desc] += ' ' + l[1:].strip(); continue
            if desc is None and l.startswith('> ') and any(re.match(r'#\s+\S', x) for x in lines): desc = len(lines)
            elif desc: desc = False
            lines.append(l)
        n = 0
        while n < len(lines) and (not lines[n].strip() or re.match(r'^(#\s+\S|>\s|-\s+\S.*:)', lines[n])): n += 1
        c.source = '\n'.join(lines[:n])
        if rest := '\n'.join(lines[n:]).strip(): nb.cells.insert(i + 1, mk_cell(rest, 'markdown'))
        return

def process_nb(rel: Path):
    "Run nbdev's doc processors on notebook `rel` (executing it if it was committed without outputs)"
    from fastcore.nbio import read_nb
    from nbdev.processors import FilterDefaults, exec_show_docs
    fn = NBS/rel
    nb = read_nb(fn); nb.path_ = str(fn)
    split_title_cell(nb)
    run = rel.parts[0] != 'tutorials' and not has_outputs(nb)
    procs = FilterDefaults().procs()
    if run: procs = [_exec_all_proc(fn, _cfg().get('cell_timeout')) if p is exec_show_docs else p for p in procs]
    from nbdev.process import NBProcessor
    os.chdir(fn.parent)
    NBProcessor(nb=nb, procs=procs, rm_directives='quarto').process()
    return nb, run

_re_opt = re.compile(r'^\s*#\|\s*([\w-]+)\s*:\s*(.*?)\s*$')
def cell_opts(src: str):
    "Split the Quarto options (`#| echo: false`) nbdev leaves in a processed cell from its code"
    opts, lines = {}, src.splitlines()
    while lines and (m := _re_opt.match(lines[0])): opts[m.group(1)] = m.group(2).strip('"\''); lines.pop(0)
    return opts, '\n'.join(lines).strip('\n')

def _fence(txt: str, lang='') -> str:
    n = max([3] + [len(m) + 1 for m in re.findall(r'`{3,}', txt)])
    return f"{'`'*n}{lang}\n{txt.rstrip()}\n{'`'*n}"

_re_item = re.compile(r'^(\s*)([-*+]|\d+[.)])\s+\S')
_re_callout = re.compile(r'^:::+\s*\{\s*\.callout-(\w+)([^}]*)\}\s*$')
def fix_md(src: str) -> str:
    """Jupyter (CommonMark) Markdown -> Python-Markdown: blank line before lists and tables, 4-space nesting,
    Quarto callouts as admonitions"""
    out, fence, stack, callout = [], None, [], False
    for line in src.splitlines():
        s = line.strip()
        if fence:
            out.append(('    ' if callout else '') + line)
            if s.startswith(fence): fence = None
            continue
        if s.startswith(('```', '~~~')):
            fence = s[:3]
        elif m := _re_callout.match(s):
            t = re.search(r'title\s*=\s*"([^"]*)"', m.group(2))
            out += ['', f'!!! {m.group(1)}' + (f' "{t.group(1)}"' if t else '')]; callout = True; continue
        elif callout and re.match(r'^:::+\s*$', s):
            out.append(''); callout = False; continue
        prev = out[-1].strip() if out else ''
        if m := _re_item.match(line):
            ind = len(m.group(1))
            while stack and stack[-1] > ind: stack.pop()
            if not stack or stack[-1] < ind: stack.append(ind)
            if prev and not _re_item.match(out[-1]) and len(stack) == 1 and not out[-1].startswith(' '): out.append('')
            line = '    '*(len(stack)-1) + line.lstrip()
        elif s.startswith('|') and prev and not prev.startswith('|'): out.append('')
        elif s and not line.startswith(' '): stack = []   # a paragraph ends the list
        out.append(('    ' if callout else '') + line)
    return '\n'.join(out)

_re_code = re.compile(r'(```.*?```|~~~.*?~~~|`[^`\n]*`)', re.S)
_re_math = re.compile(r'\$\$(.+?)\$\$|(?<![\\$\w])\$(?=\S)([^$\n]+?)(?<=\S)\$(?!\w)', re.S)
def math_md(src: str) -> str:
    "LaTeX in Markdown prose ($...$, $$...$$) -> MathML, which browsers render themselves: no MathJax, nothing from a CDN"
    from latex2mathml.converter import convert
    def conv(m):
        tex, display = (m.group(1), 'block') if m.group(1) is not None else (m.group(2), 'inline')
        return convert(tex.strip(), display=display)
    parts = _re_code.split(src)   # odd parts are code: left alone; an escaped dollar (\\$88,000) is a dollar sign, which
    # Python-Markdown does not unescape: written as an HTML entity
    # Python-Markdown reads a line that starts with <math> (a block-level tag to it; after up to 3 spaces, as in a list item's
    # continuation) as raw HTML, which cuts the paragraph in two: such a line starts with an (inline) empty span instead
    prose = lambda p: _re_math_line.sub(r'\1<span></span>', _re_math.sub(conv, p).replace('\\$', '&#36;'))
    return ''.join(p if i % 2 else prose(p) for i, p in enumerate(parts))

_re_math_line = re.compile(r'^([ ]{0,3})(?=<math [^>]*display="inline")', re.M)

_re_sig = re.compile(r'^```python\n((?:def|class|async def) .*?)^```$', re.M | re.S)
_re_param = re.compile(r'^\s*(\*{0,2}\w+)\s*(?::\s*(.+?))?\s*(?:=\s*(.+?))?\s*$')
def _top_level_comma(s: str) -> bool:
    depth = 0
    for ch in s:
        depth += (ch in '([{') - (ch in ')]}')
        if ch == ',' and depth == 0: return True
    return False

def docments_table(md: str) -> str:
    """Move the docments nbdev's `show_doc` writes as comments into the signature (`name:int=3, # Doc`) into a
    table under it, as nbdev 2 rendered them: long comments no longer run off the side of the code block"""
    def _table(m):
        rows, code = [], []
        for line in m.group(1).splitlines():
            cut = next((i for i in (m.start() for m in re.finditer(' # ', line))
                        if not (line[:i].count("'") % 2 or line[:i].count('"') % 2)), -1)   # first ` # ` outside quotes
            if cut < 0: code.append(line); continue
            sig, doc = line[:cut].rstrip(), line[cut + 3:].strip()
            code.append(sig)
            if sig.lstrip().startswith(')'): rows.append(('**Returns**', sig.split('->', 1)[-1].rstrip(':'), '', doc)); continue
            p = _re_param.match(sig.rstrip(','))
            if not p or _top_level_comma(sig.rstrip(',')): code[-1] = line; continue   # several parameters on one line
            rows.append((f'**{p.group(1)}**', p.group(2) or '', p.group(3) or '', doc))
        if not rows: return m.group(0)
        cell = lambda t: f'`{t}`' if t else ''   # Python-Markdown tables do not split at a `|` inside backticks
        tbl = ['|  | Type | Default | Details |', '|--|--|--|--|']
        tbl += [f'| {n} | {cell(t)} | {cell(d)} | {doc.replace("|", chr(92) + "|")} |' for n, t, d, doc in rows]
        return '```python\n' + '\n'.join(code) + '\n```\n\n<div class="nb-params" markdown>\n\n' + '\n'.join(tbl) + '\n\n</div>\n'
    return _re_sig.sub(_table, md)

_re_lib_warning = re.compile(r'^\S*(?:site-packages|/fastflow)/\S+:\d+: \w*Warning: .*\n(?:  .*\n?)*', re.M)   # also fastflow's own, which an
# example's odd input calls up (examples check their warnings with catch_warnings; printed, they are noise with the build's paths)

class Page:
    "Markdown for one processed notebook; figures go to `<page>_files/`"
    def __init__(self, rel: Path, nb):
        self.rel, self.nb, self.page = rel, nb, page_of(rel)
        self.files = self.page.with_name(self.page.stem + '_files')
        self.n_img, self.parts = 0, []
        cfg = _cfg()
        self.doc_url = (str(cfg.get('doc_host', '')) + str(cfg.get('doc_baseurl', ''))).rstrip('/')

    def image(self, data: str | list, ext: str) -> str:
        "Write a figure of the notebook (base64, or SVG text) to `<page>_files/`; its path relative to the page"
        data = ''.join(data) if isinstance(data, list) else data
        self.n_img += 1
        name = self.files/f'fig-{self.n_img}.{ext}'
        (DOCS/name).parent.mkdir(parents=True, exist_ok=True)
        (DOCS/name).write_bytes(data.encode() if ext == 'svg' else base64.b64decode(data))
        return os.path.relpath(name, self.page.parent)

    def output(self, o, opts, is_doc: bool) -> str:
        if o.output_type == 'stream':
            txt = _re_ansi.sub('', ''.join(o.text))   # then what a terminal shows: the text after the last `\r` of a line
            txt = '\n'.join(next((p for p in reversed(l.split('\r')) if p.strip()), '') for l in txt.split('\n'))
            if o.get('name') == 'stderr': txt = _re_lib_warning.sub('', txt)   # a dependency's deprecation notice is noise to a reader
            return _fence(txt, 'text') if txt.strip() else ''
        if o.output_type == 'error':
            return _fence(_re_ansi.sub('', '\n'.join(o.traceback)) or f'{o.ename}: {o.evalue}', 'text')
        d = o.get('data', {})
        j = lambda k: ''.join(d[k]) if isinstance(d[k], list) else d[k]
        alt = opts.get('fig-cap') or opts.get('fig-alt') or 'figure'
        for k, ext in (('image/png', 'png'), ('image/jpeg', 'jpg'), ('image/svg+xml', 'svg')):
            if k in d: return f'![{alt}]({self.image(d[k], ext)}){{ .nb-figure }}'
        if 'text/markdown' in d and not ('text/html' in d and j('text/markdown').lstrip().startswith('```html')):   # fastprogress' table: its HTML, not its source
            md = j('text/markdown')
            if is_doc:   # anchors named as nbdev names them, so `sym` links from other pages land here
                md = re.sub(r'^(#{2,4}) ([\w.]+)\s*$', lambda m: f'{m.group(1)} {m.group(2)} {{ #{m.group(2).lower()} }}', md, flags=re.M)
                md = docments_table(md)
            return fix_md(md)
        if 'text/html' in d: return f'<div class="nb-output" markdown="0">\n{j("text/html").strip()}\n</div>'
        if 'text/plain' in d: return _fence(j('text/plain'), 'text')
        return ''

    def render(self) -> tuple[str, str]:
        "(title, markdown) of the page"
        import yaml
        fm = {}
        for c in self.nb.cells:
            src = c.get('source') or ''
            if c.cell_type == 'raw':
                if not fm and src.strip().startswith('---'): fm = yaml.safe_load(src.strip().strip('-')) or {}
                continue
            if c.cell_type == 'markdown':
                for name, att in (c.get('attachments') or {}).items():
                    mime = next(iter(att)); ext = mime.split('/')[-1].replace('svg+xml', 'svg').replace('jpeg', 'jpg')
                    src = src.replace(f'attachment:{name}', self.image(att[mime], ext))
                self.parts.append(fix_md(math_md(src))); continue
            opts, code = cell_opts(src)
            if opts.get('include') == 'false': continue
            if code and opts.get('echo') != 'false':
                blk = _fence(code, 'python')
                if 'code-fold' in opts:
                    blk = f'??? abstract "{opts.get("code-summary", "Source")}"\n\n' + '\n'.join('    ' + l for l in blk.splitlines())
                self.parts.append(blk)
            if opts.get('output') == 'false': continue
            is_doc = code.lstrip().startswith('show_doc')
            outs = [self.output(o, opts, is_doc) for o in c.get('outputs', [])]
            if outs := [o for o in outs if o]:
                self.parts.append('\n\n'.join(outs) if is_doc else '<div class="nb-outputs" markdown>\n\n' + '\n\n'.join(outs) + '\n\n</div>')
        title = str(fm.get('title') or self.rel.stem)
        head = f'---\ntitle: {json.dumps(title)}\nsource: {json.dumps(str(Path("nbs")/self.rel))}\n---\n\n# {title}\n'
        if fm.get('description'): head += f'\n{fm["description"]}\n{{: .nb-description }}\n'
        nb_src = f'nbs/{self.rel.as_posix()}'
        head += f'\nSource notebook: [`{nb_src}`]({repo_url()}/blob/main/{nb_src})\n{{: .nb-source }}\n'
        body = self.links('\n\n'.join(self.parts))
        return title, head + '\n' + body + '\n'

    def links(self, md: str) -> str:
        """Links to this project's hosted docs (nbdev makes them for `symbols`) and to notebooks -> pages of this site;
        links to other files of the repository -> the file on the repository's site"""
        rel = lambda path, ext: os.path.relpath(path + ext, self.page.parent)   # not with_suffix: collab.model
        if self.doc_url:
            md = re.sub(r'\]\(' + re.escape(self.doc_url) + r'/([^)#\s]+)\.html', lambda m: '](' + rel(m.group(1), '.md'), md)
            md = re.sub(re.escape(self.doc_url) + r'/([^"\'#\s)]+)\.html', lambda m: rel(m.group(1), '.html'), md)
        def local(m):
            url, frag = m.group(1), m.group(2) or ''
            if urlsplit(url).scheme or url.startswith(('/', '#')): return m.group(0)
            tgt = (NBS/self.rel.parent/url).resolve()
            if tgt.suffix == '.ipynb' and tgt.is_relative_to(NBS):
                return '](' + os.path.relpath(page_of(tgt.relative_to(NBS)), self.page.parent) + frag + ')'
            if tgt.exists() and tgt.is_relative_to(ROOT) and not tgt.is_relative_to(NBS):
                return f']({repo_url()}/blob/main/{tgt.relative_to(ROOT).as_posix()}{frag})'
            return m.group(0)
        return re.sub(r'\]\(([^)#\s]+)(#[^)\s]*)?\)', local, md)

def symbol_anchors(page: Path, md: str) -> str:
    """nbdev links every `Symbol` in prose to `<page>.html#<symbol>` (methods: `#cls.meth`) even when no show_doc shows it:
    give each symbol of this page an anchor, after its class's heading or else under the title"""
    import ast
    src = (ROOT/_cfg().get('lib_path', 'fastflow')/'_modidx.py').read_text(encoding='utf-8')
    syms = ast.literal_eval(src[src.index('=') + 1:])['syms']
    html = str(page.with_suffix('.html'))
    want = sorted({link.split('#', 1)[1] for mod in syms.values() for link, _ in mod.values()
                   if link.startswith(html + '#')})
    have = set(re.findall(r'\{ #([^ }]+) \}', md))
    by_parent = {}
    for a in want:
        if a not in have: by_parent.setdefault(a.rsplit('.', 1)[0] if '.' in a and a.rsplit('.', 1)[0] in have else None, []).append(a)
    tag = lambda ids: '\n<div class="nb-anchors">' + ''.join(f'<a id="{i}"></a>' for i in ids) + '</div>\n'
    for parent, ids in by_parent.items():
        if parent: md = md.replace(f'{{ #{parent} }}\n', f'{{ #{parent} }}\n' + tag(ids), 1)
        else: md = re.sub(r'^(# .*\n)', lambda m: m.group(1) + tag(ids), md, count=1, flags=re.M)
    return md

def default_exp(nb):
    for c in nb['cells']:
        if c['cell_type'] == 'code' and (m := re.search(r'^\s*#\|\s*default_exp\s+(\S+)', ''.join(c['source']), re.M)): return m.group(1)

def render_nb(rel: Path) -> dict:
    "Worker: process, (execute,) and write the page of notebook `rel`"
    os.environ['IN_TEST'] = '1'; os.environ.setdefault('MPLBACKEND', 'Agg')
    t0 = time.time()
    nb, ran = process_nb(rel)
    title, md = Page(rel, nb).render()
    md = symbol_anchors(page_of(rel), md)
    dest = DOCS/page_of(rel)
    dest.parent.mkdir(parents=True, exist_ok=True); dest.write_text(md, encoding='utf-8')
    return dict(nb=str(rel), page=str(page_of(rel)), title=title, ran=ran, seconds=round(time.time() - t0, 1),
                module=default_exp(json.loads((NBS/rel).read_text(encoding='utf-8'))))

# ---------------------------------------------------------------- mkdocs
CSS = """
.md-typeset .nb-outputs { border-left: 3px solid var(--md-primary-fg-color--light); padding-left: .6rem; margin: -.4rem 0 1rem; }
.md-typeset .nb-outputs pre > code { background: transparent; }
.md-typeset .nb-output { overflow-x: auto; font-size: .7rem; }
.md-typeset .nb-output table { display: table; font-size: .7rem; border-collapse: collapse; border: none; }
.md-typeset .nb-output table th, .md-typeset .nb-output table td { padding: .2rem .6rem; border: none; border-bottom: 1px solid var(--md-default-fg-color--lightest); text-align: right; }
.md-typeset .nb-params td:first-child { white-space: nowrap; }
.md-typeset .nb-params td:nth-child(2), .md-typeset .nb-params td:nth-child(3) { max-width: 14rem; }
.md-typeset .nb-params td code { word-break: normal; overflow-wrap: anywhere; }
.md-typeset .nb-params table:not([class]) { font-size: .7rem; }
.md-typeset .nb-source { font-size: .65rem; color: var(--md-default-fg-color--light); margin-top: -.6rem; }
.md-typeset .nb-description { font-size: 1rem; color: var(--md-default-fg-color--light); }
.md-typeset img.nb-figure { display: block; max-width: 100%; height: auto; }
.md-typeset hr { margin: 1.5rem 0 .5rem; }
"""

def mkdocs_config(pages: list[dict]) -> dict:
    nav, groups = [], {}
    for p in pages:
        g = 'Home' if p['page'] == 'index.md' else nav_group(Path(p['nb']))
        if g == 'Home': nav.insert(0, {'Home': 'index.md'}); continue
        if p['page'] in EXTRA_PAGES: nav.insert(1, {p['title']: p['page']}); continue
        if g not in groups: groups[g] = []; nav.append({g: groups[g]})
        groups[g].append({p['title']: p['page']})
    return dict(
        site_name='fastflow', site_description=_cfg().get('description', ''), docs_dir=str(DOCS), site_dir=str(SITE),
        use_directory_urls=False,   # plain *.html files: the site also opens straight from disk
        theme=dict(name='material', font=False,   # font: false = no Google Fonts, fully offline
                   features=['navigation.sections', 'navigation.top', 'navigation.footer', 'toc.follow',
                             'search.highlight', 'content.code.copy', 'content.action.edit'],
                   palette=[dict(scheme='default', primary='indigo', accent='indigo')]),
        markdown_extensions=['admonition', 'attr_list', 'md_in_html', 'tables', 'def_list', 'footnotes',
                             {'toc': {'permalink': True}}, 'pymdownx.details', 'pymdownx.superfences',
                             {'pymdownx.highlight': {'use_pygments': True}}, 'pymdownx.inlinehilite'],
        plugins=['search'], extra_css=['fastflow.css'], hooks=[str(Path(__file__).resolve())],
        validation=dict(omitted_files='warn', absolute_links='warn', unrecognized_links='warn', anchors='warn'),
        extra=dict(generator=False, repo=repo_url()), nav=nav)

def on_page_markdown(markdown, page, config, files, **kw):
    "mkdocs hook: the page's edit button opens its notebook, the source of the page"
    if src := page.meta.get('source'): page.edit_url = f"{config['extra']['repo']}/blob/main/{src}"
    return markdown

def fingerprint() -> str:
    "Hash of everything the site is built from: a build of the same inputs can be reused"
    h = hashlib.sha256()
    for p in sorted([*NBS.rglob('*.ipynb'), *(ROOT/'fastflow').rglob('*.py'), Path(__file__), ROOT/'pyproject.toml',
                     *(ROOT/n for n in EXTRA_PAGES), *(ROOT/'bench'/'results').glob('*.json')]):
        h.update(str(p.relative_to(ROOT)).encode()); h.update(p.read_bytes())
    return h.hexdigest()

def build(strict=False, workers=2) -> list[dict]:
    import yaml
    t0 = time.time()
    shutil.rmtree(STAGE, ignore_errors=True); shutil.rmtree(SITE, ignore_errors=True)
    DOCS.mkdir(parents=True)
    nbs = sorted(notebooks(), key=nav_order)
    # a fresh process per notebook, as nbdev-test does: IPython replaces sys.modules['__main__'] in the worker
    with ProcessPoolExecutor(min(workers, len(nbs)), mp_context=multiprocessing.get_context('spawn'), max_tasks_per_child=1) as ex:
        pages = list(ex.map(render_nb, nbs))
    for p in pages: print(f"  {p['nb']:<40} -> {p['page']:<28} {'executed' if p['ran'] else 'saved outputs'} {p['seconds']:>6.1f}s")
    for f in NBS.rglob('*'):   # pictures the notebooks' Markdown shows
        if f.suffix.lower() in IMAGES and not any(p.startswith(('_', '.')) for p in f.relative_to(NBS).parts):
            (DOCS/f.relative_to(NBS)).parent.mkdir(parents=True, exist_ok=True); shutil.copy2(f, DOCS/f.relative_to(NBS))
    for name, title in EXTRA_PAGES.items():   # pages kept as Markdown at the top of the repository
        shutil.copy2(ROOT/name, DOCS/name)
        pages.append(dict(nb=name, page=name, title=title, ran=False, seconds=0., module=None))
    (DOCS/'fastflow.css').write_text(CSS)
    cfg = STAGE/'mkdocs.yml'
    cfg.write_text(yaml.safe_dump(mkdocs_config(pages), sort_keys=False, allow_unicode=True))
    r = subprocess.run([sys.executable, '-m', 'mkdocs', 'build', '-q', '-f', str(cfg)] + (['--strict'] if strict else []),
                       capture_output=True, text=True, cwd=ROOT, env={**os.environ, 'NO_MKDOCS_2_WARNING': '1'})
    if r.stdout.strip() or r.stderr.strip(): print(r.stdout + r.stderr, file=sys.stderr)
    if r.returncode: sys.exit(f'mkdocs build failed{" (warnings are errors with --strict)" if strict else ""}: see above')
    for p in pages:   # each page's Markdown beside its HTML, as nbdev's sites serve it: the modules' docstrings link to `<page>.html.md`
        if (md := DOCS/p['page']).suffix == '.md' and md.is_file(): shutil.copy2(md, SITE/(p['page'][:-3] + '.html.md'))
    (SITE/'build-info.json').write_text(json.dumps(dict(fingerprint=fingerprint(), pages=pages), indent=1))
    print(f'built {len(pages)} pages into {SITE.relative_to(ROOT)}/ in {time.time() - t0:.0f}s')
    return pages

# ---------------------------------------------------------------- checks
class _Refs(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.ids, self.links, self.imgs, self.assets = set(), [], [], []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get('id'): self.ids.add(a['id'])
        if tag == 'a' and a.get('name'): self.ids.add(a['name'])
        if tag == 'a' and a.get('href'): self.links.append(a['href'])
        if tag == 'img' and a.get('src'): self.imgs.append(a['src'])
        if tag in ('script', 'img', 'iframe', 'source') and a.get('src'): self.assets.append(a['src'])
        if tag == 'link' and a.get('href') and a.get('rel') != ['canonical']: self.assets.append(a['href'])

def _parse(f: Path) -> _Refs:
    r = _Refs(); r.feed(f.read_text(encoding='utf-8')); return r

def check_site(pages: list[dict]) -> list[str]:
    "Problems in the built site: modules without a page, broken internal links, missing images, network assets"
    errs = []
    documented = {p['module'] for p in pages if p['module']}
    for f in sorted((ROOT/'fastflow').rglob('*.py')):
        if f.name in ('__init__.py', '_modidx.py'): continue
        mod = '.'.join(f.relative_to(ROOT/'fastflow').with_suffix('').parts)
        if mod not in documented: errs.append(f'fastflow/{f.relative_to(ROOT/"fastflow")} has no docs page: no notebook in nbs/ has `#| default_exp {mod}`')
    for p in pages:
        if not (SITE/Path(p['page']).with_suffix('.html')).exists(): errs.append(f"{p['nb']}: page {p['page']} was not built")
        if p['module'] and not (SITE/(p['page'][:-3] + '.html.md')).exists():   # the module's docstring links there
            errs.append(f"{p['nb']}: no {p['page'][:-3]}.html.md beside the page (fastflow.{p['module']}'s docstring links to it)")
    idx = SITE/'search'/'search_index.json'   # mkdocs-material's search runs in the browser on this file, offline
    indexed = {d['location'].split('#')[0] for d in json.loads(idx.read_text())['docs']} if idx.exists() else set()
    for p in pages:
        if str(Path(p['page']).with_suffix('.html')) not in indexed: errs.append(f"{p['page']}: not in the search index")
    parsed = {f: _parse(f) for f in SITE.rglob('*.html') if f.name != '404.html'}
    for f, r in parsed.items():
        where = f.relative_to(SITE)
        for a in r.assets:
            if urlsplit(a).scheme in ('http', 'https') or a.startswith('//'): errs.append(f'{where}: loads {a} from the network')
        for src in r.imgs:
            u = urlsplit(src)
            if u.scheme == 'data': continue
            if u.scheme or src.startswith('//'): errs.append(f'{where}: image from the network {src}'); continue
            if not (f.parent/unquote(u.path)).resolve().is_file(): errs.append(f'{where}: image {src} does not exist')
        for href in r.links:
            u = urlsplit(href)
            if u.scheme or href.startswith('//'): continue
            tgt = (f.parent/unquote(u.path)).resolve() if u.path else f
            if tgt.is_dir(): tgt = tgt/'index.html'
            if not tgt.exists(): errs.append(f'{where}: link {href} points to a missing file'); continue
            if u.fragment and tgt.suffix == '.html' and tgt in parsed and unquote(u.fragment) not in parsed[tgt].ids:
                errs.append(f'{where}: link {href}: no anchor #{u.fragment} in {tgt.relative_to(SITE)}')
    return errs

def check() -> None:
    pages = build(strict=True)
    t0 = time.time()
    errs = check_site(pages)
    for e in errs: print('ERROR', e, file=sys.stderr)
    if errs: sys.exit(f'{len(errs)} problem(s) in the docs site')
    print(f'docs check passed ({len(pages)} pages; links, images, modules, offline assets) in {time.time() - t0:.1f}s')

# ---------------------------------------------------------------- headless Chromium
def chromium() -> str:
    for c in ('chromium', 'chromium-browser', 'google-chrome'):
        if p := shutil.which(c): return p
    raise FileNotFoundError('Chromium not found: install it with `make docs-deps` (Debian package `chromium`)')

def browse(url: str, screenshot: Path | None = None, size=(1280, 1400)) -> str:
    "DOM of `url` after its scripts ran, in headless Chromium with no network beyond `url`; optionally a screenshot"
    with tempfile.TemporaryDirectory() as prof:
        base = [chromium(), '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                '--disable-background-networking', '--disable-component-update', '--disable-sync', '--hide-scrollbars',
                '--disable-dev-shm-usage', f'--user-data-dir={prof}', f'--window-size={size[0]},{size[1]}',
                '--virtual-time-budget=5000']
        run = lambda *a: subprocess.run(base + list(a) + [url], capture_output=True, text=True, timeout=120)
        if screenshot:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            r = run(f'--screenshot={screenshot}')
            if not screenshot.exists(): raise RuntimeError(f'Chromium wrote no screenshot of {url}:\n{r.stderr[-2000:]}')
        r = run('--dump-dom')
        if r.returncode or '<html' not in r.stdout: raise RuntimeError(f'Chromium could not load {url}:\n{r.stderr[-2000:]}')
        return r.stdout

class serve:
    "Serve site/ on a free localhost port (search needs http, not file://): `with serve() as url: ...`"
    def __enter__(self):
        import functools, http.server, threading
        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *a): pass
        h = functools.partial(Quiet, directory=str(SITE))
        self.srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), h)
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()
        return f'http://127.0.0.1:{self.srv.server_port}'
    def __exit__(self, *a): self.srv.shutdown(); self.srv.server_close()

def site_pages() -> list[dict]:
    "Pages of the current build (from site/build-info.json)"
    return json.loads((SITE/'build-info.json').read_text())['pages']

def screenshot_targets() -> dict:
    "{'home': page, 'tutorial': first tutorial page or None}"
    pages = site_pages()
    tut = next((p for p in pages if p['nb'].startswith('tutorials/')), None)
    return {'home': next(p for p in pages if p['page'] == 'index.md'), 'tutorial': tut}

def screenshots(dest=ROOT/'docs'/'screenshots') -> None:
    if not (SITE/'build-info.json').exists() or json.loads((SITE/'build-info.json').read_text())['fingerprint'] != fingerprint(): build()
    with serve() as url:
        for name, p in screenshot_targets().items():
            if p: browse(f"{url}/{Path(p['page']).with_suffix('.html')}", dest/f'{name}.png'); print('wrote', dest/f'{name}.png')

if __name__ == '__main__':
    cmd = sys.argv[1] if len(sys.argv) > 1 else 'build'
    if cmd == 'build': build(strict='--strict' in sys.argv)
    elif cmd == 'check': check()
    elif cmd == 'screenshots': screenshots()
    else: sys.exit(__doc__)
