# cloudops.azure_backup: development entry points. The work is done by small scripts in tests/utils/.
#   make demo         set up what the demo needs (one Python 3.10+), run the flagship runbooks against the emulator
#   make test         set everything up, run sanity + units + integration + lint on both lines (PY ignored),
#                     then docs, package and a smoke run of each benchmark
#   make sanity|units|integration|lint [PY=3.11|3.13]   one stage (default: both lines)
#   make package      build the tarball, check it, install it alone, run ansible-builder create on it
#   make docs         build the HTML docs site offline (antsibull-docs, Sphinx -W) into .cache/docs/html, check it in Chromium
#   make emulator     run the emulator in the foreground at a pace a person can follow (Ctrl-C stops it)
#   make setup | build | clean
# Variables: PY, EMULATOR_TIME_SCALE (tests; 600), DEMO_TIME_SCALE (120), WATCH_TIME_SCALE (make emulator; 10),
#   EMULATOR_PORT (8443).
# Lines: PY=3.11 is .venv (Python 3.11, ansible-core 2.19); PY=3.13 is .venv-3.13 (newest ansible-core).

SHELL := /bin/bash
.DEFAULT_GOAL := help

PY ?=
LINES := $(if $(PY),$(PY),3.11 3.13)
EMULATOR_TIME_SCALE ?= 600
DEMO_TIME_SCALE ?= 120
WATCH_TIME_SCALE ?= 10
EMULATOR_PORT ?= 8443

.PHONY: help setup demo test sanity units integration lint package docs emulator build clean

help:
	@sed -n '/^$$/q; s/^# \{0,1\}//p' Makefile

setup:
	@tests/utils/setup.sh

demo:
	@tests/utils/setup.sh --demo
	@tests/utils/with-emulator.sh --time-scale $(DEMO_TIME_SCALE) -- tests/utils/demo.sh

test: setup
	@LINES="3.11 3.13" EMULATOR_TIME_SCALE=$(EMULATOR_TIME_SCALE) tests/utils/run.sh sanity units integration lint docs package benchmarks

sanity units integration lint: setup
	@LINES="$(LINES)" EMULATOR_TIME_SCALE=$(EMULATOR_TIME_SCALE) tests/utils/run.sh $@

package: setup
	@tests/utils/run.sh package

docs: setup
	@tests/utils/run.sh docs

emulator:
	@tests/utils/setup.sh --demo
	@echo "emulator: https://127.0.0.1:$(EMULATOR_PORT), $(WATCH_TIME_SCALE) times faster than Azure (a backup takes about 2 minutes)."
	@echo "emulator: point a shell at it with:  . .cache/emulator/env.sh"
	@echo "emulator: then, for example:  .venv/bin/ansible-playbook cloudops.azure_backup.backup_and_wait -e backup_vms=vm-web-01"
	.venv/bin/azure-backup-emulator serve --host 127.0.0.1 --port $(EMULATOR_PORT) \
		--workdir .cache/emulator --time-scale $(WATCH_TIME_SCALE)

build: setup
	@tests/utils/build.sh

clean:
	rm -rf .venv .venv-3.13 .cache .ansible tests/output tests/integration/cloud-config-azure.ini
