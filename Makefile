# Quick start: `make demo` (set up + run refcli on examples/), `make test` (set up + tests).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: setup system-deps demo test check lint bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

# pandoc (export acceptance test) from Debian's packages; skipped when present.
system-deps:
	@bash scripts/install-system-deps.sh

demo: setup
	@bash scripts/demo.sh

# Everything, as CI runs it (.ci/run).
test: setup system-deps lint
	$(BIN)/pytest

# The edit-run loop: the tests not marked slow, on every core (pytest-xdist); no lint,
# no system packages (tests needing pandoc or biber skip without them).
check: setup
	$(BIN)/pytest -m "not slow" -n auto

# ruff on everything; mypy on src/ (settings in pyproject.toml [tool.mypy]).
lint: setup
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/mypy

# refcli at 1k/10k/100k + floors (~15 min); peers are opt-in, e.g.
# make bench BENCH_ARGS="--peers pubs:1k:10k,papis:1k:10k"   (see benchmarks/README.md)
bench: setup
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache .mypy_cache
