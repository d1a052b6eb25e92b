"""The README's benchmark table, built from bench/results/*.json (never typed by hand).

    python bench/report.py        # print the table as Markdown

`.ci/readme.py` (run by `make sync`) and the hidden cell of nbs/index.ipynb call `table_markdown()`, so rerunning any
benchmark updates the README and the docs home page instead of breaking them. A figure a result file does not hold
shows as '—'."""
import json
from pathlib import Path

RESULTS = Path(__file__).resolve().parent/'results'

def load(results=RESULTS) -> dict:
    "script name -> list of result rows"
    return {f.stem: json.loads(f.read_text()) for f in sorted(Path(results).glob('*.json'))}

def write_results(rows: list, out) -> Path:
    "Write a benchmark's rows as bench/results/<script>.json (the format every script shares); returns the file"
    out = Path(out); out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=1) + '\n')
    print(f"wrote {out}")
    return out

def fig(res, script, system, key='value', task=None, metric=None, prefix=False):
    "One figure of a committed run (`system` may be a prefix with `prefix=True`), or None"
    for r in res.get(script, []):
        name_ok = r.get('system', '').startswith(system) if prefix else r.get('system') == system
        if name_ok and task in (None, r.get('task')) and metric in (None, r.get('metric')) and r.get(key) is not None: return r[key]
    return None

def _n(v, nd=3):
    if v is None: return '—'
    return f'{v:,.0f}' if nd == 0 else f'{v:.{nd}f}'

def _x(a, b):
    "ratio a/b as '2.5×' (no decimals from 100× up), or '—'"
    if a is None or not b: return '—'
    return f'{a/b:.0f}×' if a/b >= 100 else f'{a/b:.1f}×'

def _r(a, b):
    "ratio a/b as '1.05×' (two decimals, for accuracies), or '—'"
    return '—' if a is None or not b else f'{a/b:.2f}×'

def rows(res) -> list[tuple[str, str, str]]:
    "(what, fastflow, reference) for each line of the table"
    out = []
    ts = lambda s, k, t: fig(res, 'tabular_speed', s, k, t)
    for t, what in (('adult', 'Tabular NN speed, Adult (`tabular_speed.py`, same model, bs 1024 and epochs; medians of fits totalling ≥ 20 s per system; issue 15: ≥ 2×)'),
                    ('synth200k', 'Tabular NN speed, 200k synthetic rows')):
        ff, fa, fb, f1 = (ts(s, 'throughput', t) for s in ('fastflow-nn', 'fastai-tabular_learner', 'fastai-tabular_learner-bf16', 'fastai-tabular_learner-1thread'))
        cf, ca = ts('fastflow-nn', 'rows_per_cpu_second', t), ts('fastai-tabular_learner', 'rows_per_cpu_second', t)
        best = max((v for v in (fa, fb, f1) if v), default=None)
        out.append((what, f"{_n(ff, 0)} rows/s, accuracy {_n(ts('fastflow-nn', 'value', t), 4)} (bf16 autocast; fp32: {_n(ts('fastflow-nn-fp32', 'throughput', t), 0)} rows/s, "
                          f"{_n(ts('fastflow-nn-fp32', 'value', t), 4)}); {_n(cf, 0)} rows per CPU-second",
                    f"fastai `tabular_learner` {_n(fa, 0)} rows/s, {_n(ts('fastai-tabular_learner', 'value', t), 4)}: **{_x(ff, fa)}**; "
                    f"with the same bf16 autocast {_n(fb, 0)} rows/s: **{_x(ff, fb)}**; on one thread {_n(f1, 0)} rows/s: **{_x(ff, f1)}** "
                    f"(its best: **{_x(ff, best)}**); per CPU-second {_n(ca, 0)}: **{_x(cf, ca)}**"))
    tb = lambda s, t, m, nd=3: _n(fig(res, 'tabular_benchmarks', s, task=t, metric=m), nd)
    out.append(('Tabular quality, Adult official test set (`tabular_benchmarks.py`)',
                f"ensemble {tb('fastflow-ensemble', 'adult', 'accuracy', 4)} (settings and weights chosen on the training rows' CV), "
                f"default xgboost {tb('fastflow-xgb', 'adult', 'accuracy')}, NN {tb('fastflow-nn', 'adult', 'accuracy')}; "
                f"the 5-fold leaderboard in {tb('fastflow-leaderboard', 'adult', 'wall_seconds', 0)} s",
                f"plain xgboost {tb('xgboost', 'adult', 'accuracy')}, scikit-learn HistGradientBoosting {tb('sklearn-hgb', 'adult', 'accuracy')}"))
    out.append(('Tabular quality, House Prices kernel, 5-fold x 3 CV RMSE of log price (every training row scored)',
                f"ensemble {tb('fastflow-ensemble', 'house_prices', 'log_rmse_cv5x3', 4)} (lasso {tb('fastflow-linear', 'house_prices', 'log_rmse_cv5x3', 4)}, "
                f"xgboost {tb('fastflow-xgb', 'house_prices', 'log_rmse_cv5x3', 4)})",
                f"plain xgboost {tb('xgboost', 'house_prices', 'log_rmse_cv5x3')}, HistGradientBoosting {tb('sklearn-hgb', 'house_prices', 'log_rmse_cv5x3')}"))
    out.append(('Tabular quality, Titanic kernel, stratified 5-fold x 3 CV accuracy',
                f"gender + woman-child-group logistic {tb('fastflow-wcg_logistic', 'titanic', 'accuracy_cv5x3')}",
                f"plain xgboost {tb('xgboost', 'titanic', 'accuracy_cv5x3')}, HistGradientBoosting {tb('sklearn-hgb', 'titanic', 'accuracy_cv5x3')}"))
    cs = lambda s, k='throughput': fig(res, 'collab_speed', s, k)
    ff = cs('fastflow-DotProductBias')
    ref = [('bs 64', 'fastai-collab_learner-bs64'), ('bs 1024', 'fastai-collab_learner-bs1024')]
    refs = '; '.join(f"{lab}: {_n(cs(s), 0)} rows/s, {_n(cs(s, 'value'))} (**{_x(ff, cs(s))}**)" for lab, s in ref)
    out.append(('Collab training speed, MovieLens 100K, 5 epochs (`collab_speed.py`)',
                f"{_n(ff, 0)} rows/s ({_n(cs('fastflow-DotProductBias', 'seconds'), 2)} s), RMSE {_n(cs('fastflow-DotProductBias', 'value'))}",
                f"fastai `collab_learner` {refs}; bs 1024 on one thread: {_n(cs('fastai-collab_learner-bs1024-1thread'), 0)} rows/s "
                f"(**{_x(ff, cs('fastai-collab_learner-bs1024-1thread'))}**)"))
    cm = lambda s, p=False: _n(fig(res, 'collab_ml100k', s, metric='rmse', prefix=p))
    cw = lambda k, nd=0: _n(fig(res, 'collab_ml100k', 'fastflow-best', k, task='ml-100k', prefix=True), nd) if k != 'final' else (fig(res, 'collab_ml100k', 'fastflow-best', k, task='ml-100k', prefix=True) or '—')
    out.append(('Collab quality, MovieLens 100K, 5-fold CV RMSE (`collab_ml100k.py`)',
                f"`DotProductBias` {cm('fastflow-DotProductBias')}; `BayesianMF` (the same model by MCMC) {cm('fastflow-BayesianMF')}; "
                f"`CollabWorkflow` ({cw('final')}, weights fitted out of fold) {cm('fastflow-best', True)}, whole fit {cw('seconds')} s",
                f"fastai `collab_learner`, fastbook settings: {cm('fastai-collab_learner')}"))
    cr = lambda s, t: _n(fig(res, 'collab_ranking', s, task=t, metric='precision@10'))
    sets = ('ml-100k', 'movielens-small', 'insteval')
    per = lambda s: ' / '.join(cr(s, t) for t in sets)
    out.append(('Collab top-10 recommendations: precision@10 of held-out ratings >= 4 on ml-100k / movielens-small / insteval, 80/20 split (`collab_ranking.py`)',
                f"`collab_learner`'s default `recommend` (`ItemRanker`, penalty chosen on the training rows): {per('fastflow-collab_learner')}, "
                f"on every training rating: **{per('fastflow-ItemRanker-all_train')}**; ranked by predicted rating: {per('fastflow-collab_learner-by_rating')}",
                f"most rated items: {per('popularity')}; `implicit` ALS, best of a grid chosen on an inner split of the training rows: {per('implicit-als-tuned')}, "
                f"BPR: {per('implicit-bpr-tuned')}; fastai `collab_learner` ranked by rating: {per('fastai-collab_learner')}"))
    coldt = tuple(f'{t}-cold-users' for t in sets)
    pc = lambda s: ' / '.join(cr(s, t) for t in coldt)
    out.append(('Collab recommendations for new users: precision@10, a tenth of the users held out whole, mean of 3 seeds, on the same sets (`collab_ranking.py --cold`)',
                f"default `recommend` for a user with no ratings (the most rated items): {pc('fastflow-collab_learner')}; "
                f"`CollabWorkflow` given ml-100k's user table (what the 100 nearest users by age, gender and occupation rated most): **{cr('fastflow-CollabWorkflow', coldt[0])}**",
                f"items by training count (the simple baseline; the learner's default is the same list from its own training rows): {pc('popularity')}; "
                f"the best shrunk mean ratings among often-rated items (`by='rating'`, the old default): {pc('fastflow-collab_learner-by_rating')}; "
                f"the side member's highest predicted ratings: {cr('fastflow-CollabWorkflow-by_rating', coldt[0])}"))
    sc = lambda t, s, st, k='throughput': next((r.get(k) for r in res.get('scale', []) if r['task'] == t and r['system'] == s and r.get('stage') == st), None)
    cpu = lambda t, s, st: (sc(t, s, st, 'n_items')/sc(t, s, st, 'cpu_seconds')) if sc(t, s, st, 'cpu_seconds') else None   # rows per CPU-second: robust to a shared machine
    size = lambda t: float(t.rsplit('_', 1)[1])
    top = lambda pre, s: max((r['task'] for r in res.get('scale', []) if r['task'].startswith(pre) and r['system'] == s and r.get('stage') == 'epoch'), key=size, default=None)
    sz = lambda t: t.rsplit('_', 1)[1] if t else '—'
    ff = 'fastflow-DotProductBias'; big = top('synth_collab_', ff)
    fa = [(t, s) for t in ('synth_collab_1e7', 'synth_collab_1e6') for s in ('fastai-collab_learner-bs1024', 'fastai-collab_learner-bs4096') if sc(t, s, 'epoch')]
    fa_txt = '; '.join(f"bs {s.rsplit('bs', 1)[1]}: {_n(cpu(t, s, 'epoch'), 0)} (fastflow {_n(cpu(t, ff, 'epoch'), 0)})" for t, s in fa if t == fa[0][0]) if fa else '—'
    peak = lambda t, s: max((v for st in ('load', 'setup', 'epoch', 'recommend') if (v := sc(t, s, st, 'peak_rss_mb')) is not None), default=None)
    out.append((f'Collab at scale, one epoch of {sz(big)} generated ratings, users and items scaled like MovieLens 25M (`scale.py`; issue 19: ≤ 20 s, ≤ 1.5 GB)',
                f"{_n(sc(big, ff, 'epoch', 'seconds'), 1)} s wall on 2 cores, one run ({_n(sc(big, ff, 'epoch', 'cpu_seconds'), 1)} CPU-s, "
                f"{sc(big, ff, 'epoch', 'threads') or '—'} threads, bs {_n(sc(big, ff, 'epoch', 'bs'), 0)}): {_n(sc(big, ff, 'epoch'), 0)} ratings/s "
                f"(10⁶ ratings: {_n(sc('synth_collab_1e6', ff, 'epoch'), 0)}/s), valid RMSE {_n(sc(big, ff, 'epoch', 'valid_rmse'), 4)}; "
                f"peak RSS {_n(peak(big, ff), 0)} MB over loading, setup, the epoch and `recommend`, for a {_n(sc(big, ff, 'load', 'data_mb'), 0)} MB frame "
                f"(the interpreter alone: {_n(sc(big, ff, 'load', 'rss_before_data_mb'), 0)} MB)",
                f"fastai `collab_learner`, ratings per CPU-second at {sz(fa[0][0] if fa else None)}, the largest size it was run at (where its epoch was predicted "
                f"to fit the budget; it took {_n(max((sc(t, s, 'epoch', 'seconds') for t, s in fa if t == fa[0][0]), default=None), 0)} s): {fa_txt}"))
    tf = 'fastflow'; tb = top('synth_tabular_', tf)
    add = lambda *v: None if None in v else sum(v)
    tpeak = max((v for st in ('preprocess', 'epoch') if (v := sc(tb, tf, st, 'peak_rss_mb')) is not None), default=None)
    out.append((f'Tabular at scale, {sz(tb)} Adult-like rows, 80% trained on (`scale.py`; issue 19: preprocessing + one NN epoch ≤ 60 s, peak RSS ≤ 3× the frame)',
                f"preprocessing {_n(sc(tb, tf, 'preprocess', 'seconds'), 1)} s + one NN epoch {_n(sc(tb, tf, 'epoch', 'seconds'), 1)} s (bs {_n(sc(tb, tf, 'epoch', 'bs'), 0)}) = "
                f"**{_n(add(sc(tb, tf, 'preprocess', 'seconds'), sc(tb, tf, 'epoch', 'seconds')), 1)} s** wall "
                f"({_n(add(sc(tb, tf, 'preprocess', 'cpu_seconds'), sc(tb, tf, 'epoch', 'cpu_seconds')), 1)} CPU-s), valid accuracy {_n(sc(tb, tf, 'epoch', 'valid_accuracy'), 4)} "
                f"(the epoch at bs 1024: {_n(sc(tb, 'fastflow-bs1024', 'epoch', 'seconds'), 1)} s, {_n(sc(tb, 'fastflow-bs1024', 'epoch', 'valid_accuracy'), 4)}); "
                f"peak RSS {_n(tpeak, 0)} MB (the process, interpreter included) for a {_n(sc(tb, tf, 'preprocess', 'data_mb'), 0)} MB frame "
                f"(`memory_usage(deep=True)`): **{_n(tpeak/sc(tb, tf, 'preprocess', 'data_mb') if tpeak and sc(tb, tf, 'preprocess', 'data_mb') else None, 2)}×**",
                f"fastai `tabular_learner` at 5e4: preprocessing {_n(cpu('synth_tabular_5e4', 'fastai-tabular_learner', 'preprocess'), 0)} rows per CPU-second, "
                f"epoch {_n(cpu('synth_tabular_5e4', 'fastai-tabular_learner', 'epoch'), 0)} (fastflow {_n(cpu('synth_tabular_5e4', tf, 'epoch'), 0)})"))
    vc = lambda s, k='value', nd=3: _n(fig(res, 'vision_cifar', s, k), nd)
    out.append(('Vision, CIFAR-10 subset, 15 min of CPU training each, 1,000 held-out images (`vision_cifar.py`)',
                f"{vc('fastflow-fastnet-tta')} held-out accuracy (TTA; {vc('fastflow-fastnet')} without), {vc('fastflow-fastnet', 'epochs', 1)} epochs, "
                f"{vc('fastflow-fastnet', 'throughput', 0)} img/s",
                f"fastai `Learner` + CIFAR ResNet-9 on the same tensors and loader, `lr_find` + one-cycle: {vc('fastai-resnet9-tta')} "
                f"(TTA; {vc('fastai-resnet9')} without), {vc('fastai-resnet9', 'epochs', 1)} epochs "
                f"(fastflow/peer accuracy with TTA: **{_r(fig(res, 'vision_cifar', 'fastflow-fastnet-tta'), fig(res, 'vision_cifar', 'fastai-resnet9-tta'))}**); "
                f"fastai default `vision_learner(resnet18, pretrained=False)`: {vc('fastai-vision_learner-resnet18')}, "
                f"{vc('fastai-vision_learner-resnet18', 'epochs', 1)} epochs"))
    out += generality_rows(res)
    return out

GEN_TABULAR = ('diamonds', 'bikeshare', 'wage', 'default', 'caravan', 'chile', 'digits', 'adult', 'house_prices', 'titanic')
GEN_RATINGS = ('insteval', 'movielens-small')
GEN_MAE = ('doctorvisits',)

def generality_rows(res) -> list[tuple[str, str, str]]:
    "README lines of bench/generality.py: fastflow's defaults against xgboost and AutoGluon on sets nobody tuned for"
    rs = res.get('generality', [])
    get = lambda t, s: next((r for r in rs if r['task'] == t and r['system'] == s), None)
    sets = [t for t in GEN_TABULAR if get(t, 'fastflow-default') and get(t, 'xgboost')]
    if not sets: return []
    sign = lambda r: 1 if r['metric'].split('_cv')[0] in ('accuracy', 'roc_auc') else -1   # +1: higher is better
    def ahead(t, a, b, noise=True):
        "a at least as good as b on set t (within 2 paired standard errors when `noise`)"
        ra, rb = get(t, a), get(t, b)
        if not (ra and rb): return None
        return sign(ra)*(ra['value'] - rb['value']) >= (-2*ra.get(f'se_vs_{b}', 0) if noise else 1e-12)
    xg = [ahead(t, 'fastflow-default', 'xgboost') for t in sets]
    ag = [ahead(t, 'fastflow-metric', 'autogluon-medium_quality', noise=False) for t in sets]
    n_ag = sum(a is not None for a in ag)
    fams = sorted({m for t in sets for m in (get(t, 'autogluon-medium_quality') or {}).get('models', [])})
    nd = lambda r: '—' if r is None else (f"{r['value']:.4f}" if abs(r['value']) < 10 else f"{r['value']:,.1f}")
    per = '; '.join(f"{t} ({get(t, 'fastflow-default')['metric']}) {nd(get(t, 'fastflow-default'))} / {nd(get(t, 'fastflow-metric'))} / "
                    f"{nd(get(t, 'xgboost'))} / {nd(get(t, 'autogluon-medium_quality'))}" for t in sets)
    out = [('Generality: 7 public tables from PyPI packages nobody tuned for, plus Adult (official test), House Prices and Titanic '
            '(5-fold CV) (`generality.py`)',
            f"`TabularWorkflow(target)` within noise (2 paired standard errors) of plain xgboost or better on **{sum(map(bool, xg))}/{len(sets)}** sets; "
            f"with the set's metric, ahead of AutoGluon at equal wall time on **{sum(map(bool, ag))}/{n_ag}**. "
            f"Per set, default / with metric / xgboost / AutoGluon: {per}",
            f"AutoGluon-Tabular 1.6.3 `medium_quality`, `time_limit` = fastflow's wall time on the set (model families: {', '.join(fams) or '—'}); "
            f"scikit-learn HistGradientBoosting on {sum(bool(ahead(t, 'fastflow-default', 'sklearn-hgb', noise=False)) for t in sets)}/{len(sets)} sets behind fastflow's default")]
    for t in (t for t in GEN_MAE if get(t, 'fastflow-metric') and get(t, 'median')):
        f = lambda s: nd(get(t, s))
        out.append((f"Generality, a count scored by MAE: {t} (`generality.py`; 80/20, held-out MAE)",
                    f"`TabularWorkflow(target, metric='mae')` **{f('fastflow-metric')}** (members and blend on absolute error); "
                    f"`TabularWorkflow(target)` {f('fastflow-default')}" + (" (it reads the few whole counts as classes)" if get(t, 'fastflow-default').get('task_inferred') == 'classification' else ""),
                    f"the training median for every row {f('median')}; xgboost `reg:absoluteerror` {f('xgboost-absoluteerror')}, HistGradientBoosting "
                    f"`absolute_error` {f('sklearn-hgb-absolute_error')}; their defaults (squared error) {f('xgboost')}, {f('sklearn-hgb')}"))
    rsets = [t for t in GEN_RATINGS if get(t, 'biases-only')]
    if rsets:
        f = lambda t, s: nd(get(t, s))
        out.append(('Generality, ratings from PyPI packages: ' + ', '.join(rsets) + ' (80/20, held-out RMSE)',
                    '; '.join(f"{t}: `CollabWorkflow` {f(t, 'fastflow-CollabWorkflow')}, first `collab_learner` fit {f(t, 'fastflow-collab_learner')}"
                              + (f" (on every training rating, `valid_pct=0`: **{f(t, 'fastflow-collab_learner-all_train')}**)" if get(t, 'fastflow-collab_learner-all_train') else '')
                              for t in rsets),
                    '; '.join(f"{t}: biases-only {f(t, 'biases-only')}" + (f" (on the first fit's 80%: {f(t, 'biases-only-first_fit_rows')})" if get(t, 'biases-only-first_fit_rows') else '') + f", fastai `collab_learner` (fastbook) {f(t, 'fastai-collab_learner')}" for t in rsets)))
    return out

def table_markdown(results=RESULTS) -> str:
    "The benchmark table as Markdown, from the result files in `results`"
    lines = ['| What (script) | fastflow | Reference, same run |', '| --- | --- | --- |']
    return '\n'.join(lines + [f'| {a} | {b} | {c} |' for a, b, c in rows(load(results))])

if __name__ == '__main__': print(table_markdown())
