"""Emulated time: N emulated seconds per real second, plus explicit jumps."""

import math
import threading
import time
from datetime import datetime, timedelta, timezone


class EmulatedClock:
    """Wall clock of the emulated Azure.

    It starts at the real UTC time and runs ``scale`` times faster than real time; ``advance()``
    jumps forward. Everything Azure does on a timer (operations, jobs, Retry-After) uses it.
    """

    def __init__(self, scale=1.0, start=None, monotonic=time.monotonic):
        if scale <= 0:
            raise ValueError("time scale must be > 0")
        self.scale = float(scale)
        self._monotonic = monotonic
        self._origin_real = monotonic()
        self._origin = start or datetime.now(timezone.utc)
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self):
        with self._lock:
            elapsed = (self._monotonic() - self._origin_real) * self.scale + self._offset
        return self._origin + timedelta(seconds=elapsed)

    def set_scale(self, scale):
        """Run ``scale`` times faster than real time from now on; emulated time does not jump."""
        if scale <= 0:
            raise ValueError("time scale must be > 0")
        with self._lock:
            real = self._monotonic()
            self._offset += (real - self._origin_real) * self.scale
            self._origin_real = real
            self.scale = float(scale)

    def rebase(self):
        """Start again from the real UTC time now (used by reset, so that emulated and real time agree)."""
        with self._lock:
            self._origin_real = self._monotonic()
            self._origin = datetime.now(timezone.utc)
            self._offset = 0.0

    def advance(self, seconds):
        if seconds < 0:
            raise ValueError("time only moves forward")
        with self._lock:
            self._offset += float(seconds)
        return self.now()

    def real_seconds(self, emulated_seconds):
        """How long ``emulated_seconds`` last in real time."""
        return emulated_seconds / self.scale

    def retry_after(self, emulated_seconds):
        """(Retry-After integer seconds >= 1, retry-after-ms precise) for an emulated delay."""
        real = self.real_seconds(emulated_seconds)
        return max(1, int(math.ceil(real - 1e-9))), max(1, int(round(real * 1000)))
