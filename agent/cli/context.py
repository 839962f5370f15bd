"""What a subcommand gets from the top-level ``agent`` command: its settings and ``--debug`` flag.

Subcommand modules (``kb_cli``, ``threads_cli``, ``eval_cli``…) also run on their own (tests register them
into a bare ``typer.Typer()``), so without the main CLI's context they fall back to reading the settings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import typer
    from rich.console import Console
    from rich.progress import Progress

    from agent.settings import Settings


def _root_object(ctx: typer.Context) -> Any:
    return ctx.find_root().obj if ctx.obj is None else ctx.obj


def context_settings(ctx: typer.Context) -> Settings:
    """The main CLI's settings (``ctx.obj`` is a ``Settings`` or holds one as ``.settings`` or
    ``["settings"]``), else read from the environment."""
    from agent.settings import Settings

    obj = _root_object(ctx)
    if isinstance(obj, Settings):
        return obj
    found = obj.get("settings") if isinstance(obj, dict) else getattr(obj, "settings", None)
    return found if isinstance(found, Settings) else Settings()


def context_debug(ctx: typer.Context) -> bool:
    """Whether ``--debug`` was given to the main CLI."""
    obj = _root_object(ctx)
    return bool(obj.get("debug") if isinstance(obj, dict) else getattr(obj, "debug", False))


def progress_bar(console: Console, *, spinner: bool = False) -> Progress:
    """The progress bar long commands show on ``console`` (stderr); none when it is not a terminal (logs, pipes)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TimeElapsedColumn

    columns = [SpinnerColumn()] if spinner else []
    return Progress(
        *columns,
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
