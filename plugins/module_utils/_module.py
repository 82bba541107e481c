# -*- coding: utf-8 -*-
# Copyright: contributors to the cloudops.azure_backup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to this collection; not a public API.

The one place that knows about AnsibleModule: shared argument specs, building the client from
the module's parameters, and turning the collection's exceptions into a failed result.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.cloudops.azure_backup.plugins.module_utils import _auth
from ansible_collections.cloudops.azure_backup.plugins.module_utils import _client
from ansible_collections.cloudops.azure_backup.plugins.module_utils import _errors
from ansible_collections.cloudops.azure_backup.plugins.module_utils import _ids
from ansible_collections.cloudops.azure_backup.plugins.module_utils import _jobs


AUTH_SPEC = dict(
    subscription_id=dict(type='str'),
    client_id=dict(type='str'),
    secret=dict(type='str', no_log=True),
    tenant=dict(type='str'),
    profile=dict(type='str'),
    cloud_environment=dict(type='str'),
    auth_source=dict(type='str', default='auto', choices=['auto', 'env', 'credential_file', 'cli', 'msi']),
)

VAULT_SPEC = dict(
    resource_group=dict(type='str', fallback=(env_fallback, ['AZURE_BACKUP_RESOURCE_GROUP'])),
    vault_name=dict(type='str', fallback=(env_fallback, ['AZURE_BACKUP_VAULT_NAME'])),
)

ITEM_SPEC = dict(
    vm_name=dict(type='str'),
    vm_resource_group=dict(type='str'),
    vm_id=dict(type='str'),
    container_name=dict(type='str'),
    protected_item_name=dict(type='str'),
)
ITEM_CONSTRAINTS = dict(
    mutually_exclusive=[
        ('vm_name', 'vm_id', 'container_name'),
        ('vm_id', 'vm_resource_group'),
        ('container_name', 'vm_resource_group'),
    ],
    required_one_of=[('vm_name', 'vm_id', 'container_name')],
    required_together=[('container_name', 'protected_item_name')],
    required_by={'vm_resource_group': 'vm_name'},
)

WAIT_SPEC = dict(
    timeout=dict(type='float', default=3600),
    poll_interval=dict(type='float', default=15),
)
OPERATION_WAIT_SPEC = dict(WAIT_SPEC, wait=dict(type='bool', default=False))

SPECS = dict(auth=AUTH_SPEC, vault=VAULT_SPEC, item=ITEM_SPEC, wait=WAIT_SPEC, operation=OPERATION_WAIT_SPEC)


def _merge_constraints(*sets):
    merged = {}
    for constraints in sets:
        for key, value in constraints.items():
            if isinstance(value, dict):
                merged.setdefault(key, {}).update(value)
            else:
                merged.setdefault(key, []).extend(value)
    return merged


class AzureBackupModule(AnsibleModule):
    """AnsibleModule with the collection's shared options and one way to fail."""

    def __init__(self, argument_spec=None, shared=('auth', 'vault'), **kwargs):
        spec = {}
        constraints = [ITEM_CONSTRAINTS] if 'item' in shared else []
        for name in shared:
            spec.update(SPECS[name])
        spec.update(argument_spec or {})
        own = dict(
            (key, kwargs.pop(key))
            for key in list(kwargs)
            if key in ('mutually_exclusive', 'required_one_of', 'required_together', 'required_if', 'required_by')
        )
        kwargs.update(_merge_constraints(*(constraints + [own])))
        super(AzureBackupModule, self).__init__(argument_spec=spec, **kwargs)
        self._started = time.monotonic()
        self._client = None
        self._settings = None
        if not _client.HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib('requests'), exception=_client.REQUESTS_IMPORT_ERROR)
        for name in ('timeout', 'poll_interval'):
            if name in self.params and self.params[name] is not None and self.params[name] <= 0:
                self.fail_json(msg='%s must be a positive number of seconds, got %s' % (name, self.params[name]))

    # -- settings ---------------------------------------------------------------------------
    def deadline(self):
        """The one monotonic deadline of this task (None when the module has no timeout)."""
        timeout = self.params.get('timeout')
        return None if timeout is None else self._started + timeout

    def elapsed(self):
        return round(time.monotonic() - self._started, 3)

    def settings(self):
        if self._settings is None:
            self._settings = _auth.resolve_auth(self.params)
        return self._settings

    def vault_path(self, resource_group=None, vault_name=None, subscription_id=None):
        """ARM path of the vault; options and environment fill what the caller did not give."""
        resource_group = resource_group or self.params.get('resource_group')
        vault_name = vault_name or self.params.get('vault_name')
        if not resource_group:
            raise _errors.ValidationError(
                'resource_group is required: set the option or AZURE_BACKUP_RESOURCE_GROUP to the resource group of the vault',
                option='resource_group',
            )
        if not vault_name:
            raise _errors.ValidationError(
                'vault_name is required: set the option or AZURE_BACKUP_VAULT_NAME to the name of the Recovery Services vault',
                option='vault_name',
            )
        return _ids.vault_path(subscription_id or self.settings().subscription_id, resource_group, vault_name)

    def client(self):
        """The one ArmClient of this task, authenticated for the configured cloud."""
        if self._client is None:
            settings = self.settings()
            cloud = _auth.resolve_cloud(settings.cloud_environment)
            tokens = _auth.create_token_provider(settings, cloud)
            self._client = _client.ArmClient(cloud.resource_manager, tokens, settings.subscription_id)
        return self._client

    def job_vault_path(self, job_refs):
        """Parse job GUIDs / ARM ids; return (vault path, job ids without duplicates). All jobs must be in one
        vault; a GUID is in the vault the options name, an ARM id in its own."""
        refs = [_ids.parse_job_ref(value) for value in job_refs]
        if not refs:
            raise _errors.ValidationError(
                'job_ids: give at least one job id (a GUID or a job ARM id)', option='job_ids'
            )
        vaults = [self.vault_path(ref.resource_group, ref.vault_name, ref.subscription_id) for ref in refs]
        distinct = sorted(set(vault.lower() for vault in vaults))
        if len(distinct) > 1:
            raise _errors.ValidationError(
                'job_ids: all jobs must belong to one vault, got jobs of %d vaults: %s'
                % (len(distinct), ', '.join(distinct)),
                option='job_ids',
            )
        job_ids = []
        for ref in refs:
            if ref.job_id.lower() not in set(known.lower() for known in job_ids):
                job_ids.append(ref.job_id)
        return vaults[0], job_ids

    def wait_for_jobs(self, job_refs, failed_states=('Failed', 'Cancelled'), vault_path=None, partial=None):
        """Wait for the jobs under the task's deadline; return the result keys (jobs, job, facts, elapsed, polls).

        ``partial`` is what the task has done so far (for example the job it started); it is kept in
        the failed result when the wait fails.
        """
        if vault_path is None:
            vault_path, job_ids = self.job_vault_path(job_refs)
        else:
            job_ids = list(job_refs)
        waiter = _jobs.Waiter(
            self.client(),
            vault_path,
            timeout=self.params['timeout'],
            poll_interval=self.params['poll_interval'],
            failed_states=tuple(failed_states),
            deadline=self.deadline(),
        )
        try:
            outcome = waiter.wait(job_ids)
        except _errors.AzureBackupError as error:
            error.partial_result = dict(partial or {})
            raise
        for warning in outcome.warnings:
            self.warn(warning)
        result = job_results(outcome.jobs)
        result.update(elapsed=self.elapsed(), polls=outcome.polls, timed_out=False)
        return result

    # -- results ----------------------------------------------------------------------------
    def fail_from_error(self, error, **result):
        """Turn one of the collection's exceptions into a failed result."""
        if isinstance(error, _errors.MissingDependency):
            self.fail_json(msg=missing_required_lib(error.library), exception=error.traceback)
        result.update(getattr(error, 'partial_result', None) or {})
        result.update(error.to_result())
        if isinstance(result.get('jobs'), list):
            result.update(job_results(result['jobs']))
        result.setdefault('changed', False)
        result['elapsed'] = self.elapsed()
        self.fail_json(msg=error.msg, **result)


def job_results(jobs, single=None):
    """Return keys and facts for a list of normalised jobs."""
    by_id = dict((job['job_id'], job) for job in jobs)
    facts = dict(azure_backup_jobs=by_id)
    result = dict(jobs=jobs, ansible_facts=facts)
    if single is None:
        single = len(jobs) == 1
    if single and jobs:
        result['job'] = jobs[0]
        facts['azure_backup_job'] = jobs[0]
    return result
