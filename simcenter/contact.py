"""The contact: one call (or later chat, email) from a customer.

Everything random about a contact (handle time, wrap-up, patience, whether
it will be transferred or call again) is drawn when it arrives, from its
queue's own streams, so two scenarios that differ only in staffing see
exactly the same first-attempt callers (common random numbers).
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
        contact_id: Unique within the replication, in order of creation.
        customer_id: The customer; transfers and repeat contacts keep it.
        queue: The queue it arrived at.
        arrival_s: Arrival time (seconds).
        handle_s: Talk time it needs (seconds); set to the actual talk time,
            with the agent's handle-time factors, when it is answered.
        wrap_s: After-call work its agent will do afterwards (seconds).
        patience_s: How long it is willing to wait (seconds; ``inf`` = never abandons).
        transfers: Will be transferred after its talk (drawn at arrival).
        repeats: Will call again after its talk, its issue unresolved (drawn at arrival).
        answered_s: Time an agent answered (NaN until then).
        waiting: Waiting for an agent right now.
        overflowed: In its queue's overflow line too.
        waits_for: The agent it waits for in that agent's personal line, or None.
        agent: The agent who answered, or None.
        previous_agent: The agent of the customer's previous contact (repeat contacts).
        linked_id: The contact this one continues (transfer, reroute or repeat), or -1.
        holds_line: Holds one of the centre's lines (trunks).
        attempt: 1 for a first contact; repeat contacts count up.
    """

    __slots__ = (
        "agent",
        "answered_s",
        "arrival_s",
        "attempt",
        "contact_id",
        "customer_id",
        "handle_s",
        "holds_line",
        "linked_id",
        "overflowed",
        "patience_s",
        "previous_agent",
        "queue",
        "repeats",
        "transfers",
        "waiting",
        "waits_for",
        "wrap_s",
    )

    def __init__(
        self,
        contact_id: int,
        queue: Queue,
        arrival_s: float,
        customer_id: int | None = None,
    ) -> None:
        self.contact_id = contact_id
        self.customer_id = contact_id if customer_id is None else customer_id
        self.queue = queue
        self.arrival_s = arrival_s
        self.handle_s = queue.handle_time()
        self.wrap_s = queue.wrap_up()
        self.patience_s = queue.patience()
        draw = queue.draw
        self.transfers = "transfer" in draw and draw["transfer"]() < queue.spec.transfer.probability  # type: ignore[union-attr]
        self.repeats = "repeat" in draw and draw["repeat"]() < queue.spec.repeat.probability  # type: ignore[union-attr]
        self.answered_s = math.nan
        self.waiting = False
        self.overflowed = False
        self.waits_for: Agent | None = None
        self.agent: Agent | None = None
        self.previous_agent: Agent | None = None
        self.linked_id = -1
        self.holds_line = False
        self.attempt = 1
