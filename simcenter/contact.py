"""The contact: one call (or later chat, email) from a customer, and its random draws.

Everything random about a contact (base handle time, wrap-up, patience,
whether it will be transferred, whether and when it will call again, whether
it balks when nobody is free) is drawn when it is created, all at once, from
one :class:`ContactDraws`: a set of named streams of its queue. A first-time
contact draws from its queue's first-time streams, in the queue's arrival
order, so its draws depend only on the seed, the queue and its place in the
queue's arrival sequence. Contacts created during the run (repeat contacts,
transfer legs, rerouted contacts) draw from streams of their own, so they
never shift a first-time contact's draws (common random numbers that hold
whatever the staffing, routing or other queues). The agent-dependent part of
a handle time (skill factor, handover factor) multiplies the base draw when
the contact is answered.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from simcenter.distributions import Constant, Distribution, Sampler, Uniform
from simcenter.states import ARRIVING, ContactState

if TYPE_CHECKING:
    from simcenter.agents import Agent
    from simcenter.routing import Queue

Stream = tuple[Distribution | None, np.random.Generator | None]
"""A distribution (None: always ``inf``) and the generator of its stream (None when it
never draws: no distribution, or a `Constant`)."""
Decision = tuple[np.random.Generator, float]
"""The generator of a Uniform(0, 1) stream and the probability of "yes"."""


class ContactDraws:
    """The draws of a queue's contacts of one origin, taken in blocks.

    Each purpose has its own stream. A refill draws the next block of every
    stream (``distribution.sample(rng, size)``, sizes 8, 16, ... up to
    ``block``, as :class:`~simcenter.distributions.Sampler`; from 64 when
    every distribution drawn is elementwise), so contact
    ``k`` always gets value ``k`` of every stream, whatever the block sizes
    and whatever else happens in the run. A contact's three times are stored
    next to each other (float64), so taking them touches one memory line, not
    a float object per value in another place (PERF: −15 % CPU on the
    500-queue secretarial service; benchmarks/README.md, "Routing at scale").

    Args:
        handle: Base handle time (seconds).
        wrap: Wrap-up (seconds).
        patience: Patience (seconds; a None distribution = never abandons).
        transfer: The transfer decision, or None without ``transfer``.
        repeat: The repeat decision, or None without ``repeat``.
        repeat_delay: Delay until a repeat contact (seconds), drawn only for
            contacts that will call again; None without ``repeat``.
        balk: The balking decision, or None without ``balking.probability``.
        block: Largest number of contacts drawn per refill.

    Attributes:
        decides: The queue has a transfer, repeat or balking decision:
            :meth:`decisions` gives a contact's, after :meth:`times`.
    """

    __slots__ = (
        "_bytes",
        "_choices",
        "_decisions",
        "_end",
        "_next_size",
        "_offset",
        "_streams",
        "block",
        "decides",
        "repeat_delay",
    )

    def __init__(
        self,
        handle: Stream,
        wrap: Stream,
        patience: Stream,
        transfer: Decision | None = None,
        repeat: Decision | None = None,
        repeat_delay: Callable[[], float] | None = None,
        balk: Decision | None = None,
        block: int = 1024,
    ) -> None:
        self._streams = (handle, wrap, patience)
        self._decisions = (transfer, repeat, balk)
        self.decides = any(self._decisions)
        self.repeat_delay = repeat_delay
        self.block = block
        drawn = [stream[0] for stream in self._streams if stream[0] is not None]
        first = min(
            (Sampler.first_block(distribution) for distribution in drawn),
            default=Sampler.ELEMENTWISE_FIRST_BLOCK,
        )
        self._next_size = min(first, block)
        self._bytes = b""
        self._offset = self._end = 0
        self._choices: list[tuple[bool, bool, bool]] = []

    def times(self) -> tuple[float, float, float]:
        """The next contact's ``(handle_s, wrap_s, patience_s)``."""
        offset = self._offset
        if offset == self._end:
            self._refill()
            offset = 0
        self._offset = offset + _TIMES_SIZE
        return _TIMES(self._bytes, offset)

    def decisions(self) -> tuple[bool, bool, bool]:
        """The same contact's ``(transfers, repeats, balks)`` (only if ``decides``)."""
        return self._choices.pop()

    def _refill(self) -> None:
        """Draw the next block of every stream: one row of times per contact."""
        size = self._next_size
        self._next_size = min(2 * size, self.block)
        table = np.empty((size, 3))
        for column, (distribution, rng) in enumerate(self._streams):
            if distribution is None:
                table[:, column] = math.inf
            elif isinstance(distribution, Constant):
                table[:, column] = distribution.mean  # never touches rng
            else:
                table[:, column] = distribution.sample(rng, size)  # type: ignore[arg-type]
        self._bytes = table.tobytes()
        self._offset, self._end = 0, table.nbytes
        if self.decides:
            columns = []
            for decision in self._decisions:
                if decision is None:
                    columns.append([False] * size)
                else:
                    rng, probability = decision
                    columns.append((_UNIT.sample(rng, size)[::-1] < probability).tolist())
            self._choices = list(zip(*columns, strict=True))


_TIMES = struct.Struct("3d").unpack_from
_TIMES_SIZE = struct.calcsize("3d")
_UNIT = Uniform(0.0, 1.0)


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
        answered_s: Time an agent answered (NaN until then).
        overflowed: In its queue's overflow line too.
        waits_for: The agent it waits for (state ``WAITING_FOR_LAST_AGENT``), or None.
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
        "balks",
        "base_handle_s",
        "contact_id",
        "customer_id",
        "handle_s",
        "handover_factor",
        "holds_line",
        "linked_id",
        "overflowed",
        "patience_s",
        "previous_agent",
        "queue",
        "repeat_delay_s",
        "repeats",
        "state",
        "transfers",
        "waits_for",
        "wrap_s",
    )

    def __init__(
        self,
        contact_id: int,
        queue: Queue,
        arrival_s: float,
        draws: ContactDraws,
        customer_id: int | None = None,
    ) -> None:
        self.contact_id = contact_id
        self.customer_id = contact_id if customer_id is None else customer_id
        self.queue = queue
        self.arrival_s = arrival_s
        self.state: ContactState = ARRIVING
        self.base_handle_s, self.wrap_s, self.patience_s = draws.times()
        self.handle_s = self.base_handle_s
        self.handover_factor = 1.0
        if draws.decides:
            self.transfers, self.repeats, self.balks = draws.decisions()
            self.repeat_delay_s = draws.repeat_delay() if self.repeats else math.nan  # type: ignore[misc]
        else:
            self.transfers = self.repeats = self.balks = False
            self.repeat_delay_s = math.nan
        self.answered_s = math.nan
        self.overflowed = False
        self.waits_for: Agent | None = None
        self.agent: Agent | None = None
        self.previous_agent: Agent | None = None
        self.linked_id = -1
        self.holds_line = False
        self.attempt = 1
