"""Fault injection: rules that replace (or follow) the real answer for matching requests.

A match is counted, the first ``after`` matches pass, then each further match is faulted with
``probability`` (a random.Random(seed) of the fault's own, so a seed replays the same pattern for
the same request order), until ``count`` faults were applied.
"""

import itertools
import numbers
import random
import re
import threading

ACTIONS = ("status", "drop", "delay", "malformed", "repeat_next_link", "revoke_tokens")
PHASES = ("before", "after")
# Actions that work on the real answer, so need the handler to have run.
AFTER_ONLY = ("repeat_next_link",)
# Actions that change what the request meets, so must run before the bearer check.
BEFORE_ONLY = ("revoke_tokens",)
REVOCATION_CODES = ("ExpiredAuthenticationToken", "InvalidAuthenticationToken")


class FaultError(ValueError):
    pass


class Fault:
    def __init__(self, fault_id, spec):
        self.id = fault_id
        self.operation = spec.get("operation")
        self.method = (spec.get("method") or "").upper() or None
        self.path_regex = spec.get("path_regex")
        self.action = spec.get("action", "status")
        self.phase = spec.get("phase", "before")
        self.status = int(spec.get("status", 500 if self.action == "status" else 200))
        self.count = spec.get("count")  # None: unlimited
        self.after = int(spec.get("after", 0))  # skip the first N matches
        self.retry_after = spec.get("retry_after")
        self.retry_after_ms = spec.get("retry_after_ms")
        self.delay_ms = int(spec.get("delay_ms", 0))
        self.body = spec.get("body")
        self.content_type = spec.get("content_type", "application/json")  # for a string body
        self.headers = dict(spec.get("headers") or {})
        self.probability = spec.get("probability")  # None: every match
        self.seed = spec.get("seed")
        self.code = spec.get("code", REVOCATION_CODES[0])  # revoke_tokens: the 401 code ARM answers with
        self.matched = 0
        self.applied = 0
        self._check()
        self._random = random.Random(self.seed)
        self._regex = re.compile(self.path_regex, re.I) if self.path_regex else None

    def _check(self):
        if self.action not in ACTIONS:
            raise FaultError("action must be one of %s" % ", ".join(ACTIONS))
        if self.action in BEFORE_ONLY and self.phase != "before":
            raise FaultError("action %s needs phase before" % self.action)
        if self.action == "revoke_tokens" and self.code not in REVOCATION_CODES:
            raise FaultError("code must be one of %s" % ", ".join(REVOCATION_CODES))
        if self.phase not in PHASES:
            raise FaultError("phase must be one of %s" % ", ".join(PHASES))
        if not self.operation and not self.path_regex and not self.method:
            raise FaultError("a fault needs 'operation', or 'method' and/or 'path_regex'")
        if self.action in AFTER_ONLY and self.phase != "after":
            raise FaultError("action %s needs phase 'after' (it edits the real answer)" % self.action)
        if self.count is not None:
            self.count = int(self.count)
        if self.probability is not None:
            p = self.probability
            if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0 < p <= 1:
                raise FaultError("probability must be a number with 0 < probability <= 1")
            self.probability = float(p)
        if self.seed is not None and (isinstance(self.seed, bool) or not isinstance(self.seed, int)):
            raise FaultError("seed must be an integer")
        if not isinstance(self.content_type, str) or not self.content_type.strip():
            raise FaultError("content_type must be a non-empty string")
        if self.path_regex:
            try:
                re.compile(self.path_regex)
            except re.error as exc:
                raise FaultError("bad path_regex: %s" % exc) from None

    def matches(self, operation, method, path, phase):
        if phase != self.phase:
            return False
        if self.operation and self.operation.lower() != (operation or "").lower():
            return False
        if self.method and self.method != method.upper():
            return False
        if self._regex is not None:
            if not self._regex.search(path):
                return False
            # A regex never hits the control API unless it names it.
            if path.startswith("/_emulator") and "_emulator" not in self.path_regex:
                return False
        elif not self.operation and path.startswith("/_emulator"):
            return False
        return True

    def exhausted(self):
        return self.count is not None and self.applied >= self.count

    def roll(self):
        """Whether this (counted, not skipped) match is faulted: always, or with ``probability``."""
        return self.probability is None or self._random.random() < self.probability

    def to_dict(self):
        return {
            "id": self.id,
            "operation": self.operation,
            "method": self.method,
            "path_regex": self.path_regex,
            "action": self.action,
            "code": self.code,
            "phase": self.phase,
            "status": self.status,
            "count": self.count,
            "after": self.after,
            "retry_after": self.retry_after,
            "retry_after_ms": self.retry_after_ms,
            "delay_ms": self.delay_ms,
            "body": self.body,
            "content_type": self.content_type,
            "headers": self.headers,
            "probability": self.probability,
            "seed": self.seed,
            "matched": self.matched,
            "applied": self.applied,
        }


class FaultRegistry:
    def __init__(self):
        self._lock = threading.Lock()
        self._faults = []
        self._ids = itertools.count(1)

    def add(self, spec):
        fault = Fault("fault-%d" % next(self._ids), spec)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self):
        with self._lock:
            self._faults = []

    def list(self):
        with self._lock:
            return [f.to_dict() for f in self._faults]

    def take(self, operation, method, path, phase):
        """The first fault that applies to this request now (counting it), or None."""
        with self._lock:
            for fault in self._faults:
                if fault.exhausted() or not fault.matches(operation, method, path, phase):
                    continue
                fault.matched += 1
                if fault.matched <= fault.after or not fault.roll():
                    continue
                fault.applied += 1
                return fault
        return None
