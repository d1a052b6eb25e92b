"""Inference kernel for Kaggle's House Prices: load the model folder kernel.py exported (it may be read-only, e.g. under
/kaggle/input), apply kernel.py's features to test.csv and write the same submission.csv. No training, nothing unpickled.

    python kaggle/house-prices/kernel.py --smoke --out A                                   # trains, writes A/model
    python kaggle/house-prices/predict.py --model A/model --data A/smoke_data --out B      # B/submission.csv == A/submission.csv
    python kaggle/house-prices/predict.py --model out/house-prices/model --out out/house-prices-predict   # the real data
"""
import os
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')   # shared CPUs: do not let OpenMP threads spin
import time
import pandas as pd
from kernel import SLUG, TARGET, write_preds

def main(argv=None):
    from fastflow.kaggle import KernelInputError, predict_parser, predict_paths
    a = predict_parser(SLUG).parse_args(argv)
    t0 = time.perf_counter()
    from fastflow.export import load_model
    model, data, out = predict_paths(a, SLUG, files=('test.csv', 'sample_submission.csv'), kind='tabular.workflow')
    wf = load_model(model, kind='tabular.workflow')
    if wf.target != TARGET: raise KernelInputError(f"{model} holds a model of {wf.target!r}, not {TARGET!r}: pass the model folder this competition's kernel.py exported")
    test = pd.read_csv(data/'test.csv')
    sub = write_preds(wf, test, data, out)
    print(f"loaded {model} ({wf.final_name_}: {'+'.join(wf.final_)}); wrote {sub} ({len(test)} rows) in {time.perf_counter() - t0:.1f}s")
    return sub

if __name__ == '__main__':
    from fastflow.kaggle import run_kernel
    run_kernel(main)   # a wrong folder or a missing file: one line saying what to fix, not a traceback
