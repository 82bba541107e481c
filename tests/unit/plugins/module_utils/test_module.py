# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

from ansible_collections.cloudops.azure_backup.plugins.module_utils import _errors
from ansible_collections.cloudops.azure_backup.plugins.module_utils import _module
from ansible_collections.cloudops.azure_backup.plugins.module_utils import _task
from ansible_collections.cloudops.azure_backup.plugins.module_utils._errors import (
    ApiError,
    JobFailed,
    MissingDependency,
    ValidationError,
)
from ansible_collections.cloudops.azure_backup.plugins.module_utils._jobs import job_results, normalize_job

from ansible_collections.cloudops.azure_backup.tests.unit.plugins.module_utils.fakes import SUB, example_body

JOB_1 = "41f3e94b-ae6b-4a20-b422-65abfcaf03e5"
JOB_2 = "5b1d2c3e-0000-4000-8000-000000000002"
VAULT = "/subscriptions/%s/resourceGroups/rg-backup/providers/Microsoft.RecoveryServices/vaults/rsv" % SUB
OTHER = "/subscriptions/%s/resourceGroups/rg-other/providers/Microsoft.RecoveryServices/vaults/rsv" % SUB


class Failed(Exception):
    def __init__(self, kwargs):
        super(Failed, self).__init__(kwargs)
        self.result = kwargs


def _fail_json(self, **kwargs):
    raise Failed(kwargs)


@pytest.fixture(autouse=True)
def environment(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith("AZURE_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("AZURE_SUBSCRIPTION_ID", SUB)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", _fail_json)


def module(args=None, **kwargs):
    with patch_module_args(args or {}):
        return _module.AzureBackupModule(**kwargs)


def job(job_id, status="Completed"):
    resource = example_body("2025-08-01/Common/GetJobDetails.json")
    resource["name"] = job_id
    resource["properties"]["status"] = status
    return normalize_job(resource)


# ------------------------------------------------------------------ job_results


def test_job_results_single():
    one = job(JOB_1)
    assert job_results([one]) == {
        "jobs": [one],
        "job": one,
        "ansible_facts": {"azure_backup_jobs": {JOB_1: one}, "azure_backup_job": one},
    }


def test_job_results_many():
    one, two = job(JOB_1), job(JOB_2, "Failed")
    assert job_results([one, two]) == {
        "jobs": [one, two],
        "ansible_facts": {"azure_backup_jobs": {JOB_1: one, JOB_2: two}},
    }


def test_job_results_forced_single_empty_and_without_facts():
    one, two = job(JOB_1), job(JOB_2)
    assert job_results([one, two], single=True)["job"] is one
    assert "job" not in job_results([one], single=False)
    assert job_results([]) == {"jobs": [], "ansible_facts": {"azure_backup_jobs": {}}}
    assert job_results([], single=True) == {"jobs": [], "ansible_facts": {"azure_backup_jobs": {}}}
    assert job_results([one], facts=False) == {"jobs": [one], "job": one}  # what the _info modules return


# ------------------------------------------------------------------ fail_from_error


def test_fail_from_error_api_error():
    error = ApiError(
        "GET x failed: HTTP 403 AuthorizationFailed", status=403, code="AuthorizationFailed", request_id="req-1"
    )
    with pytest.raises(Failed) as exc:
        module(dict(resource_group="rg", vault_name="v")).fail_from_error(error)
    result = exc.value.result
    assert result["msg"] == "GET x failed: HTTP 403 AuthorizationFailed"
    assert (result["error_code"], result["status"], result["request_id"], result["changed"]) == (
        "AuthorizationFailed",
        403,
        "req-1",
        False,
    )
    assert isinstance(result["elapsed"], float)


def test_fail_from_error_keeps_what_the_task_did():
    failed = job(JOB_1, "Failed")
    error = JobFailed(
        "1 of 1 job(s) ended in a failed state",
        result=dict(job_results([failed]), polls=3, timed_out=False, elapsed=12.0),
    )
    mod = module()
    with pytest.raises(Failed) as exc:
        try:
            with mod.carrying(dict(changed=True, job_id=JOB_1, attached=False, protected_item={"vm_name": "vm1"})):
                raise error
        except _errors.AzureBackupError as carried:
            mod.fail_from_error(carried)
    result = exc.value.result
    assert result["msg"] == error.msg
    assert result["changed"] is True and result["job_id"] == JOB_1 and result["attached"] is False
    assert result["protected_item"] == {"vm_name": "vm1"}
    assert (
        result["jobs"] == [failed] and result["job"] == failed and result["polls"] == 3 and result["timed_out"] is False
    )
    assert result["ansible_facts"] == {"azure_backup_jobs": {JOB_1: failed}, "azure_backup_job": failed}
    assert result["elapsed"] != 12.0  # the task's elapsed time, not the wait's


def test_fail_from_error_missing_dependency():
    with pytest.raises(Failed) as exc:
        module().fail_from_error(MissingDependency("no", library="azure-identity", traceback="Traceback ..."))
    assert "azure-identity" in exc.value.result["msg"] and exc.value.result["exception"] == "Traceback ..."


# ------------------------------------------------------------------ vault paths


def test_vault_path_from_options_and_environment(monkeypatch):
    assert module(dict(resource_group="rg-backup", vault_name="rsv")).vault_path().id == VAULT
    monkeypatch.setenv("AZURE_BACKUP_RESOURCE_GROUP", "rg-backup")
    monkeypatch.setenv("AZURE_BACKUP_VAULT_NAME", "rsv")
    assert module().vault_path().id == VAULT


@pytest.mark.parametrize(
    "args,option",
    [({}, "resource_group"), (dict(vault_name="rsv"), "resource_group"), (dict(resource_group="rg"), "vault_name")],
)
def test_vault_path_names_the_missing_option(args, option):
    with pytest.raises(ValidationError) as exc:
        module(args).vault_path()
    assert exc.value.option == option and exc.value.msg.startswith(option + " is required")
    assert ("AZURE_BACKUP_RESOURCE_GROUP" if option == "resource_group" else "AZURE_BACKUP_VAULT_NAME") in exc.value.msg


@pytest.mark.parametrize(
    "args,option",
    [
        (dict(resource_group="rg/../other", vault_name="rsv"), "resource_group"),
        (dict(resource_group="rg", vault_name="rsv/backupJobs"), "vault_name"),
        (dict(resource_group="rg", vault_name="rsv", subscription_id="../x"), "subscription_id"),
    ],
)
def test_vault_path_refuses_names_that_would_leave_it(args, option):
    with pytest.raises(ValidationError) as exc:
        module(args).vault_path()
    assert exc.value.option == option


def test_job_refs_guids_use_the_vault_options():
    vault, ids = module(dict(resource_group="rg-backup", vault_name="rsv")).job_refs(
        [JOB_1, JOB_2.upper(), JOB_1.upper(), JOB_2]
    )
    assert vault.id == VAULT and ids == [JOB_1, JOB_2.upper()]


def test_job_refs_arm_ids_need_no_vault_options():
    refs = [
        OTHER.replace("/subscriptions/", "/Subscriptions/") + "/backupJobs/" + JOB_1,
        OTHER.replace("rg-other", "RG-OTHER") + "/backupJobs/" + JOB_2,
        OTHER + "/backupJobs/" + JOB_1.upper(),
    ]
    vault, ids = module().job_refs(refs)
    assert vault.id.lower() == OTHER.lower() and ids == [JOB_1, JOB_2]


def test_job_refs_mixed_forms_of_one_vault():
    vault, ids = module(dict(resource_group="RG-Backup", vault_name="rsv")).job_refs(
        [VAULT + "/backupJobs/" + JOB_1, JOB_2, JOB_1]
    )
    assert vault.id.lower() == VAULT.lower() and ids == [JOB_1, JOB_2]


def test_job_refs_of_another_vault_than_the_options_are_refused():
    with pytest.raises(ValidationError) as exc:
        module(dict(resource_group="rg-backup", vault_name="rsv")).job_refs([JOB_1, OTHER + "/backupJobs/" + JOB_2])
    assert exc.value.option == "job_ids" and "one vault" in exc.value.msg
    assert "rg-other" in exc.value.msg and "rg-backup" in exc.value.msg
    with pytest.raises(ValidationError) as exc:
        module().job_refs([VAULT + "/backupJobs/" + JOB_1, OTHER + "/backupJobs/" + JOB_2])
    assert "one vault" in exc.value.msg


def test_job_refs_of_another_subscription_are_refused_not_rewritten():
    foreign = VAULT.replace(SUB, "99999999-0000-0000-0000-000000000000") + "/backupJobs/" + JOB_1
    with pytest.raises(ValidationError) as exc:
        module().job_refs([foreign])
    assert exc.value.option == "job_ids" and "99999999-0000-0000-0000-000000000000" in exc.value.msg
    assert "subscription" in exc.value.msg


@pytest.mark.parametrize(
    "refs", [[], ["nope"], [VAULT + "/backupJobs/not-a-guid"], [VAULT + "/backupJobs/../" + JOB_1]]
)
def test_job_refs_bad_refs(refs):
    with pytest.raises(ValidationError) as exc:
        module(dict(resource_group="rg-backup", vault_name="rsv")).job_refs(refs)
    assert exc.value.option == "job_ids"


def test_job_refs_guid_without_vault_options():
    with pytest.raises(ValidationError) as exc:
        module().job_refs([JOB_1])
    assert exc.value.option == "resource_group"


# ------------------------------------------------------------------ argument specs and settings


@pytest.mark.parametrize(
    "option,value,words",
    [
        ("timeout", 0, "above 0"),
        ("timeout", -5, "above 0"),
        ("timeout", "nan", "finite"),
        ("timeout", "inf", "finite"),
        ("timeout", 2592001, "at most 2592000"),
        ("poll_interval", 0, "above 0"),
        ("poll_interval", -0.5, "above 0"),
        ("poll_interval", "nan", "finite"),
        ("poll_interval", "-inf", "finite"),
        ("poll_interval", 3601, "at most 3600"),
    ],
)
def test_numeric_options_are_finite_and_in_range(option, value, words):
    with pytest.raises(Failed) as exc:
        module({option: value}, shared=("auth", "vault", "wait"))
    msg = exc.value.result["msg"]
    assert msg.startswith(option + ": ") and words in msg and "seconds" in msg


def test_wait_defaults_and_deadline():
    mod = module(shared=("auth", "vault", "operation"))
    assert (mod.params["timeout"], mod.params["poll_interval"], mod.params["wait"]) == (3600, 15, False)
    assert mod.deadline() - mod._started == pytest.approx(3600)
    assert module().deadline() is None  # no wait options, no deadline


@pytest.mark.parametrize(
    "args,words",
    [
        (dict(vm_name="a", vm_id="/x"), "mutually exclusive"),
        (dict(vm_id="/x", vm_resource_group="rg"), "mutually exclusive"),
        (dict(container_name="c"), "protected_item_name"),
        (dict(vm_resource_group="rg"), "vm_name"),
        ({}, "one of the following is required"),
    ],
)
def test_item_constraints(args, words):
    with pytest.raises(Failed) as exc:
        module(args, shared=("auth", "vault", "item"))
    assert words in exc.value.result["msg"]


def test_own_constraints_merge_with_the_item_constraints():
    with pytest.raises(Failed) as exc:
        module(
            dict(vm_name="a", x="1", y="2"),
            shared=("auth", "vault", "item"),
            argument_spec=dict(x=dict(type="str"), y=dict(type="str")),
            mutually_exclusive=[("x", "y")],
        )
    assert "x|y" in exc.value.result["msg"]


def test_secret_and_password_are_no_log_and_nothing_else_is():
    assert sorted(name for name, spec in _task.AUTH_SPEC.items() if spec.get("no_log")) == ["password", "secret"]
