# Included by Makefile and layers/ocr/Makefile: the wheelhouse (pip installs that survive clean checkouts) and the
# runtime's Python.
#
# pip's own HTTP cache does not help here: on these machines its responses are not stored, so every clean build
# would download the layer's ~100 MB of wheels again. The wheelhouse lives under the user's cache dir; an install
# reads only the wheelhouse (no index), and on a miss (the first run, changed pins) downloads into it, then installs.
WHEELHOUSE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/cnid-ocr/wheels

# $(call pip_cached,PYTHON,ARGS,INSTALL_ARGS): ARGS are shared by `pip download` and `pip install` (requirements,
# platform flags, --no-deps ...); INSTALL_ARGS only go to `pip install` (--target, --no-compile ...).
pip_cached = $(1) -m pip install --no-index --find-links $(WHEELHOUSE) $(2) $(3) >/dev/null 2>&1 || \
	{ mkdir -p $(WHEELHOUSE) && $(1) -m pip download --quiet --dest $(WHEELHOUSE) $(2) && \
	  $(1) -m pip install --no-index --find-links $(WHEELHOUSE) $(2) $(3); }

# The Lambda runtime's Python, python$(PY) (PY must be set before this file is included): it compiles the layer's
# bytecode, runs sam build's pip and the built handler in the tests. pyenv's python$(PY) shim only runs when that
# version is selected, so pyenv is asked for the interpreter's real path first.
ifndef RUNTIME_PYTHON
RUNTIME_PYTHON := $(shell v=$$(pyenv versions --bare 2>/dev/null | grep -x '$(PY)\.[0-9]*' | tail -1); \
	if [ -n "$$v" ]; then PYENV_VERSION=$$v pyenv which python$(PY); else command -v python$(PY); fi 2>/dev/null)
endif
