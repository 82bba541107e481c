# -*- coding: utf-8 -*-
# Copyright: contributors to the cloudops.azure_backup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # How a protected virtual machine is selected.
    DOCUMENTATION = r'''
options:
  vm_name:
    description:
      - Name of the protected virtual machine.
      - Without O(vm_resource_group) the item is looked up by this name among the vault's protected
        items; the task fails with a clear message when no item or several items match.
      - Mutually exclusive with O(vm_id) and O(container_name).
    type: str
  vm_resource_group:
    description:
      - Resource group of the virtual machine given by O(vm_name). With it no lookup is needed.
    type: str
  vm_id:
    description:
      - Full ARM id of the virtual machine,
        C(/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Compute/virtualMachines/<name>).
    type: str
  container_name:
    description:
      - Backup container name as Azure Backup knows it, for example
        C(IaasVMContainer;iaasvmcontainerv2;<rg>;<vm>). Requires O(protected_item_name).
    type: str
  protected_item_name:
    description:
      - Protected item name as Azure Backup knows it, for example C(VM;iaasvmcontainerv2;<rg>;<vm>).
        Requires O(container_name).
    type: str
'''
