"Bad and odd image input: each case gets a clear error (or is handled), with files the test writes itself."
import warnings
import numpy as np
import pandas as pd
import pytest
from PIL import Image
from fastflow.testing import synth_images
from fastflow.vision.data import folder_dls, csv_dls, get_test_files, tensor_dls, verify_images, open_rgb, image_files

def test_empty_folder(tmp_path):
    with pytest.raises(ValueError, match='No image files found'): folder_dls(tmp_path)
    with pytest.raises(ValueError, match='No image files found'): tensor_dls(tmp_path)

def test_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match='does not exist'): folder_dls(tmp_path/'nope')

def test_class_with_one_image(tmp_path):
    synth_images(3, size=8, path=tmp_path, classes=('a', 'b'))
    (tmp_path/'c').mkdir(); Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path/'c'/'only.png')
    with pytest.raises(ValueError, match=r"fewer than 2 images: \{'c': 1\}"): folder_dls(tmp_path)

def test_single_class(tmp_path):
    synth_images(3, size=8, path=tmp_path, classes=('a',))
    with pytest.raises(ValueError, match='only one class'): folder_dls(tmp_path)

def test_csv_missing_files(tmp_path):
    synth_images(3, size=8, path=tmp_path/'imgs', classes=('a', 'b'))
    df = pd.DataFrame({'filename': ['a/0000.png', 'a/9999.png', 'b/nope.png'], 'label': ['a', 'a', 'b']})
    with pytest.raises(FileNotFoundError, match=r"2 of 3 files named in the CSV column 'filename' do not exist"):
        csv_dls(tmp_path, df, folder='imgs')

def test_test_folder_with_non_images(tmp_path):
    xs, _, _ = synth_images(1, size=8)
    for i, a in enumerate(xs): Image.fromarray(a).save(tmp_path/f'{i}.png')
    (tmp_path/'labels.csv').write_text('id,label\n')
    with pytest.raises(ValueError, match=r"non-image file\(s\), e.g. \['labels.csv'\]"): get_test_files(tmp_path)
    assert len(get_test_files(tmp_path, skip_non_images=True)) == 3
    (tmp_path/'broken.jpg').write_bytes(b'\xff\xd8\xff garbage')
    with pytest.raises(ValueError, match='cannot be read'): get_test_files(tmp_path, skip_non_images=True)

def test_corrupt_and_truncated_skipped_in_training(tmp_path):
    from fastai.vision.all import Learner, nn, accuracy
    synth_images(4, size=16, path=tmp_path)
    good = (tmp_path/'red_h'/'0000.png').read_bytes()
    (tmp_path/'red_h'/'trunc.png').write_bytes(good[:len(good)//3])
    (tmp_path/'green_v'/'bad.jpg').write_bytes(b'not a jpeg')
    assert len(verify_images(tmp_path)) == 2
    with pytest.warns(UserWarning, match='Skipping 2 unreadable'):
        dls = folder_dls(tmp_path, bs=4, valid_pct=0.25)
    assert len(dls.train_ds) + len(dls.valid_ds) == 12
    learn = Learner(dls, nn.Sequential(nn.Flatten(), nn.Linear(3*16*16, 3)), metrics=accuracy)
    with warnings.catch_warnings(): warnings.simplefilter('ignore'); learn.fit(1, 1e-3)

def test_modes_exif_mixed_sizes(tmp_path):
    rng = np.random.default_rng(0)
    for c in ('a', 'b'):
        (tmp_path/c).mkdir()
        for i, (mode, size) in enumerate([('L', (20, 10)), ('P', (12, 12)), ('RGBA', (30, 16)), ('CMYK', (8, 24)), ('RGB', (16, 16))]):
            im = Image.fromarray(rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)).convert(mode)
            im.save(tmp_path/c/f'{i}.{"jpg" if mode == "CMYK" else "png"}')
    for f in image_files(tmp_path): assert open_rgb(f).mode == 'RGB'
    dls = folder_dls(tmp_path, bs=2, valid_pct=0.2)
    xb, yb = dls.one_batch(); assert xb.shape[1:] == (3, 20, 20)   # pick_size: the median longer side
    t = tensor_dls(tmp_path, valid_pct=0.2, bs=2, size=16)
    assert t.train.one_batch()[0].shape == (2, 3, 16, 16)
    im = Image.fromarray(rng.integers(0, 255, (10, 20, 3), dtype=np.uint8)); ex = im.getexif(); ex[0x0112] = 8
    im.save(tmp_path/'rot.jpg', exif=ex)
    assert open_rgb(tmp_path/'rot.jpg').size == (10, 20)

def test_split_too_small():
    from fastflow.vision.data import train_valid_split
    with pytest.raises(ValueError, match=r"fewer than 2 items: \{'c': 1\}"): train_valid_split(['a', 'a', 'b', 'b', 'c'], 0.4)
    with pytest.raises(ValueError, match='raise valid_pct or add images'): train_valid_split(['a']*5 + ['b']*5 + ['c']*5, 0.1)
    tr, va = train_valid_split(['a']*5 + ['b']*5 + ['c']*5, 0.2)
    assert len(va) == 3 and sorted(set(tr) | set(va)) == list(range(15))

@pytest.mark.parametrize('kind', ['tensor', 'datablock'])
def test_predict_bad_items(tmp_path, kind):
    import torch
    from fastflow.vision.data import test_dl
    from fastflow.vision.learner import fastnet_learner
    p = synth_images(4, size=16, path=tmp_path/'imgs')
    dls = tensor_dls(p, valid_pct=0.25, bs=4) if kind == 'tensor' else folder_dls(p, bs=4)
    learn = fastnet_learner(dls, widths=(8, 16, 16), bf16=False, channels_last=False)
    good = np.zeros((16, 16, 3), np.uint8)
    assert learn.predict(good)[2].shape == (3,) and learn.predict(good[..., 0])[2].shape == (3,)   # grey HxW too
    with pytest.raises(TypeError, match='Expected a uint8 image'): learn.predict(good.astype(np.float32)/255)
    with pytest.raises(ValueError, match='got shape \\(16, 16, 2\\)'): learn.predict(np.zeros((16, 16, 2), np.uint8))
    with pytest.raises(TypeError, match='Expected a uint8 image'): learn.predict(torch.rand(3, 16, 16))
    with pytest.raises(FileNotFoundError, match='No image file'): learn.predict(tmp_path/'nope.png')
    (tmp_path/'bad.png').write_bytes(b'not a png')
    with pytest.raises(ValueError, match='Cannot read the image'): learn.predict(str(tmp_path/'bad.png'))
    with pytest.raises(ValueError, match='got no images'): test_dl(dls, [])

def test_pipeline_not_storable(tmp_path):
    from fastai.data.block import DataBlock, RegressionBlock
    from fastai.data.transforms import RandomSplitter
    from fastai.vision.data import ImageBlock
    from fastai.vision.augment import Resize
    from fastflow.vision.data import pipeline_config, image_files, RGBImage
    p = synth_images(3, size=16, path=tmp_path)
    db = DataBlock(blocks=(ImageBlock(RGBImage), RegressionBlock), get_items=image_files, get_y=lambda f: float(f.stem),
                   splitter=RandomSplitter(0.3, seed=0), item_tfms=Resize(8))
    with pytest.raises(ValueError, match='image classifiers.*unsafe=True'): pipeline_config(db.dataloaders(p, bs=2))

def test_awkward_folders(tmp_path):
    "The issue's folders: train/+test/ refused with the way out, .jfif/.jpe/no extension read, empty class and non-images warned, one wide image ignored"
    from PIL import Image
    from fastflow.vision.data import check_image_folder, ImageTensors
    synth_images(3, size=16, path=tmp_path/'train'); synth_images(1, size=16, path=tmp_path/'test', seed=1)
    for f in (folder_dls, tensor_dls, check_image_folder):
        with pytest.raises(ValueError, match=r"split folders \['test', 'train'\].*Point at .*train"): f(tmp_path)
    tr = tmp_path/'train'
    for n in ['a.jfif', 'b.jpe', 'c']: Image.open(tr/'red_h'/'0000.png').convert('RGB').save(tr/'red_h'/n, format='JPEG')
    (tr/'empty').mkdir(); (tr/'blue_d'/'notes.txt').write_text('x')
    Image.new('RGB', (600, 12)).save(tr/'green_v'/'wide.png')
    with pytest.warns(UserWarning) as w: dls = folder_dls(tr, bs=4, valid_pct=0.25)
    msgs = ' '.join(str(m.message) for m in w)
    assert 'notes.txt' in msgs and "['empty']" in msgs
    assert len(dls.train_ds) + len(dls.valid_ds) == 13 and dls.one_batch()[0].shape[-2:] == (16, 16)
    with pytest.warns(UserWarning): data = ImageTensors.from_folder(tr)
    assert data.x.shape == (13, 3, 16, 16) and data.vocab == ['blue_d', 'green_v', 'red_h']
    (tr/'red_h'/'sub').mkdir(); Image.new('RGB', (16, 16)).save(tr/'red_h'/'sub'/'x.png')
    with pytest.raises(ValueError, match='different depths'): tensor_dls(tr)

def test_named_split_unknown_valid_class(tmp_path):
    synth_images(3, size=8, path=tmp_path/'train', classes=('a', 'b')); synth_images(2, size=8, path=tmp_path/'valid', classes=('a', 'c'))
    with pytest.raises(ValueError, match=r"Class\(es\) \['c'\] of .*valid have no images in .*train"): folder_dls(tmp_path, valid_name='valid')

def test_memory_refused_before_decoding(tmp_path, monkeypatch):
    import fastflow.vision.data as vd
    synth_images(3, size=16, path=tmp_path)
    monkeypatch.setattr(vd, 'available_ram', lambda: 10_000)             # 10 kB free: 9 images of 3x16x16 need 6.9 kB > 5 kB
    monkeypatch.setattr(vd, 'load_images', lambda *a, **k: pytest.fail('decoded anyway'))
    with pytest.raises(MemoryError, match=r'more than 50% of the .* RAM available\. Use folder_dls'): vd.tensor_dls(tmp_path)
    assert len(vd.folder_dls(tmp_path, bs=4).train_ds) > 0                # the lazy path still works

# --- a new user's sweep (helper-55) ---
def test_symlinked_class_folders(tmp_path):
    src = synth_images(3, size=8, path=tmp_path/'src', classes=('a', 'b'))
    (tmp_path/'train').mkdir()
    for c in ('a', 'b'): (tmp_path/'train'/c).symlink_to(src/c, target_is_directory=True)   # Kaggle's way of not copying /kaggle/input
    (tmp_path/'train'/'loop').symlink_to(tmp_path/'train', target_is_directory=True)          # a link back up: walked once
    assert len(image_files(tmp_path/'train'/'a')) == 3 and len(image_files(tmp_path/'train')) == 6
    with pytest.warns(UserWarning, match=r"no images, left out of the classes: \['loop'\]"): dls = folder_dls(tmp_path/'train', bs=2)
    assert list(dls.vocab) == ['a', 'b'] and len(dls.train_ds) + len(dls.valid_ds) == 6

def test_batch_size_above_the_training_set(tmp_path):
    synth_images(5, size=8, path=tmp_path, classes=('a', 'b'))
    with pytest.warns(UserWarning, match=r'bs=64 is more than the 8 training images.*using bs=8'): dls = folder_dls(tmp_path)
    assert len(dls.train) == 1
    from fastflow.vision.learner import fastnet_learner
    from fastai.data.core import DataLoaders
    empty = DataLoaders(dls.train.new(bs=64), dls.valid)
    with pytest.raises(ValueError, match='the training loader has no batch'): fastnet_learner(empty, widths=(4, 4, 4))

def test_a_rare_class_is_kept_in_training(tmp_path):
    synth_images(20, size=8, path=tmp_path, classes=('a', 'b'))
    (tmp_path/'rare').mkdir()
    for k in range(2): Image.fromarray(np.full((8, 8, 3), 40*k, np.uint8)).save(tmp_path/'rare'/f'{k}.png')
    from fastai.data.transforms import RandomSplitter
    files = sorted(image_files(tmp_path))
    seed = next(s for s in range(1000) if not any(files[i].parent.name == 'rare' for i in RandomSplitter(0.2, seed=s)(files)[0]))   # both rare ones in valid
    with pytest.warns(UserWarning, match=r"put every image of class\(es\) \['rare'\] in validation"): dls = folder_dls(tmp_path, bs=4, seed=seed)
    assert sum(dls.vocab[int(dls.train_ds[i][1])] == 'rare' for i in range(len(dls.train_ds))) == 1   # stratified: one to learn from

def test_exif_rotation_counts_in_sizes(tmp_path):
    synth_images(3, size=8, path=tmp_path, classes=('a', 'b'))
    for f in image_files(tmp_path): Image.fromarray(np.zeros((8, 12, 3), np.uint8)).save(f.with_suffix('.jpg')); f.unlink()
    im = Image.fromarray(np.zeros((8, 12, 3), np.uint8)); ex = im.getexif(); ex[0x0112] = 6   # shown turned: 8 wide, 12 high
    f = image_files(tmp_path)[0]; im.save(f, exif=ex)
    dls = folder_dls(tmp_path, bs=2)   # sizes differ once the turn counts: resized to one size, batches collate
    assert dls.one_batch()[0].shape[-2:] == (12, 12)

def test_csv_ids_duplicates_and_tuple_size(tmp_path):
    root = synth_images(3, size=8, path=tmp_path/'imgs', classes=('a', 'b'))
    for k, f in enumerate(image_files(root)): f.rename(root/f'{k:03d}.png')
    for d in ('a', 'b'): (root/d).rmdir()
    pd.DataFrame({'id': [f'{k:03d}' for k in range(6)], 'label': ['a']*3 + ['b']*3}).to_csv(tmp_path/'labels.csv', index=False)
    dls = csv_dls(tmp_path, folder='imgs', suffix='.png', bs=2, valid_pct=0.34)   # '000' read as text, not 0
    assert len(dls.train_ds) + len(dls.valid_ds) == 6
    dup = pd.DataFrame({'id': ['000', '000', '001', '003', '004', '005'], 'label': ['a', 'a', 'a', 'b', 'b', 'b']})
    with pytest.warns(UserWarning, match=r"1 row\(s\) repeat a file name"): d2 = csv_dls(tmp_path, dup, folder='imgs', suffix='.png', bs=2, valid_pct=0.4)
    assert len(d2.train_ds) + len(d2.valid_ds) == 5
    with pytest.raises(ValueError, match="more than one label"): csv_dls(tmp_path, dup.assign(label=['a', 'b', 'a', 'b', 'b', 'b']), folder='imgs', suffix='.png')
    d3 = csv_dls(tmp_path, folder='imgs', suffix='.png', bs=2, valid_pct=0.34, size=(8, 12))   # size as (h, w)
    assert d3.one_batch()[0].shape[-2:] == (8, 12)

def test_same_size_large_images_are_resized(tmp_path):
    from fastflow.vision.data import pick_size
    assert pick_size([(640, 480)]*3) == 224 and pick_size([(32, 32)]*3) is None

def test_repeated_test_ids_and_mixed_csv_labels(tmp_path):
    root = synth_images(3, size=8, path=tmp_path/'imgs', classes=('a', 'b'))
    df = pd.DataFrame({'filename': [str(f.relative_to(root)) for f in image_files(root)], 'label': ['a', 'a', 'a', 1, 1, 1]})
    with pytest.raises(ValueError, match="mixes text and number labels"): csv_dls(root, df)
    dls = folder_dls(root, bs=2)
    from fastflow.vision.learner import fastnet_learner, predict_folder
    learn = fastnet_learner(dls, widths=(4, 4, 4))
    t = tmp_path/'test'; t.mkdir()
    for ext in ('png', 'jpg'): Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(t/f'1.{ext}')
    with pytest.warns(UserWarning, match=r"1 test file\(s\) share a name stem"): preds, _ = predict_folder(learn, t, tta=False)
    assert len(preds) == 2

def test_review_cases(tmp_path):
    "helper-56: a lost class moves one image to training (no stratified split that fails on many small classes); long-format multi-label rows merge"
    root = synth_images(2, size=8, path=tmp_path/'many', classes=('a', 'b'))
    for k in range(30):
        (root/f'c{k}').mkdir()
        for j in range(2): Image.fromarray(np.full((8, 8, 3), (7*k + j) % 255, np.uint8)).save(root/f'c{k}'/f'{j}.png')
    for seed in range(4):
        with warnings.catch_warnings(): warnings.simplefilter('ignore'); dls = folder_dls(root, bs=4, seed=seed)
        assert {dls.vocab[int(dls.train_ds[i][1])] for i in range(len(dls.train_ds))} == set(dls.vocab)   # every class in training
    img = synth_images(2, size=8, path=tmp_path/'imgs', classes=('a', 'b'))
    fs = [str(f.relative_to(img)) for f in image_files(img)]
    long = pd.DataFrame({'filename': [f for f in fs for _ in range(2)], 'tags': ['x', 'y', 'x', 'z', 'y', 'z', 'x', 'y']})
    with pytest.warns(UserWarning, match='their labels are merged'): ml = csv_dls(img, long, label_delim=' ', bs=2, valid_pct=0.25)
    assert list(ml.vocab) == ['x', 'y', 'z'] and len(ml.train_ds) + len(ml.valid_ds) == 4

def test_csv_split_with_no_image_left_to_validate(tmp_path):
    root = synth_images(2, size=8, path=tmp_path/'imgs', classes=('a', 'b'))
    fs = [str(f.relative_to(root)) for f in image_files(root)]
    df = pd.DataFrame({'filename': fs, 'label': ['a', 'b', 'c', 'd']})   # every class one image: nothing can be held out
    seed = next(s for s in range(200) if len(__import__('fastai.data.transforms', fromlist=['x']).RandomSplitter(0.25, seed=s)(fs)[1]) == 1)
    with pytest.raises(ValueError, match='no image is left to validate on'), warnings.catch_warnings():
        warnings.simplefilter('ignore'); csv_dls(root, df, bs=2, valid_pct=0.25, seed=seed)

def test_photos_keep_their_shape(tmp_path):
    "One-size photos wider than 224 keep their shape in memory (not squished); a test image of another shape is centre-cropped; the learner trains (also progressively), exports and loads"
    import torch
    from fastflow.export import export_learner, load_learner
    from fastflow.vision.data import test_dl
    from fastflow.vision.learner import fastnet_learner, fit_progressive
    rng = np.random.default_rng(0)
    for c, col in (('red', 0), ('blue', 2)):
        (tmp_path/'imgs'/c).mkdir(parents=True)
        for i in range(6):
            a = rng.integers(0, 60, (200, 300, 3), dtype=np.uint8); a[..., col] += 150
            Image.fromarray(a).save(tmp_path/'imgs'/c/f'{i}.png')
    dls = tensor_dls(tmp_path/'imgs', valid_pct=1/3, bs=4, seed=0)
    assert dls.data.x.shape[1:] == (3, 149, 224)                     # 300x200 scaled to a longer side of 224
    tall = np.zeros((300, 200, 3), np.uint8); tall[50:250, :, 2] = 255  # a portrait: blue in the middle, black top and bottom
    Image.fromarray(tall).save(tmp_path/'tall.png')
    x = test_dl(dls, [tmp_path/'tall.png']).tensors[0]
    assert x.shape[1:] == (3, 149, 224) and x[0, 2].float().mean() > 250   # the centre, cropped to the training shape
    learn = fastnet_learner(dls, widths=(8, 16, 16))
    with learn.no_bar(), learn.no_logging(): fit_progressive(learn, sizes=(112, 224), epochs=2)
    export_learner(learn, tmp_path/'model'); learn.to_fp32()
    ref = learn.get_preds(dl=test_dl(learn.dls, [tmp_path/'tall.png']))[0]
    back = load_learner(tmp_path/'model')
    assert torch.equal(back.get_preds(dl=test_dl(back.dls, [tmp_path/'tall.png']))[0], ref)

def test_a_file_for_a_folder_is_named(tmp_path):
    (tmp_path/'labels.csv').write_text('id,label\n1,cat\n')
    with pytest.raises(NotADirectoryError, match=r"is a file, not a folder: .*csv_dls"): tensor_dls(tmp_path/'labels.csv')

GOOD_KINDS = ('grey.png', 'rgba.png', 'pal.png', '16bit.png', 'cmyk.jpg', 'exif.jpg', '1x1.png', 'long.png', 'tall.png', 'upper.JPG', 'upper2.PNG')
BAD_KINDS = {'trunc.png': 'OSError: image file is truncated', 'zero.jpg': 'empty file (0 bytes)', 'text.png': 'not an image: PIL cannot identify its format'}

def write_awkward(folder, base, tag, bad=True):
    "The images a new user brings, made from the uint8 HxWx3 `base` with PIL, as `folder/<tag>_<kind>` (and a .DS_Store)"
    folder.mkdir(parents=True, exist_ok=True)
    im = Image.fromarray(base); h, w = base.shape[:2]
    im.convert('L').save(folder/f'{tag}_grey.png')
    rgba = im.convert('RGBA'); rgba.putalpha(Image.fromarray((np.arange(h*w).reshape(h, w)*255//(h*w)).astype(np.uint8))); rgba.save(folder/f'{tag}_rgba.png')
    im.convert('P', palette=Image.ADAPTIVE, colors=16).save(folder/f'{tag}_pal.png')
    Image.fromarray(base[..., 0].astype(np.uint16)*257).save(folder/f'{tag}_16bit.png')   # I;16
    im.convert('CMYK').save(folder/f'{tag}_cmyk.jpg')
    r = im.rotate(90, expand=True); ex = r.getexif(); ex[0x0112] = 6; r.save(folder/f'{tag}_exif.jpg', exif=ex)   # stored turned; EXIF turns it back
    im.resize((1, 1)).save(folder/f'{tag}_1x1.png'); im.resize((10*w, 4)).save(folder/f'{tag}_long.png'); im.resize((3, 6*h)).save(folder/f'{tag}_tall.png')
    im.save(folder/f'{tag}_upper.JPG', format='JPEG'); im.save(folder/f'{tag}_upper2.PNG')
    (folder/'.DS_Store').write_bytes(b'\x00\x00\x00\x01Bud1' + b'\x00'*100)
    if bad:
        good = (folder/f'{tag}_grey.png').read_bytes()
        (folder/f'{tag}_trunc.png').write_bytes(good[:len(good)//2]); (folder/f'{tag}_zero.jpg').write_bytes(b'')
        (folder/f'{tag}_text.png').write_text('this is not an image\n')

def awkward_set(root, n=6, bad=True):
    "train/<class>/ (`n` plain images a class and every awkward kind) and a Kaggle-style flat test/ with every awkward kind"
    x, y, vocab = synth_images(n, size=16, seed=0)
    for c in range(len(vocab)):
        d = root/'train'/vocab[c]; d.mkdir(parents=True)
        for k in np.where(y == c)[0]: Image.fromarray(x[k]).save(d/f'{k:03d}.png')
        write_awkward(d, x[np.where(y == c)[0][0]], f'tr{c}', bad=bad)
    xt = synth_images(2, size=16, seed=3)[0]
    (root/'test').mkdir()
    for k, a in enumerate(xt): Image.fromarray(a).save(root/'test'/f'plain{k}.png')
    write_awkward(root/'test', xt[0], 'te', bad=False)
    return root/'train', root/'test', xt[0]

@pytest.mark.parametrize('kind', ['tensor', 'datablock'])
def test_awkward_images_end_to_end(tmp_path, kind):
    "Greyscale, RGBA, palette, 16-bit, CMYK, EXIF-rotated, 1x1, elongated, upper-case extensions train and predict; broken files are skipped in training with why, and in a test folder named, or kept as rows with unreadable='average'; .DS_Store ignored; a nested test folder named"
    import torch
    from fastflow.vision.data import load_images
    from fastflow.vision.learner import train_image_folder, predict_folder, fastnet_learner, fit_budget, write_image_submission
    train, test, base = awkward_set(tmp_path)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        if kind == 'tensor': learn, _ = train_image_folder(train, epochs=1, bs=8, valid_pct=0.25, candidates=((8, 16, 16),), threads=1)
        else:
            dls = folder_dls(train, bs=8, seed=0); learn = fastnet_learner(dls, widths=(8, 16, 16), bf16=False, channels_last=False)
            with learn.no_bar(), learn.no_logging(): fit_budget(learn, epochs=1)
    msgs = ' '.join(str(m.message) for m in w)
    for why in BAD_KINDS.values(): assert f'({why}' in msgs, msgs   # each skipped file named with why, in words
    n = len(learn.dls.train.dataset if kind == 'datablock' else learn.dls.train.x) + len(learn.dls.valid.dataset if kind == 'datablock' else learn.dls.valid.x)
    assert n == 3*(6 + len(GOOD_KINDS)), n   # every readable image trains, the 9 broken ones (3 a class) do not
    # decoded as they look: EXIF turned upright, 16 bits scaled to 8, alpha on white
    dec = {k: load_images([test/f'te_{k}'], (16, 16))[0].float() for k in GOOD_KINDS}
    ref = torch.from_numpy(base).permute(2, 0, 1).float()
    err = lambda a, b: (a - b).abs().mean().item()
    assert err(dec['exif.jpg'], ref) < min(err(dec['exif.jpg'], ref.rot90(k, (1, 2))) for k in (1, 3))/2   # upright, not as stored
    assert torch.equal(dec['16bit.png'][0], ref[0]) and torch.equal(dec['upper2.PNG'], ref)
    df, probs = predict_folder(learn, test)
    files = sorted(p.name for p in test.iterdir() if not p.name.startswith('.'))
    assert df.file.tolist() == files and probs.shape == (len(files), 3) and torch.isfinite(probs).all()   # a row per image, none for .DS_Store
    sample = pd.DataFrame({'id': [f.rsplit('.', 1)[0] for f in files], 'label': 'red_h'})
    assert len(pd.read_csv(write_image_submission(df, sample, tmp_path/'sub'))) == len(files)
    # broken test images: an error naming each, with why and the way out; or a row each, predicted as the average
    for f, why in BAD_KINDS.items(): (test/f'te_{f}').write_bytes((test/'te_grey.png').read_bytes()[:60] if f == 'trunc.png' else b'' if f == 'zero.jpg' else b'text')
    with pytest.raises(ValueError, match=r"3 (test )?image\(s\) (of .* )?cannot be read: te_text.png \(not an image.*te_trunc.png \(OSError: image file is truncated\), te_zero.jpg \(empty file.*unreadable='average'"):
        predict_folder(learn, test)
    with pytest.warns(UserWarning, match=r"3 of the 20 test images cannot be read.*average of the 17 readable ones"): df2, p2 = predict_folder(learn, test, unreadable='average')
    assert len(df2) == 20 and df2.attrs['unreadable'] == ['te_text.png', 'te_trunc.png', 'te_zero.jpg']
    assert torch.allclose(p2[torch.tensor(df2.file.isin(files).tolist())], probs, atol=1e-6)   # the readable ones as before
    sample2 = pd.DataFrame({'id': df2.id, 'label': 'red_h'})
    assert len(pd.read_csv(write_image_submission(df2, sample2, tmp_path/'sub2'))) == 20   # a row per test image
    (test/'sub').mkdir(); Image.fromarray(base).save(test/'sub'/'nested.png')
    with pytest.raises(ValueError, match=r"move the 1 in sub-folder\(s\) \['sub'\] up into"): predict_folder(learn, test, unreadable='average')

@pytest.mark.parametrize('kind', ['tensor', 'datablock', 'csv'])
def test_unreadable_average_decodes_each_image_once(tmp_path, kind):
    "predict_folder(unreadable='average') opens each test image once (it decoded them two or three times), its DataBlock loaders a few hundred images at a time; the rows are those of the readable images predicted alone, at the learner's temperature"
    import shutil
    from unittest import mock
    import torch
    from fastflow.vision.learner import fastnet_learner, predict_folder, calibrated
    train = synth_images(4, size=16, path=tmp_path/'train', seed=0)
    if kind == 'csv':   # a CSV learner: column readers before the transform that opens the image, skipped by test_dl's and these loaders' one builder
        fs = sorted(train.rglob('*.png')); labels = pd.DataFrame({'fn': [f.relative_to(train).as_posix() for f in fs], 'label': [f.parent.name for f in fs]})
    dls = (tensor_dls(train, valid_pct=0.25, bs=8, seed=0) if kind == 'tensor' else folder_dls(train, bs=8, seed=0) if kind == 'datablock'
           else csv_dls(tmp_path, labels, folder='train', bs=8, seed=0))
    learn = fastnet_learner(dls, widths=(8, 16, 16), bf16=False, channels_last=False)
    learn.temperature = 0.6
    x, _, _ = synth_images(100, size=16, seed=5)   # 300: more than one of the DataBlock path's 256-image chunks
    (good := tmp_path/'good').mkdir()
    for i, a in enumerate(x): Image.fromarray(a).save(good/f'{i:04d}.png')
    test = shutil.copytree(good, tmp_path/'test')
    (test/'0003b.png').write_bytes(b''); (test/'0260b.jpg').write_text('text'); (test/'0299b.png').write_bytes((good/'0000.png').read_bytes()[:60])
    ref_df, ref = predict_folder(learn, good)
    with mock.patch('PIL.Image.open', side_effect=Image.open) as opened, pytest.warns(UserWarning, match='3 of the 303 test images cannot be read'):
        df, p = predict_folder(learn, test, unreadable='average')
    assert opened.call_count == 303, opened.call_count
    assert df.attrs['unreadable'] == ['0003b.png', '0260b.jpg', '0299b.png'] and len(df) == 303
    ok = torch.tensor(df.file.isin(ref_df.file).tolist())
    assert torch.equal(p[ok], ref) and df[ok.numpy()].label.tolist() == ref_df.label.tolist()   # the readable ones: as predicted without the others
    raw = predict_folder(learn, good, calibrate=False)[1]
    assert torch.allclose(p[~ok], calibrated(raw.mean(0, keepdim=True), 0.6).expand(3, -1), atol=1e-6)   # the others: the readable ones' average, calibrated
    for f in good.iterdir(): f.write_bytes(b'')
    with pytest.raises(ValueError, match=r"None of the 300 test image\(s\) can be read \(0000.png \(empty file"): predict_folder(learn, good, unreadable='average')

OS_JUNK = ('Thumbs.db', 'desktop.ini', '.DS_Store', '._0000.png')

def test_os_files_skipped_everywhere(tmp_path):
    "Thumbs.db, desktop.ini, .DS_Store and ._* files in class and test folders are skipped by default, said in the report; other non-images keep today's behaviour"
    from fastflow.vision.data import check_image_folder
    from fastflow.vision.learner import train_image_folder, predict_folder
    p = synth_images(8, path=tmp_path/'imgs')
    for c in ('red_h', 'green_v'):
        for j in OS_JUNK: (p/c/j).write_bytes(b'\x00\x01junk')
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always'); dls = folder_dls(p, bs=4)
    assert not any('non-image' in str(m.message) for m in w), [str(m.message) for m in w]
    assert len(dls.train_ds) + len(dls.valid_ds) == 24
    rep = check_image_folder(p)
    assert len(rep.os_files) == 8 and rep.skipped == [] and 'OS files skipped' in repr(rep)
    assert tensor_dls(p, valid_pct=0.25, bs=4).data.x.shape[0] == 24
    learn, _ = train_image_folder(p, epochs=1, widths=(8, 16, 16), valid_pct=0.25)
    t = tmp_path/'test'; t.mkdir()
    for f in sorted((p/'red_h').glob('0*.png'))[:3]: (t/f.name).write_bytes(f.read_bytes())
    for j in OS_JUNK: (t/j).write_bytes(b'\x00\x01junk')
    assert len(get_test_files(t)) == 3 and predict_folder(learn, t)[0].file.tolist() == sorted(f.name for f in t.glob('0*.png'))
    (t/'notes.txt').write_text('x')   # any other non-image: as before
    with pytest.raises(ValueError, match='non-image'): get_test_files(t)
    (t/'notes.txt').unlink(); (t/'bad.jpg').write_text('broken')
    with pytest.raises(ValueError, match='cannot be read'): predict_folder(learn, t)

def test_csv_tag_lists_warn(tmp_path):
    "train_image_folder(csv=) on space-separated tags warns naming csv_dls(label_delim=' ') (before: 3 tags silently became 7 softmax classes)"
    from fastflow.vision.learner import train_image_folder
    (tmp_path/'train').mkdir(); rng = np.random.default_rng(0); rows = []
    for n in range(40):
        tags = [t for t in ('red', 'green', 'blue') if rng.random() < .5] or ['blue']
        Image.fromarray(rng.integers(0, 255, (16, 16, 3), dtype=np.uint8)).save(tmp_path/'train'/f'{n}.png'); rows.append((str(n), ' '.join(tags)))
    pd.DataFrame(rows, columns=['id', 'tags']).to_csv(tmp_path/'train.csv', index=False)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always'); learn, _ = train_image_folder(tmp_path/'train', csv='train.csv', epochs=1, widths=(8, 16, 16), valid_pct=0)
    msg = [str(m.message) for m in w if 'lists of tags' in str(m.message)]
    assert len(msg) == 1 and f"csv_dls({str(tmp_path)!r}, 'train.csv', folder='train', suffix='.png', label_delim=' ')" in msg[0], msg
    assert f"{len(learn.dls.vocab)} classes with one label an image, not 3 tags" in msg[0], msg
    dls = csv_dls(tmp_path, 'train.csv', folder='train', suffix='.png', label_delim=' ', bs=8)   # the path the warning names: 3 tags
    assert list(dls.vocab) == ['blue', 'green', 'red']

def test_csv_rows_missing_for_some_images_warn(tmp_path):
    "A flat folder + CSV whose CSV lacks rows for some images: a warning with the count and names (before: silently trained on the rest)"
    from fastflow.vision.data import ImageTensors
    src = synth_images(10, path=tmp_path/'src'); flat = tmp_path/'flat'; flat.mkdir(); rows = []
    for f in sorted(src.rglob('*.png')): (flat/f'{f.parent.name}_{f.name}').write_bytes(f.read_bytes()); rows.append((f'{f.parent.name}_{f.stem}', f.parent.name))
    (flat/'Thumbs.db').write_bytes(b'x')   # an OS file is not an image without a row
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always'); data = ImageTensors.from_csv(flat, pd.DataFrame(rows[7:], columns=['id', 'label']))
    msg = [str(m.message) for m in w if 'have no row' in str(m.message)]
    assert len(data) == 23 and len(msg) == 1 and msg[0].startswith(f"7 of the 30 images in {flat} have no row in the labels CSV"), msg
    assert "'blue_d_0020.png'" in msg[0] and ' ...' in msg[0], msg
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always'); ImageTensors.from_csv(flat, pd.DataFrame(rows, columns=['id', 'label']))
    assert not any('have no row' in str(m.message) for m in w)

def test_triangles_flips_off_from_edges(tmp_path):
    "Shapes pointing left/right at random places: the mean images cannot tell (NaN), the edges can: flips off on both data paths, with the reason"
    from PIL import ImageDraw
    rng = np.random.default_rng(3)
    for k in ('left', 'right'):
        (tmp_path/k).mkdir()
        for n in range(30):
            im = Image.new('RGB', (32, 32), tuple(int(v) for v in rng.integers(0, 80, 3))); cx, cy, s = *rng.integers(10, 22, 2).tolist(), int(rng.integers(6, 10))
            pts = [(cx-s, cy), (cx+s, cy-s), (cx+s, cy+s)] if k == 'left' else [(cx+s, cy), (cx-s, cy-s), (cx-s, cy+s)]
            ImageDraw.Draw(im).polygon(pts, fill=tuple(int(v) for v in rng.integers(150, 256, 3))); im.save(tmp_path/k/f'{n}.png')
    d = tensor_dls(tmp_path, bs=8)
    assert not d.train.flip and np.isnan(d.mirror_asymmetry) and d.edge_asymmetry > 1
    from fastflow.vision.data import has_flip
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always'); assert not has_flip(folder_dls(tmp_path, bs=8).train)
    assert any("edges point in mirrored directions" in str(m.message) for m in w)
