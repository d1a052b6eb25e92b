"data_path over every layout it supports, output_dir, and seeding."
import random
import numpy as np, pytest, torch
from fastflow import core
from fastflow.core import data_path, data_candidates, output_dir, set_seed, is_kaggle

@pytest.fixture
def no_env(monkeypatch, tmp_path):
    monkeypatch.delenv('FASTFLOW_DATA', raising=False); monkeypatch.delenv('KAGGLE_KERNEL_RUN_TYPE', raising=False)
    monkeypatch.setattr(core, '_shared_dirs', lambda: [tmp_path/'shared'/'data'])
    return tmp_path

@pytest.mark.parametrize('layout', ['competitions/{n}', 'datasets/owner/{n}', 'datasets/owner/slug/{n}', '{n}'])
def test_kaggle_layouts(no_env, layout):
    k = no_env/'kaggle_input'; p = k/layout.format(n='titanic'); p.mkdir(parents=True)
    assert data_path('titanic', kaggle_input=k) == p

def test_competitions_before_old_layout(no_env):
    k = no_env/'k'; (k/'competitions'/'x').mkdir(parents=True); (k/'x').mkdir()
    assert data_path('x', kaggle_input=k) == k/'competitions'/'x'

def test_env_var_then_shared(no_env, monkeypatch):
    (no_env/'shared'/'data'/'adult').mkdir(parents=True)
    assert data_path('adult', kaggle_input=no_env/'none') == no_env/'shared'/'data'/'adult'
    (no_env/'mine'/'adult').mkdir(parents=True); monkeypatch.setenv('FASTFLOW_DATA', str(no_env/'mine'))
    assert data_path('adult', kaggle_input=no_env/'none') == no_env/'mine'/'adult'

def test_not_found_lists_every_place(no_env, monkeypatch):
    monkeypatch.setenv('FASTFLOW_DATA', str(no_env/'mine'))
    with pytest.raises(FileNotFoundError) as e: data_path('nope', kaggle_input=no_env/'k')
    for c in data_candidates('nope', kaggle_input=no_env/'k'): assert str(c) in str(e.value)

def test_output_dir_kaggle(no_env, monkeypatch):
    monkeypatch.setenv('KAGGLE_KERNEL_RUN_TYPE', 'Batch'); assert is_kaggle()
    monkeypatch.setattr(core, 'KAGGLE_WORKING', no_env/'working')
    assert output_dir() == no_env/'working' and output_dir('sub') == no_env/'working'/'sub'
    with pytest.raises(PermissionError, match='read-only'): output_dir('/kaggle/input/titanic/out')

def test_output_dir_unwritable(tmp_path):
    f = tmp_path/'afile'; f.write_text('x')
    with pytest.raises(PermissionError): output_dir(f/'sub')   # a file where a folder should be

def test_seed_makes_fits_identical():
    def fit():
        set_seed(7); m = torch.nn.Linear(3, 1); opt = torch.optim.SGD(m.parameters(), lr=0.1)
        x, y = torch.randn(64, 3), torch.randn(64, 1)
        for _ in range(5): opt.zero_grad(); torch.nn.functional.mse_loss(m(x), y).backward(); opt.step()
        return m.weight.detach().clone(), random.random(), np.random.rand()
    a, b = fit(), fit()
    assert torch.equal(a[0], b[0]) and a[1:] == b[1:]
