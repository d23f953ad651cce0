"""The timer writes SimPy's private schedule: these tests fail if a SimPy release changes it.

:class:`~simcenter.timer.Timer` pushes ``(time, priority, event id, event)``
onto ``env._queue`` with the id from ``env._eid``, as
``Environment.schedule`` does, and reads ``env._now``. pyproject.toml bounds
SimPy's version; before raising the bound these tests must pass on the new
release.
"""

from __future__ import annotations

import itertools

import simpy
from simpy.events import NORMAL, Timeout

from simcenter.timer import Timer


def test_the_private_schedule_is_what_the_timer_writes() -> None:
    env = simpy.Environment()
    assert isinstance(env._queue, list)
    assert isinstance(env._eid, itertools.count)
    assert env._now == 0
    timeout = env.timeout(5.0, value="plain")
    timer = Timer(env, 5.0, lambda timer: None, "subject")
    assert env._queue == [(5.0, NORMAL, 0, timeout), (5.0, NORMAL, 1, timer)]


def test_a_timer_fires_like_a_timeout_in_schedule_order() -> None:
    env = simpy.Environment()
    fired: list[tuple[float, str]] = []
    env.timeout(3.0).callbacks.append(lambda event: fired.append((env.now, "timeout at 3")))
    Timer(env, 3.0, lambda timer: fired.append((env.now, timer._value)), "timer at 3")
    Timer(env, 1.0, lambda timer: fired.append((env.now, timer.value)), "timer at 1")
    env.run()
    assert fired == [(1.0, "timer at 1"), (3.0, "timeout at 3"), (3.0, "timer at 3")]


def test_a_timer_is_a_processed_timeout_that_a_process_may_wait_for() -> None:
    env = simpy.Environment()
    timer = Timer(env, 2.5, lambda timer: None, 7)
    assert isinstance(timer, Timeout)

    def waiter() -> simpy.events.ProcessGenerator:
        value = yield timer
        assert value == 7
        assert env.now == 2.5

    process = env.process(waiter())
    env.run()
    assert timer.processed
    assert timer.ok
    assert process.processed
