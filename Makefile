# csocket - the two commands of the README, and the targets they use.
#   make demo   set up (venv, build, install) and run python -m csocket
#   make test   set up and run every test: C core tests, pytest suite,
#               conformance against test.test_socket, builds on the
#               other interpreters
PYTHON ?= python3
VENV   ?= .venv
VPY     = $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: demo test venv install ctest build-other clean

$(VPY):
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip
	$(VPY) -m pip install -q pytest setuptools wheel

venv: $(VPY)

install: venv
	CSOCKET_WERROR=1 $(VPY) -m pip install -q --no-build-isolation .

demo: install
	cd /tmp && $(CURDIR)/$(VPY) -m csocket

ctest:
	$(MAKE) -C tests/core check

build-other:
	tools/build_other.sh

test: install
	$(VPY) -m pytest -q -rs $(PYTEST_ARGS) tests

clean:
	rm -rf build dist src/*.egg-info $(VENV) tests/core/bin
	find . -name __pycache__ -prune -exec rm -rf {} +
