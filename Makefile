# srrepro — every command a researcher needs. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# torch==2.13.0 is the CPU build on the project machines (a local wheel) and the CUDA build from PyPI on a
# Linux GPU workstation; override for another build, e.g. `make setup TORCH_SPEC="torch==2.13.0 --index-url …"`.
TORCH_SPEC ?= torch==2.13.0
TABLE ?= bicubic
PROFILE ?= lite
DEVICE ?= auto
# extra arguments for `make lab`, e.g. LAB_ARGS="--no-browser --port 8888"
LAB_ARGS ?=
# Jupyter refuses to start as root without --allow-root (containers, the project machines): pass it there only.
LAB_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
# Data root: $SRREPRO_DATA if set, else ../shared/data when it exists (project machines), else ./data.
SRREPRO_DATA ?= $(if $(wildcard ../shared/data),$(abspath ../shared/data),$(abspath data))
export SRREPRO_DATA
# TABLE, PROFILE and DEVICE reach the recipes through the environment only ("$$TABLE"), never spliced into a shell
# line by make, and are checked against the registry (srrepro.preflight) before anything runs or is created.
export TABLE PROFILE DEVICE
CHECK := $(BIN)/python -m srrepro.preflight
export PYDEVD_DISABLE_FILE_VALIDATION=1

.PHONY: help setup test test-all reproduce render reproduce-all dry-run book clean-book notebooks lab bench gpu-check settle settle-budgets tweak-examples

help:
	@echo "make setup                     create $(VENV) and install srrepro (+ torch: $(TORCH_SPEC))"
	@echo "make test                      fast tests (make test-all: slow ones too)"
	@echo "make reproduce TABLE=id [PROFILE=smoke|lite|paper] [DEVICE=auto|cpu|cuda]"
	@echo "make dry-run TABLE=id PROFILE=paper   print the plan (runs, iterations, estimated time)"
	@echo "make render TABLE=id PROFILE=lite     re-run the notebook on the existing CSV (computes nothing)"
	@echo "make reproduce-all PROFILE=lite      every table"
	@echo "make book                      render results/ into book/_build/html (no training)"
	@echo "make publish [PUBLISH_REMOTE=origin]   push book/_build/html to the remote's gh-pages branch (ghp-import)"
	@echo "make bench [BENCH_ARGS=...]    srrepro vs the official code (clones in ./official or \$$SRREPRO_OFFICIAL) → results/bench/*.csv"
	@echo "make lab [LAB_ARGS=...]        JupyterLab on notebooks/ with the \"Python (srrepro)\" kernel: tweak a table"
	@echo "make notebooks                 write missing notebooks/<id>.ipynb (tools/make_notebooks.py --force: all)"
	@echo "make settle-budgets            seeds and iterations that would settle the ablations' claims → results/settle/"
	@echo "make settle TABLE=id           compute an ablation at its settle budget → results/settle/<id>.csv"
	@echo "make gpu-check [DEVICE=cuda]   CUDA paths in minutes (amp, DDP, CARN-M, pool, resume, GAN, data wait, memory)"
	@echo "data root: SRREPRO_DATA=$$SRREPRO_DATA"

setup:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install $(TORCH_SPEC)
	$(BIN)/python -m pip install -e ".[test]"
	# LPIPS's reference implementation, without its torchvision pin (srrepro supplies the one constructor it needs
	# where torchvision does not import; the weights come from the data root)
	$(BIN)/python -m pip install --no-deps lpips==0.1.4

# -n auto: one test worker per core (pytest-xdist); every test writes under its own tmp_path
test:
	$(BIN)/python -m pytest -q -n auto

test-all:
	$(BIN)/python -m pytest -q -n auto -m "slow or not slow"

# papermill runs the table's notebook (parameters: table, profile, device, data_root, recompute True) which
# writes results/$(PROFILE)/$(TABLE).csv; the executed notebook is kept beside it for the book. The notebook runs
# into a temporary file of its own; on failure the previous CSV and sidecar are put back (tools/run_notebook.py).
reproduce:
	@$(BIN)/python tools/run_notebook.py reproduce

# Re-execute a table's notebook on its existing CSV (no computation), e.g. after `srrepro reproduce` from the CLI.
render:
	@$(BIN)/python tools/run_notebook.py render

dry-run:
	@$(CHECK)
	@$(BIN)/srrepro reproduce "$$TABLE" --profile "$$PROFILE" --dry-run

# Every table's units in one pool first (each model trained once, longest first, one per GPU or core), then each
# table's notebook as `make reproduce` runs it, from the cached models and scores.
reproduce-all:
	@$(CHECK)
	@$(BIN)/srrepro reproduce --all --units-only --profile "$$PROFILE" --device "$$DEVICE"
	@for t in $$($(BIN)/srrepro list --ids); do $(MAKE) --no-print-directory reproduce TABLE="$$t" PROFILE="$$PROFILE" || exit 1; done

notebooks:
	$(BIN)/python tools/make_notebooks.py

# bf16/fp16 autocast and channels_last loss parity vs fp32, 2-process DDP with identical weights on every rank,
# official CARN-M on CUDA = CPU within 0.001 dB, tiled = whole-image inference, a throughput table
# → results/gpu_check/<UTC date>-<gpu>.csv and .md (a CPU run, DEVICE=cpu, writes to a temp dir).
gpu-check:
	$(BIN)/python tools/gpu_check.py --device "$$DEVICE" --data "$$SRREPRO_DATA"

# JupyterLab from $(VENV) on notebooks/, with this venv registered as the kernel "Python (srrepro)" (the
# notebooks store "python3", which in this JupyterLab is the same venv; papermill and jupyter-book use that).
lab:
	@test -x $(BIN)/jupyter-lab || { echo "no JupyterLab in $(VENV): run make setup"; exit 1; }
	$(BIN)/python -m ipykernel install --sys-prefix --name srrepro --display-name "Python (srrepro)"
	$(BIN)/jupyter lab notebooks/ $(LAB_ROOT) $(LAB_ARGS)

book:
	$(BIN)/python -m srrepro.book
	rm -rf book/_build  # a page removed from the toc must not linger as stale HTML
	$(BIN)/jupyter-book build book --quiet
	@echo "open book/_build/html/index.html"

# The built book onto the gh-pages branch of $(PUBLISH_REMOTE) (a remote name or URL), by hand; on GitHub the
# workflow .github/workflows/book.yml builds and deploys it on every push to main. --no-jekyll: GitHub Pages would
# otherwise hide the book's _static/ folder; --no-history --force: the branch holds only the latest build (its
# results bundles are megabytes: old builds must not pile up in the repository).
PUBLISH_REMOTE ?= origin
.PHONY: publish
publish:
	@test -f book/_build/html/index.html || { echo "no book/_build/html/index.html: run make book first"; exit 2; }
	$(BIN)/python -m ghp_import --no-jekyll --no-history --push --force --remote $(PUBLISH_REMOTE) --branch gh-pages \
	  --message "book built from $$(git describe --always --dirty)" book/_build/html

# srrepro beside the official CARN-M / OverNet / BasicSR code (imported from ./official or $SRREPRO_OFFICIAL, never
# committed; a missing clone is reported with its git clone line), plus matmul/conv/thread throughput, one process.
bench:
	$(BIN)/python -m srrepro.bench $(BENCH_ARGS)

# The card's ablations: what would settle each undecided trained claim (results/settle/budgets.csv, from the lite
# scores), then a table at that budget (results/settle/<id>.csv; resumable: models are cached in runs/).
settle-budgets:
	$(BIN)/python -m srrepro.power --write

settle:
	@test -n "$(TABLE)" || { echo "error: give TABLE=<id> (make settle TABLE=pcarn_t3)"; exit 2; }
	$(BIN)/python -m srrepro.power --run $(TABLE)

# The book's "Tweak a table" examples: notebooks run with overrides at smoke → results/tweaks/*.ipynb
tweak-examples:
	$(BIN)/python tools/tweak_examples.py

clean-book:
	rm -rf book/_build book/tables book/chapters book/_toc.yml book/_summary.md book/ledger.md book/summary_verdicts.png
