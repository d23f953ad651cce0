"""Demand over the calendar: dates, the scenario calendar, busyness and times per period.

Every expectation is computed here from the numbers written in the scenario
(profile volumes times weekday, date and calendar factors; the mixed-Poisson
variance ``m + m² c²`` of a day's volume with a busyness factor of cv ``c``;
each period's distribution mean), independently of the engine's own
computations, and compared with simulated counts or means with fixed seeds:
chi-square tests and confidence intervals at alpha = 0.001.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from scipy import special, stats

import simcenter as sc
from simcenter.busyness import busyness_factors
from simcenter.clock import ScenarioClock
from simcenter.draws import sampled
from simcenter.scenario import Scenario, build_scenario
from simcenter.studies.precision import expected_arrivals, expected_work
from simcenter.studies.staffing import arrivals_by_interval_end
from simcenter.workload import estimate

ALPHA = 0.001
Z = float(stats.norm.ppf(1 - ALPHA / 2))  # two-sided 99.9 % normal quantile, 3.29
HOUR = 3600.0
DAY = 86_400.0
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def scenario(**keys: Any) -> Scenario:
    """A one-queue centre with plenty of quick agents; ``keys`` override the defaults."""
    data: dict[str, Any] = {
        "name": "Calendar demand",
        "start": "2026-01-05T00:00",
        "horizon": "14d",
        "interval": "1h",
        "queues": [
            {
                "name": "billing",
                "arrivals": {"rate": "10/h"},
                "handle_time": {"distribution": "constant", "mean": "1s"},
            }
        ],
        "agents": [{"name": "tier1", "count": 5, "skills": ["billing"]}],
    }
    queue = keys.pop("queue", {})
    data["queues"][0].update(queue)
    data.update(keys)
    return build_scenario(data)


def first_contacts(results: sc.Results) -> pd.DataFrame:
    """The contacts table (every contact here is a first-time contact)."""
    contacts = results.contacts
    assert contacts is not None
    assert (contacts["attempt"] == 1).all()
    assert (contacts["linked_id"] == -1).all()
    return contacts


# --- profile × weekday × dates × calendar -----------------------------------------

PROFILE = [20.0, 35.0, 50.0, 40.0, 30.0, 15.0]  # contacts per hour from 08:00
WEEKDAYS = {"sat": 0.5, "sun": 0.0}
DATES = {"2026-01-07": 0.6, "2026-01-08": 0.0, "2026-01-13": 1.8}
CALENDAR = {"weekdays": {"fri": 1.5, "sat": 2.0}, "dates": {"2026-01-06": 2.0, "2026-01-13": 0.5}}


def expected_factor(day: date) -> float:
    """The day's multiplier written in the scenario: queue weekday × date × calendar ones."""
    weekday = WEEKDAY_NAMES[day.weekday()]
    factor = WEEKDAYS.get(weekday, 1.0) * DATES.get(day.isoformat(), 1.0)
    factor *= CALENDAR["weekdays"].get(weekday, 1.0) * CALENDAR["dates"].get(day.isoformat(), 1.0)
    return factor


def test_arrival_counts_per_interval_match_profile_weekday_dates_and_calendar() -> None:
    """Chi-square over every (day, profile hour) of two weeks and 12 replications.

    The counts are independent Poisson counts with known means, so the
    statistic has one degree of freedom per cell.

    Days and hours are local to Europe/Berlin (the profile's wall clock), and
    a day with factor 0 (a Sunday, and 2026-01-08 by date) has no arrival.
    """
    replications, days = 12, 14
    zone = ZoneInfo("Europe/Berlin")
    spec = scenario(
        timezone="Europe/Berlin",
        calendar=CALENDAR,
        replications=replications,
        queue={
            "arrivals": {
                "profile": {"interval": "1h", "start": "08:00", "volumes": PROFILE},
                "weekdays": WEEKDAYS,
                "dates": DATES,
            }
        },
    )
    contacts = first_contacts(sc.simulate(spec, keep_contacts=True))
    start = datetime(2026, 1, 5, tzinfo=zone)
    local = [start + timedelta(seconds=float(s)) for s in contacts["arrival_s"]]
    cells = pd.Series(
        [((moment.date() - start.date()).days, moment.hour) for moment in local]
    ).value_counts()
    observed, expected = [], []
    for day in range(days):
        factor = expected_factor(start.date() + timedelta(days=day))
        for hour in range(24):
            volume = PROFILE[hour - 8] if 8 <= hour < 8 + len(PROFILE) else 0.0
            count = int(cells.get((day, hour), 0))
            if volume * factor == 0:
                assert count == 0, f"day {day} hour {hour} should have no arrivals"
                continue
            observed.append(count)
            expected.append(volume * factor * replications)
    assert (
        sum(1 for day in range(days) if expected_factor(start.date() + timedelta(days=day)) == 0)
        == 3
    )
    observed_a, expected_a = np.array(observed), np.array(expected)
    statistic = float(((observed_a - expected_a) ** 2 / expected_a).sum())
    # Independent Poisson counts with known means: one degree of freedom per cell.
    p_value = stats.chi2.sf(statistic, len(observed_a))
    assert p_value > ALPHA, f"chi-square {statistic:.1f} on {len(observed_a)} df"


def test_a_date_with_factor_zero_has_no_arrivals_at_all() -> None:
    """A closed date (factor 0) has no arrival in any replication, its neighbours do."""
    spec = scenario(
        horizon="3d",
        replications=5,
        queue={"arrivals": {"rate": "60/h", "dates": {"2026-01-06": 0}}},
    )
    contacts = first_contacts(sc.simulate(spec, keep_contacts=True))
    day = (contacts["arrival_s"] // DAY).astype(int)
    assert not (day == 1).any()
    assert (day == 0).sum() > 0
    assert (day == 2).sum() > 0


YEAR_DATES = {"2026-12-24": 0.5, "2026-12-25": 0.0, "2026-03-29": 3.0, "2026-10-25": 2.0}


def year_factor(day: date) -> float:
    """Multiplier of a day of the year-long scenario: sundays 0.2, calendar dates, queue dates."""
    factor = 0.2 if day.weekday() == 6 else 1.0
    factor *= YEAR_DATES.get(day.isoformat(), 1.0)
    return factor * (0.0 if day == date(2026, 5, 1) else 1.0)


def year_scenario(**keys: Any) -> Scenario:
    """A year in Europe/Berlin (both daylight-saving changes) with dates and a calendar."""
    return scenario(
        start="2026-01-01T00:00",
        timezone="Europe/Berlin",
        horizon="365d",
        interval="1d",
        calendar={"weekdays": {"sun": 0.2}, "dates": {"2026-05-01": 0}},
        queue={
            "arrivals": {
                "profile": {"interval": "30min", "start": "01:00", "volumes": [3.0] * 20},
                "dates": YEAR_DATES,
            }
        },
        **keys,
    )


def test_a_year_long_horizon_counts_the_calendar_in_every_expectation() -> None:
    """Control-variate expectations, staffing's cumulative arrivals and the workload
    estimate all count the calendar, daylight-saving days included (the profile
    covers 01:00-11:00, so the skipped 02:00-03:00 of 29 March has no volume)."""
    spec = year_scenario()
    first = date(2026, 1, 1)
    expected = 0.0
    for day in range(365):
        today = first + timedelta(days=day)
        hours = 9.0 if today == date(2026, 3, 29) else 10.0  # 02:00-03:00 does not exist
        expected += hours * 6.0 * year_factor(today)
    assert expected_arrivals(spec)["billing"] == pytest.approx(expected, rel=1e-12)
    assert expected_work(spec)["billing"] == pytest.approx(expected * 1.0, rel=1e-12)
    assert arrivals_by_interval_end(spec)["billing"][-1] == pytest.approx(expected, rel=1e-12)
    # The workload's estimate: 60 contacts a day times the mean day factor.
    mean_factor = sum(year_factor(first + timedelta(days=d)) for d in range(365)) / 365
    assert estimate(spec, 1).contacts == pytest.approx(60.0 * 365 * mean_factor, rel=1e-9)


def test_a_year_long_run_follows_the_calendar_month_by_month() -> None:
    """One replication of a year: monthly counts match (chi-square), closed days are empty."""
    spec = year_scenario()
    contacts = first_contacts(sc.simulate(spec, keep_contacts=True))
    zone = ZoneInfo("Europe/Berlin")
    start = datetime(2026, 1, 1, tzinfo=zone)
    days = pd.Series([(start + timedelta(seconds=float(s))).date() for s in contacts["arrival_s"]])
    assert not days.isin([date(2026, 12, 25), date(2026, 5, 1)]).any()
    months = days.map(lambda d: d.month).value_counts().sort_index()
    expected = np.zeros(12)
    for day in range(365):
        today = date(2026, 1, 1) + timedelta(days=day)
        hours = 9.0 if today == date(2026, 3, 29) else 10.0
        expected[today.month - 1] += hours * 6.0 * year_factor(today)
    observed = months.reindex(range(1, 13), fill_value=0).to_numpy()
    statistic = float(((observed - expected) ** 2 / expected).sum())
    assert stats.chi2.sf(statistic, 12) > ALPHA, (observed, expected)


# --- busyness -------------------------------------------------------------------------

DAYS = 1500
DAILY = 100.0  # expected contacts per day


@pytest.mark.parametrize(
    ("common", "own"),
    [
        ({"distribution": "gamma", "mean": 1, "cv": 0.3}, None),
        (None, {"distribution": "lognormal", "mean": 1, "cv": 0.25}),
        ({"distribution": "uniform", "mean": 1, "cv": 0.2}, {"cv": 0.2}),
    ],
    ids=["gamma scenario-wide", "lognormal per queue", "uniform times gamma"],
)
def test_daily_volume_variance_is_the_mixed_poisson_variance(
    common: dict[str, Any] | None, own: dict[str, Any] | None
) -> None:
    """Var(daily count) = m + m² v, v = Var(product of the day's factors) = Π(1 + cᵢ²) − 1.

    The sample variance of 1,500 days is compared with the theory within
    Z · its standard error, estimated from the days' fourth central moment
    (Var(s²) ≈ (μ₄ − σ⁴) / n for large n); the mean is checked within its CI.
    """
    arrivals: dict[str, Any] = {"rate": f"{DAILY / 24}/h"}
    if own is not None:
        arrivals["busyness"] = own
    keys: dict[str, Any] = {
        "horizon": f"{DAYS}d",
        "interval": "1d",
        "queue": {"arrivals": arrivals},
    }
    if common is not None:
        keys["busyness"] = common
    spec = scenario(**keys)
    contacts = first_contacts(sc.simulate(spec, keep_contacts=True, seed=7))
    counts = np.bincount((contacts["arrival_s"] // DAY).astype(int), minlength=DAYS)[:DAYS]
    cvs = [part["cv"] for part in (common, own) if part is not None]
    factor_var = math.prod(1 + cv**2 for cv in cvs) - 1
    theory = DAILY + DAILY**2 * factor_var
    centred = counts - counts.mean()
    variance = float(centred.var(ddof=1))
    fourth = float((centred**4).mean())
    standard_error = math.sqrt(max(fourth - variance**2, 0.0) / DAYS)
    assert abs(variance - theory) < Z * standard_error, (variance, theory, standard_error)
    assert abs(counts.mean() - DAILY) < Z * math.sqrt(theory / DAYS)
    # Without busyness the counts would be Poisson: the test can tell them apart.
    assert abs(DAILY - theory) > 2 * Z * standard_error


def test_busyness_factors_are_common_across_scenarios_differing_in_agents() -> None:
    """Same seed, other agents: the same factors and the very same arrival times."""
    busy = {
        "busyness": {"cv": 0.4},
        "queue": {"arrivals": {"rate": "20/h", "busyness": {"cv": 0.2}}},
    }
    one = scenario(**busy)
    other = scenario(
        **busy,
        agents=[
            {"name": "tier1", "count": 2, "skills": ["billing"]},
            {"name": "tier2", "count": 7, "skills": ["billing"]},
        ],
    )
    assert busyness_factors(one, 3, 1) == busyness_factors(other, 3, 1)
    times = [
        np.sort(first_contacts(sc.simulate(s, keep_contacts=True, seed=3))["arrival_s"].to_numpy())
        for s in (one, other, scenario(queue={"arrivals": {"rate": "20/h"}}))
    ]
    np.testing.assert_array_equal(times[0], times[1])
    assert len(times[0]) != len(times[2]) or not np.array_equal(times[0], times[2])


def test_busyness_draws_one_factor_per_day_in_day_order() -> None:
    """A longer horizon keeps the first days' factors; the scenario's and the queue's are
    independent streams whose product is the queue's factor."""
    week = scenario(
        horizon="7d",
        busyness={"cv": 0.3},
        queue={"arrivals": {"rate": "1/h", "busyness": {"cv": 0.5}}},
    )
    month = week.with_overrides({"horizon": 30 * DAY})
    short, long = busyness_factors(week, 0, 0)["billing"], busyness_factors(month, 0, 0)["billing"]
    assert len(short) == 7
    assert len(long) == 30
    assert short == long[:7]
    common_only = scenario(horizon="7d", busyness={"cv": 0.3}, queue={"arrivals": {"rate": "1/h"}})
    own_only = scenario(horizon="7d", queue={"arrivals": {"rate": "1/h", "busyness": {"cv": 0.5}}})
    product = [
        a * b
        for a, b in zip(
            busyness_factors(common_only, 0, 0)["billing"],
            busyness_factors(own_only, 0, 0)["billing"],
            strict=True,
        )
    ]
    assert short == pytest.approx(product, rel=1e-15)


# --- times per period of the day ------------------------------------------------------

PERIOD_VALUES: list[dict[str, Any]] = [
    {"distribution": "exponential", "mean": "60s"},
    {"distribution": "gamma", "mean": "300s", "cv": 0.5},
    {"distribution": "constant", "mean": "120s"},
    {"distribution": "lognormal", "mean": "30s", "cv": 1.0},
]
PERIOD_MEANS = [60.0, 300.0, 120.0, 30.0]
PERIOD_SDS = [60.0, 150.0, 0.0, 30.0]


def period_of(arrival_s: np.ndarray) -> np.ndarray:
    """Period index of arrivals (UTC, periods of 6h from 06:00: 06-12, 12-18, 18-24, 00-06)."""
    hour = (arrival_s % DAY) / HOUR
    return (((hour - 6) % 24) // 6).astype(int)


def periods_scenario(values: list[dict[str, Any]]) -> Scenario:
    """Arrivals all day; handle time per period of 6 hours from 06:00."""
    return scenario(
        horizon="3d",
        queue={
            "arrivals": {"rate": "200/h"},
            "handle_time": {"periods": {"interval": "6h", "start": "06:00", "values": values}},
        },
        agents=[{"name": "tier1", "count": 200, "skills": ["billing"]}],
    )


def test_handle_time_has_the_right_mean_in_every_period() -> None:
    """Mean handle time of the contacts arriving in each period, within its CI."""
    contacts = first_contacts(sc.simulate(periods_scenario(PERIOD_VALUES), keep_contacts=True))
    answered = contacts[contacts["outcome"] == "answered"]
    assert len(answered) == len(contacts)
    periods = period_of(answered["arrival_s"].to_numpy())
    for index, (mean, sd) in enumerate(zip(PERIOD_MEANS, PERIOD_SDS, strict=True)):
        values = answered["handle_s"].to_numpy()[periods == index]
        assert len(values) > 2000
        if sd == 0:
            assert np.all(values == mean)
        else:
            assert abs(values.mean() - mean) < Z * sd / math.sqrt(len(values)), index


def test_changing_one_period_leaves_every_other_contact_unchanged() -> None:
    """Common random numbers: other periods' handle times are identical, and the changed
    period's contacts keep their rank (the same uniform through another quantile)."""
    changed = list(PERIOD_VALUES)
    changed[1] = {"distribution": "exponential", "mean": "200s"}
    runs = [
        first_contacts(sc.simulate(periods_scenario(values), keep_contacts=True))
        .sort_values("contact_id")
        .reset_index(drop=True)
        for values in (PERIOD_VALUES, changed)
    ]
    np.testing.assert_array_equal(runs[0]["arrival_s"], runs[1]["arrival_s"])
    periods = period_of(runs[0]["arrival_s"].to_numpy())
    same = periods != 1
    np.testing.assert_array_equal(runs[0]["handle_s"][same], runs[1]["handle_s"][same])
    a, b = runs[0]["handle_s"][~same].to_numpy(), runs[1]["handle_s"][~same].to_numpy()
    assert not np.array_equal(a, b)
    assert stats.spearmanr(a, b).statistic == pytest.approx(1.0)


def test_a_queue_without_periods_keeps_the_plain_draws() -> None:
    """Only a queue with a time per period gets the period mapping; the others keep
    :class:`SampledDraws` itself, whose per-contact path is unchanged."""
    plain = scenario(
        horizon="1d", queue={"handle_time": {"distribution": "exponential", "mean": "60s"}}
    )
    draws = sampled(0, 0)(plain.queues[0], "first")
    assert type(draws).__name__ == "SampledDraws"
    varying = periods_scenario(PERIOD_VALUES)
    clock = ScenarioClock(varying.start_at)
    assert type(sampled(0, 0, clock, 3)(varying.queues[0], "first")).__name__ == "PeriodDraws"


@pytest.mark.parametrize("key", ["wrap_up", "patience"])
def test_wrap_up_and_patience_per_period_have_the_right_means(key: str) -> None:
    """The draws of a queue with ``wrap_up`` or ``patience`` per period: each period's mean."""
    spec = scenario(
        timezone="America/New_York",
        queue={key: {"periods": {"interval": "8h", "start": "07:00", "values": PERIOD_VALUES[:3]}}},
    )
    clock = ScenarioClock(spec.start_at)
    draws = sampled(11, 0, clock, 30)(spec.queues[0], "first")
    attribute = {"wrap_up": "wrap_s", "patience": "patience_s"}[key]
    rng = np.random.default_rng(5)
    arrivals = np.sort(rng.uniform(0, 20 * DAY, 30_000))
    values = []
    for arrival in arrivals:
        contact = SimpleNamespace(arrival_s=float(arrival))
        draws.draw(contact)  # type: ignore[arg-type]
        values.append(getattr(contact, attribute))
    local = [clock.time_of_day(float(a)) / HOUR for a in arrivals]
    periods = np.array([int(((hour - 7) % 24) // 8) for hour in local])
    observed = np.array(values)
    for index in range(3):
        chosen = observed[periods == index]
        mean, sd = PERIOD_MEANS[index], PERIOD_SDS[index]
        if sd == 0:
            assert np.all(chosen == mean)
        else:
            assert abs(chosen.mean() - mean) < Z * sd / math.sqrt(len(chosen))


def test_quantile_functions_invert_the_distribution_functions() -> None:
    """F(Q(u)) = u for the continuous families (what the period mapping relies on)."""
    from simcenter import distributions as dist

    u = np.linspace(0.001, 0.999, 999)
    for family in (
        dist.Exponential(60.0),
        dist.Gamma(300.0, 0.5),
        dist.Lognormal(30.0, 1.0),
        dist.Weibull(100.0, 1.7),
        dist.Uniform(10.0, 20.0),
        dist.Mixture((dist.Exponential(60.0), dist.Gamma(300.0, 0.5)), (0.3, 0.7)),
    ):
        np.testing.assert_allclose(family.cdf(family.quantile(u)), u, atol=1e-9)
    assert special.ndtri(0.5) == 0.0


def test_a_queue_may_give_periods_where_its_template_has_one_distribution() -> None:
    """Periods replace the template's distribution whole, and a distribution its periods."""
    periods = {"periods": {"interval": "12h", "values": PERIOD_VALUES[:2]}}
    spec = build_scenario(
        {
            "name": "Templates",
            "templates": {
                "plain": {"handle_time": {"distribution": "exponential", "mean": "3min"}},
                "by_period": {"handle_time": periods},
            },
            "queues": [
                {
                    "name": "a",
                    "template": "plain",
                    "arrivals": {"rate": "1/h"},
                    "handle_time": periods,
                },
                {
                    "name": "b",
                    "template": "by_period",
                    "arrivals": {"rate": "1/h"},
                    "handle_time": {"distribution": "constant", "mean": "1min"},
                },
            ],
            "agents": [{"name": "tier1", "count": 1, "skills": ["a", "b"]}],
        }
    )
    assert [d.mean for d in spec.queues[0].handle_time.distributions()] == [60.0, 300.0]  # type: ignore[union-attr]
    assert spec.queues[1].handle_time.build().mean == 60.0
