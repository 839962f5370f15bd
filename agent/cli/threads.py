"""``agent threads list | show ID | delete ID | prune | export``: the threads in the configured memory (SQLite or
PostgreSQL). ``agent/cli/main.py`` mounts them with ``register(app)``; the listing logic is ``agent.threads.history``."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.text import Text

from agent.cli.context import context_debug, context_settings
from agent.cli.output import err, fail, friendly_errors, out

if TYPE_CHECKING:
    from langgraph.checkpoint.base import BaseCheckpointSaver

    from agent.settings import Settings

threads_app = typer.Typer(help="List, show and delete saved conversations.", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
ThreadArgument = Annotated[str, typer.Argument(help="Thread id (or the start of one).")]


def register(app: typer.Typer) -> None:
    """Add the ``threads`` group to ``app``."""
    app.add_typer(threads_app, name="threads")


def options(ctx: typer.Context) -> tuple[Settings, bool]:
    """The main CLI's settings and ``--debug`` flag, else defaults."""
    return context_settings(ctx), context_debug(ctx)


@contextmanager
def open_memory(ctx: typer.Context, *, as_json: bool = False) -> Iterator[BaseCheckpointSaver[Any]]:
    """The configured saver; any failure is one red line (``{"error"}`` with ``as_json``; a traceback too
    with ``--debug``)."""
    from agent.memory.checkpointers import checkpointer

    settings, debug = options(ctx)
    with friendly_errors(settings, debug=debug, as_json=as_json), checkpointer(settings=settings) as saver:
        yield saver


@threads_app.command("list")
def list_command(
    ctx: typer.Context,
    limit: Annotated[int | None, typer.Option("--limit", "-n", min=1, help="At most this many.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Saved threads, most recently updated first: id, first question, messages, last update."""
    from agent.chat.render import threads_table
    from agent.threads.history import list_threads

    with open_memory(ctx, as_json=as_json) as saver:
        summaries = list_threads(saver, limit=limit)
    if as_json:
        typer.echo(json.dumps([summary.as_json() for summary in summaries], ensure_ascii=False, indent=2))
        return
    if not summaries:
        out.print("No saved threads yet: start one with `agent chat`.", markup=False)
        return
    out.print(threads_table(summaries))


@threads_app.command("show")
def show_command(ctx: typer.Context, thread: ThreadArgument, as_json: JsonOption = False) -> None:
    """A thread's transcript: questions, tool calls and their results, answers."""
    from agent.chat.render import transcript
    from agent.threads.history import message_json, read_messages, resolve_thread_id

    with open_memory(ctx, as_json=as_json) as saver:
        thread_id = resolve_thread_id(saver, thread)
        messages = read_messages(saver, thread_id)
    if as_json:
        payload = {"thread_id": thread_id, "messages": [message_json(m) for m in messages]}
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    out.print(Text(f"thread {thread_id} · {len(messages)} messages", style="bold"))
    for renderable in transcript(messages):
        out.print(renderable)


@threads_app.command("delete")
def delete_command(
    ctx: typer.Context,
    thread: ThreadArgument,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Delete a thread and all its checkpoints."""
    from agent.threads.history import delete_thread, resolve_thread_id

    with open_memory(ctx, as_json=as_json) as saver:
        thread_id = resolve_thread_id(saver, thread)
        if not yes:
            if not sys.stdin.isatty():
                fail(f"not deleting thread {thread_id} without confirmation: add --yes", as_json=as_json)
            if not typer.confirm(f"Delete thread {thread_id} and all its messages?"):
                fail("not confirmed; nothing deleted", as_json=as_json)
        delete_thread(saver, thread_id)
    if as_json:
        typer.echo(json.dumps({"thread_id": thread_id, "deleted": True}))
        return
    out.print(f"Deleted thread {thread_id}.", markup=False)


def _size(count: int | None) -> str:
    return "?" if count is None else f"{count / 1e6:.1f} MB"


@threads_app.command("prune")
def prune_command(
    ctx: typer.Context,
    keep_last: Annotated[
        int | None, typer.Option("--keep-last", min=0, help="Keep the N most recently updated threads.")
    ] = None,
    older_than: Annotated[
        float | None,
        typer.Option("--older-than", min=0, help="Delete threads not updated for DAYS days.", metavar="DAYS"),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only show what would be deleted.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Delete old threads to reclaim space (with both options: beyond the last N *and* older than DAYS)."""
    from agent.threads.maintenance import age_limit, prune_threads, threads_to_prune

    if keep_last is None and older_than is None:
        fail("say what to prune: --keep-last N, --older-than DAYS, or both", as_json=as_json)
    try:
        age = age_limit(older_than) if older_than is not None else None
    except ValueError as error:
        fail(str(error), as_json=as_json)
    with open_memory(ctx, as_json=as_json) as saver:
        if not (yes or dry_run):
            doomed, _ = threads_to_prune(saver, keep_last=keep_last, older_than=age)
            if doomed:
                if not sys.stdin.isatty():
                    fail(
                        f"not deleting {len(doomed)} threads without confirmation: add --yes (or --dry-run)",
                        as_json=as_json,
                    )
                if not typer.confirm(f"Delete {len(doomed)} threads and all their messages?"):
                    fail("not confirmed; nothing deleted", as_json=as_json)
        report = prune_threads(saver, keep_last=keep_last, older_than=age, dry_run=dry_run)
    if as_json:
        typer.echo(json.dumps(report.as_json()))
        return
    verb = "Would delete" if report.dry_run else "Deleted"
    out.print(f"{verb} {len(report.deleted)} threads, kept {report.kept}.", markup=False)
    for thread_id in report.deleted:
        out.print(f"  {thread_id}", markup=False)
    if report.bytes_before is not None and not report.dry_run:
        out.print(f"Memory file: {_size(report.bytes_before)} → {_size(report.bytes_after)}.", markup=False)


@threads_app.command("export")
def export_command(
    ctx: typer.Context,
    thread: Annotated[str, typer.Argument(help="Thread id (or the start of one).")],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="jsonl (one message per line) or md (Markdown).")
    ] = "jsonl",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of the terminal.")
    ] = None,
) -> None:
    """A thread's whole transcript, as JSON Lines or Markdown."""
    from agent.threads.history import resolve_thread_id
    from agent.threads.maintenance import export_thread

    if fmt not in ("jsonl", "md"):
        fail(f"unknown format {fmt!r}: use --format jsonl or --format md")
    with open_memory(ctx) as saver:
        thread_id = resolve_thread_id(saver, thread)
        text = export_thread(saver, thread_id, fmt)  # type: ignore[arg-type]
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        fail(f"cannot write {output}: {error.strerror or error}")
    err.print(f"Exported thread {thread_id} to {output}.", markup=False)
