"""Date/time and duration formats the way the Backup service writes them."""

import re
from datetime import datetime, timedelta, timezone

UTC = timezone.utc
# What the service sends for "no end time yet" (examples/.../ProtectedItem_Delete_OperationStatus.json).
NULL_TIME = "0001-01-01T00:00:00.00000Z"


def iso(value):
    """2017-08-03T05:31:07.0146040Z: seven fractional digits, like .NET's round-trip format."""
    if value is None:
        return None
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + "%06d0Z" % value.microsecond


def dotnet_general(value):
    """11/26/2026 11:31:04 PM: the culture-invariant form the service uses inside propertyBag."""
    value = value.astimezone(UTC)
    hour = value.hour % 12 or 12
    suffix = "AM" if value.hour < 12 else "PM"
    return "%d/%d/%d %d:%02d:%02d %s" % (value.month, value.day, value.year, hour, value.minute, value.second, suffix)


def duration_iso(seconds):
    """XmlConvert.ToString(TimeSpan): PT20M23.0896697S, P1DT2H3M4S, PT0S."""
    seconds = max(0.0, float(seconds))
    ticks = int(round(seconds * 10_000_000))
    days, ticks = divmod(ticks, 864_000_000_000)
    hours, ticks = divmod(ticks, 36_000_000_000)
    minutes, ticks = divmod(ticks, 600_000_000)
    whole, frac = divmod(ticks, 10_000_000)
    out = "P"
    if days:
        out += "%dD" % days
    time_part = ""
    if hours:
        time_part += "%dH" % hours
    if minutes:
        time_part += "%dM" % minutes
    if whole or frac:
        time_part += str(whole)
        if frac:
            time_part += ("." + "%07d" % frac).rstrip("0")
        time_part += "S"
    if time_part:
        out += "T" + time_part
    elif not days:
        out += "T0S"
    return out


def duration_timespan(seconds):
    """TimeSpan.ToString(): 00:20:23.0896697 or 1.02:03:04.5000000."""
    seconds = max(0.0, float(seconds))
    ticks = int(round(seconds * 10_000_000))
    days, ticks = divmod(ticks, 864_000_000_000)
    hours, ticks = divmod(ticks, 36_000_000_000)
    minutes, ticks = divmod(ticks, 600_000_000)
    whole, frac = divmod(ticks, 10_000_000)
    out = "%02d:%02d:%02d" % (hours, minutes, whole)
    if frac:
        out += ".%07d" % frac
    return ("%d." % days + out) if days else out


def format_duration(seconds, style):
    return duration_timespan(seconds) if style == "timespan" else duration_iso(seconds)


_FILTER_TIME = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*(AM|PM)?$", re.I
)


def parse_filter_time(text):
    """Parse a $filter time literal: '2016-01-01 00:00:00 AM' (the documented form) or ISO-8601.

    Raises ValueError when the literal is not a time.
    """
    text = text.strip()
    match = _FILTER_TIME.match(text)
    if match:
        year, month, day, hour, minute, second, frac, ampm = match.groups()
        hour = int(hour)
        if ampm:
            if hour > 12:
                raise ValueError("hour out of range for AM/PM: %s" % text)
            if ampm.upper() == "PM" and hour < 12:
                hour += 12
            elif ampm.upper() == "AM" and hour == 12:
                hour = 0
        micro = int((frac or "0")[:6].ljust(6, "0"))
        return datetime(int(year), int(month), int(day), hour, int(minute), int(second or 0), micro, tzinfo=UTC)
    return parse_iso(text)


def parse_iso(text):
    """Parse an ISO-8601 date-time (Z or offset; naive means UTC). Raises ValueError."""
    if not isinstance(text, str) or not text:
        raise ValueError("not a date-time")
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    match = re.match(r"^(.*T\d{2}:\d{2}:\d{2})\.(\d+)(.*)$", value)
    if match:  # Python < 3.11 wants at most 6 fractional digits
        value = "%s.%s%s" % (match.group(1), match.group(2)[:6].ljust(6, "0"), match.group(3))
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def seconds(value):
    return timedelta(seconds=value)
