"Model explanation and interpretation on awkward input, beyond the notebooks: a loader of a folder that lacks one of the learner's classes, folder-based DataBlock loaders, and a tabular workflow loaded back from its model folder."
import shutil
import warnings

import numpy as np
import pandas as pd
import pytest


@pytest.fixture(scope='module')
def image_learner(tmp_path_factory):
    "A FastNet fitted on 4 synthetic classes, and the folder of its images"
    from fastflow.core import set_seed
    from fastflow.testing import synth_images
    from fastflow.vision.data import tensor_dls
    from fastflow.vision.learner import fastnet_learner
    set_seed(0)
    path = synth_images(20, size=16, classes=('a', 'b', 'c', 'd'), path=tmp_path_factory.mktemp('imgs'))
    dls = tensor_dls(path, valid_pct=0.25, bs=30, size=16)
    learn = fastnet_learner(dls, widths=(16, 32, 32))
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(15, 0.2)
    return learn, path


def _without_b(path, out):
    "The image folder less its class 'b' (a test folder lacking a class): the loader codes 'c' as 1, 'd' as 2"
    for c in ('a', 'c', 'd'): shutil.copytree(path/c, out/c)
    return out


def test_interpretation_of_a_loader_lacking_a_class_keeps_the_names(image_learner, tmp_path):
    "A loader of a folder that lacks class 'b' codes 'c' as 1: ImageInterpretation used to read that as the learner's 'b'"
    from fastflow.vision.data import tensor_dls
    from fastflow.vision.interpret import ImageInterpretation
    learn, path = image_learner
    d2 = tensor_dls(_without_b(path, tmp_path/'nob'), valid_pct=0.5, bs=16, size=16)
    assert list(d2.vocab) == ['a', 'c', 'd']
    ii = ImageInterpretation.from_learner(learn, dl=d2.valid)
    names = [d2.vocab[int(t)] for t in d2.valid.y]
    assert [ii.vocab[int(t)] for t in ii.targets] == names                # each image keeps its own class name
    assert ii.confusion_matrix()[1].sum() == 0                             # no image of 'b' in the table
    assert set(ii.top_losses(len(names)).actual) == {'a', 'c', 'd'}
    assert ii.accuracy() == pytest.approx(np.mean([ii.vocab[int(p)] == n for p, n in zip(ii.preds, names)]))   # scored by name


def test_interpretation_of_a_datablock_loader_lacking_a_class(image_learner, tmp_path):
    "The same through fastai's DataBlock loader (folder_dls)"
    from fastflow.vision.data import folder_dls
    from fastflow.vision.interpret import ImageInterpretation
    learn, path = image_learner
    fd = folder_dls(_without_b(path, tmp_path/'nob'), bs=8, seed=0, size=16)
    ii = ImageInterpretation.from_learner(learn, dl=fd.valid)
    assert ii.vocab == list(learn.dls.vocab)
    actual = [fd.vocab[int(y)] for _, y in fd.valid_ds]
    assert [ii.vocab[int(t)] for t in ii.targets] == actual


def test_interpretation_refuses_a_loader_with_classes_the_learner_lacks(image_learner, tmp_path):
    from fastflow.vision.data import tensor_dls
    from fastflow.vision.interpret import ImageInterpretation
    learn, path = image_learner
    shutil.copytree(path, tmp_path/'more'); shutil.copytree(path/'a', tmp_path/'more'/'zebra')
    d2 = tensor_dls(tmp_path/'more', valid_pct=0.25, bs=16, size=16)
    with pytest.raises(ValueError, match=r"class\(es\) \['zebra'\] are not among the learner's"):
        ImageInterpretation.from_learner(learn, dl=d2.valid)


def test_loaded_workflow_explains_like_the_fitted_one(tmp_path):
    "A workflow loaded from its model folder: permutation importance and partial dependence give the fitted one's numbers; plots written"
    from fastflow.tabular.estimators import GBMRegressor, LinearRegressor
    from fastflow.tabular.explain import partial_dependence, permutation_importance
    from fastflow.tabular.workflow import TabularWorkflow
    from fastflow.testing import synth_tabular
    df = synth_tabular(300, 'regression', seed=2).assign(y=lambda d: np.exp(d.y/3))
    wf = TabularWorkflow('y', n_splits=2, verbose=False, metric='log_rmse',
                         models={'xgb': GBMRegressor(n_estimators=30, n_jobs=1), 'lin': LinearRegressor()})
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        wf.fit(df.iloc[:200])
        wl = TabularWorkflow.load(wf.export(tmp_path/'model'))
        va = df.iloc[200:]
        a = permutation_importance(wf, va, n_repeats=2, path=tmp_path/'a.png', show=False)
        b = permutation_importance(wl, va, n_repeats=2, path=tmp_path/'b.png', show=False)
        pa = partial_dependence(wf, va, ['x_num1', 'cat'], path=tmp_path/'pa.png', show=False)
        pb = partial_dependence(wl, va, ['x_num1', 'cat'], path=tmp_path/'pb.png', show=False)
    assert b.attrs['metric'] == 'log_rmse' and (tmp_path/'b.png').stat().st_size > 1000 and (tmp_path/'pb.png').exists()
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(pa, pb)
