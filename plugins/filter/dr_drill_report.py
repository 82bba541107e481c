# -*- coding: utf-8 -*-
# Copyright: contributors to the cloudops.azure_backup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: dr_drill_report
short_description: The evidence of a DR drill, from what its tasks returned
version_added: 0.1.0
description:
  - Turns what the tasks of a restore test returned (per VM the recovery point, the backup and restore jobs,
    the resources read after the restore, the results of extra checks; for the run what was removed) into the
    report of the role P(cloudops.azure_backup.dr_drill#role), the same data its JSON, Markdown and HTML files show.
  - Per VM it attributes the resources the restore created, checks them (the restore job completed; disks
    exist, succeeded and have a size; a new VM is provisioned, running and only in the drill's subnet), computes
    the RPO (the recovery point's age when the restore started) and the RTO (restore start to verified), applies
    the thresholds, and says pass or fail with the reason.
author:
  - cloudops.azure_backup maintainers (@cloudops-azure-backup)
options:
  _input:
    description:
      - One dict per VM with C(vm_name) and, as far as the drill got, C(recovery_point) (as
        M(cloudops.azure_backup.azure_backup_recovery_point_info) returns one), C(backup_job) and C(restore_job)
        (as M(cloudops.azure_backup.azure_backup_job_wait) returns jobs), C(restore_request), C(restored) (the
        restored resources the Restore job names), C(errors) (messages), C(checks) (extra checks, each with
        C(name), C(passed), C(detail)).
    type: list
    elements: dict
    required: true
  resources:
    description: The resources read after the restores (C(resources) of M(cloudops.azure_backup.azure_backup_restored_resources)).
    type: list
    elements: dict
    default: []
  verified_at:
    description: Azure's time of that read (ISO 8601), the end of the RTO.
    type: str
  removed:
    description: ARM ids the clean-up removed.
    type: list
    elements: str
    default: []
  restore_type:
    description: V(restore_disks) or V(alternate_location).
    type: str
    default: restore_disks
  target_subnet:
    description: The drill's subnet (a name or an ARM id); a new VM's network interfaces must be in it.
    type: str
  max_rpo:
    description: Seconds; a VM whose recovery point was older when the restore started fails. V(0) checks nothing.
    type: float
    default: 0
  max_rto:
    description: Seconds; a VM whose restore took longer until verified fails. V(0) checks nothing.
    type: float
    default: 0
  check_mode:
    description: The drill ran in check mode; the report is a plan and no VM passes or fails.
    type: bool
    default: false
  recovery_point_choice:
    description:
      - The drill's C(drill_recovery_point) input (C(fresh), C(latest) or a time). In check mode, V(fresh) makes
        the plan say that an on-demand backup comes first and that the request shows the newest existing point
        in place of the one that backup would make.
    type: str
  keep:
    description: The drill kept what it created (nothing was removed on purpose).
    type: bool
    default: false
  errors:
    description: Errors of the run as a whole (for example a failed clean-up), quoted in the report.
    type: list
    elements: str
    default: []
'''

EXAMPLES = r'''
- name: The evidence of a one-VM drill, from what its tasks returned
  ansible.builtin.debug:
    msg: "{{ (drill_vms_seen | cloudops.azure_backup.dr_drill_report(max_rpo=86400)).summary }}"
  vars:
    drill_vms_seen:
      - vm_name: vm-web-01
        recovery_point: {recovery_point_id: '22244821112382', recovery_point_time: '2026-12-02T01:00:00Z'}
        restore_job:
          job_id: 5e5d8a7a-52b8-47b2-9e0b-3f1f3b0a6c2d
          status: Completed
          operation: Restore
          start_time: '2026-12-02T02:00:00Z'
          end_time: '2026-12-02T02:25:00Z'
        restored: {restored_disks: vm-web-01-osdisk-1}
        errors: []
        checks: []
'''

RETURN = r'''
_value:
  description: The report.
  type: dict
  contains:
    passed:
      description: Every VM passed (null in check mode).
      type: bool
    summary:
      description: One line per VM, C(vm-web-01 PASS ...) or C(vm-web-01 FAIL <reason>).
      type: list
      elements: str
    vms:
      description:
        - Per VM - C(vm_name), C(passed), C(reason), C(recovery_point) (C(id), C(time)), C(rpo_seconds),
          C(rto_seconds), C(jobs), C(created), C(removed), C(verification) (each check with C(name), C(passed),
          C(detail)), C(resources), C(warnings), C(errors), and in check mode C(plan).
      type: list
      elements: dict
    vault:
      description: The vault of the drill's jobs (C(resource_group), C(vault_name), C(id)).
      type: dict
    created:
      description: Every ARM id the drill created.
      type: list
      elements: str
    removed:
      description: Every ARM id the clean-up removed.
      type: list
      elements: str
    left:
      description: What the drill created and did not remove.
      type: list
      elements: str
'''

from ansible.errors import AnsibleFilterError

from ansible_collections.cloudops.azure_backup.plugins.module_utils import _ids
from ansible_collections.cloudops.azure_backup.plugins.module_utils._errors import ValidationError
from ansible_collections.cloudops.azure_backup.plugins.module_utils._filters import parse_azure_time

SUCCEEDED = ('Completed', 'CompletedWithWarnings')
DISK = 'microsoft.compute/disks'
VM = 'microsoft.compute/virtualmachines'
NIC = 'microsoft.network/networkinterfaces'


def _seconds(later, earlier):
    end, start = parse_azure_time(later), parse_azure_time(earlier)
    if end is None or start is None:
        return None
    return round((end - start).total_seconds(), 1)


def _kind(resource):
    return str(resource.get('type') or '').lower()


def _last(rid):
    return str(rid or '').rstrip('/').rsplit('/', 1)[-1].lower()


def _names(text):
    return [part.strip().lower() for part in str(text or '').replace(';', ',').split(',') if part.strip()]


def _restored(vm):
    """What the Restore job's property bag names (``restored`` as the restore module returns it, else the bag)."""
    if vm.get('restored'):
        return vm['restored']
    bag = ((vm.get('restore_job') or {}).get('extended_info') or {}).get('property_bag') or {}
    lowered = dict((str(k).strip().lower(), v) for k, v in bag.items())
    return dict(restored_disks=lowered.get('restored disks'), target_vm_name=lowered.get('target vm name'))


def _attribute(vm, resources, taken, restore_type):
    """The resources of ``resources`` this VM's restore created (not already ``taken`` by another VM)."""
    restored = _restored(vm)
    by_id = dict((str(r.get('id')).lower(), r) for r in resources)
    mine = []
    if restore_type == 'alternate_location':
        request = (vm.get('restore_request') or {}).get('properties') or {}
        name = (restored.get('target_vm_name') or _last(request.get('targetVirtualMachineId'))).lower()
        for resource in resources:
            if _kind(resource) == VM and str(resource.get('name')).lower() == name:
                mine.append(resource)
                refs = [resource.get('os_disk_id')] + list(resource.get('data_disk_ids') or [])
                refs += list(resource.get('network_interface_ids') or [])
                mine.extend(by_id[str(ref).lower()] for ref in refs if ref and str(ref).lower() in by_id)
    else:
        listed = _names(restored.get('restored_disks'))
        prefix = str(vm.get('vm_name') or '').lower()
        for resource in resources:
            if _kind(resource) != DISK:
                continue
            name = str(resource.get('name')).lower()
            if (listed and name in listed) or (not listed and prefix and name.startswith(prefix + '-')):
                mine.append(resource)
    unique = []
    for resource in mine:
        rid = str(resource.get('id')).lower()
        if rid not in taken:
            taken.add(rid)
            unique.append(resource)
    return unique


def _check(name, passed, detail):
    return dict(name=name, passed=bool(passed), detail=detail)


def _verify(vm, mine, restore_type, target_subnet):
    job = vm.get('restore_job') or {}
    checks = [_check('restore job completed', job.get('status') in SUCCEEDED,
                     'Restore job %s ended %s' % (job.get('job_id'), job.get('status') or 'without a status'))]  # fmt: skip
    disks = [r for r in mine if _kind(r) == DISK]
    if restore_type == 'alternate_location':
        vms = [r for r in mine if _kind(r) == VM]
        if not vms:
            checks.append(_check('virtual machine restored', False, 'no restored VM was found in the target group'))
        for machine in vms:
            checks.append(
                _check(
                    'virtual machine provisioned',
                    machine.get('provisioning_state') == 'Succeeded',
                    '%s: provisioning state %s' % (machine.get('name'), machine.get('provisioning_state')),
                )
            )
            if machine.get('power_state') is not None:
                checks.append(
                    _check(
                        'virtual machine running',
                        machine.get('power_state') == 'running',
                        '%s: power state %s' % (machine.get('name'), machine.get('power_state')),
                    )
                )
            nics = [r for r in mine if _kind(r) == NIC]
            wanted = _last(target_subnet) if target_subnet else None
            outside = [n for n in nics if wanted and _last(n.get('subnet_id')) != wanted]
            checks.append(_check(
                'isolated network', bool(nics) and not outside,
                'network interfaces %s in subnet(s) %s (drill subnet %s)'
                % (', '.join(n.get('name') for n in nics) or 'none',
                   ', '.join(sorted(set(str(n.get('subnet_id')) for n in nics))) or 'none', target_subnet)))  # fmt: skip
    else:
        checks.append(_check('disks restored', bool(disks),
                             '%d managed disk(s) found in the target group' % len(disks)))  # fmt: skip
    for item in disks:
        ok = item.get('provisioning_state') == 'Succeeded' and (item.get('disk_size_gb') or 0) > 0
        checks.append(_check('disk %s' % item.get('name'), ok, '%s GiB, %s, %s' % (
            item.get('disk_size_gb'), item.get('provisioning_state'), item.get('disk_state'))))  # fmt: skip
    for extra in vm.get('checks') or []:
        checks.append(_check(extra.get('name') or 'extra check', extra.get('passed'), extra.get('detail') or ''))
    return checks


def _job_messages(job):
    errors = ['%s: %s' % (e.get('error_code'), e.get('error_string')) for e in (job or {}).get('error_details') or []]
    ext = (job or {}).get('extended_info') or {}
    if ext.get('dynamic_error_message') and not errors:
        errors.append(ext['dynamic_error_message'])
    return errors


def _plan(vm, restore_type, choice):
    request = vm.get('restore_request') or {}
    props = request.get('properties') or {}
    group = _last(props.get('targetResourceGroupId')) or None
    if restore_type == 'alternate_location':
        creates = ['virtual machine %s' % _last(props.get('targetVirtualMachineId')),
                   'its network interface(s) in %s' % props.get('subnetId'), 'its managed disks']  # fmt: skip
    else:
        creates = ['the managed disks of %s' % vm.get('vm_name')]
    point = (vm.get('recovery_point') or {}).get('id') or 'none yet'
    fresh = (
        '%s (an on-demand backup) first, then restore the point it makes; the request below shows the newest '
        'existing point (%s) in its place' % (vm.get('vm_name'), point)
    )  # fmt: skip
    return dict(
        recovery_point=vm.get('recovery_point'),
        would_back_up=fresh if choice == 'fresh' else None,
        restore_request=request,
        would_create=['%s in resource group %s' % (c, group) for c in creates],
        would_remove='everything above, and the staging container the restore leaves',
    )


def dr_drill_report(vms, resources=None, verified_at=None, removed=None, restore_type='restore_disks',
                    target_subnet=None, max_rpo=0, max_rto=0, check_mode=False, keep=False, errors=None,
                    recovery_point_choice=None):  # fmt: skip
    if not isinstance(vms, list) or not all(isinstance(vm, dict) and vm.get('vm_name') for vm in vms):
        raise AnsibleFilterError('dr_drill_report: expected a list of dicts with vm_name, got %r' % (vms,))
    resources = [r for r in resources or [] if isinstance(r, dict)]
    removed = [str(r) for r in removed or []]
    removed_lower = set(r.lower() for r in removed)
    max_rpo, max_rto = float(max_rpo or 0), float(max_rto or 0)
    taken = set()
    report_vms = []
    for vm in vms:
        rp = vm.get('recovery_point') or {}
        job = vm.get('restore_job') or {}
        mine = [] if check_mode else _attribute(vm, resources, taken, restore_type)
        containers = [c for c in [vm.get('staging_container')] if c]
        entry = dict(
            vm_name=vm['vm_name'],
            recovery_point=dict(id=rp.get('recovery_point_id'), time=rp.get('recovery_point_time')),
            rpo_seconds=_seconds(job.get('start_time'), rp.get('recovery_point_time')),
            rto_seconds=_seconds(verified_at, job.get('start_time')) if job.get('status') in SUCCEEDED else None,
            jobs=[j for j in (vm.get('backup_job'), vm.get('restore_job')) if j],
            created=[r.get('id') for r in mine] + containers,
            removed=[rid for rid in [r.get('id') for r in mine] + containers if str(rid).lower() in removed_lower],
            resources=mine,
            verification=[],
            warnings=[],
            errors=list(vm.get('errors') or []),
        )
        for one in entry['jobs']:
            messages = _job_messages(one)
            if one.get('status') == 'CompletedWithWarnings':
                entry['warnings'].extend(
                    messages or ['%s job %s completed with warnings' % (one.get('operation'), one.get('job_id'))]
                )
            elif one.get('status') not in SUCCEEDED:
                entry['errors'].extend(messages)
        if check_mode:
            entry.update(passed=None, reason='check mode: nothing was backed up, restored or removed',
                         plan=_plan(vm, restore_type, recovery_point_choice))  # fmt: skip
        else:
            entry['verification'] = _verify(vm, mine, restore_type, target_subnet) if job else []
            entry['passed'], entry['reason'] = _judge(entry, job, max_rpo, max_rto)
        report_vms.append(entry)
    created = []
    if not check_mode:
        created = [r.get('id') for r in resources] + [c for vm in vms for c in [vm.get('staging_container')] if c]
    report = dict(
        vault=_vault(vms),
        passed=None if check_mode else all(v['passed'] for v in report_vms) and not (errors or []),
        check_mode=bool(check_mode),
        keep=bool(keep),
        restore_type=restore_type,
        thresholds=dict(max_rpo=max_rpo or None, max_rto=max_rto or None),
        verified_at=verified_at,
        vms=report_vms,
        created=created,
        removed=removed,
        left=[rid for rid in created if rid.lower() not in removed_lower],
        errors=list(errors or []),
    )
    report['summary'] = [_summary(v) for v in report_vms] + ['run: %s' % e for e in report['errors']]
    return report


def _vault(vms):
    """The vault the drill's jobs belong to, from a job's ARM id (.../vaults/<name>/backupJobs/<id>)."""
    for vm in vms:
        for job in (vm.get('backup_job'), vm.get('restore_job')):
            try:
                vault = _ids.parse_job_ref((job or {}).get('id') or '', 'id').vault
            except ValidationError:
                continue
            if vault is not None:
                return dict(resource_group=vault.resource_group, vault_name=vault.name, id=vault.id)
    return dict(resource_group=None, vault_name=None, id=None)


def _judge(entry, job, max_rpo, max_rto):
    if entry['errors'] and not job:
        return False, entry['errors'][0]
    failed = [c for c in entry['verification'] if not c['passed']]
    if failed:
        return False, '%s: %s' % (failed[0]['name'], failed[0]['detail'])
    if entry['errors']:
        return False, entry['errors'][0]
    if max_rpo and entry['rpo_seconds'] is not None and entry['rpo_seconds'] > max_rpo:
        return False, 'RPO %.0f s is above drill_max_rpo %.0f s' % (entry['rpo_seconds'], max_rpo)
    if max_rto and entry['rto_seconds'] is not None and entry['rto_seconds'] > max_rto:
        return False, 'RTO %.0f s is above drill_max_rto %.0f s' % (entry['rto_seconds'], max_rto)
    if not job:
        return False, 'no restore was started'
    return True, 'restored, verified%s' % ('' if not entry['warnings'] else ' (with warnings)')


def _summary(entry):
    def fmt(value):
        return '-' if value is None else '%.0f s' % value

    verdict = 'PLAN' if entry['passed'] is None else ('PASS' if entry['passed'] else 'FAIL')
    return '%s %s: %s (recovery point %s, RPO %s, RTO %s)' % (
        entry['vm_name'], verdict, entry['reason'], entry['recovery_point']['time'] or '-',
        fmt(entry['rpo_seconds']), fmt(entry['rto_seconds']))  # fmt: skip


class FilterModule(object):
    def filters(self):
        return {'dr_drill_report': dr_drill_report}
