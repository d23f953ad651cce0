"""The states of a contact and of an agent, and which changes between them are allowed.

A contact is in exactly one :class:`ContactState` at a time. It is created
``ARRIVING``; from there it is blocked, or (at a queue with an IVR) spends
time ``IN_IVR``, where it may be resolved or hang up; then it balks, is
answered at once, or starts waiting (in its queue, or for the agent it had
last). A waiting contact is
answered (``IN_SERVICE``) or leaves unanswered (``ENDED``: abandoned,
voicemail, rerouted, disconnected). A contact still waiting or in service
when the run ends stays in that state and is recorded as in system.
``CONTACT_TRANSITIONS`` is the map; docs/architecture.md draws it.

An agent is in one :class:`AgentState` at a time: off duty or away (not
present), or present (on duty) and idle, busy (talking) or in wrap-up.
``capacity`` slots (one for voice) are what the router hands out.
``AGENT_TRANSITIONS`` is the agent's map; docs/architecture.md draws it.
"""

from __future__ import annotations

from enum import Enum


class ContactState(Enum):
    """Where a contact is in its story."""

    ARRIVING = "arriving"
    """Created; not yet waiting, answered or gone."""
    IN_IVR = "in_ivr"
    """In its queue's self-service menu (``ivr``), before it may join the queue."""
    QUEUED = "queued"
    """Waiting in its queue's line (and in the overflow line once it overflowed)."""
    WAITING_FOR_LAST_AGENT = "waiting_for_last_agent"
    """A repeat contact waiting for the agent it had last (``routing.repeat_contacts``)."""
    CALLBACK_PENDING = "callback_pending"
    """Waiting to be called back (reserved: no callbacks yet)."""
    IN_SERVICE = "in_service"
    """Talking to an agent."""
    ENDED = "ended"
    """Gone: answered and finished, transferred, abandoned, blocked, balked, ..."""


ARRIVING = ContactState.ARRIVING
IN_IVR = ContactState.IN_IVR
QUEUED = ContactState.QUEUED
WAITING_FOR_LAST_AGENT = ContactState.WAITING_FOR_LAST_AGENT
IN_SERVICE = ContactState.IN_SERVICE
ENDED = ContactState.ENDED

CONTACT_TRANSITIONS: dict[ContactState, frozenset[ContactState]] = {
    ARRIVING: frozenset({IN_IVR, QUEUED, WAITING_FOR_LAST_AGENT, IN_SERVICE, ENDED}),
    IN_IVR: frozenset({QUEUED, WAITING_FOR_LAST_AGENT, IN_SERVICE, ENDED}),
    WAITING_FOR_LAST_AGENT: frozenset({QUEUED, IN_SERVICE, ENDED}),
    QUEUED: frozenset({IN_SERVICE, ENDED}),
    IN_SERVICE: frozenset({ENDED}),
    ENDED: frozenset(),
}
"""State -> the states a contact may move to from it (the engine's map)."""


class AgentState(Enum):
    """What an agent is doing."""

    OFF_DUTY = "off_duty"
    """Not rostered now (staffing plan or ``count``), or gone home after closing."""
    IDLE = "idle"
    """Present with a free slot, waiting for work."""
    BUSY = "busy"
    """Talking to a contact."""
    WRAP_UP = "wrap_up"
    """Doing the after-call work of its last contact."""
    ON_BREAK = "on_break"
    """On a break (no source gives breaks yet; a test source does)."""
    AWAY = "away"
    """Rostered but away for another reason (an outage, a meeting, ...)."""
    DIALLING = "dialling"
    """Placing an outbound call (reserved: no outbound yet)."""


OFF_DUTY = AgentState.OFF_DUTY
IDLE = AgentState.IDLE
BUSY = AgentState.BUSY
WRAP_UP = AgentState.WRAP_UP
AWAY = AgentState.AWAY
ON_BREAK = AgentState.ON_BREAK

PRESENT: frozenset[AgentState] = frozenset({IDLE, BUSY, WRAP_UP})
"""The states of an agent on duty (counted as staffed)."""

AGENT_TRANSITIONS: dict[AgentState, frozenset[AgentState]] = {
    OFF_DUTY: frozenset({IDLE, BUSY, AWAY, ON_BREAK}),
    AWAY: frozenset({IDLE, BUSY, OFF_DUTY, ON_BREAK}),
    ON_BREAK: frozenset({IDLE, BUSY, OFF_DUTY, AWAY}),
    IDLE: frozenset({BUSY, OFF_DUTY, AWAY, ON_BREAK}),
    BUSY: frozenset({BUSY, WRAP_UP, IDLE, OFF_DUTY, AWAY, ON_BREAK}),
    WRAP_UP: frozenset({BUSY, IDLE, OFF_DUTY, AWAY, ON_BREAK}),
}
"""State -> the states an agent may move to from it (the engine's map).

Coming on duty, an agent takes a waiting contact (busy) or becomes idle; the
reasons of presence sources move an absent agent between off duty, away and
on break (``presence.PRECEDENCE``).
Busy -> busy is the next contact taken at once after a talk without wrap-up.
An agent leaves (off duty or away) when idle, or when its talk or wrap-up
ends."""
