"""``agent threads prune`` and ``agent threads export``: mounted on the ``threads`` group with
``register(threads_app)``; the work is done in ``agent.threads_maintenance``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from agent.cli_output import err, fail, out
from agent.threads_cli import open_memory


def register(threads_app: typer.Typer) -> None:
    """Add ``prune`` and ``export`` to the ``threads`` group."""
    threads_app.command("prune")(prune_command)
    threads_app.command("export")(export_command)


def _size(count: int | None) -> str:
    return "?" if count is None else f"{count / 1e6:.1f} MB"


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
    from agent.threads_maintenance import age_limit, prune_threads, threads_to_prune

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
    from agent.threads import resolve_thread_id
    from agent.threads_maintenance import export_thread

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
