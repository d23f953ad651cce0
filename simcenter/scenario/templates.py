"""Queue templates: named sets of queue keys that many similar queues start from.

A scenario may hold ``templates`` (template name -> queue keys). A queue
entry that says ``template: client`` starts from that template's keys, and
its own keys override them::

    templates:
      client:
        handle_time: {distribution: exponential, mean: 3min}
        patience: {distribution: exponential, mean: 90s}
    queues:
      - {name: client-001, template: client, arrivals: {rate: 2.2/h}}
      - {name: client-002, template: client, arrivals: {rate: 1.3/h},
         handle_time: {mean: 221s}}

How a queue's keys override its template's:

- a mapping is merged key by key, at every depth (``handle_time: {mean:
  221s}`` keeps the template's ``distribution``);
- except a distribution with another ``distribution`` than the template's,
  which replaces the template's mapping whole (the other distribution's
  parameters would not fit), and ``periods`` of the day where the template
  has one distribution (or one distribution where it has periods);
- a key of a set of alternatives (``rate`` or ``profile`` in ``arrivals``;
  ``probability``, ``max_queue`` or ``max_expected_wait`` in ``balking``;
  ``outcome`` or ``to`` in ``max_wait``) drops the template's other keys of
  that set;
- anything else (a number, a text, a list, ``null``) replaces the
  template's value; ``patience: null`` drops the template's patience.

Templates hold queue keys only: not ``name`` and not ``template``.
Expansion runs on the raw data, before validation, and remembers where each
value was written, so a problem in a value that came from a template is
reported at the template's key (``templates.client.handle_time.mean``),
once however many queues use it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from simcenter import reserved_keys
from simcenter.errors import Location, Problem, describe

TEMPLATE_KEY = "template"
"""The queue key that names a template."""

_ALTERNATIVES: tuple[frozenset[str], ...] = (
    frozenset({"rate", "profile"}),
    frozenset({"probability", "max_queue", "max_expected_wait"}),
    frozenset({"outcome", "to"}),
)
_MISSING = "required key is missing"


@dataclass(frozen=True)
class Expansion:
    """Scenario data with every templated queue written out, and where its values came from.

    Attributes:
        data: The scenario data; each queue that names a known template holds
            the template's keys merged under its own.
        sources: Key path in ``data`` -> key path in the template where the
            value was written, for every value that came from a template.
        problems: Problems of the templates and of the ``template`` keys.
        broken: Indices of the queues whose template is unknown.
    """

    data: Mapping[str, Any]
    sources: dict[Location, Location] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    broken: frozenset[int] = frozenset()

    def source_of(self, loc: Location) -> Location:
        """Where the value at ``loc`` was written: in a template, or at ``loc`` itself."""
        for depth in range(len(loc), 1, -1):
            source = self.sources.get(loc[:depth])
            if source is not None:
                return (*source, *loc[depth:])
        return loc

    def located(self, problems: Iterable[Problem]) -> list[Problem]:
        """Problems moved to where their value was written, without repeats.

        A queue whose template is unknown misses the template's keys; the
        ``required key is missing`` problems that this causes are left out.
        """
        seen: set[tuple[Location, str]] = set()
        located = []
        for problem in problems:
            loc = problem.loc
            broken = loc[:1] == ("queues",) and len(loc) > 1 and loc[1] in self.broken
            if broken and problem.message == _MISSING:
                continue
            moved = Problem(self.source_of(loc), problem.message, problem.file, problem.line)
            if (moved.loc, moved.message) not in seen:
                seen.add((moved.loc, moved.message))
                located.append(moved)
        return located


def expand_templates(data: Mapping[str, Any], queue_keys: Iterable[str]) -> Expansion:
    """Write out every queue that names a template.

    Args:
        data: Raw scenario data (as loaded from YAML).
        queue_keys: The keys a queue may have (a template may have all but
            ``name`` and ``template``).

    Returns:
        The expanded data, where each value came from, and the problems of
        the templates themselves (unknown keys, a ``name`` in a template) and
        of every ``template`` key (unknown template).
    """
    templates = data.get("templates")
    known = templates if isinstance(templates, Mapping) else {}
    problems = _template_problems(known, list(queue_keys))
    queues = data.get("queues")
    if not isinstance(queues, list):
        return Expansion(data, problems=problems)
    sources: dict[Location, Location] = {}
    broken = set()
    expanded = []
    for index, queue in enumerate(queues):
        name = queue.get(TEMPLATE_KEY) if isinstance(queue, Mapping) else None
        if name is None:
            expanded.append(queue)
            continue
        body = known.get(name) if isinstance(name, str) else None
        if not isinstance(body, Mapping):
            if templates is None or isinstance(templates, Mapping):
                problems.append(_unknown_template(index, name, known))
            broken.add(index)
            expanded.append(queue)
            continue
        usable = {key: value for key, value in body.items() if key not in ("name", TEMPLATE_KEY)}
        expanded.append(_merged(usable, queue, ("templates", name), ("queues", index), sources))
    return Expansion({**data, "queues": expanded}, sources, problems, frozenset(broken))


def _merged(
    template: Mapping[str, Any],
    own: Mapping[str, Any],
    template_path: Location,
    path: Location,
    sources: dict[Location, Location],
) -> dict[str, Any]:
    """``own`` over ``template``, noting in ``sources`` each value taken from the template."""
    merged = dict(own)
    for key, value in template.items():
        if key not in own:
            if not _displaced(key, own):
                merged[key] = value
                sources[(*path, key)] = (*template_path, key)
            continue
        mine = own[key]
        if isinstance(mine, Mapping) and isinstance(value, Mapping) and not _replaces(mine, value):
            merged[key] = _merged(value, mine, (*template_path, key), (*path, key), sources)
    return merged


def _displaced(key: str, own: Mapping[str, Any]) -> bool:
    """Whether ``own`` gives another key of a set of alternatives that ``key`` belongs to."""
    return any(
        key in keys and any(other in own for other in keys - {key}) for keys in _ALTERNATIVES
    )


def _replaces(mine: Mapping[str, Any], template: Mapping[str, Any]) -> bool:
    """Whether a mapping replaces the template's whole: it names another distribution, or
    gives periods of the day where the template has one distribution (or the reverse)."""
    switched = ("periods" in mine) != ("periods" in template)
    if switched and ("periods" in mine or "distribution" in mine):
        return True
    return "distribution" in mine and mine["distribution"] != template.get("distribution")


# --- problems ---------------------------------------------------------------------------


def _template_problems(templates: Mapping[str, Any], queue_keys: list[str]) -> list[Problem]:
    """Keys that a template may not hold: ``name``, ``template`` and unknown queue keys."""
    allowed = [key for key in queue_keys if key not in ("name", TEMPLATE_KEY)]
    problems = []
    for name, body in templates.items():
        if not isinstance(body, Mapping):
            continue  # the schema reports it
        for key in body:
            loc: Location = ("templates", name, key)
            if key == "name":
                problems.append(
                    Problem(loc, "a template cannot give a name; each queue has its own")
                )
            elif key == TEMPLATE_KEY:
                problems.append(Problem(loc, "a template cannot itself use a template"))
            elif key not in allowed:
                problems.append(Problem(loc, _unknown_key(key, allowed)))
    return problems


def _unknown_key(key: Any, queue_keys: list[str]) -> str:
    if reserved_keys.is_reserved("QueueSpec", key):
        return reserved_keys.MESSAGE
    close = difflib.get_close_matches(str(key), queue_keys, n=1)
    if close:
        return f'unknown key (did you mean "{close[0]}"?)'
    return f"unknown key (a template holds queue keys: {', '.join(queue_keys)})"


def _unknown_template(index: int, name: Any, templates: Mapping[str, Any]) -> Problem:
    loc: Location = ("queues", index, TEMPLATE_KEY)
    if not isinstance(name, str):
        return Problem(loc, f"must be the name of a template (got {describe(name)})")
    if not templates:
        return Problem(loc, f'unknown template "{name}" (the scenario has no templates)')
    names = ", ".join(str(known) for known in templates)
    return Problem(loc, f'unknown template "{name}" (templates: {names})')


def template_json_schema(queue_schema: dict[str, Any]) -> dict[str, Any]:
    """JSON Schema of one template; makes the queue schema accept queues that name a template.

    A template holds a queue's keys, none required. A queue entry that names
    a template needs only its ``name``; one without a template needs every
    required key. (A schema cannot say that a mapping may be given in part,
    as in ``handle_time: {mean: 221s}``; ``simcenter validate`` checks those.)

    Args:
        queue_schema: The queue's JSON Schema; its ``required`` is changed in place.

    Returns:
        The JSON Schema of a template.
    """
    required = queue_schema.get("required", [])
    queue_schema["required"] = ["name"]
    queue_schema["if"] = {"not": {"required": [TEMPLATE_KEY]}}
    queue_schema["then"] = {"required": required}
    shared = {
        key: value
        for key, value in queue_schema.get("properties", {}).items()
        if key not in ("name", TEMPLATE_KEY)
    }
    return {
        "type": "object",
        "description": "Queue keys shared by the queues that name this template.",
        "properties": shared,
        "additionalProperties": False,
    }
