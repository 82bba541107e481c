# -*- coding: utf-8 -*-
# Copyright: contributors to the cloudops.azure_backup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to this collection; not a public API.

What a module's ``run_module(task)`` works with, wherever it runs: as a module on a host
(``_module.AzureBackupModule``) or in the controller's process behind the action plugin
(``plugin_utils._action``). The shared argument specs, the checks of numeric options, the one
deadline, the client, the vault and job references, and the one way an error becomes a failed
result. Nothing here imports AnsibleModule.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import math
import time

from ansible.module_utils.common.parameters import env_fallback

from ansible_collections.cloudops.azure_backup.plugins.module_utils import _auth
from ansible_collections.cloudops.azure_backup.plugins.module_utils import _client
from ansible_collections.cloudops.azure_backup.plugins.module_utils import _errors
from ansible_collections.cloudops.azure_backup.plugins.module_utils import _ids
from ansible_collections.cloudops.azure_backup.plugins.module_utils._polling import DEFAULT_POLL_INTERVAL

AUTH_SPEC = dict(
    subscription_id=dict(type='str'),
    client_id=dict(type='str'),
    secret=dict(type='str', no_log=True),
    tenant=dict(type='str'),
    profile=dict(type='str'),
    cloud_environment=dict(type='str'),
    auth_source=dict(type='str', default='auto', choices=['auto', 'env', 'credential_file', 'cli', 'msi']),
    ad_user=dict(type='str'),
    password=dict(type='str', no_log=True),
    x509_certificate_path=dict(type='path'),
    thumbprint=dict(type='str', no_log=False),
    cert_validation_mode=dict(type='str', choices=['validate', 'ignore']),
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

DEFAULT_PROGRESS_INTERVAL = 60
WAIT_SPEC = dict(
    timeout=dict(type='float', default=3600),
    poll_interval=dict(type='float', default=DEFAULT_POLL_INTERVAL),
    wait_for=dict(type='str', default='completion', choices=['completion', 'snapshot']),
    progress_interval=dict(type='float', default=DEFAULT_PROGRESS_INTERVAL),
)
OPERATION_WAIT_SPEC = dict(WAIT_SPEC, wait=dict(type='bool', default=False))
SPECS = dict(auth=AUTH_SPEC, vault=VAULT_SPEC, item=ITEM_SPEC, wait=WAIT_SPEC, operation=OPERATION_WAIT_SPEC)
CONSTRAINT_KEYS = ('mutually_exclusive', 'required_one_of', 'required_together', 'required_if', 'required_by')

# Numeric options and the ranges they take: (lowest, highest, whether the lowest is allowed, unit).
MAX_TIMEOUT = 30 * 86400  # a wait of up to 30 days: a first backup of a large VM can take days
LIMITS = dict(
    timeout=(0, MAX_TIMEOUT, False, 'seconds'),
    poll_interval=(0, 3600, False, 'seconds'),
    progress_interval=(0, 3600, True, 'seconds'),
)


def module_spec(argument_spec=None, shared=('auth', 'vault'), **constraints):
    """(argument spec, constraints) of a module: the shared option sets it uses, its own options, and every
    constraint, the item options' included. One definition serves AnsibleModule and the action plugin."""
    spec = {}
    for name in shared:
        spec.update(SPECS[name])
    spec.update(argument_spec or {})
    sets = ([ITEM_CONSTRAINTS] if 'item' in shared else []) + [constraints]
    merged = {}
    for given in sets:
        for key, value in given.items():
            if key not in CONSTRAINT_KEYS:
                raise TypeError('module_spec: unknown constraint %s' % key)
            if isinstance(value, dict):
                merged.setdefault(key, {}).update(value)
            else:
                merged.setdefault(key, []).extend(value)
    return spec, merged


def check_numbers(spec, params):
    """Refuse NaN, infinities and values outside an option's range (LIMITS), naming the option."""
    for name, option in spec.items():
        value = params.get(name)
        if option.get('type') != 'float' or value is None:
            continue
        low, high, low_allowed, unit = LIMITS.get(name, (None, None, True, 'units'))
        if not math.isfinite(value):
            raise _errors.ValidationError(
                '%s: expected a finite number of %s, got %s' % (name, unit, value), option=name
            )
        if low is not None and (value < low or (value == low and not low_allowed)):
            raise _errors.ValidationError(
                '%s: expected a number of %s %s %s and at most %s, got %s'
                % (name, unit, 'from' if low_allowed else 'above', low, high, value),
                option=name,
            )
        if high is not None and value > high:
            raise _errors.ValidationError('%s: expected at most %s %s, got %s' % (name, high, unit, value), option=name)


def failed_result(error, elapsed):
    """(msg, result keys) of a failed task for one of the collection's errors: its message and what it carries."""
    result = dict(error.result)
    result.setdefault('changed', False)
    result['elapsed'] = elapsed
    return error.msg, result


class TaskContext(object):
    """The task's state and helpers. Subclasses set ``params``, ``check_mode``, ``_started`` (monotonic),
    ``progress`` (a _progress.Progress, or None) and implement ``warn(text)``."""

    progress = None
    _client = None
    _settings = None

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

    def vault_path(self):
        """The vault the options (or AZURE_BACKUP_RESOURCE_GROUP / AZURE_BACKUP_VAULT_NAME) name, checked: no request."""
        if not self.params.get('resource_group'):
            raise _errors.ValidationError(
                'resource_group is required: set the option or AZURE_BACKUP_RESOURCE_GROUP to the resource group of '
                'the vault',
                option='resource_group',
            )
        if not self.params.get('vault_name'):
            raise _errors.ValidationError(
                'vault_name is required: set the option or AZURE_BACKUP_VAULT_NAME to the name of the Recovery '
                'Services vault',
                option='vault_name',
            )
        return _ids.vault_path(
            self.settings().subscription_id, self.params['resource_group'], self.params['vault_name']
        )

    def client(self):
        """The one ArmClient of this task, authenticated for the configured cloud."""
        if self._client is None:
            settings = self.settings()
            cloud = _auth.resolve_cloud(settings.cloud_environment)
            tokens = _auth.create_token_provider(settings, cloud)
            self._client = _client.ArmClient(cloud.resource_manager, tokens, settings.subscription_id)
            if self.progress is not None and self.progress.enabled:
                # every wait of the task (polls, Retry-After, backoff) sleeps through the progress: heartbeats
                self._client.sleep = self.progress.sleep
        return self._client

    def azure_now(self, vault):
        """Now by Azure's clock (an aware UTC datetime). Azure's Date header sets it; when no answer came yet in
        this task, the vault is read once for it."""
        client = self.client()
        if client.clock_offset is None:
            client.get(vault, api_version=_client.VAULT_API_VERSION, deadline=self.deadline())
        return client.azure_now()

    def job_refs(self, values, option='job_ids'):
        """Job GUIDs / ARM ids -> (vault, job ids without duplicates), checked: no request. A GUID is a job of the
        vault the options name; an ARM id names its vault, which must be that vault when the options name one,
        and be in the task's subscription."""
        refs = [_ids.parse_job_ref(value, option) for value in values or []]
        if not refs:
            raise _errors.ValidationError(
                '%s: give at least one job id (a GUID or a job ARM id)' % option, option=option
            )
        named = self.params.get('resource_group') and self.params.get('vault_name')
        vault = self.vault_path() if named or any(ref.vault is None for ref in refs) else None
        for ref in refs:
            if ref.vault is None:
                continue
            if not _ids.same(ref.vault.subscription_id, self.settings().subscription_id):
                raise _errors.ValidationError(
                    '%s: job %s is in subscription %s, but this task acts on subscription %s (set subscription_id to '
                    'wait on jobs of the other one)'
                    % (option, ref.job_id, ref.vault.subscription_id, self.settings().subscription_id),
                    option=option,
                )
            if vault is None:
                vault = ref.vault
            elif ref.vault != vault:
                raise _errors.ValidationError(
                    '%s: job %s belongs to vault %s, but this task acts on vault %s; one task waits on the jobs of '
                    'one vault' % (option, ref.job_id, ref.vault.id, vault.id),
                    option=option,
                )
        job_ids = []
        for ref in refs:
            if ref.job_id.lower() not in set(known.lower() for known in job_ids):
                job_ids.append(ref.job_id)
        return vault, job_ids

    @contextlib.contextmanager
    def carrying(self, result):
        """An error raised inside carries ``result``: what the task had done (once Azure accepted a write:
        ``changed``, the operation and job ids), whatever fails afterwards."""
        try:
            yield
        except _errors.AzureBackupError as error:
            raise _errors.carrying(error, result) from error
