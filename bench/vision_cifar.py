"""CIFAR-10 subset (10,000 train images, 32x32): fastflow's default recipe vs fastai's vision_learner(resnet18, pretrained=False),
same held-out images, same training wall-time budget, same CPU threads.

    python bench/vision_cifar.py                 # 15 minutes each (the reported run)
    python bench/vision_cifar.py --budget 60     # a quick look

Writes bench/results/vision_cifar.json and out/vision_cifar/submission.csv (the 2,000 test images).
"""
import os
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')   # on a shared CPU, spinning OpenMP threads waste most of the time
import argparse, time, warnings
from pathlib import Path

from fastflow.core import data_path, set_seed, output_dir
from fastflow.vision.data import ImageTensors
from fastflow.vision.learner import train_image_folder, tta_probs, predict_folder, write_image_submission
from fastflow.vision.interpret import ImageInterpretation
from fastflow.callbacks import torch_threads
from report import write_results

ROOT = Path(__file__).resolve().parent

def fastai_baseline(data, dls, seconds, bs=64):
    "fastai's default path: DataBlock from the files, aug_transforms, vision_learner(resnet18, pretrained=False), fit_one_cycle"
    from fastai.vision.all import (DataBlock, ImageBlock, CategoryBlock, IndexSplitter, parent_label, aug_transforms,
                                   Normalize, vision_learner, resnet18, accuracy)
    from fastflow.callbacks import TimeBudget
    files = data.files
    dblock = DataBlock(blocks=(ImageBlock, CategoryBlock), get_items=lambda _: files, get_y=parent_label,
                       splitter=IndexSplitter(dls.valid_idx.tolist()),
                       batch_tfms=[*aug_transforms(), Normalize.from_stats(*dls.train.stats)])
    fdls = dblock.dataloaders('.', bs=bs, num_workers=0)
    learn = vision_learner(fdls, resnet18, pretrained=False, metrics=accuracy)
    # fastai's one-cycle (its default lr schedule) fitted to the wall-time budget by fastflow's TimeBudget
    tb = TimeBudget(seconds, fit_schedule=True)
    with learn.no_bar(): learn.fit_one_cycle(1000, 3e-3, cbs=tb)
    train_s, n_seen = tb.elapsed, tb.n_batches_run*bs
    t1 = time.perf_counter(); probs, targs = learn.get_preds(); inf_s = time.perf_counter() - t1
    acc = (probs.argmax(1) == targs).float().mean().item()
    return dict(accuracy=acc, seconds=train_s, throughput=n_seen/train_s, epochs=n_seen/len(fdls.train_ds), inference_per_s=len(targs)/inf_s)

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--budget', type=float, default=900, help='training seconds for each system')
    p.add_argument('--threads', type=int, default=None, help='torch CPU threads (default: the faster of 1 and 2, measured)')
    p.add_argument('--skip-fastai', action='store_true')
    p.add_argument('--out', default=None, help='folder for submission.csv (default out/vision_cifar)')
    a = p.parse_args(argv)
    set_seed(0); warnings.filterwarnings('ignore')
    path = data_path('cifar10_subset')
    t0 = time.perf_counter(); data = ImageTensors.from_folder(path/'train')
    print(f"decoded {len(data)} images in {time.perf_counter()-t0:.1f}s", flush=True)
    learn, rep = train_image_folder(data, a.budget, valid_pct=0.1, bs=256, threads=a.threads, quiet=False)
    dls, threads = learn.dls, rep['threads']
    print(f"fastflow: FastNet{rep['widths']}, {threads} thread(s)", flush=True)
    rows = []
    with torch_threads(threads):
        probs = tta_probs(learn, shifts=rep['tta_shifts'])
        interp = ImageInterpretation(probs, dls.valid.y, dls.vocab, dls.valid.x)
        out = output_dir(a.out or Path('out')/'vision_cifar')
        interp.plot_confusion_matrix(out/'confusion_matrix.png'); interp.plot_top_losses(12, out/'top_losses.png')
        preds, _ = predict_folder(learn, path/'test')
        sub = write_image_submission(preds, path/'sample_submission.csv', out)
        print(f"fastflow: held-out accuracy {rep['valid_accuracy']:.4f}, with TTA (flips, ±{rep['tta_shifts']}px shifts) {rep['valid_accuracy_tta']:.4f}; {rep['epochs']:.1f} epochs "
              f"in {rep['train_seconds']:.0f}s ({rep['train_images_per_s']:.0f} img/s); inference {rep['inference_images_per_s']:.0f} img/s; submission {sub}", flush=True)
        print('most confused:', interp.most_confused()[:5], flush=True)
        common = dict(task='cifar10_subset', metric='accuracy', seconds=round(rep['train_seconds'], 1), throughput=round(rep['train_images_per_s'], 1),
                      inference_per_s=round(rep['inference_images_per_s'], 1), epochs=round(rep['epochs'], 1), widths=list(rep['widths']), threads=threads)
        rows.append(dict(system='fastflow-fastnet-tta', value=round(rep['valid_accuracy_tta'], 4), **common))
        rows.append(dict(system='fastflow-fastnet', value=round(rep['valid_accuracy'], 4), **common))
        if not a.skip_fastai:
            set_seed(0)
            r = fastai_baseline(data, dls, a.budget)
            print(f"fastai resnet18 (pretrained=False): held-out accuracy {r['accuracy']:.4f}, {r['epochs']:.1f} epochs in {r['seconds']:.0f}s", flush=True)
            rows.append(dict(task='cifar10_subset', system='fastai-vision_learner-resnet18', metric='accuracy', value=round(r['accuracy'], 4),
                             seconds=round(r['seconds'], 1), throughput=round(r['throughput'], 1), inference_per_s=round(r['inference_per_s'], 1),
                             epochs=round(r['epochs'], 1), threads=threads))
    print(f"\n{'system':<34}{'accuracy':>9}{'train s':>9}{'img/s':>8}")
    for r in rows: print(f"{r['system']:<34}{r['value']:>9.4f}{r['seconds']:>9.0f}{r['throughput']:>8.0f}")
    if len(rows) == 3: print(f"accuracy ratio fastflow/fastai: {rows[0]['value']/max(rows[2]['value'], 1e-9):.2f}")
    res = ROOT/'results'; res.mkdir(exist_ok=True)
    write_results(rows, res/'vision_cifar.json')
    return rows

if __name__ == '__main__': main()
