"""CIFAR-10 subset (10,000 train images, 32x32): fastflow's default recipe vs two fastai references, same held-out images,
same training wall-time budget, same CPU threads, in one run:

- fastai default: vision_learner(resnet18, pretrained=False) on a DataBlock that decodes the JPEGs inside the budget, bs 64,
  aug_transforms, fit_one_cycle at fastai's default lr (an ImageNet stem: a 1x1 feature map on 32 px images);
- fastai ResNet-9 (the strongest fair peer): a fastai `Learner` (Adam, fastai's default wd, label smoothing) with a CIFAR ResNet-9
  (conv-bn-relu 64, 128+pool+res, 256+pool, 512+pool+res, max-pool, fc; the DAWNBench design), on the SAME decoded uint8 tensors
  and the SAME loader as fastflow (`TensorImageDL`: flips + 4 px pad-crop, bs 256), the same bf16 autocast + channels-last
  callbacks, `lr_find()` (valley) then `fit_one_cycle` fitted to the budget with the same `TimeBudget(fit_schedule=True)`.
  Its width (full or half) is chosen by fastflow's rule: the widest that trains >= 15 epochs in the budget, measured here.
  Only the model, optimizer and learning rate differ from fastflow's;
- fastflow: `train_image_folder` (FastNet, SGD, its default lr/wd), the library's recipe.

Accuracy on the same 1,000 held-out images (10% stratified, seed 0), plain and with TTA (flips and +-2 px shifts, the same
`tta_probs` for every in-memory model); lr_find / width probes are not counted in the training seconds (nor are fastflow's).

    python bench/vision_cifar.py                 # 15 minutes each (the reported run)
    python bench/vision_cifar.py --budget 60     # a quick look

Writes bench/results/vision_cifar.json and out/vision_cifar/submission.csv (the 2,000 test images).
"""
import os
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')   # on a shared CPU, spinning OpenMP threads waste most of the time
import argparse, math, subprocess, time, warnings
from pathlib import Path
import torch
import torch.nn as nn

from fastflow.core import data_path, set_seed, output_dir
from fastflow.vision.data import ImageTensors
from fastflow.vision.learner import train_image_folder, tta_probs, predict_folder, write_image_submission
from fastflow.vision.interpret import ImageInterpretation
from fastflow.callbacks import torch_threads, TimeBudget
from fastflow.speed import fast_cpu_cbs
from report import write_results

ROOT = Path(__file__).resolve().parent

def _load(): return os.getloadavg()[0]

def fastai_baseline(data, dls, seconds, bs=64):
    "fastai's default path: DataBlock from the files, aug_transforms, vision_learner(resnet18, pretrained=False), fit_one_cycle"
    from fastai.vision.all import (DataBlock, ImageBlock, CategoryBlock, IndexSplitter, parent_label, aug_transforms,
                                   Normalize, vision_learner, resnet18, accuracy)
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

# --- the strongest fair fastai peer: a CIFAR ResNet-9 in a fastai Learner ---
def conv_bn(ni, nf): return nn.Sequential(nn.Conv2d(ni, nf, 3, padding=1, bias=False), nn.BatchNorm2d(nf), nn.ReLU(inplace=True))

class Residual(nn.Module):
    def __init__(self, nf): super().__init__(); self.body = nn.Sequential(conv_bn(nf, nf), conv_bn(nf, nf))
    def forward(self, x): return x + self.body(x)

class Scale(nn.Module):
    def __init__(self, s): super().__init__(); self.s = s
    def forward(self, x): return x*self.s

def resnet9(n_out=10, w=64):
    "The DAWNBench ResNet-9 (Myrtle.ai): a 3x3 stem, no stride-2 stem or early max-pool, so 32 px images keep a 4x4 map at the end"
    return nn.Sequential(conv_bn(3, w), conv_bn(w, 2*w), nn.MaxPool2d(2), Residual(2*w),
                         conv_bn(2*w, 4*w), nn.MaxPool2d(2), conv_bn(4*w, 8*w), nn.MaxPool2d(2), Residual(8*w),
                         nn.AdaptiveMaxPool2d(1), nn.Flatten(), nn.Linear(8*w, n_out, bias=False), Scale(0.125))

def _peer_learner(dls, w):
    from fastai.learner import Learner
    from fastai.losses import LabelSmoothingCrossEntropyFlat
    from fastai.metrics import accuracy
    from fastai.callback.schedule import lr_find, fit_one_cycle  # noqa: F401 (adds the methods)
    m = resnet9(dls.c, w)
    return Learner(dls, m, loss_func=LabelSmoothingCrossEntropyFlat(), metrics=accuracy, cbs=fast_cpu_cbs(m))

def _peer_speed(dls, w, seconds=6.0):
    "Training images/s of a ResNet-9 of width `w` on `dls.train` (a short fit, after one warm-up batch)"
    learn = _peer_learner(dls, w)
    with learn.no_bar(), learn.no_logging():
        tb = TimeBudget(0.01); learn.fit(1, 1e-3, cbs=tb)     # warm-up (one batch)
        tb = TimeBudget(seconds); learn.fit(1, 1e-3, cbs=tb)
    return tb.n_batches_run*dls.train.bs/tb.elapsed

def fastai_resnet9(dls, seconds, widths=(64, 32), min_epochs=15, tta_shifts=2, lr_find_iters=100):
    "fastai Learner + ResNet-9 on fastflow's in-memory loader: width by the >= `min_epochs` rule, lr_find (valley), one-cycle to the budget"
    n = dls.train.n
    t0 = time.perf_counter()
    for w in widths:
        speed = _peer_speed(dls, w)
        print(f"  resnet9 width {w}: {speed:.0f} img/s -> {speed*seconds/n:.1f} epochs in {seconds:.0f}s", flush=True)
        if speed*seconds/n >= min_epochs: break
    set_seed(0)
    learn = _peer_learner(dls, w)
    with learn.no_bar(), learn.no_logging(): lr = learn.lr_find(num_it=lr_find_iters, show_plot=False).valley
    probe_s = time.perf_counter() - t0
    n_ep = max(1, math.floor(speed*seconds/n))
    print(f"  lr_find valley {lr:.2e}; about {n_ep} epochs fit the budget ({probe_s:.0f}s of probes, not counted)", flush=True)
    tb = TimeBudget(seconds, fit_schedule=True)   # the schedule anneals exactly at the budget, as for fastflow
    with learn.no_bar(): learn.fit_one_cycle(1000, lr, cbs=tb)
    train_s, n_seen = tb.elapsed, tb.n_batches_run*dls.train.bs   # `elapsed` keeps counting: read it now
    t1 = time.perf_counter(); plain = tta_probs(learn, flip=False); inf_s = time.perf_counter() - t1
    tta = tta_probs(learn, shifts=tta_shifts)
    y = dls.valid.y
    return dict(accuracy=(plain.argmax(1) == y).float().mean().item(), accuracy_tta=(tta.argmax(1) == y).float().mean().item(),
                seconds=train_s, throughput=n_seen/train_s, epochs=n_seen/n, inference_per_s=len(y)/inf_s,
                width=w, lr=float(lr), epochs_estimated=n_ep, probe_seconds=probe_s)

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--budget', type=float, default=900, help='training seconds for each system')
    p.add_argument('--threads', type=int, default=None, help='torch CPU threads (default: the faster of 1 and 2, measured)')
    p.add_argument('--skip-fastai', action='store_true', help='fastflow only')
    p.add_argument('--skip-default', action='store_true', help='skip the fastai default (resnet18) reference')
    p.add_argument('--subset', type=int, default=None, help='use only this many training images per class (a quick look)')
    p.add_argument('--lr-find-iters', type=int, default=100, help="the peer's lr_find iterations (fastai's default: 100)")
    p.add_argument('--out', default=None, help='folder for submission.csv (default out/vision_cifar)')
    p.add_argument('--results', default=None, help='results file (default bench/results/vision_cifar.json; not written with --subset unless given)')
    a = p.parse_args(argv)
    set_seed(0); warnings.filterwarnings('ignore')
    load0 = subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()
    print('load before:', load0, flush=True)
    path = data_path('cifar10_subset')
    t0 = time.perf_counter(); data = ImageTensors.from_folder(path/'train')
    if a.subset:
        keep = torch.cat([torch.where(data.y == c)[0][:a.subset] for c in range(len(data.vocab))])
        data = ImageTensors(data.x[keep], data.y[keep], data.vocab, [data.files[i] for i in keep])
    print(f"decoded {len(data)} images in {time.perf_counter()-t0:.1f}s", flush=True)
    learn, rep = train_image_folder(data, a.budget, valid_pct=0.1, bs=256, threads=a.threads, quiet=False)
    dls, threads = learn.dls, rep['threads']
    print(f"fastflow: FastNet{rep['widths']}, {threads} thread(s)", flush=True)
    rows, loads = [], [_load()]
    with torch_threads(threads):
        probs = tta_probs(learn, shifts=rep['tta_shifts'])
        interp = ImageInterpretation(probs, dls.valid.y, dls.vocab, dls.valid.x)
        out = output_dir(a.out or Path('out')/'vision_cifar')
        interp.plot_confusion_matrix(out/'confusion_matrix.png'); interp.plot_top_losses(12, out/'top_losses.png')
        if not a.subset:
            preds, _ = predict_folder(learn, path/'test')
            sub = write_image_submission(preds, path/'sample_submission.csv', out)
        else: sub = '(none with --subset)'
        print(f"fastflow: held-out accuracy {rep['valid_accuracy']:.4f}, with TTA (flips, ±{rep['tta_shifts']}px shifts) {rep['valid_accuracy_tta']:.4f}; {rep['epochs']:.1f} epochs "
              f"in {rep['train_seconds']:.0f}s ({rep['train_images_per_s']:.0f} img/s); inference {rep['inference_images_per_s']:.0f} img/s; submission {sub}", flush=True)
        print('most confused:', interp.most_confused()[:5], flush=True)
        common = dict(task='cifar10_subset', metric='accuracy', seconds=round(rep['train_seconds'], 1), throughput=round(rep['train_images_per_s'], 1),
                      inference_per_s=round(rep['inference_images_per_s'], 1), epochs=round(rep['epochs'], 1), widths=list(rep['widths']), threads=threads,
                      n_train=rep['n_train'], n_valid=rep['n_valid'])
        rows.append(dict(system='fastflow-fastnet-tta', value=round(rep['valid_accuracy_tta'], 4), **common))
        rows.append(dict(system='fastflow-fastnet', value=round(rep['valid_accuracy'], 4), **common))
        if not a.skip_fastai:
            set_seed(0)
            r = fastai_resnet9(dls, a.budget, tta_shifts=rep['tta_shifts'], lr_find_iters=a.lr_find_iters); loads.append(_load())
            print(f"fastai ResNet-9 (width {r['width']}, lr_find {r['lr']:.2e}): held-out accuracy {r['accuracy']:.4f}, with TTA {r['accuracy_tta']:.4f}; "
                  f"{r['epochs']:.1f} epochs in {r['seconds']:.0f}s ({r['throughput']:.0f} img/s)", flush=True)
            pc = dict(task='cifar10_subset', metric='accuracy', seconds=round(r['seconds'], 1), throughput=round(r['throughput'], 1),
                      inference_per_s=round(r['inference_per_s'], 1), epochs=round(r['epochs'], 1), threads=threads, width=r['width'],
                      lr=r['lr'], epochs_estimated=r['epochs_estimated'], probe_seconds=round(r['probe_seconds'], 1),
                      n_train=rep['n_train'], n_valid=rep['n_valid'])
            rows.append(dict(system='fastai-resnet9-tta', value=round(r['accuracy_tta'], 4), **pc))
            rows.append(dict(system='fastai-resnet9', value=round(r['accuracy'], 4), **pc))
            if not a.skip_default:
                set_seed(0)
                r = fastai_baseline(data, dls, a.budget); loads.append(_load())
                print(f"fastai default, vision_learner(resnet18, pretrained=False): held-out accuracy {r['accuracy']:.4f}, {r['epochs']:.1f} epochs in {r['seconds']:.0f}s", flush=True)
                rows.append(dict(task='cifar10_subset', system='fastai-vision_learner-resnet18', metric='accuracy', value=round(r['accuracy'], 4),
                                 seconds=round(r['seconds'], 1), throughput=round(r['throughput'], 1), inference_per_s=round(r['inference_per_s'], 1),
                                 epochs=round(r['epochs'], 1), threads=threads, n_train=rep['n_train'], n_valid=rep['n_valid']))
    load1 = subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()
    print('load after:', load1, flush=True)
    for r in rows: r['load'] = dict(before=load0, after=load1, after_each_system=[round(v, 2) for v in loads])
    print(f"\n{'system':<34}{'accuracy':>9}{'epochs':>8}{'train s':>9}{'img/s':>8}")
    for r in rows: print(f"{r['system']:<34}{r['value']:>9.4f}{r['epochs']:>8.1f}{r['seconds']:>9.0f}{r['throughput']:>8.0f}")
    v = {r['system']: r['value'] for r in rows}
    if 'fastai-resnet9-tta' in v:
        print(f"accuracy ratio fastflow/fastai ResNet-9: {v['fastflow-fastnet-tta']/v['fastai-resnet9-tta']:.3f} (both with TTA), "
              f"{v['fastflow-fastnet']/v['fastai-resnet9']:.3f} (without)")
    if 'fastai-vision_learner-resnet18' in v:
        print(f"accuracy ratio fastflow/fastai default: {v['fastflow-fastnet']/max(v['fastai-vision_learner-resnet18'], 1e-9):.2f} (no TTA on either)")
    res = Path(a.results) if a.results else (None if a.subset else ROOT/'results'/'vision_cifar.json')
    if res is not None: write_results(rows, res)
    return rows

if __name__ == '__main__': main()
