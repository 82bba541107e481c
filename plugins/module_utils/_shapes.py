# -*- coding: utf-8 -*-
# Copyright: contributors to the cloudops.azure_backup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to this collection; not a public API.

Azure resources (protected items, recovery points, policies) in the snake_case shape modules return.
Jobs have their own, richer normalisation in _jobs.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.cloudops.azure_backup.plugins.module_utils import _ids

# Free-form maps whose keys are data, not field names: kept verbatim.
VERBATIM = ['propertyBag', 'internalPropertyBag', 'kpisHealths', 'tags', 'extendedInfo']
VERBATIM_IN_RECOVERY_POINTS = ['propertyBag', 'tags', 'recoveryPointMoveReadinessInfo']


def _last(arm_id):
    return arm_id.rstrip('/').rsplit('/', 1)[-1] if arm_id else None


def normalize_resource(resource, verbatim=None):
    """{id, name, type, location?, tags?, e_tag?} plus the snake_cased properties."""
    resource = resource or {}
    shaped = camel_dict_to_snake_dict(
        resource.get('properties') or {}, ignore_list=verbatim if verbatim is not None else VERBATIM
    )
    shaped.update(id=resource.get('id'), name=resource.get('name'), type=resource.get('type'))
    for key in ('location', 'tags', 'eTag'):
        if resource.get(key) is not None:
            shaped['e_tag' if key == 'eTag' else key] = resource[key]
    return shaped


def normalize_protected_item(resource):
    """A protected IaaS VM with the names a runbook needs at the top level."""
    item = normalize_resource(resource, verbatim=['kpisHealths', 'tags'])
    container_name, dummy = _ids.names_in_item_id(resource.get('id'))
    item.update(
        protected_item_name=resource.get('name'),
        container_name=container_name,
        vm_name=item.get('friendly_name'),
        vm_id=item.get('virtual_machine_id') or item.get('source_resource_id'),
        policy_name=item.get('policy_name') or _last(item.get('policy_id')),
    )
    return item


def normalize_recovery_point(resource):
    """A recovery point, with its id and time at the top level and the tiers it lives in."""
    point = normalize_resource(resource, verbatim=VERBATIM_IN_RECOVERY_POINTS)
    # A tier's extendedInfo is a free-form map: its keys stay as Azure sent them.
    for shaped, raw in zip(
        point.get('recovery_point_tier_details') or [],
        ((resource or {}).get('properties') or {}).get('recoveryPointTierDetails') or [],
    ):
        if isinstance(raw, dict) and 'extendedInfo' in raw:
            shaped['extended_info'] = raw['extendedInfo']
    point.update(
        recovery_point_id=resource.get('name'),
        tiers=[
            tier.get('type') for tier in point.get('recovery_point_tier_details') or [] if tier.get('status') == 'Valid'
        ],
    )
    return point


def newest_first(points):
    """Recovery points sorted newest first (ISO times sort as text once their precision is trimmed)."""
    return sorted(points, key=lambda point: (point.get('recovery_point_time') or '')[:19], reverse=True)


def normalize_policy(resource):
    policy = normalize_resource(resource, verbatim=['tags'])
    policy['policy_name'] = resource.get('name')
    return policy
