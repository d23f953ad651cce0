"""Raw facts of one replication, as handed from the engine to the reports.

The run's description (:class:`RunMeta`, built from a scenario by
:func:`run_meta`) is the same for every replication; the recorder
(``recorder.py``) tallies the statistics while a replication runs and hands
one :class:`ReplicationRecord` per replication to the reports. The outcomes a
contact can have are declared once, in :data:`OUTCOME_REGISTRY`, each with
the scenario's condition for it. All times are simulation seconds; time 0 is
the scenario ``start``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from simcenter.agents import agent_names, group_size

if TYPE_CHECKING:
    from simcenter.scenario import Scenario


@dataclass(frozen=True)
class Outcome:
    """One way a contact's story can end.

    Attributes:
        name: The outcome's name in the outputs (a count column of the summary).
        possible: Whether contacts of a scenario can end this way: always, or
            only under the rule of the scenario that leads to it.
    """

    name: str
    possible: Callable[[Scenario], bool]


def _always(scenario: Scenario) -> bool:
    return True


OUTCOME_REGISTRY: tuple[Outcome, ...] = (
    Outcome("answered", _always),
    Outcome("abandoned", _always),
    Outcome("blocked", lambda scenario: scenario.lines is not None),
    Outcome("balked", lambda scenario: any(q.balking is not None for q in scenario.queues)),
    Outcome(
        "voicemail",
        lambda scenario: any(
            q.max_wait is not None and q.max_wait.to is None for q in scenario.queues
        ),
    ),
    Outcome("disconnected", _always),
    Outcome(
        "self_served",
        lambda scenario: any(q.ivr is not None and q.ivr.self_service > 0 for q in scenario.queues),
    ),
    Outcome(
        "abandoned_in_ivr",
        lambda scenario: any(q.ivr is not None and q.ivr.abandon_in_ivr for q in scenario.queues),
    ),
    Outcome(
        "transferred",
        lambda scenario: any(
            q.transfer is not None or (q.max_wait is not None and q.max_wait.to is not None)
            for q in scenario.queues
        ),
    ),
    Outcome("in_system", _always),
)
"""Every outcome a contact can have, in code order, with the condition under which it can occur."""

OUTCOMES: tuple[str, ...] = tuple(outcome.name for outcome in OUTCOME_REGISTRY)
"""Every outcome's name; an outcome code is an index into this tuple."""

OUTCOME_CODE: dict[str, int] = {name: code for code, name in enumerate(OUTCOMES)}

NOT_OFFERED: tuple[str, ...] = ("self_served", "abandoned_in_ivr")
"""Outcomes of contacts that ended in the IVR: never offered to an agent, so not in
``offered`` (nor in the waits, the histogram and the service level)."""

CONTACT_COLUMNS: dict[str, str] = {
    "contact_id": "int64",
    "customer_id": "int64",
    "queue": "int32",
    "arrival_s": "float64",
    "answered_s": "float64",
    "end_s": "float64",
    "wait_s": "float64",
    "handle_s": "float64",
    "wrap_s": "float64",
    "outcome": "int8",
    "agent": "int32",
    "group": "int32",
    "attempt": "int16",
    "linked_id": "int64",
    "previous_agent": "int32",
    "skill_set": "int16",
}
"""Columns of :attr:`ReplicationRecord.contacts` and their dtypes (see docs/architecture.md)."""

PRESENCE_COLUMNS: dict[str, str] = {
    "agent": "int32",
    "group": "int32",
    "start_s": "float64",
    "end_s": "float64",
}
"""Columns of :attr:`ReplicationRecord.presence`: one row per on-duty period of an agent."""


@dataclass(frozen=True)
class RunMeta:
    """What the reports need to know about a run; the same for every replication.

    Attributes:
        queues: Queue index -> queue name.
        channels: Queue index -> channel.
        groups: Group index -> agent group name.
        agent_names: Agent index -> agent name (``"tier1-003"``).
        agent_groups: Agent index -> group index.
        cost_per_hour: Group index -> cost of one staffed agent hour.
        sl_threshold_s: Queue index -> service-level threshold in seconds.
        sl_target: Queue index -> service-level target (fraction).
        sl_definition: Queue index -> ``"offered"``, ``"answered"`` or
            ``"exclude_short_abandons"``.
        outcomes: The outcomes this scenario can produce (count columns).
        warmup_s: Warm-up length in seconds (excluded from statistics).
        horizon_s: Measured horizon in seconds, after the warm-up.
        interval_s: Reporting interval in seconds.
        start: Calendar time (timezone-aware) of simulation time 0.
        repeat_queues: Queue index -> whether the queue has ``repeat``
            (unresolved customers call again); empty when no queue has it.
            The summary has repeat-contact columns when any is true.
        handover_factor: Queue index -> the queue's ``routing.handover_factor``
            (handle-time factor of a repeat contact answered by a different
            agent); required when any queue repeats, else may be empty.
        cost_per_contact: Group index -> bonus paid per contact handled (empty: none).
        overtime_factor: Group index -> pay factor of overtime hours (empty: 1).
        ivr: Whether some queue has an ``ivr`` (its contacts' waits start after it).
        customers: Whether customers are tallied (``customers.csv``): some queue has
            ``retrial`` or ``repeat``, so a customer may make more than one attempt.
    """

    queues: tuple[str, ...]
    channels: tuple[str, ...]
    groups: tuple[str, ...]
    agent_names: tuple[str, ...]
    agent_groups: tuple[int, ...]
    cost_per_hour: tuple[float, ...]
    sl_threshold_s: tuple[float, ...]
    sl_target: tuple[float, ...]
    sl_definition: tuple[str, ...]
    outcomes: tuple[str, ...]
    warmup_s: float
    horizon_s: float
    interval_s: float
    start: datetime
    repeat_queues: tuple[bool, ...] = ()
    handover_factor: tuple[float, ...] = ()
    cost_per_contact: tuple[float, ...] = ()
    overtime_factor: tuple[float, ...] = ()
    customers: bool = False
    ivr: bool = False


def run_meta(scenario: Scenario) -> RunMeta:
    """What the reports need to know about every replication of ``scenario``."""
    levels = [scenario.service_level_of(queue) for queue in scenario.queues]
    names: list[str] = []
    owners: list[int] = []
    for index, spec in enumerate(scenario.agents):
        size = group_size(spec)
        names += agent_names(spec)
        owners += [index] * size
    return RunMeta(
        queues=tuple(queue.name for queue in scenario.queues),
        channels=tuple(queue.channel for queue in scenario.queues),
        groups=tuple(group.name for group in scenario.agents),
        agent_names=tuple(names),
        agent_groups=tuple(owners),
        cost_per_hour=tuple(group.cost_per_hour for group in scenario.agents),
        sl_threshold_s=tuple(level.threshold for level in levels),
        sl_target=tuple(level.target for level in levels),
        sl_definition=tuple(level.definition for level in levels),
        outcomes=tuple(outcome.name for outcome in OUTCOME_REGISTRY if outcome.possible(scenario)),
        warmup_s=scenario.warmup,
        horizon_s=scenario.horizon,
        interval_s=scenario.interval,
        start=scenario.start_at,
        repeat_queues=tuple(queue.repeat is not None for queue in scenario.queues),
        handover_factor=tuple(
            scenario.routing_of(queue).handover_factor for queue in scenario.queues
        ),
        cost_per_contact=tuple(group.cost_per_contact for group in scenario.agents),
        overtime_factor=tuple(group.overtime_factor for group in scenario.agents),
        customers=any(
            queue.retrial is not None or queue.repeat is not None for queue in scenario.queues
        ),
        ivr=any(queue.ivr is not None for queue in scenario.queues),
    )


@dataclass
class ContactTallies:
    """Contact tallies, per cell = (reporting interval of the arrival, queue), interval-major.

    ``cell = interval * queues + queue``; only contacts that arrived at or
    after the warm-up count. Times are seconds.

    Attributes:
        outcomes: Contacts per cell and outcome code, shape ``(cells, len(OUTCOMES))``.
        answered_in_target: Answered contacts with a wait <= the queue's threshold, per cell.
        abandoned_in_target: Abandoned contacts with a wait <= the threshold, per cell.
        wait_sum_s: Sum of the waits of all contacts, per cell.
        answered_wait_sum_s: Sum of the waits of answered contacts, per cell.
        answered_work_sum_s: Sum of talk + after-call work of answered contacts, per cell.
        offered_work_sum_s: Sum of the base handle times drawn for all contacts (the
            talk they would need with a standard agent, answered or not), per cell.
        max_wait_s: Longest wait per cell (-inf without contacts).
        wait_cells: Waiting-time histogram (``simcenter.histogram``), sparse: the
            cell of each entry, sorted by cell, then bin.
        wait_bins: The bin of each histogram entry.
        wait_counts: The number of contacts of each histogram entry.
    """

    outcomes: np.ndarray
    answered_in_target: np.ndarray
    abandoned_in_target: np.ndarray
    wait_sum_s: np.ndarray
    answered_wait_sum_s: np.ndarray
    answered_work_sum_s: np.ndarray
    offered_work_sum_s: np.ndarray
    max_wait_s: np.ndarray
    wait_cells: np.ndarray
    wait_bins: np.ndarray
    wait_counts: np.ndarray


@dataclass
class RepeatTallies:
    """Repeat-contact tallies per cell (as :class:`ContactTallies`).

    Attributes:
        repeat_contacts: Handled repeat contacts (with a previous agent), per cell.
        same_agent: Those answered by their previous agent, per cell.
        changed_agent: Those answered by another agent, per cell.
        handover_extra_sum_s: Their extra talk time from the handover factor f,
            ``handle_s · (1 − 1/f)``, summed per cell.
    """

    repeat_contacts: np.ndarray
    same_agent: np.ndarray
    changed_agent: np.ndarray
    handover_extra_sum_s: np.ndarray


@dataclass
class CustomerTallies:
    """Customer tallies per queue of the customer's first contact (``simcenter.customers``).

    Only customers whose first contact arrived at or after the warm-up count.

    Attributes:
        customers: Customers whose story ended, per queue.
        first_outcomes: Customers per queue and outcome code of their first attempt,
            shape ``(queues, len(OUTCOMES))``.
        final_outcomes: Customers per queue and outcome code of their last contact.
        attempts: Attempts (first attempts, retrials and repeat calls), per queue.
        retrials: Retrials, per queue.
        repeats: Repeat calls, per queue.
        wait_sum_s: The customers' waits summed over all their contacts (seconds), per queue.
        answered_in_target: Customers finally answered whose summed wait is within the
            queue's service-level threshold, per queue.
    """

    customers: np.ndarray
    first_outcomes: np.ndarray
    final_outcomes: np.ndarray
    attempts: np.ndarray
    retrials: np.ndarray
    repeats: np.ndarray
    wait_sum_s: np.ndarray
    answered_in_target: np.ndarray


@dataclass
class RoutingTallies:
    """Who handled what: handled contacts that arrived at or after the warm-up.

    Attributes:
        handled: Handled contacts per (group, queue), group-major.
        talk_s: Their talk time per (group, queue).
        wrap_s: Their after-call work per (group, queue).
        agent_handled: Handled contacts per agent.
        group_interval_handled: Handled contacts per group (rows) and reporting
            interval of their arrival (columns).
    """

    handled: np.ndarray
    talk_s: np.ndarray
    wrap_s: np.ndarray
    agent_handled: np.ndarray
    group_interval_handled: np.ndarray


@dataclass
class AgentTallies:
    """Agent levels: time integrals of the agents' states, tallied from their changes of state.

    Every agent counts, over the measured window ``[warmup, end of run]``;
    per interval within the horizon (``simcenter.agent_levels``). Busy is a
    slot occupied by a contact (talk + after-call work); staffed is present
    (idle, busy or in wrap-up); idle time is staffed minus busy time.

    Attributes:
        group_busy_s: Busy agent-seconds per group (rows) and interval (columns).
        group_staffed_s: On-duty agent-seconds per group and interval.
        group_away_s: Away agent-seconds per group and interval.
        group_on_break_s: On-break agent-seconds per group and interval.
        group_busy_total_s: Busy agent-seconds per group within ``[warmup, end]``.
        group_staffed_total_s: On-duty agent-seconds per group within ``[warmup, end]``.
        agent_busy_s: Busy time per agent within ``[warmup, end]``.
        agent_staffed_s: On-duty time per agent within ``[warmup, end]``.
        group_scheduled_s: Scheduled agent-seconds per group and interval: rostered by
            the plan (``count``, ``staffing``) or by a shift occurrence (absent ones too).
        group_absent_s: Agent-seconds per group and interval of agents missing a whole
            shift occurrence (absence).
        group_overtime_s: Agent-seconds per group and interval of agents present while
            not rostered (finishing a contact past the end of their shift or plan).
        group_overtime_total_s: Overtime agent-seconds per group within ``[warmup, end]``.
        group_breaks_delayed: Breaks per group taken late because a contact was in hand
            (or dropped because the contact lasted to the shift's end).
        group_break_delay_s: Sum of those delays per group (seconds).
    """

    group_busy_s: np.ndarray
    group_staffed_s: np.ndarray
    group_away_s: np.ndarray
    group_on_break_s: np.ndarray
    group_busy_total_s: np.ndarray
    group_staffed_total_s: np.ndarray
    agent_busy_s: np.ndarray
    agent_staffed_s: np.ndarray
    group_scheduled_s: np.ndarray
    group_absent_s: np.ndarray
    group_overtime_s: np.ndarray
    group_overtime_total_s: np.ndarray
    group_breaks_delayed: np.ndarray
    group_break_delay_s: np.ndarray


@dataclass
class QueueTallies:
    """Queue levels: contacts waiting, on the queue-length grid.

    Attributes:
        waiting_s: Contact-seconds of waiting per queue (rows) and step of the
            queue-length grid (columns), every contact's included.
        queue_length_step_s: Step of the queue-length grid; the grid starts at the
            warm-up and its last step ends at ``warmup + horizon``.
    """

    waiting_s: np.ndarray
    queue_length_step_s: float


@dataclass
class Tallies:
    """The statistics of one replication, tallied while it ran, by concern (docs/outputs.md).

    Attributes:
        contacts: Counts and sums per (interval, queue) cell.
        repeats: Repeat-contact figures per cell.
        routing: Handled contacts per (group, queue) and per agent.
        agents: The agents' levels (busy, staffed, away, on break).
        queues: The queues' level (waiting contacts).
        customers: Customers per queue of their first contact (zeros unless
            ``RunMeta.customers``).
    """

    contacts: ContactTallies
    repeats: RepeatTallies
    routing: RoutingTallies
    agents: AgentTallies
    queues: QueueTallies
    customers: CustomerTallies


@dataclass
class ReplicationRecord:
    """What one replication hands to the reports.

    Attributes:
        replication: Replication number, from 0.
        end_s: Simulation time at which the run ended (at least
            ``warmup_s + horizon_s``; later when the queue is drained).
        tallies: The statistics of the run; every report is computed from them.
        contacts: The in-memory contact log, when asked for: equal-length numpy
            columns (:data:`CONTACT_COLUMNS`), one entry per contact that
            arrived at or after the warm-up, in the order they left; else None.
        presence: With the in-memory log, the on-duty periods of agents
            (:data:`PRESENCE_COLUMNS`), unclipped; else None.
        contact_log: The Parquet file the contact log was streamed to, if any.
    """

    replication: int
    end_s: float
    tallies: Tallies
    contacts: dict[str, np.ndarray] | None = None
    presence: dict[str, np.ndarray] | None = None
    contact_log: Path | None = None

    @property
    def busy_area_s(self) -> np.ndarray:
        """Busy agent-seconds per group within ``[warmup_s, end_s]`` (talk + after-call work)."""
        return self.tallies.agents.group_busy_total_s
