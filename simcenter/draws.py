"""A contact's draws: the random values it takes when it is created, declared by purpose.

Every random value of a contact has a purpose with a name: its base handle
time (``handle``), wrap-up (``wrap``), patience (``patience``), whether it
will be transferred (``transfer``), call again (``repeat``, and after what
delay: ``repeat_delay``), balk when nobody is free (``balk``), try again
if it gives up (``retrial``, and after what delay: ``retrial_delay``), and,
at a queue with an IVR, how long it spends there (``ivr``), whether it is
resolved there (``self_service``) and how long it would stay at most
(``ivr_patience``).
:data:`PURPOSES` declares each one once: its name (which names its random
stream), the contact attribute that holds the value, and where the queue
states how it is drawn.

Where the values come from is behind the :class:`Draws` protocol: a new
contact asks its queue's draws (of its origin: ``first``, ``repeat``,
``transfer``, ``reroute`` or ``retrial``) to :meth:`Draws.draw` its values, all at once,
and the journey reads them from the contact. The engine's draws are
:class:`SampledDraws`, one named stream per purpose (common random numbers;
docs/modelling.md, "Randomness"); another implementation (a trace row, say)
can supply some or all of the values without a change to the engine
(``run_replication(..., draws=...)``).
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from simcenter.clock import ScenarioClock
from simcenter.distributions import Constant, Distribution, Sampler, Uniform
from simcenter.periods import PeriodTime
from simcenter.scenario import DistributionSpec, PeriodsSpec, QueueSpec
from simcenter.streams import stream

if TYPE_CHECKING:
    from simcenter.contact import Contact


@dataclass(frozen=True)
class Time:
    """A purpose whose value is a time (seconds), drawn from a distribution of the queue.

    Attributes:
        name: The purpose's name, which names its stream: ``<name>/<queue>``
            for first-time contacts, ``<origin>/<queue>/<name>`` for the others.
        attribute: The :class:`~simcenter.contact.Contact` attribute that holds it.
        distribution: The queue's distribution of it, or None if the queue has
            none (then the value is ``inf``, or NaN for a conditional time).
    """

    name: str
    attribute: str
    distribution: Callable[[QueueSpec], DistributionSpec | PeriodsSpec | None]


@dataclass(frozen=True)
class Choice:
    """A purpose whose value is a decision: yes with a probability the queue states.

    Attributes:
        name: The purpose's name, which names its stream (as :class:`Time`).
        attribute: The :class:`~simcenter.contact.Contact` attribute that holds it.
        probability: The queue's probability of yes, or None if the queue has
            no such rule (then the value is False and nothing is drawn).
    """

    name: str
    attribute: str
    probability: Callable[[QueueSpec], float | None]


TIMES = (
    Time("handle", "base_handle_s", lambda spec: spec.handle_time),
    Time("wrap", "wrap_s", lambda spec: spec.wrap_up),
    Time("patience", "patience_s", lambda spec: spec.patience),
)
"""The times every contact draws (without ``patience`` the value is ``inf``: never abandons)."""

CHOICES = (
    Choice(
        "transfer", "transfers", lambda spec: spec.transfer.probability if spec.transfer else None
    ),
    Choice("repeat", "repeats", lambda spec: spec.repeat.probability if spec.repeat else None),
    Choice("balk", "balks", lambda spec: spec.balking.probability if spec.balking else None),
    Choice("retrial", "retries", lambda spec: spec.retrial.probability if spec.retrial else None),
    Choice(
        "self_service",
        "self_serves",
        lambda spec: spec.ivr.self_service if spec.ivr and spec.ivr.self_service > 0 else None,
    ),
)
"""The decisions every contact draws (a Uniform(0, 1) draw below the probability: yes)."""

REPEAT_DELAY = Time(
    "repeat_delay", "repeat_delay_s", lambda spec: spec.repeat.delay if spec.repeat else None
)
"""The delay until a repeat call (seconds), drawn only for the contacts that will call
again (``repeats``); NaN for the others."""

RETRIAL_DELAY = Time(
    "retrial_delay", "retrial_delay_s", lambda spec: spec.retrial.delay if spec.retrial else None
)
"""The delay from the end of an attempt to the retrial (seconds), drawn only for the
contacts that would try again (``retries``); NaN for the others."""

IVR_TIME = Time("ivr", "ivr_s", lambda spec: spec.ivr.duration if spec.ivr else None)
"""The time in the queue's IVR (seconds), drawn only at a queue with ``ivr``."""

IVR_PATIENCE = Time(
    "ivr_patience", "ivr_patience_s", lambda spec: spec.ivr.patience if spec.ivr else None
)
"""How long a contact stays in the IVR at most (seconds), drawn only at a queue whose IVR
may be abandoned (``inf`` at an IVR that may not)."""

PURPOSES: dict[str, Time | Choice] = {
    purpose.name: purpose
    for purpose in (*TIMES, *CHOICES, REPEAT_DELAY, RETRIAL_DELAY, IVR_TIME, IVR_PATIENCE)
}
"""Every purpose of a contact's draws, by name."""


class Draws(Protocol):
    """Where the values of a queue's new contacts of one origin come from."""

    def draw(self, contact: Contact) -> None:
        """Give the new ``contact`` its value of every purpose (:data:`PURPOSES`).

        Sets ``base_handle_s``, ``wrap_s`` and ``patience_s`` (seconds;
        ``inf`` patience: never abandons), ``transfers``, ``repeats``,
        ``balks``, ``retries``, ``self_serves``, ``repeat_delay_s`` (seconds;
        NaN unless ``repeats``) and ``retrial_delay_s`` (seconds; NaN unless
        ``retries``); at a queue with an IVR also ``ivr_s`` and
        ``ivr_patience_s`` (seconds; ``inf``: never hangs up there).
        Called once per contact, in the order the contacts of the queue and
        origin are created, before anything else happens to the contact.
        """


DrawsOf = Callable[[QueueSpec, str], Draws]
"""The draws of a queue's contacts of one origin: ``first``, ``repeat``, ``transfer``,
``reroute`` or ``retrial``."""

Stream = tuple[Distribution | None, np.random.Generator | None]
"""A distribution (None: always ``inf``) and the generator of its stream (None when it
never draws: no distribution, or a `Constant`)."""
Decision = tuple[np.random.Generator, float]
"""The generator of a Uniform(0, 1) stream and the probability of "yes"."""


def sampled(
    seed: int, replication: int, clock: ScenarioClock | None = None, days: int = 1
) -> DrawsOf:
    """The engine's draws: every purpose of a queue's contacts from its own named stream.

    First-time contacts of queue ``q`` draw purpose ``p`` from stream
    ``p/q``; contacts created during the run at ``q`` from ``<origin>/q/p``.
    A time given per period of the day draws a Uniform(0, 1) value from its
    stream and maps it through the quantile function of the period of the
    contact's arrival (:class:`~simcenter.periods.PeriodTime`).

    Args:
        seed: The base seed.
        replication: The replication number.
        clock: The scenario clock; needed only by times given per period.
        days: Local days of the run (period boundaries computed ahead).
    """

    def draws_of(spec: QueueSpec, origin: str) -> SampledDraws:
        def rng(purpose: str) -> np.random.Generator:
            name = (
                f"{purpose}/{spec.name}" if origin == "first" else f"{origin}/{spec.name}/{purpose}"
            )
            return stream(seed, replication, name)

        periods: list[tuple[str, PeriodTime]] = []

        def time_stream(purpose: Time) -> Stream:
            # PERF: a constant or absent distribution never draws: no generator made
            # (benchmarks/README.md, "Routing at scale").
            given = purpose.distribution(spec)
            if isinstance(given, PeriodsSpec):
                if clock is None:
                    raise ValueError(
                        f"{purpose.name} of {spec.name} varies by period: needs a clock"
                    )
                periods.append((purpose.attribute, PeriodTime(given, clock, days)))
                return (_UNIT, rng(purpose.name))
            built = None if given is None else given.build()
            needs_rng = built is not None and not isinstance(built, Constant)
            return (built, rng(purpose.name) if needs_rng else None)

        def decision(purpose: Choice) -> Decision | None:
            probability = purpose.probability(spec)
            return None if probability is None else (rng(purpose.name), probability)

        def delay_sampler(purpose: Time) -> Sampler | None:
            delay = purpose.distribution(spec)
            return None if delay is None else Sampler(delay.build(), rng(purpose.name))

        times = [time_stream(purpose) for purpose in TIMES]
        choices = [decision(purpose) for purpose in CHOICES]
        delays = (
            delay_sampler(REPEAT_DELAY),
            delay_sampler(RETRIAL_DELAY),
            delay_sampler(IVR_TIME),
            delay_sampler(IVR_PATIENCE),
        )
        if periods:
            return PeriodDraws(times, choices, *delays, periods=periods)
        return SampledDraws(times, choices, *delays)

    return draws_of


class SampledDraws:
    """The draws of a queue's contacts of one origin from named streams, taken in blocks.

    Each purpose has its own stream. A refill draws the next block of every
    stream (``distribution.sample(rng, size)``, sizes 8, 16, ... up to
    ``block``, as :class:`~simcenter.distributions.Sampler`; from 64 when
    every distribution drawn is elementwise), so contact
    ``k`` always gets value ``k`` of every stream, whatever the block sizes
    and whatever else happens in the run. A contact's times are stored
    next to each other (float64), so taking them touches one memory line, not
    a float object per value in another place (PERF: −15 % CPU on the
    500-queue secretarial service; benchmarks/README.md, "Routing at scale").

    Args:
        times: The stream of each of :data:`TIMES`, in its order.
        decisions: The decision of each of :data:`CHOICES`, in its order, or
            None where the queue has no such rule.
        repeat_delay: Draws the delay until a repeat call (seconds), only for
            contacts that will call again; None without ``repeat``.
        retrial_delay: Draws the delay until a retrial (seconds), only for
            contacts that would try again; None without ``retrial``.
        ivr_time: Draws the time in the IVR (seconds) for every contact; None
            without ``ivr``.
        ivr_patience: Draws the patience in the IVR (seconds) for every
            contact; None unless the IVR may be abandoned.
        block: Largest number of contacts drawn per refill.
    """

    __slots__ = (
        "_bytes",
        "_choices",
        "_decides",
        "_decisions",
        "_end",
        "_ivr_patience",
        "_ivr_time",
        "_next_size",
        "_offset",
        "_repeat_delay",
        "_retrial_delay",
        "_streams",
        "block",
    )

    def __init__(
        self,
        times: list[Stream],
        decisions: list[Decision | None],
        repeat_delay: Callable[[], float] | None = None,
        retrial_delay: Callable[[], float] | None = None,
        ivr_time: Callable[[], float] | None = None,
        ivr_patience: Callable[[], float] | None = None,
        block: int = 1024,
    ) -> None:
        self._streams = tuple(times)
        self._decisions = tuple(decisions)
        self._decides = any(self._decisions)
        self._repeat_delay = repeat_delay
        self._retrial_delay = retrial_delay
        self._ivr_time = ivr_time
        self._ivr_patience = ivr_patience
        self.block = block
        drawn = [stream[0] for stream in self._streams if stream[0] is not None]
        first = min(
            (Sampler.first_block(distribution) for distribution in drawn),
            default=Sampler.ELEMENTWISE_FIRST_BLOCK,
        )
        self._next_size = min(first, block)
        self._bytes = b""
        self._offset = self._end = 0
        self._choices: list[tuple[bool, ...]] = []

    def draw(self, contact: Contact) -> None:
        """Give ``contact`` the next row of every stream (:meth:`Draws.draw`)."""
        offset = self._offset
        if offset == self._end:
            self._refill()
            offset = 0
        self._offset = offset + _ROW_SIZE
        # The order of TIMES and CHOICES (tests/test_draws.py checks it).
        contact.base_handle_s, contact.wrap_s, contact.patience_s = _ROW(self._bytes, offset)
        if self._decides:
            contact.transfers, repeats, contact.balks, retries, contact.self_serves = (
                self._choices.pop()
            )
            contact.repeats = repeats
            contact.repeat_delay_s = self._repeat_delay() if repeats else math.nan  # type: ignore[misc]
            contact.retries = retries
            contact.retrial_delay_s = self._retrial_delay() if retries else math.nan  # type: ignore[misc]
        else:
            contact.transfers = contact.repeats = contact.balks = contact.retries = False
            contact.self_serves = False
            contact.repeat_delay_s = contact.retrial_delay_s = math.nan
        if self._ivr_time is not None:
            contact.ivr_s = self._ivr_time()
            patience = self._ivr_patience
            contact.ivr_patience_s = math.inf if patience is None else patience()

    def _refill(self) -> None:
        """Draw the next block of every stream: one row of times per contact."""
        size = self._next_size
        self._next_size = min(2 * size, self.block)
        table = np.empty((size, len(self._streams)))
        for column, (distribution, rng) in enumerate(self._streams):
            if distribution is None:
                table[:, column] = math.inf
            elif isinstance(distribution, Constant):
                table[:, column] = distribution.mean  # never touches rng
            else:
                table[:, column] = distribution.sample(rng, size)  # type: ignore[arg-type]
        self._bytes = table.tobytes()
        self._offset, self._end = 0, table.nbytes
        if self._decides:
            columns = []
            for decision in self._decisions:
                if decision is None:
                    columns.append([False] * size)
                else:
                    rng, probability = decision
                    columns.append((_UNIT.sample(rng, size)[::-1] < probability).tolist())
            self._choices = list(zip(*columns, strict=True))


class PeriodDraws(SampledDraws):
    """:class:`SampledDraws` of a queue with times given per period of the day.

    The streams of those times hold Uniform(0, 1) values; each is mapped to
    the value of the contact's arrival period after the row is taken. Queues
    without periods use :class:`SampledDraws` itself, whose path is unchanged.

    Args:
        times, decisions, repeat_delay, retrial_delay, ivr_time, ivr_patience, block: As
            :class:`SampledDraws`.
        periods: The contact attribute and the period mapping of each time
            given per period.
    """

    __slots__ = ("_periods",)

    def __init__(
        self,
        times: list[Stream],
        decisions: list[Decision | None],
        repeat_delay: Callable[[], float] | None = None,
        retrial_delay: Callable[[], float] | None = None,
        ivr_time: Callable[[], float] | None = None,
        ivr_patience: Callable[[], float] | None = None,
        block: int = 1024,
        *,
        periods: list[tuple[str, PeriodTime]],
    ) -> None:
        super().__init__(
            times, decisions, repeat_delay, retrial_delay, ivr_time, ivr_patience, block
        )
        self._periods = tuple(periods)

    def draw(self, contact: Contact) -> None:
        """Give ``contact`` its row, each time per period mapped through its arrival period."""
        super().draw(contact)
        arrival = contact.arrival_s
        for attribute, period_time in self._periods:
            setattr(contact, attribute, period_time(getattr(contact, attribute), arrival))


_ROW = struct.Struct(f"{len(TIMES)}d").unpack_from
_ROW_SIZE = struct.calcsize(f"{len(TIMES)}d")
_UNIT = Uniform(0.0, 1.0)
