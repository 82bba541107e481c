# -*- coding: utf-8 -*-
# Copyright: contributors to the cloudops.azure_backup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to this collection; not a public API.

The one place that knows about AnsibleModule: a module run on a host, with the task context of
``_task`` (shared specs, client, deadline) and one way to fail.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.cloudops.azure_backup.plugins.module_utils import _client
from ansible_collections.cloudops.azure_backup.plugins.module_utils import _errors
from ansible_collections.cloudops.azure_backup.plugins.module_utils import _task


class AzureBackupModule(_task.TaskContext, AnsibleModule):
    """AnsibleModule with the collection's shared options and one way to fail."""

    def __init__(self, argument_spec=None, shared=('auth', 'vault'), **kwargs):
        constraints = dict((key, kwargs.pop(key)) for key in list(kwargs) if key in _task.CONSTRAINT_KEYS)
        spec, constraints = _task.module_spec(argument_spec, shared, **constraints)
        kwargs.update(constraints)
        AnsibleModule.__init__(self, argument_spec=spec, **kwargs)
        self._started = time.monotonic()
        if not _client.HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib('requests'), exception=_client.REQUESTS_IMPORT_ERROR)
        try:
            _task.check_numbers(spec, self.params)
        except _errors.ValidationError as error:
            self.fail_from_error(error)

    def fail_from_error(self, error):
        """Turn one of the collection's exceptions into a failed result: its message and the keys it carries."""
        if isinstance(error, _errors.MissingDependency):
            self.fail_json(msg=missing_required_lib(error.library), exception=error.traceback)
        msg, result = _task.failed_result(error, self.elapsed())
        self.fail_json(msg=msg, **result)


def run_main(arguments, run_module):
    """A module's main(): the module from its ARGUMENTS, ``run_module(module)``'s result as the task's, or the one
    way to fail for the collection's errors."""
    module = AzureBackupModule(**arguments)
    try:
        module.exit_json(**run_module(module))
    except _errors.AzureBackupError as error:
        module.fail_from_error(error)
