# -*- coding: utf-8 -*-
# Copyright: contributors to the cloudops.azure_backup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every module's documentation promises, against what the modules do (DESIGN §3: facts)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib
import os

import pytest
import yaml

MODULES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "plugins", "modules")
NAMES = sorted(name[:-3] for name in os.listdir(MODULES) if name.startswith("azure_backup_") and name.endswith(".py"))
PACKAGE = "ansible_collections.cloudops.azure_backup.plugins.modules."


def returns(name):
    return yaml.safe_load(importlib.import_module(PACKAGE + name).RETURN) or {}


def test_every_module_is_seen():
    assert len(NAMES) >= 10


@pytest.mark.parametrize("name", [n for n in NAMES if n.endswith("_info")])
def test_info_modules_document_no_facts(name):
    # an _info module returns data and sets no ansible_facts: its documentation must not promise any
    assert "ansible_facts" not in returns(name)


@pytest.mark.parametrize("name", ["azure_backup_job_wait", "azure_backup_trigger", "azure_backup_restore"])
def test_waiting_modules_document_their_facts(name):
    facts = returns(name)["ansible_facts"]["contains"]
    assert set(facts) == {"azure_backup_job", "azure_backup_jobs"}
