"""Loading scenarios: YAML with line numbers, problems located as ``FILE:LINE key.path``.

The YAML dialect is YAML 1.2 for the scalars planners write: ``8:00`` and
``2026-01-05T08:00`` stay text, ``yes/no/on/off`` are text, only
``true/false`` are booleans and ``010`` is ten. A key written twice in one
mapping is a problem, never silently resolved.

Every problem of a file is reported at once, sorted by line::

    scenario.yaml:14 queues[0].handle_time.mean: "4 minutes" is not a duration

The loader reads only regular files of at most :data:`MAX_FILE_BYTES`, and a
document may hold at most :data:`MAX_VALUES` values once its aliases are
expanded and nest at most :data:`MAX_DEPTH` levels deep (docs/limits.md), so
that no file can make it hang or fill the memory.
"""

from __future__ import annotations

import functools
import math
import os
import re
import stat
from collections.abc import Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError

from simcenter.errors import Location, Problem, ScenarioError
from simcenter.scenario import QueueSpec, Scenario, build_scenario
from simcenter.scenario.model import set_path
from simcenter.scenario.templates import Expansion, expand_templates, template_json_schema
from simcenter.scenario.values import MAX_FILE_BYTES

MAX_VALUES = 1_000_000
"""Most values (keys, items and scalars) in a document once its aliases are expanded."""

MAX_DEPTH = 100
"""Deepest nesting of mappings and lists in a document, aliases expanded."""

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
        self.depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        """Compose one node, refusing to nest deeper than :data:`MAX_DEPTH`."""
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise YamlLimitError(
                    f"the document nests deeper than {MAX_DEPTH} levels",
                    self.peek_event().start_mark,
                )
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

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


class YamlLimitError(yaml.MarkedYAMLError):
    """A document beyond the loader's limits (depth, size, alias expansion)."""

    def __init__(self, message: str, mark: yaml.Mark | None = None) -> None:
        super().__init__(problem=message, problem_mark=mark)


def _check_expansion(root: yaml.Node) -> None:
    """Refuse a node graph that aliases expand beyond :data:`MAX_VALUES` or :data:`MAX_DEPTH`.

    Walks the graph once (each shared node once), computing the size and the
    depth its expansion would have.

    Raises:
        YamlLimitError: Too many values, too deep, or a value that contains itself.
    """
    sizes: dict[int, tuple[int, int]] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            on_path.discard(key)
            children = [sizes[id(child)] for child in _node_children(node)]
            size = 1 + sum(size for size, _ in children)
            depth = 1 + max((depth for _, depth in children), default=0)
            if size > MAX_VALUES:
                raise YamlLimitError(
                    f"the document expands to more than {MAX_VALUES:,} values "
                    "(are aliases repeating a large part?)",
                    node.start_mark,
                )
            if depth > MAX_DEPTH:
                raise YamlLimitError(
                    f"the document nests deeper than {MAX_DEPTH} levels once its aliases "
                    "are expanded",
                    node.start_mark,
                )
            sizes[key] = (size, depth)
        elif key in on_path:
            raise YamlLimitError("a value contains itself through an alias", node.start_mark)
        elif key not in sizes:
            nodes = _node_children(node)
            if not nodes:  # a scalar or an empty container
                sizes[key] = (1, 1)
                continue
            on_path.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in nodes)


def _node_children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


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
        _check_expansion(node)
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
    if isinstance(error, YamlLimitError):
        mark = error.problem_mark
        return Problem((), str(error.problem), line=None if mark is None else mark.line + 1)
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


def load_scenario(
    source: str | os.PathLike[str] | Mapping[str, Any],
    overrides: Mapping[str, Any] | Iterable[str] = (),
) -> Scenario:
    """Read and validate a scenario from a YAML file or a mapping, with overrides.

    Relative file names inside a scenario file (``empirical {file: x.csv}``)
    are resolved against the scenario file's folder; inside a mapping, against
    the working directory.

    Args:
        source: Path of a YAML file, or the scenario as a mapping.
        overrides: Values that replace those of the source before it is
            validated: a mapping of dotted key paths (as
            :meth:`Scenario.with_overrides`) or command-line ``key=value``
            pairs (as :func:`load_overrides`).

    Returns:
        The validated scenario.

    Raises:
        ScenarioError: With every problem found, of the file and of the
            overrides together, each naming the file as given, the line and
            the key path (``scenario.yaml:14 queues[0].handle_time.mean: "4
            minutes" is not a duration``), sorted by line. A problem caused by
            an override has the line of the key it changes and names the
            override. A missing file is ``scenario.yaml: file not found``.
    """
    if isinstance(source, Mapping):
        values, labels, pair_problems = _overrides(overrides)
        return _build(YamlDocument(_tree_copy(source)), None, None, values, labels, pair_problems)
    return read_scenario(source, overrides).scenario


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


def read_scenario(
    source: str | os.PathLike[str], overrides: Mapping[str, Any] | Iterable[str] = ()
) -> ScenarioFile:
    """Read and validate a scenario file, keeping the line of each key (for warnings).

    Args:
        source: Path of a YAML file.
        overrides: As :func:`load_scenario`.

    Raises:
        ScenarioError: As :func:`load_scenario`.
    """
    values, labels, pair_problems = _overrides(overrides)
    name = os.fspath(source)
    path = Path(name)
    try:
        text = _read_text(path, name)
        document = parse_yaml(text)
    except ScenarioError as error:
        raise ScenarioError(error.problems + pair_problems) from None
    except yaml.YAMLError as error:
        problem = replace(_yaml_problem(error, text), file=name)
        raise ScenarioError([problem, *pair_problems]) from None
    if document.data is None:
        empty = Problem((), "file is empty (expected a scenario)", file=name)
        raise ScenarioError([empty, *pair_problems])
    document = replace(document, data=_tree_copy(document.data))
    scenario = _build(document, name, path.parent, values, labels, pair_problems)
    return ScenarioFile(scenario, name, document)


def _overrides(
    overrides: Mapping[str, Any] | Iterable[str],
) -> tuple[dict[str, Any], dict[str, str], list[Problem]]:
    """Overrides as a mapping, how messages name each, and the problems of malformed pairs."""
    if isinstance(overrides, Mapping):
        return dict(overrides), {key: f"override {key}" for key in overrides}, []
    values: dict[str, Any] = {}
    labels: dict[str, str] = {}
    problems: list[Problem] = []
    for pair in overrides:
        try:
            values |= load_overrides([pair])
        except ScenarioError as error:
            problems += error.problems
        else:
            labels[pair.partition("=")[0].strip()] = f"--set {pair}"
    return values, labels, problems


def _tree_copy(data: Any) -> Any:
    """A copy of parsed data in which no container is shared (aliases expanded).

    Overrides then change one place only, not every place an alias repeats.
    """
    if isinstance(data, Mapping):
        return {key: _tree_copy(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_tree_copy(item) for item in data]
    return data


def _read_text(path: Path, name: str) -> str:
    """The text of a regular file of at most :data:`MAX_FILE_BYTES`, or a ScenarioError.

    Anything but a regular file (a folder, a FIFO, a device) is refused
    before it is opened, so that reading can never block or run forever.
    """
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            message = "is a folder, not a scenario file"
        elif not stat.S_ISREG(info.st_mode):
            message = "is not a regular file (a pipe or device?); give a scenario file"
        elif info.st_size > MAX_FILE_BYTES:
            message = f"is larger than {MAX_FILE_BYTES:,} bytes (got {info.st_size:,})"
        else:
            with path.open("rb") as file:
                data = file.read(MAX_FILE_BYTES + 1)
            if len(data) > MAX_FILE_BYTES:
                raise ScenarioError(
                    [Problem((), f"is larger than {MAX_FILE_BYTES:,} bytes", file=name)]
                )
            return data.decode("utf-8")
    except FileNotFoundError:
        message = "file not found"
    except IsADirectoryError:
        message = "is a folder, not a scenario file"
    except UnicodeDecodeError as error:
        message = f"is not UTF-8 text (invalid byte at position {error.start})"
    except ValueError:
        message = "is not a valid file name"
    except OSError as error:
        message = f"cannot read the file ({error.strerror})"
    raise ScenarioError([Problem((), message, file=name)])


def _build(
    document: YamlDocument,
    name: str | None,
    base_dir: Path | None,
    overrides: Mapping[str, Any],
    labels: Mapping[str, str],
    pair_problems: list[Problem],
) -> Scenario:
    """Apply the overrides and validate; problems get the file name, their line and override.

    ``pair_problems`` (malformed ``key=value`` pairs) are listed last, without a line.
    """
    problems = list(document.problems)
    data = document.data
    changed: dict[Location, str] = {}
    for key, value in overrides.items():
        problem, loc = set_path(data, key, value)
        if problem is not None:
            problems.append(problem)
        else:
            changed[loc] = labels.get(key, key)
    try:
        scenario = build_scenario(data, base_dir)
    except ScenarioError as error:
        problems += error.problems
    if problems:
        located = [
            replace(
                _credit(problem, changed),
                file=name,
                line=problem.line or (document.line_of(problem.loc) if name else None),
            )
            for problem in problems
        ]
        located.sort(key=lambda problem: (problem.line is None, problem.line or 0))
        raise ScenarioError(located + pair_problems)
    if pair_problems:
        raise ScenarioError(pair_problems)
    return scenario


def _credit(problem: Problem, changed: Mapping[Location, str]) -> Problem:
    """Name the override that set the value a problem is about (the longest matching path)."""
    for depth in range(len(problem.loc), 0, -1):
        key = changed.get(problem.loc[:depth])
        if key is not None:
            return replace(problem, message=f"{problem.message} (set by {key})")
    return problem


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
