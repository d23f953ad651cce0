"""Agent levels: the time agents spend in each state, tallied from their changes of state.

The one place an agent's state changes is :attr:`AgentLevels.changed`
(``Recorder.agent_to``, the centre's ``_agent_to``): it makes the change and
tallies it, in one call on the hot path. The time of each agent's last
change is kept (``agent.changed_s``); a change closes the period the agent
spent in what it leaves, as a *row* (agent, start, end; seconds) in small
typed arrays, and the rows are reduced with numpy into the agent tallies
(:class:`~simcenter.records.AgentTallies`), split over the reporting
intervals per group, and per agent within ``[warmup, end of run]``:

- **busy**: one slot occupied by one contact, from the answer to the end of
  its wrap-up (talk + after-call work: busy -> wrap-up does not close it);
- **staffed**: present (idle, busy or in wrap-up), from coming on duty to leaving;
- **away** and **on break**: absent for a reason of that kind;
- **absent**: missing a whole shift occurrence (the absence source gives
  the period, :meth:`AgentLevels.period`);
- **overtime**: present while no presence source rosters the agent (a busy
  agent past its shift's or the plan's end): from
  :meth:`AgentLevels.overtime_begins` to :meth:`AgentLevels.overtime_ends`
  (the workday calls them; never on the per-contact path).

Idle time is staffed minus busy time (one slot per agent). Periods still
open when the run ends are closed at its end (:meth:`AgentLevels.at_end`);
the part of a period after the horizon (a drain) is in no interval and
counts in the per-agent and whole-run figures up to the end of the run.

A busy row takes its place when the talk ends (its end is filled in when the
wrap-up ends), so the rows are in the order the contacts are recorded, and
they are reduced in the recorder's batches (:meth:`AgentLevels.cut`: the
occupations of the contacts served in one chunk of contacts): the busy
figures are, to the last bit, the sums of the contacts' own periods
``[answered_s, answered_s + handle_s + wrap_s]``.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable
from enum import Enum
from typing import TYPE_CHECKING

import numpy as np

from simcenter.bins import add_seconds_per_bin, clipped_seconds
from simcenter.records import PRESENCE_COLUMNS, AgentTallies, RunMeta
from simcenter.states import AWAY, BUSY, IDLE, ON_BREAK, PRESENT, WRAP_UP, AgentState

if TYPE_CHECKING:
    from simcenter.agents import Agent

StateChange = Callable[["Agent", AgentState, float], None]
"""``changed(agent, state, now)``: ``agent`` moves to ``state`` at ``now`` (seconds)."""


class Level(Enum):
    """What an agent's period counts as in the tallies."""

    BUSY = "busy"
    """One slot occupied by one contact: talk and after-call work."""
    STAFFED = "staffed"
    """Present: idle, busy or in wrap-up."""
    AWAY = "away"
    """Absent for a reason of the ``away`` kind."""
    ON_BREAK = "on_break"
    """Absent on a break."""
    ABSENT = "absent"
    """Missing a whole shift occurrence through absence (:mod:`simcenter.absence`)."""
    OVERTIME = "overtime"
    """Present while no longer rostered: finishing a contact past the shift's or plan's end."""


ABSENCE_KINDS: dict[AgentState | Level, int] = {
    AWAY: 0,
    ON_BREAK: 1,
    Level.AWAY: 0,
    Level.ON_BREAK: 1,
    Level.ABSENT: 2,
    Level.OVERTIME: 3,
}
"""The absent states (and levels) tallied -> their code in the absence rows (overtime is a
code of these rows too: a period of one agent, per group and interval)."""

_BUSY_COLUMNS = {"agent": "i", "start_s": "d", "end_s": "d"}
_ABSENCE_COLUMNS = {"agent": "i", "kind": "b", "start_s": "d", "end_s": "d"}
_PRESENCE_CODES = {"int32": "i", "float64": "d"}


def _frame(buffers: dict[str, array], start: int = 0, stop: int | None = None) -> dict:
    """Copies (not views: the buffers are cleared later) of rows ``[start, stop)`` as numpy."""
    return {
        name: np.frombuffer(buffer, dtype=buffer.typecode)[start:stop].copy()
        for name, buffer in buffers.items()
    }


class AgentLevels:
    """Tallies the agents' levels of one replication from their changes of state.

    Args:
        meta: The run description (warm-up, intervals, agents and groups).
        tallies: The agent tallies to add to.
        edges: Reporting interval boundaries (seconds).
        keep_presence: Also keep every on-duty period (``ReplicationRecord.presence``).
        chunk_size: On-duty periods buffered between reductions.

    Attributes:
        changed: The hot-path call, :data:`StateChange`: sets ``agent.state`` and tallies
            the change.
    """

    def __init__(
        self,
        meta: RunMeta,
        tallies: AgentTallies,
        edges: np.ndarray,
        keep_presence: bool,
        chunk_size: int,
    ) -> None:
        agent_count = len(meta.agent_names)
        self.warmup_s = meta.warmup_s
        self._tallies = tallies
        self._edges = edges
        self._agent_group = np.asarray(meta.agent_groups, dtype=np.int64)
        self._group_count = len(meta.groups)
        self._keep_presence = keep_presence
        self._presence_log: list[dict[str, np.ndarray]] = []
        self._chunk_size = chunk_size
        self._present_since = [0.0] * agent_count
        self._open_row = [0] * agent_count
        self._busy: dict[str, array] = {name: array(code) for name, code in _BUSY_COLUMNS.items()}
        self._absence: dict[str, array] = {
            name: array(code) for name, code in _ABSENCE_COLUMNS.items()
        }
        self._presence: dict[str, array] = {
            name: array(_PRESENCE_CODES[dtype]) for name, dtype in PRESENCE_COLUMNS.items()
        }
        self._batches: list[int] = []
        self._after: list[tuple[str, np.ndarray, np.ndarray, np.ndarray]] = []
        self.changed = self._changes()

    # ------------------------------------------------------------------ the hot path

    def _changes(self) -> StateChange:
        """The per-change call, as a closure over the per-agent lists and the row appends.

        PERF: the change is made here, so that it costs one call (benchmarks/README.md,
        "Agent levels").
        """
        open_row = self._open_row
        busy = self._busy
        agent_, start_, end_ = busy["agent"].append, busy["start_s"].append, busy["end_s"].append
        ends = busy["end_s"]
        nan = math.nan
        leaves_absence, becomes_absent = self._leaves_absence, self._becomes_absent

        def changed(agent: Agent, state: AgentState, now: float) -> None:
            old = agent.state
            agent.state = state
            if old is IDLE:  # PERF: the commonest change first (idle -> busy)
                agent.changed_s = now
                if state is not BUSY:
                    becomes_absent(agent, old, state, now)
                return
            if old is BUSY:  # the talk is over: the contact's row, in the order talks end
                agent_(agent.index)
                start_(agent.changed_s)
                if state is WRAP_UP:  # the slot stays occupied: the end comes with the wrap-up's
                    open_row[agent.index] = len(ends)
                    end_(nan)
                    return
                end_(now)
            elif old is WRAP_UP:
                ends[open_row[agent.index]] = now
            else:
                leaves_absence(agent, old, state, now)
            agent.changed_s = now
            # Wrap-up is entered only from busy (above); idle and busy are present.
            if state is not BUSY and state is not IDLE:
                becomes_absent(agent, old, state, now)

        return changed

    def _leaves_absence(self, agent: Agent, old: AgentState, state: AgentState, now: float) -> None:
        """``agent`` leaves an absent state ``old``: its absence row; on duty if now present."""
        index = agent.index
        if old in ABSENCE_KINDS:
            self._add_absence(index, ABSENCE_KINDS[old], agent.changed_s, now)
        if state in PRESENT:
            self._present_since[index] = now

    def _becomes_absent(self, agent: Agent, old: AgentState, state: AgentState, now: float) -> None:
        """``agent`` enters an absent state: if it was present, its on-duty row."""
        if old in PRESENT:
            self._add_presence(agent, self._present_since[agent.index], now)

    def _add_absence(self, index: int, kind: int, start_s: float, end_s: float) -> None:
        absence = self._absence
        absence["agent"].append(index)
        absence["kind"].append(kind)
        absence["start_s"].append(start_s)
        absence["end_s"].append(end_s)

    def _add_presence(self, agent: Agent, start_s: float, end_s: float) -> None:
        presence = self._presence
        presence["agent"].append(agent.index)
        presence["group"].append(agent.group.index)
        presence["start_s"].append(start_s)
        presence["end_s"].append(end_s)
        if len(presence["agent"]) >= self._chunk_size:
            self.reduce_presence()

    def period(self, agent: Agent, level: Level, start_s: float, end_s: float) -> None:
        """``agent`` spent ``[start_s, end_s]`` (seconds) in ``level``, a closed period.

        What :attr:`changed` adds for the engine; scripted replications give
        their periods directly. Busy periods are in the order the contacts
        they serve are recorded.
        """
        if level is Level.BUSY:
            self._busy["agent"].append(agent.index)
            self._busy["start_s"].append(start_s)
            self._busy["end_s"].append(end_s)
        elif level is Level.STAFFED:
            self._add_presence(agent, start_s, end_s)
        else:
            self._add_absence(agent.index, ABSENCE_KINDS[level], start_s, end_s)

    def overtime_begins(self, agent: Agent, now: float) -> None:
        """``agent``, present and busy, is no longer rostered at ``now`` (seconds): overtime."""
        agent.overtime_since = now

    def overtime_ends(self, agent: Agent, now: float) -> None:
        """``agent``'s overtime ends at ``now`` (it left, or is rostered again)."""
        since = agent.overtime_since
        agent.overtime_since = None
        if since is not None and now > since:
            self._add_absence(agent.index, ABSENCE_KINDS[Level.OVERTIME], since, now)

    def break_delayed(self, agent: Agent, delay_s: float) -> None:
        """``agent`` took a break ``delay_s`` seconds after it was due (a contact in hand)."""
        group = agent.group.index
        self._tallies.group_breaks_delayed[group] += 1
        self._tallies.group_break_delay_s[group] += delay_s

    def at_end(self, agent: Agent, end_s: float) -> None:
        """The run ends at ``end_s`` with ``agent`` in its state: close what it has open."""
        if agent.overtime_since is not None:
            self.overtime_ends(agent, end_s)
        state, index = agent.state, agent.index
        if state is BUSY:
            self.period(agent, Level.BUSY, agent.changed_s, end_s)
        elif state is WRAP_UP:
            self._busy["end_s"][self._open_row[index]] = end_s
        elif state in ABSENCE_KINDS:
            self._add_absence(index, ABSENCE_KINDS[state], agent.changed_s, end_s)
        if state in PRESENT:
            self._add_presence(agent, self._present_since[index], end_s)

    # ------------------------------------------------------------------- reductions

    def cut(self, served: int) -> None:
        """A chunk of contacts was reduced; the next ``served`` busy rows are its batch.

        Each batch is reduced once its rows are all there and closed, in order.
        """
        self._batches.append(served)
        self._reduce_busy(final=False)

    def _reduce_busy(self, final: bool) -> None:
        """Reduce the complete batches of busy rows (``final``: every row left) and drop them."""
        ends = self._busy["end_s"]
        done = 0
        while self._batches and done + self._batches[0] <= len(ends):
            stop = done + self._batches[0]
            rows = _frame(self._busy, done, stop)
            if np.isnan(rows["end_s"]).any():
                break
            self._add_periods("busy", rows["start_s"], rows["end_s"], rows["agent"])
            self._batches.pop(0)
            done = stop
        if final and done < len(ends):
            rows = _frame(self._busy, done)
            self._add_periods("busy", rows["start_s"], rows["end_s"], rows["agent"])
            done = len(ends)
        if done:
            for buffer in self._busy.values():
                del buffer[:done]
            self._open_row[:] = [row - done for row in self._open_row]

    def reduce_presence(self) -> None:
        """Reduce the buffered on-duty and absence rows into the tallies; clear them."""
        if len(self._presence["agent"]):
            columns = _frame(self._presence)
            if self._keep_presence:
                self._presence_log.append(columns)
            self._add_periods(
                "staffed", columns["start_s"], columns["end_s"], columns["agent"].astype(np.int64)
            )
            for buffer in self._presence.values():
                del buffer[:]
        if len(self._absence["agent"]):
            rows = _frame(self._absence)
            group = self._agent_group[rows["agent"]]
            t = self._tallies
            outs = (t.group_away_s, t.group_on_break_s, t.group_absent_s, t.group_overtime_s)
            for kind, out in enumerate(outs):
                chosen = rows["kind"] == kind
                if chosen.any():
                    start, end = rows["start_s"][chosen], rows["end_s"][chosen]
                    add_seconds_per_bin(out, start, end, group[chosen], self._edges)
            overtime = rows["kind"] == ABSENCE_KINDS[Level.OVERTIME]
            if overtime.any():
                t.group_overtime_total_s += np.bincount(
                    group[overtime],
                    weights=clipped_seconds(
                        rows["start_s"][overtime], rows["end_s"][overtime], self.warmup_s, math.inf
                    ),
                    minlength=self._group_count,
                )
            for buffer in self._absence.values():
                del buffer[:]

    def _add_periods(
        self, kind: str, start: np.ndarray, end: np.ndarray, agent: np.ndarray
    ) -> None:
        """Add busy or on-duty periods inside the horizon; keep the part after it."""
        t = self._tallies
        agent = agent.astype(np.int64)
        horizon_end = self._edges[-1]
        per_group = t.group_busy_s if kind == "busy" else t.group_staffed_s
        per_agent = t.agent_busy_s if kind == "busy" else t.agent_staffed_s
        add_seconds_per_bin(per_group, start, end, self._agent_group[agent], self._edges)
        per_agent += np.bincount(
            agent,
            weights=clipped_seconds(start, end, self.warmup_s, horizon_end),
            minlength=len(per_agent),
        )
        late = end > horizon_end
        if late.any():
            self._after.append((kind, np.maximum(start[late], horizon_end), end[late], agent[late]))

    # ---------------------------------------------------------------------- the end

    def finish(self, end_s: float) -> dict[str, np.ndarray] | None:
        """Reduce every row left, clip the time after the horizon at ``end_s``, set the totals.

        Returns:
            The on-duty periods (:data:`~simcenter.records.PRESENCE_COLUMNS`)
            when they are kept, else None.
        """
        self._reduce_busy(final=True)
        self.reduce_presence()
        t = self._tallies
        horizon_end = self._edges[-1]
        for kind in ("busy", "staffed"):
            per_agent = t.agent_busy_s if kind == "busy" else t.agent_staffed_s
            after = np.zeros(len(per_agent))
            for part, start, end, agent in self._after:
                if part == kind:
                    after += np.bincount(
                        agent,
                        weights=clipped_seconds(start, end, horizon_end, end_s),
                        minlength=len(after),
                    )
            per_agent += after
            group_after = np.bincount(self._agent_group, weights=after, minlength=self._group_count)
            per_group = t.group_busy_s if kind == "busy" else t.group_staffed_s
            total = per_group.sum(axis=1) + group_after
            if kind == "busy":
                t.group_busy_total_s = total
            else:
                t.group_staffed_total_s = total
        del self.changed  # its closure refers to this object: cut the cycle, free the rows now
        return self._presence_columns() if self._keep_presence else None

    def _presence_columns(self) -> dict[str, np.ndarray]:
        if not self._presence_log:
            return {name: np.empty(0, dtype=dtype) for name, dtype in PRESENCE_COLUMNS.items()}
        return {
            name: np.concatenate([part[name] for part in self._presence_log])
            for name in PRESENCE_COLUMNS
        }
