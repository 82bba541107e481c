# cloudops.azure_backup: development entry points. The work is done by small scripts in tests/utils/.
#   make demo         set everything up, run playbooks/backup_and_wait.yml against the emulator
#   make test         set everything up, run sanity + units + integration + lint on both lines (PY ignored)
#   make sanity|units|integration|lint [PY=3.11|3.13]   one stage (default: both lines)
#   make emulator     run the emulator in the foreground (Ctrl-C stops it)
#   make setup | build | clean
# Variables: PY, EMULATOR_TIME_SCALE (tests, make emulator; 600), DEMO_TIME_SCALE (120), EMULATOR_PORT (8443).
# Lines: PY=3.11 is .venv (Python 3.11, ansible-core 2.19); PY=3.13 is .venv-3.13 (newest ansible-core).

SHELL := /bin/bash
.DEFAULT_GOAL := help

PY ?=
LINES := $(if $(PY),$(PY),3.11 3.13)
EMULATOR_TIME_SCALE ?= 600
DEMO_TIME_SCALE ?= 120
EMULATOR_PORT ?= 8443

.PHONY: help setup demo test sanity units integration lint emulator build clean

help:
	@sed -n '/^$$/q; s/^# \{0,1\}//p' Makefile

setup:
	@tests/utils/setup.sh

demo: setup
	@tests/utils/with-emulator.sh --time-scale $(DEMO_TIME_SCALE) -- tests/utils/demo.sh

test: setup
	@LINES="3.11 3.13" EMULATOR_TIME_SCALE=$(EMULATOR_TIME_SCALE) tests/utils/run.sh sanity units integration lint

sanity units integration lint: setup
	@LINES="$(LINES)" EMULATOR_TIME_SCALE=$(EMULATOR_TIME_SCALE) tests/utils/run.sh $@

emulator: setup
	.venv/bin/azure-backup-emulator serve --host 127.0.0.1 --port $(EMULATOR_PORT) \
		--workdir .cache/emulator --time-scale $(EMULATOR_TIME_SCALE)

build: setup
	@tests/utils/build.sh

clean:
	rm -rf .venv .venv-3.13 .cache .ansible tests/output tests/integration/cloud-config-azure.ini
