"""Streaming statistics: the recorder tallies a replication while it runs.

One call per step of a contact's story appends the contact's facts to small
typed ``array`` columns, by name (8 bytes or less per value, no Python object
kept per contact). Every :data:`CHUNK_SIZE` contacts the chunk is reduced with
numpy into the tallies (:class:`~simcenter.records.Tallies`): counts and sums
per reporting interval and queue, the waiting-time histogram, waiting time
split over the queue-length grid; then, when a contact log is kept, it goes
to the log's sink (one Parquet row group), and is cleared. Memory stays flat
however long the run. The agents' levels (busy, on duty, away, on break)
come from their changes of state (:mod:`simcenter.agent_levels`), not from
the contacts.

Contacts that arrived during the warm-up are not counted as contacts, but
their waiting time after the warm-up counts in the queue length, as every
agent's busy time after it counts in the agents' levels.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

import numpy as np

from simcenter import histogram
from simcenter.agent_levels import AgentLevels
from simcenter.bins import add_seconds_per_bin, bin_count, grid_edges, interval_edges, interval_of
from simcenter.customers import CustomerTally
from simcenter.records import (
    CONTACT_COLUMNS,
    NOT_OFFERED,
    OUTCOME_CODE,
    OUTCOMES,
    AgentTallies,
    ContactTallies,
    CustomerTallies,
    QueueTallies,
    RepeatTallies,
    ReplicationRecord,
    RoutingTallies,
    RunMeta,
    Tallies,
)
from simcenter.states import IN_IVR

if TYPE_CHECKING:
    from simcenter.contact import Contact

CHUNK_SIZE = 65_536
"""Contacts buffered before a reduction into the tallies (and a row group of the log)."""

QUEUE_LENGTH_POINTS = 1440
"""Steps of the queue-length grid over the horizon (one a minute for a day)."""

_TYPECODES = {"int64": "q", "int32": "i", "int16": "h", "int8": "b", "float64": "d"}
_ANSWERED = OUTCOME_CODE["answered"]
_ABANDONED = OUTCOME_CODE["abandoned"]
_DISCONNECTED = OUTCOME_CODE["disconnected"]
_IN_SYSTEM = OUTCOME_CODE["in_system"]
_BLOCKED = OUTCOME_CODE["blocked"]
_BALKED = OUTCOME_CODE["balked"]
_VOICEMAIL = OUTCOME_CODE["voicemail"]
_TRANSFERRED = OUTCOME_CODE["transferred"]
_SELF_SERVED = OUTCOME_CODE["self_served"]
_ABANDONED_IN_IVR = OUTCOME_CODE["abandoned_in_ivr"]
_NOT_OFFERED = np.array([OUTCOME_CODE[name] for name in NOT_OFFERED], dtype=np.int8)

TALLY_COLUMNS: dict[str, str] = {
    "queue": "int32",
    "arrival_s": "float64",
    "answered_s": "float64",
    "wait_s": "float64",
    "handle_s": "float64",
    "wrap_s": "float64",
    "outcome": "int8",
    "agent": "int32",
    "base_handle_s": "float64",
}
"""Columns every chunk has: what the tallies need."""

REPEAT_COLUMNS: dict[str, str] = {"previous_agent": "int32", "handover_factor": "float64"}
"""Columns a chunk has when a queue repeats (NaN factor: not recorded by the engine)."""

IVR_COLUMNS: dict[str, str] = {"queued_s": "float64"}
"""Columns a chunk has when a queue has an IVR: when the contact joined its queue."""

LOG_COLUMNS: dict[str, str] = {
    name: dtype
    for name, dtype in CONTACT_COLUMNS.items()
    if name not in TALLY_COLUMNS and name != "group"
}
"""Further columns a chunk has when the contact log is kept (the group comes from the agent)."""


class ContactSink(Protocol):
    """Where the recorder sends each chunk of the contact log."""

    def write(self, columns: dict[str, np.ndarray]) -> None:
        """Take one chunk of contacts, numpy columns by name (:data:`CONTACT_COLUMNS`)."""

    def close(self) -> object:
        """Finish the log."""


def _buffers(columns: dict[str, str]) -> dict[str, array]:
    return {name: array(_TYPECODES[dtype]) for name, dtype in columns.items()}


class Recorder:
    """Tallies the contacts and the agents' states of one replication.

    Args:
        meta: The run description (warm-up, intervals, thresholds, names).
        contact_log: Where to send the contact log (contacts of the warm-up
            excluded), or None to keep no log.
        keep_presence: Also keep every on-duty period (``ReplicationRecord.presence``).
        queue_length_step_s: Step of the queue-length grid (seconds); default
            the horizon / :data:`QUEUE_LENGTH_POINTS`.
        chunk_size: Contacts buffered between reductions (default :data:`CHUNK_SIZE`).
    """

    def __init__(
        self,
        meta: RunMeta,
        contact_log: ContactSink | None = None,
        keep_presence: bool = False,
        queue_length_step_s: float | None = None,
        chunk_size: int | None = None,
    ) -> None:
        self.meta = meta
        self.warmup_s = meta.warmup_s
        self._log = contact_log
        self._repeats = any(meta.repeat_queues)
        columns = dict(TALLY_COLUMNS)
        if self._repeats:
            columns |= REPEAT_COLUMNS
        self._ivr = meta.ivr
        if self._ivr:
            columns |= IVR_COLUMNS
        if contact_log is not None:
            columns |= LOG_COLUMNS
        self._columns = columns
        self._chunk = _buffers(columns)
        self._chunk_size = chunk_size or CHUNK_SIZE
        self._tallies = _empty_tallies(meta, queue_length_step_s)
        self._edges = interval_edges(meta)
        self._grid = grid_edges(meta, self._tallies.queues.queue_length_step_s)
        self._agent_group = np.asarray(meta.agent_groups, dtype=np.int64)
        self._group_of = np.append(self._agent_group, -1)  # agent index -> group; -1 -> -1
        self._threshold = np.asarray(meta.sl_threshold_s, dtype=np.float64)
        self._histogram = histogram.WaitHistogram()
        self._add = self._adder()
        self._levels = AgentLevels(
            meta, self._tallies.agents, self._edges, keep_presence, self._chunk_size
        )
        self.agent_to = self._levels.changed
        self._customers = CustomerTally(meta, self._tallies.customers) if meta.customers else None
        self.customer_ended = None if self._customers is None else self._customers.ended
        """``customer_ended(contact, outcome, now)``: a customer's story ends (None when
        customers are not tallied: every contact is then a customer of its own)."""
        """``agent_to(agent, state, now)``: ``agent`` moves to ``state`` at ``now``; the one
        place an agent's state changes, tallied (:mod:`simcenter.agent_levels`)."""
        self.agent_at_end = self._levels.at_end
        """``agent_at_end(agent, end_s)``: the run ends with ``agent`` in its state."""
        self.agent_period = self._levels.period
        """``agent_period(agent, level, start_s, end_s)``: a closed period of ``agent``."""
        self.overtime_begins = self._levels.overtime_begins
        """``overtime_begins(agent, now)``: a busy agent is no longer rostered."""
        self.overtime_ends = self._levels.overtime_ends
        """``overtime_ends(agent, now)``: its overtime ends (it left or is rostered again)."""
        self.break_delayed = self._levels.break_delayed
        """``break_delayed(agent, delay_s)``: a break taken late (a contact in hand)."""

    # ------------------------------------------------------------- the engine's calls

    def answered(self, contact: Contact, end_s: float) -> None:
        """``contact`` was answered and its talk ended at ``end_s``."""
        wait = contact.answered_s - contact.queued_s
        self._add(contact, _ANSWERED, end_s, wait, contact.handle_s, contact.wrap_s)

    def abandoned(self, contact: Contact, now: float) -> None:
        """``contact`` gave up waiting at ``now``."""
        self._add(contact, _ABANDONED, now, now - contact.queued_s, math.nan, math.nan)

    def blocked(self, contact: Contact, now: float) -> None:
        """``contact`` found no free line at ``now``."""
        self._add(contact, _BLOCKED, now, 0.0, math.nan, math.nan)

    def balked(self, contact: Contact, now: float) -> None:
        """``contact`` left at once at ``now`` rather than wait."""
        self._add(contact, _BALKED, now, 0.0, math.nan, math.nan)

    def voicemail(self, contact: Contact, now: float) -> None:
        """``contact`` left a message at ``now`` after its maximum wait."""
        self._add(contact, _VOICEMAIL, now, now - contact.queued_s, math.nan, math.nan)

    def transferred(self, contact: Contact, now: float) -> None:
        """``contact`` goes on as a new contact in another queue at ``now``.

        Either after its talk (``transfer``) or, unanswered, after its
        maximum wait (``max_wait.to``).
        """
        if math.isnan(contact.answered_s):
            self._add(contact, _TRANSFERRED, now, now - contact.queued_s, math.nan, math.nan)
        else:
            wait = contact.answered_s - contact.queued_s
            self._add(contact, _TRANSFERRED, now, wait, contact.handle_s, contact.wrap_s)

    def disconnected(self, contact: Contact, now: float) -> None:
        """``contact`` was still waiting when the centre closed (``closing: clear``)."""
        self._add(contact, _DISCONNECTED, now, now - contact.queued_s, math.nan, math.nan)

    def self_served(self, contact: Contact, now: float) -> None:
        """``contact`` was resolved in its queue's IVR at ``now`` (it never queued)."""
        self._add(contact, _SELF_SERVED, now, 0.0, math.nan, math.nan)

    def abandoned_in_ivr(self, contact: Contact, now: float) -> None:
        """``contact`` hung up in its queue's IVR at ``now`` (it never queued)."""
        self._add(contact, _ABANDONED_IN_IVR, now, 0.0, math.nan, math.nan)

    def in_system(self, contact: Contact, end_of_run_s: float) -> None:
        """``contact`` was still in an IVR, waiting or talking when the run ended.

        Its wait (if still waiting; 0 in an IVR) or talk time (if talking) is
        truncated at the end of the run, and it has no wrap-up.
        """
        if contact.state is IN_IVR:
            self._add(contact, _IN_SYSTEM, math.nan, 0.0, math.nan, math.nan)
        elif math.isnan(contact.answered_s):
            wait = end_of_run_s - contact.queued_s
            self._add(contact, _IN_SYSTEM, math.nan, wait, math.nan, math.nan)
        else:
            wait, talk = contact.answered_s - contact.queued_s, end_of_run_s - contact.answered_s
            self._add(contact, _IN_SYSTEM, math.nan, wait, talk, 0.0)

    # ----------------------------------------------------------------- the hot path

    def _adder(self) -> Callable[[Contact, int, float, float, float, float], None]:
        """The per-contact append, as a closure over the column appends (by name)."""
        chunk = self._chunk
        queue_ = chunk["queue"].append
        arrival_ = chunk["arrival_s"].append
        answered_ = chunk["answered_s"].append
        wait_ = chunk["wait_s"].append
        handle_ = chunk["handle_s"].append
        wrap_ = chunk["wrap_s"].append
        outcome_ = chunk["outcome"].append
        agent_ = chunk["agent"].append
        base_handle_ = chunk["base_handle_s"].append
        repeats = self._repeats
        ivr = self._ivr
        if ivr:
            queued_ = chunk["queued_s"].append
        log = self._log is not None
        previous = repeats or log
        if previous:
            previous_ = chunk["previous_agent"].append
        if repeats:
            factor_ = chunk["handover_factor"].append
        if log:
            contact_id_ = chunk["contact_id"].append
            customer_id_ = chunk["customer_id"].append
            end_ = chunk["end_s"].append
            attempt_ = chunk["attempt"].append
            linked_id_ = chunk["linked_id"].append
            skill_set_ = chunk["skill_set"].append
        queues = chunk["queue"]
        size = self._chunk_size
        flush = self._flush

        def add(
            contact: Contact,
            outcome: int,
            end_s: float,
            wait_s: float,
            handle_s: float,
            wrap_s: float,
        ) -> None:
            agent = contact.agent
            queue_(contact.queue.index)
            arrival_(contact.arrival_s)
            answered_(contact.answered_s)
            wait_(wait_s)
            handle_(handle_s)
            wrap_(wrap_s)
            outcome_(outcome)
            agent_(-1 if agent is None else agent.index)
            base_handle_(contact.base_handle_s)
            if previous:
                last_agent = contact.previous_agent
                previous_(-1 if last_agent is None else last_agent.index)
            if repeats:
                factor_(contact.handover_factor)
            if ivr:
                queued_(contact.queued_s)
            if log:
                contact_id_(contact.contact_id)
                customer_id_(contact.customer_id)
                end_(end_s)
                attempt_(contact.attempt)
                linked_id_(contact.linked_id)
                skill_set_(-1 if agent is None else agent.pool.skill_set)
            if len(queues) >= size:
                flush()

        return add

    # ------------------------------------------------------------------- reductions

    def _flush(self) -> None:
        """Reduce the buffered contacts and agent rows into the tallies; clear them."""
        self._levels.reduce_presence()
        if not len(self._chunk["queue"]):
            return
        # Copies, not views: a view left alive anywhere (a Dask worker's profiler holds
        # the frames it samples) would forbid clearing the buffers below.
        columns = {
            name: np.frombuffer(buffer, dtype=self._columns[name]).copy()
            for name, buffer in self._chunk.items()
        }
        self._reduce_contacts(columns)
        if self._log is not None:
            counted = columns["arrival_s"] >= self.warmup_s
            log = {name: columns[name][counted] for name in CONTACT_COLUMNS if name in columns}
            log["group"] = self._group_of[log["agent"]].astype(np.int32)
            self._log.write(log)
        del columns
        for buffer in self._chunk.values():
            del buffer[:]

    def _reduce_contacts(self, c: dict[str, np.ndarray]) -> None:
        meta, t = self.meta, self._tallies.contacts
        queue_count = len(meta.queues)
        queue = c["queue"].astype(np.int64)
        arrival, answered_s, wait = c["arrival_s"], c["answered_s"], c["wait_s"]
        handle, wrap, outcome, agent = c["handle_s"], c["wrap_s"], c["outcome"], c["agent"]
        base_handle = c["base_handle_s"]
        group = self._group_of[agent]
        # The busy rows of the contacts served in this chunk (warm-up ones too) are one batch.
        self._levels.cut(int(np.count_nonzero(np.isfinite(answered_s) & (agent >= 0))))
        waited = wait > 0
        queued = c["queued_s"] if self._ivr else arrival
        add_seconds_per_bin(
            self._tallies.queues.waiting_s,
            queued[waited],
            queued[waited] + wait[waited],
            queue[waited],
            self._grid,
        )

        counted = arrival >= self.warmup_s
        if not counted.all():
            queue, arrival, answered_s, wait = (
                queue[counted],
                arrival[counted],
                answered_s[counted],
                wait[counted],
            )
            handle, wrap, outcome = handle[counted], wrap[counted], outcome[counted]
            agent, group, base_handle = agent[counted], group[counted], base_handle[counted]
        cell_count = len(t.max_wait_s)
        cell = interval_of(arrival, self._edges) * queue_count + queue
        outcome_count = len(OUTCOMES)
        t.outcomes += np.bincount(
            cell * outcome_count + outcome, minlength=cell_count * outcome_count
        ).reshape(cell_count, outcome_count)
        in_target = wait <= self._threshold[queue]
        is_answered = outcome == _ANSWERED
        abandoned = outcome == _ABANDONED
        t.answered_in_target += np.bincount(cell[is_answered & in_target], minlength=cell_count)
        t.abandoned_in_target += np.bincount(cell[abandoned & in_target], minlength=cell_count)
        t.wait_sum_s += np.bincount(cell, weights=wait, minlength=cell_count)
        t.answered_wait_sum_s += np.bincount(
            cell[is_answered], weights=wait[is_answered], minlength=cell_count
        )
        t.answered_work_sum_s += np.bincount(
            cell[is_answered], weights=(handle + wrap)[is_answered], minlength=cell_count
        )
        t.offered_work_sum_s += np.bincount(cell, weights=base_handle, minlength=cell_count)
        np.maximum.at(t.max_wait_s, cell, wait)
        if self._ivr:  # contacts that ended in an IVR never waited in a queue
            offered = ~np.isin(outcome, _NOT_OFFERED)
            self._histogram.add(cell[offered], wait[offered])
        else:
            self._histogram.add(cell, wait)

        handled = (agent >= 0) & np.isfinite(answered_s) & (outcome != _IN_SYSTEM)
        pair = group[handled] * queue_count + queue[handled]
        routing = self._tallies.routing
        pair_count = len(routing.handled)
        routing.handled += np.bincount(pair, minlength=pair_count)
        routing.talk_s += np.bincount(pair, weights=handle[handled], minlength=pair_count)
        routing.wrap_s += np.bincount(pair, weights=wrap[handled], minlength=pair_count)
        routing.agent_handled += np.bincount(agent[handled], minlength=len(routing.agent_handled))
        by_interval = routing.group_interval_handled
        routing.group_interval_handled += np.bincount(
            group[handled] * by_interval.shape[1] + cell[handled] // queue_count,
            minlength=by_interval.size,
        ).reshape(by_interval.shape)
        if self._repeats:
            previous = c["previous_agent"][counted]
            factor = c["handover_factor"][counted]
            self._reduce_repeats(cell, handled, agent, previous, factor, handle)

    def _reduce_repeats(
        self,
        cell: np.ndarray,
        handled: np.ndarray,
        agent: np.ndarray,
        previous: np.ndarray,
        factor: np.ndarray,
        handle: np.ndarray,
    ) -> None:
        t = self._tallies.repeats
        cell_count = len(t.repeat_contacts)
        repeat = handled & (previous >= 0)
        same = repeat & (agent == previous)
        changed = repeat & ~same
        # The talk time the handover added: talk = base x skill factor x handover factor.
        extra = handle[changed] * (1.0 - 1.0 / factor[changed])
        t.repeat_contacts += np.bincount(cell[repeat], minlength=cell_count)
        t.same_agent += np.bincount(cell[same], minlength=cell_count)
        t.changed_agent += np.bincount(cell[changed], minlength=cell_count)
        t.handover_extra_sum_s += np.bincount(cell[changed], weights=extra, minlength=cell_count)

    # ---------------------------------------------------------------------- the end

    def finish(self, replication: int, end_s: float) -> ReplicationRecord:
        """Reduce what is left, clip the time after the horizon at ``end_s``, return the record.

        Args:
            replication: Replication number.
            end_s: The time the run ended (seconds).

        Returns:
            The record; its ``contacts`` are the in-memory log when the sink
            was a :class:`~simcenter.contact_log.MemoryLog`.
        """
        self._flush()
        presence = self._levels.finish(end_s)
        if self._customers is not None:
            self._customers.finish()
        t = self._tallies.contacts
        t.wait_cells, t.wait_bins, t.wait_counts = self._histogram.entries()
        contacts = self._log.close() if self._log is not None else None
        del self._add  # its closure refers to this recorder: cut the cycle, free the buffers now
        return ReplicationRecord(
            replication=replication,
            end_s=end_s,
            tallies=self._tallies,
            contacts=contacts if isinstance(contacts, dict) else None,
            presence=presence,
        )


def _empty_tallies(meta: RunMeta, queue_length_step_s: float | None) -> Tallies:
    queue_count, group_count = len(meta.queues), len(meta.groups)
    intervals = len(interval_edges(meta)) - 1
    cells = intervals * queue_count
    step = queue_length_step_s or meta.horizon_s / QUEUE_LENGTH_POINTS
    points = bin_count(meta.horizon_s, step)
    agent_count = len(meta.agent_names)
    empty = np.empty(0, dtype=np.int64)
    return Tallies(
        contacts=ContactTallies(
            outcomes=np.zeros((cells, len(OUTCOMES)), dtype=np.int64),
            answered_in_target=np.zeros(cells, dtype=np.int64),
            abandoned_in_target=np.zeros(cells, dtype=np.int64),
            wait_sum_s=np.zeros(cells),
            answered_wait_sum_s=np.zeros(cells),
            answered_work_sum_s=np.zeros(cells),
            offered_work_sum_s=np.zeros(cells),
            max_wait_s=np.full(cells, -math.inf),
            wait_cells=empty,
            wait_bins=empty,
            wait_counts=empty,
        ),
        repeats=RepeatTallies(
            repeat_contacts=np.zeros(cells, dtype=np.int64),
            same_agent=np.zeros(cells, dtype=np.int64),
            changed_agent=np.zeros(cells, dtype=np.int64),
            handover_extra_sum_s=np.zeros(cells),
        ),
        routing=RoutingTallies(
            handled=np.zeros(group_count * queue_count, dtype=np.int64),
            talk_s=np.zeros(group_count * queue_count),
            wrap_s=np.zeros(group_count * queue_count),
            agent_handled=np.zeros(agent_count, dtype=np.int64),
            group_interval_handled=np.zeros((group_count, intervals), dtype=np.int64),
        ),
        agents=AgentTallies(
            group_busy_s=np.zeros((group_count, intervals)),
            group_staffed_s=np.zeros((group_count, intervals)),
            group_away_s=np.zeros((group_count, intervals)),
            group_on_break_s=np.zeros((group_count, intervals)),
            group_busy_total_s=np.zeros(group_count),
            group_staffed_total_s=np.zeros(group_count),
            agent_busy_s=np.zeros(agent_count),
            agent_staffed_s=np.zeros(agent_count),
            group_scheduled_s=np.zeros((group_count, intervals)),
            group_absent_s=np.zeros((group_count, intervals)),
            group_overtime_s=np.zeros((group_count, intervals)),
            group_overtime_total_s=np.zeros(group_count),
            group_breaks_delayed=np.zeros(group_count, dtype=np.int64),
            group_break_delay_s=np.zeros(group_count),
        ),
        queues=QueueTallies(waiting_s=np.zeros((queue_count, points)), queue_length_step_s=step),
        customers=CustomerTallies(
            customers=np.zeros(queue_count, dtype=np.int64),
            first_outcomes=np.zeros((queue_count, len(OUTCOMES)), dtype=np.int64),
            final_outcomes=np.zeros((queue_count, len(OUTCOMES)), dtype=np.int64),
            attempts=np.zeros(queue_count, dtype=np.int64),
            retrials=np.zeros(queue_count, dtype=np.int64),
            repeats=np.zeros(queue_count, dtype=np.int64),
            wait_sum_s=np.zeros(queue_count),
            answered_in_target=np.zeros(queue_count, dtype=np.int64),
        ),
    )
