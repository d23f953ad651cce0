"""Hypothesis strategies for scenarios: small random contact centres that run in milliseconds.

:func:`scenario_dicts` draws raw scenario data as a planner would write it
(durations with units, rates per hour) and :func:`scenarios` validates it. A
drawn centre has 1-3 queues and 1-3 agent groups whose skills cover every
queue; its arrival, handle, wrap-up and patience settings, staffing (constant
or a plan), closing mode, warm-up, calendar start and time zone (including
daylight-saving nights) are random; the horizon is short so that each example
runs fast. Grow these strategies with each feature.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from simcenter.scenario import Scenario, build_scenario

QUEUE_NAMES = ("billing", "tech", "sales")
GROUP_NAMES = ("tier1", "tier2", "tier3")
CLOSINGS = ("drain", "clear", "stop")
CLOCK_STARTS = ("00:00", "01:00", "01:30", "02:00")
# Calendar starts: an ordinary Monday, and the nights of the 2026 daylight-saving
# changes in Europe/Berlin (clocks jump 02:00 -> 03:00 on 29 March, 03:00 -> 02:00 on
# 25 October), so that wall-clock profiles and plans cross a 23- or 25-hour day.
CALENDAR_STARTS = ("2026-01-05T00:00", "2026-03-29T01:15", "2026-10-25T01:45")
TIMEZONES = ("UTC", "Europe/Berlin")

Data = dict[str, Any]


def seconds(low: int, high: int) -> st.SearchStrategy[int]:
    """Whole seconds from ``low`` to ``high``."""
    return st.integers(low, high)


def constant(mean: st.SearchStrategy[int]) -> st.SearchStrategy[Data]:
    """A constant distribution."""
    return st.builds(lambda value: {"distribution": "constant", "mean": f"{value}s"}, mean)


def exponential(mean: st.SearchStrategy[int]) -> st.SearchStrategy[Data]:
    """An exponential distribution."""
    return st.builds(lambda value: {"distribution": "exponential", "mean": f"{value}s"}, mean)


def uniform(low: int, high: int) -> st.SearchStrategy[Data]:
    """A uniform distribution on a random sub-range of ``[low, high]`` seconds."""
    bounds = st.lists(seconds(low, high), min_size=2, max_size=2).map(sorted)
    return bounds.map(lambda pair: {"distribution": "uniform", "low": pair[0], "high": pair[1]})


def handle_times() -> st.SearchStrategy[Data]:
    """Talk times with means from 20 s to 10 min."""
    return st.one_of(constant(seconds(20, 600)), exponential(seconds(20, 600)), uniform(10, 900))


def wrap_ups() -> st.SearchStrategy[Data | None]:
    """No wrap-up key, or a wrap-up of up to 2 min (zero included)."""
    return st.one_of(st.none(), constant(seconds(0, 120)), exponential(seconds(1, 120)))


def patiences() -> st.SearchStrategy[Data | None]:
    """No abandonment, or patience with a mean from 5 s to 5 min."""
    return st.one_of(st.none(), constant(seconds(5, 300)), exponential(seconds(5, 300)))


def arrivals() -> st.SearchStrategy[Data]:
    """A Poisson rate up to 240/h, or a daily profile of 15-min volumes (up to 60 each)."""
    rate = st.integers(0, 240).map(lambda per_hour: {"rate": f"{per_hour}/h"})
    profile = st.builds(
        lambda start, volumes: {
            "profile": {"interval": "15min", "start": start, "volumes": volumes}
        },
        st.sampled_from(CLOCK_STARTS),
        st.lists(st.integers(0, 60), min_size=1, max_size=12),
    )
    return st.one_of(rate, profile)


@st.composite
def queue_dicts(draw: st.DrawFn, name: str) -> Data:
    """One queue named ``name``."""
    queue = {
        "name": name,
        "arrivals": draw(arrivals()),
        "handle_time": draw(handle_times()),
        "priority": draw(st.integers(0, 2)),
    }
    for key, strategy in (("wrap_up", wrap_ups()), ("patience", patiences())):
        value = draw(strategy)
        if value is not None:
            queue[key] = value
    return queue


def staffing() -> st.SearchStrategy[Data]:
    """A constant count of 0-4 agents, or a plan of 15-min counts from an early-morning time."""
    count = st.integers(0, 4).map(lambda value: {"count": value})
    plan = st.builds(
        lambda start, counts: {"staffing": {"interval": "15min", "start": start, "counts": counts}},
        st.sampled_from(CLOCK_STARTS),
        st.lists(st.integers(0, 4), min_size=1, max_size=12),
    )
    return st.one_of(count, plan)


@st.composite
def skill_sets(draw: st.DrawFn, queue_names: list[str]) -> dict[str, int]:
    """A non-empty subset of the queues, each at skill level 1 or 2."""
    names = draw(st.lists(st.sampled_from(queue_names), min_size=1, unique=True))
    return {name: draw(st.integers(1, 2)) for name in names}


@st.composite
def agent_dicts(draw: st.DrawFn, queue_names: list[str]) -> list[Data]:
    """1-3 agent groups whose skills together cover every queue."""
    group_count = draw(st.integers(1, len(GROUP_NAMES)))
    skills = [draw(skill_sets(queue_names)) for _ in range(group_count)]
    for name in queue_names:
        if not any(name in owned for owned in skills):
            skills[draw(st.integers(0, group_count - 1))][name] = draw(st.integers(1, 2))
    return [
        {"name": GROUP_NAMES[index], **draw(staffing()), "skills": skills[index]}
        for index in range(group_count)
    ]


@st.composite
def scenario_dicts(draw: st.DrawFn, warmup: bool | None = None) -> Data:
    """Raw data of a small scenario: up to 1 h of horizon after a warm-up of 0 or 15 min.

    Profiles and staffing plans start between midnight and 02:00 wall-clock
    time, and the run may start on a night when the clocks change.

    Args:
        draw: Hypothesis' draw function.
        warmup: True or False to force a warm-up or none; None draws either.
    """
    queue_names = list(QUEUE_NAMES[: draw(st.integers(1, len(QUEUE_NAMES)))])
    with_warmup = draw(st.booleans()) if warmup is None else warmup
    return {
        "name": "drawn",
        "seed": draw(st.integers(0, 2**16)),
        "start": draw(st.sampled_from(CALENDAR_STARTS)),
        "timezone": draw(st.sampled_from(TIMEZONES)),
        "horizon": draw(st.sampled_from(["30min", "45min", "1h"])),
        "warmup": "15min" if with_warmup else "0s",
        "interval": draw(st.sampled_from(["10min", "15min", "25min"])),
        "closing": draw(st.sampled_from(CLOSINGS)),
        "queues": [draw(queue_dicts(name)) for name in queue_names],
        "agents": draw(agent_dicts(queue_names)),
    }


def scenarios(warmup: bool | None = None) -> st.SearchStrategy[Scenario]:
    """Validated small scenarios (see :func:`scenario_dicts`)."""
    return scenario_dicts(warmup).map(build_scenario)
