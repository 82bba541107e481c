# -*- coding: utf-8 -*-
# Copyright: contributors to the cloudops.azure_backup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The Recovery Services vault a module works on.
    DOCUMENTATION = r'''
options:
  resource_group:
    description:
      - Resource group of the Recovery Services vault.
      - Falls back to E(AZURE_BACKUP_RESOURCE_GROUP).
    type: str
  vault_name:
    description:
      - Name of the Recovery Services vault.
      - Falls back to E(AZURE_BACKUP_VAULT_NAME).
    type: str
'''
