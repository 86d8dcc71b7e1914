# The Python pinned in .python-version (the one Vercel deploys); PY=... picks another.
PY ?= $(shell .ci/python)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench eval requirements lint format

$(BIN)/python:
	@test -n "$(PY)" || { echo "make: no Python for the venv (see above)" >&2; exit 1; }
	$(PY) -m venv $(VENV)

# Exactly what uv.lock pins (the lock Vercel installs from), plus the dev group.
$(STAMP): $(BIN)/python pyproject.toml uv.lock
	$(BIN)/python -m pip install -q uv==0.13.9
	UV_PYTHON_DOWNLOADS=never $(BIN)/uv sync -q --locked --python $(BIN)/python
	touch $(STAMP)

## The main job on the embedded store: pull today's announcements, write the digest, serve the feeds.
## With arXiv unreachable it serves the data an earlier run left (and says so); with none, it stops.
run: $(STAMP)
	$(BIN)/python -m cli refresh --allow-stale
	$(BIN)/python -m cli digest
	$(BIN)/python -m cli serve

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

## Ranking quality on real arXiv papers: keywords, TF-IDF, the embedder and hybrid; then the
## embedded models side by side (those not installed are skipped with a line saying so); then
## learning from votes: simulated readers on three corpora, and the same readers through the app.
eval: $(STAMP)
	$(BIN)/python -m benchmarks.eval
	$(BIN)/python -m benchmarks.models
	$(BIN)/python -m benchmarks.learning

## requirements.txt for pip users: uv.lock's runtime set, pinned (tests/test_requirements.py fails when it drifts).
## It lists every package the app needs, so `pip install --no-deps -r requirements.txt` installs exactly that set
## (without --no-deps pip also adds what wordllama and tokenizers declare; see pyproject.toml's [tool.uv]).
requirements: $(STAMP)
	$(BIN)/uv export --frozen --no-dev --no-hashes --no-emit-project --format requirements-txt --quiet -o requirements.txt

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .
