# -*- coding: utf-8 -*-
# Copyright: contributors to the cloudops.azure_backup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to this collection; not a public API.

User-given times and the OData-like ``$filter`` strings Azure Backup's list calls take.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re

from ansible_collections.cloudops.azure_backup.plugins.module_utils import _errors

UTC = datetime.timezone.utc
DEFAULT_WINDOW = datetime.timedelta(days=30)
# An open end reaches a day past now, so that a local clock behind Azure's loses nothing.
OPEN_END_MARGIN = datetime.timedelta(days=1)
JOB_FILTER_FIELDS = (
    ('status', 'status'),
    ('operation', 'operation'),
    ('backup_management_type', 'backupManagementType'),
    ('job_id', 'jobId'),
    ('start_time', 'startTime'),
    ('end_time', 'endTime'),
)


_TIME_RE = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$", re.IGNORECASE
)


def parse_azure_time(value):
    """An ISO 8601 date and time (Azure's have up to 7 fractional digits) as an aware UTC datetime, or None.

    Naive times are taken as UTC."""
    if not isinstance(value, str):
        return None
    match = _TIME_RE.match(value.strip())
    if not match:
        return None
    day, clock, fraction, zone = match.groups()
    try:
        moment = datetime.datetime.strptime(
            day + ' ' + (clock if clock.count(':') == 2 else clock + ':00'), '%Y-%m-%d %H:%M:%S'
        )
    except ValueError:
        return None
    if fraction:
        moment = moment.replace(microsecond=int((fraction + '000000')[:6]))
    offset = datetime.timedelta(0)
    if zone and zone.upper() != 'Z':
        digits = zone[1:].replace(':', '')
        offset = (-1 if zone[0] == '-' else 1) * datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return (moment - offset).replace(tzinfo=UTC)


def parse_utc(value, option, end_of_day=False):
    """A datetime (UTC) from 'YYYY-MM-DD' or an ISO 8601 date and time; naive times are UTC."""
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    text = str(value).strip()
    moment = None
    if len(text) == 10:
        try:
            moment = datetime.datetime.strptime(text, '%Y-%m-%d').replace(tzinfo=UTC)
        except ValueError:
            pass
        if moment is not None and end_of_day:
            moment = moment.replace(hour=23, minute=59, second=59)
    else:
        moment = parse_azure_time(text)
    if moment is None:
        raise _errors.ValidationError(
            "%s: expected a date YYYY-MM-DD or an ISO 8601 date and time such as 2026-11-26T08:30:00Z, got '%s'"
            % (option, value),
            option=option,
        )
    return moment


def filter_time(moment):
    """The time literal Azure Backup's filters take: 'YYYY-MM-DD hh:mm:ss AM' (UTC, 12-hour clock)."""
    moment = moment.astimezone(UTC)
    # %p depends on the locale: spell AM/PM out
    return '%s %02d:%02d:%02d %s' % (
        moment.strftime('%Y-%m-%d'),
        moment.hour % 12 or 12,
        moment.minute,
        moment.second,
        'AM' if moment.hour < 12 else 'PM',
    )


def odata_eq(**clauses):
    """'a eq 'x' and b eq 'y'' from the given field names and values (None values are left out)."""
    parts = []
    for field, value in clauses.items():
        if value is None:
            continue
        if isinstance(value, datetime.datetime):
            value = filter_time(value)
        parts.append("%s eq '%s'" % (field, str(value).replace("'", "''")))
    return ' and '.join(parts)


def job_filter(**values):
    """$filter for BackupJobs_List from snake_case names (status, operation, backup_management_type, job_id, start_time, end_time)."""
    unknown = set(values) - set(name for name, dummy in JOB_FILTER_FIELDS)
    if unknown:
        raise ValueError('unknown job filter fields: %s' % ', '.join(sorted(unknown)))
    return odata_eq(**dict((field, values.get(name)) for name, field in JOB_FILTER_FIELDS))


def check_window(start_time=None, end_time=None):
    """(start, end) UTC datetimes parsed from the start_time / end_time options, None where not given; checked
    (forms, order) before anything is sent. An end given as a date means the end of that day."""
    start = parse_utc(start_time, 'start_time') if start_time else None
    end = parse_utc(end_time, 'end_time', end_of_day=True) if end_time else None
    if start is not None and end is not None and start > end:
        raise _errors.ValidationError(
            'start_time (%s) must not be after end_time (%s)' % (start_time, end_time), option='start_time'
        )
    return start, end


def time_window(start=None, end=None, now=None):
    """The (start, end) window from check_window()'s values; (None, None) when neither is set.

    A missing end is open: ``now`` (Azure's clock: the caller's is not to be trusted) plus a margin; a missing
    start is 30 days before the end."""
    if start is None and end is None:
        return None, None
    if end is None:
        if now is None:
            raise ValueError('time_window: an open end needs now (by Azure\'s clock)')
        end = now + OPEN_END_MARGIN
        if start > end:
            raise _errors.ValidationError(
                "start_time (%s) is after Azure's current time (%s)" % (start.isoformat(), now.isoformat()),
                option='start_time',
            )
    return start or end - DEFAULT_WINDOW, end
