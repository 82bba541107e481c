# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one polling primitive: never past the deadline, one last poll shortly before it, then stop."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cloudops.azure_backup.plugins.module_utils._polling import (
    DEFAULT_POLL_INTERVAL,
    FINAL_POLL_TIME,
    Poller,
)


def test_without_a_deadline_it_sleeps_the_interval(clock):
    poller = Poller(None, 7, clock=clock, sleep=clock.sleep)
    assert all(poller.pause() for _dummy in range(3)) and clock.sleeps == [7, 7, 7]
    assert poller.remaining() is None and not poller.expired()
    assert Poller(clock=clock, sleep=clock.sleep).interval == DEFAULT_POLL_INTERVAL == 15.0


def test_a_delay_from_azure_wins_over_the_interval(clock):
    poller = Poller(clock() + 1000, 30, clock=clock, sleep=clock.sleep)
    assert poller.pause(5) and poller.pause(0) and clock.sleeps == [5]


def test_the_last_poll_comes_shortly_before_the_deadline_then_it_stops(clock):
    start = clock()
    poller = Poller(start + 65, 30, clock=clock, sleep=clock.sleep)
    assert poller.pause() and poller.pause()  # 30, 60
    assert poller.pause()  # 3 s left of 5: the last poll at 63
    assert clock.sleeps == [30, 30, 65 - 60 - FINAL_POLL_TIME]
    assert not poller.pause() and clock.sleeps[-1] == 3  # no busy loop in the last seconds
    assert poller.elapsed() == 63 and not poller.expired()


def test_a_deadline_that_passed_stops_at_once(clock):
    poller = Poller(clock() - 1, 30, clock=clock, sleep=clock.sleep)
    assert poller.expired() and not poller.pause() and clock.sleeps == []


def test_little_time_left_keeps_half_of_it_for_the_last_poll(clock):
    poller = Poller(clock() + 1, 30, clock=clock, sleep=clock.sleep)
    assert poller.pause() and clock.sleeps == [0.5] and not poller.pause()
