"""Customers: what one customer goes through over its contacts, and how its story ends.

A customer makes a first-time contact; its story may go on in more contacts
of the same ``customer_id``: transfer and reroute legs (the same attempt),
retrials after it gave up and repeat calls after an unresolved answer (each a
new attempt, numbered from 1). The story *ends* when a contact ends with
nothing to follow: no leg, retrial or repeat call planned (a contact still
in the centre when the run ends ends it as ``in_system``). Each customer's
story ends exactly once, and then it is tallied, per queue of its first
contact (:class:`~simcenter.records.CustomerTallies`):

- its *first-attempt outcome*: how its attempt 1 ended (the outcome of the
  attempt's last leg: a transferred contact that was answered by the next
  queue's agent counts as answered);
- its *final outcome*: how its last contact ended;
- its attempts, its retrials and repeat calls (attempts = 1 + retrials +
  repeat calls, exactly);
- its waiting time summed over every contact (seconds), and whether it was
  finally answered with that total within the first queue's service-level
  threshold (the customer-level service level).

Only customers whose first contact arrived at or after the warm-up count, as
for contacts.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from simcenter.records import NOT_OFFERED, OUTCOME_CODE, OUTCOMES, CustomerTallies, RunMeta
from simcenter.states import IN_IVR

if TYPE_CHECKING:
    from simcenter.contact import Contact

_TRANSFERRED = "transferred"


class Customer:
    """What a customer went through before its current contact.

    Attributes:
        queue: Index of the queue of its first contact.
        arrival_s: Arrival time of its first contact (seconds).
        first_outcome: How its first attempt ended, or None while it goes on.
        wait_s: Its waits summed over its contacts that have ended (seconds).
        retrials: Retrials made so far.
        repeats: Repeat calls made so far.
    """

    __slots__ = ("arrival_s", "first_outcome", "queue", "repeats", "retrials", "wait_s")

    def __init__(self, queue: int, arrival_s: float) -> None:
        self.queue = queue
        self.arrival_s = arrival_s
        self.first_outcome: str | None = None
        self.wait_s = 0.0
        self.retrials = 0
        self.repeats = 0


def contact_wait_s(contact: Contact, outcome: str, end_s: float) -> float:
    """How long ``contact`` waited in its queue (seconds): from joining it until it was
    answered, or until it left at ``end_s`` with ``outcome``; 0 if it never left an IVR."""
    if outcome in NOT_OFFERED or contact.state is IN_IVR:
        return 0.0
    answered_s = contact.answered_s
    return (end_s if math.isnan(answered_s) else answered_s) - contact.queued_s


def carried_on(contact: Contact, outcome: str, now: float) -> Customer:
    """The customer of ``contact``, which ended at ``now`` with ``outcome``, as it goes on.

    The contact's wait is added to the customer's, and the first attempt's
    outcome is set when this contact ended attempt 1 (any outcome but
    ``transferred``, whose leg goes on with the attempt).
    """
    customer = contact.customer
    if customer is None:
        customer = Customer(contact.queue.index, contact.arrival_s)
    customer.wait_s += contact_wait_s(contact, outcome, now)
    if contact.attempt == 1 and outcome != _TRANSFERRED:
        customer.first_outcome = outcome
    return customer


class CustomerTally:
    """Tallies the customers of one replication as their stories end.

    Args:
        meta: The run description (warm-up, queues and their thresholds).
        tallies: The customer tallies to add to (filled by :meth:`finish`).
    """

    def __init__(self, meta: RunMeta, tallies: CustomerTallies) -> None:
        queue_count = len(meta.queues)
        self._tallies = tallies
        self._warmup_s = meta.warmup_s
        self._threshold_s = meta.sl_threshold_s
        self._outcome_count = len(OUTCOMES)
        self._customers = [0] * queue_count
        self._first = [0] * (queue_count * self._outcome_count)
        self._final = [0] * (queue_count * self._outcome_count)
        self._attempts = [0] * queue_count
        self._retrials = [0] * queue_count
        self._repeats = [0] * queue_count
        self._wait_s = [0.0] * queue_count
        self._in_target = [0] * queue_count

    def ended(self, contact: Contact, outcome: str, now: float) -> None:
        """``contact`` ended at ``now`` with ``outcome``, and with it its customer's story."""
        customer = carried_on(contact, outcome, now)
        if customer.arrival_s < self._warmup_s:
            return
        queue, first = customer.queue, customer.first_outcome
        assert first is not None  # this contact ended the first attempt, or an earlier one did
        self._customers[queue] += 1
        self._first[queue * self._outcome_count + OUTCOME_CODE[first]] += 1
        self._final[queue * self._outcome_count + OUTCOME_CODE[outcome]] += 1
        self._attempts[queue] += contact.attempt
        self._retrials[queue] += customer.retrials
        self._repeats[queue] += customer.repeats
        self._wait_s[queue] += customer.wait_s
        if outcome == "answered" and customer.wait_s <= self._threshold_s[queue]:
            self._in_target[queue] += 1

    def finish(self) -> None:
        """Move the counts into the tallies."""
        t = self._tallies
        t.customers += np.asarray(self._customers, dtype=np.int64)
        t.first_outcomes += np.asarray(self._first, dtype=np.int64).reshape(t.first_outcomes.shape)
        t.final_outcomes += np.asarray(self._final, dtype=np.int64).reshape(t.final_outcomes.shape)
        t.attempts += np.asarray(self._attempts, dtype=np.int64)
        t.retrials += np.asarray(self._retrials, dtype=np.int64)
        t.repeats += np.asarray(self._repeats, dtype=np.int64)
        t.wait_sum_s += np.asarray(self._wait_s)
        t.answered_in_target += np.asarray(self._in_target, dtype=np.int64)
