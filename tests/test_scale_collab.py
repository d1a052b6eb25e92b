"""Memory of collab data at scale, in a fresh interpreter: `from_df` and `collab_learner` add about the codes and the
split positions per rating (no int64 code per row, no second copy of the ratings, no float64 array per rating)."""
import json, subprocess, sys, textwrap

CHILD = textwrap.dedent('''
    import ctypes, json, warnings; warnings.simplefilter('ignore')
    import numpy as np, pandas as pd
    from fastflow.collab.data import CollabDataLoaders
    from fastflow.collab.learner import collab_learner
    def rss(key):
        for line in open('/proc/self/status'):
            if line.startswith(key): return int(line.split()[1])/1024
    def reset(): open('/proc/self/clear_refs', 'w').write('5')
    n, nu = 3_000_000, 20_000
    k = np.random.default_rng(0).permutation(n).astype(np.int32)   # distinct (user, item) pairs, shuffled
    df = pd.DataFrame({'user': k % nu + 100, 'item': k // nu, 'rating': (k % 9 / 2 + 1).astype(np.float32)}); del k
    ctypes.CDLL('libc.so.6').malloc_trim(0)   # what building the frame freed is not the data's
    base = rss('VmRSS'); reset()
    dls = CollabDataLoaders.from_df(df, device='cpu'); load = rss('VmHWM') - base
    base2 = rss('VmRSS'); reset()
    learn = collab_learner(dls, best_epoch=False, seed=0); setup = rss('VmHWM') - base2
    print(json.dumps(dict(load=load, setup=setup, kept=base2 - base, bs=dls.train.bs, n_users=dls.n_users)))
''')

def test_from_df_and_setup_memory_per_rating():
    p = subprocess.run([sys.executable, '-c', CHILD], capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-2000:]
    r = json.loads(p.stdout.strip().splitlines()[-1])
    n = 3_000_000 / 2**20   # millions of ratings, in MB per byte-per-rating
    assert r['n_users'] == 20_000
    assert r['kept'] <= 14*n + 30, r      # int32 codes (8 B) and int32 positions (4 B) per rating, plus the id maps
    assert r['load'] <= 26*n + 40, r      # at the peak: the duplicate check's int64 key (8 B) on top
    assert r['setup'] <= 80, r            # the bias baseline is fitted in chunks of 2**20 rows: no per-rating copies (24 B a rating each)


KNN_CHILD = textwrap.dedent('''
    import json, warnings; warnings.simplefilter('ignore')
    import numpy as np
    from fastflow.collab.model import KNNBaseline
    def rss(key):
        for line in open('/proc/self/status'):
            if line.startswith(key): return int(line.split()[1])/1024
    rng = np.random.default_rng(0)
    nu, ni = 30_000, 8_000
    k = np.unique(rng.integers(0, nu, 400_000).astype(np.int64)*ni + (rng.zipf(1.5, 400_000) - 1) % ni)   # skewed items, distinct pairs
    u, i = k // ni, k % ni; r = rng.integers(1, 6, len(k)).astype(float)
    base = rss('VmRSS'); open('/proc/self/clear_refs', 'w').write('5')
    m = KNNBaseline(kind='item').fit(u, i, r, nu, ni)
    peak = rss('VmHWM') - base
    p = m.predict(u[:5000], i[:5000])
    print(json.dumps(dict(peak=peak, nnz=int(m.sim_.nnz), most=int(np.diff(m.sim_.indptr).max()), finite=bool(np.isfinite(p).all()))))
''')

def test_knn_similarities_memory_in_items_not_their_square():
    "item kNN on 8,000 items: the similarities are computed in blocks and kept sparse, n_keep (500) an item (dense: 8000^2 x 8 B = 512 MB a matrix, several at once)"
    p = subprocess.run([sys.executable, '-c', KNN_CHILD], capture_output=True, text=True, timeout=900)
    assert p.returncode == 0, p.stderr[-2000:]
    r = json.loads(p.stdout.strip().splitlines()[-1])
    assert r['finite'] and 0 < r['most'] <= 500, r
    assert r['nnz'] <= 500*8_000, r
    assert r['peak'] <= 450, r   # five dense blocks of 64 MB, the sparse products and the kept similarities (<= 48 MB)
