"""Backup jobs: get, list ($filter, paging), cancel, export (README §2)."""

import csv
import io
from datetime import timedelta

from flask import Response

from .. import arm
from ..models import vary
from ..odata import filter_time, parse_filter
from ..operations import Operation
from ..state import _guid
from ..timefmt import iso
from .common import (
    VAULT,
    arm_json,
    async_headers,
    base_url,
    emu,
    empty,
    find_operation,
    json_response,
    not_found,
    page,
    query_param,
)

JOB_STATUSES = ("Invalid", "InProgress", "Completed", "Failed", "CompletedWithWarnings", "Cancelled", "Cancelling")
JOB_OPERATIONS = (
    "Invalid",
    "Register",
    "UnRegister",
    "ConfigureBackup",
    "Backup",
    "Restore",
    "DisableBackup",
    "DeleteBackupData",
    "CrossRegionRestore",
    "Undelete",
    "UpdateCustomerManagedKey",
)
MANAGEMENT_TYPES = (
    "Invalid",
    "AzureIaasVM",
    "MAB",
    "DPM",
    "AzureBackupServer",
    "AzureSql",
    "AzureStorage",
    "AzureWorkload",
    "DefaultBackup",
)


def register(app):
    def add(rule, operation_id, view, method):
        app.add_url_rule(rule, endpoint=operation_id, view_func=view, methods=[method])

    add(VAULT + "/backupJobs", "BackupJobs_List", list_jobs, "GET")
    add(VAULT + "/backupJobs/<job_name>", "JobDetails_Get", get_job, "GET")
    add(VAULT + "/backupJobs/<job_name>/cancel", "JobCancellations_Trigger", cancel_job, "POST")
    add(
        VAULT + "/backupJobs/<job_name>/operationResults/<operation_id>",
        "JobOperationResults_Get",
        job_operation_result,
        "GET",
    )
    add(VAULT + "/backupJobsExport", "Jobs_Export", export_jobs, "POST")
    add(VAULT + "/backupJobs/operationResults/<operation_id>", "ExportJobsOperationResults_Get", export_result, "GET")
    # where the export's blobUrl / excelFileBlobUrl point (a stand-in for the storage blob)
    app.add_url_rule(
        "/_emulator/exports/<operation_id>", endpoint="Emulator_Export_Blob", view_func=export_blob, methods=["GET"]
    )


def _check_enum(filters, field, allowed):
    if field in filters and filters[field].lower() not in {a.lower() for a in allowed}:
        raise arm.invalid_input("Invalid $filter: '%s' is not a valid value for %s." % (filters[field], field))


# --- jobs ----------------------------------------------------------------------------------

JOB_FILTER_FIELDS = ("status", "backupManagementType", "operation", "jobId", "startTime", "endTime")


def _job_filter(text):
    filters = parse_filter(text, JOB_FILTER_FIELDS)
    _check_enum(filters, "status", JOB_STATUSES)
    _check_enum(filters, "operation", JOB_OPERATIONS)
    _check_enum(filters, "backupManagementType", MANAGEMENT_TYPES)
    start = filter_time(filters["startTime"], "startTime") if "startTime" in filters else None
    end = filter_time(filters["endTime"], "endTime") if "endTime" in filters else None
    if start and end and start > end:
        raise arm.invalid_input("Invalid $filter: startTime must not be later than endTime.")
    return filters, start, end


def _job_matches(job, filters, start, end, now):
    if "status" in filters and job.status(now).lower() != filters["status"].lower():
        return False
    if "operation" in filters and job.operation.lower() != filters["operation"].lower():
        return False
    if "backupManagementType" in filters and filters["backupManagementType"].lower() != "azureiaasvm":
        return False
    if "jobId" in filters and job.job_id.lower() != filters["jobId"].lower():
        return False
    if start is not None and job.start < start:
        return False
    if end is not None and job.start > end:
        return False
    return True


def list_jobs(**_kw):
    e = emu()
    text = query_param("$filter")
    filters, start, end = _job_filter(text)
    with e.lock:
        now = e.settled_now()
        state = e.state
        jobs = [j for j in state.sorted_jobs() if _job_matches(j, filters, start, end, now)]
        chunk, next_link = page(jobs, lambda j: (j.start.isoformat(), j.job_id), text)
        body = {"value": [j.render(state.service_vault_path, now, e.duration_format, extended=False) for j in chunk]}
        if next_link:
            body["nextLink"] = next_link
        return arm_json(body)


def get_job(job_name, **_kw):
    e = emu()
    with e.lock:
        now = e.settled_now()
        job = e.state.get_job(job_name)
        if job is None:
            raise not_found("job", job_name)
        return arm_json(job.render(e.state.service_vault_path, now, e.duration_format))


# --- job cancel --------------------------------------------------------------------------------


def cancel_job(job_name, **_kw):
    e = emu()
    with e.lock:
        now = e.settled_now()
        job = e.state.get_job(job_name)
        if job is None:
            raise not_found("job", job_name)
        op = e.state.cancel_job(job, now)
        return empty(202, async_headers(op.result_path))


def job_operation_result(job_name, operation_id, **_kw):
    e = emu()
    with e.lock:
        now = e.settled_now()
        op = find_operation(operation_id, job_name.lower())
        if op.status(now) == "InProgress":
            return empty(202, async_headers(op.result_path))
        return empty(204)


# --- export ------------------------------------------------------------------------------------


def export_jobs(**_kw):
    e = emu()
    text = query_param("$filter")
    filters, start, end = _job_filter(text)
    with e.lock:
        now = e.settled_now()
        state = e.state
        op_id = _guid()

        def on_done(op):
            jobs = [j for j in state.sorted_jobs() if _job_matches(j, filters, start, end, op.end)]
            op.payload = [j.render(state.service_vault_path, op.end, e.duration_format, extended=False) for j in jobs]

        op = Operation(
            op_id=op_id,
            kind="export",
            scope="export",
            start=now,
            seconds=vary(state.timing["operation_seconds"], "export", op_id),
            status_path=None,
            result_path="%s/backupJobs/operationResults/%s" % (state.service_vault_path, op_id),
            on_done=on_done,
            purpose="export",
        )
        state._add_op(op)
        return empty(202, async_headers(op.result_path))


def export_result(operation_id, **_kw):
    e = emu()
    with e.lock:
        now = e.settled_now()
        op = find_operation(operation_id, "export")
        if op.status(now) == "InProgress":
            headers = async_headers(op.result_path)
            body = {
                "headers": {"Location": [headers["Location"]], "Retry-After": [headers["Retry-After"]]},
                "operation": {"objectType": "ExportJobsOperationResultInfo"},
            }
            return arm_json(body, 202, headers)
        sas = "?sv=2014-02-14&sr=b&sig=emulator&st=%s&se=%s&sp=r" % (iso(op.end), iso(op.end + timedelta(minutes=15)))
        blob = "%s/_emulator/exports/%s" % (base_url(), op.op_id)
        return arm_json(
            {
                "headers": {},
                "operation": {
                    "objectType": "ExportJobsOperationResultInfo",
                    "blobUrl": blob,
                    "blobSasKey": sas,
                    "excelFileBlobUrl": blob + ".csv",
                    "excelFileBlobSasKey": sas,
                },
            }
        )


def export_blob(operation_id):
    e = emu()
    as_csv = operation_id.endswith(".csv")
    op_id = operation_id[:-4] if as_csv else operation_id
    with e.lock:
        e.settled_now()
        op = e.state.operations.get(op_id.lower())
        if op is None or op.purpose != "export" or op.payload is None:
            return json_response(
                {"error": {"code": "BlobNotFound", "message": "The specified blob does not exist."}}, 404
            )
        jobs = op.payload
    if not as_csv:
        return json_response({"value": jobs})
    out = io.StringIO()
    fields = ("name", "entityFriendlyName", "operation", "status", "startTime", "endTime", "duration")
    writer = csv.writer(out)
    writer.writerow(fields)
    for job in jobs:
        props = job["properties"]
        writer.writerow([job["name"]] + [props.get(f, "") for f in fields[1:]])
    return Response(out.getvalue(), mimetype="text/csv")
