"""The IVR: new calls go through the menu first, where some are resolved and some hang up.

- Shares: the share of contacts through the IVR that are ``self_served`` is
  ``self_service``, and the share that hang up there is P(patience <
  duration) (exact binomial tests, alpha = 0.001).
- Workload: with ``self_service: s`` the agents' busy time is the factor
  (1 − s) of the same centre without it (paired by common random numbers;
  99.9 % Student-t interval over replications).
- Waits: a contact's wait runs from the end of its IVR: with agents to
  spare, every answered contact is answered exactly at its arrival + its IVR
  time, with a wait of 0; the IVR holds a line.
- Conservation: arrivals = offered + self_served + abandoned_in_ivr, per
  queue and interval, whatever the closing; a contact still in the IVR when
  a ``stop`` run ends is ``in_system`` with a wait of 0.
- Common random numbers: first-time contacts keep every draw when the IVR
  settings change.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from test_common_random_numbers import centre, first_time_draws

import simcenter
from simcenter.engine import run_replication
from simcenter.errors import ScenarioError
from simcenter.ivr import reach_share
from simcenter.records import OUTCOMES
from simcenter.scenario import Scenario, build_scenario

ALPHA = 0.001
IVR_S = 60.0
IVR_PATIENCE_S = 90.0


def ivr_centre(
    self_service: float,
    *,
    abandon: bool = False,
    agents: int = 30,
    horizon: str = "8h",
    closing: str = "drain",
    lines: int | None = None,
) -> Scenario:
    """100 calls an hour, 6 min each (10 Erlangs), a constant 60 s IVR."""
    ivr: dict[str, Any] = {
        "duration": {"distribution": "constant", "mean": f"{IVR_S}s"},
        "self_service": self_service,
    }
    if abandon:
        ivr |= {
            "abandon_in_ivr": True,
            "patience": {"distribution": "exponential", "mean": f"{IVR_PATIENCE_S}s"},
        }
    data: dict[str, Any] = {
        "name": "ivr",
        "seed": 8,
        "horizon": horizon,
        "closing": closing,
        "queues": [
            {
                "name": "billing",
                "arrivals": {"rate": "100/h"},
                "handle_time": {"distribution": "exponential", "mean": "6min"},
                "ivr": ivr,
            }
        ],
        "agents": [{"name": "team", "count": agents, "skills": ["billing"]}],
    }
    if lines is not None:
        data["lines"] = lines
    return build_scenario(data)


def log_of(scenario: Scenario, replication: int = 0) -> pd.DataFrame:
    record = run_replication(scenario, replication)
    log = pd.DataFrame(record.contacts)
    log["outcome"] = [OUTCOMES[code] for code in log["outcome"]]
    return log


def test_the_shares_resolved_and_abandoned_in_the_ivr() -> None:
    """Self-served: a share ``self_service`` of those through it; hung up: 1 − e^(−60/90)."""
    counts = pd.concat([log_of(ivr_centre(0.3, abandon=True, horizon="24h"), r) for r in range(4)])[
        "outcome"
    ].value_counts()
    entered = int(counts.sum())
    hung_up = int(counts["abandoned_in_ivr"])
    expected_hang_up = 1.0 - math.exp(-IVR_S / IVR_PATIENCE_S)
    assert stats.binomtest(hung_up, entered, expected_hang_up).pvalue > ALPHA
    through = entered - hung_up
    assert stats.binomtest(int(counts["self_served"]), through, 0.3).pvalue > ALPHA
    assert through > 3000


def test_self_service_lowers_the_agents_workload_by_its_share() -> None:
    """Busy time with 30 % self-service / without = 0.7 (99.9 % CI, paired replications)."""
    replications = 20
    ratios = []
    for replication in range(replications):
        busy = [
            run_replication(ivr_centre(share), replication, contact_log=None).busy_area_s.sum()
            for share in (0.0, 0.3)
        ]
        ratios.append(busy[1] / busy[0])
    values = np.asarray(ratios)
    half_width = (
        stats.t.ppf(1 - ALPHA / 2, replications - 1) * values.std(ddof=1) / math.sqrt(replications)
    )
    assert half_width < 0.03  # power: a wrong factor (0.6 or 0.8) would be caught
    assert abs(values.mean() - 0.7) <= half_width


def test_waits_run_from_the_end_of_the_ivr_which_holds_a_line() -> None:
    """With agents to spare every answer comes exactly at arrival + 60 s, after no wait."""
    log = log_of(ivr_centre(0.2))
    answered = log[log["outcome"] == "answered"]
    assert len(answered) > 500
    assert (answered["answered_s"] == answered["arrival_s"] + IVR_S).all()
    assert (answered["wait_s"] == 0).all()
    served = log[log["outcome"] == "self_served"]
    assert (served["end_s"] == served["arrival_s"] + IVR_S).all()
    assert (served["wait_s"] == 0).all()
    assert served["answered_s"].isna().all()
    # Two lines: a call finding both held (in the IVR or talking) is blocked.
    busy = log_of(ivr_centre(0.0, lines=2, agents=5))
    blocked = busy[busy["outcome"] == "blocked"]["arrival_s"].to_numpy()
    holders = busy[busy["outcome"] != "blocked"]
    starts, ends = holders["arrival_s"].to_numpy(), holders["end_s"].to_numpy()
    assert len(blocked) > 100
    assert all(((starts < t) & (ends > t)).sum() == 2 for t in blocked)
    assert max(((starts <= t) & (ends > t)).sum() for t in starts) <= 2


@pytest.mark.parametrize("closing", ["drain", "clear", "stop"])
def test_every_arrival_is_offered_or_ended_in_the_ivr(closing: str) -> None:
    """Per interval: arrivals = offered + self_served + abandoned_in_ivr; at a stop, a
    contact still in the IVR is in the system with a wait of 0."""
    scenario = ivr_centre(0.25, abandon=True, agents=9, closing=closing)
    results = simcenter.simulate(scenario, replications=1)
    log = results.contacts
    assert log is not None
    intervals = results.intervals[results.intervals["queue"] == "billing"]
    per_interval = (
        log.assign(interval=(log["arrival_s"] // scenario.interval).astype(int))
        .groupby("interval")
        .size()
    )
    ended_in_ivr = intervals["self_served"] + intervals["abandoned_in_ivr"]
    assert (intervals["offered"] + ended_in_ivr).tolist() == per_interval.tolist()
    in_ivr = log[(log["outcome"] == "in_system") & log["answered_s"].isna() & (log["wait_s"] == 0)]
    if closing == "stop":
        assert len(in_ivr) > 0
        assert (in_ivr["arrival_s"] > scenario.end_s - IVR_S).all()


def test_first_time_contacts_keep_their_draws_when_the_ivr_changes() -> None:
    """Without an IVR, or with one that resolves 20 %: the same first-time draws."""
    without = first_time_draws(centre(16))
    data = centre(16).to_dict()
    data["queues"][0]["ivr"] = {
        "duration": {"distribution": "exponential", "mean": "45s"},
        "self_service": 0.2,
        "abandon_in_ivr": True,
        "patience": {"distribution": "exponential", "mean": "2min"},
    }
    assert first_time_draws(build_scenario(data)) == without


def test_abandonment_in_the_ivr_needs_a_patience() -> None:
    data = ivr_centre(0.1).to_dict()
    data["queues"][0]["ivr"]["abandon_in_ivr"] = True
    with pytest.raises(ScenarioError, match="needs patience when abandon_in_ivr is true"):
        build_scenario(data)


def test_the_share_that_reaches_the_queue() -> None:
    """(1 − s)(1 − P(patience < duration)): exact for a constant duration; for two
    exponentials P = (1/P) / (1/P + 1/D)."""
    constant = ivr_centre(0.3, abandon=True).queues[0].ivr
    assert constant is not None
    expected = 0.7 * math.exp(-IVR_S / IVR_PATIENCE_S)
    assert reach_share(constant) == pytest.approx(expected, rel=1e-12)
    exponential = constant.model_copy(
        update={"duration": constant.patience.model_copy(update={"mean": IVR_S})}  # type: ignore[union-attr]
    )
    hang_up = (1 / IVR_PATIENCE_S) / (1 / IVR_PATIENCE_S + 1 / IVR_S)
    assert reach_share(exponential) == pytest.approx(0.7 * (1 - hang_up), abs=1e-3)
    assert reach_share(ivr_centre(0.3).queues[0].ivr) == pytest.approx(0.7)  # type: ignore[arg-type]
