"""Clean stops: SIGTERM and SIGHUP end a run like Ctrl-C, and workers die with their parent.

The command line turns SIGTERM and SIGHUP into :class:`Stopped` (a
``KeyboardInterrupt``), so every ``finally`` and cleanup runs as for Ctrl-C:
the staging folder goes, the previous output stays, and the exit code is
``128 + signal number`` (130 Ctrl-C, 129 SIGHUP, 143 SIGTERM).

Worker processes of a parallel run (:func:`worker_pool`) ignore the stop
signals (the parent kills them when it stops) and ask the kernel to kill
them when their parent dies, so no kill of the parent, even SIGKILL, leaves
them running. This holds under every start method of :mod:`multiprocessing`
(``fork``, ``spawn``, ``forkserver``): under ``forkserver`` a worker's parent
is the fork server, so each worker also watches the main process with a
thread and ends when it ends.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

_PR_SET_PDEATHSIG = 1  # prctl option (Linux)
_FORWARDED = (signal.SIGTERM, signal.SIGHUP)
_STOP_SIGNALS = {signal.SIGINT, *_FORWARDED}


class Stopped(KeyboardInterrupt):
    """The process was asked to stop by a signal.

    Attributes:
        signum: The signal number.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        """``128 + signal number``, the shell's convention."""
        return 128 + self.signum


def exit_code(interrupt: KeyboardInterrupt) -> int:
    """Exit code of a stop: 130 for Ctrl-C, ``128 + signal`` for :class:`Stopped`."""
    return interrupt.exit_code if isinstance(interrupt, Stopped) else 128 + signal.SIGINT


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP raise :class:`Stopped` in the main thread."""
    previous = {signum: signal.signal(signum, _raise_stopped) for signum in _FORWARDED}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _raise_stopped(signum: int, frame: FrameType | None) -> None:
    raise Stopped(signum)


def available_cores() -> int:
    """Cores this process may run on (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return os.cpu_count() or 1


def capped_jobs(jobs: int | None) -> int:
    """Worker processes to use for ``jobs`` (None: every core), at most one per core."""
    cores = available_cores()
    return cores if jobs is None else max(1, min(jobs, cores))


@contextlib.contextmanager
def worker_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """A process pool whose workers die with this process.

    On leaving the block by an exception (including a stop), the workers are
    killed at once rather than left to finish their replications.
    """
    from concurrent.futures import ProcessPoolExecutor  # multiprocessing: only when used

    pool = ProcessPoolExecutor(max_workers=workers, initializer=_worker_started)
    try:
        with signals_held():  # a stop during fork would be lost in fork handlers
            pool.submit(int)  # starts the workers (all at once where they are forked)
        yield pool
    except BaseException:
        _kill_workers(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold back Ctrl-C, SIGTERM and SIGHUP in the block; they take effect after it."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _worker_started() -> None:
    """Worker initializer: ignore stop signals (the parent stops its workers), die with it.

    A Ctrl-C, a closed terminal or a ``kill`` of the whole process group
    reaches the workers too; they leave the stopping to the parent, which
    kills them, so that it always sees the stop and not a broken pool.
    """
    for signum in _STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
    _die_with_parent()
    # The parent may have died before the request took effect. The process
    # that started this worker (recorded by multiprocessing under every start
    # method, unlike getppid(), which is the fork server under forkserver)
    # holds a pipe open whose other end reads as closed once it is dead.
    parent = multiprocessing.parent_process()
    if parent is not None:
        if not parent.is_alive():
            os._exit(1)
        threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()


def _exit_with(parent: multiprocessing.process.BaseProcess) -> None:
    """Wait for ``parent`` to end, then end this process at once (a worker's watchdog thread).

    The kernel's request covers the process that forked the worker; under
    ``forkserver`` that is the fork server, which lives on while workers
    hold its pipe, so the worker watches the main process itself.
    """
    multiprocessing.connection.wait([parent.sentinel])
    os._exit(1)


def _die_with_parent() -> None:
    """Ask the kernel to send SIGKILL when the parent process ends (Linux; elsewhere no-op).

    ``prctl`` is looked up among the symbols already loaded (the C library),
    not with ``ctypes.util.find_library``, which runs ``ldconfig`` in a
    subprocess and so would widen the moment a worker is unprotected.
    """
    if not sys.platform.startswith("linux"):
        return
    prctl = getattr(ctypes.CDLL(None), "prctl", None)
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's worker processes now (their work is abandoned).

    Through the pool's public method where Python has it (3.14), else
    through its table of processes.
    """
    kill = getattr(pool, "kill_workers", None)
    if kill is not None:
        with contextlib.suppress(Exception):
            kill()
        return
    processes = getattr(pool, "_processes", None) or {}
    for process in list(processes.values()):
        with contextlib.suppress(Exception):
            process.kill()
    for process in list(processes.values()):
        with contextlib.suppress(Exception):
            process.join(timeout=5)
