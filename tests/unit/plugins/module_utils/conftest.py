# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared fixtures for the module_utils unit tests: fake clock, fake tokens, example loader."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.cloudops.azure_backup.tests.unit.plugins.module_utils.fakes import FakeClock, FakeTokens


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def tokens():
    return FakeTokens()
