# cnid-ocr: the README's two commands are `make serve` and `make test`; each sets up what it needs first.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
FONTS   = fonts-wqy-microhei fonts-wqy-zenhei fonts-noto-cjk fonts-arphic-ukai fonts-arphic-uming fonts-ocr-b

.PHONY: serve test lint setup fonts node-examples

# The local API on http://127.0.0.1:8000 with an embedded DynamoDB and a printed development key.
serve: $(BIN)/.installed
	$(BIN)/cnid-ocr serve --host 127.0.0.1 --port 8000

# Everything the tests need, then the whole suite (lint, template checks, unit, API, OCR, CLI, deploy tests).
test: setup
	$(BIN)/ruff check handler tests tools
	$(BIN)/cfn-lint template.yaml
	$(BIN)/python -m pytest -q

lint: $(BIN)/.installed
	$(BIN)/ruff check handler tests tools
	$(BIN)/cfn-lint template.yaml

setup: $(BIN)/.installed fonts node-examples

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# Free CJK and OCR-B fonts (Debian packages) for the card generator used by tests and benchmarks.
fonts:
	@if [ ! -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || [ ! -f /usr/share/fonts/opentype/ocr-b/OCRB.otf ]; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends $(FONTS) >/dev/null; \
	fi

# The seed's Node.js example needs axios and form-data; skipped where node is absent (its test skips too).
node-examples:
	@if command -v npm >/dev/null 2>&1 && [ ! -d examples/node_modules ]; then \
		npm install --prefix examples --no-audit --no-fund --silent; \
	fi
