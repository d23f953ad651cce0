"""Output folders: where a run may write, and how its files replace an earlier run's.

The rules (docs/outputs.md):

- The default folder is ``results/<slug>`` where the slug is made from the
  scenario name (:func:`slug`), so a name can never point outside ``results/``.
- A run writes into a folder only if it does not exist, is empty, or was
  written by simcenter: such a folder holds a marker file (:data:`MARKER`)
  listing every file of the run, written last, so a folder with a marker is
  complete. Anything else is refused before simulating (:func:`prepare`).
- simcenter never deletes a file it did not write: a simcenter folder that
  holds other files is refused too.
- The files are written into a staging folder next to the output folder
  (``.NAME.tmp-PID-XXXXXXXX``, holding :data:`STAGING_MARKER`), which then
  takes the place of the output folder in one atomic exchange where the
  system offers it. The staging folder is removed on every exit path; one
  left behind by a killed run is removed by the next run into the same
  place (:func:`remove_stale`).
- The marker names the kind of output (``run``, ``sweep``, ``compare``,
  ``staff``): a command writes only into a folder of its own kind
  (:func:`check_kind`).
- One command at a time writes a folder: each holds an advisory lock
  (:func:`locked`) on ``.NAME.lock`` next to it for its whole length; a
  second one is refused with a message naming the first (pid, command). The
  kernel drops the lock of a killed process, so its lock file is taken over.
- A file written into a finished folder (a report) is written as a
  temporary file (:func:`temporary`) and renamed into place; a temporary
  file of simcenter's naming whose process no longer runs is never counted
  as foreign, and is removed.
- A symlink to a folder is followed: the files go where it points. A symlink
  loop, or a symlink to a place that does not exist, is refused.
- Folders are created with the permissions the umask gives.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import os
import re
import secrets
import shlex
import shutil
import sys
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path

from simcenter._version import __version__
from simcenter.errors import SimcenterError
from simcenter.stops import signals_held
from simcenter.text import printable

MARKER = ".simcenter"
"""File in every output folder: who wrote it, and the list of the files of the run."""

STAGING_MARKER = ".simcenter-staging"
"""File in every staging folder: tells a later run that the folder is simcenter's debris."""

DEFAULT_ROOT = Path("results")
"""Parent of the default output folders."""

RUN = "run"
"""The kind of output of ``simcenter run`` (studies name theirs: ``sweep``, ``staff``, ...)."""

_MARKER_FIRST_LINE = re.compile(r"written by simcenter (\S+)(?: \((\w+)\))?")
_TEMPORARY = re.compile(r"\.simcenter-tmp-(\d+)-.+|\.(?:simcenter|report\.html)\.tmp-(\d+)")
"""Temporary files simcenter writes inside a folder (and the names older versions used)."""

_SLUG_LENGTH = 80
_SLUG_BYTES = 200  # of UTF-8; leaves room below the usual 255-byte limit for suffixes and staging
_PUNCTUATION_KEPT = frozenset("-_.")
_WINDOWS_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(10)), *(f"LPT{n}" for n in range(10))}
)
_RENAME_EXCHANGE = 2  # renameat2 flag (Linux >= 3.15)
_AT_FDCWD = -100


class OutputError(SimcenterError):
    """The output folder cannot be used (exit code 2); the message says why and what to do."""


def slug(name: str) -> str:
    """A folder name made from a scenario name: letters of any script, digits, ``-_.``.

    Accented Latin letters lose their accents (``Zürich`` becomes ``Zurich``);
    letters of other scripts are kept with their marks (``上海``, ``Москва``,
    ``नमस्ते``). Every other character (spaces, slashes, punctuation, symbols,
    control and invisible characters) becomes ``-``, after NFKC folding (so a
    full-width ``／`` or ``．．`` is a slash or dots first). Leading dots and
    dashes are dropped, so the slug is never ``.``, ``..`` or hidden; a
    Windows device name (``CON``, ``NUL``, ...) gets a ``_`` in front. The
    slug is at most 80 characters and 200 bytes of UTF-8, cut between
    letters, and ``scenario`` when nothing is left.

    >>> slug("Retail support / EU")
    'Retail-support-EU'
    >>> slug("..") + " " + slug("/etc/x")
    'scenario etc-x'
    >>> slug("Café Réseau – Zürich")
    'Cafe-Reseau-Zurich'
    """
    text = _without_latin_accents(unicodedata.normalize("NFKC", name))
    kept: list[str] = []
    for char in text:
        category = unicodedata.category(char)
        if category[0] in "LN" or char in _PUNCTUATION_KEPT:
            kept.append(char)
        elif category[0] == "M" and kept and unicodedata.category(kept[-1])[0] in "LNM":
            kept.append(char)  # a mark of the letter before it
        else:
            kept.append("-")
    text = re.sub(r"-{2,}", "-", "".join(kept)).lstrip(".-")
    text = _shortened(text).rstrip("-.")
    if text.split(".")[0].upper() in _WINDOWS_DEVICES:
        text = f"_{text}"
    return text or "scenario"


def _without_latin_accents(text: str) -> str:
    """``text`` with the combining accents of Latin letters removed (NFKD, then NFC)."""
    kept: list[str] = []
    base_is_latin = False
    for char in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(char):
            if not base_is_latin:
                kept.append(char)
            continue
        base_is_latin = "LATIN" in unicodedata.name(char, "")
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


def _shortened(text: str) -> str:
    """At most 80 characters and 200 bytes of UTF-8, never cutting a letter from its marks."""
    end = min(len(text), _SLUG_LENGTH)
    while len(text[:end].encode()) > _SLUG_BYTES:
        end -= 1
    while 0 < end < len(text) and unicodedata.combining(text[end]):
        end -= 1
    return text[:end]


def default_outdir(scenario_name: str) -> Path:
    """``results/<slug of the name>``, relative to the working directory."""
    return DEFAULT_ROOT / slug(scenario_name)


def prepare(outdir: str | os.PathLike[str], kind: str = RUN) -> Path:
    """Check, before simulating, that a run may write its files to ``outdir``.

    Creates the missing parent folders, removes the staging folders that
    killed runs left next to the folder, and makes sure the parent is
    writable.

    Args:
        outdir: The output folder; a symlink to a folder is followed.
        kind: The kind of output about to be written (:data:`RUN`, or a study's kind).

    Returns:
        The absolute path of the folder the files will replace (symlinks resolved).

    Raises:
        OutputError: The path is not usable (contains NUL, is too long, is a
            file or lies under one, is a symlink loop or a symlink to nothing),
            the parent is not writable, the folder holds files that
            simcenter did not write, or another kind of output.
    """
    shown, target = _target(outdir)
    _check_reusable(target, shown)
    check_kind(target, kind, shown)
    _make_parent(target.parent, shown)
    remove_stale(target)
    remove_temporaries(target)
    _check_writable(target.parent, shown)
    return target


def _target(outdir: str | os.PathLike[str]) -> tuple[str, Path]:
    """The path as shown in messages, and the absolute path with symlinks resolved."""
    shown = printable(os.fspath(outdir))
    if "\0" in shown or "\0" in os.fspath(outdir):
        raise OutputError(f"output folder {shown}: the path contains a NUL character")
    target = _resolve(Path(outdir), shown)
    if not target.name:
        raise OutputError(
            f"output folder {shown}: is the root of the file system (choose another -o folder)"
        )
    return shown, target


def check_kind(folder: Path, kind: str, shown: str | None = None) -> None:
    """Refuse a folder that simcenter marked for another kind of output than ``kind``.

    A missing folder, or one without a marker, passes (the other checks
    decide about it).

    Raises:
        OutputError: The folder holds another kind of output.
    """
    found = folder_kind(folder)
    if found is None or found == kind:
        return
    shown = printable(str(folder)) if shown is None else shown
    raise OutputError(
        f"output folder {shown}: holds the results of simcenter {found}, not of "
        f"simcenter {kind}; simcenter does not replace another command's results: "
        "choose another folder with -o, or remove that one yourself"
    )


def folder_kind(folder: Path) -> str | None:
    """The kind of output the marker of ``folder`` names; None without a marker.

    Markers of versions that did not name the kind: a folder whose marker
    lists ``study.json`` holds the study that file names, any other a run.
    """
    try:
        first = (folder / MARKER).read_text(encoding="utf-8").partition("\n")[0]
    except (OSError, UnicodeDecodeError):
        return None
    match = _MARKER_FIRST_LINE.fullmatch(first)
    if match is None:
        return None
    if match[2]:
        return match[2]
    if "study.json" not in _listed_files(folder / MARKER):
        return RUN
    import json

    try:
        found = json.loads((folder / "study.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "study"
    kind = found.get("study") if isinstance(found, dict) else None
    return kind if isinstance(kind, str) and kind.isidentifier() else "study"


def marker_line(kind: str) -> str:
    """The first line of a marker: the simcenter version and the kind of output."""
    return f"written by simcenter {__version__} ({kind})"


@contextlib.contextmanager
def staged(outdir: str | os.PathLike[str], kind: str = RUN) -> Iterator[Path]:
    """Stage the files of a run, then put them in place of ``outdir`` in one step.

    The body writes its files into the yielded empty folder. When it ends
    normally, the marker is written last and the folder replaces ``outdir``
    (an earlier simcenter output is removed); when it raises, or the process
    is stopped by a signal, the staging folder is removed and ``outdir`` is
    left as it was.

    Yields:
        The staging folder (next to ``outdir``, on the same file system).

    Raises:
        OutputError: As :func:`prepare`, or when writing a file fails (a full disk).
    """
    with locked(outdir, kind):
        target = prepare(outdir, kind)
        staging: Path | None = None
        try:
            with signals_held():  # a stop while it is made would leave it behind
                staging = _make_staging(target)
            try:
                yield staging
                _write_marker(staging, kind)
            except OSError as error:
                raise write_error(outdir, error) from error
            with signals_held():
                aside = _swap_in(staging, target, kind)
        except BaseException:
            if staging is not None:
                _remove_tree(staging)
            raise
        if aside is not None:
            _remove_tree(aside)


def write_error(outdir: str | os.PathLike[str], error: OSError) -> OutputError:
    """The error of a failed write into ``outdir`` (a full disk), in words."""
    return OutputError(
        f"output folder {printable(os.fspath(outdir))}: cannot write the results ({_reason(error)})"
    )


# --- one writer per folder ---------------------------------------------------------

_held: dict[Path, int] = {}
"""Output folders this process holds the lock of -> the lock file's descriptor."""


@contextlib.contextmanager
def locked(outdir: str | os.PathLike[str], kind: str = RUN) -> Iterator[Path]:
    """Hold the lock of ``outdir`` within the block: no other command writes it meanwhile.

    The lock is an advisory ``fcntl`` lock on ``.NAME.lock`` next to the
    folder (its parent is created if needed), which holds the pid and the
    command line of its holder. The kernel drops the lock when its process
    ends, however it ends, so the file of a killed command is taken over.
    The file is removed when the lock is let go. Taking the lock again in
    the same process (a command, then the files it saves) is allowed.

    Yields:
        The absolute path of the folder (symlinks resolved).

    Raises:
        OutputError: Another process holds the lock (the message names it),
            or the path is not usable (as :func:`prepare`).
    """
    shown, target = _target(outdir)
    if target in _held:
        yield target
        return
    _make_parent(target.parent, shown)
    path = target.with_name(f".{target.name}.lock")
    with signals_held():  # a stop in between would leave the lock file behind
        descriptor = _take_lock(path, shown)
        _held[target] = descriptor
    try:
        text = f"pid {os.getpid()}\ncommand {_command_line(kind)}\n"
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, text.encode("utf-8", "replace"), 0)
        yield target
    finally:
        del _held[target]
        with contextlib.suppress(OSError):
            path.unlink()  # while still held: a waiting process then finds the file gone
        os.close(descriptor)


def _take_lock(path: Path, shown: str) -> int:
    """Open and lock ``path`` (created if missing); the descriptor, or an OutputError."""
    while True:
        try:
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise OutputError(
                f"output folder {shown}: cannot write in {printable(str(path.parent))} "
                f"({_reason(error)})"
            ) from None
        try:
            fcntl.lockf(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            os.close(descriptor)
            if error.errno not in (errno.EACCES, errno.EAGAIN):
                raise OutputError(
                    f"output folder {shown}: cannot lock it ({_reason(error)})"
                ) from None
            raise OutputError(
                f"output folder {shown}: {_holder(path)} is writing into it; wait until it "
                "ends, or choose another folder with -o"
            ) from None
        try:
            same = os.path.samestat(os.fstat(descriptor), os.stat(path))
        except OSError:
            same = False
        if same:
            return descriptor
        os.close(descriptor)  # its holder removed the file as we locked it: lock the new one


def _holder(path: Path) -> str:
    """Who holds the lock file ``path``, as its holder wrote it."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    fields = dict(line.partition(" ")[::2] for line in lines)
    if "pid" not in fields:
        return "another simcenter command"
    command = f": {fields['command']}" if fields.get("command") else ""
    return f"another simcenter command (pid {fields['pid']}{command})"


def _command_line(kind: str) -> str:
    """This process's command line, for the lock file (``simcenter sweep ...``)."""
    program = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python"
    if program in ("__main__.py", "simcenter", "-m"):
        return shlex.join(["simcenter", *sys.argv[1:]])
    return f"{shlex.join([program, *sys.argv[1:]])} (simcenter {kind})"


# --- files added to a finished folder ------------------------------------------------


def temporary(folder: Path, name: str) -> Path:
    """Where to write ``name`` before renaming it into ``folder``: a name simcenter recognises."""
    return folder / f".simcenter-tmp-{os.getpid()}-{name}"


def check_into(folder: Path, name: str, kind: str, shown: str | None = None) -> None:
    """Check that :func:`write_into` may add the file ``name`` to ``folder``.

    Raises:
        OutputError: The folder has no marker, holds another kind of output,
            or already holds a file ``name`` that simcenter did not write.
    """
    shown = printable(str(folder)) if shown is None else shown
    if not (folder / MARKER).is_file():
        raise OutputError(
            f"{shown}: not a folder written by simcenter {kind} (it has no {MARKER} file); "
            f"simcenter writes {name} only into its own folders"
        )
    check_kind(folder, kind, shown)
    target = folder / name
    if (target.exists() or target.is_symlink()) and name not in _listed_files(folder / MARKER):
        raise OutputError(
            f"{shown}: holds a file {printable(name)} that simcenter did not write; "
            "simcenter never replaces such files: move it away first"
        )


def write_into(
    folder: Path, name: str, kind: str, write: Callable[[Path], None], shown: str | None = None
) -> Path:
    """Add the file ``name`` to a finished simcenter folder of ``kind``, atomically.

    The file is listed in the marker first (so a kill leaves nothing
    foreign), written as a temporary file and renamed into place; when the
    write fails the temporary file is removed and the marker is as before.

    Args:
        folder: A folder simcenter wrote (it holds a marker).
        name: The file to write (replaced if simcenter wrote it before).
        kind: The kind of output the folder must hold.
        write: Writes the file at the path it is given.
        shown: The folder as messages name it (default: its path).

    Returns:
        The path of the file.

    Raises:
        OutputError: As :func:`check_into`, or the write failed (a full disk).
    """
    check_into(folder, name, kind, shown)
    remove_temporaries(folder)
    listed = name in _listed_files(folder / MARKER)
    target = folder / name
    staging = temporary(folder, name)
    try:
        if not listed:
            add_to_marker(folder, name)
        write(staging)
        staging.replace(target)
    except BaseException as error:
        staging.unlink(missing_ok=True)
        if not listed and not target.exists():
            with contextlib.suppress(OSError):
                remove_from_marker(folder, name)
        if isinstance(error, OSError):
            raise write_error(folder if shown is None else shown, error) from error
        raise
    return target


def remove_temporaries(folder: Path) -> None:
    """Remove the temporary files of simcenter's naming left in ``folder`` by ended processes."""
    with contextlib.suppress(OSError):
        for entry in folder.iterdir():
            if _own_temporary(entry):
                entry.unlink(missing_ok=True)


def remove_stale(target: Path) -> list[Path]:
    """Remove the staging folders that runs into ``target`` left when they were killed.

    A folder is removed only if its name is ``.NAME.tmp-PID-...`` for this
    target, the process PID no longer runs, and it holds a simcenter marker
    (or nothing at all).

    Returns:
        The folders removed.
    """
    pattern = re.compile(rf"\.{re.escape(target.name)}\.tmp-(\d+)-[0-9a-f]+(\.old)?")
    removed = []
    with contextlib.suppress(OSError):
        for entry in target.parent.iterdir():
            match = pattern.fullmatch(entry.name)
            if match is None or entry.is_symlink() or not entry.is_dir():
                continue
            if _running(int(match[1])) or not _ours_or_empty(entry):
                continue
            _remove_tree(entry)
            removed.append(entry)
    return removed


# --- checks -----------------------------------------------------------------------


def _resolve(path: Path, shown: str) -> Path:
    """The absolute path with symlinks resolved, or an OutputError for an unusable path."""
    _check_links(path, shown)
    try:
        target = path.resolve()
        target.lstat()
    except FileNotFoundError:
        return target
    except RuntimeError:  # a symlink loop (Python < 3.13)
        raise OutputError(
            f"output folder {shown}: is a symlink loop (choose another -o folder)"
        ) from None
    except OSError as error:
        raise OutputError(f"output folder {shown}: {_reason(error)}") from None
    if not target.is_dir():
        raise OutputError(
            f"output folder {shown}: is a file, not a folder (choose another -o folder)"
        )
    return target


def _check_links(path: Path, shown: str) -> None:
    """Refuse a path through a symlink that points to nothing (it would create folders there)."""
    absolute = Path(os.path.abspath(path))
    for part in [*reversed(absolute.parents), absolute]:
        try:
            if not part.is_symlink():
                continue
            part.stat()
        except FileNotFoundError:
            raise OutputError(
                f"output folder {shown}: {printable(str(part))} is a symlink to a place that "
                "does not exist (simcenter does not create folders through it)"
            ) from None
        except OSError as error:
            if error.errno == errno.ELOOP:
                raise OutputError(
                    f"output folder {shown}: is a symlink loop (choose another -o folder)"
                ) from None
            raise OutputError(f"output folder {shown}: {_reason(error)}") from None


def _check_reusable(target: Path, shown: str) -> None:
    """Refuse a folder that is neither empty nor entirely written by simcenter."""
    if not target.is_dir():
        return
    foreign = foreign_files(target)
    if not foreign:
        return
    listed = ", ".join(printable(name) for name in foreign[:3])
    more = f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""
    if (target / MARKER).is_file():
        reason = f"holds files that simcenter did not write ({listed}{more})"
    else:
        reason = f"is not empty and was not written by simcenter (it holds {listed}{more})"
    raise OutputError(
        f"output folder {shown}: {reason}; simcenter never deletes such files: "
        "move them away or choose another folder with -o"
    )


def foreign_files(folder: Path) -> list[str]:
    """Paths (relative, sorted; folders end in ``/``) in ``folder`` that are not simcenter's.

    Every entry of a folder without a marker is foreign; in a folder with a
    marker, every file the marker does not list. Foreign folders are not
    searched further.
    """
    if not (folder / MARKER).is_file():
        return sorted(entry.name + ("/" if entry.is_dir() else "") for entry in folder.iterdir())
    listed = _listed_files(folder / MARKER) | {
        entry.name for entry in folder.iterdir() if _own_temporary(entry)
    }
    folders = {parent.as_posix() for name in listed for parent in Path(name).parents}
    found = []
    for root, dirs, files in os.walk(folder):
        relative = Path(root).relative_to(folder)
        found += [
            path
            for name in files
            if (path := (relative / name).as_posix()) != MARKER and path not in listed
        ]
        for name in list(dirs):
            path = (relative / name).as_posix()
            if path not in folders or Path(root, name).is_symlink():
                found.append(path + "/")
                dirs.remove(name)
    return sorted(found)


def _own_temporary(entry: Path) -> bool:
    """Whether ``entry`` is a temporary file of simcenter's naming whose process has ended."""
    match = _TEMPORARY.fullmatch(entry.name)
    return (
        match is not None
        and entry.is_file()
        and not entry.is_symlink()
        and not _running(int(match[1] or match[2]))
    )


def add_to_marker(folder: Path, name: str) -> None:
    """Record ``name`` (a file simcenter just wrote into ``folder``) in the folder's marker.

    A folder without a simcenter marker is left as it is. The marker is
    replaced atomically, so it always lists a complete set of files.
    """
    marker = folder / MARKER
    listed = _listed_files(marker)
    if not listed or name in listed:
        return
    first = marker.read_text(encoding="utf-8").splitlines()[0]
    _replace_marker(folder, f"{first}\n" + "".join(f"{line}\n" for line in sorted(listed | {name})))


def remove_from_marker(folder: Path, name: str) -> None:
    """Take ``name`` off the marker of ``folder`` (a file that was listed but not written)."""
    marker = folder / MARKER
    listed = _listed_files(marker)
    if name not in listed:
        return
    first = marker.read_text(encoding="utf-8").splitlines()[0]
    _replace_marker(folder, f"{first}\n" + "".join(f"{line}\n" for line in sorted(listed - {name})))


def start_marker(folder: Path, names: list[str], kind: str) -> None:
    """Give ``folder`` (created by simcenter, empty but for ``names``) a marker listing ``names``.

    Used by studies, which fill their folder point by point
    (:class:`simcenter.studies.PointStore`); later files are recorded with
    :func:`add_to_marker`, each before it is written.
    """
    _replace_marker(folder, f"{marker_line(kind)}\n" + "".join(f"{n}\n" for n in sorted(names)))


def _replace_marker(folder: Path, text: str) -> None:
    """Replace the marker of ``folder`` in one step; on a failed write, leave nothing behind."""
    staging = temporary(folder, MARKER)
    try:
        staging.write_text(text, encoding="utf-8")
        staging.replace(folder / MARKER)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise


def scratch_folder(target: Path) -> Path:
    """A new empty folder next to ``target`` for files about to be moved into it.

    It is a staging folder (:func:`staged`): a later run into ``target``
    removes it if this process was killed before removing it
    (:func:`remove_folder`).
    """
    return _make_staging(target)


def remove_folder(folder: Path) -> None:
    """Remove a staging or scratch folder that this process made."""
    _remove_tree(folder)


def _listed_files(marker: Path) -> set[str]:
    """The files a marker lists (every line after the first); empty when there is none."""
    try:
        lines = marker.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return set()
    if not lines or _MARKER_FIRST_LINE.fullmatch(lines[0]) is None:
        return set()
    return {line for line in lines[1:] if line}


def _make_parent(parent: Path, shown: str) -> None:
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(f"output folder {shown}: cannot create it ({_reason(error)})") from None
    if not parent.is_dir():
        raise OutputError(f"output folder {shown}: lies under a file, not a folder")


def _check_writable(parent: Path, shown: str) -> None:
    """Create and remove a probe folder where the staging folder will go."""
    probe = parent / f".simcenter-probe-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        probe.mkdir()
        probe.rmdir()
    except OSError as error:
        raise OutputError(
            f"output folder {shown}: cannot write in {printable(str(parent))} ({_reason(error)})"
        ) from None


def _reason(error: OSError) -> str:
    """The system's reason for an OSError, in words."""
    if error.errno == errno.ENAMETOOLONG:
        return "the path is too long"
    if error.errno == errno.ENOTDIR:
        return "a part of the path is a file, not a folder"
    return error.strerror or str(error)


def _running(pid: int) -> bool:
    """Whether process ``pid`` exists (our own process counts as not running: its old debris)."""
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _ours_or_empty(folder: Path) -> bool:
    if (folder / STAGING_MARKER).is_file() or (folder / MARKER).is_file():
        return True
    return not any(folder.iterdir())


# --- staging and swapping ---------------------------------------------------------


def _make_staging(target: Path) -> Path:
    """A new empty staging folder next to ``target``, created with the umask's permissions."""
    while True:
        staging = target.with_name(f".{target.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
        try:
            staging.mkdir()
        except FileExistsError:
            continue
        (staging / STAGING_MARKER).write_text(f"pid {os.getpid()}\n", encoding="utf-8")
        return staging


def _write_marker(staging: Path, kind: str) -> None:
    """Write the marker last: the version, the kind and every file (the staging marker goes)."""
    (staging / STAGING_MARKER).unlink()
    files = sorted(
        (Path(root).relative_to(staging) / name).as_posix()
        for root, _, names in os.walk(staging)
        for name in names
    )
    text = f"{marker_line(kind)}\n" + "".join(f"{name}\n" for name in files)
    with (staging / MARKER).open("w", encoding="utf-8") as file:
        file.write(text)
        file.flush()
        os.fsync(file.fileno())


def _swap_in(staging: Path, target: Path, kind: str) -> Path | None:
    """Put ``staging`` in place of ``target``; returns the old folder's new place, if any.

    The old folder must still hold only simcenter's files of the same kind
    (checked again here, since the simulation may have taken a while).
    """
    if not target.exists():
        staging.rename(target)
        return None
    _check_reusable(target, printable(str(target)))
    check_kind(target, kind)
    if _exchange(staging, target):
        (staging / STAGING_MARKER).touch()  # now holds the old files: mark it as debris
        return staging
    aside = staging.with_name(f"{staging.name}.old")
    target.rename(aside)
    try:
        staging.rename(target)
    except BaseException:
        aside.rename(target)
        raise
    return aside


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders atomically (Linux ``renameat2``); False where it is not available."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EPERM, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), os.fspath(second))


def _remove_tree(folder: Path) -> None:
    """Remove a folder simcenter wrote, its markers last, so that a kill leaves it recognisable."""
    markers = (MARKER, STAGING_MARKER)
    with contextlib.suppress(FileNotFoundError):
        for entry in folder.iterdir():
            if entry.name in markers:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
        for name in markers:
            (folder / name).unlink(missing_ok=True)
        folder.rmdir()
