"""Inference kernel for Kaggle's House Prices: load the model folder kernel.py exported (it may be read-only, e.g. under
/kaggle/input), apply kernel.py's features to test.csv and write the same submission.csv. No training, nothing unpickled.

    python kaggle/house-prices/kernel.py --smoke --out A                                   # trains, writes A/model
    python kaggle/house-prices/predict.py --model A/model --data A/smoke_data --out B      # B/submission.csv == A/submission.csv
    python kaggle/house-prices/predict.py --model out/house-prices/model --out out/house-prices-predict   # the real data
"""
import os
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')   # shared CPUs: do not let OpenMP threads spin
import argparse, time
from pathlib import Path
import pandas as pd
from kernel import SLUG, write_preds

def main(argv=None):
    p = argparse.ArgumentParser(description='fastflow House Prices inference: model folder + test.csv -> submission.csv')
    p.add_argument('--model', default=None, help="model folder kernel.py exported (default: find_model(): /kaggle/input/**/model, then output_dir()/'model')")
    p.add_argument('--data', default=None, help=f"competition folder (default: comp_path('{SLUG}'))")
    p.add_argument('--out', default=None, help='output folder (default: output_dir(): /kaggle/working on Kaggle)')
    a = p.parse_args(argv)
    t0 = time.perf_counter()
    from fastflow.core import output_dir
    from fastflow.export import load_model
    from fastflow.kaggle import comp_path, find_model
    model = find_model(a.model)
    wf = load_model(model, kind='tabular.workflow')
    data = Path(a.data) if a.data else comp_path(SLUG)
    test = pd.read_csv(data/'test.csv')
    sub = write_preds(wf, test, data, output_dir(a.out))
    print(f"loaded {model} ({wf.final_name_}: {'+'.join(wf.final_)}); wrote {sub} ({len(test)} rows) in {time.perf_counter() - t0:.1f}s")
    return sub

if __name__ == '__main__': main()
