# -*- coding: utf-8 -*-
# Copyright (c) cloudops.azure_backup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one polling primitive under every wait (jobs, operations, the trigger's attach loop).
Internal to this collection; not a public API."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

# Seconds between polls when the user gave no poll_interval and Azure sent no Retry-After: the one default.
DEFAULT_POLL_INTERVAL = 15.0
# The last poll comes this long before the deadline (at most half the time left), so that it has time to finish.
FINAL_POLL_TIME = 2.0


class Poller(object):
    """Polls under one monotonic ``deadline`` (a ``clock`` value; None: no deadline).

    ``pause(delay)`` sleeps ``delay`` (default ``interval``) before the next poll, but never past the deadline:
    when the deadline is nearer, it sleeps until shortly before it (FINAL_POLL_TIME) for one last poll, and
    the pause after that returns False without sleeping: the caller then stops with what it last saw.
    ``clock`` and ``sleep`` are injectable, so tests never sleep."""

    def __init__(self, deadline=None, interval=None, clock=time.monotonic, sleep=time.sleep):
        self.deadline = deadline
        self.interval = DEFAULT_POLL_INTERVAL if interval is None else float(interval)
        self.clock = clock
        self.sleep = sleep
        self.started = clock()
        self._final = False

    def remaining(self):
        """Seconds left before the deadline (None: no deadline)."""
        return None if self.deadline is None else self.deadline - self.clock()

    def expired(self):
        remaining = self.remaining()
        return remaining is not None and remaining <= 0

    def elapsed(self):
        return round(self.clock() - self.started, 3)

    def pause(self, delay=None):
        """Sleep before the next poll; False (and no sleep) when no poll is left before the deadline."""
        delay = self.interval if delay is None else max(0.0, float(delay))
        remaining = self.remaining()
        if remaining is not None:
            if self._final or remaining <= 0:
                return False
            reserve = min(FINAL_POLL_TIME, remaining / 2.0)
            if delay >= remaining - reserve:
                self._final = True
                delay = remaining - reserve
        if delay > 0:
            self.sleep(delay)
        return True
