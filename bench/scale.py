"""Cost curves: seconds, rows/s and peak memory of each stage against the size of generated data, for collab, tabular and vision.

Each (application, size, system) runs in a fresh subprocess, so peak memory never mixes between runs; inside it, the
kernel's peak-RSS mark is reset before each stage (`/proc/self/clear_refs`), so `peak_rss_mb` is the stage's own peak
(everything resident: Python, torch and fastai take ~0.65 GB before any data). Data are generated in the child and are
not timed. Stages:
- collab (ratings 1e5 .. 2.5e7, users and items scaled like MovieLens 25M: 160k users and 60k items at 2.5e7):
  `load` = `CollabDataLoaders.from_df` (its row also gives the process's RSS before and with the data frame),
  `setup` = `collab_learner` (bias baseline included), `epoch` = one `fit_one_cycle(1)` of `DotProductBias` (50 factors,
  the default batch `collab_bs`: 4096 to 262144 with the data, or the batch a system name ends with, e.g.
  `fastflow-DotProductBias-bs8192`; `collab_learner`'s threads), `recommend` = `recommend` for 1,000 users (200 at 2.5e7; the first call fits the learner's `ItemRanker`). fastai's
  `collab_learner` (fastbook: 50 factors, y_range (0, 5.5), `fit_one_cycle(1, 5e-3, wd=0.1)`) at bs 1024 (its default)
  and at 4096 (fastflow's), torch's default threads, at each size its epoch is predicted to finish within `--budget`.
- tabular (5e4 .. 5e6 rows, an Adult-like schema: 6 numbers, 8 categories, binary target): `preprocess` = `TabularProc`
  fit + transform + arrays, `epoch` = one `fit_tabular_nn` epoch (its `default_bs`: 1024 up to ~1e6 training rows, 4096 at 4e6;
  where that is not 1024, `fastflow-bs1024` repeats the epoch at 1024 for its seconds and accuracy), `predict`, `xgb` = one `GBMClassifier`
  fit (fastflow's xgboost member, up to `XGB_MAX` rows), `leaderboard` = `TabularWorkflow(...).fit` wall time (sizes within the budget);
  fastai's `tabular_learner` (TabularPandas preprocessing + one epoch) within the budget.
- vision (1e4 .. 1e5 PNG images of 32x32, 10 classes): `decode` = `load_images` on one thread and on 2 threads,
  `dls` = `tensor_dls` (the in-memory uint8 tensor, its size in `tensor_mb`), `epoch` = one `fastnet_learner` epoch
  (up to `VISION_EPOCH_MAX` images).
The budget (`--budget`, default 60 s) is per stage: a reference (or the leaderboard) runs at a size only if its epoch,
extrapolated linearly from the largest size it ran, fits in it.

    python bench/scale.py                      # everything; writes bench/results/scale.json and nbs/tutorials/scale.png
    python bench/scale.py --max 1e6 --apps collab --out /tmp/scale.json --plot /tmp/scale.png   # a quick run
"""
import os
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')
import argparse, ctypes, json, resource, subprocess, sys, tempfile, time, warnings
from pathlib import Path
import numpy as np, pandas as pd

HERE = Path(__file__).resolve().parent
VISION_EPOCH_MAX = 1e4   # one FastNet epoch is measured up to this many images (a CPU epoch of 1e5 images takes many minutes here)
XGB_MAX = 5e4   # one xgboost fit (early stopping, up to 1000 trees) is measured up to this many rows
SIZES = {'collab': [1e5, 1e6, 1e7, 2.5e7], 'tabular': [5e4, 5e5, 5e6], 'vision': [1e4, 3e4, 1e5]}
SYSTEMS = {'collab': ['fastflow-DotProductBias', 'fastai-collab_learner-bs1024', 'fastai-collab_learner-bs4096'],
           'tabular': ['fastflow', 'fastai-tabular_learner'], 'vision': ['fastflow-fastnet']}

def size_name(n) -> str:
    "1e6 -> '1e6', 2.5e7 -> '2.5e7', 5e4 -> '5e4'"
    e = int(np.floor(np.log10(n))); m = n/10**e
    return f"{m:g}e{e}"

# ---------------------------------------------------------------- measuring one stage (in the child)
def _hwm_mb() -> float:
    for line in open('/proc/self/status'):
        if line.startswith('VmHWM'): return int(line.split()[1])/1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024

def _rss_mb() -> int:
    "Resident memory of this process now (MB)"
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS'): return round(int(line.split()[1])/1024)
    return 0

def _trim():
    "Give the heap's freed memory back to the system (glibc), so stages are not charged with what the data generator left"
    try: ctypes.CDLL('libc.so.6').malloc_trim(0)
    except (OSError, AttributeError): pass   # not glibc: nothing to do

def _reset_peak():
    try: open('/proc/self/clear_refs', 'w').write('5')
    except OSError: pass   # not Linux: the peak is then the process's peak so far

class Stage:
    "with Stage(rows, task, system, 'epoch', n_items): ... -> a result row with seconds, cpu seconds, items/s and peak RSS"
    def __init__(self, rows, task, system, stage, n_items, **extra):
        self.rows, self.row = rows, dict(task=task, system=system, stage=stage, metric='seconds', n_items=int(n_items), **extra)
    def __enter__(self):
        _reset_peak(); self.t, self.c = time.perf_counter(), time.process_time(); return self.row
    def __exit__(self, *exc):
        if exc[0] is not None: return False
        s = time.perf_counter() - self.t
        self.row.update(value=round(s, 3), seconds=round(s, 3), cpu_seconds=round(time.process_time() - self.c, 3),
                        throughput=round(self.row['n_items']/s) if s > 0 else None, peak_rss_mb=round(_hwm_mb()))
        self.rows.append(self.row)
        print('ROW ' + json.dumps(self.row), file=sys.stderr, flush=True)   # each stage as it ends: a run stopped early keeps its stages
        print(f"  {self.row['task']:<22}{self.row['system']:<32}{self.row['stage']:<12}{s:9.2f} s{self.row['throughput'] or 0:>12,} /s"
              f"{self.row['peak_rss_mb']:>8,} MB", file=sys.stderr, flush=True)

# ---------------------------------------------------------------- generated data
def synth_collab(n: int, seed=0) -> pd.DataFrame:
    "`n` distinct (user, item) ratings, 0.5-5 in halves, int32 ids / float32 ratings; 160k users and 60k items at 2.5e7 (MovieLens 25M's shape), scaled"
    nu, ni = max(int(160_000*n/2.5e7), 50), max(int(60_000*n/2.5e7), 20)
    rng = np.random.default_rng(seed)
    key = np.zeros(0, np.int64)
    while len(key) < n: key = np.unique(np.concatenate([key, rng.integers(0, nu, int(n*1.05)+100).astype(np.int64)*ni + rng.integers(0, ni, int(n*1.05)+100)]))
    key = rng.permutation(key)[:n]
    u, i = (key//ni).astype(np.int32), (key % ni).astype(np.int32); del key
    U, V = rng.normal(0, .3, (nu, 4)).astype(np.float32), rng.normal(0, .3, (ni, 4)).astype(np.float32)
    bu, bi = rng.normal(0, .4, nu).astype(np.float32), rng.normal(0, .5, ni).astype(np.float32)
    r = 3.5 + bu[u] + bi[i] + rng.normal(0, .8, n).astype(np.float32)
    for k in range(4): r += U[u, k]*V[i, k]
    r = np.clip(np.round(r*2)/2, .5, 5).astype(np.float32)
    return pd.DataFrame({'user': u, 'item': i, 'rating': r})

ADULT_CATS = {'workclass': 8, 'education': 16, 'marital-status': 7, 'occupation': 14, 'relationship': 6, 'race': 5, 'sex': 2, 'native-country': 41}
ADULT_CONTS = ['age', 'fnlwgt', 'education-num', 'capital-gain', 'capital-loss', 'hours-per-week']

def synth_adult(n: int, seed=0) -> pd.DataFrame:
    "An Adult-shaped table: 6 numbers, 8 text categories (Adult's cardinalities), a 0/1 `income` from a known formula, 1% missing"
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({'age': rng.integers(17, 90, n), 'fnlwgt': rng.lognormal(12, .5, n).round(), 'education-num': rng.integers(1, 17, n),
                       'capital-gain': np.where(rng.random(n) < .08, rng.lognormal(8, 1, n).round(), 0.),
                       'capital-loss': np.where(rng.random(n) < .05, rng.lognormal(7, .3, n).round(), 0.), 'hours-per-week': rng.integers(1, 99, n)})
    score = 0.04*(df.age - 38) + 0.3*(df['education-num'] - 10) + 0.0003*df['capital-gain'] + 0.03*(df['hours-per-week'] - 40)
    for c, k in ADULT_CATS.items():
        codes = rng.integers(0, k, n); eff = rng.normal(0, .7, k)
        score += eff[codes]
        df[c] = pd.Series(np.array([f'{c[:3]}_{j}' for j in range(k)], dtype=object)[codes]).where(rng.random(n) > .01)
    df['income'] = np.where(score + rng.logistic(0, 1, n) > 1.2, '>50K', '<=50K')
    return df

def synth_pngs(n: int, folder: Path, seed=0) -> tuple:
    "`n` 32x32 PNGs in 10 class folders (a class is a colour and a bar position, plus noise); returns (files, labels)"
    from PIL import Image
    rng = np.random.default_rng(seed); y = rng.integers(0, 10, n); files = []
    base = rng.integers(40, 215, (10, 3))
    for c in range(10): (folder/str(c)).mkdir(parents=True, exist_ok=True)
    for k in range(n):
        a = np.clip(base[y[k]] + rng.normal(0, 30, (32, 32, 3)), 0, 255).astype(np.uint8)
        a[:, 3*y[k]:3*y[k]+3] = 255
        f = folder/str(y[k])/f'{k}.png'; Image.fromarray(a).save(f, compress_level=1); files.append(f)
    return files, y

# ---------------------------------------------------------------- one (application, size, system) in the child
def run_collab(n, system, rows):
    import torch
    from fastflow.collab.data import CollabDataLoaders
    from fastflow.collab.learner import collab_learner
    task = f'synth_collab_{size_name(n)}'
    rss0 = _rss_mb()   # the interpreter with torch, fastai and fastflow imported, before any data
    df = synth_collab(n); data_mb = round(df.memory_usage(deep=True).sum()/2**20)
    _trim()   # the generator's freed temporaries (~0.5 GB at 2.5e7) would otherwise stay resident and count in every stage
    n_train = int(round(0.8*n))
    if system.startswith('fastflow'):
        from fastflow.callbacks import TorchThreads
        bs = int(system.rsplit('-bs', 1)[1]) if '-bs' in system else None   # fastflow-DotProductBias-bs8192: that batch, not collab_bs's
        with Stage(rows, task, system, 'load', n, data_mb=data_mb, rss_before_data_mb=rss0, rss_with_data_mb=_rss_mb()): dls = CollabDataLoaders.from_df(df, device='cpu', bs=bs)
        with Stage(rows, task, system, 'setup', n_train): learn = collab_learner(dls, best_epoch=False, seed=0)
        threads = next((c.n for c in learn.cbs if isinstance(c, TorchThreads)), torch.get_num_threads())
        with Stage(rows, task, system, 'epoch', n_train, threads=threads, bs=dls.train.bs) as row:
            with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(1)
        row['valid_rmse'] = round(float(learn.recorder.values[-1][2]), 4)
        users = dls.users[np.random.default_rng(0).choice(dls.n_users, min(1000 if n < 2e7 else 200, dls.n_users), replace=False)]
        with Stage(rows, task, system, 'recommend', len(users)):
            for u in users: learn.recommend(u, n=10)
        return
    from fastai.collab import CollabDataLoaders as FaDLs, collab_learner as fa_collab_learner
    bs = int(system.rsplit('bs', 1)[1])
    with Stage(rows, task, system, 'load', n, data_mb=data_mb): dls = FaDLs.from_df(df, valid_pct=0.2, seed=42, bs=bs)
    torch.manual_seed(0)
    with Stage(rows, task, system, 'setup', n_train): learn = fa_collab_learner(dls, n_factors=50, y_range=(0, 5.5))
    with Stage(rows, task, system, 'epoch', n_train, threads=torch.get_num_threads(), bs=bs) as row:
        with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(1, 5e-3, wd=0.1)
    row['valid_rmse'] = round(float(learn.recorder.values[-1][1])**0.5, 4)   # valid MSE -> RMSE

def run_tabular(n, system, rows, leaderboard=False):
    import torch
    task = f'synth_tabular_{size_name(n)}'
    df = synth_adult(n); data_mb = round(df.memory_usage(deep=True).sum()/2**20)
    cut = int(0.8*n); trn, val = df.iloc[:cut], df.iloc[cut:]
    if system == 'fastflow':
        from fastflow.tabular.data import TabularProc
        from fastflow.tabular.nn import fit_tabular_nn, predict_tabular_nn
        from fastflow.tabular.estimators import GBMClassifier
        from fastflow.metrics import accuracy
        with Stage(rows, task, system, 'preprocess', n, data_mb=data_mb):
            proc = TabularProc(cat_names=list(ADULT_CATS), cont_names=ADULT_CONTS, drop=['income']).fit(trn)
            xtr, xva = proc.arrays(proc.transform(trn)), proc.arrays(proc.transform(val))
            ytr, yva = (trn.income == '>50K').to_numpy(np.int64), (val.income == '>50K').to_numpy(np.int64)
        torch.manual_seed(0)
        with Stage(rows, task, system, 'epoch', cut) as row:
            learn = fit_tabular_nn(*xtr, ytr, proc.card_, epochs=1)
        row['bs'] = learn.dls.train.bs
        with Stage(rows, task, system, 'predict', n - cut) as prow:
            p = predict_tabular_nn(learn.model, *xva)
        row['valid_accuracy'] = prow['valid_accuracy'] = round(accuracy(yva, p), 4)
        if row['bs'] != 1024:   # the same epoch at fastai's batch size: what default_bs saves, and at what accuracy
            del learn; torch.manual_seed(0)
            with Stage(rows, task, 'fastflow-bs1024', 'epoch', cut, bs=1024) as row:
                learn = fit_tabular_nn(*xtr, ytr, proc.card_, epochs=1, bs=1024)
            row['valid_accuracy'] = round(accuracy(yva, predict_tabular_nn(learn.model, *xva)), 4)
        if n <= XGB_MAX:
            with Stage(rows, task, system, 'xgb', cut) as row:
                gbm = GBMClassifier().fit(trn.drop(columns='income'), trn.income)
            row['valid_accuracy'] = round(float((gbm.predict(val.drop(columns='income')) == val.income.to_numpy()).mean()), 4)
        if leaderboard:
            from fastflow.tabular.workflow import TabularWorkflow
            with Stage(rows, task, system, 'leaderboard', n):
                TabularWorkflow('income', verbose=False).fit(df)
        return
    from fastai.tabular.all import TabularPandas, Categorify, FillMissing, Normalize, CategoryBlock, tabular_learner, accuracy
    with Stage(rows, task, system, 'preprocess', n, data_mb=data_mb):
        to = TabularPandas(df, procs=[Categorify, FillMissing, Normalize], cat_names=list(ADULT_CATS), cont_names=ADULT_CONTS,
                           y_names='income', y_block=CategoryBlock(), splits=(list(range(cut)), list(range(cut, n))))
        dls = to.dataloaders(bs=1024)
    torch.manual_seed(0)
    learn = tabular_learner(dls, layers=[200, 100], metrics=accuracy)
    with Stage(rows, task, system, 'epoch', cut, threads=torch.get_num_threads()) as row:
        with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(1, 1e-2)
    row['valid_accuracy'] = round(float(learn.recorder.values[-1][2]), 4)

def _decode_chunk(files): 
    from fastflow.vision.data import load_images
    return load_images(files).numpy()

def run_vision(n, system, rows):
    import torch
    from concurrent.futures import ThreadPoolExecutor
    from fastflow.vision.data import load_images, ImageTensors, tensor_dls
    from fastflow.vision.learner import fastnet_learner, fit_budget
    task = f'synth_images_{size_name(n)}'
    with tempfile.TemporaryDirectory() as tmp:
        files, y = synth_pngs(n, Path(tmp))
        with Stage(rows, task, system, 'decode', n, workers=1): x = load_images(files)
        del x
        with Stage(rows, task, system, 'decode', n, workers=2):   # 2 threads: Pillow decodes without the GIL (processes forked from torch can hang)
            with ThreadPoolExecutor(2) as ex: x = torch.from_numpy(np.concatenate(list(ex.map(_decode_chunk, np.array_split(np.array(files, dtype=object), 8)))))
    data = ImageTensors(x, torch.from_numpy(y), [str(c) for c in range(10)], files)
    with Stage(rows, task, system, 'dls', n, tensor_mb=round(x.numel()/2**20)): dls = tensor_dls(data, bs=256, seed=0)
    if n > VISION_EPOCH_MAX: return
    torch.manual_seed(0)
    learn = fastnet_learner(dls)
    with Stage(rows, task, system, 'epoch', len(dls.train_idx)) as row:
        with learn.no_bar(), learn.no_logging(): fit_budget(learn, epochs=1)
    row['valid_accuracy'] = round(float(learn.validate()[1]), 4)

def child(app, n, system, leaderboard):
    warnings.simplefilter('ignore')
    rows = []
    {'collab': run_collab, 'tabular': lambda n, s, r: run_tabular(n, s, r, leaderboard), 'vision': run_vision}[app](n, system, rows)
    print(json.dumps(rows))

# ---------------------------------------------------------------- the parent: sizes, budget, table, plot
def _run_child(app, n, system, leaderboard, timeout):
    cmd = [sys.executable, __file__, '--child', app, str(n), system] + (['--leaderboard'] if leaderboard else [])
    try: p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env={**os.environ, 'PYTHONWARNINGS': 'ignore'})
    except subprocess.TimeoutExpired: print(f"  {app} {size_name(n)} {system}: over {timeout:.0f} s, stopped", flush=True); return None
    sys.stderr.write(p.stderr[-3000:] if p.returncode else p.stderr)
    if p.returncode: print(f"  {app} {size_name(n)} {system}: failed (rc {p.returncode})", flush=True); return None
    return json.loads(p.stdout.strip().splitlines()[-1])

def _predicted(prev: list, stage: str, n: float):
    "seconds a stage would take at size `n`, extrapolated linearly from the largest size measured"
    r = [x for x in prev if x['stage'] == stage]
    if not r: return 0.
    r = max(r, key=lambda x: x['n_items'])
    return r['seconds']*n/float(r['task'].rsplit('_', 1)[1])

def _app(row) -> str: return {'collab': 'collab', 'tabular': 'tabular', 'images': 'vision'}[row['task'].split('_')[1]]

def plot(rows, out: Path):
    "Log-log curves: CPU seconds per stage (robust to a shared machine) and peak memory against the number of items, per application"
    import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt
    apps = [a for a in SIZES if any(r['task'].startswith(f'synth_{a}') or (a == 'vision' and r['task'].startswith('synth_images')) for r in rows)]
    if not apps: print('no rows to plot'); return
    fig, axs = plt.subplots(2, len(apps), figsize=(5.5*len(apps), 8), squeeze=False)
    for j, app in enumerate(apps):
        pre = 'synth_images' if app == 'vision' else f'synth_{app}'
        rs = [r for r in rows if r['task'].startswith(pre)]
        for (sys_, st) in sorted({(r['system'], r['stage']) for r in rs}):
            for w in sorted({r.get('workers') for r in rs if r['system'] == sys_ and r['stage'] == st}, key=str):
                c = sorted([r for r in rs if r['system'] == sys_ and r['stage'] == st and r.get('workers') == w], key=lambda r: float(r['task'].rsplit('_', 1)[1]))
                x = [float(r['task'].rsplit('_', 1)[1]) for r in c]
                lab = f"{sys_} {st}" + (f" ({w} thread{'s' if w > 1 else ''})" if w else '')
                ls = '-' if sys_.startswith('fastflow') else '--'
                axs[0, j].plot(x, [r['cpu_seconds'] for r in c], ls, marker='o', label=lab)
                if st in ('load', 'epoch', 'preprocess', 'decode', 'dls'): axs[1, j].plot(x, [r['peak_rss_mb'] for r in c], ls, marker='o', label=lab)
        xs = sorted({float(r['task'].rsplit('_', 1)[1]) for r in rs})
        if xs:   # a slope-1 guide: linear cost
            y0 = min(r['cpu_seconds'] for r in rs if float(r['task'].rsplit('_', 1)[1]) == xs[0]) or 1e-3
            axs[0, j].plot(xs, [y0*x/xs[0] for x in xs], ':', color='grey', label='linear (slope 1)')
        data = sorted({(float(r['task'].rsplit('_', 1)[1]), r['data_mb']) for r in rs if r.get('data_mb') is not None and r['system'].startswith('fastflow')})
        if data: axs[1, j].plot([d[0] for d in data], [d[1] for d in data], ':', color='black', label='the data frame itself')
        for i, yl in enumerate(('CPU seconds', 'peak RSS (MB)')):
            ax = axs[i, j]; ax.set_xscale('log'); ax.set_yscale('log'); ax.set_xlabel('ratings' if app == 'collab' else 'rows' if app == 'tabular' else 'images')
            ax.set_ylabel(yl); ax.set_title(f'{app}: {yl}'); ax.grid(True, which='both', alpha=.3); ax.legend(fontsize=6)
    fig.tight_layout(); fig.savefig(out, dpi=110); plt.close(fig)
    print(f"wrote {out}")

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--apps', nargs='+', default=list(SIZES))
    ap.add_argument('--max', type=float, default=None, help='largest size to run (e.g. 1e6)')
    ap.add_argument('--budget', type=float, default=60., help='a reference (or the leaderboard) runs at a size only if its epoch is predicted to take at most this many seconds')
    ap.add_argument('--timeout', type=float, default=900., help='a child running longer is stopped')
    ap.add_argument('--out', default=str(HERE/'results'/'scale.json'))
    ap.add_argument('--plot', default=str(HERE.parent/'nbs'/'tutorials'/'scale.png'), help='the curves, shown by the docs page nbs/tutorials/scale.ipynb')
    ap.add_argument('--sizes', nargs='+', type=float, default=None, help='only these sizes (e.g. 2.5e7)')
    ap.add_argument('--systems', nargs='+', default=None, help='only these systems (e.g. fastai-collab_learner-bs1024)')
    ap.add_argument('--merge', nargs='+', default=None, help='result files of partial runs to merge into --out (and plot); runs nothing')
    ap.add_argument('--child', nargs=3, default=None, help=argparse.SUPPRESS)
    ap.add_argument('--leaderboard', action='store_true', help="also time TabularWorkflow's 5-fold leaderboard (5 models; minutes on a shared 2-core machine)")
    a = ap.parse_args(argv)
    if a.child: return child(a.child[0], int(float(a.child[1])), a.child[2], a.leaderboard)
    sys.path.insert(0, str(HERE)); from report import write_results
    if a.merge:   # later files win for the same (task, system, stage, workers)
        key = lambda r: (r['task'], r['system'], r['stage'], r.get('workers'))
        rows = list({key(r): r for f in a.merge for r in json.loads(Path(f).read_text())}.values())
        write_results(rows, Path(a.out)); plot(rows, Path(a.plot)); return rows
    print(f"load: {os.getloadavg()}; budget {a.budget:.0f} s per reference epoch (and leaderboard)", flush=True)
    rows = []
    for app in a.apps:
        extra = [s for s in a.systems or [] if app == 'collab' and s.startswith('fastflow-DotProductBias-bs') and s not in SYSTEMS[app]]
        for system in SYSTEMS[app] + extra:   # fastflow-DotProductBias-bs8192: ours at a batch size of your choice
            if a.systems and system not in a.systems: continue
            prev = []
            for n in SIZES[app]:
                if (a.max and n > a.max) or (a.sizes and n not in a.sizes): continue
                ref = not system.startswith('fastflow')
                if ref and _predicted(prev, 'epoch', n) > a.budget:
                    print(f"  {app} {size_name(n)} {system}: skipped (epoch predicted {_predicted(prev, 'epoch', n):.0f} s > budget {a.budget:.0f} s)", flush=True)
                    continue
                lb = a.leaderboard and app == 'tabular' and (_predicted(prev, 'leaderboard', n) <= a.budget if prev else True)
                res = _run_child(app, n, system, lb, a.timeout)
                if res: prev += res; rows += res
    out = Path(a.out)
    if out.exists():   # a run of some applications keeps the other applications' rows of the last run
        ran = {_app(r) for r in rows}
        rows = [r for r in json.loads(out.read_text()) if _app(r) not in ran] + rows
    write_results(rows, out)
    plot(rows, Path(a.plot))
    return rows

if __name__ == '__main__': main()
