"The tabular NN's fast training step: no torch._dynamo import in a fresh interpreter; FusedAdamW against torch's AdamW as the oracle."
import os, subprocess, sys, textwrap
from pathlib import Path
import torch
from fastcore.test import test_close as close_enough

ROOT = Path(__file__).resolve().parents[1]

def test_fit_does_not_import_dynamo():
    "torch.optim's first use imports torch._dynamo (2.5 CPU-s); fit_tabular_nn's optimizer must not"
    code = textwrap.dedent('''
        import sys, warnings; warnings.simplefilter('ignore')
        from fastflow.testing import synth_tabular
        from fastflow.tabular.data import TabularProc
        from fastflow.tabular.nn import fit_tabular_nn
        df = synth_tabular(300, seed=0); p = TabularProc(drop=['y']).fit(df)
        fit_tabular_nn(*p.arrays(p.transform(df)), df.y.values, p.card_, epochs=1, bs=64)
        print('torch._dynamo' in sys.modules)''')
    r = subprocess.run([sys.executable, '-c', code], cwd=ROOT, env={**os.environ, 'PYTHONPATH': str(ROOT)}, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.strip().splitlines()[-1] == 'False', r.stdout

def test_fused_adamw_matches_torch_adamw():
    "Same updates as torch.optim.AdamW with fastai's eps and sqr_mom, weight decay on matrices only, while lr and mom change"
    from fastflow.tabular.nn import FusedAdamW
    torch.manual_seed(0)
    ws = [torch.randn(4, 3, requires_grad=True), torch.randn(3, requires_grad=True)]
    ref = [w.detach().clone().requires_grad_() for w in ws]
    ours = FusedAdamW(ws, lr=0.1, mom=0.9, sqr_mom=0.99, eps=1e-5, wd=0.1)
    theirs = torch.optim.AdamW([dict(params=[ref[0]]), dict(params=[ref[1]], weight_decay=0.)], lr=0.1, betas=(0.9, 0.99), eps=1e-5, weight_decay=0.1)
    for k in range(5):
        ours.set_hyper('lr', 0.1/(k + 1)); ours.set_hyper('mom', 0.95 - 0.02*k); ours.set_hyper('wd', 0.1)
        for g in theirs.param_groups: g['lr'], g['betas'] = 0.1/(k + 1), (0.95 - 0.02*k, 0.99)
        for ps in (ws, ref):
            loss = (ps[0].sum(0)*ps[1]).pow(2).sum() + ps[1].sum()
            loss.backward()
        ours.step(); ours.zero_grad(); theirs.step(); theirs.zero_grad()
    for a, b in zip(ws, ref): close_enough(a.detach(), b.detach(), eps=1e-6)
    assert ws[0].grad is None
