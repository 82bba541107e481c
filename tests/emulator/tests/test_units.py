"""Pure units: clock, formats, $filter grammar, token buckets, job timelines (no server)."""

import random
from datetime import datetime, timedelta, timezone

import pytest

from azure_backup_emulator import arm
from azure_backup_emulator.app import canonical_path, create_app
from azure_backup_emulator.clock import EmulatedClock
from azure_backup_emulator.emulator import Emulator
from azure_backup_emulator.faults import FaultError, FaultRegistry
from azure_backup_emulator.jobs import Job, Task
from azure_backup_emulator.odata import parse_filter
from azure_backup_emulator.scenario import DEFAULT_SCENARIO, all_vms, deep_merge, disk_layout, load_scenario
from azure_backup_emulator.throttling import TokenBucket
from azure_backup_emulator.timefmt import duration_iso, duration_timespan, iso, parse_filter_time, parse_iso

T0 = datetime(2026, 11, 26, 12, 0, 0, tzinfo=timezone.utc)


class FakeMonotonic:
    def __init__(self):
        self.value = 100.0

    def __call__(self):
        return self.value


@pytest.mark.parametrize(
    "scale, header, millis",
    [
        (1, 60, 60000),
        (2, 30, 30000),
        (7, 9, 8571),
        (60, 1, 1000),
        (120, 1, 500),
        (6000, 1, 10),
        (1_000_000, 1, 1),
    ],
)
def test_retry_after_is_scaled_and_at_least_one(scale, header, millis):
    assert EmulatedClock(scale=scale).retry_after(60) == (header, millis)


def test_clock_runs_scaled_and_advances():
    tick = FakeMonotonic()
    clock = EmulatedClock(scale=10, start=T0, monotonic=tick)
    tick.value += 3
    assert clock.now() == T0 + timedelta(seconds=30)
    clock.advance(60)
    assert clock.now() == T0 + timedelta(seconds=90)
    with pytest.raises(ValueError):
        clock.advance(-1)


@pytest.mark.parametrize(
    "seconds, iso_form, timespan",
    [
        (0, "PT0S", "00:00:00"),
        (9.8782791, "PT9.8782791S", "00:00:09.8782791"),
        (1223.0896697, "PT20M23.0896697S", "00:20:23.0896697"),
        (3600, "PT1H", "01:00:00"),
        (93784.5, "P1DT2H3M4.5S", "1.02:03:04.5000000"),
    ],
)
def test_durations(seconds, iso_form, timespan):
    assert duration_iso(seconds) == iso_form
    assert duration_timespan(seconds) == timespan


def test_times():
    assert iso(datetime(2017, 8, 3, 5, 31, 7, 14604, tzinfo=timezone.utc)) == "2017-08-03T05:31:07.0146040Z"
    expected = datetime(2017, 8, 3, 5, 31, 3, 755337, tzinfo=timezone.utc)
    assert parse_iso("2017-08-03T05:31:03.7553376Z") == expected
    assert parse_filter_time("2016-01-01 00:00:00 AM") == datetime(2016, 1, 1, tzinfo=timezone.utc)
    assert parse_filter_time("2016-01-01 12:00:00 AM") == datetime(2016, 1, 1, tzinfo=timezone.utc)
    assert parse_filter_time("2016-01-01 01:30:00 PM").hour == 13
    assert parse_filter_time("2016-01-01 12:00:00 PM").hour == 12
    assert parse_filter_time("2016-01-01T10:00:00+02:00").hour == 8
    for bad in ("yesterday", "2016-01-01 13:00:00 PM", "2016-13-01 00:00:00 AM"):
        with pytest.raises(ValueError):
            parse_filter_time(bad)


def test_filter_grammar():
    fields = ("status", "operation", "startTime")
    assert parse_filter("status eq 'Completed' AND operation eq 'Backup'", fields) == {
        "status": "Completed",
        "operation": "Backup",
    }
    assert parse_filter("Status eq 'it''s and more'", fields) == {"status": "it's and more"}
    assert parse_filter(None, fields) == {}
    for bad in (
        "status ne 'x'",
        "status eq 'a' or operation eq 'b'",
        "nope eq 'x'",
        "status eq 'a' and status eq 'b'",
        "status eq 'unterminated",
    ):
        with pytest.raises(arm.ArmError) as info:
            parse_filter(bad, fields)
        assert info.value.status == 400 and info.value.code == "BMSUserErrorInvalidInput"


def test_token_bucket_refills():
    tick = FakeMonotonic()
    bucket = TokenBucket(2, 1.0, monotonic=tick)
    assert bucket.take()[:2] == (True, 1)
    assert bucket.take()[:2] == (True, 0)
    allowed, remaining, wait = bucket.take()
    assert not allowed and remaining == 0 and wait == pytest.approx(1.0)
    tick.value += 1.0
    assert bucket.take()[0]


def test_job_timeline_and_cancel():
    job = Job(
        job_id="j",
        operation="Backup",
        entity_friendly_name="vm",
        container_name="c",
        start=T0,
        tasks=[Task("Take Snapshot", 100, cancellable=True), Task("Transfer data to vault", 200)],
    )
    assert job.status(T0 + timedelta(seconds=50)) == "InProgress"
    assert job.cancellable(T0 + timedelta(seconds=50))
    assert not job.cancellable(T0 + timedelta(seconds=150))
    assert job.status(T0 + timedelta(seconds=300)) == "Completed"
    job.cancel_requested = T0 + timedelta(seconds=50)
    job.cancel_seconds = 30
    assert job.status(T0 + timedelta(seconds=60)) == "Cancelling"
    assert job.status(T0 + timedelta(seconds=80)) == "Cancelled"
    tasks = job.render_tasks(T0 + timedelta(seconds=90), "iso8601")
    assert [t["status"] for t in tasks] == ["Cancelled", "NotStarted"]


def test_scenario_merge_and_validation():
    merged = deep_merge(DEFAULT_SCENARIO, {"vault": {"name": "x"}, "policies": []})
    assert merged["vault"]["name"] == "x" and merged["vault"]["location"] == "westeurope"
    assert merged["policies"] == []
    assert DEFAULT_SCENARIO["vault"]["name"] == "rsv-demo"  # default untouched
    with pytest.raises(ValueError):
        load_scenario(data={"virtual_machines": [{"name": "a", "resource_group": "r", "policy": "Missing"}]})
    with pytest.raises(ValueError):
        load_scenario(
            data={"virtual_machines": [{"name": "a", "resource_group": "r", "backup": {"outcome": "Exploded"}}]}
        )


def test_scenario_generated_vms():
    scenario = load_scenario(
        data={"generated_vms": {"count": 12, "prefix": "vm-soak-", "resource_group": "rg-soak", "size": "Standard_B2s"}}
    )
    vms = all_vms(scenario)
    listed = [vm["name"] for vm in scenario["virtual_machines"]]
    assert [vm["name"] for vm in vms[: len(listed)]] == listed  # generated ones come after
    generated = vms[len(listed) :]
    assert [vm["name"] for vm in generated] == ["vm-soak-%03d" % i for i in range(1, 13)]
    assert {(vm["resource_group"], vm["policy"], vm["size"]) for vm in generated} == {
        ("rg-soak", "DefaultPolicy", "Standard_B2s")
    }
    assert scenario["virtual_machines"] == DEFAULT_SCENARIO["virtual_machines"]  # not expanded in place
    wide = all_vms(load_scenario(data={"virtual_machines": [], "generated_vms": {"count": 1000}}))
    assert (wide[0]["name"], wide[-1]["name"], len(wide)) == ("vm-gen-0001", "vm-gen-1000", 1000)
    assert all_vms(load_scenario()) == DEFAULT_SCENARIO["virtual_machines"]  # count 0 by default
    clash = [{"name": "vm-web-001", "resource_group": "rg-workloads"}]
    for listed_vms, bad in (
        (None, {"count": -1}),
        (None, {"count": "200"}),
        (None, {"count": 2, "prefix": ""}),
        (None, {"count": 2, "policy": "Missing"}),
        (clash, {"count": 2, "prefix": "vm-web-", "resource_group": "rg-workloads"}),  # duplicate VM
    ):
        data = {"generated_vms": bad}
        if listed_vms is not None:
            data["virtual_machines"] = listed_vms
        with pytest.raises(ValueError):
            load_scenario(data=data)
    with pytest.raises(ValueError):
        load_scenario(data={"generated_vms": [1, 2]})


# --- faults: probability, seed, content_type ------------------------------------------------------


def _pattern(registry, n):
    return [registry.take("JobDetails_Get", "GET", "/x", "before") is not None for _dummy in range(n)]


def test_fault_probability_is_seeded_and_deterministic():
    first, second = FaultRegistry(), FaultRegistry()
    spec = {"operation": "JobDetails_Get", "status": 500, "probability": 0.3, "seed": 42}
    first.add(dict(spec))
    second.add(dict(spec))
    pattern = _pattern(first, 60)
    rng = random.Random(42)
    assert pattern == [rng.random() < 0.3 for _dummy in range(60)]
    assert pattern == _pattern(second, 60)
    assert 5 < sum(pattern) < 40
    listed = first.list()[0]
    assert (listed["matched"], listed["applied"], listed["probability"], listed["seed"]) == (60, sum(pattern), 0.3, 42)


def test_fault_probability_with_after_and_count():
    registry = FaultRegistry()
    registry.add({"operation": "JobDetails_Get", "probability": 0.5, "seed": 7, "after": 3, "count": 4})
    pattern = _pattern(registry, 40)
    rng = random.Random(7)
    expected, applied = [False, False, False], 0  # the first 3 matches pass without a roll
    for _dummy in range(37):
        hit = applied < 4 and rng.random() < 0.5
        applied += hit
        expected.append(hit)
    assert pattern == expected and sum(pattern) == 4
    assert registry.list()[0]["applied"] == 4


def test_fault_probability_one_always_applies():
    registry = FaultRegistry()
    registry.add({"operation": "JobDetails_Get", "probability": 1})
    assert all(_pattern(registry, 20))


@pytest.mark.parametrize(
    "extra",
    [
        {"probability": 0},
        {"probability": -0.1},
        {"probability": 1.01},
        {"probability": "0.5"},
        {"probability": True},
        {"probability": 0.5, "seed": "abc"},
        {"probability": 0.5, "seed": 1.5},
        {"content_type": ""},
        {"content_type": 5},
        {"action": "repeat_next_link"},  # phase defaults to before
        {"action": "repeat_next_link", "phase": "before"},
    ],
)
def test_fault_validation_of_new_fields(extra):
    with pytest.raises(FaultError):
        FaultRegistry().add(dict({"operation": "BackupJobs_List"}, **extra))


def test_repeat_next_link_is_accepted_after():
    fault = FaultRegistry().add({"operation": "BackupJobs_List", "action": "repeat_next_link", "phase": "after"})
    assert fault.to_dict()["action"] == "repeat_next_link"


# --- Date set by the app (any WSGI server) ---------------------------------------------------------


def test_app_sets_date_and_routing_id_from_the_emulated_clock():
    emulator = Emulator(clock=EmulatedClock(start=T0, monotonic=FakeMonotonic()))
    emulator.clock.advance(2 * 86400)  # 2026-11-28 12:00:00, a Saturday
    client = create_app(emulator).test_client()
    for resp in (
        client.get("/_emulator/time"),
        client.get("/metadata/endpoints?api-version=2022-09-01"),
        client.get("/subscriptions/%s?api-version=2026-10-01" % DEFAULT_SCENARIO["subscription_id"]),  # 401
    ):
        assert resp.headers.getlist("Date") == ["Sat, 28 Nov 2026 12:00:00 GMT"]
    assert resp.status_code == 401
    assert resp.headers["x-ms-routing-request-id"].startswith("WESTEUROPE:20261128T120000Z:")


def test_http_date_format():
    assert arm.http_date(T0) == "Thu, 26 Nov 2026 12:00:00 GMT"
    plus_two = timezone(timedelta(hours=2))
    assert arm.http_date(datetime(2026, 11, 26, 14, 0, 0, 999999, tzinfo=plus_two)) == "Thu, 26 Nov 2026 12:00:00 GMT"


def test_canonical_path_fixes_namespaces_and_types_of_every_provider():
    sub = "/subscriptions/s/resourcegroups/RG"
    assert canonical_path(sub + "/providers/microsoft.compute/DISKS/MyDisk") == (
        "/subscriptions/s/resourceGroups/RG/providers/Microsoft.Compute/disks/MyDisk"
    )
    assert canonical_path(
        sub + "/PROVIDERS/Microsoft.storage/storageaccounts/sa/blobservices/default/CONTAINERS/c"
    ) == (
        "/subscriptions/s/resourceGroups/RG/providers/Microsoft.Storage/storageAccounts/sa/blobServices/default/"
        "containers/c"
    )
    # a namespace right after /subscriptions/{s}/providers (no resource group); names are left alone
    assert canonical_path(
        "/subscriptions/s/providers/microsoft.network/LOCATIONS/WestEurope/operationresults/disks"
    ) == ("/subscriptions/s/providers/Microsoft.Network/locations/WestEurope/operationResults/disks")
    assert canonical_path(sub + "/RESOURCES") == "/subscriptions/s/resourceGroups/RG/resources"


def test_disk_layout_defaults_overrides_and_validation():
    assert disk_layout(DEFAULT_SCENARIO, {"name": "a"}) == {
        "os": {"size_gb": 30, "sku": "Premium_LRS"},
        "data": [{"lun": 0, "size_gb": 32, "sku": "Premium_LRS"}],
    }
    assert disk_layout(DEFAULT_SCENARIO, {"name": "w", "os_type": "Windows", "disks": {"data_disks_gb": []}}) == {
        "os": {"size_gb": 127, "sku": "Premium_LRS"},
        "data": [],
    }
    layout = disk_layout(
        DEFAULT_SCENARIO,
        {"name": "b", "disks": {"sku": "StandardSSD_LRS", "data_disks_gb": [{"size_gb": 8, "lun": 5}, 16]}},
    )
    assert layout["os"]["sku"] == "StandardSSD_LRS"
    assert [(d["lun"], d["size_gb"]) for d in layout["data"]] == [(1, 16), (5, 8)]  # by LUN
    for bad in (
        {"sku": "Gold"},
        {"data_disks_gb": ["x"]},
        {"data_disks_gb": [1, {"size_gb": 2, "lun": 0}]},
        {"os_disk_size_gb": 0},
        {"data_disks_gb": [{"size_gb": 1, "lun": 64}]},
    ):
        with pytest.raises(ValueError):
            disk_layout(DEFAULT_SCENARIO, {"name": "c", "disks": bad})
    with pytest.raises(ValueError):
        load_scenario(
            data={"virtual_machines": [{"name": "d", "resource_group": "r", "restore": {"vm_power_state": "on"}}]}
        )
