"""ARM routes of the resources a restore creates: managed disks and virtual machines (Microsoft.Compute),
network interfaces (Microsoft.Network), blob containers (Microsoft.Storage), the Compute/Network operation
status resources of their DELETEs, and the listing of a resource group (Resources_ListByResourceGroup)."""

from flask import request

from .. import arm, resources
from ..odata import parse_filter
from ..timefmt import iso
from .common import arm_json, base_url, emu, empty, page, query_param

RG = "/subscriptions/<subscription_id>/resourceGroups/<resource_group>"
SUB = "/subscriptions/<subscription_id>"

# operation -> (key of the scenario's arm_api_versions, resource type named in errors, namespace); the app checks
# the api-version against that list before anything else (NoRegisteredProviderFound / InvalidApiVersionParameter).
API_VERSION_TYPES = {
    "Disks_Get": ("disks", "disks", "Microsoft.Compute"),
    "Disks_Delete": ("disks", "disks", "Microsoft.Compute"),
    "VirtualMachines_Get": ("virtualMachines", "virtualMachines", "Microsoft.Compute"),
    "VirtualMachines_Delete": ("virtualMachines", "virtualMachines", "Microsoft.Compute"),
    "NetworkInterfaces_Get": ("networkInterfaces", "networkInterfaces", "Microsoft.Network"),
    "NetworkInterfaces_Delete": ("networkInterfaces", "networkInterfaces", "Microsoft.Network"),
    "BlobContainers_Get": ("containers", "storageAccounts/blobServices/containers", "Microsoft.Storage"),
    "BlobContainers_Delete": ("containers", "storageAccounts/blobServices/containers", "Microsoft.Storage"),
    "Resources_ListByResourceGroup": ("resources", "resourceGroups/resources", None),
}

# The Compute operation resource answers both URLs a DELETE hands out; Location adds monitor=true.
COMPUTE_STATUS = "ComputeOperations_Get"
COMPUTE_RESULT = "ComputeOperationResults_Get"


def register(app):
    def add(rule, operation_id, view, method):
        app.add_url_rule(rule, endpoint=operation_id, view_func=view, methods=[method])

    disk = RG + "/providers/Microsoft.Compute/disks/<name>"
    vm = RG + "/providers/Microsoft.Compute/virtualMachines/<name>"
    nic = RG + "/providers/Microsoft.Network/networkInterfaces/<name>"
    container = RG + "/providers/Microsoft.Storage/storageAccounts/<account>/blobServices/<service>/containers/<name>"
    add(disk, "Disks_Get", get_disk, "GET")
    add(disk, "Disks_Delete", delete_disk, "DELETE")
    add(vm, "VirtualMachines_Get", get_vm, "GET")
    add(vm, "VirtualMachines_Delete", delete_vm, "DELETE")
    add(nic, "NetworkInterfaces_Get", get_nic, "GET")
    add(nic, "NetworkInterfaces_Delete", delete_nic, "DELETE")
    add(container, "BlobContainers_Get", get_container, "GET")
    add(container, "BlobContainers_Delete", delete_container, "DELETE")
    add(RG + "/resources", "Resources_ListByResourceGroup", list_group, "GET")
    add(
        SUB + "/providers/Microsoft.Compute/locations/<location>/operations/<operation_id>",
        COMPUTE_STATUS,
        compute_operation,
        "GET",
    )
    add(
        SUB + "/providers/Microsoft.Network/locations/<location>/operations/<operation_id>",
        "NetworkOperations_Get",
        network_operation_status,
        "GET",
    )
    add(
        SUB + "/providers/Microsoft.Network/locations/<location>/operationResults/<operation_id>",
        "NetworkOperationResults_Get",
        network_operation_result,
        "GET",
    )


def operation_name(endpoint):
    """The request-log name: the Compute operation resource polled as Location (monitor=true) is its result."""
    if endpoint == COMPUTE_STATUS and (query_param("monitor") or "").lower() == "true":
        return COMPUTE_RESULT
    return endpoint


# --- helpers -------------------------------------------------------------------------------------


def _find(kind, subscription_id, resource_group, name, account=None):
    res = emu().state.arm.find(subscription_id, resource_group, kind, name, account)
    if res is None:
        raise resources.not_found(kind, resource_group, name)
    return res


def _retry_after():
    e = emu()
    return e.retry_after(float(e.scenario["timing"].get("resource_retry_after_seconds", 10)))


def _async_urls(op):
    """(Azure-AsyncOperation, Location) of a Compute/Network DELETE's operation."""
    version = (op.payload or {}).get("api_version") or request.args.get("api-version")
    status = "%s%s?api-version=%s" % (base_url(), op.status_path, version)
    if op.kind == "Microsoft.Compute":
        location = "%s%s?monitor=true&api-version=%s" % (base_url(), op.result_path, version)
    else:
        location = "%s%s?api-version=%s" % (base_url(), op.result_path, version)
    return status, location


def _accepted(op, with_status=True):
    seconds, millis = _retry_after()
    status, location = _async_urls(op)
    headers = {"Location": location, "Retry-After": str(seconds), "retry-after-ms": str(millis)}
    if with_status:
        headers = {"Azure-AsyncOperation": status, **headers}
    return empty(202, headers)


def _get(kind, subscription_id, resource_group, name, **render):
    e = emu()
    with e.lock:
        e.settled_now()
        return arm_json(resources.render(e.state.arm, _find(kind, subscription_id, resource_group, name), **render))


def _delete(kind, subscription_id, resource_group, name):
    e = emu()
    with e.lock:
        now = e.settled_now()
        res = e.state.arm.find(subscription_id, resource_group, kind, name)
        if res is None:
            return empty(204)  # ARM: DELETE of a resource that does not exist
        op = resources.begin_delete(e.state, res, now, request.args.get("api-version"))
        return _accepted(op)


# --- Compute -------------------------------------------------------------------------------------


def get_disk(subscription_id, resource_group, name):
    return _get(resources.DISK, subscription_id, resource_group, name)


def delete_disk(subscription_id, resource_group, name):
    return _delete(resources.DISK, subscription_id, resource_group, name)


def _expand():
    value = query_param("$expand")
    if value is None or value == "":
        return False
    allowed = {"instanceview", "userdata", "resiliencypolicy"}
    wanted = {part.strip().lower() for part in value.split(",")}
    if not wanted <= allowed:
        raise arm.ArmError(
            400,
            "InvalidParameter",
            "The value '%s' of parameter '$expand' is not valid. Allowed values are 'instanceView, userData, "
            "resiliencyPolicy'." % value,
            target="$expand",
        )
    return "instanceview" in wanted


def get_vm(subscription_id, resource_group, name):
    return _get(resources.VM, subscription_id, resource_group, name, instance_view=_expand())


def delete_vm(subscription_id, resource_group, name):
    return _delete(resources.VM, subscription_id, resource_group, name)


# --- Network -------------------------------------------------------------------------------------


def get_nic(subscription_id, resource_group, name):
    return _get(resources.NIC, subscription_id, resource_group, name)


def delete_nic(subscription_id, resource_group, name):
    return _delete(resources.NIC, subscription_id, resource_group, name)


# --- Storage -------------------------------------------------------------------------------------


def _account(resource_group, account, service):
    """The storage account a container route names (ParentResourceNotFound when no restore named it), and
    the blob service, which is always 'default'."""
    state = emu().state
    if state.arm.account(resource_group, account) is None:
        raise arm.ArmError(
            404,
            "ParentResourceNotFound",
            "Can not perform requested operation on nested resource. Parent resource '%s' not found." % account,
        )
    if service.lower() != "default":
        raise arm.ArmError(404, "ResourceNotFound", "The blob service '%s' was not found." % service)


def _container_not_found():
    return arm.ArmError(404, "ContainerNotFound", "The specified container does not exist.")


def get_container(subscription_id, resource_group, account, service, name):
    e = emu()
    with e.lock:
        e.settled_now()
        _account(resource_group, account, service)
        res = e.state.arm.find(subscription_id, resource_group, resources.CONTAINER, name, account)
        if res is None:
            raise _container_not_found()
        return arm_json(resources.render(e.state.arm, res))


def delete_container(subscription_id, resource_group, account, service, name):
    """Synchronous, as the Storage RP does: 200 when it deleted the container, 204 when there was none."""
    e = emu()
    with e.lock:
        now = e.settled_now()
        _account(resource_group, account, service)
        res = e.state.arm.find(subscription_id, resource_group, resources.CONTAINER, name, account)
        if res is None:
            return empty(204)
        resources.delete_container(res, now)
        return empty(200)


# --- operation status resources ------------------------------------------------------------------


def _operation(namespace, subscription_id, location, operation_id):
    op = emu().state.operations.get(operation_id.lower())
    if (
        op is None
        or op.kind != namespace
        or subscription_id.lower() != emu().state.subscription_id.lower()
        or op.status_path.split("/")[6].lower() != location.replace(" ", "").lower()
    ):
        raise arm.ArmError(404, "NotFound", "The operation '%s' was not found." % operation_id)
    return op


def _status_body(op, now):
    status = op.status(now)
    body = {"startTime": iso(op.start), "status": status, "name": op.op_id}
    if status != "InProgress":
        body["endTime"] = iso(op.end)
    return body


def compute_operation(subscription_id, location, operation_id):
    e = emu()
    with e.lock:
        now = e.settled_now()
        op = _operation("Microsoft.Compute", subscription_id, location, operation_id)
        if operation_name(COMPUTE_STATUS) == COMPUTE_RESULT:
            return _result(op, now)
        return arm_json(_status_body(op, now))


def network_operation_status(subscription_id, location, operation_id):
    e = emu()
    with e.lock:
        now = e.settled_now()
        return arm_json(_status_body(_operation("Microsoft.Network", subscription_id, location, operation_id), now))


def network_operation_result(subscription_id, location, operation_id):
    e = emu()
    with e.lock:
        now = e.settled_now()
        return _result(_operation("Microsoft.Network", subscription_id, location, operation_id), now)


def _result(op, now):
    """The Location URL: 202 (Location, Retry-After) while the DELETE runs, 204 once it is done."""
    if op.status(now) == "InProgress":
        return _accepted(op, with_status=False)
    return empty(204)


# --- Resources_ListByResourceGroup ---------------------------------------------------------------


def _invalid_filter(message):
    return arm.ArmError(400, "InvalidFilterInQueryString", message)


def list_group(subscription_id, resource_group):
    text = query_param("$filter")
    try:
        filters = parse_filter(text, ("resourceType", "name"))
    except arm.ArmError as exc:
        raise _invalid_filter(exc.message) from None
    top = query_param("$top")
    size = None
    if top is not None:
        try:
            size = int(top)
            if size < 1:
                raise ValueError
        except ValueError:
            raise arm.ArmError(
                400, "InvalidTopInQueryString", "The value '%s' of '$top' query parameter is not valid." % top
            ) from None
    e = emu()
    with e.lock:
        e.settled_now()
        state = e.state
        entries = [resources.list_entry(r) for r in state.arm.in_group(resource_group)]
        for acct in state.arm.accounts.values():
            if acct["resource_group"].lower() == resource_group.lower():
                entries.append(
                    {
                        "id": "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Storage/storageAccounts/%s"
                        % (acct["subscription_id"], acct["resource_group"], acct["name"]),
                        "name": acct["name"],
                        "type": "Microsoft.Storage/storageAccounts",
                        "sku": {"name": "Standard_LRS", "tier": "Standard"},
                        "kind": "StorageV2",
                        "location": acct["location"],
                    }
                )
        if resource_group.lower() == state.vault_rg.lower():
            entry = {
                "id": state.vault_path,
                "name": state.vault_name,
                "type": "Microsoft.RecoveryServices/vaults",
                "sku": {"name": "Standard"},
                "location": state.location,
            }
            tags = e.scenario["vault"].get("tags")
            if tags:
                entry["tags"] = dict(tags)
            entries.append(entry)
        if "resourceType" in filters:
            entries = [x for x in entries if x["type"].lower() == filters["resourceType"].lower()]
        if "name" in filters:
            entries = [x for x in entries if x["name"].lower() == filters["name"].lower()]
        entries.sort(key=lambda x: x["id"].lower())
        chunk, next_link = page(
            entries, lambda x: (x["id"].lower(),), text, descending=False, size=size, keep_api_version=True
        )
        body = {"value": chunk}
        if next_link:
            body["nextLink"] = next_link
        return arm_json(body)
