"""The one way the engine says "call this step in so many seconds with that contact or agent".

Most of a contact's story is driven by timers rather than by a SimPy process
per contact: a timer fires ``delay_s`` seconds after it was set and calls its
step with itself; the step reads its subject (the contact or agent) from
``timer._value`` (PERF: SimPy's ``value`` property is a Python call per
timer; benchmarks/README.md, "Timers"). A timer is never cancelled: a step that finds its subject in
another state than the one it was set for (a patience timer of a contact
already answered) does nothing.

A timer writes SimPy's private schedule (``env._queue``, ``env._eid``,
``env._now``) as ``Environment.schedule`` does: pyproject.toml bounds SimPy's
version, and tests/test_timer.py fails if a release changes these.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappush
from typing import Any

import simpy
from simpy.events import NORMAL, Timeout


class Timer(Timeout):
    """A SimPy timeout with one callback, ``step``, and a subject as its value.

    Args:
        env: The environment.
        delay_s: Seconds from now, >= 0 (not checked: callers pass durations).
        step: Called as ``step(timer)`` when the timer fires.
        subject: What the step is about; ``timer.value``.
    """

    def __init__(
        self,
        env: simpy.Environment,
        delay_s: float,
        step: Callable[[Timer], None],
        subject: Any,
    ) -> None:
        """Schedule the timer (see the class docstring)."""
        # PERF: Timeout.__init__ and Environment.schedule inlined, with the
        # callback list built at once: one Python call per timer instead of
        # three (benchmarks/README.md, "Timers").
        self.env = env
        self.callbacks = [step]
        self._value = subject
        self._delay = delay_s
        self._ok = True
        heappush(env._queue, (env._now + delay_s, NORMAL, next(env._eid), self))
