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
import time

def main(argv=None):
    from fastflow.kaggle import predict_parser, predict_paths
    a = predict_parser('cifar10-subset').parse_args(argv)
    t0 = time.perf_counter()
    from fastflow.export import load_model
    from fastflow.vision.learner import predict_folder, write_image_submission
    model, data, out = predict_paths(a, 'cifar10-subset', files=('test', 'sample_submission.csv'), kind='vision.learner')
    learn = load_model(model, kind='vision.learner')
    preds, _ = predict_folder(learn, data/'test')   # the TTA views and threads stored in the folder
    sub = write_image_submission(preds, data/'sample_submission.csv', out)
    print(f"loaded {model} (FastNet, TTA: {'flips and ' if learn.dls.train.flip else ''}±{learn.tta_shifts}-pixel shifts); wrote {sub} ({len(preds)} rows) "
          f"in {time.perf_counter() - t0:.1f}s")
    return sub

if __name__ == '__main__':
    from fastflow.kaggle import run_kernel
    run_kernel(main)   # a wrong folder or a missing file: one line saying what to fix, not a traceback
