"""Default output folder names: letters of every script kept, every path trick defused.

A table of scenario names (accented, non-Latin, and the hostile names of the
safety tests) with the folder each must give, a property over any text (the
slug is always one plain, visible path component inside ``results/``), and
two runs that write their folders under accented and Chinese names.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from safety import TINY, run_cli, write

from simcenter.outdir import default_outdir, slug

NAMES = [
    # accents: Latin letters lose them
    ("Café Réseau – Zürich", "Cafe-Reseau-Zurich"),
    ("cafe\u0301", "cafe"),  # decomposed é
    ("Łódź & Kraków", "Łodz-Krakow"),  # Ł has no accent to remove
    ("Straße", "Straße"),
    ("ÉQUIPE", "EQUIPE"),
    # other scripts: kept, with their marks
    ("上海客服中心", "上海客服中心"),
    ("Москва поддержка", "Москва-поддержка"),
    ("Ελλάδα", "Ελλάδα"),
    ("नमस्ते दुनिया", "नमस्ते-दुनिया"),
    ("مركز الاتصال", "مركز-الاتصال"),
    ("שָׁלוֹם", "שָׁלוֹם"),
    ("고객센터", "고객센터"),
    # compatibility forms are folded first
    ("ｆｕｌｌ ｗｉｄｔｈ", "full-width"),
    ("x²", "x2"),
    # path tricks (the names of tests/test_safety_output.py and more)
    ("../../x", "x"),
    (".", "scenario"),
    ("..", "scenario"),
    ("/var/abs", "var-abs"),
    ("Retail support / EU", "Retail-support-EU"),
    (".hidden", "hidden"),
    ("x/../y", "x-..-y"),
    ("C:\\Windows\\system32", "C-Windows-system32"),
    ("\\\\server\\share", "server-share"),
    ("／etc／passwd", "etc-passwd"),  # full-width solidus
    ("．．／x", "x"),  # full-width dots
    ("a\u2215b", "a-b"),  # division slash
    ("~/x", "x"),
    ("$HOME", "HOME"),
    ("nul\x00byte", "nul-byte"),
    ("red\x1b[31m", "red-31m"),
    ("a\u202eb", "a-b"),  # right-to-left override
    ("sup\u200bport", "sup-port"),  # zero-width space
    ("line\nbreak", "line-break"),
    ("\u0301accent first", "accent-first"),
    ("CON", "_CON"),
    ("nul.txt", "_nul.txt"),
    ("😀", "scenario"),
    ("", "scenario"),
    ("-rf", "rf"),
    ("a" * 200, "a" * 80),
    ("字" * 100, "字" * 66),  # 198 bytes of UTF-8: at most 200
]


@pytest.mark.parametrize(("name", "folder"), NAMES)
def test_the_folder_of_a_name(name: str, folder: str) -> None:
    assert slug(name) == folder
    assert default_outdir(name) == Path("results") / folder


def plain_component(text: str) -> bool:
    """One visible path component: no separator, not hidden, not ``.``/``..``, short enough."""
    return (
        bool(text)
        and not text.startswith((".", "-"))
        and not text.endswith((".", "-"))
        and len(text) <= 80
        and len(text.encode()) <= 200
        and all(
            unicodedata.category(char)[0] in "LNM" or char in "-_." for char in text
        )
    )


@given(st.text(max_size=300))
def test_every_name_gives_one_plain_folder_inside_results(name: str) -> None:
    folder = slug(name)
    assert plain_component(folder)
    root = Path("results").resolve()
    assert (root / folder).resolve().parent == root
    assert slug(folder) == folder  # a slug is its own slug


NON_LATIN = (
    "".join(map(chr, range(0x4E00, 0x4F00)))  # CJK ideographs
    + "".join(map(chr, range(0x0410, 0x0450)))  # Cyrillic
    + "αβγδεζηθικλμνξοπρστυφχψω"
    + "".join(map(chr, range(0xAC00, 0xAD00)))  # Hangul syllables
    + "".join(map(chr, range(0x0627, 0x063B)))  # Arabic letters
    + "0123456789_"
)


@given(st.text(alphabet=NON_LATIN, min_size=1, max_size=60))
def test_letters_and_digits_of_other_scripts_are_kept(name: str) -> None:
    assert slug(name) == name


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("name", "folder"),
    [("Café Réseau – Zürich", "Cafe-Reseau-Zurich"), ("上海客服中心", "上海客服中心")],
)
def test_a_run_writes_its_folder_under_the_name(
    here: Path, capsys: pytest.CaptureFixture[str], name: str, folder: str
) -> None:
    write(here, TINY.replace("name: tiny", f"name: {json.dumps(name, ensure_ascii=False)}"))

    code, out, _ = run_cli(capsys, "run", "scenario.yaml", "--no-plots")

    assert code == 0
    assert [path.name for path in (here / "results").iterdir()] == [folder]
    assert (here / "results" / folder / "summary.csv").is_file()
    assert f"results written to {Path('results') / folder}" in out
