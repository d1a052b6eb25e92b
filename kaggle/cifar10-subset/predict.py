"""Inference kernel for the CIFAR-10 subset: load the model folder kernel.py exported (it may be read-only, e.g. under
/kaggle/input), predict test/ with the same TTA and write the same submission.csv. No training, nothing unpickled.

The model folder (fastflow.json + weights.safetensors) holds the FastNet's arguments and weights, the classes, the image
size and normalisation statistics, and the TTA views (flips and ±2-pixel shifts) and threads kernel.py chose.

    python kaggle/cifar10-subset/kernel.py --smoke --out A                                    # trains, writes A/model
    python kaggle/cifar10-subset/predict.py --model A/model --data A/smoke_data --out B       # B/submission.csv == A/submission.csv
    python kaggle/cifar10-subset/predict.py --model out/model --out out/cifar10-predict       # the real data
"""
import os
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')   # shared CPUs: do not let OpenMP threads spin
import argparse, time
from pathlib import Path

def main(argv=None):
    p = argparse.ArgumentParser(description='fastflow CIFAR-10 subset inference: model folder + test/ -> submission.csv')
    p.add_argument('--model', default=None, help="model folder kernel.py exported (default: find_model(): /kaggle/input/**/model, then output_dir()/'model')")
    p.add_argument('--data', default=None, help="competition folder (default: comp_path('cifar10-subset'))")
    p.add_argument('--out', default=None, help='output folder (default: output_dir(): /kaggle/working on Kaggle)')
    a = p.parse_args(argv)
    t0 = time.perf_counter()
    from fastflow.core import output_dir
    from fastflow.export import load_model
    from fastflow.kaggle import comp_path, find_model
    from fastflow.vision.learner import predict_folder, write_image_submission
    model = find_model(a.model)
    learn = load_model(model, kind='vision.learner')
    data = Path(a.data) if a.data else comp_path('cifar10-subset')
    preds, _ = predict_folder(learn, data/'test')   # the TTA views and threads stored in the folder
    sub = write_image_submission(preds, data/'sample_submission.csv', output_dir(a.out))
    print(f"loaded {model} (FastNet, TTA: flips and ±{learn.tta_shifts}-pixel shifts); wrote {sub} ({len(preds)} rows) "
          f"in {time.perf_counter() - t0:.1f}s")
    return sub

if __name__ == '__main__': main()
