"""The command line's output: one console pair, one way to fail, one way to turn an error into a line.

Every command prints through these, so an error looks the same everywhere: one red line on stderr (with
``--json``, ``{"error": ...}`` on stdout instead), exit status 1, and a traceback only with ``--debug``.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NoReturn

import click
import typer
from rich.console import Console
from rich.text import Text

if TYPE_CHECKING:
    from agent.settings import Settings

out = Console(highlight=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)  # soft_wrap: an error stays one line


def fail(message: str, *, as_json: bool = False) -> NoReturn:
    """Print one red line (with ``as_json``: ``{"error": message}`` on stdout) and exit with status 1."""
    if as_json:
        sys.stdout.write(json.dumps({"error": message}, ensure_ascii=False) + "\n")
    else:
        err.print(Text.assemble(("error: ", "bold red"), message))
    raise typer.Exit(1)


@contextmanager
def friendly_errors(settings: Settings, *, debug: bool = False, as_json: bool = False) -> Iterator[None]:
    """Turn any error inside the block into one clear line (``--debug`` also shows the traceback)."""
    try:
        yield
    except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
        raise
    except KeyboardInterrupt:
        fail("interrupted", as_json=as_json)
    except Exception as error:
        if debug:
            err.print_exception()
        from agent.errors import describe_error

        fail(describe_error(error, settings), as_json=as_json)


def command_errors(ctx: typer.Context, *, as_json: bool = False) -> contextlib.AbstractContextManager[None]:
    """``friendly_errors`` with the main CLI's settings and ``--debug`` flag (see ``agent.cli.context``)."""
    from agent.cli.context import context_debug, context_settings

    return friendly_errors(context_settings(ctx), debug=context_debug(ctx), as_json=as_json)
