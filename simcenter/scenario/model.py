"""The scenario: a contact centre and how long to simulate it; validation and overrides.

:func:`build_scenario` validates raw data (as loaded from YAML, or a dict)
into a frozen :class:`Scenario`, collecting every problem at once: the schema
problems pydantic finds and the cross-reference problems of ``checks.py``,
each with its key path. :meth:`Scenario.with_overrides` derives a new
validated scenario from dotted key paths.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    Field,
    ModelWrapValidatorHandler,
    ValidationError,
    field_validator,
    model_validator,
)

from simcenter.errors import Location, Problem, ScenarioError, describe, validation_problems
from simcenter.scenario.agents import AgentGroupSpec
from simcenter.scenario.calendar import BusynessSpec, CalendarSpec
from simcenter.scenario.checks import reference_problems, scenario_problems
from simcenter.scenario.queues import QueueSpec, ServiceLevelSpec
from simcenter.scenario.routing import RoutingSpec
from simcenter.scenario.templates import expand_templates
from simcenter.scenario.values import (
    DAY_S,
    CalendarTime,
    HorizonSeconds,
    IntervalSeconds,
    Name,
    PositiveCount,
    ReplicationCount,
    Seed,
    Spec,
    TimeZoneName,
    WarmupSeconds,
    custom_error,
)
from simcenter.text import canonical_name, hidden_character


class Scenario(Spec):
    """A contact centre and how long to simulate it.

    Simulation time 0 is ``start``; ``[0, warmup)`` is simulated but excluded
    from statistics, and ``[warmup, warmup + horizon)`` is measured.

    Attributes:
        name: Name of the scenario (its slug names the default output folder).
        description: Free text.
        seed: Base seed; the same seed gives the same results.
        start: Calendar time of simulation time 0, read in ``timezone``
            unless it carries an offset.
        timezone: IANA name of the zone of the scenario clock.
        horizon: Measured time after the warm-up (seconds).
        warmup: Simulated first but excluded from statistics (seconds).
        interval: Length of a reporting interval (seconds).
        replications: Number of independent replications.
        service_level: Default service-level objective of every queue.
        closing: At the end of the horizon, ``drain`` serves the queues out,
            ``clear`` disconnects waiting contacts, ``stop`` stops the run.
        lines: Trunks: a contact holds a line while it waits and while it is
            served; when none is free, an arriving contact is blocked.
            Omitted = unlimited.
        routing: Routing rules of every queue (a queue may override some).
        templates: Named sets of queue keys; a queue that says
            ``template: <name>`` starts from them and overrides any key.
            Not written to the resolved scenario, whose queues are complete.
        calendar: Volume multipliers of every queue by weekday and date
            (times each queue's own).
        busyness: A random factor per calendar day (mean 1) on every queue's
            volumes (times each queue's own).
        queues: The types of contact.
        agents: The agent groups.
    """

    name: Name
    description: str = ""
    seed: Seed = 0
    start: CalendarTime = datetime(2026, 1, 5)
    timezone: TimeZoneName = "UTC"
    horizon: HorizonSeconds = DAY_S
    warmup: WarmupSeconds = 0.0
    interval: IntervalSeconds = 900.0
    replications: ReplicationCount = 1
    service_level: ServiceLevelSpec = Field(default_factory=ServiceLevelSpec)
    closing: Literal["drain", "clear", "stop"] = "drain"
    lines: PositiveCount | None = None
    routing: RoutingSpec = Field(default_factory=RoutingSpec)
    templates: dict[Name, dict[str, Any]] = Field(default_factory=dict, exclude=True)
    calendar: CalendarSpec | None = None
    busyness: BusynessSpec | None = None
    queues: list[QueueSpec] = Field(min_length=1)
    agents: list[AgentGroupSpec] = Field(min_length=1)

    @field_validator("description")
    @classmethod
    def _visible_description(cls, text: str) -> str:
        hidden = hidden_character(text.replace("\n", " ").replace("\t", " "))
        if hidden is not None:
            position, code = hidden
            raise custom_error(
                "description",
                "must not contain control or invisible characters other than line breaks and "
                f"tabs (got {code} at position {position})",
            )
        return text

    @model_validator(mode="wrap")
    @classmethod
    def _levels_act_by_default(
        cls, data: Any, handler: ModelWrapValidatorHandler[Scenario]
    ) -> Scenario:
        """Without a ``routing.contact_selection``, skill levels choose: ``priority`` if any.

        A scenario whose agents give their skills different levels means them:
        a freed agent then serves its best level first (``priority``). Without
        levels, or when the scenario names a policy, nothing changes
        (``oldest`` is the default).
        """
        scenario = handler(data)
        if "contact_selection" in scenario.routing.model_fields_set or not any(
            len(set(group.skill_levels.values())) > 1 for group in scenario.agents
        ):
            return scenario
        routing = scenario.routing.model_copy(update={"contact_selection": "priority"})
        return scenario.model_copy(update={"routing": routing})

    @property
    def end_s(self) -> float:
        """End of the measured horizon (seconds): ``warmup + horizon``."""
        return self.warmup + self.horizon

    @property
    def zone(self) -> tzinfo:
        """The scenario's time zone."""
        return ZoneInfo(self.timezone)

    @property
    def start_at(self) -> datetime:
        """Calendar time of simulation time 0, timezone-aware."""
        if self.start.tzinfo is None:
            return self.start.replace(tzinfo=self.zone)
        return self.start.astimezone(self.zone)

    def service_level_of(self, queue: QueueSpec) -> ServiceLevelSpec:
        """The queue's service-level objective, with unset keys from the scenario's."""
        own = queue.service_level.model_dump(exclude_none=True)
        return self.service_level.model_copy(update=own)

    def routing_of(self, queue: QueueSpec) -> RoutingSpec:
        """The queue's routing rules: its own ``routing`` keys over the scenario's."""
        own = queue.routing.model_dump(exclude_none=True)
        return self.routing.model_copy(update=own)

    def to_dict(self) -> dict[str, Any]:
        """The scenario as plain JSON types, with every default filled in.

        Durations and rates are written with units (``"4min"``, ``"36/h"``) and
        times of day as ``"HH:MM"``; each reads back as exactly the same
        number, so the dict validates back to an equal scenario.
        """
        return self.model_dump(mode="json", exclude_none=True)

    def with_overrides(self, overrides: Mapping[str, Any]) -> Scenario:
        """A new validated scenario with some values replaced; this one is unchanged.

        Args:
            overrides: Dotted key paths to new values. List entries are named
                by their ``name`` (``"agents.tier1.count"``) or by index
                (``"queues.0.priority"``). Values are as in YAML (``"30s"``).

        Raises:
            ScenarioError: A path names nothing, or the result is invalid.
        """
        data = self.to_dict()
        problems = [
            problem
            for key, value in overrides.items()
            if (problem := set_path(data, key, value)[0]) is not None
        ]
        if problems:
            raise ScenarioError(problems)
        return build_scenario(data)


# --- overrides ------------------------------------------------------------------


def set_path(data: Any, key: str, value: Any) -> tuple[Problem | None, Location]:
    """Set ``value`` at dotted ``key`` inside ``data``.

    List entries are named by their ``name`` or by index (``skills.0``).

    Returns:
        A Problem if the path names nothing (else None), and the key path set.
    """
    parts = key.split(".")
    node: Any = data
    loc: list[str | int] = []
    for depth, part in enumerate(parts):
        if isinstance(node, list):
            index: str | int | None = _list_index(node, part)
            if index is None:
                return Problem(
                    tuple(loc), f'no entry "{part}" (in override "{key}"; {_entries(node)})'
                ), tuple(loc)
        elif isinstance(node, dict):
            index = part
            if depth < len(parts) - 1 and part not in node:
                return Problem((*loc, part), f'no such key (in override "{key}")'), tuple(loc)
        else:
            return Problem(tuple(loc), f'is not a mapping or list (in override "{key}")'), tuple(
                loc
            )
        loc.append(index)
        if depth == len(parts) - 1:
            node[index] = copy.deepcopy(value)
        else:
            node = node[index]
    return None, tuple(loc)


def _list_index(items: list[Any], part: str) -> int | None:
    for index, item in enumerate(items):
        name = item.get("name") if isinstance(item, dict) else None
        if isinstance(name, str) and canonical_name(name) == canonical_name(part):
            return index
    if part.isdigit() and int(part) < len(items):
        return int(part)
    return None


def _entries(items: list[Any]) -> str:
    names = [str(item["name"]) for item in items if isinstance(item, dict) and "name" in item]
    return f"entries: {', '.join(names)}" if names else f"{len(items)} entries"


# --- validation entry point -----------------------------------------------------


def build_scenario(data: Any, base_dir: str | Path | None = None) -> Scenario:
    """Validate raw scenario data (as loaded from YAML) into a :class:`Scenario`.

    Args:
        data: The parsed YAML document (a mapping).
        base_dir: Folder against which relative file names are resolved
            (default: the working directory).

    Queues that name a template are written out first
    (:mod:`simcenter.scenario.templates`); a problem in a value that came
    from a template is reported once, at the template's key path.

    Raises:
        ScenarioError: With every problem found (schema and cross-references),
            each located by its key path; ``loading.py`` adds file and line.
    """
    if not isinstance(data, Mapping):
        kind = "a list" if isinstance(data, list) else describe(data)
        raise ScenarioError([Problem((), f"the scenario must be a mapping of keys (got {kind})")])
    expansion = expand_templates(data, QueueSpec.model_fields)
    data = expansion.data
    problems = expansion.problems + reference_problems(data)
    try:
        scenario = Scenario.model_validate(data, context={"base_dir": base_dir})
    except ValidationError as error:
        raise ScenarioError(
            expansion.located(validation_problems(error, Scenario) + problems)
        ) from None
    except RecursionError:
        raise ScenarioError([Problem((), "the scenario is nested too deeply")]) from None
    problems += scenario_problems(scenario)
    if problems:
        raise ScenarioError(expansion.located(problems))
    return scenario
