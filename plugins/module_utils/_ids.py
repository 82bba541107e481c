# -*- coding: utf-8 -*-
# Copyright (c) cloudops.azure_backup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ARM path/id builders and parsers (pure functions). Internal to this collection; not a public API.

Paths are returned *unquoted*; the client quotes every segment when it builds a URL. Fixed
segments are matched case-insensitively (Azure returns ``/Subscriptions/`` in bodies)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from collections import namedtuple

from ansible_collections.cloudops.azure_backup.plugins.module_utils._errors import ValidationError

PROVIDER = "Microsoft.RecoveryServices"
COMPUTE_PROVIDER = "Microsoft.Compute"
FABRIC = "Azure"
IAASVM_CONTAINER_PREFIX = "IaasVMContainer;iaasvmcontainerv2"
IAASVM_ITEM_PREFIX = "VM;iaasvmcontainerv2"

GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

JobRef = namedtuple("JobRef", ["job_id", "subscription_id", "resource_group", "vault_name"])

_JOB_FORMS = (
    "a job GUID (e.g. 41f3e94b-ae6b-4a20-b422-65abfcaf03e5) or a job ARM id "
    "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/"
    "Microsoft.RecoveryServices/vaults/{vault}/backupJobs/{job_guid}"
)
_VM_FORM = "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/Microsoft.Compute/virtualMachines/{vm_name}"
_VAULT_FORM = (
    "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/Microsoft.RecoveryServices/vaults/{vault}"
)
_ITEM_FORM = _VAULT_FORM + "/backupFabrics/Azure/protectionContainers/{container}/protectedItems/{item}"
_RP_FORM = _ITEM_FORM + "/recoveryPoints/{recovery_point}"


def is_guid(value):
    return isinstance(value, str) and bool(GUID_RE.match(value.strip()))


def _segments(value):
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value.startswith("/"):
        return None
    segs = value.strip("/").split("/")
    if any(not s for s in segs):
        return None
    return segs


def _match(segs, pattern):
    """Match ``segs`` against ``pattern`` (fixed strings compared case-insensitively, ``None`` = capture).
    Returns the captured values or None."""
    if segs is None or len(segs) != len(pattern):
        return None
    captured = []
    for seg, pat in zip(segs, pattern):
        if pat is None:
            captured.append(seg)
        elif seg.lower() != pat.lower():
            return None
    return captured


_VAULT_PATTERN = ["subscriptions", None, "resourceGroups", None, "providers", PROVIDER, "vaults", None]
_ITEM_PATTERN = _VAULT_PATTERN + ["backupFabrics", None, "protectionContainers", None, "protectedItems", None]
_RP_PATTERN = _ITEM_PATTERN + ["recoveryPoints", None]
_JOB_PATTERN = _VAULT_PATTERN + ["backupJobs", None]
_VM_PATTERN = ["subscriptions", None, "resourceGroups", None, "providers", COMPUTE_PROVIDER, "virtualMachines", None]
_POLICY_PATTERN = _VAULT_PATTERN + ["backupPolicies", None]


# ----------------------------------------------------------------------------- builders


def vault_path(subscription_id, resource_group, vault_name):
    """``/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.RecoveryServices/vaults/{vault}``"""
    return "/subscriptions/%s/resourceGroups/%s/providers/%s/vaults/%s" % (
        subscription_id,
        resource_group,
        PROVIDER,
        vault_name,
    )


def vm_id(subscription_id, resource_group, vm_name):
    """ARM id of a virtual machine."""
    return "/subscriptions/%s/resourceGroups/%s/providers/%s/virtualMachines/%s" % (
        subscription_id,
        resource_group,
        COMPUTE_PROVIDER,
        vm_name,
    )


def iaasvm_container_name(vm_resource_group, vm_name):
    return "%s;%s;%s" % (IAASVM_CONTAINER_PREFIX, vm_resource_group, vm_name)


def iaasvm_item_name(vm_resource_group, vm_name):
    return "%s;%s;%s" % (IAASVM_ITEM_PREFIX, vm_resource_group, vm_name)


def item_path(vault_path, container_name, item_name):
    return "%s/backupFabrics/%s/protectionContainers/%s/protectedItems/%s" % (
        vault_path.rstrip("/"),
        FABRIC,
        container_name,
        item_name,
    )


def recovery_point_path(item_path, recovery_point_id):
    return "%s/recoveryPoints/%s" % (item_path.rstrip("/"), recovery_point_id)


def job_path(vault_path, job_id):
    return "%s/backupJobs/%s" % (vault_path.rstrip("/"), job_id)


def jobs_path(vault_path):
    return "%s/backupJobs" % vault_path.rstrip("/")


def policy_path(vault_path, policy_name):
    return "%s/backupPolicies/%s" % (vault_path.rstrip("/"), policy_name)


# ----------------------------------------------------------------------------- parsers


def parse_job_ref(value, option="job_ids"):
    """A job GUID or a full job ARM id -> JobRef(job_id, subscription_id, resource_group, vault_name)."""
    if isinstance(value, str):
        text = value.strip()
        if GUID_RE.match(text):
            return JobRef(text, None, None, None)
        found = _match(_segments(text), _JOB_PATTERN)
        if found and GUID_RE.match(found[3]):
            return JobRef(found[3], found[0], found[1], found[2])
    raise ValidationError("Invalid job reference %r in %s: expected %s." % (value, option, _JOB_FORMS), option=option)


def parse_vault_id(value, option="vault_id"):
    """Vault ARM id -> dict(subscription_id, resource_group, vault_name)."""
    found = _match(_segments(value), _VAULT_PATTERN)
    if not found:
        raise ValidationError("Invalid vault id %r in %s: expected %s." % (value, option, _VAULT_FORM), option=option)
    return dict(subscription_id=found[0], resource_group=found[1], vault_name=found[2])


def parse_vm_id(value, option="vm_id"):
    """VM ARM id -> (subscription_id, resource_group, vm_name)."""
    found = _match(_segments(value), _VM_PATTERN)
    if not found:
        raise ValidationError(
            "Invalid virtual machine id %r in %s: expected %s." % (value, option, _VM_FORM), option=option
        )
    return found[0], found[1], found[2]


def parse_item_id(value, option="protected_item_id"):
    """Protected item ARM id -> dict(subscription_id, resource_group, vault_name, container_name, item_name)."""
    found = _match(_segments(value), _ITEM_PATTERN)
    if not found:
        raise ValidationError(
            "Invalid protected item id %r in %s: expected %s." % (value, option, _ITEM_FORM), option=option
        )
    return dict(
        subscription_id=found[0],
        resource_group=found[1],
        vault_name=found[2],
        container_name=found[4],
        item_name=found[5],
    )


def item_names(value):
    """(container_name, item_name) from any id with ``…/protectionContainers/{c}/protectedItems/{i}``, or (None, None).

    Lists such as BackupProtectedItems_List may leave out the ``backupFabrics/Azure`` segment."""
    segs = _segments(value) if isinstance(value, str) else None
    segs = segs or []
    lowered = [seg.lower() for seg in segs]
    for index in range(len(segs) - 3):
        if lowered[index] == "protectioncontainers" and lowered[index + 2] == "protecteditems":
            return segs[index + 1], segs[index + 3]
    return None, None


def parse_recovery_point_id(value, option="recovery_point_id"):
    """Recovery point ARM id -> dict(subscription_id, resource_group, vault_name, container_name, item_name,
    recovery_point_id)."""
    found = _match(_segments(value), _RP_PATTERN)
    if not found:
        raise ValidationError(
            "Invalid recovery point id %r in %s: expected %s." % (value, option, _RP_FORM), option=option
        )
    return dict(
        subscription_id=found[0],
        resource_group=found[1],
        vault_name=found[2],
        container_name=found[4],
        item_name=found[5],
        recovery_point_id=found[6],
    )


def parse_policy_id(value, option="policy_id"):
    """Backup policy ARM id -> dict(subscription_id, resource_group, vault_name, policy_name)."""
    found = _match(_segments(value), _POLICY_PATTERN)
    if not found:
        raise ValidationError(
            "Invalid policy id %r in %s: expected %s/backupPolicies/{policy}." % (value, option, _VAULT_FORM),
            option=option,
        )
    return dict(subscription_id=found[0], resource_group=found[1], vault_name=found[2], policy_name=found[3])


def parse_iaasvm_name(name):
    """Container or protected item name of an IaaS VM -> (vm_resource_group, vm_name), or None.

    Accepts, in any casing, ``IaasVMContainer;iaasvmcontainerv2;rg;vm``, ``VM;iaasvmcontainerv2;rg;vm``,
    the short ``iaasvmcontainerv2;rg;vm`` that job/item bodies report, and the classic ``iaasvmcontainer`` kind."""
    if not isinstance(name, str):
        return None
    parts = name.strip().split(";")
    if len(parts) == 4 and parts[0].lower() in ("iaasvmcontainer", "vm"):
        parts = parts[1:]
    if len(parts) == 3 and parts[0].lower() in ("iaasvmcontainerv2", "iaasvmcontainer") and parts[1] and parts[2]:
        return parts[1], parts[2]
    return None


def same_name(left, right):
    """Container/item/vault names compare case-insensitively."""
    if left is None or right is None:
        return left is right
    return left.lower() == right.lower()
