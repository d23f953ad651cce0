"""Flat column buffers filled while a replication runs.

One call per step of a contact's story; each appends to typed ``array``
columns (8 bytes or less per value, no Python objects kept per contact).
Contacts that arrived during the warm-up are not recorded. The buffers become
the numpy columns of a :class:`~simcenter.records.ReplicationRecord`.
"""

from __future__ import annotations

import math
from array import array
from typing import TYPE_CHECKING

import numpy as np

from simcenter.records import CONTACT_COLUMNS, OUTCOME_CODE, PRESENCE_COLUMNS

if TYPE_CHECKING:
    from simcenter.agents import Agent
    from simcenter.contact import Contact

_TYPECODES = {"int64": "q", "int32": "i", "int16": "h", "int8": "b", "float64": "d"}
_ANSWERED = OUTCOME_CODE["answered"]
_ABANDONED = OUTCOME_CODE["abandoned"]
_DISCONNECTED = OUTCOME_CODE["disconnected"]
_IN_SYSTEM = OUTCOME_CODE["in_system"]
_BLOCKED = OUTCOME_CODE["blocked"]
_BALKED = OUTCOME_CODE["balked"]
_VOICEMAIL = OUTCOME_CODE["voicemail"]
_TRANSFERRED = OUTCOME_CODE["transferred"]


def _buffers(columns: dict[str, str]) -> dict[str, array]:
    return {name: array(_TYPECODES[dtype]) for name, dtype in columns.items()}


class Recorder:
    """Collects per-contact facts and agents' on-duty periods.

    Args:
        warmup_s: Contacts arriving before this time (seconds) are not recorded.
    """

    def __init__(self, warmup_s: float) -> None:
        self.warmup_s = warmup_s
        self.contacts = _buffers(CONTACT_COLUMNS)
        self.presence = _buffers(PRESENCE_COLUMNS)
        self.last_change_s = 0.0
        # PERF: one bound append per column (benchmarks/README.md, "Recorder appends").
        self._append = tuple(self.contacts[name].append for name in CONTACT_COLUMNS)

    def answered(self, contact: Contact, end_s: float) -> None:
        """``contact`` was answered and its talk ended at ``end_s``."""
        wait = contact.answered_s - contact.arrival_s
        self._add(contact, _ANSWERED, end_s, wait, contact.handle_s, contact.wrap_s)

    def abandoned(self, contact: Contact, now: float) -> None:
        """``contact`` gave up waiting at ``now``."""
        self._add(contact, _ABANDONED, now, now - contact.arrival_s, math.nan, math.nan)

    def blocked(self, contact: Contact, now: float) -> None:
        """``contact`` found no free line at ``now``."""
        self._add(contact, _BLOCKED, now, 0.0, math.nan, math.nan)

    def balked(self, contact: Contact, now: float) -> None:
        """``contact`` left at once at ``now`` rather than wait."""
        self._add(contact, _BALKED, now, 0.0, math.nan, math.nan)

    def voicemail(self, contact: Contact, now: float) -> None:
        """``contact`` left a message at ``now`` after its maximum wait."""
        self._add(contact, _VOICEMAIL, now, now - contact.arrival_s, math.nan, math.nan)

    def transferred(self, contact: Contact, now: float) -> None:
        """``contact`` goes on as a new contact in another queue at ``now``.

        Either after its talk (``transfer``) or, unanswered, after its
        maximum wait (``max_wait.to``).
        """
        if math.isnan(contact.answered_s):
            self._add(contact, _TRANSFERRED, now, now - contact.arrival_s, math.nan, math.nan)
        else:
            wait = contact.answered_s - contact.arrival_s
            self._add(contact, _TRANSFERRED, now, wait, contact.handle_s, contact.wrap_s)

    def disconnected(self, contact: Contact, now: float) -> None:
        """``contact`` was still waiting when the centre closed (``closing: clear``)."""
        self._add(contact, _DISCONNECTED, now, now - contact.arrival_s, math.nan, math.nan)

    def in_system(self, contact: Contact, end_of_run_s: float) -> None:
        """``contact`` was still waiting or talking when the run ended.

        Its wait (if still waiting) or talk time (if talking) is truncated at
        the end of the run, and it has no wrap-up.
        """
        if math.isnan(contact.answered_s):
            wait = end_of_run_s - contact.arrival_s
            self._add(contact, _IN_SYSTEM, math.nan, wait, math.nan, math.nan)
        else:
            wait, talk = contact.answered_s - contact.arrival_s, end_of_run_s - contact.answered_s
            self._add(contact, _IN_SYSTEM, math.nan, wait, talk, 0.0)

    def _add(
        self,
        contact: Contact,
        outcome: int,
        end_s: float,
        wait_s: float,
        handle_s: float,
        wrap_s: float,
    ) -> None:
        if end_s > self.last_change_s:
            self.last_change_s = end_s
        if contact.arrival_s < self.warmup_s:
            return
        agent = contact.agent
        append = self._append
        append[0](contact.contact_id)
        append[1](contact.customer_id)
        append[2](contact.queue.index)
        append[3](contact.arrival_s)
        append[4](contact.answered_s)
        append[5](end_s)
        append[6](wait_s)
        append[7](handle_s)
        append[8](wrap_s)
        append[9](outcome)
        append[10](-1 if agent is None else agent.index)
        append[11](-1 if agent is None else agent.group.index)
        append[12](contact.attempt)
        append[13](contact.linked_id)
        previous = contact.previous_agent
        append[14](-1 if previous is None else previous.index)
        append[15](-1 if agent is None else agent.pool.skill_set)

    def on_duty(self, agent: Agent, start_s: float, end_s: float) -> None:
        """``agent`` was on duty from ``start_s`` to ``end_s``."""
        self.last_change_s = max(self.last_change_s, end_s)
        for name, value in (
            ("agent", agent.index),
            ("group", agent.group.index),
            ("start_s", start_s),
            ("end_s", end_s),
        ):
            self.presence[name].append(value)

    def contact_columns(self) -> dict[str, np.ndarray]:
        """The recorded contacts as numpy columns, in the order they left."""
        # PERF: views, not copies: half the peak memory (benchmarks/README.md, "Results").
        return {
            name: np.frombuffer(buffer, dtype=CONTACT_COLUMNS[name])
            for name, buffer in self.contacts.items()
        }

    def presence_columns(self) -> dict[str, np.ndarray]:
        """The recorded on-duty periods as numpy columns."""
        return {
            name: np.frombuffer(buffer, dtype=PRESENCE_COLUMNS[name]).copy()
            for name, buffer in self.presence.items()
        }
