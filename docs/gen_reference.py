"""Generate the reference pages that come from the code: scenario keys and command line.

Used as an MkDocs hook (``hooks:`` in ``mkdocs.yml``): at every build,
:func:`on_files` adds two pages that are not stored in ``docs/``:

- ``scenario-keys.md``: every key of the scenario format with its type,
  default, description and an example, walked from the JSON Schema that
  ``simcenter schema`` prints (one section per kind of mapping, with the key
  paths where it is used);
- ``cli.md``: the help text of ``simcenter`` and of each of its commands, as
  argparse prints it.

Run as a script, it prints the scenario-keys page (``python docs/gen_reference.py``).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any

SCENARIO_KEYS_PAGE = "scenario-keys.md"
CLI_PAGE = "cli.md"

DISTRIBUTIONS_ANCHOR = "distributions"

_DURATION_UNITS = re.compile(r"\(ms\|sec\|min\|s\|h\|d\)")
_CLOCK = re.compile(r"\\d\{1,2\}:\\d\{2\}")
_CALENDAR = re.compile(r"\\d\{4\}-\\d\{2\}-\\d\{2\}")

# Examples for keys whose type alone does not suggest a telling value: (model, key) -> YAML.
_EXAMPLES: dict[tuple[str, str], str] = {
    ("Scenario", "name"): "Retail support",
    ("Scenario", "description"): "Billing and technical support, weekdays",
    ("Scenario", "seed"): "7",
    ("Scenario", "start"): "2026-01-05T08:00",
    ("Scenario", "timezone"): "Europe/Berlin",
    ("Scenario", "horizon"): "8h",
    ("Scenario", "warmup"): "30min",
    ("Scenario", "interval"): "30min",
    ("Scenario", "replications"): "10",
    ("Scenario", "lines"): "40",
    ("QueueSpec", "name"): "billing",
    ("QueueSpec", "priority"): "1",
    ("AgentGroupSpec", "name"): "tier1",
    ("AgentGroupSpec", "count"): "30",
    ("AgentGroupSpec", "skills"): "{billing: 1, tech: 2}",
    ("AgentGroupSpec", "cost_per_hour"): "32",
    ("ArrivalsSpec", "weekdays"): "{sat: 0.5, sun: 0}",
    ("ProfileSpec", "volumes"): "[40, 60, 80, 90]",
    ("StaffingSpec", "counts"): "[8, 10, 13, 14]",
    ("OverflowSpec", "to"): "[tier2]",
    ("TransferSpec", "to"): "tech",
    ("MaxWaitSpec", "to"): "general",
    ("RotationSpec", "skill_sets"): "[[billing], [email]]",
    ("EmpiricalSpec", "values"): "[2min, 3min, 4.5min]",
    ("EmpiricalSpec", "file"): "handle_times.csv",
    ("MixtureSpec", "components"): (
        "[{distribution: constant, mean: 10s}, {distribution: exponential, mean: 2min}]"
    ),
    ("MixtureSpec", "weights"): "[3, 1]",
    ("BalkingSpec", "max_queue"): "20",
    ("Scenario", "service_level"): "{threshold: 20s, target: 0.8}",
    ("Scenario", "routing"): "{agent_selection: priority, contact_selection: priority}",
    ("QueueSpec", "arrivals"): "{rate: 360/h}",
    ("QueueSpec", "handle_time"): "{distribution: lognormal, mean: 4min, cv: 0.6}",
    ("QueueSpec", "wrap_up"): "{distribution: constant, mean: 30s}",
    ("QueueSpec", "patience"): "{distribution: exponential, mean: 2min}",
    ("QueueSpec", "service_level"): "{threshold: 60s, target: 0.7}",
    ("QueueSpec", "routing"): "{repeat_contacts: prefer_last_agent}",
    ("QueueSpec", "balking"): "{max_expected_wait: 5min}",
    ("QueueSpec", "max_wait"): "{after: 2min, outcome: voicemail}",
    ("QueueSpec", "overflow"): "{after: 60s, to: [tier2]}",
    ("QueueSpec", "transfer"): "{probability: 0.1, to: tech}",
    ("QueueSpec", "repeat"): "{probability: 0.2, delay: {distribution: exponential, mean: 1d}}",
    ("AgentGroupSpec", "staffing"): '{start: "08:00", interval: 30min, counts: [8, 10, 13]}',
    ("AgentGroupSpec", "rotation"): "{every: 2h, skill_sets: [[billing], [email]]}",
    ("RepeatSpec", "delay"): "{distribution: exponential, mean: 1d}",
    ("AgentGroupSpec", "shifts"): (
        '[{start: "08:00", end: "16:30", count: 12, days: [mon, tue, wed, thu, fri]}]'
    ),
    ("AgentGroupSpec", "cost_per_contact"): "0.5",
    ("AgentGroupSpec", "overtime_factor"): "1.25",
    ("AgentGroupSpec", "absence"): "{probability: 0.05}",
    ("AgentGroupSpec", "outages"): '[{at: "2026-01-05T10:00", duration: 1h, agents: 5}]',
    ("StaffingSpec", "days"): "{mon: [8, 10, 13], sat: [4, 4]}",
    ("ShiftSpec", "name"): "early",
    ("ShiftSpec", "end"): '"16:30"',
    ("ShiftSpec", "count"): "12",
    ("ShiftSpec", "days"): "[sat, sun]",
    ("ShiftSpec", "timezone"): "Europe/Berlin",
    ("ShiftSpec", "breaks"): '[{at: "12:00", duration: 30min}, {after: 2h, duration: 15min}]',
    ("BreakSpec", "at"): '"12:00"',
    ("BreakSpec", "after"): "2h",
    ("BreakSpec", "duration"): "30min",
    ("OutageSpec", "at"): '"2026-01-05T10:00"',
    ("OutageSpec", "duration"): "1h",
    ("OutageSpec", "agents"): "5",
}

# Examples by key name, for keys of any model whose type alone says too little.
_EXAMPLES_BY_KEY: dict[str, str] = {
    "mean": "4min",
    "every": "2h",
    "after": "45s",
    "interval": "30min",
    "threshold": "60s",
    "affinity_wait": "30s",
    "sd": "3min",
    "low": "30s",
    "high": "90s",
    "max_expected_wait": "5min",
    "probability": "0.1",
    "target": "0.9",
    "cv": "0.8",
    "shape": "1.5",
    "handle_time_factor": "0.75",
    "priority": "2",
}

# Descriptions for keys whose model documents them in prose only: (model, key) -> text.
_DESCRIPTIONS: dict[tuple[str, str], str] = {
    ("LognormalSpec", "cv"): "Coefficient of variation: standard deviation / mean.",
    ("LognormalSpec", "sd"): "Standard deviation (seconds); converted to `cv = sd / mean`.",
    ("GammaSpec", "cv"): "Coefficient of variation: standard deviation / mean.",
    ("WeibullSpec", "shape"): "Shape parameter; at least about 0.012 for a finite variance.",
    ("EmpiricalSpec", "values"): "Observed durations, resampled with replacement.",
    ("EmpiricalSpec", "file"): (
        "CSV file whose first column holds one duration per row (relative to the scenario file)."
    ),
    ("MixtureSpec", "components"): "The distributions mixed.",
    ("MixtureSpec", "weights"): "One weight > 0 per component; normalised to sum to 1.",
}


@dataclass
class Row:
    """One key of a section: its name and the four columns shown."""

    key: str
    type: str
    default: str
    description: str
    example: str


@dataclass
class Section:
    """One kind of mapping of the scenario format (a model of the JSON Schema)."""

    model: str
    title: str
    anchor: str
    description: str
    paths: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)


# --- the schema ------------------------------------------------------------------------


def scenario_schema() -> dict[str, Any]:
    """The JSON Schema of the scenario format, as ``simcenter schema`` prints it."""
    from simcenter.loading import scenario_json_schema

    return scenario_json_schema()


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _is_distribution(prop: dict[str, Any]) -> bool:
    return prop.get("discriminator", {}).get("propertyName") == "distribution"


def _is_time(prop: dict[str, Any]) -> bool:
    """A distribution, or one per period of the day (``handle_time``, ``wrap_up``, ``patience``)."""
    options = prop.get("oneOf", [])
    return bool(options) and _is_distribution(options[0])


def _without_null(options: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [option for option in options if option.get("type") != "null"]


def _references(prop: dict[str, Any], path: str) -> list[tuple[str, str]]:
    """The models a property refers to, each with the key path where it is used."""
    if "$ref" in prop:
        return [(_ref_name(prop["$ref"]), path)]
    found: list[tuple[str, str]] = []
    for option in prop.get("anyOf", []) + prop.get("oneOf", []):
        found += _references(option, path)
    if isinstance(prop.get("items"), dict):
        found += _references(prop["items"], f"{path}[]")
    if isinstance(prop.get("additionalProperties"), dict):
        found += _references(prop["additionalProperties"], f"{path}.<name>")
    return found


def sections(schema: dict[str, Any]) -> list[Section]:
    """One section per model reachable from the top level, in the order first met."""
    models = {"Scenario": schema, **schema.get("$defs", {})}
    found: dict[str, Section] = {}

    def visit(model: str, path: str, stack: tuple[str, ...]) -> None:
        if model not in found:
            found[model] = _section(model, models[model], models)
        if path and path not in found[model].paths:
            found[model].paths.append(path)
        if model in stack:
            return
        for key, prop in models[model].get("properties", {}).items():
            for child, child_path in _references(prop, f"{path}.{key}" if path else key):
                visit(child, child_path, (*stack, model))

    visit("Scenario", "", ())
    distributions = [section for section in found.values() if _is_distribution_model(section)]
    others = [section for section in found.values() if not _is_distribution_model(section)]
    return others + distributions


def _is_distribution_model(section: Section) -> bool:
    """A distribution family: its ``distribution`` key is a constant (not busyness's choice)."""
    return section.title.startswith("Distribution `")


def _section(model: str, definition: dict[str, Any], models: dict[str, Any]) -> Section:
    required = set(definition.get("required", []))
    const = definition.get("properties", {}).get("distribution", {}).get("const")
    title = f"Distribution `{const}`" if const else _title(model)
    section = Section(
        model=model,
        title=title,
        anchor=_anchor(model),
        description=_markdown(definition.get("description", "")),
    )
    for key, prop in definition.get("properties", {}).items():
        section.rows.append(
            Row(
                key=key,
                type=type_text(prop, models),
                default="**required**" if key in required else default_text(model, key, prop),
                description=_markdown(description_text(model, key, prop, models)),
                example=example_text(model, key, prop, models),
            )
        )
    return section


def description_text(model: str, key: str, prop: dict[str, Any], models: dict[str, Any]) -> str:
    """The key's description: its own, else the same key's in another mapping."""
    if prop.get("description"):
        return prop["description"]
    if (model, key) in _DESCRIPTIONS:
        return _DESCRIPTIONS[(model, key)]
    if key == "distribution" and "const" in prop:
        return f"The family: `{prop['const']}`."
    for other, definition in models.items():
        described = definition.get("properties", {}).get(key, {}).get("description")
        if other != model and described:
            return f"As in [{_title(other).lower()}](#{_anchor(other)}): {described}"
    return ""


def _title(model: str) -> str:
    if model == "Scenario":
        return "Top level"
    words = re.sub(r"Spec$", "", model)
    return re.sub(r"(?<!^)(?=[A-Z])", " ", words).capitalize()


def _anchor(model: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", model.lower()).strip("-")


def _markdown(text: str) -> str:
    """Docstring text for a table cell: rST literals as Markdown, one line."""
    return " ".join(text.replace("``", "`").split()).replace("|", "\\|")


# --- one property ----------------------------------------------------------------------


def _kind(prop: dict[str, Any]) -> str | None:
    """``duration``, ``rate``, ``time of day`` or ``calendar time`` for unit-bearing text."""
    patterns = [prop.get("pattern", "")] + [
        option.get("pattern", "") for option in prop.get("anyOf", [])
    ]
    for pattern in patterns:
        if _DURATION_UNITS.search(pattern):
            return "rate" if "/" in pattern else "duration"
        if _CLOCK.search(pattern):
            return "time of day"
        if _CALENDAR.search(pattern):
            return "calendar time"
    return None


def type_text(prop: dict[str, Any], models: dict[str, Any]) -> str:
    """The type of a property in the planner's words, with links to other sections."""
    if "$ref" in prop:
        name = _ref_name(prop["$ref"])
        return f"[{_title(name).lower()}](#{_anchor(name)})"
    if _is_distribution(prop):
        return f"[distribution](#{DISTRIBUTIONS_ANCHOR})"
    if _is_time(prop):
        return f"[distribution](#{DISTRIBUTIONS_ANCHOR}) or [periods](#periodsspec)"
    kind = _kind(prop)
    if kind is not None:
        return kind + _bounds(prop)
    if "anyOf" in prop:
        options = _without_null(prop["anyOf"])
        return " or ".join(type_text(option, models) for option in options)
    if "const" in prop:
        return f"`{prop['const']}`"
    if "enum" in prop:
        return "one of " + ", ".join(f"`{value}`" for value in prop["enum"])
    return _plain_type_text(prop, models)


def _plain_type_text(prop: dict[str, Any], models: dict[str, Any]) -> str:
    kind = prop.get("type")
    if kind == "array":
        text = f"list of {type_text(prop.get('items', {}), models)}"
        if prop.get("minItems"):
            text += f" (at least {prop['minItems']})"
        return text
    if kind == "object":
        keys = prop.get("propertyNames", {}).get("enum")
        names = "`" + "`, `".join(keys) + "`" if keys else "a name"
        value = prop.get("additionalProperties")
        if isinstance(value, dict):
            return f"mapping of {names} to {type_text(value, models)}"
        return "mapping"
    words = {"integer": "integer", "number": "number", "string": "text", "boolean": "flag"}
    return words.get(str(kind), str(kind or "any")) + _bounds(prop)


def _bounds(prop: dict[str, Any]) -> str:
    options = [prop, *prop.get("anyOf", [])]
    low = next((option["minimum"] for option in options if "minimum" in option), None)
    above = next(
        (option["exclusiveMinimum"] for option in options if "exclusiveMinimum" in option), None
    )
    high = next((option["maximum"] for option in options if "maximum" in option), None)
    below = next(
        (option["exclusiveMaximum"] for option in options if "exclusiveMaximum" in option), None
    )
    if low is not None and high is not None:
        return f" from {low:g} to {high:g}"
    if low is not None and below is not None:
        return f" from {low:g} to less than {below:g}"
    if above is not None:
        return f" > {above:g}"
    if low is not None and not (low == 0 and _kind(prop) in ("duration", "rate")):
        return f" ≥ {low:g}"
    return ""


DEFAULTS_IN_WORDS = {
    ("RoutingSpec", "contact_selection"): (
        "`priority` when any agent group gives its skills different levels, else `oldest`"
    ),
}
"""Defaults that depend on the rest of the scenario, in words."""


def default_text(model: str, key: str, prop: dict[str, Any]) -> str:
    """The default of an optional key, written as in a scenario file.

    The JSON Schema omits defaults made by a factory; those come from the
    scenario model itself.
    """
    if (model, key) in DEFAULTS_IN_WORDS:
        return DEFAULTS_IN_WORDS[(model, key)]
    if "$ref" in prop:
        return "the defaults of its keys"
    if "default" in prop:
        value = prop["default"]
    else:
        value = _model_default(model, key)
        if value is _NO_DEFAULT:
            return "—"
    if value is None:
        return "none"
    return f"`{yaml_value(value, _kind(prop))}`"


_NO_DEFAULT = object()


def _model_default(model: str, key: str) -> Any:
    """The default of ``key`` in the pydantic model named ``model``, as plain data."""
    from pydantic import BaseModel

    import simcenter.scenario  # noqa: F401  (defines the models)

    classes: dict[str, type[BaseModel]] = {}
    stack: list[type[BaseModel]] = [BaseModel]
    while stack:
        for subclass in stack.pop().__subclasses__():
            stack.append(subclass)
            if subclass.__module__.startswith("simcenter."):
                classes.setdefault(subclass.__name__, subclass)
    field = classes[model].model_fields.get(key) if model in classes else None
    if field is None or field.is_required():
        return _NO_DEFAULT
    value = field.get_default(call_default_factory=True)
    return value.model_dump(mode="json") if isinstance(value, BaseModel) else value


def yaml_value(value: Any, kind: str | None = None) -> str:
    """A value written as in YAML flow style; durations and rates with their unit."""
    from simcenter.units import format_duration, format_rate

    if kind == "duration" and isinstance(value, int | float):
        return format_duration(float(value))
    if kind == "rate" and isinstance(value, int | float):
        return format_rate(float(value))
    if kind == "time of day" and isinstance(value, int | float):
        return f'"{int(value) // 3600:02d}:{int(value) % 3600 // 60:02d}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {yaml_value(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(yaml_value(item) for item in value) + "]"
    if value == "":
        return '""'
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def example_text(model: str, key: str, prop: dict[str, Any], models: dict[str, Any]) -> str:
    """An example line ``key: value`` for this property."""
    value = _EXAMPLES.get((model, key)) or _EXAMPLES_BY_KEY.get(key)
    if value is None:
        examples = prop.get("examples")
        value = yaml_value(examples[0]) if examples else _example_value(key, prop, models)
    return f"`{key}: {value}`"


def _example_value(key: str, prop: dict[str, Any], models: dict[str, Any]) -> str:
    if "$ref" in prop:
        return _model_example(_ref_name(prop["$ref"]), models)
    if _is_distribution(prop) or _is_time(prop):
        return "{distribution: exponential, mean: 4min}"
    kind = _kind(prop)
    by_kind = {
        "duration": "2min",
        "rate": "360/h",
        "time of day": '"08:00"',
        "calendar time": "2026-01-05T08:00",
    }
    if kind in by_kind:
        return by_kind[kind]
    if "anyOf" in prop:
        return _example_value(key, _without_null(prop["anyOf"])[0], models)
    if "const" in prop:
        return str(prop["const"])
    if "enum" in prop:
        choices = [value for value in prop["enum"] if value != prop.get("default")]
        return str((choices or prop["enum"])[-1])
    return _plain_example(prop)


def _plain_example(prop: dict[str, Any]) -> str:
    kind = prop.get("type")
    if kind == "boolean":
        return "true"
    if kind == "integer":
        return str(max(1, int(prop.get("minimum", 1))))
    if kind == "number":
        high = prop.get("maximum")
        return "0.8" if high == 1 else "1.2"
    if kind == "array":
        return f"[{_plain_example(prop.get('items', {}))}]"
    if kind == "string":
        return "billing"
    return "…"


def _model_example(model: str, models: dict[str, Any]) -> str:
    definition = models[model]
    required = definition.get("required", [])
    parts = [
        f"{key}: {_EXAMPLES.get((model, key)) or _example_value(key, prop, models)}"
        for key, prop in definition.get("properties", {}).items()
        if key in required
    ]
    return "{" + ", ".join(parts) + "}"


# --- the pages -------------------------------------------------------------------------


def scenario_keys_page(schema: dict[str, Any] | None = None) -> str:
    """The Markdown page of every scenario key, generated from the JSON Schema."""
    found = sections(schema or scenario_schema())
    lines = [
        "# Scenario keys",
        "",
        "Every key of the scenario format, generated from the JSON Schema of this",
        "version (`simcenter schema`). Each section is one kind of mapping, with the",
        "key paths where it is used (`[]` is any entry of a list, `<name>` any key",
        "of a mapping). Durations take a unit (`20s`, `4.5min`, `2h`, `1d`) or are",
        "plain seconds; rates take a unit (`360/h`) or are per second. For what the",
        "keys mean together, with the checks across keys and the error messages, see",
        "[the scenario file](scenario.md).",
        "",
        "Sections: " + ", ".join(f"[{section.title}](#{section.anchor})" for section in found),
        "",
    ]
    first_distribution = next(
        (index for index, section in enumerate(found) if _is_distribution_model(section)), None
    )
    for index, section in enumerate(found):
        if index == first_distribution:
            lines += _distributions_intro(section.paths)
        lines += _section_lines(section)
    return "\n".join(lines)


def _distributions_intro(paths: list[str]) -> list[str]:
    return [
        f"## Distributions {{#{DISTRIBUTIONS_ANCHOR}}}",
        "",
        "A distribution is a mapping whose `distribution` key names the family; the",
        "other keys are its parameters. Continuous families are given by their `mean`.",
        "",
        "Used at: " + ", ".join(f"`{path}`" for path in paths),
        "",
    ]


def _section_lines(section: Section) -> list[str]:
    level = "###" if _is_distribution_model(section) else "##"
    lines = [f"{level} {section.title} {{#{section.anchor}}}", ""]
    if section.description:
        lines += [section.description, ""]
    if section.paths and level == "##":
        lines += ["Used at: " + ", ".join(f"`{path}`" for path in section.paths), ""]
    lines += ["| key | type | default | description | example |", "| --- | --- | --- | --- | --- |"]
    lines += [
        f"| `{row.key}` | {row.type} | {row.default} | {row.description} | {row.example} |"
        for row in section.rows
    ]
    return [*lines, ""]


def cli_help(*arguments: str) -> str:
    """The help text that ``simcenter ARGUMENTS --help`` prints (88 columns wide)."""
    from simcenter.cli import main

    output = io.StringIO()
    width = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "88"
    try:
        with contextlib.redirect_stdout(output), contextlib.suppress(SystemExit):
            main([*arguments, "--help"])
    finally:
        if width is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = width
    return output.getvalue().rstrip()


def cli_commands(main_help: str) -> list[str]:
    """The command names listed in the usage line of ``simcenter --help``."""
    match = re.search(r"\{([\w,-]+)\}", main_help)
    return match[1].split(",") if match else []


def cli_page() -> str:
    """The Markdown page of the command line, from argparse's help texts."""
    main_help = cli_help()
    lines = [
        "# Command line",
        "",
        "The help of `simcenter` and of each command, as `--help` prints it in this",
        "version. Exit codes: 0 ok, 2 bad input (every problem is printed, no",
        "traceback), 1 internal error.",
        "",
        "```text",
        main_help,
        "```",
        "",
    ]
    for command in cli_commands(main_help):
        lines += [f"## simcenter {command}", "", "```text", cli_help(command), "```", ""]
    return "\n".join(lines)


# --- the MkDocs hook -------------------------------------------------------------------


def on_files(files: Any, config: Any) -> Any:
    """MkDocs hook: add the generated reference pages to the site."""
    from mkdocs.structure.files import File

    files.append(File.generated(config, SCENARIO_KEYS_PAGE, content=scenario_keys_page()))
    files.append(File.generated(config, CLI_PAGE, content=cli_page()))
    return files


if __name__ == "__main__":
    print(scenario_keys_page())
    print(json.dumps([section.model for section in sections(scenario_schema())]))
