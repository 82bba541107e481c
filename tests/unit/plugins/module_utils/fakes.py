# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test helpers for the module_utils unit tests: fake clock, fake tokens, example loader."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

from ansible_collections.cloudops.azure_backup.plugins.module_utils import _ids

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")

BASE = "https://management.azure.com"
SUB = "00000000-0000-0000-0000-000000000000"
VAULT = (
    "/subscriptions/%s/resourceGroups/SwaggerTestRg/providers/Microsoft.RecoveryServices/vaults/NetSDKTestRsVault" % SUB
)
VAULT_PATH = _ids.vault_path(SUB, "SwaggerTestRg", "NetSDKTestRsVault")


def load_example(relpath):
    """The parsed example file (``2025-08-01/Common/GetJobDetails.json``)."""
    with open(os.path.join(FIXTURES, relpath)) as handle:
        return json.load(handle)


def example_body(relpath, status="200"):
    return load_example(relpath)["responses"][status]["body"]


def example_headers(relpath, status="202"):
    return dict((k, str(v)) for k, v in load_example(relpath)["responses"][status]["headers"].items())


class FakeClock(object):
    """A monotonic clock whose sleep() advances it and records the waits. Nothing really sleeps."""

    def __init__(self, start=1000.0):
        self.now = float(start)
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        assert seconds >= 0, seconds
        self.sleeps.append(seconds)
        self.now += seconds

    def advance(self, seconds):
        self.now += seconds


class FakeTokens(object):
    """Token provider stand-in: token() gives tok-1, then tok-2 … after each token(force_refresh=True)."""

    def __init__(self):
        self.generation = 1
        self.refreshes = 0

    def token(self, force_refresh=False):
        if force_refresh:
            self.refreshes += 1
            self.generation += 1
        return "tok-%d" % self.generation
