# Two commands on a fresh clone: `make demo` and `make test`. Both create .venv if it is missing.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# torch/torchvision pinned for the dev environment only (the package itself accepts any recent torch)
TORCH_PINS ?= torch==2.14.1 torchvision==0.29.1
STAMP  := $(VENV)/.installed

.PHONY: install demo test sync lint nbtest pytest pytest-distributed docs docs-deps docscheck bench clean

install: $(STAMP)

$(STAMP): pyproject.toml Makefile
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3,11), "fastflow needs Python >= 3.11, found " + sys.version' 
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q $(TORCH_PINS)
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $(STAMP)

demo: install
	$(BIN)/fastflow demo --out out/demo

# Notebooks are the source: cleaning and exporting them must change nothing that is committed.
sync: install
	$(BIN)/nbdev-clean
	$(BIN)/nbdev-export
	$(BIN)/python .ci/readme.py
	git diff --exit-code -- nbs fastflow README.md || (echo "notebooks and generated files disagree: run 'make sync' and commit the result" && exit 1)
	@test -z "$$(git status --porcelain -- fastflow)" || (git status --porcelain -- fastflow; echo "nbdev-export made untracked files under fastflow/: commit them" && exit 1)

lint: install
	$(BIN)/ruff check --select F fastflow tests kaggle bench

nbtest: install
	$(BIN)/nbdev-test --n-workers 2 --timing

pytest: install
	$(BIN)/python -m pytest -q -p no:cacheprovider

# The optional `distributed` extra's test (xgboost.dask on a LocalCluster): Dask is in the dev extra, but pyarrow (which
# dask.dataframe needs) would turn pandas 3 strings Arrow-backed for every other test, so it lives in a side folder
# put on PYTHONPATH for this run only.
PYARROW_EXTRA := $(VENV)/pyarrow-extra
$(PYARROW_EXTRA)/.installed: $(STAMP)
	$(BIN)/python -m pip install -q --no-deps --upgrade --target $(PYARROW_EXTRA) pyarrow
	touch $@

pytest-distributed: $(PYARROW_EXTRA)/.installed
	FASTFLOW_REQUIRE_DASK=1 PYTHONPATH=$(PYARROW_EXTRA) $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_train_distributed.py -k dask

test: sync lint nbtest docscheck pytest-distributed pytest

docs: install
	$(BIN)/python .ci/docs.py build

# headless Chromium for tests/test_docs_site.py (Debian package; apt only when it is missing)
docs-deps:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
	  (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium)

# the site builds with warnings as errors; every module has a page; links, anchors and images resolve; nothing from a CDN
docscheck: install docs-deps
	$(BIN)/python .ci/docs.py check

bench: install
	for f in bench/*.py; do $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) _proc _docs site out
