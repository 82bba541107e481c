"""The emulated vault: VMs, protected items, policies, jobs and operations, built from a scenario.

All mutations happen under the emulator's lock. Time is passed in explicitly (emulated ``now``);
``settle(now)`` completes operations and jobs whose end has passed, in time order, and applies
their side effects.
"""

import uuid
from datetime import datetime, timedelta

from . import arm
from .jobs import Job, Task, backup_final_property_bag, backup_property_bag, error_info
from .models import ProtectedItem, RecoveryPoint, VirtualMachine, stable_fraction, vary
from .operations import Operation
from .resources import ResourceStore
from .scenario import all_vms, disk_layout

BACKUP_IN_PROGRESS_MESSAGE = (
    "Backup failed as another backup operation is already in progress. Please wait until the "
    "previous backup operation is finished and then try again."
)


def _guid(*parts):
    """Deterministic GUIDs for seeded objects, random ones for new ones."""
    if parts:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, "azure-backup-emulator:" + "|".join(map(str, parts))))
    return str(uuid.uuid4())


class VaultState:
    def __init__(self, scenario, now):
        self.scenario = scenario
        self.subscription_id = scenario["subscription_id"]
        vault = scenario["vault"]
        self.vault_name = vault["name"]
        self.vault_rg = vault["resource_group"]
        self.location = vault["location"]
        self.vault_path = "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.RecoveryServices/vaults/%s" % (
            self.subscription_id,
            self.vault_rg,
            self.vault_name,
        )
        # Job ids and async URLs use the capitalised form the service returns (README §1).
        self.service_vault_path = "/Subscriptions" + self.vault_path[len("/subscriptions") :]
        self.timing = scenario["timing"]
        self.policies = {p["name"].lower(): p for p in scenario["policies"]}
        self.vms = {}
        self.items = {}
        self.jobs = {}
        self.operations = {}
        self._open_ops = set()
        self._open_jobs = set()
        self._scheduled = 0  # operations + jobs added so far (settle)
        self._counter = 0
        self.resource_groups = {self.vault_rg.lower()}
        self.resource_groups.update(rg.lower() for rg in scenario.get("resource_groups") or [])
        # ARM resources restores created (disks, VMs, NICs, staging containers) and the storage accounts they named
        self.arm = ResourceStore()
        self._build(now)

    # --- building / seeding ----------------------------------------------------------------

    def _build(self, now):
        for spec in all_vms(self.scenario):
            vm = VirtualMachine(
                name=spec["name"],
                resource_group=spec["resource_group"],
                subscription_id=self.subscription_id,
                location=spec.get("location", self.location),
                size=spec.get("size", "Standard_D2s_v3"),
                os_type=spec.get("os_type", "Linux"),
                backup=dict(spec.get("backup") or {}),
                discovered=bool(spec.get("discovered", True)),
                restore=dict(spec.get("restore") or {}),
                disks=disk_layout(self.scenario, spec),
            )
            self.vms[vm.key] = vm
            self.resource_groups.add(vm.resource_group.lower())
            if spec.get("protected", True):
                self._seed_item(vm, spec.get("policy", "DefaultPolicy"), now)
        self.settle(now)

    def _seed_item(self, vm, policy_name, now):
        policy = self.policies[policy_name.lower()]
        days = int(self.scenario.get("history", {}).get("days", 5))
        since = _midnight(now) - timedelta(days=days + 1) + timedelta(hours=9)
        item = ProtectedItem(
            vm=vm,
            policy_name=policy["name"],
            protection_state="IRPending",
            health_status="Passed",
            data_id=str(int(stable_fraction("data", vm.key) * 10**17)),
            protected_since=since,
        )
        self.items[item.key] = item
        self._add_job(self._configure_job(item, since, seeded=True))
        hour, minute = (int(x) for x in policy.get("schedule_run_time", "19:00").split(":"))
        for day in range(days, 0, -1):
            start = _midnight(now) - timedelta(days=day) + timedelta(hours=hour, minutes=minute)
            outcome = vm.backup.get("outcome", "Completed") if day == 1 else "Completed"
            expiry = start + timedelta(days=int(policy.get("daily_retention_days", 30)))
            self._add_job(self._backup_job(item, start, expiry, user=False, outcome=outcome, seed=("hist", day)))

    # --- ids, bookkeeping ------------------------------------------------------------------

    def _next(self):
        self._counter += 1
        return self._counter

    def _add_job(self, job):
        self.jobs[job.job_id] = job
        self._open_jobs.add(job.job_id)
        self._scheduled += 1
        return job

    def _add_op(self, op):
        self.operations[op.op_id] = op
        self._open_ops.add(op.op_id)
        self._scheduled += 1
        return op

    def item_path(self, item_or_vm):
        vm = getattr(item_or_vm, "vm", item_or_vm)
        return "%s/backupFabrics/Azure/protectionContainers/%s/protectedItems/%s" % (
            self.service_vault_path,
            vm.container_name,
            vm.item_name,
        )

    def error_code(self, name, default):
        """Codes the public contract does not pin down are scenario-configurable (errors.*)."""
        return (self.scenario.get("errors") or {}).get(name, default)

    def item_operation(self, vm, purpose, now, on_done, seconds=None, result_status=204, result_body=None):
        """An item-level async operation (operationsStatus + operationResults under the item)."""
        op_id = _guid()
        base = self.item_path(vm)
        if seconds is None:
            seconds = vary(self.timing["operation_seconds"], purpose, vm.key, self._next())
        op = Operation(
            op_id=op_id,
            kind="item",
            scope=vm.key,
            start=now,
            seconds=seconds,
            status_path="%s/operationsStatus/%s" % (base, op_id),
            result_path="%s/operationResults/%s" % (base, op_id),
            on_done=on_done,
            purpose=purpose,
            result_status=result_status,
            result_body=result_body,
        )
        return self._add_op(op)

    def vault_operation(self, purpose, now, on_done, seconds=None):
        """A vault-level async operation (backupOperations / backupOperationResults)."""
        op_id = _guid()
        if seconds is None:
            seconds = vary(self.timing["operation_seconds"], purpose, self._next())
        op = Operation(
            op_id=op_id,
            kind="vault",
            scope="vault",
            start=now,
            seconds=seconds,
            status_path="%s/backupOperations/%s" % (self.service_vault_path, op_id),
            result_path="%s/backupOperationResults/%s" % (self.service_vault_path, op_id),
            on_done=on_done,
            purpose=purpose,
        )
        return self._add_op(op)

    def add_job(self, job):
        return self._add_job(job)

    def policy_id(self, name):
        return "%s/backupPolicies/%s" % (self.vault_path, self.policies[name.lower()]["name"]) if name else None

    # --- lookups ---------------------------------------------------------------------------

    def find_item(self, container, item_name):
        item = self.items.get(item_name.lower())
        if item is None or item.vm.container_name.lower() != container.lower():
            raise arm.item_not_found()
        return item

    def find_vm_by_item_name(self, container, item_name):
        vm = self.vms.get(item_name.lower())
        if vm is None or vm.container_name.lower() != container.lower():
            return None
        return vm

    def protected_count(self, policy_name):
        return sum(
            1
            for item in self.items.values()
            if (item.policy_name or "").lower() == policy_name.lower()
            and item.protection_state not in ("ProtectionStopped",)
            and not item.soft_deleted
        )

    # --- time ------------------------------------------------------------------------------

    def settle(self, now):
        """Complete, in time order, every operation and job whose end is not after ``now``.

        The due list is sorted once and worked through; it is only rebuilt when completing one
        scheduled something new (an operation that starts its job), so a scenario with hundreds
        of VMs and their history loads in linear, not quadratic, time."""
        while True:
            due = [(self.operations[o].end, 0, o) for o in self._open_ops if self.operations[o].end <= now]
            due += [(end, 1, j) for j in self._open_jobs for end in (self.jobs[j].planned_end(),) if end <= now]
            if not due:
                return
            for _when, kind, key in sorted(due):
                scheduled = self._scheduled
                self._complete(kind, key)
                if self._scheduled != scheduled:
                    break  # something new may end before the rest of this list

    def _complete(self, kind, key):
        if kind == 0:
            self._open_ops.discard(key)
            self.operations[key].settle()
        else:
            self._open_jobs.discard(key)
            job = self.jobs[key]
            job.settled = True
            self._job_ended(job)

    def _job_ended(self, job):
        hook = job.context.get("on_end")
        if hook is not None:
            hook(job)

    # --- backup ----------------------------------------------------------------------------

    def backup_running(self, item, now):
        for op_id in self._open_ops:
            op = self.operations[op_id]
            if op.scope == item.key and op.purpose == "backup":
                return True
        return any(
            job.context.get("item") == item.key and job.operation == "Backup" and job.is_running(now)
            for job in self.jobs.values()
        )

    def trigger_backup(self, item, expiry, now):
        if self.backup_running(item, now):
            raise arm.ArmError(400, "UserErrorBackupOperationInProgress", BACKUP_IN_PROGRESS_MESSAGE)
        n = self._next()
        if expiry is None:
            expiry = now + timedelta(days=30)

        def on_done(op):
            return self._add_job(self._backup_job(item, op.end, expiry, user=True, seed=("n", n))).job_id

        return self.item_operation(
            item.vm, "backup", now, on_done, seconds=vary(self.timing["operation_seconds"], "op", item.key, n)
        )

    def _backup_job(self, item, start, expiry, user, seed, outcome=None):
        vm = item.vm
        timing = self.timing
        outcome = outcome or vm.backup.get("outcome", "Completed")
        snapshot = vm.backup.get("snapshot_seconds") or vary(timing["snapshot_seconds"], "snap", vm.key, *seed)
        transfer = vm.backup.get("transfer_seconds") or vary(timing["transfer_seconds"], "xfer", vm.key, *seed)
        job = Job(
            job_id=_guid("job", vm.key, *seed) if seed[0] == "hist" else _guid(),
            operation="Backup",
            entity_friendly_name=vm.name,
            container_name=vm.short_container,
            start=start,
            tasks=[Task("Take Snapshot", snapshot, cancellable=True), Task("Transfer data to vault", transfer)],
            outcome=outcome,
            is_user_triggered=user,
            activity_id=_guid("activity", vm.key, *seed) if seed[0] == "hist" else _guid(),
            property_bag=backup_property_bag(vm.name),
            cancel_seconds=float(timing.get("cancel_seconds", 30)),
            context={"item": item.key, "expiry": expiry, "snapshot_seconds": snapshot, "on_end": self._backup_ended},
        )
        error = vm.backup.get("error")
        if outcome == "Failed":
            job.fail_task = 0
            error = error or {
                "code": "BackUpOperationFailed",
                "error_code": 400001,
                "message": "Backup failed with an internal error.",
                "recommendations": ["Retry the operation after some time."],
            }
            job.error_details = [error_info(error)]
            job.dynamic_error_message = error["message"]
        elif outcome == "CompletedWithWarnings" and error:
            job.error_details = [error_info(error)]
        if outcome != "Failed":
            rp_time = start + timedelta(seconds=snapshot)
            job.final_property_bag = backup_final_property_bag(int(vm.backup.get("size_mb", 2332)), rp_time, expiry)
        return job

    def _backup_ended(self, job):
        item = self.items.get(job.context["item"])
        if item is None:
            return
        status = job.final_status()
        if status == "Cancelled":
            return
        item.last_backup_status = status
        item.last_backup_time = job.start
        if status == "Failed":
            item.health_status = "ActionRequired"
            error = job.error_details[0] if job.error_details else {}
            item.health_details = [
                {
                    "code": error.get("errorCode", 0),
                    "title": error.get("errorTitle", ""),
                    "message": error.get("errorString", ""),
                    "recommendations": error.get("recommendations", []),
                }
            ]
            item.protection_state = "ProtectionError"
            return
        item.health_status = "ActionSuggested" if status == "CompletedWithWarnings" else "Passed"
        item.health_details = []
        if item.protection_state in ("IRPending", "ProtectionError"):
            item.protection_state = "Protected"
        rp_time = job.start + timedelta(seconds=job.context["snapshot_seconds"])
        self._add_recovery_point(item, rp_time, job.context.get("expiry"), warnings=(status == "CompletedWithWarnings"))

    def _add_recovery_point(self, item, when, expiry, warnings=False):
        policy = self.policies.get((item.policy_name or "").lower(), {})
        vm = item.vm
        if warnings:
            rp_type = "CrashConsistent"
        else:
            rp_type = "AppConsistent" if vm.os_type.lower() == "windows" else "FileSystemConsistent"
        rp = RecoveryPoint(
            rp_id=str(10**13 + int(stable_fraction("rp", vm.key, when.isoformat()) * 9 * 10**13)),
            time=when,
            rp_type=rp_type,
            expiry=expiry,
            instant_days=int(policy.get("instant_rp_retention_days", 2)),
            size=vm.size,
            os_type="Windows" if vm.os_type.lower() == "windows" else "Linux",
            rule_name="DailyRule" if policy else "",
        )
        item.recovery_points.insert(0, rp)
        item.recovery_points.sort(key=lambda r: r.time, reverse=True)
        return rp

    # --- ConfigureBackup (seed now; PUT protectedItem later) --------------------------------

    def _configure_job(self, item, start, seeded=False):
        vm = item.vm
        seconds = float(self.timing.get("configure_seconds", 40))
        return Job(
            job_id=_guid("configure", vm.key) if seeded else _guid(),
            operation="ConfigureBackup",
            entity_friendly_name=vm.name,
            container_name=vm.short_container,
            start=start,
            tasks=[Task("Configure Backup", seconds, hidden=True)],
            is_user_triggered=True,
            activity_id=_guid("configure-activity", vm.key) if seeded else _guid(),
            property_bag={"VM Name": vm.name, "Policy Name": item.policy_name or ""},
            context={"item": item.key},
        )

    # --- jobs ------------------------------------------------------------------------------

    def cancel_job(self, job, now):
        """JobCancellations_Trigger: the job goes Cancelling now, Cancelled after cancel_seconds."""
        code = self.error_code("job_not_cancellable_code", "BMSUserErrorJobNotCancellable")
        status = job.status(now)
        if status == "Cancelling":
            raise arm.ArmError(400, code, "The job '%s' is already being cancelled." % job.job_id)
        if status != "InProgress":
            raise arm.ArmError(
                400, code, "The job '%s' has already ended (%s) and cannot be cancelled." % (job.job_id, status)
            )
        if not job.cancellable(now):
            task = job.tasks[job.current_task(now)].task_id if job.current_task(now) is not None else ""
            raise arm.ArmError(
                400, code, "The job '%s' cannot be cancelled while in the '%s' phase." % (job.job_id, task)
            )
        job.cancel_requested = now
        op_id = _guid()
        op = Operation(
            op_id=op_id,
            kind="job",
            scope=job.job_id,
            start=now,
            seconds=job.cancel_seconds,
            status_path=None,
            result_path="%s/backupJobs/%s/operationResults/%s" % (self.service_vault_path, job.job_id, op_id),
            purpose="cancel",
        )
        return self._add_op(op)

    def get_job(self, job_id):
        return self.jobs.get(job_id.lower())

    def sorted_jobs(self):
        return sorted(self.jobs.values(), key=lambda j: (j.start, j.job_id), reverse=True)


def _midnight(value):
    return datetime(value.year, value.month, value.day, tzinfo=value.tzinfo)
