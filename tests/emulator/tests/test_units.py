"""Pure units: clock, formats, $filter grammar, token buckets, job timelines (no server)."""

from datetime import datetime, timedelta, timezone

import pytest

from azure_backup_emulator import arm
from azure_backup_emulator.clock import EmulatedClock
from azure_backup_emulator.jobs import Job, Task
from azure_backup_emulator.odata import parse_filter
from azure_backup_emulator.scenario import DEFAULT_SCENARIO, deep_merge, load_scenario
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
