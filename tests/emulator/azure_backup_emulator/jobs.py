"""Backup jobs that live on emulated time.

A job is a plan (start time, tasks with durations, outcome); its status, tasks, progress and
duration at any emulated instant are computed from that plan, so nothing has to tick. The state
settles a job once (``settled``) when its end passes, to apply side effects (recovery point,
item's lastBackup*).
"""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Optional

from .timefmt import dotnet_general, format_duration, iso

TERMINAL = ("Completed", "CompletedWithWarnings", "Failed", "Cancelled")


@dataclass
class Task:
    task_id: str
    seconds: float
    cancellable: bool = False
    hidden: bool = False  # timing only, not listed in tasksList


@dataclass
class Job:
    job_id: str
    operation: str  # Backup, Restore, ConfigureBackup, DisableBackup, ...
    entity_friendly_name: str
    container_name: str  # iaasvmcontainerv2;<rg>;<vm> (no first segment)
    start: object  # datetime (UTC)
    tasks: list
    outcome: str = "Completed"  # Completed | CompletedWithWarnings | Failed
    fail_task: Optional[int] = None  # index of the task that fails (at its end)
    error_details: list = field(default_factory=list)
    dynamic_error_message: Optional[str] = None
    property_bag: dict = field(default_factory=dict)  # shown from the start
    final_property_bag: dict = field(default_factory=dict)  # added when it succeeded
    is_user_triggered: bool = True
    activity_id: str = ""
    context: dict = field(default_factory=dict)  # for side effects (item key, rp, ...)
    cancel_requested: Optional[object] = None
    cancel_seconds: float = 30.0
    settled: bool = False

    # --- plan ------------------------------------------------------------------------------

    def _task_windows(self):
        at = self.start
        for task in self.tasks:
            end = at + timedelta(seconds=task.seconds)
            yield task, at, end
            at = end

    def planned_end(self):
        if self.cancel_requested is not None:
            return self.cancel_requested + timedelta(seconds=self.cancel_seconds)
        last = len(self.tasks) - 1 if self.fail_task is None else self.fail_task
        total = sum(task.seconds for task in self.tasks[: last + 1])
        return self.start + timedelta(seconds=total)

    def final_status(self):
        return "Cancelled" if self.cancel_requested is not None else self.outcome

    def status(self, now):
        if now >= self.planned_end():
            return self.final_status()
        return "Cancelling" if self.cancel_requested is not None else "InProgress"

    def is_running(self, now):
        return self.status(now) not in TERMINAL

    def current_task(self, now):
        """Index of the task running at ``now`` (None when none is)."""
        for index, (_task, begin, end) in enumerate(self._task_windows()):
            if begin <= now < end:
                return index
        return None

    def cancellable(self, now):
        if self.status(now) != "InProgress":
            return False
        index = self.current_task(now)
        return index is not None and self.tasks[index].cancellable

    # --- rendering -------------------------------------------------------------------------

    def _task_state(self, index, begin, end, now):
        """(status, started, ended, progress) of one task at ``now``."""
        job_end = self.planned_end()
        cut = min(now, job_end)
        final = now >= job_end
        if self.cancel_requested is not None and begin >= self.cancel_requested:
            return "NotStarted", None, None, None
        if self.fail_task is not None and index > self.fail_task:
            return "NotStarted", None, None, None
        if cut < begin:
            return "NotStarted", None, None, None
        if self.cancel_requested is not None and begin <= self.cancel_requested < end:
            return ("Cancelled" if final else "InProgress"), begin, (job_end if final else None), None
        if cut < end:
            span = (end - begin).total_seconds() or 1.0
            progress = round(100.0 * (cut - begin).total_seconds() / span, 2)
            return "InProgress", begin, None, progress
        if self.fail_task == index:
            return "Failed", begin, end, None
        return "Completed", begin, end, 100.0

    def render_tasks(self, now, duration_format):
        tasks = []
        for index, (task, begin, end) in enumerate(self._task_windows()):
            if task.hidden:
                continue
            status, started, ended, progress = self._task_state(index, begin, end, now)
            item = {"taskId": task.task_id, "status": status}
            if started is not None:
                item["startTime"] = iso(started)
                elapsed = ((ended or now) - started).total_seconds()
                item["duration"] = format_duration(elapsed, duration_format)
            else:
                item["duration"] = format_duration(0, duration_format)
            if ended is not None:
                item["endTime"] = iso(ended)
            if progress is not None:
                item["progressPercentage"] = progress
            tasks.append(item)
        return tasks

    def progress(self, now):
        total = sum(task.seconds for task in self.tasks) or 1.0
        done = min(max((now - self.start).total_seconds(), 0.0), total)
        return round(100.0 * done / total, 2), total - done

    def render(self, vault_id, now, duration_format, extended=True):
        status = self.status(now)
        end = self.planned_end() if status in TERMINAL else None
        elapsed = ((end or now) - self.start).total_seconds()
        props = {
            "jobType": "AzureIaaSVMJob",
            "entityFriendlyName": self.entity_friendly_name,
            "backupManagementType": "AzureIaasVM",
            "operation": self.operation,
            "status": status,
            "startTime": iso(self.start),
            "activityId": self.activity_id,
            "duration": format_duration(elapsed, duration_format),
            "virtualMachineVersion": "Compute",
            "containerName": self.container_name,
            "isUserTriggered": self.is_user_triggered,
        }
        if end is not None:
            props["endTime"] = iso(end)
        if self.cancellable(now):
            props["actionsInfo"] = ["Cancellable"]
        if status in ("Failed", "CompletedWithWarnings") and self.error_details:
            props["errorDetails"] = self.error_details
        if extended:
            props["extendedInfo"] = self._extended_info(now, status, duration_format)
        return {
            "id": "%s/backupJobs/%s" % (vault_id, self.job_id),
            "name": self.job_id,
            "type": "Microsoft.RecoveryServices/vaults/backupJobs",
            "properties": props,
        }

    def _extended_info(self, now, status, duration_format):
        bag = dict(self.property_bag)
        if status in ("Completed", "CompletedWithWarnings"):
            bag.update(self.final_property_bag)
        info = {"tasksList": self.render_tasks(now, duration_format), "propertyBag": bag}
        if status == "InProgress":
            percent, remaining = self.progress(now)
            info["progressPercentage"] = percent
            info["estimatedRemainingDuration"] = format_duration(remaining, duration_format)
        if status == "Failed" and self.dynamic_error_message:
            info["dynamicErrorMessage"] = self.dynamic_error_message
        return info


def error_info(error):
    """AzureIaaSVMErrorInfo from a scenario error {code, error_code, message, recommendations};
    the symbolic code (e.g. ExtensionSnapshotFailedNoNetwork) is shown as errorTitle."""
    return {
        "errorCode": int(error.get("error_code", 0)),
        "errorTitle": error.get("title", error.get("code", "")),
        "errorString": error.get("message", ""),
        "recommendations": list(error.get("recommendations", [])),
    }


def backup_property_bag(vm_name):
    return {"VM Name": vm_name}


def backup_final_property_bag(size_mb, rp_time, rp_expiry):
    bag = {"Backup Size": "%d MB" % size_mb, "Recovery point time": dotnet_general(rp_time)}
    if rp_expiry is not None:
        bag["Recovery point expiry time in UTC"] = dotnet_general(rp_expiry)
    return bag
