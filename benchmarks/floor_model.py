"""The least work a Python engine does per contact: a bare skill-based call centre.

A model of the same systems as simcenter's (Poisson arrivals per queue,
exponential handle time and patience, agent groups with skills at levels,
``priority`` routing: an arriving contact takes the longest-idle agent of the
best level with one free; a freed agent takes the oldest waiting contact of
its best level with work), written as leanly as the author could in plain
Python: all arrivals of all queues and their draws generated before the clock
starts and merged in time order (so the per-queue arrival side costs nothing),
one ``heapq`` of tuples for the talk ends and patience ends, a deque per queue,
lazy removal of abandoned contacts, a count of the waiting contacts per group
so that a freed agent looks at its lines only when something waits, and only
counters for results. No SimPy, no states, no recording per contact, no
intervals, no checks.

It is the yardstick of what the secretarial service's 500 queues and 60 teams
cost against a single queue when an engine does next to nothing else: the
ratio of the two is what an engine that does only this much per contact
reaches; an engine that does more work shared by both systems (states,
timers, statistics) dilutes the difference and reaches a higher ratio
(``bench_secretarial.py --floor``).
"""

from __future__ import annotations

import heapq
import time
from collections import deque
from dataclasses import dataclass

import numpy as np

from simcenter.scenario import Scenario


@dataclass(frozen=True)
class System:
    """A skill-based centre reduced to what the bare model needs.

    Attributes:
        rates: Arrivals per second of each queue.
        handle_means: Mean handle time of each queue (seconds).
        patience_means: Mean patience of each queue (seconds).
        groups: Per group, its number of agents and its ``{queue: level}``.
        horizon_s: Arrivals from 0 to this time (seconds); then the centre drains.
    """

    rates: list[float]
    handle_means: list[float]
    patience_means: list[float]
    groups: list[tuple[int, dict[int, int]]]
    horizon_s: float


def system_of(scenario: Scenario) -> System:
    """The bare model of ``scenario``: its queues' constant rates and the means of their times.

    The bare model draws exponential handle times and patience with those
    means (as the secretarial service and its single queue have).
    """
    index = {queue.name: number for number, queue in enumerate(scenario.queues)}
    return System(
        rates=[queue.arrivals.rate or 0.0 for queue in scenario.queues],
        handle_means=[queue.handle_time.build().mean for queue in scenario.queues],
        patience_means=[queue.patience.build().mean for queue in scenario.queues],  # type: ignore[union-attr]
        groups=[
            (group.count or 0, {index[name]: level for name, level in group.skill_levels.items()})
            for group in scenario.agents
        ],
        horizon_s=scenario.horizon,
    )


def arrivals(system: System, seed: int) -> tuple[list[float], list[int], list[float], list[float]]:
    """Every contact of the run in arrival order: times, queues, handle times, patience."""
    rng = np.random.default_rng(seed)
    times, queues, handles, patiences = [], [], [], []
    for queue, rate in enumerate(system.rates):
        count = rng.poisson(rate * system.horizon_s)
        times.append(np.sort(rng.uniform(0.0, system.horizon_s, count)))
        queues.append(np.full(count, queue))
        handles.append(rng.exponential(system.handle_means[queue], count))
        patiences.append(rng.exponential(system.patience_means[queue], count))
    order = np.argsort(np.concatenate(times), kind="stable")
    return tuple(
        np.concatenate(column)[order].tolist() for column in (times, queues, handles, patiences)
    )  # type: ignore[return-value]


class _Contact:
    __slots__ = ("arrival", "handle", "queue", "waiting")

    def __init__(self, arrival: float, queue: int, handle: float) -> None:
        self.arrival = arrival
        self.queue = queue
        self.handle = handle
        self.waiting = False


def run(system: System, seed: int) -> tuple[int, float, dict[str, float]]:
    """Simulate ``system``; the contacts, the CPU seconds of the event loop, and counters.

    The event loop is one function with no call on its path but a talk's start,
    on purpose: a call costs more than most of what it would wrap.
    """
    times, queue_of, handle_of, patience_of = arrivals(system, seed)
    queue_count = len(system.rates)
    # Per queue: its line and, by level (best first), the groups that serve it.
    lines: list[deque[_Contact]] = [deque() for _ in range(queue_count)]
    levels_of: list[list[list[int]]] = []
    for queue in range(queue_count):
        levels = sorted({skills[queue] for _, skills in system.groups if queue in skills})
        levels_of.append(
            [
                [g for g, (_, skills) in enumerate(system.groups) if skills.get(queue) == level]
                for level in levels
            ]
        )
    only_group = [
        levels[0][0] if len(levels) == 1 and len(levels[0]) == 1 else -1 for levels in levels_of
    ]
    # Per group: its idle agents (longest idle first), their idle-since times,
    # the contacts waiting in its lines, and its lines by level (best first).
    idle: list[deque[int]] = []
    idle_since: list[float] = []
    group_of: list[int] = []
    for number, (count, _) in enumerate(system.groups):
        idle.append(deque(range(len(group_of), len(group_of) + count)))
        idle_since += [0.0] * count
        group_of += [number] * count
    waiting = [0] * len(system.groups)
    serving = [[g for level in levels for g in level] for levels in levels_of]
    lines_of = [
        [
            [q for q, level in skills.items() if level == wanted]
            for wanted in sorted(set(skills.values()))
        ]
        for _, skills in system.groups
    ]
    heap: list[tuple[float, int, int, _Contact | int]] = []  # (time, seq, kind, subject)
    answered = abandoned = waited = 0
    total_wait = 0.0
    seq = 0
    next_arrival = 0
    arrival_count = len(times)
    push, pop = heapq.heappush, heapq.heappop

    def start(agent: int, contact: _Contact, now: float) -> None:
        nonlocal seq
        seq += 1
        push(heap, (now + contact.handle, seq, 0, agent))

    started = time.process_time()
    while True:
        if next_arrival < arrival_count and (not heap or times[next_arrival] <= heap[0][0]):
            # A contact arrives.
            now = times[next_arrival]
            queue = queue_of[next_arrival]
            contact = _Contact(now, queue, handle_of[next_arrival])
            patience = patience_of[next_arrival]
            next_arrival += 1
            group = only_group[queue]
            if group >= 0:
                agent = idle[group].popleft() if idle[group] else -1
            else:
                agent = -1
                for level in levels_of[queue]:
                    best = -1
                    for g in level:
                        if idle[g] and (
                            best < 0 or idle_since[idle[g][0]] < idle_since[idle[best][0]]
                        ):
                            best = g
                    if best >= 0:
                        agent = idle[best].popleft()
                        break
            if agent >= 0:
                start(agent, contact, now)
                answered += 1
            else:
                contact.waiting = True
                waited += 1
                lines[queue].append(contact)
                for g in serving[queue]:
                    waiting[g] += 1
                seq += 1
                push(heap, (now + patience, seq, 1, contact))
            continue
        if not heap:
            break
        now, _, kind, subject = pop(heap)
        if kind == 1:
            # A patience ends: the contact abandons if it still waits.
            if subject.waiting:  # type: ignore[union-attr]
                subject.waiting = False  # type: ignore[union-attr]
                for g in serving[subject.queue]:  # type: ignore[union-attr]
                    waiting[g] -= 1
                abandoned += 1
                total_wait += now - subject.arrival  # type: ignore[union-attr]
            continue
        # A talk ends: the agent takes the oldest contact of its best level with work, or idles.
        agent = subject  # type: ignore[assignment]
        group = group_of[agent]  # type: ignore[index]
        taken = None
        if waiting[group]:
            for level in lines_of[group]:
                oldest = None
                for q in level:
                    line = lines[q]
                    while line and not line[0].waiting:
                        line.popleft()
                    if line and (oldest is None or line[0].arrival < lines[oldest][0].arrival):
                        oldest = q
                if oldest is not None:
                    taken = lines[oldest].popleft()
                    break
        if taken is None:
            idle_since[agent] = now  # type: ignore[index]
            idle[group].append(agent)  # type: ignore[arg-type]
            continue
        taken.waiting = False
        for g in serving[taken.queue]:
            waiting[g] -= 1
        total_wait += now - taken.arrival
        answered += 1
        start(agent, taken, now)  # type: ignore[arg-type]
    elapsed = time.process_time() - started
    contacts = answered + abandoned
    return (
        contacts,
        elapsed,
        {
            "answered": answered,
            "abandoned": abandoned,
            "waited": waited,
            "mean_wait_s": total_wait / contacts,
        },
    )
