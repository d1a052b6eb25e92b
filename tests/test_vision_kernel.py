"The CIFAR-10 subset kernel runs end to end on generated images in the competition's layout (--smoke)."
import importlib.util
from pathlib import Path
import pandas as pd

KERNEL = Path(__file__).resolve().parents[1]/'kaggle'/'cifar10-subset'/'kernel.py'

def test_kernel_smoke(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location('cifar_kernel', KERNEL); mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    rep = mod.main(['--smoke', '--out', str(tmp_path)])
    assert 'held-out accuracy' in capsys.readouterr().out
    sub = pd.read_csv(tmp_path/'submission.csv')
    sample = pd.read_csv(tmp_path/'smoke_data'/'sample_submission.csv')
    assert list(sub.columns) == ['id', 'label'] and sub.id.tolist() == sample.id.tolist()
    assert set(sub.label) <= set(mod.CLASSES) and 0 <= rep['valid_accuracy_tta'] <= 1
