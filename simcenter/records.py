"""Raw facts of one replication, as handed from the engine to the reports.

The engine fills flat column buffers while it runs (see ``recorder.py``) and
hands one :class:`ReplicationRecord` per replication to ``reports.py``. All
times are simulation seconds; time 0 is the scenario ``start``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

OUTCOMES: tuple[str, ...] = (
    "answered",
    "abandoned",
    "blocked",
    "balked",
    "voicemail",
    "disconnected",
    "self_served",
    "transferred",
    "in_system",
)
"""Every outcome a contact can have; an outcome code is an index into this tuple."""

OUTCOME_CODE: dict[str, int] = {name: code for code, name in enumerate(OUTCOMES)}

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


@dataclass
class ReplicationRecord:
    """The raw facts of one replication.

    Attributes:
        replication: Replication number, from 0.
        end_s: Simulation time at which the run ended (at least
            ``warmup_s + horizon_s``; later when the queue is drained).
        contacts: Equal-length numpy columns, one entry per contact that
            arrived at or after the warm-up (:data:`CONTACT_COLUMNS`).
        presence: On-duty periods of agents (:data:`PRESENCE_COLUMNS`), unclipped.
        busy_area_s: Per group, the integral of the number of busy agents over
            ``[warmup_s, end_s]``, tracked during the run (agent-seconds).
    """

    replication: int
    end_s: float
    contacts: dict[str, np.ndarray]
    presence: dict[str, np.ndarray]
    busy_area_s: np.ndarray
