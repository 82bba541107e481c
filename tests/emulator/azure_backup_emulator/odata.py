"""The OData-ish $filter the Backup service accepts: ``field eq 'value'`` clauses joined by ``and``."""

import re

from . import arm
from .timefmt import parse_filter_time

_CLAUSE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_]*)\s+eq\s+'((?:[^']|'')*)'\s*$", re.S)
_AND = re.compile(r"\s+and\s+", re.I)


def parse_filter(text, allowed):
    """{field (canonical spelling from ``allowed``): value}. Raises ArmError 400 when malformed."""
    if text is None or not text.strip():
        return {}
    canonical = {name.lower(): name for name in allowed}
    result = {}
    for clause in _split_and(text):
        match = _CLAUSE.match(clause)
        if not match:
            raise arm.invalid_input(
                "Invalid $filter: '%s'. Expected clauses of the form <field> eq '<value>' joined by 'and'." % text
            )
        field, value = match.group(1), match.group(2).replace("''", "'")
        name = canonical.get(field.lower())
        if name is None:
            raise arm.invalid_input(
                "Invalid $filter: '%s' is not a supported filter property. Supported: %s." % (field, ", ".join(allowed))
            )
        if name in result:
            raise arm.invalid_input("Invalid $filter: '%s' appears more than once." % field)
        result[name] = value
    return result


def _split_and(text):
    """Split on ``and`` outside quotes."""
    parts, current, quoted = [], [], False
    tokens = re.split(r"('|\s+and\s+)", text, flags=re.I)
    for token in tokens:
        if token == "'":
            quoted = not quoted
            current.append(token)
        elif not quoted and _AND.fullmatch(token or ""):
            parts.append("".join(current))
            current = []
        else:
            current.append(token)
    parts.append("".join(current))
    return parts


def filter_time(value, field):
    try:
        return parse_filter_time(value)
    except ValueError:
        raise arm.invalid_input(
            "Invalid $filter: '%s' is not a valid time for %s. Use the format "
            "'yyyy-MM-dd hh:mm:ss tt'." % (value, field)
        ) from None
