"fastflow callbacks: every hook is a fastai event (across all fastflow modules), misspelt hooks fail, bad input is refused."
import importlib, inspect, pkgutil
import pytest, torch
import fastflow
from fastai.callback.core import Callback, _events, event
from fastflow.callbacks import FFCallback, EarlyStopping, SaveBest, TimeBudget, AccumulateBatches, GradientAccumulation, RunLog

def _fastflow_callbacks():
    for m in pkgutil.walk_packages(fastflow.__path__, 'fastflow.'):
        mod = importlib.import_module(m.name)
        for _, c in inspect.getmembers(mod, inspect.isclass):
            if issubclass(c, Callback) and c.__module__.startswith('fastflow'): yield c

def test_every_hook_is_a_fastai_event():
    cbs = set(_fastflow_callbacks())
    assert {EarlyStopping, SaveBest, TimeBudget, AccumulateBatches, RunLog} <= cbs
    for c in cbs:
        assert issubclass(c, FFCallback), f"{c.__module__}.{c.__name__} must derive from fastflow.callbacks.FFCallback"
        for klass in c.__mro__:
            if not klass.__module__.startswith('fastflow'): continue
            for name, v in vars(klass).items():
                if callable(v) and name.startswith(('before_', 'after_')):
                    assert name in _events and hasattr(event, name), f"{klass.__name__}.{name} is not a fastai event"

@pytest.mark.parametrize('name', ['after_epcoh', 'before_fitt', 'after_batches', 'befor_batch'])
def test_misspelt_hook_fails_at_definition(name):
    with pytest.raises(TypeError, match='not a fastai event'):
        type('Bad', (FFCallback,), {name: lambda self: None})

def test_helpers_and_events_are_allowed():
    type('Ok', (FFCallback,), {'after_epoch': lambda self: None, '_after_helper': lambda self: None, 'summary': lambda self: None})

@pytest.mark.parametrize('make,msg', [
    (lambda: TimeBudget(-5), 'positive number of seconds'),
    (lambda: TimeBudget(float('nan')), 'positive number of seconds'),
    (lambda: TimeBudget('60'), 'positive number of seconds'),
    (lambda: EarlyStopping(patience=0), 'patience must be an integer >= 1'),
    (lambda: EarlyStopping(patience=-2), 'patience must be an integer >= 1'),
    (lambda: EarlyStopping(min_delta=-0.1), 'min_delta'),
    (lambda: EarlyStopping(monitor=None), 'monitor must be a column name'),
    (lambda: SaveBest(fname='a/b'), 'plain file name'),
    (lambda: AccumulateBatches(0), 'n_batches must be an integer >= 1'),
    (lambda: GradientAccumulation(2.5), 'n_batches must be an integer >= 1'),
])
def test_bad_input_at_construction(make, msg):
    with pytest.raises(ValueError, match=msg): make()

@pytest.mark.parametrize('cb', [EarlyStopping, SaveBest])
def test_unknown_monitor_names_the_choices(cb, tmp_path, monkeypatch):
    from fastai.test_utils import synth_learner
    monkeypatch.chdir(tmp_path)
    learn = synth_learner()
    with learn.no_bar(), learn.no_logging(), pytest.raises(ValueError, match=r"unknown monitor 'val_loss'.*'valid_loss'"):
        learn.fit(1, cbs=cb(monitor='val_loss'))

def test_runlog_non_tty_has_no_carriage_returns(tmp_path, capsys):
    from fastai.test_utils import synth_learner
    torch.manual_seed(0)
    learn = synth_learner()
    learn.fit(2, cbs=RunLog(tmp_path/'h.jsonl'))   # pytest captures stdout: not a terminal
    out = capsys.readouterr().out
    assert '\r' not in out and out.count('epoch ') == 2, out
    assert len((tmp_path/'h.jsonl').read_text().splitlines()) == 2
