"""Loading scenarios: YAML with line numbers, problems located as ``FILE:LINE key.path``.

The YAML dialect is YAML 1.2 for the scalars planners write: ``8:00`` and
``2026-01-05T08:00`` stay text, ``yes/no/on/off`` are text, only
``true/false`` are booleans and ``010`` is ten. A key written twice in one
mapping is a problem, never silently resolved.

Every problem of a file is reported at once, sorted by line::

    scenario.yaml:14 queues[0].handle_time.mean: "4 minutes" is not a duration
"""

from __future__ import annotations

import functools
import math
import os
import re
from collections.abc import Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError

from simcenter.errors import Location, Problem, ScenarioError
from simcenter.scenario import QueueSpec, Scenario, build_scenario
from simcenter.scenario.templates import Expansion, expand_templates, template_json_schema

_MERGE_TAG = "tag:yaml.org,2002:merge"
_REPLACED_TAGS = {
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:value",
}
_SPECIAL_FLOATS = {".inf": math.inf, "+.inf": math.inf, "-.inf": -math.inf, ".nan": math.nan}


# --- YAML -----------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """A SafeLoader with YAML 1.2 core-schema scalars that remembers where things are.

    Attributes:
        children: ``id(container) -> (container, {key or index: line})`` for every
            mapping and sequence built; the container is kept alive so that its
            id cannot be reused.
        duplicates: ``(mapping, key, line, first line)`` of every repeated key;
            the mapping keeps the first value.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.children: dict[int, tuple[Any, dict[Any, int]]] = {}
        self.duplicates: list[tuple[dict[Any, Any], Any, int, int]] = []

    def construct_lined_mapping(self, node: yaml.MappingNode) -> Iterator[dict[Any, Any]]:
        """Build a mapping, noting the line of each key and every duplicate key."""
        data: dict[Any, Any] = {}
        yield data
        own_keys: dict[Any, int] = {}
        own_pairs = {id(pair) for pair in node.value if pair[0].tag != _MERGE_TAG}
        self.flatten_mapping(node)  # resolves "<<" merges; merged pairs come first
        lines: dict[Any, int] = {}
        for pair in node.value:
            key_node, value_node = pair
            key = self.construct_object(key_node)
            if not isinstance(key, Hashable):
                raise ConstructorError(
                    None, None, "a key must be a text or number", key_node.start_mark
                )
            line = key_node.start_mark.line + 1
            if id(pair) in own_pairs:
                if key in own_keys:  # reported; the first value is kept
                    self.duplicates.append((data, key, line, own_keys[key]))
                    continue
                own_keys[key] = line
            lines[key] = line
            data[key] = self.construct_object(value_node)
        self.children[id(data)] = (data, lines)

    def construct_lined_sequence(self, node: yaml.SequenceNode) -> Iterator[list[Any]]:
        """Build a sequence, noting the line of each item."""
        data: list[Any] = []
        yield data
        data.extend(self.construct_object(item) for item in node.value)
        lines = {index: item.start_mark.line + 1 for index, item in enumerate(node.value)}
        self.children[id(data)] = (data, lines)

    def construct_core_int(self, node: yaml.ScalarNode) -> int:
        """YAML 1.2 integers: decimal (``010`` is ten), ``0o17`` and ``0x1F``."""
        text = self.construct_scalar(node)
        base = {"0o": 8, "0x": 16}.get(text[:2].lower(), 10)
        try:
            return int(text[2:] if base != 10 else text, base)
        except ValueError:
            raise ConstructorError(
                None, None, f'"{text}" is not an integer', node.start_mark
            ) from None

    def construct_core_float(self, node: yaml.ScalarNode) -> float:
        """YAML 1.2 floats: ``1.5``, ``.5``, ``1e3``, ``.inf``, ``-.inf``, ``.nan``."""
        text = self.construct_scalar(node)
        if text.lower() in _SPECIAL_FLOATS:
            return _SPECIAL_FLOATS[text.lower()]
        try:
            return float(text)
        except ValueError:
            raise ConstructorError(
                None, None, f'"{text}" is not a number', node.start_mark
            ) from None


def _core_schema_resolvers() -> dict[Any, list[tuple[str, re.Pattern[str]]]]:
    """SafeLoader's implicit resolvers without its YAML 1.1 bool/int/float/timestamp rules."""
    return {
        first: [(tag, pattern) for tag, pattern in resolvers if tag not in _REPLACED_TAGS]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


_Loader.yaml_implicit_resolvers = _core_schema_resolvers()
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    list("-+0123456789"),
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)
_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_lined_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_lined_sequence)
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_core_int)
_Loader.add_constructor("tag:yaml.org,2002:float", _Loader.construct_core_float)


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML document and the line of every key in it.

    Attributes:
        data: The document's value (None for an empty document).
        lines: 1-based line of every key path that exists in ``data``; the
            empty path is the line where the document's value starts.
        problems: Duplicate keys, each with its line.
    """

    data: Any
    lines: dict[Location, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def line_of(self, loc: Location) -> int | None:
        """Line of the deepest existing node on ``loc`` (for a missing key, its parent's line)."""
        for depth in range(len(loc), -1, -1):
            line = self.lines.get(loc[:depth])
            if line is not None:
                return line
        return None


def parse_yaml(text: str) -> YamlDocument:
    """Parse one YAML document, noting lines and duplicate keys.

    Raises:
        yaml.YAMLError: The text is not valid YAML (with a mark for most errors).
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(None)
        data = loader.construct_document(node)
    finally:
        loader.dispose()
    return _locate(data, node.start_mark.line + 1, loader)


def _locate(data: Any, root_line: int, loader: _Loader) -> YamlDocument:
    """Walk the built document once, giving each key path its line."""
    lines: dict[Location, int] = {(): root_line}
    paths: dict[int, Location] = {}
    stack: list[tuple[Location, Any]] = [((), data)]
    while stack:
        path, value = stack.pop()
        if id(value) not in loader.children or id(value) in paths:
            continue  # a scalar, or a container already reached through an alias
        paths[id(value)] = path
        for key, line in loader.children[id(value)][1].items():
            lines[(*path, key)] = line
            stack.append(((*path, key), value[key]))
    problems = [
        Problem(paths[id(mapping)], f'duplicate key "{key}" (first on line {first})', line=line)
        for mapping, key, line, first in loader.duplicates
        if id(mapping) in paths
    ]
    return YamlDocument(data, lines, problems)


def _yaml_problem(error: yaml.YAMLError, text: str, column_offset: int = 0) -> Problem:
    """A short, traceback-free description of a YAML syntax error, at its line.

    ``column_offset`` is added to the reported column (for text cut out of a longer line).
    """
    if isinstance(error, yaml.reader.ReaderError):
        line = text.count("\n", 0, error.position) + 1
        return Problem((), f"invalid YAML: {str(error).splitlines()[0]}", line=line)
    if not isinstance(error, yaml.MarkedYAMLError):
        return Problem((), f"invalid YAML: {str(error).splitlines()[0]}")
    parts = [error.problem or "syntax error"]
    if error.context and not error.context.startswith("while"):
        parts.insert(0, error.context)
    message = f"invalid YAML: {', '.join(parts)}"
    mark = error.problem_mark or error.context_mark
    if mark is None:
        return Problem((), message)
    if "\\t" in message:
        message += "; indent with spaces, not tabs"
    return Problem((), f"{message} (column {mark.column + 1 + column_offset})", line=mark.line + 1)


# --- scenarios ------------------------------------------------------------------


def load_scenario(source: str | os.PathLike[str] | Mapping[str, Any]) -> Scenario:
    """Read and validate a scenario from a YAML file or a mapping.

    Relative file names inside a scenario file (``empirical {file: x.csv}``)
    are resolved against the scenario file's folder; inside a mapping, against
    the working directory.

    Args:
        source: Path of a YAML file, or the scenario as a mapping.

    Returns:
        The validated scenario.

    Raises:
        ScenarioError: With every problem found, each naming the file as
            given, the line and the key path (``scenario.yaml:14
            queues[0].handle_time.mean: "4 minutes" is not a duration``),
            sorted by line. A missing file is ``scenario.yaml: file not found``.
    """
    if isinstance(source, Mapping):
        return build_scenario(source)
    return read_scenario(source).scenario


@dataclass(frozen=True)
class ScenarioFile:
    """A scenario read from a file, and where each of its keys was written.

    Attributes:
        scenario: The validated scenario.
        file: The file name as given.
        document: The parsed file, with the line of every key.
    """

    scenario: Scenario
    file: str
    document: YamlDocument

    def line_of(self, loc: Location) -> int | None:
        """Line where the value at key path ``loc`` of the scenario was written.

        A value that a queue took from its template is found in the template;
        a key left out (a default) gives the line of the nearest written parent.
        """
        return self.document.line_of(self.source_of(loc))

    def source_of(self, loc: Location) -> Location:
        """Key path in the file of the value at ``loc`` (inside a template, if it came from one)."""
        return self._expansion.source_of(loc)

    @functools.cached_property
    def _expansion(self) -> Expansion:
        return expand_templates(self.document.data, QueueSpec.model_fields)

    def locate(self, problem: Problem) -> Problem:
        """``problem`` at the key path and line where its value was written, with the file name."""
        loc = self.source_of(problem.loc)
        return replace(problem, loc=loc, file=self.file, line=self.document.line_of(loc))


def read_scenario(source: str | os.PathLike[str]) -> ScenarioFile:
    """Read and validate a scenario file, keeping the line of each key (for warnings).

    Raises:
        ScenarioError: As :func:`load_scenario`.
    """
    name = os.fspath(source)
    path = Path(name)
    text = _read_text(path, name)
    try:
        document = parse_yaml(text)
    except yaml.YAMLError as error:
        raise ScenarioError([replace(_yaml_problem(error, text), file=name)]) from None
    if document.data is None:
        raise ScenarioError([Problem((), "file is empty (expected a scenario)", file=name)])
    return ScenarioFile(_build(document, name, path.parent), name, document)


def _read_text(path: Path, name: str) -> str:
    """The file's text, or a ScenarioError naming the file as the user gave it."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        message = "file not found"
    except IsADirectoryError:
        message = "is a folder, not a scenario file"
    except UnicodeDecodeError as error:
        message = f"is not UTF-8 text (invalid byte at position {error.start})"
    except OSError as error:
        message = f"cannot read the file ({error.strerror})"
    raise ScenarioError([Problem((), message, file=name)])


def _build(document: YamlDocument, name: str, base_dir: Path) -> Scenario:
    """Validate a parsed document; problems get the file name and their line."""
    problems = list(document.problems)
    try:
        scenario = build_scenario(document.data, base_dir)
    except ScenarioError as error:
        problems += error.problems
    if problems:
        located = [
            replace(problem, file=name, line=problem.line or document.line_of(problem.loc))
            for problem in problems
        ]
        located.sort(key=lambda problem: (problem.line is None, problem.line or 0))
        raise ScenarioError(located)
    return scenario


def load_overrides(pairs: Iterable[str]) -> dict[str, Any]:
    """Parse command-line ``--set key=value`` pairs for :meth:`Scenario.with_overrides`.

    The value is read as YAML, like a value in a scenario file
    (``agents.tier1.count=32`` gives the integer 32,
    ``queues.billing.patience={distribution: constant, mean: 2min}`` a
    mapping, ``start=2026-01-05T08:00`` text); quote text that contains
    ``": "``. An empty value is null. A later pair for the same key wins.

    Raises:
        ScenarioError: Every malformed pair, e.g. ``--set "x": expected key=value``.
    """
    overrides: dict[str, Any] = {}
    problems = []
    for pair in pairs:
        key, equals, text = pair.partition("=")
        key = key.strip()
        if not equals or not key or not all(part.strip() for part in key.split(".")):
            problems.append(Problem((), f'--set "{pair}": expected key=value'))
            continue
        try:
            overrides[key] = _override_value(text)
        except yaml.YAMLError as error:
            problem = _yaml_problem(error, text, column_offset=len(pair) - len(text))
            problems.append(Problem((), f'--set "{pair}": {problem.message}'))
    if problems:
        raise ScenarioError(problems)
    return overrides


def _override_value(text: str) -> Any:
    document = parse_yaml(text)
    if document.problems:
        raise yaml.YAMLError(document.problems[0].message)
    return document.data


# --- JSON Schema ----------------------------------------------------------------


def scenario_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of the scenario format, for editors.

    Durations accept a number of seconds or text with a unit (``"20s"``),
    rates a number per second or text (``"360/h"``); each key carries the
    description from the model's docstring.
    """
    schema = Scenario.model_json_schema()
    for model in (schema, *schema.get("$defs", {}).values()):
        _describe_properties(model)
    templates = schema["properties"]["templates"]
    templates["additionalProperties"] = template_json_schema(schema["$defs"]["QueueSpec"])
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
        "title": "simcenter scenario",
    }


def _describe_properties(model: dict[str, Any]) -> None:
    """Move the ``Attributes:`` of a model's docstring onto its properties."""
    summary, _, section = model.get("description", "").partition("Attributes:")
    model["description"] = summary.strip()
    name = None
    notes: dict[str, str] = {}
    for line in section.splitlines():
        match = re.fullmatch(r"\s{4}(\w+): (.*)", line)
        if match:
            name = match[1]
            notes[name] = match[2]
        elif name is not None and line.strip():
            notes[name] += " " + line.strip()
    for key, note in notes.items():
        prop = model.get("properties", {}).get(key)
        if prop is not None:
            prop["description"] = f"{note} {prop.get('description', '')}".strip()
