"""Safe text: names as users mean them, terminal output without control codes, CSV cells.

- :func:`canonical_name` is a name as simcenter keeps it: trimmed and in
  Unicode NFC form, so names that look the same are the same.
- :func:`hidden_character` finds the control or invisible (zero-width,
  bidirectional) characters that no name may contain.
- :func:`printable` escapes such characters before text goes to a terminal,
  so that a scenario can never send escape sequences to it.
- :func:`csv_safe` escapes the text cells of a table that a spreadsheet
  would read as a formula; :func:`with_names_restored` undoes it for the
  names of a run when simcenter reads its own tables back.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    import pandas as pd

_HIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
"""Unicode categories of characters that do not show: controls, formats (zero-width,
bidirectional marks), surrogates, private use, unassigned, line and paragraph separators."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula."""


def canonical_name(name: str) -> str:
    """A name as simcenter keeps and compares it: surrounding spaces removed, Unicode NFC."""
    return unicodedata.normalize("NFC", name.strip())


def hidden_character(text: str) -> tuple[int, str] | None:
    """The first control or invisible character of ``text``: (1-based position, ``U+XXXX`` name).

    Returns None when every character shows.
    """
    for position, char in enumerate(text, 1):
        if unicodedata.category(char) in _HIDDEN_CATEGORIES:
            return position, _code_point(char)
    return None


def printable(text: str, keep_newlines: bool = False) -> str:
    """``text`` with every control or invisible character written as an escape (``\\x1b``).

    Args:
        text: Any text.
        keep_newlines: Keep ``\\n`` as is (text of several lines).
    """
    if text.isprintable():
        return text
    return "".join(
        char
        if (keep_newlines and char == "\n") or unicodedata.category(char) not in _HIDDEN_CATEGORIES
        else _escape(char)
        for char in text
    )


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """The table with text cells that would start a spreadsheet formula prefixed by ``'``.

    Only text cells change (a negative number stays a number); ``frame`` is
    not modified.
    """
    import pandas as pd

    columns = [
        name
        for name in frame.columns
        if pd.api.types.is_object_dtype(frame[name])
        or pd.api.types.is_string_dtype(frame[name])
        or isinstance(frame[name].dtype, pd.CategoricalDtype)
    ]
    if not columns:
        return frame
    escaped = frame.copy()
    for name in columns:
        escaped[name] = frame[name].map(_safe_cell)
    return escaped


def with_names_restored(frame: pd.DataFrame, names: Iterable[str]) -> pd.DataFrame:
    """A table read back from a CSV file with the escaped cells of ``names`` restored.

    A queue named ``=total`` is written ``'=total`` (:func:`csv_safe`); read
    back, it is ``=total`` again, so that it matches the scenario's names.
    Only text cells equal to an escaped name change; ``frame`` is not modified.
    """
    escaped = {_safe_cell(name): name for name in names if _safe_cell(name) != name}
    if not escaped:
        return frame
    restored = frame.copy()
    for column in frame.columns:
        if _is_text(frame[column]):
            restored[column] = frame[column].map(lambda cell: escaped.get(cell, cell))
    return restored


def _is_text(column: pd.Series) -> bool:
    """Whether a column holds text (object or string dtype)."""
    import pandas as pd

    return pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column)


def _safe_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _code_point(char: str) -> str:
    return f"U+{ord(char):04X}"


def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"
