# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_ids: the one place ARM paths are spelled. Examples first, then properties (hypothesis): every builder
either refuses its input or makes a path that stays in its resource, however the input is spelled."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import posixpath

import pytest
from hypothesis import given, settings, strategies as st

try:
    from urllib.parse import unquote, urljoin
except ImportError:  # pragma: no cover
    pass

from ansible_collections.cloudops.azure_backup.plugins.module_utils import _ids
from ansible_collections.cloudops.azure_backup.plugins.module_utils._errors import ValidationError

from ansible_collections.cloudops.azure_backup.tests.unit.plugins.module_utils.fakes import example_body

SUB = "11111111-2222-3333-4444-555555555555"
OTHER_SUB = "99999999-2222-3333-4444-555555555555"
GUID = "41f3e94b-ae6b-4a20-b422-65abfcaf03e5"
VAULT_ID = "/subscriptions/%s/resourceGroups/rg1/providers/Microsoft.RecoveryServices/vaults/vault1" % SUB
VAULT = _ids.vault_path(SUB, "rg1", "vault1")
CONTAINER = "IaasVMContainer;iaasvmcontainerv2;vmrg;vm1"
ITEM_NAME = "VM;iaasvmcontainerv2;vmrg;vm1"


def test_builders_spell_the_paths():
    assert VAULT.id == VAULT_ID
    assert (VAULT.subscription_id, VAULT.resource_group, VAULT.name) == (SUB, "rg1", "vault1")
    assert _ids.container_name("vmrg", "vm1") == CONTAINER
    assert _ids.item_name("vmrg", "vm1") == ITEM_NAME
    item = _ids.item_path(VAULT, CONTAINER, ITEM_NAME)
    assert item.id == VAULT_ID + "/backupFabrics/Azure/protectionContainers/%s/protectedItems/%s" % (
        CONTAINER,
        ITEM_NAME,
    )
    # the URL path encodes every segment: the semicolons of Backup's names too
    assert item.url_path == VAULT_ID + (
        "/backupFabrics/Azure/protectionContainers/IaasVMContainer%3Biaasvmcontainerv2%3Bvmrg%3Bvm1"
        "/protectedItems/VM%3Biaasvmcontainerv2%3Bvmrg%3Bvm1"
    )
    assert _ids.backup_path(item).id == item.id + "/backup"
    assert _ids.recovery_points_path(item).id == item.id + "/recoveryPoints"
    assert _ids.recovery_point_path(item, "22244821112382").id == item.id + "/recoveryPoints/22244821112382"
    assert _ids.restore_path(item, "22244821112382").id == item.id + "/recoveryPoints/22244821112382/restore"
    assert _ids.job_path(VAULT, GUID).id == VAULT_ID + "/backupJobs/" + GUID
    assert _ids.job_cancel_path(VAULT, GUID).id == VAULT_ID + "/backupJobs/%s/cancel" % GUID
    assert _ids.jobs_path(VAULT).id == VAULT_ID + "/backupJobs"
    assert _ids.policies_path(VAULT).id == VAULT_ID + "/backupPolicies"
    assert _ids.policy_path(VAULT, "DefaultPolicy").id == VAULT_ID + "/backupPolicies/DefaultPolicy"
    assert _ids.protected_items_path(VAULT).id == VAULT_ID + "/backupProtectedItems"
    assert _ids.protectable_items_path(VAULT).id == VAULT_ID + "/backupProtectableItems"
    assert _ids.refresh_containers_path(VAULT).id == VAULT_ID + "/backupFabrics/Azure/refreshContainers"
    vm = _ids.vm_path(SUB, "vmrg", "vm1")
    assert vm.id == "/subscriptions/%s/resourceGroups/vmrg/providers/Microsoft.Compute/virtualMachines/vm1" % SUB
    assert (vm.subscription_id, vm.resource_group, vm.name) == (SUB, "vmrg", "vm1")
    # resource group names may carry parentheses and letters of any script: encoded, not refused
    odd = _ids.vault_path(SUB, "rg(prod)-é", "vault1")
    assert "/resourceGroups/rg%28prod%29-%C3%A9/" in odd.url_path
    assert str(VAULT) == VAULT_ID and VAULT == _ids.vault_path(SUB.upper(), "RG1", "Vault1")


@pytest.mark.parametrize(
    "kind, good, bad",
    [
        (
            "resource_group",
            ["rg", "a", "rg.prod", "rg_(x)-1", "x" * 90],
            ["", "rg.", "..", ".", "a/b", "a?b", "a#b", "x" * 91, "a b", "rg\n", "a%2Fb"],
        ),
        ("vault", ["rsv-demo", "ab", "a" * 50], ["a", "1vault", "rsv_demo", "rsv.demo", "a" * 51, "-x", ".."]),
        (
            "vm",
            ["vm-web-01", "v", "vm.web_01", "vm_", "a" * 64],
            ["", "-vm", "vm-", "vm.", ".vm", "..", "vm;x", "a" * 65, "vm/x", "vm x", "vm\t"],
        ),
        (
            "storage_account",
            ["stbackupstaging", "abc", "a1" * 12, "StBackup"],
            ["ab", "st-backup", "a" * 25, "st.x", "st_x"],
        ),
        ("virtual_network", ["vnet-restore", "v1", "v.n_1"], ["v", "-v", "v.", "..", "v/1"]),
        ("subnet", ["default", "s", "sub_1"], ["", ".", "..", "-s", "s."]),
        ("policy", ["DefaultPolicy", "Enhanced-Policy_2"], ["", "..", ".p", "p/q", "p?q", "p#q", "p q"]),
        ("recovery_point", ["22244821112382", "abc-123"], ["", "..", "1/2", "1?2", "-1", "1.2"]),
        ("job", [GUID, GUID.upper()], ["", GUID + "x", "not-a-guid", "../" + GUID]),
        ("subscription", [SUB], ["", "sub", SUB + "/.."]),
    ],
)
def test_naming_rules(kind, good, bad):
    for value in good:
        assert _ids.check(kind, value, "opt") == value
    for value in bad:
        with pytest.raises(ValidationError) as err:
            _ids.check(kind, value, "opt")
        assert err.value.option == "opt"
        assert err.value.msg.startswith("opt: ") and "expected" in err.value.msg


def test_messages_name_the_option_and_the_form():
    with pytest.raises(ValidationError) as err:
        _ids.vault_path(SUB, "rg1", "../other-vault")
    assert err.value.option == "vault_name"
    assert "'../other-vault'" in err.value.msg and "2-50 letters, digits and hyphens" in err.value.msg
    with pytest.raises(ValidationError) as err:
        _ids.vault_path(SUB, "rg1/../rg2", "vault1")
    assert err.value.option == "resource_group"
    with pytest.raises(ValidationError) as err:
        _ids.vault_path("not-a-guid", "rg1", "vault1")
    assert err.value.option == "subscription_id"
    with pytest.raises(ValidationError) as err:
        _ids.item_path(VAULT, "IaasVMContainer;iaasvmcontainerv2;rg;../../x", ITEM_NAME)
    assert err.value.option == "container_name" and "IaasVMContainer;iaasvmcontainerv2;" in err.value.msg
    with pytest.raises(ValidationError) as err:
        _ids.item_path(VAULT, CONTAINER, CONTAINER)
    assert err.value.option == "protected_item_name"
    with pytest.raises(ValidationError) as err:
        _ids.container_name("vmrg", "vm/../../x")
    assert err.value.option == "vm_name"
    # control characters show in the message, so that a user sees what was wrong
    with pytest.raises(ValidationError) as err:
        _ids.check("vm", "vm\x00", "vm_name")
    assert "\\x00" in err.value.msg


def test_iaasvm_names():
    assert _ids.parse_iaasvm_name(CONTAINER) == ("vmrg", "vm1")
    assert _ids.parse_iaasvm_name(ITEM_NAME) == ("vmrg", "vm1")
    assert _ids.parse_iaasvm_name("iaasvmcontainerv2;vmrg;vm1") == ("vmrg", "vm1")
    assert _ids.parse_iaasvm_name("iaasvmcontainer;classicrg;vm1") == ("classicrg", "vm1")
    for bad in (
        None,
        "",
        "vm1",
        "VM;iaasvmcontainerv2;vmrg",
        "SQL;x;rg;vm",
        "VM;iaasvmcontainerv2;rg;../vm",
        "a;b;c;d;e",
    ):
        assert _ids.parse_iaasvm_name(bad) is None


def test_parse_job_ref_guid_and_ids():
    assert _ids.parse_job_ref(GUID) == (GUID, None)
    ref = _ids.parse_job_ref(VAULT_ID + "/backupJobs/" + GUID)
    assert ref.job_id == GUID and ref.vault == VAULT
    # the casing Azure uses in bodies, and any other casing of the fixed segments
    job_id = example_body("2025-08-01/Common/GetJobDetails.json")["id"]
    assert job_id.startswith("/Subscriptions/")
    assert _ids.parse_job_ref(job_id).vault.name == "NetSDKTestRsVault"
    odd = "/SUBSCRIPTIONS/%s/resourcegroups/rg1/PROVIDERS/microsoft.recoveryservices/Vaults/vault1/BackupJobs/%s" % (
        SUB,
        GUID,
    )
    assert _ids.parse_job_ref(odd) == (GUID, VAULT)


@pytest.mark.parametrize(
    "bad",
    [
        "not-a-guid",
        "",
        None,
        42,
        " %s " % GUID,
        GUID + "x",
        VAULT_ID + "/backupJobs/not-a-guid",
        VAULT_ID + "/backupJobs/" + GUID + "/extra",
        VAULT_ID + "/backupJobs/" + GUID + "/",
        VAULT_ID + "//backupJobs/" + GUID,
        VAULT_ID + "/backupJobs/../backupJobs/" + GUID,
        VAULT_ID.replace("vault1", "..") + "/backupJobs/" + GUID,
        VAULT_ID + "/backupJobs/" + GUID + "?api-version=1",
        "/subscriptions/%s/resourceGroups/rg1/providers/Microsoft.Compute/vaults/v/backupJobs/%s" % (SUB, GUID),
    ],
)
def test_parse_job_ref_rejects(bad):
    with pytest.raises(ValidationError) as err:
        _ids.parse_job_ref(bad, "job_ids")
    assert err.value.option == "job_ids"
    assert err.value.msg.startswith("job_ids: ")


def test_parse_vm_id_and_its_subscription():
    vm = "/subscriptions/%s/resourceGroups/vmrg/providers/Microsoft.Compute/virtualMachines/vm1" % SUB
    path = _ids.parse_vm_id(vm, subscription_id=SUB.upper())
    assert (path.subscription_id, path.resource_group, path.name, path.id) == (SUB, "vmrg", "vm1", vm)
    with pytest.raises(ValidationError) as err:
        _ids.parse_vm_id(vm.replace(SUB, OTHER_SUB), subscription_id=SUB)
    assert err.value.option == "vm_id" and OTHER_SUB in err.value.msg and "subscription" in err.value.msg
    for bad in (
        vm + "/",
        vm.replace("vm1", "vm/../vm2"),
        vm.replace("Microsoft.Compute", "Microsoft.Storage"),
        "vm1",
        vm + "#x",
    ):
        with pytest.raises(ValidationError) as err:
            _ids.parse_vm_id(bad)
        assert err.value.option == "vm_id"


def test_parse_policy_id_must_be_of_the_vault():
    policy = VAULT_ID + "/backupPolicies/DefaultPolicy"
    assert _ids.parse_policy_id(policy, VAULT) == "DefaultPolicy"
    assert _ids.parse_policy_id(policy.replace("vault1", "VAULT1"), VAULT) == "DefaultPolicy"
    for other in (policy.replace("vault1", "vault2"), policy.replace(SUB, OTHER_SUB), policy.replace("rg1", "rg2")):
        with pytest.raises(ValidationError) as err:
            _ids.parse_policy_id(other, VAULT)
        assert err.value.option == "policy_id" and "its own vault" in err.value.msg
    with pytest.raises(ValidationError):
        _ids.parse_policy_id(VAULT_ID + "/backupPolicies/..", VAULT)


def test_restore_targets_names_and_ids():
    group = _ids.parse_resource_group("rg-restore", "target_resource_group", SUB)
    assert group.id == "/subscriptions/%s/resourceGroups/rg-restore" % SUB
    assert _ids.parse_resource_group(group.id, "target_resource_group", SUB) == group
    with pytest.raises(ValidationError) as err:
        _ids.parse_resource_group(group.id.replace(SUB, OTHER_SUB), "target_resource_group", SUB)
    assert err.value.option == "target_resource_group" and "subscription" in err.value.msg
    storage = _ids.parse_resource(
        "stbackup",
        "staging_storage_account",
        "Microsoft.Storage",
        "storageAccounts",
        SUB,
        "rg-restore",
        "target_resource_group",
    )
    assert storage.id == group.id + "/providers/Microsoft.Storage/storageAccounts/stbackup"
    assert (
        _ids.parse_resource(
            storage.id, "staging_storage_account", "Microsoft.Storage", "storageAccounts", SUB, None, "g"
        )
        == storage
    )
    with pytest.raises(ValidationError) as err:
        _ids.parse_resource(
            "st-backup", "staging_storage_account", "Microsoft.Storage", "storageAccounts", SUB, "rg", "g"
        )
    assert "3-24 letters and digits" in err.value.msg
    with pytest.raises(ValidationError) as err:
        _ids.parse_resource(
            "stbackup",
            "staging_storage_account",
            "Microsoft.Storage",
            "storageAccounts",
            SUB,
            None,
            "target_resource_group",
        )
    assert "needs target_resource_group" in err.value.msg
    network = _ids.parse_resource(
        "vnet-restore", "target_virtual_network", "Microsoft.Network", "virtualNetworks", SUB, "rg-restore", "g"
    )
    subnet = _ids.parse_subnet("default", "target_subnet", network)
    assert subnet.id == network.id + "/subnets/default"
    assert _ids.parse_subnet(subnet.id, "target_subnet", network) == subnet
    elsewhere = subnet.id.replace("vnet-restore", "vnet-prod")
    with pytest.raises(ValidationError) as err:
        _ids.parse_subnet(elsewhere, "target_subnet", network)
    assert "is not in the virtual network" in err.value.msg


def test_names_in_item_id():
    body = example_body("2026-10-01/AzureIaasVm/BackupProtectedItems_List.json")["value"][0]
    container, item = _ids.names_in_item_id(body["id"])
    assert container.lower().startswith("iaasvmcontainer") and item.lower().startswith("vm;")
    assert _ids.names_in_item_id("/subscriptions/x/other") == (None, None)
    assert _ids.names_in_item_id(None) == (None, None)


# ----------------------------------------------------------------------------- properties

# Text a hostile user might type: traversal pieces, separators, encodings, control characters, Unicode, alone
# or around a name that would be valid.
PIECES = [
    "..",
    ".",
    "/",
    "?",
    "#",
    "%2e",
    "%2F",
    "%2f",
    "\\",
    ";",
    "rg",
    "vm",
    "a",
    "-",
    "_",
    "\x00",
    "\n",
    " ",
    "é",
    "(",
    ")",
]
_WORD = st.from_regex(r"[A-Za-z0-9]{1,6}", fullmatch=True)
# A valid-looking name with something hostile inside: the case that naming rules must catch.
INSIDE = st.builds(lambda a, piece, b: a + piece + b, _WORD, st.sampled_from(PIECES), _WORD)
HOSTILE = st.one_of(
    INSIDE,
    INSIDE,
    st.text(max_size=40),
    st.lists(st.sampled_from(PIECES + ["rg1", "vm1", "vault1", "DefaultPolicy", "x", "1"]), min_size=1, max_size=6).map(
        "".join
    ),
)


def _stays_in(path, prefix):
    """The path, as a server resolves it (percent-decoding, dot segments), stays under ``prefix``."""
    url = "https://management.azure.com" + path.url_path
    assert "?" not in path.url_path and "#" not in path.url_path
    resolved = urljoin(url, ".")  # how an HTTP stack removes dot segments
    decoded = [unquote(seg) for seg in path.url_path.split("/")[1:]]
    assert decoded == list(path.segments)
    assert all(seg not in ("", ".", "..") and not set(seg) & set("/?#%\\") for seg in decoded)
    assert all(ch.isprintable() and not ch.isspace() for seg in decoded for ch in seg)
    assert posixpath.normpath(path.url_path) == path.url_path
    assert resolved.startswith("https://management.azure.com" + prefix.url_path)
    assert path.url_path.lower().startswith(prefix.url_path.lower() + "/") or path == prefix


def _built_or_refused(build, options):
    """The path ``build()`` makes, or None when it refused, naming one of ``options``."""
    try:
        return build()
    except ValidationError as error:
        assert error.option in options, error.option
        return None


@settings(max_examples=400, deadline=None)
@given(name=HOSTILE)
def test_no_input_leaves_the_subscription(name):
    sub = _ids.ArmPath(("subscriptions", SUB))
    for build in (lambda: _ids.vault_path(SUB, name, "vault1"), lambda: _ids.vault_path(SUB, "rg1", name)):
        path = _built_or_refused(build, ("resource_group", "vault_name"))
        if path is not None:
            assert name in path.segments
            _stays_in(path, sub)


@settings(max_examples=400, deadline=None)
@given(name=HOSTILE)
def test_no_input_leaves_the_vault_or_its_item(name):
    item = _ids.item_path(VAULT, CONTAINER, ITEM_NAME)
    builds = [
        (lambda: _ids.item_path(VAULT, _ids.container_name(name, "vm1"), _ids.item_name(name, "vm1")), VAULT),
        (lambda: _ids.item_path(VAULT, _ids.container_name("vmrg", name), _ids.item_name("vmrg", name)), VAULT),
        (lambda: _ids.restore_path(item, name), item),
        (lambda: _ids.recovery_point_path(item, name), item),
        (lambda: _ids.policy_path(VAULT, name), VAULT),
        (lambda: _ids.job_cancel_path(VAULT, name), VAULT),
        (lambda: _ids.vm_path(SUB, "rg1", name), _ids.resource_group_path(SUB, "rg1")),
        (lambda: _ids.subnet_path(_ids.resource_path(SUB, "rg1", "Microsoft.Network", "virtualNetworks", "vnet1", "o"), name),
         _ids.resource_path(SUB, "rg1", "Microsoft.Network", "virtualNetworks", "vnet1", "o")),
    ]  # fmt: skip
    options = ("vm_resource_group", "vm_name", "recovery_point_id", "policy_name", "job_id", "target_subnet")
    for build, prefix in builds:
        path = _built_or_refused(build, options)
        if path is not None:
            _stays_in(path, prefix)


@settings(max_examples=300, deadline=None)
@given(container=HOSTILE, item=HOSTILE)
def test_raw_container_and_item_names_cannot_escape(container, item):
    for name in (container, "IaasVMContainer;iaasvmcontainerv2;" + container):
        try:
            path = _ids.item_path(VAULT, name, "VM;iaasvmcontainerv2;" + item)
        except ValidationError as error:
            assert error.option in ("container_name", "protected_item_name")
            continue
        _stays_in(path, VAULT)


@settings(max_examples=300, deadline=None)
@given(segments=st.lists(HOSTILE, min_size=1, max_size=10), pick=st.integers(0, 9))
def test_parsed_ids_round_trip_or_are_refused(segments, pick):
    """A job id built from hostile text either is refused or parses back to exactly the vault and job it names."""
    good = [
        "subscriptions",
        SUB,
        "resourceGroups",
        "rg1",
        "providers",
        _ids.PROVIDER,
        "vaults",
        "vault1",
        "backupJobs",
        GUID,
    ]
    for index, segment in enumerate(segments):
        good[(pick + index) % len(good)] = segment
    value = "/" + "/".join(good)
    try:
        ref = _ids.parse_job_ref(value)
    except ValidationError as error:
        assert error.option == "job_ids"
        return
    assert _ids.job_path(ref.vault, ref.job_id).id.lower() == value.lower()
    _stays_in(_ids.job_path(ref.vault, ref.job_id), _ids.ArmPath(("subscriptions", ref.vault.subscription_id)))


@settings(max_examples=200, deadline=None)
@given(rg=st.from_regex(r"[A-Za-z0-9_()-][A-Za-z0-9_().-]{0,20}[A-Za-z0-9_()-]", fullmatch=True),
       vm=st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,20}[A-Za-z0-9_]", fullmatch=True))  # fmt: skip
def test_valid_names_build_and_parse_back(rg, vm):
    path = _ids.vm_path(SUB, rg, vm)
    parsed = _ids.parse_vm_id(path.id, subscription_id=SUB)
    assert parsed == path and (parsed.resource_group, parsed.name) == (rg, vm)
    item = _ids.item_path(VAULT, _ids.container_name(rg, vm), _ids.item_name(rg, vm))
    assert _ids.names_in_item_id(item.id) == (_ids.container_name(rg, vm), _ids.item_name(rg, vm))


GROUP_ID = "/subscriptions/%s/resourceGroups/rg-drill" % SUB


def test_member_ids_must_be_well_formed_and_in_the_group():
    group = _ids.parse_resource_group("rg-drill", "target_resource_group", SUB)
    disk = GROUP_ID + "/providers/Microsoft.Compute/disks/Disk-1"
    assert _ids.parse_member_id(disk, group) == disk.lower()
    child = GROUP_ID + "/providers/Microsoft.Network/virtualNetworks/vnet/subnets/default"
    assert _ids.parse_member_id(child, group) == child.lower()
    assert _ids.parse_member_id(disk.upper().replace("SUBSCRIPTIONS", "subscriptions"), group) == disk.lower()
    for bad in (
        GROUP_ID + "/providers/Microsoft.Compute/disks/../../../../rg-prod/providers/Microsoft.Compute/disks/d1",
        GROUP_ID + "/providers/Microsoft.Compute/disks/./d1",
        GROUP_ID + "/providers/Microsoft.Compute/disks/d1?api-version=1",
        GROUP_ID + "/providers/Microsoft.Compute/disks/d1#x",
        GROUP_ID + "/providers/Microsoft.Compute/disks/d%2F1",
        GROUP_ID + "/providers/Microsoft.Compute/disks/d\n1",
        GROUP_ID + "/providers/Microsoft.Compute/disks",
        GROUP_ID + "/providers/Microsoft.Compute/disks/d1/",
        "disk-1",
        GROUP_ID,
    ):
        with pytest.raises(ValidationError) as caught:
            _ids.parse_member_id(bad, group)
        assert caught.value.option == "baseline" and "baseline: " in caught.value.msg
    for elsewhere in (
        "/subscriptions/%s/resourceGroups/rg-workloads/providers/Microsoft.Compute/disks/d1" % SUB,
        "/subscriptions/99999999-0000-0000-0000-000000000000/resourceGroups/rg-drill/providers/Microsoft.Compute/disks/d1",
    ):
        with pytest.raises(ValidationError) as caught:
            _ids.parse_member_id(elsewhere, group)
        assert "is not in resource group rg-drill" in caught.value.msg
        assert _ids.parse_member_id(elsewhere, None) == elsewhere.lower()  # the form alone is fine
