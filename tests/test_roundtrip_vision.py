"""Image learners exported in one interpreter and loaded in another, from a read-only model folder: the same probabilities
(in-memory FastNet, DataBlock FastNet, DataBlock resnet18), `predict` on every kind of item and `predict_folder` (at the stored
temperature, `predict` agreeing with `predict_folder`'s row for the image), `tta` and `get_preds` (the model's own; `tta(calibrate=True)`
`predict_folder`'s), and folders
that were tampered with refused without importing anything they name. One API on both data paths: `predict`, `tta`,
`show_batch`, `predict_folder` and `ImageInterpretation` on a `tensor_dls` and a `folder_dls` learner; the final model
(`train_image_folder(valid_pct=0)`) round-trips too."""
import hashlib, json, os, shutil, subprocess, sys, textwrap
from pathlib import Path
import pytest
from conftest import set_writable

ROOT = Path(__file__).resolve().parents[1]
KINDS = ('fast', 'folder', 'resnet')
TEMPS = (0.5, 1.7, 1.)   # sharpened, softened, the model's own

def py(code, cwd, extra_path=()):
    env = {**os.environ, 'PYTHONPATH': os.pathsep.join([str(ROOT), *map(str, extra_path)]), 'MPLBACKEND': 'Agg'}
    env.pop('KAGGLE_KERNEL_RUN_TYPE', None)
    return subprocess.run([sys.executable, '-c', textwrap.dedent(code)], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)

SAVE = '''
    import warnings; warnings.simplefilter('ignore')
    import torch
    from pathlib import Path
    from PIL import Image
    from torchvision.models import resnet18
    from fastflow.core import set_seed
    from fastflow.testing import synth_images
    from fastflow.export import export_learner
    from fastflow.vision.data import tensor_dls, folder_dls, test_dl, get_test_files
    from fastflow.vision.learner import fastnet_learner, local_vision_learner, predict_folder
    set_seed(0)
    imgs = synth_images(8, size=16, path='imgs', seed=0)
    xt, _, _ = synth_images(2, size=16, seed=5)
    Path('test').mkdir()
    for i, a in enumerate(xt): Image.fromarray(a).save(f'test/{i:03d}.png')
    files = get_test_files('test')
    fast = fastnet_learner(tensor_dls(imgs, valid_pct=0.25, bs=8, seed=0), widths=(8, 16, 16))   # with this CPU's speed callbacks
    folder = fastnet_learner(folder_dls(imgs, bs=8, seed=0), widths=(8, 16, 16))
    resnet = local_vision_learner(folder_dls(imgs, bs=8, seed=0), resnet18, pretrained=False)
    refs = {}
    for name, learn, t in zip(%r, (fast, folder, resnet), %r):
        with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(2, 0.05 if name != 'resnet' else 1e-3)
        learn.tta_shifts, learn.threads = (1, 1) if name == 'fast' else (0, None)
        learn.temperature = t
        export_learner(learn, f'models/{name}')
        learn.to_fp32()   # compare in plain fp32: the loaded learner drops the speed callbacks
        refs[name] = dict(folder=predict_folder(learn, 'test')[1], preds=learn.get_preds(dl=test_dl(learn.dls, files))[0],
                          one=learn.predict(files[0])[2], label=str(learn.predict(files[0])[0]), raw=learn.predict(files[0], calibrate=False)[2])
    torch.save(refs, 'refs.pt')
''' % (KINDS, TEMPS)

LOAD = '''
    import warnings; warnings.simplefilter('ignore')
    import numpy as np, torch
    from pathlib import Path
    from PIL import Image
    from fastflow.export import load_learner
    from fastflow.vision.data import test_dl, get_test_files
    from fastflow.vision.learner import predict_folder, calibrated
    refs = torch.load('refs.pt', weights_only=True)
    files = get_test_files('test')
    for name, t in zip(%r, %r):
        learn = load_learner(f'models/{name}')
        assert learn.temperature == t, (name, learn.temperature)
        assert type(learn).__name__ == 'ImageLearner', type(learn)
        assert not any(getattr(c, 'speed_only', False) for c in learn.cbs), learn.cbs
        r = refs[name]
        assert torch.equal(learn.get_preds(dl=test_dl(learn.dls, files))[0], r['preds']), name
        assert torch.equal(predict_folder(learn, 'test')[1], r['folder']), name
        f = files[0]
        for item in (f, str(f), Image.open(f), np.asarray(Image.open(f)), torch.from_numpy(np.asarray(Image.open(f))).permute(2, 0, 1)):
            label, i, p = learn.predict(item)
            assert torch.equal(p, r['one']) and str(label) == r['label'] == str(learn.dls.vocab[int(i)]), (name, type(item))
        df, plain = predict_folder(learn, 'test', tta=False)   # one image alone, or in its folder: the same probabilities
        assert df.file[0] == f.name and torch.allclose(plain[0], r['one'], atol=1e-6, rtol=0) and str(df.label[0]) == r['label'], (name, plain[0], r['one'])
        raw = learn.predict(f, calibrate=False)[2]   # the model's own, as get_preds gives them; the class the same
        assert torch.equal(raw, r['raw']) and int(raw.argmax()) == int(r['one'].argmax()) and (t == 1) == torch.equal(raw, r['one']), name
        assert torch.allclose(calibrated(raw[None], t)[0], r['one'], atol=1e-6, rtol=0), name
        assert torch.equal(predict_folder(learn, 'test', tta=False, calibrate=False)[1], r['preds']), name   # get_preds: fastai's raw contract
        probs, targs = learn.tta(dl='test', calibrate=True)   # a loaded learner's TTA: the stored views and temperature, as predict_folder's
        assert targs is None and torch.equal(probs, r['folder']), name
        raw = learn.tta(dl='test')[0]   # by default the model's own, as get_preds and fastai's tta: what fit_temperature is fed
        assert torch.equal(raw, predict_folder(learn, 'test', calibrate=False)[1]) and torch.equal(calibrated(raw, t), r['folder']), name
        assert (t == 1) == torch.equal(raw, r['folder']), name
        print('RESULT', name, learn.tta_shifts, learn.threads)
''' % (KINDS, TEMPS)

TAMPER = '''
    import sys
    from pathlib import Path
    from fastflow.export import ArtefactError, load_learner
    def refused(folder, *words):
        try: load_learner(folder)
        except ArtefactError as e:
            assert all(w in str(e) for w in words), str(e)
            print('refused:', str(e)[:160])
        else: raise AssertionError(f'{folder} loaded')
    refused('t_bytes', 'weights.safetensors', 'checksum')
    refused('t_swap', 'weights.safetensors', 'does not fit')
    refused('t_builder', "'evil_xyz:make'", 'not one fastflow knows')
    refused('t_tfm', 'cannot be rebuilt', "'EvilTfm'")
    assert 'evil_xyz' not in sys.modules and not Path('pwned').exists()
'''

def _sha(p): return hashlib.sha256(p.read_bytes()).hexdigest()

def _snapshot(folder):
    return {str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.stat().st_mode, _sha(p)) for p in sorted(folder.rglob('*')) if p.is_file()}

@pytest.fixture(scope='module')
def exported(tmp_path_factory):
    d = tmp_path_factory.mktemp('vision_roundtrip')
    r = py(SAVE, d)
    assert r.returncode == 0, r.stderr[-3000:]
    set_writable(d/'models', False)   # read-only, as a Kaggle input
    yield d
    set_writable(d/'models', True)

def test_roundtrip_fresh_interpreter_read_only(exported):
    before = _snapshot(exported/'models')
    assert {p.name for p in (exported/'models'/'fast').iterdir()} == {'fastflow.json', 'weights.safetensors'}
    r = py(LOAD, exported)
    assert r.returncode == 0, r.stderr[-3000:]
    res = [l.split()[1:] for l in r.stdout.splitlines() if l.startswith('RESULT')]
    assert res == [['fast', '1', '1'], ['folder', '0', 'None'], ['resnet', '0', 'None']], r.stdout   # TTA shifts and threads kept
    assert _snapshot(exported/'models') == before, 'loading wrote to the model folder'
    cfg = {k: json.loads((exported/'models'/k/'fastflow.json').read_text())['config'] for k in KINDS}
    assert [cfg[k]['data']['kind'] for k in KINDS] == ['tensor', 'datablock', 'datablock']
    assert [cfg[k]['model']['builder'] for k in KINDS] == ['FastNet', 'FastNet', 'fastai_vision_model']

def _copy(src, dst):
    shutil.copytree(src, dst); set_writable(dst, True)
    return dst

def _edit_config(folder, edit):
    "Edit the config in `folder`'s manifest and its checksum, as a crafted folder would (an edit alone fails the checksum)"
    from fastflow.export import _config_sha256
    f = folder/'fastflow.json'; man = json.loads(f.read_text()); edit(man['config'])
    man['config_sha256'] = _config_sha256(man['config']); f.write_text(json.dumps(man))

def test_tampered_folders_refused(exported, tmp_path):
    m = exported/'models'
    w = _copy(m/'fast', tmp_path/'t_bytes')/'weights.safetensors'
    data = bytearray(w.read_bytes()); data[len(data)//2] ^= 0xFF; w.write_bytes(bytes(data))
    s = _copy(m/'fast', tmp_path/'t_swap')                            # another model's weights, checksum updated to match
    shutil.copy(m/'resnet'/'weights.safetensors', s/'weights.safetensors')
    man = json.loads((s/'fastflow.json').read_text()); man['files']['weights.safetensors']['sha256'] = _sha(s/'weights.safetensors')
    (s/'fastflow.json').write_text(json.dumps(man))
    _edit_config(_copy(m/'fast', tmp_path/'t_builder'), lambda c: c['model'].update(builder='evil_xyz:make'))
    _edit_config(_copy(m/'folder', tmp_path/'t_tfm'), lambda c: c['data']['item_tfms'].append({'tfm': 'EvilTfm'}))
    (tmp_path/'evil_xyz.py').write_text("open('pwned', 'w').write('imported')\ndef make(**kw): return None\n")
    r = py(TAMPER, tmp_path, extra_path=[tmp_path])                    # evil_xyz is importable: loading must not import it
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.count('refused:') == 4, r.stdout
    assert not (tmp_path/'pwned').exists()

def test_one_api_both_paths(tmp_path):
    "The same calls on an in-memory (`tensor_dls`) and a DataBlock (`folder_dls`) learner, trained and loaded"
    import numpy as np, torch
    from PIL import Image
    from fastflow.core import set_seed
    from fastflow.testing import synth_images
    from fastflow.export import export_learner, load_learner
    from fastflow.vision.data import tensor_dls, folder_dls, get_test_files
    from fastflow.vision.learner import fastnet_learner, predict_folder, tta_probs
    from fastflow.vision.interpret import ImageInterpretation
    set_seed(0)
    imgs = synth_images(8, size=16, path=tmp_path/'imgs', seed=0)
    xt, _, _ = synth_images(1, size=16, seed=5)
    (tmp_path/'test').mkdir()
    for i, a in enumerate(xt): Image.fromarray(a).save(tmp_path/'test'/f'{i:03d}.png')
    f = get_test_files(tmp_path/'test')[0]
    for kind, dls in (('tensor', tensor_dls(imgs, valid_pct=0.25, bs=8, seed=0)), ('folder', folder_dls(imgs, bs=8, seed=0))):
        learn = fastnet_learner(dls, widths=(8, 16, 16), bf16=False, channels_last=False)
        with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(2, 0.05)
        learn.tta_shifts = 1
        labels = [learn.predict(o)[0] for o in (f, str(f), Image.open(f), np.asarray(Image.open(f)))]
        assert len(set(map(str, labels))) == 1, (kind, labels)
        preds, targs = learn.tta()
        n_valid = len(learn.dls.valid.dataset)
        assert preds.shape == (n_valid, len(learn.dls.vocab)) and targs.shape == (n_valid,), kind
        assert torch.equal(preds, tta_probs(learn, shifts=1)), kind
        assert torch.equal(targs.long(), learn.get_preds()[1].long()), kind
        assert len(learn.show_batch(n=4, path=tmp_path/f'{kind}_batch.png').axes) == 4 and (tmp_path/f'{kind}_batch.png').is_file()
        df, probs = predict_folder(learn, tmp_path/'test')
        assert list(df.columns) == ['id', 'label', 'file'] and len(df) == len(xt)
        assert torch.equal(probs, learn.tta(dl=tmp_path/'test')[0]), kind
        interp = ImageInterpretation.from_learner(learn)
        assert interp.confusion_matrix().sum() == n_valid and len(interp.top_losses(3)) == 3, kind
        assert interp.plot_top_losses(3, tmp_path/f'{kind}_top.png') is not None
        loaded = load_learner(export_learner(learn, tmp_path/f'{kind}_model'))
        assert torch.equal(predict_folder(loaded, tmp_path/'test')[1], probs), kind

def test_final_model_roundtrip(tmp_path):
    "train_image_folder(valid_pct=0): every image trains, no held-out figures, and the model folder predicts the same"
    import torch
    from fastflow.testing import synth_images
    from fastflow.export import export_learner, load_learner
    from fastflow.vision.learner import train_image_folder, predict_folder
    imgs = synth_images(6, size=16, path=tmp_path/'imgs', seed=0)
    learn, rep = train_image_folder(imgs, epochs=2, bs=16, valid_pct=0, candidates=((8, 16, 16),), threads=1)
    assert (rep['n_train'], rep['n_valid'], rep['valid_accuracy'], rep['valid_accuracy_tta']) == (len(learn.dls.train.dataset), 0, None, None)
    loaded = load_learner(export_learner(learn, tmp_path/'model'))
    assert loaded.tta_shifts == 2 and torch.equal(predict_folder(loaded, imgs/'red_h')[1], predict_folder(learn.to_fp32(), imgs/'red_h')[1])

def test_flat_csv_recipe_roundtrip(tmp_path):
    "Kaggle's flat train/ + train.csv (ids without extension): train_image_folder(csv=) trains in memory, and its model folder, loaded in a fresh process, predicts the same"
    import numpy as np, pandas as pd
    from PIL import Image
    from fastflow.testing import synth_images
    from fastflow.export import export_learner
    from fastflow.vision.learner import train_image_folder, predict_folder
    x, y, vocab = synth_images(6, size=16, seed=0)
    (tmp_path/'train').mkdir(); (tmp_path/'test').mkdir()
    for i, a in enumerate(x): Image.fromarray(a).save(tmp_path/'train'/f'{i:04x}.jpg', quality=95)
    for i, a in enumerate(synth_images(2, size=16, seed=5)[0]): Image.fromarray(a).save(tmp_path/'test'/f't{i}.jpg', quality=95)
    pd.DataFrame({'id': [f'{i:04x}' for i in range(len(x))], 'breed': [vocab[c] for c in y]}).to_csv(tmp_path/'labels.csv', index=False)
    learn, rep = train_image_folder(tmp_path/'train', epochs=2, csv='labels.csv', valid_pct=0.2, candidates=((8, 16, 16),), threads=1)
    assert (rep['n_train'] + rep['n_valid'], rep['bs'], list(learn.dls.vocab)) == (len(x), 32, sorted(vocab))
    export_learner(learn, tmp_path/'model')   # the learner as trained: the loaded copy computes in the same layout
    np.save(tmp_path/'ref.npy', predict_folder(learn, tmp_path/'test')[1].numpy())
    set_writable(tmp_path/'model', False)
    try:
        r = py('''
            import numpy as np
            from fastflow.export import load_learner
            from fastflow.vision.learner import predict_folder
            np.save('got.npy', predict_folder(load_learner('model'), 'test')[1].numpy())''', tmp_path)
    finally: set_writable(tmp_path/'model', True)
    assert r.returncode == 0, r.stderr[-2000:]
    assert np.array_equal(np.load(tmp_path/'got.npy'), np.load(tmp_path/'ref.npy'))

def test_show_results_multi_label_datablock(tmp_path):
    "show_results on a multi-label DataBlock learner draws one grid of actual over predicted tags (fastai's tensor types once made torch.equal fail)"
    import matplotlib; matplotlib.use('Agg')
    import pandas as pd
    from fastflow.testing import synth_images
    from fastflow.vision.data import csv_dls
    from fastflow.vision.learner import fastnet_learner
    imgs = synth_images(8, size=16, path=tmp_path/'imgs', seed=0)
    files = sorted(p.relative_to(imgs) for p in imgs.rglob('*.png'))
    pd.DataFrame({'fname': [str(f) for f in files], 'tags': [f.parts[0] + (' extra' if i % 3 == 0 else '') for i, f in enumerate(files)]}).to_csv(imgs/'labels.csv', index=False)
    lm = fastnet_learner(csv_dls(imgs, 'labels.csv', label_delim=' ', bs=8, seed=0), widths=(8, 16, 16))
    with lm.no_bar(), lm.no_logging(): lm.fit_one_cycle(1, 0.05)
    fig = lm.show_results(max_n=4, path=tmp_path/'m.png')
    assert (tmp_path/'m.png').exists() and sum(ax.has_data() or bool(ax.images) for ax in fig.axes) == 4

@pytest.mark.parametrize('kind, edit, words', [
    ('fast', lambda c: c['data'].update(vocab=c['data']['vocab'][:1]), ("do not match the model's", 'outputs')),
    ('fast', lambda c: c['data'].update(stats=[[0.1], [0, 0, 0]]), ('cannot be rebuilt', 'not one finite mean and std > 0 per channel')),
    ('fast', lambda c: c['data'].update(size=[0, 24]), ('cannot be rebuilt', 'not two whole numbers >= 1')),
    ('folder', lambda c: [t.update(std=[0., 0., 0.]) for t in c['data']['batch_tfms'] if t.get('tfm') == 'Normalize'], ('cannot be rebuilt', 'std > 0')),
    ('fast', lambda c: c.update(tta_flip='no'), ("its tta_flip 'no' is not true or false",)),
])
def test_crafted_settings_refused(exported, tmp_path, kind, edit, words):
    "A crafted folder (config edited, checksum resealed) whose classes, normalisation or size no export writes is refused at load (helper-131: an IndexError, NaN predictions, a torch error)"
    from fastflow.export import ArtefactError, load_learner
    f = _copy(exported/'models'/kind, tmp_path/'m'); _edit_config(f, edit)
    with pytest.raises(ArtefactError) as e: load_learner(f)
    assert all(w in str(e.value) for w in words), str(e.value)

@pytest.mark.parametrize('kind', ['tensor', 'datablock'])
def test_awkward_images_roundtrip(tmp_path, kind):
    "Trained on a folder of awkward images (grey, RGBA, palette, 16-bit, CMYK, EXIF-rotated, 1x1, elongated, upper-case extensions, broken files, .DS_Store), exported, loaded in a fresh process from a read-only folder: the same predictions for an awkward test folder, broken files given rows with unreadable='average'"
    import warnings
    import numpy as np
    from test_vision_data import awkward_set
    from fastflow.export import export_learner
    from fastflow.vision.data import folder_dls
    from fastflow.vision.learner import train_image_folder, predict_folder, fastnet_learner, fit_budget
    train, test, _ = awkward_set(tmp_path)
    (test/'te_zero.jpg').write_bytes(b''); (test/'te_text.PNG').write_text('not an image')
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        if kind == 'tensor': learn, _ = train_image_folder(train, epochs=1, bs=8, valid_pct=0.25, candidates=((8, 16, 16),), threads=1)
        else:
            learn = fastnet_learner(folder_dls(train, bs=8, seed=0), widths=(8, 16, 16))
            with learn.no_bar(), learn.no_logging(): fit_budget(learn, epochs=1)
        export_learner(learn, tmp_path/'model')   # the learner as trained: the loaded copy computes in the same layout
        df, p = predict_folder(learn, test, unreadable='average')
    assert len(df) == 19 and df.attrs['unreadable'] == ['te_text.PNG', 'te_zero.jpg']   # 6 plain, 11 awkward, 2 broken
    np.save(tmp_path/'ref.npy', p.numpy()); df.to_csv(tmp_path/'ref.csv', index=False)
    set_writable(tmp_path/'model', False)
    try:
        r = py('''
            import warnings; warnings.simplefilter('ignore')
            import numpy as np
            from fastflow.export import load_learner
            from fastflow.vision.learner import predict_folder
            df, p = predict_folder(load_learner('model'), 'test', unreadable='average')
            np.save('got.npy', p.numpy()); df.to_csv('got.csv', index=False)''', tmp_path)
    finally: set_writable(tmp_path/'model', True)
    assert r.returncode == 0, r.stderr[-2000:]
    assert np.array_equal(np.load(tmp_path/'got.npy'), np.load(tmp_path/'ref.npy'))
    assert (tmp_path/'got.csv').read_text() == (tmp_path/'ref.csv').read_text()


def test_mirror_view_dropped_and_exported(tmp_path, monkeypatch):
    "When TTA's mirror view costs on the held-out images, train_image_folder drops it from the learner's TTA, warns, and the export keeps it off"
    import warnings
    import torch
    import fastflow.vision.learner as vl
    from fastflow.export import export_learner, load_learner
    from fastflow.testing import synth_images
    real = vl._mirror_costs
    def costly(learn, tta, y, shifts):
        out = real(learn, tta, y, shifts); out.update(costs=True, turned_wrong=7, turned_right=0); return out
    monkeypatch.setattr(vl, '_mirror_costs', costly)
    p = synth_images(12, path=tmp_path/'imgs')
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always'); learn, rep = vl.train_image_folder(p, epochs=2, widths=(8, 16, 16), valid_pct=0.25, flip=True)
    msg = [str(m.message) for m in w if "TTA's mirror view" in str(m.message)]
    assert len(msg) == 1 and 'turned 7 held-out images wrong and 0 right' in msg[0] and 'retrain with flip=False' in msg[0], msg
    assert rep['flip'] and not rep['tta_flip'] and rep['mirror_tta']['costs'] and learn.tta_flip is False
    assert rep['valid_accuracy_tta'] == (vl.tta_probs(learn, flip=False, shifts=2).argmax(1) == learn.dls.valid.y).float().mean().item()
    test = tmp_path/'test'; test.mkdir()
    for f in sorted(p.rglob('*.png'))[:4]: (test/f.name).write_bytes(f.read_bytes())
    loaded = load_learner(export_learner(learn, tmp_path/'m'))
    assert loaded.tta_flip is False and torch.equal(vl.predict_folder(loaded, test)[1], vl.predict_folder(learn, test)[1])
    assert torch.allclose(vl.predict_folder(learn, test)[1], vl.calibrated(vl.tta_probs(learn, str(test), flip=False, shifts=2), learn.temperature))
    assert vl.fit_temperature(*learn.tta(), warn=False) == rep['temperature']   # learn.tta(): the held-out views the temperature was fitted on (no mirror view)

def test_mirror_view_kept_on_symmetric_classes(tmp_path):
    "Stripes and tints (mirror-symmetric classes): flips on, the mirror view kept, no warning about it"
    import warnings
    from fastflow.vision.learner import fit_temperature, train_image_folder
    from fastflow.testing import synth_images
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always'); learn, rep = train_image_folder(synth_images(16, path=tmp_path/'imgs'), epochs=4, widths=(8, 16, 16), valid_pct=0.25)
    assert rep['flip'] and rep['tta_flip'] and not rep['mirror_tta']['costs'] and learn.tta_flip is None
    assert not any("TTA's mirror view" in str(m.message) for m in w)
    assert fit_temperature(*learn.tta(), warn=False) == rep['temperature'] == learn.temperature   # the held-out TTA probabilities it was fitted on, with the mirror view

def test_fit_temperature_on_tta(tmp_path):
    "fastai's habit, a temperature fitted on learn.tta()'s held-out predictions, gives the fitted one back: tta is the model's own (helper-162's temp.py: it gave 1.000004)"
    import warnings
    import torch
    from fastflow.export import export_learner, load_learner
    from fastflow.testing import synth_images
    from fastflow.vision.learner import calibrated, fit_temperature, predict_folder, train_image_folder
    root = synth_images(20, path=tmp_path/'imgs')
    with warnings.catch_warnings(): warnings.simplefilter('ignore'); learn, rep = train_image_folder(root, epochs=2, widths=(16, 32, 32), valid_pct=0.3, seed=0, temperature=None)
    t = rep['temperature']; assert abs(t - 1) > 0.1, t   # a temperature that changes the probabilities, so the checks below can see it
    preds, y = learn.tta()
    assert torch.equal(y, learn.dls.valid.y) and fit_temperature(preds, y, warn=False) == t
    cal = learn.tta(calibrate=True)[0]
    assert torch.equal(cal, calibrated(preds, t)) and abs(fit_temperature(cal, y, warn=False) - 1) < 0.02   # calibrated already: nothing left to fit
    assert torch.equal(cal.argmax(1), preds.argmax(1))
    test = tmp_path/'test'; test.mkdir()
    for f in sorted(root.rglob('*.png'))[:5]: (test/f.name).write_bytes(f.read_bytes())
    loaded = load_learner(export_learner(learn, tmp_path/'m'))
    for lrn in (learn, loaded):   # predict_folder and predict: calibrated; tta: raw unless asked, trained and loaded alike
        df, p = predict_folder(lrn, test)
        assert torch.equal(lrn.tta(dl=test, calibrate=True)[0], p) and torch.equal(lrn.tta(dl=test)[0], predict_folder(lrn, test, calibrate=False)[1])
        p1 = lrn.predict(test/df.file[0])[2]
        assert torch.allclose(p1, predict_folder(lrn, test, tta=False)[1][0], atol=1e-6, rtol=0) and not torch.allclose(p1, lrn.predict(test/df.file[0], calibrate=False)[2])
