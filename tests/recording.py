"""Scripted replications fed through the recorder: facts in, a ReplicationRecord out.

The report tests describe a replication as contact and presence columns (the
shape of the contact log). :func:`record_of` plays every contact to a
:class:`~simcenter.recorder.Recorder` as the engine would, and every agent's
busy period (answer to end of wrap-up) and on-duty period as a closed period
(``Recorder.agent_period``), through its public calls, so the tables are
computed from real tallies.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from types import SimpleNamespace
from typing import Any

import numpy as np

from simcenter import histogram
from simcenter.agent_levels import Level
from simcenter.contact_log import MemoryLog
from simcenter.recorder import Recorder
from simcenter.records import OUTCOMES, ReplicationRecord, RunMeta
from simcenter.states import AgentState


def _agent(meta: RunMeta, index: int, skill_set: int = -1) -> SimpleNamespace | None:
    if index < 0:
        return None
    group = SimpleNamespace(index=meta.agent_groups[index])
    return SimpleNamespace(index=index, group=group, pool=SimpleNamespace(skill_set=skill_set))


def _handover_factor(meta: RunMeta, contact: SimpleNamespace) -> float:
    """The factor the engine records: the queue's handover factor when the agent changed."""
    agent, previous = contact.agent, contact.previous_agent
    if agent is None or previous is None or agent.index == previous.index:
        return 1.0
    return meta.handover_factor[contact.queue.index] if meta.handover_factor else 1.0


def record_of(
    meta: RunMeta,
    contacts: Mapping[str, np.ndarray],
    presence: Mapping[str, np.ndarray],
    end_s: float,
    replication: int = 0,
    queue_length_step_s: float | None = None,
    chunk_size: int | None = None,
) -> ReplicationRecord:
    """The record of a replication whose contacts and on-duty periods are given as columns.

    Args:
        meta: The run description.
        contacts: Contact columns by name: ``queue``, ``arrival_s``, ``answered_s``,
            ``end_s`` (the time of the outcome), ``handle_s``, ``wrap_s``,
            ``outcome`` (codes), ``agent``; optional ``contact_id``,
            ``customer_id``, ``attempt``, ``linked_id``, ``previous_agent``,
            ``skill_set``, ``handover_factor`` (by default the queue's factor for a
            repeat contact answered by another agent, as the engine records it).
            The recorder computes each wait
            from the times, as it does for the engine.
        presence: On-duty periods: ``agent``, ``start_s``, ``end_s``.
        end_s: The time the run ended (the end of the wait or talk of contacts
            still in the system).
        replication: Replication number.
        queue_length_step_s: Step of the queue-length grid (default: the recorder's).
        chunk_size: Contacts per reduction (default: the recorder's).

    Returns:
        The record, with its in-memory contact log and on-duty periods.
    """
    recorder = Recorder(
        meta,
        MemoryLog(),
        keep_presence=True,
        queue_length_step_s=queue_length_step_s,
        chunk_size=chunk_size,
    )
    count = len(contacts["queue"])

    def column(name: str, default: float) -> np.ndarray:
        return np.asarray(contacts[name]) if name in contacts else np.full(count, default)

    ids = column("contact_id", -1)
    ids = np.where(ids < 0, np.arange(count), ids)
    customers = column("customer_id", -1)
    customers = np.where(customers < 0, ids, customers)
    attempts, linked = column("attempt", 1), column("linked_id", -1)
    previous, skill_sets = column("previous_agent", -1), column("skill_set", -1)
    factors = column("handover_factor", math.nan)
    # the drawn handle time: the talk time where there was one (skill factor 1), else 0
    talk = np.nan_to_num(np.asarray(contacts["handle_s"], dtype=np.float64))
    base_handles = np.asarray(contacts["base_handle_s"]) if "base_handle_s" in contacts else talk
    for row in range(count):
        contact = SimpleNamespace(
            contact_id=int(ids[row]),
            customer_id=int(customers[row]),
            queue=SimpleNamespace(index=int(contacts["queue"][row])),
            arrival_s=float(contacts["arrival_s"][row]),
            queued_s=float(contacts["arrival_s"][row]),  # scripted contacts have no IVR
            state=None,
            answered_s=float(contacts["answered_s"][row]),
            handle_s=float(contacts["handle_s"][row]),
            base_handle_s=float(base_handles[row]),
            wrap_s=float(contacts["wrap_s"][row]),
            agent=_agent(meta, int(contacts["agent"][row]), int(skill_sets[row])),
            attempt=int(attempts[row]),
            linked_id=int(linked[row]),
            previous_agent=_agent(meta, int(previous[row])),
        )
        contact.handover_factor = (
            float(factors[row]) if not math.isnan(factors[row]) else _handover_factor(meta, contact)
        )
        outcome = OUTCOMES[int(contacts["outcome"][row])]
        now = end_s if outcome == "in_system" else float(contacts["end_s"][row])
        getattr(recorder, outcome)(contact, now)
    served = np.isfinite(np.asarray(contacts["answered_s"], dtype=np.float64))
    for row in np.flatnonzero(served & (np.asarray(contacts["agent"]) >= 0)):
        start = float(contacts["answered_s"][row])
        if OUTCOMES[int(contacts["outcome"][row])] == "in_system":
            stop = end_s  # still talking when the run ended
        else:
            stop = start + float(contacts["handle_s"][row]) + float(contacts["wrap_s"][row])
        recorder.agent_period(_agent(meta, int(contacts["agent"][row])), Level.BUSY, start, stop)
    for agent, start, stop in zip(
        presence["agent"], presence["start_s"], presence["end_s"], strict=True
    ):
        recorder.agent_period(_agent(meta, int(agent)), Level.STAFFED, float(start), float(stop))
    return recorder.finish(replication, end_s)


def within_histogram_error(estimate: float, exact: float) -> bool:
    """Whether a percentile read from the wait histogram is within its documented error.

    The bound is ``histogram.ABSOLUTE_ERROR_S + histogram.RELATIVE_ERROR · |exact|``
    (plus floating-point rounding); NaN matches NaN.
    """
    if math.isnan(exact):
        return math.isnan(estimate)
    bound = histogram.ABSOLUTE_ERROR_S + histogram.RELATIVE_ERROR * abs(exact)
    return abs(estimate - exact) <= bound * (1 + 1e-12)


def busy_level(
    agent_trace: Sequence[tuple[float, Any, AgentState, AgentState]],
    group_count: int,
    start_s: float,
    end_s: float,
) -> np.ndarray:
    """Per group, the busy agents' level integrated over ``[start_s, end_s]`` (agent-seconds).

    Computed from the engine's traced changes of agent state, in order: an
    agent is busy from the moment it becomes busy until it is neither busy
    nor in wrap-up (still busy at the end of the run: until ``end_s``).
    """
    level = np.zeros(group_count)
    busy_since: dict[Any, float] = {}
    working = (AgentState.BUSY, AgentState.WRAP_UP)
    for time, agent, _, to in agent_trace:
        if to in working:
            busy_since.setdefault(agent, time)
        elif agent in busy_since:
            began = busy_since.pop(agent)
            level[agent.group.index] += max(0.0, min(time, end_s) - max(began, start_s))
    for agent, began in busy_since.items():
        level[agent.group.index] += max(0.0, end_s - max(began, start_s))
    return level
