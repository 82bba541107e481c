"""The emulator's state holder: scenario, clock, vault state, keys, tokens, throttling, faults, log."""

import threading

from .auth import TokenStore
from .clock import EmulatedClock
from .faults import FaultRegistry
from .keys import KeyRing
from .requestlog import RequestLog
from .scenario import load_scenario
from .state import VaultState
from .throttling import Throttler


class Emulator:
    def __init__(self, scenario=None, time_scale=1.0, clock=None):
        self.scenario = scenario or load_scenario()
        self.clock = clock or EmulatedClock(scale=time_scale)
        self.time_scale = self.clock.scale  # the one reset goes back to
        self.lock = threading.RLock()
        self.keys = KeyRing()  # kept across scenario loads: files handed to clients stay valid
        self.tokens = TokenStore(self.scenario, self.keys)
        self.throttler = Throttler(self.scenario.get("throttling"))
        self.faults = FaultRegistry()
        self.log = RequestLog()
        self.state = VaultState(self.scenario, self.clock.now())

    # --- time ------------------------------------------------------------------------------

    def now(self):
        return self.clock.now()

    def settled_now(self):
        """Emulated now, with every operation/job that ended by then completed. Call under lock."""
        now = self.clock.now()
        self.state.settle(now)
        return now

    def retry_after(self, emulated_seconds=None):
        if emulated_seconds is None:
            emulated_seconds = float(self.scenario["timing"].get("retry_after_seconds", 60))
        return self.clock.retry_after(emulated_seconds)

    # --- control ---------------------------------------------------------------------------

    def reset(self, scenario=None):
        """State back to the scenario (optionally a new one); stats, log and faults cleared."""
        with self.lock:
            if scenario is not None:
                self.scenario = scenario
                self.tokens.configure(scenario)
            self.throttler.configure(self.scenario.get("throttling") or {})
            self.faults.clear()
            self.log.clear()
            self.clock.rebase()
            self.clock.set_scale(self.time_scale)
            self.state = VaultState(self.scenario, self.clock.now())

    @property
    def page_size(self):
        return max(1, int(self.scenario.get("paging", {}).get("page_size", 200)))

    @property
    def duration_format(self):
        return self.scenario.get("duration_format", "iso8601")
