"""Hypothesis strategies for scenarios: small random contact centres that run in milliseconds.

:func:`scenario_dicts` draws raw scenario data as a planner would write it
(durations with units, rates per hour) and :func:`scenarios` validates it. A
drawn centre has 1-3 queues and 1-3 agent groups whose skills cover every
queue; its arrival, handle, wrap-up and patience settings, staffing (constant
or a plan), closing mode, warm-up, calendar start and time zone (including
daylight-saving nights) are random; the horizon is short so that each example
runs fast. Grow these strategies with each feature.

:func:`routing_scenario_dicts` adds a random subset of the routing features
(issue 3) to such a scenario: lines, routing policies, overflow, balking,
maximum waits, transfers, repeat contacts, retrials, IVRs, long-form skills
and rotation, all valid by construction.
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
AGENT_SELECTIONS = ("longest_idle", "random", "round_robin", "fewest_skills", "priority")
CONTACT_SELECTIONS = ("oldest", "priority", "sl_urgency")
REPEAT_CONTACTS = ("any_agent", "prefer_last_agent", "last_agent_only")
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


# --- routing features (issue 3) ---------------------------------------------------------


def chances() -> st.SearchStrategy[float]:
    """A probability from 0 to 0.5 (transfers and repeats end quickly)."""
    return st.floats(0.0, 0.5)


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Either nothing (None) or a value of ``strategy``."""
    return st.one_of(st.none(), strategy)


def routing_keys(top_level: bool) -> st.SearchStrategy[Data]:
    """Some keys of a ``routing`` mapping; ``contact_selection`` only at the top level."""
    keys: dict[str, st.SearchStrategy[Any]] = {
        "agent_selection": st.sampled_from(AGENT_SELECTIONS),
        "repeat_contacts": st.sampled_from(REPEAT_CONTACTS),
        "affinity_wait": seconds(0, 120).map(lambda value: f"{value}s"),
        "handover_factor": st.sampled_from([0.5, 1.0, 1.5]),
    }
    if top_level:
        keys["contact_selection"] = st.sampled_from(CONTACT_SELECTIONS)
    return st.fixed_dictionaries({}, optional=keys)


def balking() -> st.SearchStrategy[Data]:
    """Exactly one balking rule."""
    return st.one_of(
        st.builds(lambda value: {"probability": value}, chances()),
        st.builds(lambda value: {"max_queue": value}, st.integers(0, 5)),
        st.builds(lambda value: {"max_expected_wait": f"{value}s"}, seconds(0, 600)),
    )


@st.composite
def max_waits(draw: st.DrawFn, later_queues: list[str]) -> Data:
    """Voicemail, or a move to a later queue (never back: reroutes cannot cycle)."""
    after = f"{draw(seconds(1, 600))}s"
    if later_queues and draw(st.booleans()):
        return {"after": after, "to": draw(st.sampled_from(later_queues))}
    return {"after": after, "outcome": "voicemail"}


@st.composite
def queue_routing(
    draw: st.DrawFn, queue: Data, queue_names: list[str], group_names: list[str]
) -> Data:
    """``queue`` with a random subset of the per-queue routing keys."""
    others = [name for name in queue_names if name != queue["name"]]
    later = queue_names[queue_names.index(queue["name"]) + 1 :]
    keys: dict[str, Any] = {
        "routing": routing_keys(top_level=False),
        "overflow": st.fixed_dictionaries(
            {
                "after": seconds(0, 300).map(lambda value: f"{value}s"),
                "to": st.lists(st.sampled_from(group_names), min_size=1, unique=True),
            }
        ),
        "balking": balking(),
        "max_wait": max_waits(later),
        "repeat": st.fixed_dictionaries(
            {"probability": chances(), "delay": exponential(seconds(60, 1800))}
        ),
    }
    retrial_options: dict[str, st.SearchStrategy[Any]] = {
        "max_attempts": st.integers(1, 4),
        "after": st.lists(
            st.sampled_from(["abandoned", "blocked", "balked"]), min_size=1, unique=True
        ),
    }
    if others:
        keys["transfer"] = st.fixed_dictionaries(
            {"probability": chances(), "to": st.sampled_from(others)}
        )
        retrial_options["to"] = st.sampled_from(others)
    keys["ivr"] = st.fixed_dictionaries(
        {"duration": exponential(seconds(5, 120))},
        optional={"self_service": chances()},
    ).flatmap(
        lambda ivr: st.one_of(
            st.just(ivr),
            st.builds(
                lambda patience: {**ivr, "abandon_in_ivr": True, "patience": patience},
                exponential(seconds(5, 300)),
            ),
        )
    )
    keys["retrial"] = st.fixed_dictionaries(
        {"probability": chances(), "delay": exponential(seconds(60, 1800))},
        optional=retrial_options,
    )
    extra = {key: draw(maybe(strategy)) for key, strategy in keys.items()}
    return {**queue, **{key: value for key, value in extra.items() if value is not None}}


@st.composite
def long_form_skills(draw: st.DrawFn, skills: dict[str, int]) -> dict[str, Any]:
    """The same skills, some written in the long form with a handle-time factor."""
    written: dict[str, Any] = {}
    for name, level in skills.items():
        factor = draw(maybe(st.sampled_from([0.5, 0.8, 1.0, 1.25])))
        written[name] = (
            level if factor is None else {"priority": level, "handle_time_factor": factor}
        )
    return written


@st.composite
def rotations(draw: st.DrawFn, skills: list[str]) -> Data:
    """Task blocks of 5-30 min over 2-3 non-empty sets of the group's own skills."""
    skill_set = st.lists(st.sampled_from(skills), min_size=1, unique=True)
    return {
        "every": f"{draw(st.integers(5, 30))}min",
        "skill_sets": draw(st.lists(skill_set, min_size=2, max_size=3)),
        "stagger": draw(st.booleans()),
    }


@st.composite
def group_routing(draw: st.DrawFn, group: Data) -> Data:
    """``group`` with long-form skills and, maybe, a rotation."""
    rotation = draw(maybe(rotations(list(group["skills"]))))
    group = {**group, "skills": draw(long_form_skills(group["skills"]))}
    return group if rotation is None else {**group, "rotation": rotation}


@st.composite
def routing_scenario_dicts(
    draw: st.DrawFn, warmup: bool | None = None, closing: str | None = None
) -> Data:
    """Raw data of a small scenario (see :func:`scenario_dicts`) with routing features.

    Each feature is present or not at random: ``lines`` (1-6), a top-level
    ``routing``, and per queue ``routing``, ``overflow``, ``balking``,
    ``max_wait``, ``transfer``, ``repeat``, ``retrial`` and ``ivr``; per group, long-form skills
    and a ``rotation``. Probabilities are at most 0.5, and a ``max_wait``
    moves contacts only to a queue listed later, so every run ends.

    Args:
        draw: Hypothesis' draw function.
        warmup: True or False to force a warm-up or none; None draws either.
        closing: ``drain``, ``clear`` or ``stop`` to force the closing; None draws one.
    """
    scenario = draw(scenario_dicts(warmup))
    queue_names = [queue["name"] for queue in scenario["queues"]]
    group_names = [group["name"] for group in scenario["agents"]]
    scenario["queues"] = [
        draw(queue_routing(queue, queue_names, group_names)) for queue in scenario["queues"]
    ]
    scenario["agents"] = [draw(group_routing(group)) for group in scenario["agents"]]
    if closing is not None:
        scenario["closing"] = closing
    lines = draw(maybe(st.integers(1, 6)))
    if lines is not None:
        scenario["lines"] = lines
    routing = draw(routing_keys(top_level=True))
    if routing:
        scenario["routing"] = routing
    return scenario


def routing_scenarios(
    warmup: bool | None = None, closing: str | None = None
) -> st.SearchStrategy[Scenario]:
    """Validated small scenarios with routing features (see :func:`routing_scenario_dicts`)."""
    return routing_scenario_dicts(warmup, closing).map(build_scenario)


# --- workforce: shifts, breaks, absence, outages (issue 16) ------------------------------


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def shift_dicts(draw: st.DrawFn, name: str) -> Data:
    """A same-day shift of 1-6 agents starting 00:00-04:00, 2-5 h long, with 1-2 breaks.

    Breaks start at least 20 minutes into the shift and at least 10 minutes
    after the previous one ends, and last 5-30 minutes; half are written
    ``at`` a time of day, half ``after`` a time on duty.
    """
    start = draw(st.integers(0, 16)) * 15
    length = draw(st.integers(8, 20)) * 15
    breaks = []
    offset = 20
    for _ in range(draw(st.integers(1, 2))):
        offset += draw(st.integers(0, 60))
        duration = draw(st.integers(5, 30))
        if offset + duration > length:
            break
        if draw(st.booleans()):
            breaks.append({"at": _clock(start + offset), "duration": f"{duration}min"})
        else:
            breaks.append({"after": f"{offset}min", "duration": f"{duration}min"})
        offset += duration + 10
    return {
        "name": name,
        "start": _clock(start),
        "end": _clock(start + length),
        "count": draw(st.integers(1, 6)),
        "breaks": breaks,
    }


@st.composite
def workforce_scenario_dicts(draw: st.DrawFn, outages: bool = False) -> Data:
    """One busy queue served by 1-2 groups with 1-2 shifts each (and maybe ``count`` agents).

    Bounded handle and wrap-up times (at most 6 minutes together, less than
    the 10-minute gap between breaks), a horizon that ends after every shift
    (``drain``), absence 0 or up to 40 %, and with ``outages`` 0-2 outages
    per group during the shifts.
    """
    groups = []
    for index in range(draw(st.integers(1, 2))):
        shifts = [draw(shift_dicts(f"s{number + 1}")) for number in range(draw(st.integers(1, 2)))]
        group: Data = {"name": GROUP_NAMES[index], "skills": ["billing"], "shifts": shifts}
        count = draw(st.integers(0, 2))
        if count:
            group["count"] = count
        if draw(st.booleans()):
            group["absence"] = {"probability": draw(st.sampled_from([0.1, 0.25, 0.4]))}
        if outages:
            group["outages"] = [
                {
                    "at": f"2026-01-05T{_clock(draw(st.integers(0, 24)) * 15)}",
                    "duration": f"{draw(st.integers(10, 90))}min",
                    "agents": draw(st.integers(1, 4)),
                }
                for _ in range(draw(st.integers(0, 2)))
            ]
        groups.append(group)
    return {
        "name": "workforce",
        "seed": draw(st.integers(0, 2**16)),
        "start": "2026-01-05T00:00",
        "timezone": draw(st.sampled_from(TIMEZONES)),
        "horizon": "10h",
        "interval": "30min",
        "closing": "drain",
        "queues": [
            {
                "name": "billing",
                "arrivals": {"rate": f"{draw(st.integers(60, 300))}/h"},
                "handle_time": draw(uniform(30, 300)),
                "wrap_up": draw(st.one_of(st.none(), uniform(0, 60))),
                "patience": {"distribution": "exponential", "mean": "5min"},
            }
        ],
        "agents": groups,
    }


def _without_none(data: Data) -> Data:
    """The scenario without a ``wrap_up: None`` (no wrap-up)."""
    for queue in data["queues"]:
        if queue.get("wrap_up") is None:
            queue.pop("wrap_up", None)
    return data


def workforce_scenarios(outages: bool = False) -> st.SearchStrategy[Scenario]:
    """Validated workforce scenarios (see :func:`workforce_scenario_dicts`)."""
    return workforce_scenario_dicts(outages).map(_without_none).map(build_scenario)
