# -*- coding: utf-8 -*-
# Copyright: contributors to the cloudops.azure_backup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""In front of the azure_backup_restored_resources module: runs it in the controller when the task is local (plugin_utils/_action.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cloudops.azure_backup.plugins.plugin_utils._action import AzureBackupAction


class ActionModule(AzureBackupAction):
    pass
