"""The contact: one call (or later chat, email) from a customer, and its random draws.

Everything random about a contact (base handle time, wrap-up, patience,
whether it will be transferred, whether and when it will call again, whether
it balks when nobody is free, whether and when it tries again if it gives
up) is drawn when it is created, all at once, from its queue's
:class:`~simcenter.draws.Draws` of its origin (the purposes are declared by
name in :mod:`simcenter.draws`). A first-time contact draws from its queue's
first-time streams, in the queue's arrival order, so its draws depend only on
the seed, the queue and its place in the queue's arrival sequence. Contacts
created during the run (repeat contacts, transfer legs, rerouted contacts,
retrials) draw from streams of their own, so they never shift a first-time
contact's draws (common random numbers that hold whatever the staffing,
routing or other queues). The agent-dependent part of a handle time (skill
factor, handover factor) multiplies the base draw when the contact is
answered.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from simcenter.states import ARRIVING, ContactState

if TYPE_CHECKING:
    from simcenter.agents import Agent
    from simcenter.customers import Customer
    from simcenter.draws import Draws
    from simcenter.routing import Queue


class Contact:
    """One contact and what has happened to it so far.

    Attributes:
        contact_id: Unique within the replication, in order of creation.
        customer_id: The customer; transfers and repeat contacts keep it.
        queue: The queue it arrived at.
        arrival_s: Arrival time (seconds).
        state: Where it is in its story (:class:`~simcenter.states.ContactState`);
            changed only by the centre's one transition method.
        base_handle_s: Talk time it needs with a standard agent (seconds), as drawn.
        handle_s: Talk time (seconds): the base draw until it is answered, then
            the actual talk time, base x skill factor x handover factor.
        handover_factor: ``routing.handover_factor`` if a repeat contact was
            answered by another agent than its last one, else 1.0.
        wrap_s: After-call work its agent will do afterwards (seconds).
        patience_s: How long it is willing to wait (seconds; ``inf`` = never abandons).
        transfers: Will be transferred after its talk (drawn at creation).
        repeats: Will call again after its talk, its issue unresolved (drawn at creation).
        repeat_delay_s: When it will call again after its talk (seconds; NaN unless ``repeats``).
        balks: Would leave at once if nobody is free (``balking.probability``; drawn at creation).
        retries: Would try again if this attempt ends in one of ``retrial.after`` (drawn at
            creation).
        retrial_delay_s: When it would try again after this attempt ends (seconds; NaN
            unless ``retries``).
        self_serves: Is resolved in its queue's IVR (``ivr.self_service``; drawn at creation).
        ivr_s: Time it spends in its queue's IVR (seconds; drawn at creation, only at a
            queue with ``ivr``).
        ivr_patience_s: How long it stays in the IVR at most (seconds; ``inf``: it never
            hangs up there; only at a queue with ``ivr``).
        queued_s: When it joined its queue's line, after the IVR (seconds; the arrival
            without an IVR): its wait is measured from here.
        answered_s: Time an agent answered (NaN until then).
        overflowed: In its queue's overflow line too.
        waits_for: The agent it waits for (state ``WAITING_FOR_LAST_AGENT``), or None.
        agent: The agent who answered, or None.
        previous_agent: The agent of the customer's previous contact (repeat contacts).
        linked_id: The contact this one continues (transfer, reroute or repeat), or -1.
        holds_line: Holds one of the centre's lines (trunks).
        attempt: 1 for a first contact; repeat contacts and retrials count up (transfer
            and reroute legs keep it).
        customer: What the customer went through before this contact
            (:class:`~simcenter.customers.Customer`), or None for a first-time contact.
    """

    __slots__ = (
        "agent",
        "answered_s",
        "arrival_s",
        "attempt",
        "balks",
        "base_handle_s",
        "contact_id",
        "customer",
        "customer_id",
        "handle_s",
        "handover_factor",
        "holds_line",
        "ivr_patience_s",
        "ivr_s",
        "linked_id",
        "overflowed",
        "patience_s",
        "previous_agent",
        "queue",
        "queued_s",
        "repeat_delay_s",
        "repeats",
        "retrial_delay_s",
        "retries",
        "self_serves",
        "state",
        "transfers",
        "waits_for",
        "wrap_s",
    )
    # Set by the draws (simcenter.draws.PURPOSES), before anything else happens to the contact.
    base_handle_s: float
    wrap_s: float
    patience_s: float
    transfers: bool
    repeats: bool
    balks: bool
    repeat_delay_s: float
    retries: bool
    retrial_delay_s: float
    self_serves: bool
    ivr_s: float
    ivr_patience_s: float

    def __init__(
        self,
        contact_id: int,
        queue: Queue,
        arrival_s: float,
        draws: Draws,
        customer_id: int | None = None,
    ) -> None:
        self.contact_id = contact_id
        self.customer_id = contact_id if customer_id is None else customer_id
        self.queue = queue
        self.arrival_s = arrival_s
        self.queued_s = arrival_s
        self.state: ContactState = ARRIVING
        draws.draw(self)
        self.handle_s = self.base_handle_s
        self.handover_factor = 1.0
        self.answered_s = math.nan
        self.overflowed = False
        self.waits_for: Agent | None = None
        self.agent: Agent | None = None
        self.previous_agent: Agent | None = None
        self.linked_id = -1
        self.holds_line = False
        self.attempt = 1
        self.customer: Customer | None = None
