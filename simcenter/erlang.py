"""Analytic Erlang formulas: Erlang B, Erlang C, Erlang A and staffing inverses.

This module owns the closed-form queueing results that a simulation is checked
against and that planners use for a first staffing estimate:

- Erlang B, the M/M/c/c loss system (blocking on a fixed number of lines);
- Erlang C, the M/M/n queue (contacts wait as long as it takes);
- Erlang A, the M/M/n+M queue of Palm (1943) and Garnett, Mandelbaum & Reiman
  (2002): exponential patience, so waiting contacts abandon.

Units: every time is in seconds and every rate is per second. ``aht`` is the
mean handle time (seconds), ``patience`` the mean patience (seconds),
``threshold`` the service-level threshold (seconds). The offered load is
``rate * aht`` Erlangs.

Definitions are those of the simulator's outputs: service level = contacts answered
within the threshold / contacts offered; ASA = mean wait of answered contacts;
mean wait = mean wait over all offered contacts (abandoned contacts count with
the time they waited before leaving).

The formulas and their derivations are written out in ``docs/erlang.md``.

Example:
    >>> result = erlang_c(rate=100 / 1800, aht=180, agents=14)
    >>> round(result.p_wait, 4), round(result.service_level, 4), round(result.asa, 2)
    (0.1741, 0.8884, 7.84)
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass

import numpy as np
from scipy import special

__all__ = [
    "ErlangResult",
    "agents_for_service_level",
    "erlang_a",
    "erlang_b",
    "erlang_c",
]

_INITIAL_QUEUE_CAPACITY = 64
"""First truncation of the Erlang A waiting queue; doubled until the tail is negligible."""

_MAX_QUEUE_CAPACITY = 2**22
"""Largest truncation of the Erlang A waiting queue before giving up (memory bound)."""

_LOG_TAIL_TOLERANCE = math.log(1e-17)
"""Log of the neglected tail mass, relative to the largest waiting-state weight."""


@dataclass(frozen=True)
class ErlangResult:
    """Steady-state performance of one queue served by one pool of agents.

    Attributes:
        p_wait: Probability that an arriving contact finds every agent busy and
            has to wait (P(wait > 0)).
        asa: Average speed of answer: mean wait of answered contacts, seconds.
        mean_wait: Mean wait over all offered contacts, seconds; an abandoned
            contact counts with the time it waited before leaving. Equal to
            ``asa`` in Erlang C, where every contact is answered.
        service_level: Contacts answered with a wait of at most the threshold,
            divided by contacts offered.
        occupancy: Fraction of agent time spent handling contacts: answered
            load / agents = rate * (1 - p_abandon) * aht / agents.
        p_abandon: Probability that a contact abandons before it is answered
            (0.0 in Erlang C).
    """

    p_wait: float
    asa: float
    mean_wait: float
    service_level: float
    occupancy: float
    p_abandon: float


def erlang_b(load: float, lines: int) -> float:
    """Erlang B: blocking probability of the M/M/c/c loss system.

    Uses the numerically stable recursion B(0) = 1,
    B(k) = a B(k-1) / (k + a B(k-1)), which never forms a^c or c!.

    Args:
        load: Offered load a in Erlangs (arrival rate times mean holding time).
        lines: Number of lines (servers) c; 0 lines block everything.

    Returns:
        The probability that an arriving contact finds every line busy.

    Raises:
        ValueError: If ``load`` is negative or ``lines`` is not a
            non-negative integer.

    Example:
        >>> round(erlang_b(10.0, 10), 4)
        0.2146
        >>> round(erlang_b(2.0, 5), 4)
        0.0367
    """
    _require_non_negative("load", load)
    lines = _require_count("lines", lines, minimum=0)
    blocking = 1.0
    for k in range(1, lines + 1):
        blocking = load * blocking / (k + load * blocking)
    return blocking


def erlang_c(rate: float, aht: float, agents: int, threshold: float = 20.0) -> ErlangResult:
    """Erlang C: performance of the M/M/n queue, where contacts never abandon.

    With load a = rate * aht and n agents, the probability of waiting is
    C = (a^n/n! * n/(n-a)) / (sum_{k<n} a^k/k! + a^n/n! * n/(n-a)), computed
    from the Poisson probability and the regularised incomplete gamma function
    in log space so that it is stable for thousands of agents. Then
    mean wait = ASA = C * aht / (n - a) and
    service level = 1 - C * exp(-(n - a) * threshold / aht).

    Unstable case: when the load is at least the number of agents, the queue
    grows without bound. The result is then p_wait = 1, asa = mean_wait = inf,
    service_level = 0 and occupancy = 1 (and p_abandon = 0).

    Args:
        rate: Arrival rate, contacts per second.
        aht: Mean handle time, seconds.
        agents: Number of agents n (at least 1).
        threshold: Service-level threshold, seconds.

    Returns:
        The steady-state performance; ``p_abandon`` is 0.0.

    Raises:
        ValueError: If an argument is out of range.

    Example:
        >>> result = erlang_c(rate=360 / 3600, aht=240, agents=30)
        >>> round(result.p_wait, 4), round(result.asa, 2), round(result.occupancy, 2)
        (0.1729, 6.91, 0.8)
        >>> erlang_c(rate=0.1, aht=240, agents=24).asa
        inf
    """
    _require_positive("rate", rate)
    _require_positive("aht", aht)
    agents = _require_count("agents", agents, minimum=1)
    _require_non_negative("threshold", threshold)
    load = rate * aht
    if load >= agents:
        return ErlangResult(
            p_wait=1.0,
            asa=math.inf,
            mean_wait=math.inf,
            service_level=0.0,
            occupancy=1.0,
            p_abandon=0.0,
        )
    p_wait = _erlang_c_probability(load, agents)
    mean_wait = p_wait * aht / (agents - load)
    return ErlangResult(
        p_wait=p_wait,
        asa=mean_wait,
        mean_wait=mean_wait,
        service_level=1.0 - p_wait * math.exp(-(agents - load) * threshold / aht),
        occupancy=load / agents,
        p_abandon=0.0,
    )


def erlang_a(
    rate: float, aht: float, patience: float, agents: int, threshold: float = 20.0
) -> ErlangResult:
    """Erlang A: exact performance of the M/M/n+M queue with exponential patience.

    The number of contacts in the system is a birth-death chain with birth
    rate ``rate`` and death rate k*mu in state k <= n, n*mu + j*theta in state
    n + j (mu = 1/aht, theta = 1/patience). Its stationary distribution is
    computed in log space and truncated once the neglected tail is below 1e-17
    of the waiting-state mass. By PASTA an arriving contact sees j contacts
    waiting with the stationary probability of state n + j, and then:

    - it is answered with probability n*mu / (n*mu + (j+1)*theta);
    - given that it is answered, its wait is a sum of independent
      exponentials with rates n*mu + (k+1)*theta, k = 0..j, whose
      distribution function at the threshold t is the regularised incomplete
      beta function I_x(j+1, n*mu/theta + 1) with x = 1 - exp(-theta * t).

    The mean wait over all offered contacts comes from Little's law,
    E[waiting] / rate; the abandonment probability from the arriving
    contact's view. The two agree through P(abandon) = theta * mean wait,
    which the tests check. Works for overloaded centres (load > agents).

    Args:
        rate: Arrival rate, contacts per second.
        aht: Mean handle time, seconds.
        patience: Mean patience, seconds; ``math.inf`` gives Erlang C.
        agents: Number of agents n (at least 1).
        threshold: Service-level threshold, seconds.

    Returns:
        The steady-state performance.

    Raises:
        ValueError: If an argument is out of range, or the patience is so long
            in an overloaded centre that the waiting queue would need more than
            2**22 states (use a shorter patience or Erlang C).

    Example:
        >>> result = erlang_a(rate=360 / 3600, aht=240, patience=120, agents=25)
        >>> round(result.p_abandon, 4), round(result.service_level, 4), round(result.asa, 2)
        (0.0753, 0.7748, 8.11)
        >>> round(result.p_abandon - result.mean_wait / 120, 12)
        0.0
    """
    _require_positive("rate", rate)
    _require_positive("aht", aht)
    _require_positive("patience", patience, allow_infinite=True)
    agents = _require_count("agents", agents, minimum=1)
    _require_non_negative("threshold", threshold)
    if math.isinf(patience):
        return erlang_c(rate, aht, agents, threshold)
    return _erlang_a_measures(rate, aht, patience, agents, threshold)


def agents_for_service_level(
    rate: float,
    aht: float,
    target: float,
    threshold: float,
    patience: float | None = None,
) -> int:
    """Smallest number of agents whose service level meets a target.

    Service level = contacts answered within ``threshold`` / contacts offered,
    from Erlang C when ``patience`` is None and from Erlang A otherwise. The
    service level grows with the number of agents, so the search doubles an
    upper bound and then bisects.

    Args:
        rate: Arrival rate, contacts per second.
        aht: Mean handle time, seconds.
        target: Required service level, strictly between 0 and 1.
        threshold: Service-level threshold, seconds.
        patience: Mean patience in seconds, or None for no abandonment.

    Returns:
        The smallest agent count n with service level >= ``target``.

    Raises:
        ValueError: If an argument is out of range.

    Example:
        >>> agents_for_service_level(rate=100 / 1800, aht=180, target=0.8, threshold=20)
        14
        >>> agents_for_service_level(rate=0.1, aht=240, target=0.8, threshold=20, patience=120)
        26
    """
    _require_positive("rate", rate)
    _require_positive("aht", aht)
    if not 0.0 < target < 1.0:
        raise ValueError(f"target: must be strictly between 0 and 1 (got {target!r})")

    def meets_target(agents: int) -> bool:
        if patience is None:
            result = erlang_c(rate, aht, agents, threshold)
        else:
            result = erlang_a(rate, aht, patience, agents, threshold)
        return result.service_level >= target

    failing, meeting = 0, max(1, math.ceil(rate * aht))
    while not meets_target(meeting):
        failing, meeting = meeting, 2 * meeting
    while meeting - failing > 1:
        middle = (failing + meeting) // 2
        if meets_target(middle):
            meeting = middle
        else:
            failing = middle
    return meeting


def _erlang_c_probability(load: float, agents: int) -> float:
    """Erlang C probability of waiting for ``load`` < ``agents`` Erlangs.

    Multiplies numerator and denominator of the textbook formula by exp(-a):
    a^n e^-a / n! is the Poisson(a) probability of n, and
    sum_{k<n} a^k e^-a / k! is the regularised upper incomplete gamma Q(n, a).
    """
    log_poisson = special.xlogy(agents, load) - load - special.gammaln(agents + 1)
    waiting_term = math.exp(log_poisson) * agents / (agents - load)
    free_term = float(special.gammaincc(agents, load))
    return waiting_term / (waiting_term + free_term)


def _stationary_probabilities(rate: float, aht: float, patience: float, agents: int) -> np.ndarray:
    """Stationary probabilities of k = 0, 1, ... contacts in the M/M/n+M system.

    The waiting queue is truncated at a capacity that starts past the most
    likely queue length, (rate - n/aht) * patience when overloaded, and doubles
    until the neglected tail is negligible (see ``_tail_is_negligible``).
    """
    capacity = _INITIAL_QUEUE_CAPACITY + math.ceil(max(0.0, rate - agents / aht) * patience)
    while capacity <= _MAX_QUEUE_CAPACITY:
        log_weights = _log_state_weights(rate, aht, patience, agents, capacity)
        if _tail_is_negligible(log_weights, rate, aht, patience, agents):
            return np.exp(log_weights - special.logsumexp(log_weights))
        capacity *= 2
    raise ValueError(
        f"patience: {patience!r} s is too long for this load ({rate * aht:g} Erlangs "
        f"on {agents} agents); the waiting queue would need more than "
        f"{_MAX_QUEUE_CAPACITY} states (use a shorter patience or Erlang C)"
    )


def _log_state_weights(
    rate: float, aht: float, patience: float, agents: int, capacity: int
) -> np.ndarray:
    """Unnormalised log stationary weights of states 0..agents+capacity.

    Birth-death balance: pi(k) = pi(k-1) * rate / death(k), with death rate
    death(k) = min(k, n) / aht + max(k - n, 0) / patience.
    """
    states = np.arange(1, agents + capacity + 1)
    death_rates = np.minimum(states, agents) / aht + np.maximum(states - agents, 0) / patience
    log_ratios = math.log(rate) - np.log(death_rates)
    return np.concatenate(([0.0], np.cumsum(log_ratios)))


def _tail_is_negligible(
    log_weights: np.ndarray, rate: float, aht: float, patience: float, agents: int
) -> bool:
    """Whether the weights beyond the truncation can be neglected.

    Past the last state (n + J contacts) every birth-death ratio is at most
    r = rate / (n/aht + (J+1)/patience), so when r < 1 the neglected weight,
    even counted with its queue length, is at most
    w(n+J) * r * (J+1) / (1-r)^2. It must be below ``_LOG_TAIL_TOLERANCE``
    relative to the largest waiting-state weight.
    """
    capacity = len(log_weights) - 1 - agents
    ratio = rate / (agents / aht + (capacity + 1) / patience)
    if ratio >= 1.0:
        return False
    log_tail = log_weights[-1] + math.log(ratio * (capacity + 1)) - 2.0 * math.log1p(-ratio)
    return bool(log_tail - log_weights[agents:].max() < _LOG_TAIL_TOLERANCE)


def _erlang_a_measures(
    rate: float, aht: float, patience: float, agents: int, threshold: float
) -> ErlangResult:
    """Erlang A measures from what arriving contacts see (PASTA).

    ``p_free`` is the probability that an arriving contact finds an idle
    agent; ``p_ahead[j]`` that it finds all agents busy and j contacts
    waiting. Such a contact reaches an agent after j+1 stages, left at rates
    leave(k) = n/aht + (k+1)/patience for k = j..0, of which n/aht moves it on
    and 1/patience is its own abandonment. Hence, given j (docs/erlang.md):
    P(answered) = (n/aht) / leave(j); E[wait; answered] = P(answered) *
    sum_{k<=j} 1/leave(k); P(answered, wait <= t) = P(answered) *
    I_x(j+1, n*patience/aht + 1) with x = 1 - exp(-t/patience).
    """
    probabilities = _stationary_probabilities(rate, aht, patience, agents)
    p_free = float(probabilities[:agents].sum())
    p_ahead = probabilities[agents:]
    ahead = np.arange(len(p_ahead))
    service_rate = agents / aht
    leave_rates = service_rate + (ahead + 1) / patience
    p_answered_after_wait = p_ahead * service_rate / leave_rates
    p_answered = p_free + float(p_answered_after_wait.sum())
    answered_wait = float(np.dot(p_answered_after_wait, np.cumsum(1.0 / leave_rates)))
    within_threshold = special.betainc(
        ahead + 1.0, agents * patience / aht + 1.0, -math.expm1(-threshold / patience)
    )
    # min(1.0, ...): sums of probabilities may exceed 1 by a few units of rounding.
    return ErlangResult(
        p_wait=min(1.0, float(p_ahead.sum())),
        asa=answered_wait / p_answered,
        mean_wait=float(np.dot(ahead, p_ahead)) / rate,
        service_level=min(1.0, p_free + float(np.dot(p_answered_after_wait, within_threshold))),
        occupancy=min(1.0, rate * p_answered * aht / agents),
        p_abandon=min(1.0, float(np.dot(p_ahead, (ahead + 1) / patience / leave_rates))),
    )


def _require_positive(name: str, value: float, *, allow_infinite: bool = False) -> None:
    """Raise ValueError unless ``value`` is a positive number (finite unless allowed)."""
    if not (value > 0 and (allow_infinite or math.isfinite(value))):
        kind = "a positive number" if allow_infinite else "a positive finite number"
        raise ValueError(f"{name}: must be {kind} (got {value!r})")


def _require_non_negative(name: str, value: float) -> None:
    """Raise ValueError unless ``value`` is a finite number >= 0."""
    if not (value >= 0 and math.isfinite(value)):
        raise ValueError(f"{name}: must be a non-negative finite number (got {value!r})")


def _require_count(name: str, value: int, *, minimum: int) -> int:
    """Return ``value`` as an int, or raise ValueError if it is not an integer >= minimum."""
    try:
        count = operator.index(value)
    except TypeError:
        raise ValueError(f"{name}: must be an integer >= {minimum} (got {value!r})") from None
    if count < minimum or isinstance(value, bool):
        raise ValueError(f"{name}: must be an integer >= {minimum} (got {value!r})")
    return count
