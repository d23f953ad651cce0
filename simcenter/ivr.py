"""The IVR: the self-service menu (or bot) a new call to a queue with ``ivr`` goes through first.

A new call (a first attempt, a retrial, a repeat call) to such a queue, once
it has a line, spends its drawn time ``ivr_s`` in the IVR (state ``IN_IVR``,
holding its line). If the IVR may be abandoned (``abandon_in_ivr``) and the
contact's IVR patience ``ivr_patience_s`` is shorter, it hangs up then
(``abandoned_in_ivr``). Otherwise, when its time is up, it is resolved there
(``self_served``: drawn at creation, with probability ``self_service``) or
it joins its queue and asks for an agent; its wait is measured from then
(``queued_s``). After a ``drain`` closing, the agents on duty stay until the
last contact in an IVR has come out of it. Neither ending is offered to an agent: both are outside
``offered``, the waits and the service level. Transfer legs and rerouted
contacts go straight to their queue: their caller is already past the IVR.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import simpy

from simcenter.contact import Contact
from simcenter.scenario import IvrSpec
from simcenter.states import IN_IVR, ContactState
from simcenter.timer import Timer

_GRID = 4096
"""Points of the duration's quantile grid in :func:`reach_share`."""


def reach_share(ivr: IvrSpec) -> float:
    """The expected share of new calls that come out of ``ivr`` to the queue.

    ``(1 − self_service) × (1 − P(patience < duration))``, the second factor
    only with ``abandon_in_ivr``: E[F_patience(duration)], averaged over
    4,096 quantiles of the duration (exact for a constant duration).
    """
    hang_up = 0.0
    if ivr.abandon_in_ivr:
        assert ivr.patience is not None  # the scenario requires it
        levels = (np.arange(_GRID) + 0.5) / _GRID
        durations = ivr.duration.build().quantile(levels)
        hang_up = float(np.mean(ivr.patience.build().cdf(durations)))
    return (1.0 - ivr.self_service) * (1.0 - hang_up)


class InteractiveVoiceResponse:
    """The IVR side of :class:`~simcenter.centre.Centre`: contacts in the menu, and their ends.

    Attributes:
        in_ivr: The contacts in an IVR now, in the order they entered (a dict used as an
            ordered set: the order of a run's records never depends on memory addresses).
    """

    env: simpy.Environment
    in_ivr: dict[Contact, None]
    closed: bool

    if TYPE_CHECKING:

        def _to(self, contact: Contact, state: ContactState) -> None: ...
        def end(self, contact: Contact, outcome: str, now: float) -> None: ...
        def seek_agent(self, contact: Contact, now: float) -> None: ...
        def send_idle_agents_home(self, now: float) -> None: ...

    def enter_ivr(self, contact: Contact) -> None:
        """``contact`` enters its queue's IVR: it hangs up there, or its time there runs out."""
        self._to(contact, IN_IVR)
        self.in_ivr[contact] = None
        if contact.ivr_patience_s < contact.ivr_s:
            Timer(self.env, contact.ivr_patience_s, self._hangs_up_in_ivr, contact)
        else:
            Timer(self.env, contact.ivr_s, self._leaves_ivr, contact)

    def _hangs_up_in_ivr(self, timer: Timer) -> None:
        """The contact's patience in the IVR ran out before the menu did."""
        contact: Contact = timer._value
        now = self.env.now
        del self.in_ivr[contact]
        self.end(contact, "abandoned_in_ivr", now)
        self._last_out(now)

    def _leaves_ivr(self, timer: Timer) -> None:
        """The contact is through the IVR: resolved there, or on to its queue."""
        contact: Contact = timer._value
        now = self.env.now
        del self.in_ivr[contact]
        if contact.self_serves:
            self.end(contact, "self_served", now)
        else:
            contact.queued_s = now
            self.seek_agent(contact, now)
        self._last_out(now)

    def _last_out(self, now: float) -> None:
        """After a ``drain`` closing, agents kept for the IVR go home once it is empty."""
        if self.closed and not self.in_ivr:
            self.send_idle_agents_home(now)
