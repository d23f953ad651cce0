"""The contact: one call (or later chat, email) from a customer.

Everything random about a contact (handle time, wrap-up, patience) is drawn
when it arrives, from its queue's own streams, so two scenarios that differ
only in staffing see exactly the same callers (common random numbers).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simcenter.agents import Agent
    from simcenter.routing import Queue


class Contact:
    """One contact and what has happened to it so far.

    Attributes:
        contact_id: Unique within the replication, in arrival order.
        customer_id: The customer who made the contact.
        queue: The queue it arrived at.
        arrival_s: Arrival time (seconds).
        handle_s: Talk time it will need (seconds).
        wrap_s: After-call work its agent will do afterwards (seconds).
        patience_s: How long it is willing to wait (seconds; ``inf`` = never abandons).
        answered_s: Time an agent answered (NaN until then).
        waiting: In its queue right now.
        agent: The agent who answered, or None.
        attempt: 1 for a first attempt.
    """

    __slots__ = (
        "agent",
        "answered_s",
        "arrival_s",
        "attempt",
        "contact_id",
        "customer_id",
        "handle_s",
        "patience_s",
        "queue",
        "waiting",
        "wrap_s",
    )

    def __init__(self, contact_id: int, queue: Queue, arrival_s: float) -> None:
        self.contact_id = contact_id
        self.customer_id = contact_id
        self.queue = queue
        self.arrival_s = arrival_s
        self.handle_s = queue.handle_time()
        self.wrap_s = queue.wrap_up()
        self.patience_s = queue.patience()
        self.answered_s = math.nan
        self.waiting = False
        self.agent: Agent | None = None
        self.attempt = 1
