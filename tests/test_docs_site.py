"The docs site in a real browser: headless Chromium opens the home page and a tutorial, checks title and figure, screenshots both."
import importlib.util, json, re, subprocess, sys, urllib.request
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location('fastflow_docs_build', ROOT/'.ci'/'docs.py')
docs = importlib.util.module_from_spec(_spec); _spec.loader.exec_module(docs)
SHOTS = ROOT/'_proc'/'screenshots'   # `python .ci/docs.py screenshots` refreshes the committed ones in docs/screenshots/

@pytest.fixture(scope='module')
def site():
    "URL of the site served on localhost; reuses the build `make docscheck` made from the same inputs"
    info = docs.SITE/'build-info.json'
    if not info.exists() or json.loads(info.read_text())['fingerprint'] != docs.fingerprint():
        subprocess.run([sys.executable, str(ROOT/'.ci'/'docs.py'), 'build'], check=True, timeout=900)
    with docs.serve() as url: yield url

def _text(s): return re.sub(r'<[^>]+>|¶', '', s).strip()

def open_page(url, page, name):
    "DOM of `page` after its scripts ran; checks the browser shows its title; screenshot in _proc/screenshots/"
    shot = SHOTS/f'{name}.png'; shot.unlink(missing_ok=True)
    dom = docs.browse(f"{url}/{Path(page['page']).with_suffix('.html')}", shot)
    title = re.search(r'<title>(.*?)</title>', dom, re.S)
    assert title and _text(title.group(1)).startswith(page['title']), f'browser title {title and title.group(1)!r}, want {page["title"]!r}'
    h1 = re.search(r'<h1[^>]*>(.*?)</h1>', dom, re.S)
    assert h1 and _text(h1.group(1)) == page['title'], f'page heading {h1 and h1.group(1)!r}, want {page["title"]!r}'
    assert 'md-sidebar' in dom and 'md-search' in dom, 'the theme did not render (navigation or search missing)'
    assert shot.stat().st_size > 20_000, f'{shot} looks blank ({shot.stat().st_size} bytes)'
    return dom

def test_home_page(site):
    open_page(site, docs.screenshot_targets()['home'], 'home')

def test_tutorial_page(site):
    tut = docs.screenshot_targets()['tutorial']
    if tut is None: pytest.skip('no notebook in nbs/tutorials/ yet')
    dom = open_page(site, tut, 'tutorial')
    refs = docs._Refs(); refs.feed(dom)
    figs = [s for s in refs.imgs if re.search(r'_files/fig-\d+\.(png|jpg|svg)$', s)]
    assert figs, f"{tut['nb']}: the page shows no figure (a tutorial keeps its plots as saved outputs)"
    src = (Path(tut['page']).parent/figs[0]).as_posix()
    with urllib.request.urlopen(f'{site}/{src}') as r:
        assert r.status == 200 and r.headers['Content-Type'].startswith('image/') and len(r.read()) > 1000

def test_tutorials_keep_outputs():
    "Tutorials are shown with their saved outputs (never re-run by the docs build), so each must have some"
    tuts = sorted((ROOT/'nbs'/'tutorials').rglob('*.ipynb'))
    if not tuts: pytest.skip('no notebook in nbs/tutorials/ yet')
    bare = [str(t.relative_to(ROOT)) for t in tuts if not docs.has_outputs(json.loads(t.read_text(encoding='utf-8')))]
    assert not bare, f'tutorials without saved outputs (run them and save, figures included): {bare}'

def test_site_check_catches_problems(tmp_path, monkeypatch):
    "The CI check fails on a missing image, a broken link or anchor, a CDN asset, and a module without a page"
    site = tmp_path/'site'; site.mkdir()
    (site/'a.html').write_text('<h2 id="x">x</h2><a href="b.html">b</a><a href="a.html#nope">n</a><a href="#x">ok</a>'
                               '<img src="a_files/fig-1.png"><script src="https://cdn.example/x.js"></script>')
    monkeypatch.setattr(docs, 'SITE', site)
    errs = docs.check_site([{'nb': '00_core.ipynb', 'page': 'a.md', 'module': 'core'}])
    assert any('a.md: not in the search index' in e for e in errs), errs
    for want in ('b.html points to a missing file', 'no anchor #nope', 'image a_files/fig-1.png does not exist',
                 'loads https://cdn.example/x.js', 'fastflow/testing.py has no docs page', 'no a.html.md beside the page'):
        assert any(want in e for e in errs), (want, errs)
    assert not any('#x' in e for e in errs)

def test_a_description_over_several_lines_is_kept_whole():
    "nbdev keeps only the first '> ' line of a page's description: the build joins them (five tutorials lost the rest mid-sentence)"
    from fastcore.nbio import dict2nb
    nb = dict2nb({'cells': [{'cell_type': 'markdown', 'metadata': {}, 'source': '# Title\n\n> one two,\n> three four.\n\nProse after.'}],
                  'metadata': {}, 'nbformat': 4, 'nbformat_minor': 5})
    docs.split_title_cell(nb)
    assert nb.cells[0].source.strip() == '# Title\n\n> one two, three four.', nb.cells[0].source
    assert nb.cells[1].source == 'Prose after.'
    nb = dict2nb({'cells': [{'cell_type': 'markdown', 'metadata': {}, 'source': '# T\n\n> d1\n> d2\n\nText.\n\n> q1\n>\n> q2\n\n```\n> a\n> b\n```'}],
                  'metadata': {}, 'nbformat': 4, 'nbformat_minor': 5})
    docs.split_title_cell(nb)   # only the description's lines are joined: a later quote and a code block keep their lines
    assert nb.cells[0].source.strip() == '# T\n\n> d1 d2' and nb.cells[1].source == 'Text.\n\n> q1\n>\n> q2\n\n```\n> a\n> b\n```', [c.source for c in nb.cells]

def test_inline_math_at_a_line_start_stays_in_its_paragraph():
    "Python-Markdown reads a line that starts with <math> as a raw HTML block, which split the optimisation tutorial's paragraphs at each wrapped formula"
    import markdown
    html = markdown.markdown(docs.math_md('A layer scales its input by about\n$s\\sqrt{n/2}$ (half the units are zeroed).\n\n$x$ starts this one.'))
    paras = re.findall(r'<p>(.*?)</p>', html, re.S)
    assert len(paras) == 2 and 'scales' in paras[0] and 'zeroed' in paras[0] and '<math' in paras[0], html
    assert '<math' in paras[1] and 'starts this one' in paras[1], html
    html = markdown.markdown(docs.math_md('- an item that wraps onto\n  $x$ a second line\n- next item'))   # a list item's continuation
    assert html.count('<li>') == 2 and '<math' in html.split('</li>')[0], html
    assert '<span></span>' not in docs.math_md('```html\n<math display="inline"></math>\n```')   # code is left as written
    test = docs.math_md('$$x^2$$\n')   # display math keeps its own block
    assert test.startswith('<math') and 'display="block"' in test
