"""ARM-style throttling: one token bucket per subscription and kind (reads / writes), real time."""

import math
import threading
import time

DEFAULTS = {
    "enabled": True,
    "reads": {"capacity": 250, "refill_per_second": 25.0},
    "writes": {"capacity": 200, "refill_per_second": 10.0},
}


class TokenBucket:
    def __init__(self, capacity, refill_per_second, monotonic=time.monotonic):
        self.capacity = int(capacity)
        self.refill = float(refill_per_second)
        self._monotonic = monotonic
        self._tokens = float(self.capacity)
        self._stamp = monotonic()

    def _fill(self):
        now = self._monotonic()
        self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.refill)
        self._stamp = now

    def take(self):
        """(allowed, remaining whole tokens, seconds until one token is back)."""
        self._fill()
        if self._tokens >= 1:
            self._tokens -= 1
            return True, int(self._tokens), 0.0
        missing = 1 - self._tokens
        wait = missing / self.refill if self.refill > 0 else 3600.0
        return False, 0, wait


class Throttler:
    """Buckets keyed by (subscription, 'reads'|'writes'), configured from the scenario."""

    def __init__(self, config=None, monotonic=time.monotonic):
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self.configure(config or {})

    def configure(self, config):
        merged = {
            "enabled": config.get("enabled", DEFAULTS["enabled"]),
            "reads": dict(DEFAULTS["reads"], **(config.get("reads") or {})),
            "writes": dict(DEFAULTS["writes"], **(config.get("writes") or {})),
        }
        with self._lock:
            self.config = merged
            self._buckets = {}
        return merged

    def take(self, subscription_id, kind):
        """Returns (allowed, remaining, retry_after_seconds:int)."""
        with self._lock:
            if not self.config["enabled"]:
                cap = self.config[kind]["capacity"]
                return True, cap - 1, 0
            key = (subscription_id.lower(), kind)
            bucket = self._buckets.get(key)
            if bucket is None:
                spec = self.config[kind]
                bucket = TokenBucket(spec["capacity"], spec["refill_per_second"], self._monotonic)
                self._buckets[key] = bucket
            allowed, remaining, wait = bucket.take()
        return allowed, remaining, max(1, int(math.ceil(wait)))
