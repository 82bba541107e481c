# -*- coding: utf-8 -*-
# Copyright (c) cloudops.azure_backup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ARM paths and ids: the one place they are spelled. Internal to this collection; not a public API.

Every value that becomes a path segment is checked here against Azure's naming rules for its kind
(which leave no room for ``/ ? # %``, control characters or a ``.``/``..`` segment) before any
request, and percent-encoded here. A user-given ARM id is parsed segment by segment, its names
checked the same way, and refused when it points at another subscription or vault than the one
the task acts on. Builders return an ``ArmPath``: ``.id`` is the ARM id as Azure's bodies carry it,
``.url_path`` what the client puts in the URL. The client sends nothing else."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from collections import namedtuple

try:
    from urllib.parse import quote
except ImportError:  # pragma: no cover
    from urllib import quote

from ansible_collections.cloudops.azure_backup.plugins.module_utils._errors import ValidationError

PROVIDER = 'Microsoft.RecoveryServices'
FABRIC = 'Azure'

GUID_RE = re.compile(r'[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}')
_NAME_TAIL = r'[A-Za-z0-9_.-]'


class Rule(namedtuple('Rule', ['pattern', 'form'])):
    """A naming rule: the full-match regex and the expected form, as the error message says it."""

    __slots__ = ()

    def check(self, value, option):
        if not isinstance(value, str) or not re.fullmatch(self.pattern, value):
            raise ValidationError(
                '%s: %s is not valid: expected %s.' % (option, _show(value), self.form), option=option
            )
        return value


def _span(first, rest, last, low, high):
    """A regex for names of ``low``..``high`` characters: first, middle and last character classes."""
    if high == 1:
        return first
    body = '%s{%d,%d}' % (rest, max(0, low - 2), high - 2)
    return '%s(?:%s%s)%s' % (first, body, last, '' if low >= 2 else '?')


def _arm_name(what, low, high):
    """The rule most ARM resource names follow: ``low``-``high`` letters, digits, underscores, periods and hyphens,
    starting with a letter or digit and ending with a letter, digit or underscore."""
    return Rule(
        _span('[A-Za-z0-9]', _NAME_TAIL, '[A-Za-z0-9_]', low, high),
        '%s: %d-%d letters, digits, underscores, periods and hyphens, starting with a letter or digit and ending '
        'with a letter, digit or underscore' % (what, low, high),
    )


# Azure's naming rules (learn.microsoft.com: "Naming rules and restrictions for Azure resources"), and the forms
# of the Backup names that are not ARM resource names (docs/authentication.md lists them for users).
RULES = {
    'subscription': Rule(GUID_RE.pattern, 'a subscription id, a GUID such as 00000000-0000-0000-0000-000000000000'),
    'resource_group': Rule(
        r'[\w().-]{0,89}[\w()-]',
        'a resource group name: 1-90 letters, digits, underscores, hyphens, periods and parentheses, not ending in a period',
    ),
    'vault': Rule(
        r'[A-Za-z][A-Za-z0-9-]{1,49}',
        'a Recovery Services vault name: 2-50 letters, digits and hyphens, starting with a letter',
    ),
    'vm': _arm_name('a virtual machine name', 1, 64),
    # Azure keeps storage account names in lowercase; ARM matches them (and ids with them) in any casing.
    'storage_account': Rule(
        r'[a-zA-Z0-9]{3,24}', 'a storage account name: 3-24 letters and digits (Azure lowercases them)'
    ),
    'virtual_network': _arm_name('a virtual network name', 2, 64),
    'subnet': _arm_name('a subnet name', 1, 80),
    'policy': _arm_name('a backup policy name', 1, 150),
    'recovery_point': Rule(
        r'[A-Za-z0-9][A-Za-z0-9-]{0,63}', 'a recovery point id such as 22244821112382 (letters, digits, hyphens)'
    ),
    'job': Rule(GUID_RE.pattern, 'a job id, a GUID such as 41f3e94b-ae6b-4a20-b422-65abfcaf03e5'),
    'disk': _arm_name('a managed disk name', 1, 80),
    'network_interface': _arm_name('a network interface name', 1, 80),
    'blob_container': Rule(
        r'(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]',
        'a blob container name: 3-63 lowercase letters, digits and single hyphens, starting and ending with a '
        'letter or digit',
    ),
}

# Resource types the collection names in paths or request bodies: (provider, type) -> naming rule.
RESOURCE_TYPES = {
    ('Microsoft.Compute', 'virtualMachines'): 'vm',
    ('Microsoft.Compute', 'disks'): 'disk',
    ('Microsoft.Network', 'networkInterfaces'): 'network_interface',
    ('Microsoft.Storage', 'storageAccounts'): 'storage_account',
    ('Microsoft.Network', 'virtualNetworks'): 'virtual_network',
}

_CONTAINER_KINDS = ('iaasvmcontainerv2', 'iaasvmcontainer')
_CONTAINER_FORM = (
    'an IaaS VM container name IaasVMContainer;iaasvmcontainerv2;<vm resource group>;<vm name> '
    '(or iaasvmcontainerv2;<vm resource group>;<vm name>)'
)
_ITEM_FORM = 'an IaaS VM protected item name VM;iaasvmcontainerv2;<vm resource group>;<vm name>'


def _show(value):
    """A value as an error message quotes it: repr, so that control characters show, and never too long."""
    text = repr(value)
    return text if len(text) <= 200 else text[:200] + '...'


def check(kind, value, option):
    """``value`` if it is a valid name of ``kind`` (see RULES); a ValidationError naming ``option`` otherwise."""
    return RULES[kind].check(value, option)


def is_guid(value):
    return isinstance(value, str) and bool(GUID_RE.fullmatch(value))


def same(left, right):
    """Whether two ARM names or ids are the same (ARM compares them case-insensitively)."""
    if left is None or right is None:
        return left is right
    return str(left).lower() == str(right).lower()


# ----------------------------------------------------------------------------- paths


class ArmPath(object):
    """A validated ARM path. Built only by this module's functions, from fixed literals and checked names.

    ``id``: the ARM id (segments as they are); ``url_path``: every segment percent-encoded; ``name``: the
    last segment; ``subscription_id``, ``resource_group`` when the path has them."""

    __slots__ = ('segments',)

    def __init__(self, segments):
        self.segments = tuple(segments)

    def _child(self, *segments):
        return ArmPath(self.segments + segments)

    @property
    def id(self):
        return '/' + '/'.join(self.segments)

    @property
    def url_path(self):
        return '/' + '/'.join(quote(segment, safe='') for segment in self.segments)

    @property
    def name(self):
        return self.segments[-1]

    def _after(self, literal):
        lowered = [segment.lower() for segment in self.segments]
        index = lowered.index(literal.lower()) if literal.lower() in lowered else -1
        return self.segments[index + 1] if 0 <= index < len(self.segments) - 1 else None

    @property
    def subscription_id(self):
        return self._after('subscriptions')

    @property
    def resource_group(self):
        return self._after('resourceGroups')

    def __str__(self):
        return self.id

    def __repr__(self):
        return 'ArmPath(%r)' % self.id

    def __eq__(self, other):
        return isinstance(other, ArmPath) and same(self.id, other.id)

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(self.id.lower())


def resource_group_path(subscription_id, resource_group, options=('subscription_id', 'resource_group')):
    return ArmPath(
        ('subscriptions', check('subscription', subscription_id, options[0]), 'resourceGroups',
         check('resource_group', resource_group, options[1]))
    )  # fmt: skip


def vault_path(subscription_id, resource_group, vault_name):
    """``/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.RecoveryServices/vaults/{vault}``"""
    group = resource_group_path(subscription_id, resource_group)
    return group._child('providers', PROVIDER, 'vaults', check('vault', vault_name, 'vault_name'))


def resource_path(subscription_id, resource_group, provider, resource_type, name, option, group_option=None):
    """An ARM resource of one of RESOURCE_TYPES in a resource group."""
    group = resource_group_path(subscription_id, resource_group, ('subscription_id', group_option or option))
    rule = RESOURCE_TYPES[(provider, resource_type)]
    return group._child('providers', provider, resource_type, check(rule, name, option))


def vm_path(subscription_id, resource_group, vm_name, options=('vm_resource_group', 'vm_name')):
    return resource_path(
        subscription_id, resource_group, 'Microsoft.Compute', 'virtualMachines', vm_name, options[1], options[0]
    )


def subnet_path(network, name, option='target_subnet'):
    return network._child('subnets', check('subnet', name, option))


def jobs_path(vault):
    return vault._child('backupJobs')


def job_path(vault, job_id, option='job_id'):
    return vault._child('backupJobs', check('job', job_id, option))


def job_cancel_path(vault, job_id):
    return job_path(vault, job_id)._child('cancel')


def policies_path(vault):
    return vault._child('backupPolicies')


def policy_path(vault, policy_name, option='policy_name'):
    return vault._child('backupPolicies', check('policy', policy_name, option))


def protected_items_path(vault):
    return vault._child('backupProtectedItems')


def protectable_items_path(vault):
    return vault._child('backupProtectableItems')


def refresh_containers_path(vault):
    return vault._child('backupFabrics', FABRIC, 'refreshContainers')


def container_name(vm_resource_group, vm_name):
    """The container name of an ARM VM: ``IaasVMContainer;iaasvmcontainerv2;{rg};{vm}``."""
    return 'IaasVMContainer;iaasvmcontainerv2;%s;%s' % (
        check('resource_group', vm_resource_group, 'vm_resource_group'),
        check('vm', vm_name, 'vm_name'),
    )


def item_name(vm_resource_group, vm_name):
    """The protected item name of an ARM VM: ``VM;iaasvmcontainerv2;{rg};{vm}``."""
    return 'VM;iaasvmcontainerv2;%s;%s' % (
        check('resource_group', vm_resource_group, 'vm_resource_group'),
        check('vm', vm_name, 'vm_name'),
    )


def parse_iaasvm_name(name):
    """(vm resource group, vm name) of an IaaS VM container or protected item name, or None.

    Accepts, in any casing, ``IaasVMContainer;iaasvmcontainerv2;rg;vm``, ``VM;iaasvmcontainerv2;rg;vm``, the
    short ``iaasvmcontainerv2;rg;vm`` that job and item bodies report, and the classic ``iaasvmcontainer`` kind.
    Both names must be valid."""
    if not isinstance(name, str):
        return None
    parts = name.split(';')
    if len(parts) == 4 and parts[0].lower() in ('iaasvmcontainer', 'vm'):
        parts = parts[1:]
    if len(parts) != 3 or parts[0].lower() not in _CONTAINER_KINDS:
        return None
    if not (re.fullmatch(RULES['resource_group'].pattern, parts[1]) and re.fullmatch(RULES['vm'].pattern, parts[2])):
        return None
    return parts[1], parts[2]


def item_path(vault, container, item, options=('container_name', 'protected_item_name')):
    """``{vault}/backupFabrics/Azure/protectionContainers/{container}/protectedItems/{item}`` for an IaaS VM."""
    if parse_iaasvm_name(container) is None or container.lower().startswith('vm;'):
        raise ValidationError('%s: %s is not valid: expected %s.' % (options[0], _show(container), _CONTAINER_FORM),
                              option=options[0])  # fmt: skip
    if parse_iaasvm_name(item) is None or not item.lower().startswith('vm;'):
        raise ValidationError('%s: %s is not valid: expected %s.' % (options[1], _show(item), _ITEM_FORM),
                              option=options[1])  # fmt: skip
    return vault._child('backupFabrics', FABRIC, 'protectionContainers', container, 'protectedItems', item)


def backup_path(item):
    return item._child('backup')


def recovery_points_path(item):
    return item._child('recoveryPoints')


def recovery_point_path(item, recovery_point_id, option='recovery_point_id'):
    return item._child('recoveryPoints', check('recovery_point', recovery_point_id, option))


def restore_path(item, recovery_point_id):
    return recovery_point_path(item, recovery_point_id)._child('restore')


# ----------------------------------------------------------------------------- parsers of user-given ids


def _id_segments(value, option, form):
    """The segments of an ARM id: a string starting with ``/``, no empty segment, no query or fragment."""
    if not isinstance(value, str) or not value.startswith('/') or value.endswith('/') or '//' in value:
        raise ValidationError('%s: %s is not an ARM id: expected %s.' % (option, _show(value), form), option=option)
    return value[1:].split('/')


def _parse(value, option, form, pattern):
    """Match an ARM id against ``pattern``: fixed segments (compared case-insensitively) and naming rules
    (``('rule', kind)``). Returns the captured names."""
    segments = _id_segments(value, option, form)
    if len(segments) != len(pattern):
        raise ValidationError('%s: %s is not valid: expected %s.' % (option, _show(value), form), option=option)
    captured = []
    for segment, expected in zip(segments, pattern):
        if isinstance(expected, tuple):
            if not re.fullmatch(RULES[expected[1]].pattern, segment):
                raise ValidationError(
                    '%s: %s is not valid: %s is not %s.'
                    % (option, _show(value), _show(segment), RULES[expected[1]].form),
                    option=option,
                )
            captured.append(segment)
        elif segment.lower() != expected.lower():
            raise ValidationError('%s: %s is not valid: expected %s.' % (option, _show(value), form), option=option)
    return captured


def _same_subscription(found, subscription_id, option, value):
    if subscription_id is not None and not same(found, subscription_id):
        raise ValidationError(
            '%s: %s is in subscription %s, but this task acts on subscription %s; Azure Backup needs it in the '
            "vault's subscription (set subscription_id to act on the other one)."
            % (option, _show(value), found, subscription_id),
            option=option,
        )


_GROUP = ['subscriptions', ('rule', 'subscription'), 'resourceGroups', ('rule', 'resource_group')]
_VAULT = _GROUP + ['providers', PROVIDER, 'vaults', ('rule', 'vault')]
_VAULT_FORM = (
    '/subscriptions/<subscription>/resourceGroups/<resource group>/providers/Microsoft.RecoveryServices/vaults/<vault>'
)


def _resource_form(provider, resource_type):
    return '/subscriptions/<subscription>/resourceGroups/<resource group>/providers/%s/%s/<name>' % (
        provider,
        resource_type,
    )


def parse_resource_id(value, option, provider, resource_type, subscription_id=None):
    """A user-given id of one of RESOURCE_TYPES -> ArmPath. Refused when it is in another subscription."""
    pattern = _GROUP + ['providers', provider, resource_type, ('rule', RESOURCE_TYPES[(provider, resource_type)])]
    found = _parse(value, option, _resource_form(provider, resource_type), pattern)
    _same_subscription(found[0], subscription_id, option, value)
    return ArmPath((pattern[0], found[0], pattern[2], found[1], 'providers', provider, resource_type, found[2]))


def parse_vm_id(value, option='vm_id', subscription_id=None):
    """A VM ARM id -> ArmPath (``.subscription_id``, ``.resource_group``, ``.name``)."""
    return parse_resource_id(value, option, 'Microsoft.Compute', 'virtualMachines', subscription_id)


def parse_resource_group(value, option, subscription_id):
    """A resource group name, or its ARM id in ``subscription_id`` -> ArmPath."""
    if isinstance(value, str) and value.startswith('/'):
        found = _parse(value, option, '/subscriptions/<subscription>/resourceGroups/<name>, or a name', _GROUP)
        _same_subscription(found[0], subscription_id, option, value)
        return ArmPath(('subscriptions', found[0], 'resourceGroups', found[1]))
    return resource_group_path(subscription_id, value, ('subscription_id', option))


def parse_resource(value, option, provider, resource_type, subscription_id, resource_group, group_option):
    """A resource name (in ``resource_group``) or its ARM id in ``subscription_id`` -> ArmPath."""
    if isinstance(value, str) and value.startswith('/'):
        return parse_resource_id(value, option, provider, resource_type, subscription_id)
    if not resource_group:
        raise ValidationError(
            '%s: the name %s needs %s (or give the full ARM id %s)'
            % (option, _show(value), group_option, _resource_form(provider, resource_type)),
            option=option,
        )
    return resource_path(subscription_id, resource_group, provider, resource_type, value, option, group_option)


def parse_subnet(value, option, network):
    """A subnet name (in ``network``) or its ARM id, which must lie in ``network``."""
    if isinstance(value, str) and value.startswith('/'):
        pattern = _GROUP + ['providers', 'Microsoft.Network', 'virtualNetworks', ('rule', 'virtual_network')]
        found = _parse(
            value, option, network.id + '/subnets/<name>, or a name', pattern + ['subnets', ('rule', 'subnet')]
        )
        subnet = ArmPath(
            ('subscriptions', found[0], 'resourceGroups', found[1], 'providers', 'Microsoft.Network', 'virtualNetworks',
             found[2], 'subnets', found[3])
        )  # fmt: skip
        if not same('/'.join(subnet.segments[:8]), '/'.join(network.segments)):
            raise ValidationError(
                '%s: the subnet %s is not in the virtual network %s' % (option, subnet.id, network.id), option=option
            )
        return subnet
    return subnet_path(network, value, option)


JobRef = namedtuple('JobRef', ['job_id', 'vault'])
_JOB_FORM = (
    'a job GUID such as 41f3e94b-ae6b-4a20-b422-65abfcaf03e5, or a job ARM id %s/backupJobs/<job GUID>' % _VAULT_FORM
)


def parse_job_ref(value, option='job_ids'):
    """A job GUID or a job ARM id -> JobRef(job_id, vault ArmPath or None)."""
    if is_guid(value):
        return JobRef(value, None)
    if not (isinstance(value, str) and value.startswith('/')):
        raise ValidationError('%s: %s is not valid: expected %s.' % (option, _show(value), _JOB_FORM), option=option)
    found = _parse(value, option, _JOB_FORM, _VAULT + ['backupJobs', ('rule', 'job')])
    return JobRef(found[3], vault_path(found[0], found[1], found[2]))


def parse_policy_id(value, vault, option='policy_id'):
    """A backup policy ARM id -> its name; refused unless it belongs to ``vault`` (Azure protects with a policy
    of the item's own vault)."""
    found = _parse(
        value, option, _VAULT_FORM + '/backupPolicies/<policy>', _VAULT + ['backupPolicies', ('rule', 'policy')]
    )
    policy_vault = vault_path(found[0], found[1], found[2])
    if policy_vault != vault:
        raise ValidationError(
            '%s: the policy belongs to vault %s, but this task acts on vault %s; a VM is protected with a policy of '
            'its own vault.' % (option, policy_vault.id, vault.id),
            option=option,
        )
    return found[3]


def names_in_item_id(value):
    """(container name, item name) of an id Azure returned with ``…/protectionContainers/{c}/protectedItems/{i}``,
    else (None, None). Lists such as BackupProtectedItems_List may leave the ``backupFabrics/Azure`` part out."""
    segments = value.strip('/').split('/') if isinstance(value, str) else []
    lowered = [segment.lower() for segment in segments]
    for index in range(len(segments) - 3):
        if lowered[index] == 'protectioncontainers' and lowered[index + 2] == 'protecteditems':
            return segments[index + 1], segments[index + 3]
    return None, None


# ----------------------------------------------------------------------------- resources a restore created

# What a restore leaves in its target resource group, which the collection reads and may delete.
RESTORED_TYPES = (
    ('Microsoft.Compute', 'virtualMachines'),
    ('Microsoft.Network', 'networkInterfaces'),
    ('Microsoft.Compute', 'disks'),
)
_CONTAINER = ['providers', 'Microsoft.Storage', 'storageAccounts', ('rule', 'storage_account'), 'blobServices',
              'default', 'containers', ('rule', 'blob_container')]  # fmt: skip
_CONTAINER_ID_FORM = (
    '/subscriptions/<subscription>/resourceGroups/<resource group>/providers/Microsoft.Storage/storageAccounts/'
    '<account>/blobServices/default/containers/<container>'
)


def resources_path(group):
    """``{group}/resources``: what a resource group holds (Resources_ListByResourceGroup)."""
    return group._child('resources')


def parse_group_member(value, group, option='resources'):
    """An ARM id Azure listed in ``group`` -> (ArmPath, (provider, type)) when it is one of RESTORED_TYPES in that
    group, else (None, None): ids of other kinds are reported, never used as a path."""
    for provider, resource_type in RESTORED_TYPES:
        pattern = _GROUP + ['providers', provider, resource_type, ('rule', RESOURCE_TYPES[(provider, resource_type)])]
        try:
            found = _parse(value, option, _resource_form(provider, resource_type), pattern)
        except ValidationError:
            continue
        path = ArmPath(('subscriptions', found[0], 'resourceGroups', found[1], 'providers', provider, resource_type,
                        found[2]))  # fmt: skip
        if same(found[0], group.subscription_id) and same(found[1], group.resource_group):
            return path, (provider, resource_type)
        return None, None
    return None, None


_MEMBER_FORM = '/subscriptions/<subscription>/resourceGroups/<resource group>/providers/<namespace>/<type>/<name>'
_BAD_SEGMENT = re.compile(r'[?#\\%\x00-\x1f\x7f]')


def parse_member_id(value, group=None, option='baseline'):
    """A user-given ARM id of any resource in ``group`` (an ArmPath of a resource group; None checks the form
    only) -> the id, lower-cased for comparison. Used only to compare with ids Azure lists, never as a path;
    refused when malformed (dot segments, ``? # % \\``, control characters) or in another group, since an id that
    can never match would let what the group held be taken for new."""
    segments = _id_segments(value, option, _MEMBER_FORM)
    bad = [seg for seg in segments if seg in ('.', '..') or _BAD_SEGMENT.search(seg)]
    fixed = [seg.lower() for seg in segments[0:5:2]]
    if bad or len(segments) < 8 or len(segments) % 2 or fixed != ['subscriptions', 'resourcegroups', 'providers']:
        raise ValidationError('%s: %s is not valid: expected %s.' % (option, _show(value), _MEMBER_FORM), option=option)
    elsewhere = group is not None and not (
        same(segments[1], group.subscription_id) and same(segments[3], group.resource_group)
    )
    if elsewhere:
        raise ValidationError(
            '%s: %s is not in resource group %s of subscription %s: it lists what that group held before the '
            'restore.' % (option, _show(value), group.resource_group, group.subscription_id),
            option=option,
        )
    return value.lower()


def parse_blob_container_id(value, option, subscription_id):
    """A blob container ARM id (the staging container a restore leaves) -> ArmPath, in ``subscription_id``."""
    found = _parse(value, option, _CONTAINER_ID_FORM, _GROUP + _CONTAINER)
    _same_subscription(found[0], subscription_id, option, value)
    return ArmPath(('subscriptions', found[0], 'resourceGroups', found[1], 'providers', 'Microsoft.Storage',
                    'storageAccounts', found[2], 'blobServices', 'default', 'containers', found[3]))  # fmt: skip
