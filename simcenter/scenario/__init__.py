"""The scenario format: validated, immutable models of a contact centre.

A scenario is read from YAML (see ``loading.py``) or given as a dict, and
validated here into frozen pydantic models. Durations are float seconds and
rates are per second once validated; the YAML may write them with units
(``"4.5min"``, ``"360/h"``). Unknown keys are errors. Problems are collected,
never stopped at the first: :func:`build_scenario` raises one
:class:`~simcenter.errors.ScenarioError` listing all of them, each with its key
path and a message naming the expectation and the value found.

Modules: ``values`` (durations, rates, counts, names), ``distributions``
(distribution specs), ``queues``, ``agents``, ``routing``, ``model`` (the
:class:`Scenario`, validation and overrides) and ``checks`` (checks across
keys). Everything public is re-exported here.
"""

from __future__ import annotations

from simcenter.scenario.agents import (
    AgentGroupSpec,
    RotationSpec,
    Skill,
    Skills,
    SkillSpec,
    StaffingSpec,
)
from simcenter.scenario.calendar import BusynessSpec, CalendarDate, CalendarSpec
from simcenter.scenario.distributions import (
    ConstantSpec,
    DistributionSpec,
    EmpiricalSpec,
    ExponentialSpec,
    GammaSpec,
    LognormalSpec,
    MixtureSpec,
    UniformSpec,
    WeibullSpec,
)
from simcenter.scenario.model import Scenario, build_scenario
from simcenter.scenario.periods import PeriodsSpec, PeriodValuesSpec, TimeSpec
from simcenter.scenario.queues import (
    ArrivalsSpec,
    BalkingSpec,
    IvrSpec,
    MaxWaitSpec,
    OverflowSpec,
    ProfileSpec,
    QueueSpec,
    RepeatSpec,
    RetrialSpec,
    ServiceLevelOverride,
    ServiceLevelSpec,
    SlDefinition,
    TransferSpec,
)
from simcenter.scenario.routing import (
    AgentSelection,
    ContactSelection,
    QueueRoutingSpec,
    RepeatContacts,
    RoutingSpec,
)
from simcenter.scenario.values import (
    CLOCK_PATTERN,
    DATETIME_PATTERN,
    DAY_S,
    DURATION_PATTERN,
    RATE_PATTERN,
    RESERVED_QUEUE_NAME,
    WEEKDAYS,
    CalendarTime,
    ClockSeconds,
    Count,
    Flag,
    Fraction,
    FractionBelowOne,
    Integer,
    Name,
    NonNegativeNumber,
    NonNegativeSeconds,
    PositiveCount,
    PositiveNumber,
    PositiveSeconds,
    QueueName,
    RatePerSecond,
    Weekday,
)

__all__ = [
    "CLOCK_PATTERN",
    "DATETIME_PATTERN",
    "DAY_S",
    "DURATION_PATTERN",
    "RATE_PATTERN",
    "RESERVED_QUEUE_NAME",
    "WEEKDAYS",
    "AgentGroupSpec",
    "AgentSelection",
    "ArrivalsSpec",
    "BalkingSpec",
    "BusynessSpec",
    "CalendarDate",
    "CalendarSpec",
    "CalendarTime",
    "ClockSeconds",
    "ConstantSpec",
    "ContactSelection",
    "Count",
    "DistributionSpec",
    "EmpiricalSpec",
    "ExponentialSpec",
    "Flag",
    "Fraction",
    "FractionBelowOne",
    "GammaSpec",
    "Integer",
    "IvrSpec",
    "LognormalSpec",
    "MaxWaitSpec",
    "MixtureSpec",
    "Name",
    "NonNegativeNumber",
    "NonNegativeSeconds",
    "OverflowSpec",
    "PeriodValuesSpec",
    "PeriodsSpec",
    "PositiveCount",
    "PositiveNumber",
    "PositiveSeconds",
    "ProfileSpec",
    "QueueName",
    "QueueRoutingSpec",
    "QueueSpec",
    "RatePerSecond",
    "RepeatContacts",
    "RepeatSpec",
    "RetrialSpec",
    "RotationSpec",
    "RoutingSpec",
    "Scenario",
    "ServiceLevelOverride",
    "ServiceLevelSpec",
    "Skill",
    "SkillSpec",
    "Skills",
    "SlDefinition",
    "StaffingSpec",
    "TimeSpec",
    "TransferSpec",
    "UniformSpec",
    "Weekday",
    "WeibullSpec",
    "build_scenario",
]
