# -*- coding: utf-8 -*-
# Copyright: contributors to the cloudops.azure_backup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: as_list
short_description: A list from a list, or from the text an AWX survey gives (comma- or newline-separated)
version_added: 0.1.0
description:
  - Survey answers arrive as text; runbook and role inputs that are lists accept C("vm-web-01,vm-web-02"),
    one name per line, or a real list. This filter turns any of them into a list of its items, each stripped
    of surrounding white space, empty items left out.
  - Items of a list that are not text (a dict naming a VM and its resource group, for example) are kept as
    they are; text items of a list are split too.
author:
  - cloudops.azure_backup maintainers (@cloudops-azure-backup)
options:
  _input:
    description: A list, a comma- or newline-separated text, or nothing.
    type: raw
    required: true
'''

EXAMPLES = r'''
- name: Back up the VMs a survey names
  cloudops.azure_backup.azure_backup_trigger:
    vm_name: "{{ item }}"
  loop: "{{ survey_vms | cloudops.azure_backup.as_list }}"
  vars:
    survey_vms: "vm-web-01, vm-web-02\nvm-db-01"
'''

RETURN = r'''
_value:
  description: The items, in order.
  type: list
  elements: raw
'''

import re

from ansible.errors import AnsibleFilterError

_SEPARATORS = re.compile(r'[,\r\n]+')


def _split(text):
    return [part.strip() for part in _SEPARATORS.split(text) if part.strip()]


def as_list(value):
    if value is None:
        return []
    if isinstance(value, str):
        return _split(value)
    if isinstance(value, (list, tuple)):
        items = []
        for item in value:
            if isinstance(item, str):
                items.extend(_split(item))
            elif item is not None:
                items.append(item)
        return items
    raise AnsibleFilterError(
        'as_list: expected a list or a comma- or newline-separated text, got %s %r' % (type(value).__name__, value)
    )


class FilterModule(object):
    def filters(self):
        return {'as_list': as_list}
