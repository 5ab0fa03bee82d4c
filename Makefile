# cnid-ocr: the README's two commands are `make serve` and `make test`; each sets up what it needs first.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
FONTS   = fonts-wqy-microhei fonts-wqy-zenhei fonts-noto-cjk fonts-arphic-ukai fonts-arphic-uming fonts-ocr-b

# Everything ruff formats and checks.
PY_PATHS = handler tests tools events layers
# The Lambda runtime's Python version (template.yaml: Runtime); tools/build.mk finds its interpreter, RUNTIME_PYTHON.
PY ?= 3.12
include tools/build.mk
export RUNTIME_PYTHON WHEELHOUSE
# The AWS SAM CLI, in a venv of its own: its pins (boto3, cfn-lint, ...) would fight the dev dependencies'.
SAM_VENV ?= .venv-sam
SAM = $(SAM_VENV)/bin/sam
SAM_CLI_VERSION = 1.170.0

.PHONY: serve test check lint setup fonts browser node-examples sam-cli sam-build

# The local API on http://127.0.0.1:8000 with an embedded DynamoDB and a printed development key.
serve: $(BIN)/.installed
	$(BIN)/cnid-ocr serve --host 127.0.0.1 --port 8000

# Everything the tests need, then the lint step and the whole suite (unit, API, OCR, CLI, deploy tests; the deploy
# tests run `sam build` on template.yaml and check what it built).
test: setup lint
	$(BIN)/python -m pytest -q

# The edit loop, under a minute: the lint step, then the tests that need no OCR model, layer or build (those are
# marked `models`; tests/conftest.py marks every test that uses the real reader). The page's browser tests are among
# them: chromium is installed first if missing.
check: lint browser
	$(BIN)/python -m pytest -q -n auto -m "not models and not slow"

# Lint, format and type checks, and the template (cfn-lint runs the SAM transform offline).
lint: $(BIN)/.installed
	$(BIN)/ruff check $(PY_PATHS)
	$(BIN)/ruff format --check $(PY_PATHS)
	$(BIN)/mypy
	$(BIN)/cfn-lint template.yaml

setup: $(BIN)/.installed fonts browser node-examples sam-cli

sam-cli: $(SAM_VENV)/.installed
$(SAM_VENV)/.installed: Makefile
	$(PYTHON) -m venv $(SAM_VENV)
	@echo "pip install aws-sam-cli==$(SAM_CLI_VERSION) into $(SAM_VENV) (wheelhouse: $(WHEELHOUSE))"
	@$(call pip_cached,$(SAM_VENV)/bin/python,--quiet aws-sam-cli==$(SAM_CLI_VERSION),)
	@test -n "$(RUNTIME_PYTHON)" || echo "warning: python$(PY) not found: sam build needs it (template.yaml's runtime)" >&2
	touch $@

# `sam build` (no container) as the README's deploy section runs it: the function (handler/ + requirements.txt,
# arm64 wheels) and the OCR layer (layers/ocr/Makefile) into .aws-sam/build, with python$(PY) on PATH.
sam-build: $(SAM_VENV)/.installed
	PATH="$(dir $(RUNTIME_PYTHON)):$$PATH" SAM_CLI_TELEMETRY="$${SAM_CLI_TELEMETRY:-0}" $(SAM) build --template template.yaml

# The project with its dev extra, and the card generator (tools/cardgen: a distribution of its own, not in the
# product's wheel) for the tests and benchmarks.
$(BIN)/.installed: pyproject.toml tools/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]' -e ./tools
	touch $@

# Free CJK and OCR-B fonts (Debian packages) for the card generator used by tests and benchmarks.
fonts:
	@if [ ! -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || [ ! -f /usr/share/fonts/opentype/ocr-b/OCRB.otf ]; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends $(FONTS) >/dev/null; \
	fi

# Headless Chromium (Debian package) for the tests that load /docs and the page to try it in a real browser with no
# internet (tests/security/test_docs_offline.py, tests/web/; Playwright drives it, never downloading a browser).
browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	fi

# The seed's Node.js example needs axios and form-data; skipped where node is absent (its test skips too).
node-examples:
	@if command -v npm >/dev/null 2>&1 && [ ! -d examples/node_modules ]; then \
		npm install --prefix examples --no-audit --no-fund --silent; \
	fi

# docs/page.png: the page to try it, with a generated card read by a real `cnid-ocr serve`, in headless Chromium.
.PHONY: screenshot
screenshot: $(BIN)/.installed fonts browser
	$(BIN)/python tools/page_screenshot.py

# ---- Deployment: the OCR layer and local invokes (see layers/ocr/Makefile, tools/invoke.py) ----
ARCH ?= arm64
.PHONY: layer layer-size events invoke

# The Lambda layer for ARCH/PY (pinned wheels, pruned), then the function + layer size check (fails over the limit).
# Needs only python3 with pip (wheels are fetched for the target platform, nothing is compiled).
layer:
	$(MAKE) -C layers/ocr size ARCH=$(ARCH) PY=$(PY) PYTHON=$(PYTHON)

layer-size: layer

# Regenerate the API Gateway (HTTP API, payload 2.0) events in events/ from generated card images.
events: $(BIN)/.installed
	$(BIN)/python events/make_events.py

# What `sam local invoke -e EVENT` does, without Docker: make invoke EVENT=events/front-card.json [ARGS='--api-key K']
EVENT ?= events/front-card.json
invoke: $(BIN)/.installed
	$(BIN)/python tools/invoke.py $(EVENT) $(ARGS)

# Accuracy benchmark (issue 3): BENCH_N synthetic card images (fixed seed) through the real pipeline; prints
# per-field and whole-card exact-match accuracy, time per image and the worst errors. Options: see
# `python tools/bench_accuracy.py --help` (e.g. --only stamp, --save DIR, --json FILE); pass them in BENCH_ARGS.
BENCH_N    ?= 300
BENCH_SEED ?= 1234
BENCH_ARGS ?=
.PHONY: bench-accuracy
bench-accuracy: $(BIN)/.installed fonts
	$(BIN)/python tools/bench_accuracy.py --n $(BENCH_N) --seed $(BENCH_SEED) $(BENCH_ARGS)

# Card warnings (issue 13): WARN_N photos made with each card defect (cut off or covered, strong blur, strong
# glare) and 2 x WARN_N made without one forced; prints each warning's precision and recall (about 4 minutes).
# The seed is one no threshold was chosen on (README, card warnings).
WARN_N    ?= 40
WARN_SEED ?= 9001
.PHONY: bench-warnings
bench-warnings: $(BIN)/.installed fonts
	$(BIN)/python tools/bench_accuracy.py --warnings $(WARN_N) --seed $(WARN_SEED) --worst 0 $(BENCH_ARGS)

# Accuracy on real images (issue 10): the development set in ../shared/realdata, or REAL=folder with a truth.jsonl.
# Prints per-field accuracy, images all right and every miss; says so (exit 2) when the folder is absent.
# REAL_ARGS=--redact prints misses without their values (for results kept in the repository). bench-real-variants
# also reads each image turned, scaled, tilted, re-compressed, blurred, dimmed, noisy (tools/bench_real.py).
REAL ?= ../shared/realdata
REAL_ARGS ?=
.PHONY: bench-real bench-real-variants
bench-real: $(BIN)/.installed
	$(BIN)/python tools/bench_real.py $(REAL) $(REAL_ARGS)

bench-real-variants: $(BIN)/.installed
	$(BIN)/python tools/bench_real.py $(REAL) --variants $(REAL_ARGS)

# ---- Performance (issues 5, 11): cold start, warm p50/p95, memory and a soak, ours vs plain RapidOCR 1.4.4 (in a venv
# of its own, made once under ~/.cache/cnid-ocr/bench-perf), plus accuracy; on 2 cores and on one core pinned
# (taskset), both engines alike. Writes bench-results/perf-<date>.md/.json; `python tools/bench_perf.py --help` for
# the options (PERF_ARGS, e.g. '--cores 1', '--baseline-soak 200', '--tag NAME').
# Quick check (a few minutes): make bench SOAK=0 PERF_ARGS='--n 8 --cold-runs 1'; pipeline settings as ReaderOptions /
# EngineOptions fields: PERF_ARGS='--levers all' (or '--levers det640,threads1', or a JSON object of levers).
SOAK      ?= 1000
PERF_ARGS ?=
.PHONY: bench
bench: $(BIN)/.installed fonts
	$(BIN)/python tools/bench_perf.py --soak $(SOAK) $(PERF_ARGS)
