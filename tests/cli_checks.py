"""Assertions shared by the command-line tests."""

from __future__ import annotations

from typing import Any


def one_line_error(done: Any) -> str:
    """The one line a failed command printed (``error: ...``), after checking that it exited with status 1
    cleanly (no traceback) and printed nothing else on stderr. ``done``: a typer/click ``Result``."""
    assert done.exit_code == 1, done.output
    assert isinstance(done.exception, SystemExit), done.exception  # not a traceback
    [line] = [line for line in done.stderr.splitlines() if line.strip()]
    assert line.startswith("error: ")
    return line
