"""Follow-ups: what a queue's rules make a customer do after a contact ends.

When a contact's story ends (:meth:`~simcenter.journey.ContactJourney.end`),
its queue's follow-up rules say whether its customer goes on:

- **repeat call** (``repeat``): an answered contact whose issue was not
  resolved (drawn at creation: ``repeats``) calls again after its
  ``repeat_delay_s``, as a repeat contact that may ask for its last agent;
- **retrial** (``retrial``): a contact that gave up or did not get in
  (an outcome of ``retrial.after``) whose customer would try again (drawn at
  creation: ``retries``) makes a new attempt after its ``retrial_delay_s``,
  in the same queue or in ``retrial.to``, unless it has made
  ``max_attempts`` attempts already.

Each follow-up is a new contact of the same customer (``customer_id``), with
the next ``attempt`` number, drawing from its queue's streams of its origin
(``repeat``, ``retrial``), so first-time contacts keep their draws. A
follow-up that would fall at or after the end of the horizon is not made:
arrivals stop there, whatever the ``closing``. When no follow-up is made the
customer's story ends (:mod:`simcenter.customers`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import simpy

from simcenter.contact import Contact
from simcenter.customers import Customer, carried_on
from simcenter.timer import Timer

if TYPE_CHECKING:
    from simcenter.draws import Draws
    from simcenter.routing import Queue


class FollowUps:
    """The follow-up side of :class:`~simcenter.centre.Centre`: repeat calls and retrials."""

    env: simpy.Environment
    queue_named: dict[str, Queue]
    end_s: float
    _customer_ended: Callable[[Contact, str, float], None] | None

    if TYPE_CHECKING:

        def arrive(self, contact: Contact, now: float) -> None: ...
        def new_contact(
            self, queue: Queue, draws: Draws, now: float, customer_id: int | None = None
        ) -> Contact: ...

    def follow_up(self, contact: Contact, outcome: str, now: float) -> None:
        """``contact`` left at ``now`` with ``outcome``: its customer calls again, or is done.

        A follow-up due at or after the end of the horizon is not made.
        """
        if contact.repeats and outcome == "answered":
            step, delay_s = self._calls_again, contact.repeat_delay_s
        elif contact.retries and self._may_retry(contact, outcome):
            step, delay_s = self._tries_again, contact.retrial_delay_s
        else:
            step, delay_s = None, 0.0
        if step is not None and now + delay_s < self.end_s:
            Timer(self.env, delay_s, step, (contact, carried_on(contact, outcome, now)))
            return
        if self._customer_ended is not None:
            self._customer_ended(contact, outcome, now)

    def _may_retry(self, contact: Contact, outcome: str) -> bool:
        """Whether ``contact``'s customer tries again after ``outcome`` (``retrial`` rule)."""
        rule = contact.queue.spec.retrial
        assert rule is not None  # contacts of a queue without it never retry
        return outcome in rule.after and (
            rule.max_attempts is None or contact.attempt < rule.max_attempts
        )

    def _calls_again(self, timer: Timer) -> None:
        """The customer of an unresolved contact calls again, as a repeat contact."""
        previous, customer = timer._value
        customer.repeats += 1
        contact = self._next_attempt(previous, customer, previous.queue, "repeat")
        contact.previous_agent = previous.agent
        self.arrive(contact, contact.arrival_s)

    def _tries_again(self, timer: Timer) -> None:
        """The customer of a contact that gave up tries again, in ``retrial.to`` if given."""
        previous, customer = timer._value
        customer.retrials += 1
        rule = previous.queue.spec.retrial
        queue = previous.queue if rule.to is None else self.queue_named[rule.to]
        contact = self._next_attempt(previous, customer, queue, "retrial")
        self.arrive(contact, contact.arrival_s)

    def _next_attempt(
        self, previous: Contact, customer: Customer, queue: Queue, origin: str
    ) -> Contact:
        """The customer's next attempt, now, at ``queue``, from the draws of ``origin``."""
        contact = self.new_contact(
            queue, queue.later_draws(origin), self.env.now, previous.customer_id
        )
        contact.linked_id = previous.contact_id
        contact.attempt = previous.attempt + 1
        contact.customer = customer
        return contact
