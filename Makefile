# csocket - the two commands of the README, and the targets they use.
#   make demo   set up (venv, build, install) and run python -m csocket
#   make test   set up and run every test: C core tests, the pytest suite
#               (behaviour, conformance on 3.11 and 3.13, hardening, other
#               interpreters' builds), the suite again under ASan/UBSan,
#               a bounded libFuzzer run of the core's parsers, and the
#               reference-leak run on Debian's debug interpreter
# Other targets: bench (python -m csocket bench), sanitize, fuzz,
# fuzz-long (the long fuzz run), refleaks (debug interpreter: Debian's
# python3.11-dbg, python3.11-dev, libpython3.11-testsuite), leaks-long
# (10x leak loops),
# check (pytest only), clean.  docs/HARDENING.md describes them.
PYTHON ?= python3
VENV   ?= .venv
VPY     = $(VENV)/bin/python
PYTEST_ARGS ?=
# Debian packages the full test run needs: clang and its libFuzzer
# runtime (fuzzing), iproute2 and iptables (the network-namespace fault
# tests; they skip with the reason printed where these are missing), the
# debug interpreter with its headers and test suite (refleaks).
DEB_PKGS = clang-14 libclang-rt-14-dev iproute2 iptables python3.11-dbg \
           python3.11-dev libpython3.11-testsuite

.PHONY: demo test check venv install deps ctest build-other bench \
        sanitize fuzz fuzz-long refleaks leaks-long clean

$(VPY):
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip
	$(VPY) -m pip install -q pytest setuptools wheel

venv: $(VPY)

install: venv
	CSOCKET_WERROR=1 $(VPY) -m pip install -q --no-build-isolation .

# System packages, installed only when missing (root, as on CI).
deps:
	@missing=""; for p in $(DEB_PKGS); do \
	    dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -q && apt-get install -y -q $$missing; fi

demo: install
	cd /tmp && $(CURDIR)/$(VPY) -m csocket

ctest:
	$(MAKE) -C tests/core check

build-other:
	tools/build_other.sh

check: install
	$(VPY) -m pytest -q -rs $(PYTEST_ARGS) tests

sanitize: install
	PYTHON=$(CURDIR)/$(VPY) tools/sanitize.sh

fuzz: deps
	$(MAKE) -C fuzz ci

fuzz-long: deps
	$(MAKE) -C fuzz long

refleaks: deps
	tools/refleaks.sh

leaks-long: install
	CSOCKET_LEAK_SCALE=10 $(VPY) -m pytest -q -s tests/test_leaks_long.py

test: deps check sanitize fuzz refleaks

bench: install
	$(VPY) -m csocket bench

clean:
	rm -rf build dist src/*.egg-info $(VENV) .venv-* tests/core/bin
	find . -name __pycache__ -prune -exec rm -rf {} +
