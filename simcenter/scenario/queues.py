"""Queue specs: a type of contact, how it arrives, and how its callers behave.

Besides arrivals, handle time and patience, a queue may say what happens to
its contacts on the way: they may balk at a long queue, leave a
voicemail or move to another queue after a maximum wait, overflow to more
agent groups, be transferred after service, or call again later. Names of
other queues and groups are checked against the scenario in ``checks.py``.
"""

from __future__ import annotations

from datetime import date
from typing import Literal, get_args

from pydantic import Field, model_validator

from simcenter.scenario.calendar import BusynessSpec, CalendarDate
from simcenter.scenario.distributions import ConstantSpec, DistributionSpec
from simcenter.scenario.periods import TimeSpec
from simcenter.scenario.routing import QueueRoutingSpec
from simcenter.scenario.values import (
    DAY_S,
    WEEKDAYS,
    Channel,
    ClockSeconds,
    Count,
    Flag,
    Fraction,
    FractionBelowOne,
    Integer,
    IntervalSeconds,
    Name,
    NonNegativeNumber,
    NonNegativeSeconds,
    PositiveCount,
    PositiveSeconds,
    QueueName,
    RatePerSecond,
    Spec,
    Weekday,
    clock_text,
    custom_error,
    exactly_one,
)
from simcenter.units import format_duration

SlDefinition = Literal["offered", "answered", "exclude_short_abandons"]


class ServiceLevelSpec(Spec):
    """Service-level objective.

    Attributes:
        threshold: Wait (seconds) within which an answer counts as in target.
        target: Target fraction.
        definition: ``offered``: answered within threshold / offered;
            ``answered``: answered within threshold / answered;
            ``exclude_short_abandons``: answered within threshold /
            (offered - abandoned within threshold).
    """

    threshold: NonNegativeSeconds = 20.0
    target: Fraction = 0.8
    definition: SlDefinition = "offered"


class ServiceLevelOverride(Spec):
    """A queue's own service-level objective; unset keys inherit the scenario's."""

    threshold: NonNegativeSeconds | None = None
    target: Fraction | None = None
    definition: SlDefinition | None = None


# --- arrivals -----------------------------------------------------------------------


class ProfileSpec(Spec):
    """Expected contacts per interval over one day, repeated daily.

    Attributes:
        interval: Length of each volume's interval (seconds).
        start: Time of day of the first volume (seconds since midnight);
            volume is zero outside the covered part of the day.
        volumes: Expected number of contacts in each interval.
    """

    interval: IntervalSeconds = 1800.0
    start: ClockSeconds = 0.0
    volumes: list[NonNegativeNumber] = Field(min_length=1)

    @model_validator(mode="after")
    def _within_one_day(self) -> ProfileSpec:
        end = self.start + self.interval * len(self.volumes)
        if end > DAY_S + 1e-9:
            raise custom_error(
                "profile",
                f"must end by midnight (got {len(self.volumes)} volumes of "
                f"{format_duration(self.interval)} from {clock_text(self.start)}, "
                f"ending at {clock_text(end)})",
            )
        return self


class ArrivalsSpec(Spec):
    """How contacts arrive: exactly one of ``rate`` (Poisson) or ``profile`` (NHPP).

    Attributes:
        rate: Homogeneous Poisson rate (per second).
        profile: Piecewise-constant daily volume profile.
        weekdays: Multipliers of the volume by calendar weekday (``mon`` ... ``sun``);
            unlisted days have multiplier 1.
        dates: Multipliers of special dates (``2026-12-24: 0.6``; 0 = closed)
            in the scenario's time zone, times the weekday's.
        busyness: This queue's own random factor per day (mean 1), times the
            scenario's.
    """

    rate: RatePerSecond | None = None
    profile: ProfileSpec | None = None
    weekdays: dict[Weekday, NonNegativeNumber] = Field(default_factory=dict)
    dates: dict[CalendarDate, NonNegativeNumber] = Field(default_factory=dict)
    busyness: BusynessSpec | None = None

    @model_validator(mode="after")
    def _one_source(self) -> ArrivalsSpec:
        exactly_one(self, ("rate", "profile"))
        return self

    def weekday_factor(self, weekday: int) -> float:
        """Volume multiplier of a weekday (0 = Monday)."""
        return self.weekdays.get(WEEKDAYS[weekday], 1.0)  # type: ignore[call-overload]

    def day_factor(self, day: date) -> float:
        """Volume multiplier of calendar day ``day``: its weekday's times its date's."""
        return self.weekday_factor(day.weekday()) * self.dates.get(day, 1.0)


# --- what happens to a contact on the way ---------------------------------------------


class OverflowSpec(Spec):
    """More agent groups that may answer a contact once it has waited long enough.

    Attributes:
        after: Wait (seconds) after which the groups in ``to`` may also answer.
        to: Names of agent groups; they count as serving the queue.
    """

    after: NonNegativeSeconds
    to: list[Name] = Field(min_length=1)


class BalkingSpec(Spec):
    """When an arriving contact leaves at once instead of joining the queue.

    Give exactly one key.

    Attributes:
        probability: Chance of leaving when it would have to wait.
        max_queue: Leaves when this many contacts are already waiting.
        max_expected_wait: Leaves when the expected wait exceeds this (seconds).
    """

    probability: Fraction | None = None
    max_queue: Count | None = None
    max_expected_wait: NonNegativeSeconds | None = None

    @model_validator(mode="after")
    def _one_rule(self) -> BalkingSpec:
        exactly_one(self, ("probability", "max_queue", "max_expected_wait"))
        return self


class MaxWaitSpec(Spec):
    """What happens to a contact still waiting after ``after``: exactly one of ``outcome``, ``to``.

    Attributes:
        after: Longest wait in this queue (seconds).
        outcome: ``voicemail``: the contact leaves a message and is done.
        to: Name of another queue that the contact moves to.
    """

    after: PositiveSeconds
    outcome: Literal["voicemail"] | None = None
    to: Name | None = None

    @model_validator(mode="after")
    def _one_ending(self) -> MaxWaitSpec:
        exactly_one(self, ("outcome", "to"))
        return self


class TransferSpec(Spec):
    """Escalation of answered contacts to another queue.

    Attributes:
        probability: Chance that an answered contact is transferred after its talk.
        to: Name of the other queue.
    """

    probability: Fraction
    to: Name


class RepeatSpec(Spec):
    """Unresolved contacts: the customer calls again later.

    Attributes:
        probability: Chance that a contact, once answered, is not resolved
            and its customer calls again (less than 1, so that repeats end).
        delay: Time from the end of the contact to the repeat call (seconds).
    """

    probability: FractionBelowOne
    delay: DistributionSpec


RetrialAfter = Literal["abandoned", "blocked", "balked"]
"""The outcomes after which a customer may try again: it gave up, or did not get in."""
RETRIAL_AFTER: tuple[RetrialAfter, ...] = get_args(RetrialAfter)


class RetrialSpec(Spec):
    """Customers who gave up try again later, each attempt a new contact.

    Attributes:
        probability: Chance that a customer whose attempt ended in one of
            ``after`` tries again (drawn per attempt).
        delay: Time from the end of the attempt to the next one (seconds).
        max_attempts: Most attempts per customer, the first included (1: no
            retrial); omitted: no limit, and then ``probability`` must be below 1.
        after: The outcomes of an attempt that lead to a retrial (default: all three).
        to: Name of another queue the retrials go to (default: this queue).
    """

    probability: Fraction
    delay: DistributionSpec
    max_attempts: PositiveCount | None = None
    after: list[RetrialAfter] = Field(default_factory=lambda: list(RETRIAL_AFTER), min_length=1)
    to: Name | None = None

    @model_validator(mode="after")
    def _ends(self) -> RetrialSpec:
        if self.max_attempts is None and self.probability >= 1:
            raise custom_error(
                "endless_retrials",
                "needs max_attempts when probability is 1 (a customer would try forever)",
            )
        return self


class IvrSpec(Spec):
    """The self-service menu (IVR) or bot every contact of the queue goes through first.

    Attributes:
        duration: Time a contact spends in it (seconds).
        self_service: Share of contacts resolved there, never reaching an agent.
        abandon_in_ivr: Whether a contact may hang up in it, after its ``patience``.
        patience: How long a contact stays in it at most (seconds); needed with
            ``abandon_in_ivr``, read only with it.
    """

    duration: DistributionSpec
    self_service: Fraction = 0.0
    abandon_in_ivr: Flag = False
    patience: DistributionSpec | None = None

    @model_validator(mode="after")
    def _patience_with_abandonment(self) -> IvrSpec:
        if self.abandon_in_ivr and self.patience is None:
            raise custom_error("ivr_patience", "needs patience when abandon_in_ivr is true")
        if not self.abandon_in_ivr and self.patience is not None:
            raise custom_error(
                "ivr_patience", "has patience but abandon_in_ivr is false (patience is not read)"
            )
        return self


# --- the queue --------------------------------------------------------------------------


class QueueSpec(Spec):
    """One type of contact and its queue.

    Attributes:
        name: Unique queue name (not ``ALL`` nor ``ALL <channel>``, the total
            rows of the reports).
        channel: ``voice`` or ``video``; both are real time and behave alike
            in the simulation; the reports total each channel's queues.
        arrivals: Arrival process.
        handle_time: Talk time distribution (seconds), or one per period of
            the day of the contact's arrival (``{periods: ...}``).
        wrap_up: After-call work of the agent (seconds); may vary by period too.
        patience: Time a caller is willing to wait (seconds); omitted = never
            abandons; may vary by period too.
        priority: Higher is served first by an agent choosing among its queues.
        service_level: Overrides of the scenario's service-level objective.
        routing: Overrides of the scenario's routing rules.
        overflow: More agent groups that may answer after a wait.
        balking: When an arriving contact leaves at once.
        max_wait: Voicemail or another queue after a maximum wait.
        transfer: Escalation to another queue after service.
        repeat: Unresolved contacts that call again.
        retrial: Customers who gave up (abandoned, blocked, balked) try again.
        ivr: The self-service menu every contact goes through before the queue.
        abandon_cost: Money lost per abandoned contact; staffing by cost
            weighs it against the cost of agents.
        template: Name of the template (in the scenario's ``templates``)
            whose keys this queue starts from; the queue's own keys override
            them. Not written to the resolved scenario, whose queues are
            complete.
    """

    name: QueueName
    template: Name | None = Field(default=None, exclude=True)
    channel: Channel = "voice"
    arrivals: ArrivalsSpec
    handle_time: TimeSpec
    wrap_up: TimeSpec = Field(
        default_factory=lambda: ConstantSpec(distribution="constant", mean=0.0)
    )
    patience: TimeSpec | None = None
    priority: Integer = 0
    service_level: ServiceLevelOverride = Field(default_factory=ServiceLevelOverride)
    routing: QueueRoutingSpec = Field(default_factory=QueueRoutingSpec)
    overflow: OverflowSpec | None = None
    balking: BalkingSpec | None = None
    max_wait: MaxWaitSpec | None = None
    transfer: TransferSpec | None = None
    repeat: RepeatSpec | None = None
    retrial: RetrialSpec | None = None
    ivr: IvrSpec | None = None
    abandon_cost: NonNegativeNumber = 0.0
