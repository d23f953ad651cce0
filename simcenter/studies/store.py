"""The finished points of a study, kept in its output folder so that it can resume.

A study (a sweep, a comparison, a staffing search) writes each point as soon
as it is finished, as one small Parquet file under ``OUTDIR/points/``, and
records what the study is (its kind and its spec: the scenario, the grid,
the seed, the replications) in ``OUTDIR/study.json``. The same command with
the same OUTDIR finds the finished points and skips them; an OUTDIR that
holds another study (or the same study with another spec) is refused rather
than mixing results.

The folder follows the output-folder rules (:mod:`simcenter.outdir`): its
marker names the kind of study and lists every file simcenter wrote there,
each point file listed before it is written; a point file appears in one
step (written next to the folder, then renamed into place), so a kill never
leaves half a point; the store holds the folder's lock from its opening to
its closing, so no other command writes the folder meanwhile. Each point
file records its key, the digest of the study's identity and a checksum of
its data: a resumed study runs again any point whose file does not match
(copied over another point's, edited, or of another study). The
final outputs (``sweep.csv``, ...) are written by :meth:`PointStore.finish`
through a staging folder that replaces OUTDIR with the marker written last,
so they only appear when every point is done.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, cast

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from simcenter import outdir as outdir_rules
from simcenter._version import __version__
from simcenter.text import printable

STUDY_FILE = "study.json"
"""What the study is: its kind, its spec and the simcenter version that ran it."""

POINTS_FOLDER = "points"
"""Subfolder of the finished points, one Parquet file each."""

_KEY_METADATA = b"simcenter.point"
_STUDY_METADATA = b"simcenter.study"
_CHECKSUM_METADATA = b"simcenter.checksum"


class StudyError(outdir_rules.OutputError):
    """An output folder holds another study's results (exit code 2)."""


class PointStore:
    """The finished points of one study in its output folder.

    Args:
        outdir: The study's output folder. It must be empty, missing, or a
            folder simcenter wrote (:func:`simcenter.outdir.prepare`).
        study: The kind of study (``"sweep"``, ``"compare"``, ...).
        spec: Everything the results depend on, as JSON-like values (the
            resolved scenario, the grid, the seed, the replications).

    Attributes:
        rejected: Point files found in the folder that do not match their
            record (the point is run again and its file replaced).

    Raises:
        OutputError: The folder cannot be used (see :func:`simcenter.outdir.prepare`),
            or another command is writing it (:func:`simcenter.outdir.locked`).
        StudyError: The folder holds the results of another study, of the same
            study with another spec, or of something else simcenter wrote.
    """

    def __init__(self, outdir: str | os.PathLike[str], study: str, spec: Mapping[str, Any]) -> None:
        """Open the study's folder: lock it, then create it or read the points finished so far."""
        self._shown = printable(os.fspath(outdir))
        self._kind = study
        self._identity = {"study": study, "simcenter": __version__, "spec": _plain(spec)}
        self._digest = hashlib.sha256(_json(self._identity).encode()).hexdigest()
        self._files: dict[str, str] = {}
        self.rejected: list[str] = []
        self._scratch: Path | None = None
        self._lock = contextlib.ExitStack()
        try:
            self._lock.enter_context(outdir_rules.locked(outdir, study))
            self.outdir = outdir_rules.prepare(outdir, study)
            if _is_empty(self.outdir):
                self._start()
            else:
                self._check_same_study()
                self._files, self.rejected = _finished_points(self.outdir, self._digest)
        except OSError as error:
            self._lock.close()
            raise outdir_rules.write_error(outdir, error) from error
        except BaseException:
            self._lock.close()
            raise

    @property
    def spec(self) -> dict[str, Any]:
        """The study's spec, as stored (JSON types)."""
        return cast(dict[str, Any], self._identity["spec"])

    def has(self, key: str) -> bool:
        """Whether the point ``key`` is finished."""
        return key in self._files

    def get(self, key: str) -> pd.DataFrame:
        """The frame of the finished point ``key``, exactly as it was added.

        Raises:
            KeyError: The point is not finished.
        """
        return pq.read_table(self.outdir / self._files[key]).to_pandas()

    def keys(self) -> list[str]:
        """The keys of the finished points."""
        return list(self._files)

    def add(self, key: str, frame: pd.DataFrame) -> None:
        """Keep the frame of a newly finished point (its file appears in one step).

        Raises:
            OutputError: The file could not be written (a full disk); nothing
                of it is left behind.
        """
        name = point_name(key)
        table = pa.Table.from_pandas(frame)
        metadata = (table.schema.metadata or {}) | {
            _KEY_METADATA: key.encode(),
            _STUDY_METADATA: self._digest.encode(),
            _CHECKSUM_METADATA: checksum(table.to_pandas()).encode(),
        }
        temporary: Path | None = None
        try:
            # listed first: a kill leaves nothing foreign
            outdir_rules.add_to_marker(self.outdir, name)
            temporary = self._scratch_folder() / "point.parquet"
            pq.write_table(table.replace_schema_metadata(metadata), temporary)
            (self.outdir / POINTS_FOLDER).mkdir(exist_ok=True)
            os.replace(temporary, self.outdir / name)
        except OSError as error:
            if temporary is not None:
                temporary.unlink(missing_ok=True)
            raise outdir_rules.write_error(self._shown, error) from error
        self._files[key] = name

    def finish(self, files: Mapping[str, Callable[[Path], None]]) -> Path:
        """Write the study's final outputs; the folder then holds them and the points.

        Each writer is called with the path its file must be written to, in a
        staging folder that holds the study's points; the staging folder then
        replaces the output folder, marker last, so the outputs appear
        together and complete, or not at all.

        Args:
            files: Output file name (``"sweep.csv"``) -> a function writing it.

        Returns:
            The output folder.
        """
        self._remove_scratch()
        with outdir_rules.staged(self.outdir, self._kind) as staging:
            _link(self.outdir / STUDY_FILE, staging / STUDY_FILE)
            (staging / POINTS_FOLDER).mkdir()
            for name in self._files.values():
                _link(self.outdir / name, staging / name)
            for name, write in files.items():
                write(staging / name)
        return self.outdir

    def close(self) -> None:
        """Remove this store's scratch folder (the finished points stay) and let go of the lock."""
        try:
            self._remove_scratch()
        finally:
            self._lock.close()

    def __enter__(self) -> PointStore:
        """The store itself; :meth:`close` on leaving."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Close the store."""
        self.close()

    # --- the folder ---------------------------------------------------------------

    def _start(self) -> None:
        """Make the folder simcenter's: its marker first, then the study file."""
        self.outdir.mkdir(exist_ok=True)
        outdir_rules.start_marker(self.outdir, [STUDY_FILE], self._kind)
        temporary = self._scratch_folder() / STUDY_FILE
        try:
            temporary.write_text(_json(self._identity), encoding="utf-8")
            os.replace(temporary, self.outdir / STUDY_FILE)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise

    def _check_same_study(self) -> None:
        """Refuse a folder that holds anything but this very study."""
        try:
            found = json.loads((self.outdir / STUDY_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            raise StudyError(
                f"output folder {self._shown}: holds other results of simcenter, not a "
                f"{self._identity['study']} study; choose another folder with -o, or remove it"
            ) from None
        differences = _differences(found, self._identity)
        if differences:
            raise StudyError(
                f"output folder {self._shown}: holds a study with another "
                f"{', '.join(differences)}; a study resumes only when everything is the same: "
                "choose another folder with -o, or remove this one to start afresh"
            )

    def _scratch_folder(self) -> Path:
        if self._scratch is None or not self._scratch.is_dir():  # another store may clear it
            self._scratch = outdir_rules.scratch_folder(self.outdir)
        return self._scratch

    def _remove_scratch(self) -> None:
        if self._scratch is not None:
            outdir_rules.remove_folder(self._scratch)
            self._scratch = None


def _plain(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The spec as JSON types (tuples become lists), as it reads back from the study file."""
    return json.loads(_json(dict(spec)))


def _json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, indent=1, default=str) + "\n"


def _is_empty(folder: Path) -> bool:
    """Whether ``folder`` is missing, empty, or a study folder killed before its study file."""
    if not folder.exists():
        return True
    names = {entry.name for entry in folder.iterdir()}
    return not names or names == {outdir_rules.MARKER}


def _differences(found: Any, wanted: dict[str, Any]) -> list[str]:
    """What differs between a stored study and this one, in words (empty: the same)."""
    if not isinstance(found, dict) or found.get("study") != wanted["study"]:
        kind = found.get("study") if isinstance(found, dict) else None
        return [f"kind ({kind}, not {wanted['study']})"]
    if found.get("simcenter") != wanted["simcenter"]:
        version = printable(str(found.get("simcenter")))
        return [f"simcenter version ({version}, not {wanted['simcenter']})"]
    old, new = found.get("spec"), wanted["spec"]
    if not isinstance(old, dict):
        return ["spec (its study file was changed)"]
    return [
        printable(str(name))
        for name in sorted(set(old) | set(new))
        if old.get(name) != new.get(name)
    ]


def point_name(key: str) -> str:
    """The file (relative to the study folder) of the point ``key``."""
    return f"{POINTS_FOLDER}/{hashlib.sha256(key.encode()).hexdigest()[:20]}.parquet"


def checksum(frame: pd.DataFrame) -> str:
    """A SHA-256 of a point's frame: its column names and types and every value."""
    digest = hashlib.sha256()
    digest.update(json.dumps([[str(c), str(t)] for c, t in frame.dtypes.items()]).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    return digest.hexdigest()


def _finished_points(folder: Path, digest: str) -> tuple[dict[str, str], list[str]]:
    """Point key -> file of every valid point file found there, and the files that are not.

    A file is valid when it is the file of the key it records, records this
    study's digest, and its data matches its checksum; any other (copied
    over another point's file, edited, of another study, unreadable) is
    listed as rejected: its point is run again and the file replaced.
    """
    points, rejected = {}, []
    for path in sorted(_point_files(folder)):
        name = path.relative_to(folder).as_posix()
        try:
            table = pq.read_table(path)
            metadata = table.schema.metadata or {}
            key = metadata[_KEY_METADATA].decode()
            valid = (
                point_name(key) == name
                and metadata.get(_STUDY_METADATA) == digest.encode()
                and metadata.get(_CHECKSUM_METADATA) == checksum(table.to_pandas()).encode()
            )
        except (OSError, KeyError, ValueError, pa.ArrowException):
            valid = False
        if valid:
            points[key] = name
        else:
            rejected.append(name)
    return points, rejected


def _point_files(folder: Path) -> Iterator[Path]:
    points = folder / POINTS_FOLDER
    if points.is_dir():
        yield from points.glob("*.parquet")


def _link(source: Path, destination: Path) -> None:
    """Put ``source`` at ``destination`` too: a hard link, or a copy where links fail."""
    try:
        os.link(source, destination)
    except OSError:
        destination.write_bytes(source.read_bytes())
