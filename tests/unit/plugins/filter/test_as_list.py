# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.cloudops.azure_backup.plugins.filter.as_list import FilterModule, as_list


@pytest.mark.parametrize(
    "given, expected",
    [
        ("vm-web-01,vm-web-02", ["vm-web-01", "vm-web-02"]),
        ("vm-web-01\nvm-web-02\n", ["vm-web-01", "vm-web-02"]),  # a survey's textarea
        ("vm-web-01\r\n vm-web-02 ,, \n", ["vm-web-01", "vm-web-02"]),  # Windows line ends, blanks, spaces
        ("  ", []),
        (None, []),
        (["vm-web-01", "vm-db-01,vm-db-02"], ["vm-web-01", "vm-db-01", "vm-db-02"]),
        ([{"name": "vm-web-01", "resource_group": "rg"}, None], [{"name": "vm-web-01", "resource_group": "rg"}]),
        ((), []),
    ],
)
def test_as_list(given, expected):
    assert as_list(given) == expected


@pytest.mark.parametrize("given", [42, {"vm": "x"}, 1.5])
def test_anything_else_is_refused_naming_the_type(given):
    with pytest.raises(AnsibleFilterError) as err:
        as_list(given)
    assert type(given).__name__ in str(err.value)


def test_the_filter_is_registered():
    assert FilterModule().filters()["as_list"] is as_list
