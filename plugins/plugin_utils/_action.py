# -*- coding: utf-8 -*-
# Copyright: contributors to the cloudops.azure_backup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to this collection; not a public API.

The action plugin in front of every module of the collection. When the task runs on the controller
(a local connection: ``hosts: localhost``, ``connection: local``, ``delegate_to: localhost``), it
runs the module's own ``run_module()`` right here, in the controller's process, with the same
argument spec and checks: no module is copied or started, and while it waits it shows live
progress (a line per job state change and a heartbeat, see module_utils/_progress.py) in the
play's output and, under ansible-runner (AWX), as job events. Anywhere else (another host, async,
or when the collection's Python requirements are missing on the controller) the module runs as
usual, without live lines.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import importlib
import os
import time

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.errors import UnsupportedError
from ansible.module_utils.common.parameters import remove_values
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

# Imported here, so that the strategy (which loads this class once in the main process) pays for them once,
# and every task's worker process inherits them.
from ansible_collections.cloudops.azure_backup.plugins.module_utils import _client
from ansible_collections.cloudops.azure_backup.plugins.module_utils import _errors
from ansible_collections.cloudops.azure_backup.plugins.module_utils import _progress
from ansible_collections.cloudops.azure_backup.plugins.module_utils import _task

try:  # what the client secret credential uses; imported now for the same reason
    import msal  # noqa: F401  pylint: disable=unused-import
except ImportError:  # pragma: no cover - then the credential says so when it is needed
    pass

display = Display()

MODULES_PACKAGE = 'ansible_collections.cloudops.azure_backup.plugins.modules'


class ControllerTask(_task.TaskContext):
    """A module's task run in the controller: the validated ``params``, ``check_mode``, warnings, progress."""

    def __init__(self, params, check_mode, progress_emit=None):
        self.params = params
        self.check_mode = check_mode
        self._started = time.monotonic()
        self.warnings = []
        interval = params.get('progress_interval')
        if progress_emit is not None and interval:
            self.progress = _progress.Progress(progress_emit, interval, deadline=self.deadline())

    def warn(self, warning):
        self.warnings.append(warning)


@contextlib.contextmanager
def _environment(values):
    """The task's ``environment:`` for the duration of the run (the worker process is the task's own)."""
    saved = dict((key, os.environ.get(key)) for key in values)
    os.environ.update(dict((key, str(value)) for key, value in values.items()))
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class AzureBackupAction(ActionBase):
    """Runs the module named like the action in the controller when the task is local (see the module doc)."""

    _supports_check_mode = True
    _supports_async = True

    def _runs_here(self):
        return (
            getattr(self._connection, 'transport', None) == 'local'
            and not self._task.async_val
            and _client.HAS_REQUESTS
        )

    def _task_environment(self):
        values = {}
        for entry in self._task.environment or []:
            entry = self._templar.template(entry)
            if isinstance(entry, dict):
                values.update(entry)
        return values

    def run(self, tmp=None, task_vars=None):
        result = super(AzureBackupAction, self).run(tmp, task_vars)
        name = self._task.action.rsplit('.', 1)[-1]
        if not self._runs_here():
            wrap_async = self._task.async_val and not self._connection.has_native_async
            result.update(
                self._execute_module(
                    module_name=self._task.action,
                    module_args=self._task.args,
                    task_vars=task_vars,
                    wrap_async=wrap_async,
                )
            )
            if not wrap_async:
                self._remove_tmp_path(self._connection._shell.tmpdir)  # pylint: disable=protected-access
            return result
        module = importlib.import_module('%s.%s' % (MODULES_PACKAGE, name))
        arguments = dict(module.ARGUMENTS)
        arguments.pop('supports_check_mode', None)
        spec, constraints = _task.module_spec(**arguments)
        with _environment(self._task_environment()):
            result.update(self._run_here(module, spec, constraints, (task_vars or {}).get('inventory_hostname')))
        return result

    def _run_here(self, module, spec, constraints, host):
        validated = ArgumentSpecValidator(spec, **constraints).validate(dict(self._task.args))
        no_log = validated._no_log_values  # pylint: disable=protected-access
        if validated.error_messages:
            messages = [
                'Unsupported parameters for (%s) module: %s' % (self._task.action, error.msg)
                if isinstance(error, UnsupportedError)
                else error.msg
                for error in validated.errors
            ]
            return remove_values(dict(failed=True, msg='; '.join(messages)), no_log)
        host = self._task.delegate_to or host or 'localhost'
        task = ControllerTask(
            validated.validated_parameters,
            bool(self._task.check_mode),
            progress_emit=lambda line: display.display('[%s] %s' % (host, line)),
        )
        try:
            _task.check_numbers(spec, task.params)
            outcome = module.run_module(task)
            outcome.setdefault('changed', False)
        except _errors.MissingDependency as error:
            outcome = dict(failed=True, msg=error.msg, exception=error.traceback)
        except _errors.AzureBackupError as error:
            msg, outcome = _task.failed_result(error, task.elapsed())
            outcome.update(failed=True, msg=msg)
        warnings = list(validated._warnings) + task.warnings  # pylint: disable=protected-access
        if warnings:
            outcome['warnings'] = [w if isinstance(w, str) else w.get('warning', str(w)) for w in warnings]
        return remove_values(outcome, no_log)
