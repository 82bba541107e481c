"""Resources of the emulated vault and how they render (shapes from shared/azure-backup-api/examples)."""

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Optional

from .timefmt import iso

ITEM_TYPE = "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems"
RP_TYPE = ITEM_TYPE + "/recoveryPoints"
PROTECTABLE_TYPE = "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectableItems"
POLICY_TYPE = "Microsoft.RecoveryServices/vaults/backupPolicies"


def stable_fraction(*parts):
    """A number in [0, 1) that depends only on ``parts`` (deterministic variation)."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()
    return int(digest[:8], 16) / 0x100000000


def vary(bounds, *parts):
    """A value inside ``bounds`` ([lo, hi] or a number) chosen deterministically from ``parts``."""
    if isinstance(bounds, (int, float)):
        return float(bounds)
    low, high = float(bounds[0]), float(bounds[1])
    return round(low + (high - low) * stable_fraction(*parts), 3)


@dataclass
class VirtualMachine:
    name: str
    resource_group: str
    subscription_id: str
    location: str
    size: str = "Standard_D2s_v3"
    os_type: str = "Linux"
    backup: dict = field(default_factory=dict)
    discovered: bool = True  # listed as protectable only once discovered (refreshContainers)
    restore: dict = field(default_factory=dict)
    # {"os": {size_gb, sku}, "data": [{lun, size_gb, sku}]} (scenario.disk_layout): what a restore creates
    disks: dict = field(default_factory=lambda: {"os": {"size_gb": 30, "sku": "Premium_LRS"}, "data": []})

    @property
    def vm_id(self):
        return "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Compute/virtualMachines/%s" % (
            self.subscription_id,
            self.resource_group,
            self.name,
        )

    @property
    def short_container(self):
        return "iaasvmcontainerv2;%s;%s" % (self.resource_group.lower(), self.name.lower())

    @property
    def container_name(self):
        return "IaasVMContainer;" + self.short_container

    @property
    def item_name(self):
        return "VM;" + self.short_container

    @property
    def key(self):
        return self.item_name.lower()


@dataclass
class RecoveryPoint:
    rp_id: str
    time: object
    rp_type: str
    expiry: Optional[object]
    instant_days: int
    size: str
    os_type: str
    rule_name: str = ""

    def render(self, item_id, now):
        tiers = []
        if now - self.time < timedelta(days=self.instant_days):
            tiers.append({"type": "InstantRP", "status": "Valid"})
        tiers.append({"type": "HardenedRP", "status": "Valid"})
        props = {
            "objectType": "IaasVMRecoveryPoint",
            "recoveryPointType": self.rp_type,
            "recoveryPointTime": iso(self.time),
            "recoveryPointAdditionalInfo": "",
            "sourceVMStorageType": "NormalStorage",
            "isSourceVMEncrypted": False,
            "isInstantIlrSessionActive": False,
            "recoveryPointTierDetails": tiers,
            "isManagedVirtualMachine": True,
            "virtualMachineSize": self.size,
            "originalStorageAccountOption": False,
            "osType": self.os_type,
            "securityType": "None",
            "isPrivateAccessEnabledOnAnyDisk": False,
            "recoveryPointMoveReadinessInfo": {"ArchivedRP": {"isReadyForMove": False}},
            "recoveryPointProperties": {
                "expiryTime": iso(self.expiry) if self.expiry else None,
                "ruleName": self.rule_name,
                "isSoftDeleted": False,
            },
        }
        return {
            "id": "%s/recoveryPoints/%s" % (item_id, self.rp_id),
            "name": self.rp_id,
            "type": RP_TYPE,
            "properties": props,
        }


@dataclass
class ProtectedItem:
    vm: VirtualMachine
    policy_name: Optional[str]
    protection_state: str = "Protected"
    health_status: str = "Passed"
    health_details: list = field(default_factory=list)
    last_backup_status: Optional[str] = None
    last_backup_time: Optional[object] = None
    data_id: str = ""
    recovery_points: list = field(default_factory=list)  # newest first
    protected_since: Optional[object] = None
    soft_deleted: bool = False
    deleted_at: Optional[object] = None
    soft_delete_days: int = 14

    @property
    def key(self):
        return self.vm.key

    @property
    def last_recovery_point(self):
        return self.recovery_points[0].time if self.recovery_points else None

    def item_id(self, vault_id):
        return "%s/backupFabrics/Azure/protectionContainers/%s/protectedItems/%s" % (
            vault_id,
            self.vm.container_name,
            self.vm.item_name,
        )

    def render(self, vault_id, policy_id, policy_type, extended=False, now=None):
        vm = self.vm
        props = {
            "protectedItemType": "Microsoft.Compute/virtualMachines",
            "backupManagementType": "AzureIaasVM",
            "workloadType": "VM",
            "containerName": vm.short_container,
            "sourceResourceId": vm.vm_id,
            "policyId": policy_id,
            "policyName": self.policy_name,
            "lastRecoveryPoint": iso(self.last_recovery_point),
            "friendlyName": vm.name,
            "virtualMachineId": vm.vm_id,
            "protectionStatus": "Healthy" if self.health_status == "Passed" else "Unhealthy",
            "protectionState": self.protection_state,
            "healthStatus": self.health_status,
            "lastBackupStatus": self.last_backup_status,
            "lastBackupTime": iso(self.last_backup_time),
            "protectedItemDataId": self.data_id,
            "policyType": policy_type,
            "sourceLocation": vm.location,
            "vaultId": vault_id,
        }
        if self.health_details:
            props["healthDetails"] = self.health_details
        if self.soft_deleted:
            purge = self.deleted_at + timedelta(days=self.soft_delete_days)
            props["isScheduledForDeferredDelete"] = True
            props["deferredDeleteTimeInUTC"] = iso(purge)
            if now is not None:
                left = max(0, int((purge - now).total_seconds()))
                props["deferredDeleteTimeRemaining"] = "%d.%02d:%02d:%02d" % (
                    left // 86400,
                    left % 86400 // 3600,
                    left % 3600 // 60,
                    left % 60,
                )
        if extended:
            props["extendedInfo"] = {
                "oldestRecoveryPoint": iso(self.recovery_points[-1].time) if self.recovery_points else None,
                "recoveryPointCount": len(self.recovery_points),
                "policyInconsistent": False,
            }
        return {"id": self.item_id(vault_id), "name": vm.item_name, "type": ITEM_TYPE, "properties": props}


def render_policy(policy, vault_id, protected_count):
    """AzureIaaSVMProtectionPolicy (examples/2025-08-01/AzureIaasVm/ProtectionPolicies_Get.json)."""
    run_time = "2026-01-01T%s:00Z" % policy.get("schedule_run_time", "19:00")
    days = int(policy.get("daily_retention_days", 30))
    props = {
        "backupManagementType": "AzureIaasVM",
        "protectedItemsCount": protected_count,
        "instantRpRetentionRangeInDays": int(policy.get("instant_rp_retention_days", 2)),
        "timeZone": policy.get("time_zone", "UTC"),
        "policyType": policy.get("policy_type", "V1"),
        "retentionPolicy": {
            "retentionPolicyType": "LongTermRetentionPolicy",
            "dailySchedule": {
                "retentionTimes": [run_time],
                "retentionDuration": {"count": days, "durationType": "Days"},
            },
        },
    }
    if props["policyType"] == "V2":
        props["schedulePolicy"] = {
            "schedulePolicyType": "SimpleSchedulePolicyV2",
            "scheduleRunFrequency": "Hourly",
            "hourlySchedule": {
                "interval": int(policy.get("hourly_interval", 4)),
                "scheduleWindowStartTime": run_time,
                "scheduleWindowDuration": 24 - int(policy.get("hourly_interval", 4)),
            },
        }
    else:
        props["schedulePolicy"] = {
            "schedulePolicyType": "SimpleSchedulePolicy",
            "scheduleRunFrequency": "Daily",
            "scheduleRunTimes": [run_time],
            "scheduleWeeklyFrequency": 0,
        }
    return {
        "id": "%s/backupPolicies/%s" % (vault_id, policy["name"]),
        "name": policy["name"],
        "type": POLICY_TYPE,
        "properties": props,
    }


def render_vault(scenario, vault_id):
    """Vaults_Get, shape of examples/recoveryservices-2026-11-01/GETVault.json."""
    vault = scenario["vault"]
    return {
        "id": vault_id,
        "name": vault["name"],
        "type": "Microsoft.RecoveryServices/vaults",
        "etag": 'W/"datetime\'2026-01-01T00%3A00%3A00.0000000Z\'"',
        "location": vault["location"],
        "tags": dict(vault.get("tags") or {}),
        "identity": {
            "type": "SystemAssigned",
            "principalId": "3f8e2a41-6a5c-4e0f-9b1e-7d2c5a9e4b10",
            "tenantId": scenario["tenant_id"],
        },
        "sku": {"name": "Standard"},
        "properties": {
            "provisioningState": "Succeeded",
            "privateEndpointStateForBackup": "None",
            "privateEndpointStateForSiteRecovery": "None",
            "publicNetworkAccess": "Enabled",
            "bcdrSecurityLevel": "Fair",
            "secureScore": "Adequate",
            "monitoringSettings": {
                "azureMonitorAlertSettings": {
                    "alertsForAllJobFailures": "Enabled",
                    "alertsForAllFailoverIssues": "Disabled",
                    "alertsForAllReplicationIssues": "Enabled",
                },
                "classicAlertSettings": {
                    "alertsForCriticalOperations": "Disabled",
                    "emailNotificationsForSiteRecovery": "Enabled",
                },
            },
            "redundancySettings": {
                "standardTierStorageRedundancy": vault.get("storage_redundancy", "GeoRedundant"),
                "crossRegionRestore": "Disabled",
            },
            "securitySettings": {
                "immutabilitySettings": {"state": "Disabled"},
                "softDeleteSettings": {
                    "softDeleteState": "Enabled",
                    "softDeleteRetentionPeriodInDays": 14,
                    "enhancedSecurityState": "Enabled",
                },
                "multiUserAuthorization": "Disabled",
            },
        },
    }


def render_protectable(vm, vault_id, protection_state):
    """Protectable VM (examples/2026-10-01/AzureIaasVm/BackupProtectableItems_List.json)."""
    return {
        "id": "%s/backupFabrics/Azure/protectionContainers/%s/protectableItems/%s"
        % (vault_id, vm.container_name, vm.item_name),
        "name": vm.item_name,
        "type": PROTECTABLE_TYPE,
        "properties": {
            "protectableItemType": "Microsoft.Compute/virtualMachines",
            "backupManagementType": "AzureIaasVM",
            "workloadType": "VM",
            "friendlyName": vm.name,
            "protectionState": protection_state,
            "virtualMachineId": vm.vm_id,
            "virtualMachineVersion": "Compute",
            "resourceGroup": vm.resource_group,
        },
    }
