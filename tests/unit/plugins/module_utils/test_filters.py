# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

import pytest

from ansible_collections.cloudops.azure_backup.plugins.module_utils._errors import ValidationError
from ansible_collections.cloudops.azure_backup.plugins.module_utils._filters import (
    UTC,
    filter_time,
    job_filter,
    odata_eq,
    parse_utc,
    check_window,
    time_window,
)


def utc(*args):
    return datetime.datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    "value,end_of_day,expected",
    [
        ("2026-11-26", False, utc(2026, 11, 26, 0, 0, 0)),
        ("2026-11-26", True, utc(2026, 11, 26, 23, 59, 59)),
        (" 2026-11-26 ", True, utc(2026, 11, 26, 23, 59, 59)),
        ("2026-11-26T08:30:00Z", False, utc(2026, 11, 26, 8, 30)),
        ("2026-11-26T08:30:00z", True, utc(2026, 11, 26, 8, 30)),  # end_of_day only applies to a bare date
        ("2026-11-26T08:30:00+02:00", False, utc(2026, 11, 26, 6, 30)),
        ("2026-11-26T01:30:00-05:00", False, utc(2026, 11, 26, 6, 30)),
        ("2026-11-26T08:30:00", False, utc(2026, 11, 26, 8, 30)),  # naive = UTC
        ("2026-11-26 08:30:00", False, utc(2026, 11, 26, 8, 30)),
        ("2026-11-26T08:30:00.123456Z", False, utc(2026, 11, 26, 8, 30, 0, 123456)),
    ],
)
def test_parse_utc(value, end_of_day, expected):
    parsed = parse_utc(value, "start_time", end_of_day=end_of_day)
    assert parsed == expected
    assert parsed.utcoffset() == datetime.timedelta(0)


def test_parse_utc_datetime_objects():
    naive = datetime.datetime(2026, 1, 2, 3, 4, 5)
    assert parse_utc(naive, "x") == utc(2026, 1, 2, 3, 4, 5)
    other = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))
    assert parse_utc(other, "x") == utc(2026, 1, 2, 2, 4, 5) and parse_utc(other, "x").tzinfo == UTC


@pytest.mark.parametrize(
    "value", ["yesterday", "2026-13-01", "2026-02-30", "26-11-2026", "", "2026-11-26T25:00:00Z", "2026/11/26"]
)
@pytest.mark.parametrize("option", ["start_time", "retain_until"])
def test_parse_utc_rejects_with_option_name(value, option):
    with pytest.raises(ValidationError) as exc:
        parse_utc(value, option)
    assert exc.value.option == option
    assert exc.value.msg.startswith(option + ":")
    assert "'%s'" % value in exc.value.msg and "YYYY-MM-DD" in exc.value.msg


@pytest.mark.parametrize(
    "moment,text",
    [
        (utc(2026, 11, 26, 0, 0, 0), "2026-11-26 12:00:00 AM"),  # midnight
        (utc(2026, 11, 26, 0, 5, 9), "2026-11-26 12:05:09 AM"),
        (utc(2026, 11, 26, 1, 2, 3), "2026-11-26 01:02:03 AM"),
        (utc(2026, 11, 26, 11, 59, 59), "2026-11-26 11:59:59 AM"),
        (utc(2026, 11, 26, 12, 0, 0), "2026-11-26 12:00:00 PM"),  # noon
        (utc(2026, 11, 26, 13, 30, 0), "2026-11-26 01:30:00 PM"),
        (utc(2026, 11, 26, 23, 59, 59), "2026-11-26 11:59:59 PM"),
    ],
)
def test_filter_time_12_hour_clock(moment, text):
    assert filter_time(moment) == text


def test_filter_time_converts_to_utc_first():
    moment = datetime.datetime(2026, 11, 27, 1, 0, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
    assert filter_time(moment) == "2026-11-26 11:00:00 PM"


def test_odata_eq_quotes_and_skips_none():
    assert odata_eq(status="InProgress", operation=None) == "status eq 'InProgress'"
    assert odata_eq(friendlyName="o'brien's vm") == "friendlyName eq 'o''brien''s vm'"
    assert odata_eq(a=None) == ""


def test_odata_eq_formats_datetimes():
    assert odata_eq(startTime=utc(2026, 1, 2, 15, 4, 5)) == "startTime eq '2026-01-02 03:04:05 PM'"


def test_job_filter_order_and_field_names():
    query = job_filter(
        end_time=utc(2026, 11, 26, 23, 59, 59),
        status="Failed",
        backup_management_type="AzureIaasVM",
        operation="Backup",
        start_time=utc(2026, 11, 1),
        job_id=None,
    )
    assert query == (
        "status eq 'Failed' and operation eq 'Backup' and backupManagementType eq 'AzureIaasVM' and "
        "startTime eq '2026-11-01 12:00:00 AM' and endTime eq '2026-11-26 11:59:59 PM'"
    )


def test_job_filter_empty():
    assert job_filter() == ""


def test_job_filter_unknown_field():
    with pytest.raises(ValueError, match="unknown job filter fields: entity, vm"):
        job_filter(status="Failed", vm="x", entity="y")


# ------------------------------------------------------------------ time windows

NOW = datetime.datetime(2026, 11, 26, 10, 0, 0, tzinfo=UTC)


def window(start_time, end_time, now):
    """What the modules do: check the options before anything is sent, then fill the open ends by Azure's clock."""
    return time_window(*check_window(start_time, end_time), now=now)


def test_time_window_none():
    assert window(None, None, now=NOW) == (None, None)
    assert window("", "", now=NOW) == (None, None)


def test_time_window_both():
    assert window("2026-11-01", "2026-11-26", now=NOW) == (utc(2026, 11, 1), utc(2026, 11, 26, 23, 59, 59))
    assert window("2026-11-26", "2026-11-26", now=NOW) == (utc(2026, 11, 26), utc(2026, 11, 26, 23, 59, 59))


def test_time_window_open_end_is_a_day_past_now():
    assert window("2026-11-01T08:00:00Z", None, now=NOW) == (utc(2026, 11, 1, 8), utc(2026, 11, 27, 10))


def test_time_window_missing_start_is_30_days_before_the_end():
    assert window(None, "2026-11-26T12:00:00Z", now=NOW) == (utc(2026, 10, 27, 12), utc(2026, 11, 26, 12))


def test_time_window_start_after_end():
    with pytest.raises(ValidationError) as exc:
        window("2026-11-27", "2026-11-26", now=NOW)
    assert exc.value.option == "start_time" and "must not be after end_time" in exc.value.msg


def test_time_window_future_start_with_open_end_message():
    with pytest.raises(ValidationError) as exc:
        window("2026-12-31", None, now=NOW)
    assert exc.value.option == "start_time" and "None" not in exc.value.msg


@pytest.mark.parametrize(
    "start,end,option",
    [("soon", None, "start_time"), (None, "later", "end_time"), ("2026-11-01", "2026-02-30", "end_time")],
)
def test_time_window_bad_values_name_the_option(start, end, option):
    with pytest.raises(ValidationError) as exc:
        window(start, end, now=NOW)
    assert exc.value.option == option


def test_time_window_open_end_follows_the_clock_it_is_given():
    """The open end is Azure's now: a start ahead of the local clock (the emulator runs days ahead) is fine."""
    azure_now = NOW + datetime.timedelta(days=40)
    start = (NOW + datetime.timedelta(days=20)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert window(start, None, now=azure_now) == (
        NOW + datetime.timedelta(days=20),
        azure_now + datetime.timedelta(days=1),
    )
    with pytest.raises(ValidationError) as exc:
        window(start, None, now=NOW)
    assert "after Azure's current time" in exc.value.msg
    with pytest.raises(ValueError):
        time_window(NOW, None)  # an open end needs Azure's now: a programming error, not the user's
