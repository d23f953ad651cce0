"""The ``simcenter`` command line: a thin layer over the Python API.

Modules: ``app`` (the parser, :func:`main` and the ``run``, ``report``,
``validate`` and ``schema`` commands), ``erlang_command``, ``sweep_command``,
``compare_command`` and ``study_commands`` (``staff``, ``run --precision``), the
option parsers ``options`` and ``executor_options``, ``console`` (what
``run`` prints), ``help_text`` (descriptions, examples and exit codes of
``--help``) and ``progress`` (the progress bar).

Exit codes: 0 ok, 2 bad input (every problem printed, no traceback), 1 an
internal error (a bug: rerun with ``--debug`` for the traceback).
"""

from simcenter.cli.app import main

__all__ = ["main"]
