# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""For every unit test: a time limit, so that a wait that never ends fails the suite instead of hanging it.

pytest-timeout is required (tests/unit/requirements.txt): without it this file fails the run rather
than silently dropping the limit."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
import pytest_timeout  # noqa: F401  pylint: disable=unused-import

# No unit test sleeps or reaches the network: seconds are plenty, even on a loaded CI machine.
TEST_TIMEOUT = 60


@pytest.fixture(autouse=True)
def no_discovery_cache(monkeypatch):
    """Discovery documents are not kept between tests (tests of the cache give it a directory of their own)."""
    monkeypatch.setenv("AZURE_BACKUP_CACHE_DIR", "")


def pytest_collection_modifyitems(items):
    for item in items:
        if item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(TEST_TIMEOUT, method="signal"))
