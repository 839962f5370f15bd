"""Knowledge-base commands: ``agent ingest PATH...`` and ``agent kb search|list|drop``.

``agent/cli/main.py`` mounts them with ``register(app)``. The store and the embedding model are imported
inside the commands, so ``agent --help`` stays fast.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import PurePath
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from agent.cli.context import context_settings, progress_bar
from agent.cli.output import command_errors, err, fail, out

if TYPE_CHECKING:
    from tools.knowledge_base.ingest import IngestReport


kb_app = typer.Typer(help="Search and manage the knowledge base.", no_args_is_help=True)

CollectionOption = Annotated[
    str | None, typer.Option("--collection", "-c", help="Collection (default: AGENT_COLLECTION).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]

EXIT_SKIPPED = 3
"""``agent ingest``'s exit code when some files were stored and others skipped (1: none stored, or an error;
2: a usage error, as for every command)."""

PROGRESS_EVERY_S = 10.0
"""Seconds between progress lines when stderr is not a terminal (a log, a pipe)."""


def register(app: typer.Typer) -> None:
    """Add ``ingest`` and the ``kb`` group to ``app``."""
    app.command("ingest")(ingest_command)
    app.add_typer(kb_app, name="kb")


# ---------------------------------------------------------------------------------------------- ingest


def ingest_command(
    ctx: typer.Context,
    paths: Annotated[list[str], typer.Argument(help="Files or folders (searched recursively).")],
    collection: CollectionOption = None,
    max_file_mb: Annotated[
        float, typer.Option("--max-file-mb", min=0.001, help="Skip files larger than this many MB.")
    ] = 20.0,  # tools.knowledge_base.ingest.MAX_FILE_MB, not imported: `agent --help` stays fast
) -> None:
    """Add documents (txt, md, pdf, html) to the knowledge base; unchanged files are not re-embedded.

    Files without an extension (README, NEWS, copyright) are read as plain text.

    A file that cannot be read (damaged, too large, a named pipe or a device) is skipped and named, with why.

    Exit code 0: all stored; 3: some stored, some skipped; 1: nothing stored.
    """
    from tools.knowledge_base.ingest import ingest

    def warn(source: str, message: str) -> None:
        err.print(Text(f"warning: {source}: {message}", style="yellow"), soft_wrap=True)

    with command_errors(ctx):
        settings = context_settings(ctx)
        with _progress() as (on_file, on_chunks):
            report = ingest(
                paths,
                settings,
                collection,
                on_chunks,
                max_file_mb=max_file_mb,
                on_file=on_file,
                on_warning=warn,
            )
        out.print(_summary(report))
        if report.skipped:
            out.print(_skipped_table(report))
        if report.ignored:
            out.print(_ignored_line(report), markup=False)
    if not report.files:
        fail("nothing was ingested")
    if report.skipped:
        raise typer.Exit(EXIT_SKIPPED)


class ProgressLines:
    """Progress as plain lines, for a stderr that is not a terminal (where a bar would be a mess of
    control codes): at most one every ``PROGRESS_EVERY_S`` seconds, plus one when embedding starts."""

    def __init__(self, write: Callable[[str], None], clock: Callable[[], float] = time.monotonic) -> None:
        self._write = write
        self._clock = clock
        self._last = clock()

    def _due(self) -> bool:
        now = self._clock()
        if now - self._last < PROGRESS_EVERY_S:
            return False
        self._last = now
        return True

    def files(self, count: int, source: str) -> None:
        if self._due():
            self._write(f"ingest: {count} file(s) read, last {source}")

    def chunks(self, done: int, total: int) -> None:
        if total and done == 0:
            self._last = self._clock()
            self._write(f"ingest: embedding {total} chunk(s)")
        elif total and self._due():
            self._write(f"ingest: {done}/{total} chunks embedded ({100 * done // total}%)")


@contextmanager
def _progress() -> Iterator[tuple[Callable[[int, str], None], Callable[[int, int], None]]]:
    """``(on_file, on_chunks)`` for ``ingest``: a bar on a terminal, else ``ProgressLines``."""
    if not err.is_terminal:
        lines = ProgressLines(lambda line: err.print(line, markup=False, soft_wrap=True))
        yield lines.files, lines.chunks
        return
    with progress_bar(err, spinner=True) as bar:
        task = bar.add_task("Reading files", total=None)

        def read(count: int, source: str) -> None:
            bar.update(task, description=f"Reading files ({count})")

        def embedded(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total or None, description="Embedding chunks")

        yield read, embedded


def _summary(report: IngestReport) -> Table:
    table = Table(title=f"Ingested into '{report.collection}'", title_justify="left")
    for column in ("files", "chunks added", "unchanged", "replaced (removed)", "skipped"):
        table.add_column(column, justify="right")
    table.add_row(
        str(len(report.files)),
        str(report.chunks_added),
        str(report.chunks_unchanged),
        str(report.chunks_removed),
        str(len(report.skipped)),
    )
    return table


def _ignored_line(report: IngestReport) -> str:
    suffixes = Counter(PurePath(path).suffix.lower() or "no extension" for path, _ in report.ignored)
    kinds = ", ".join(f"{suffix} ×{n}" if n > 1 else suffix for suffix, n in sorted(suffixes.items()))
    return f"Not read: {len(report.ignored)} file(s) in the folders of types not supported ({kinds})."


def _skipped_table(report: IngestReport) -> Table:
    table = Table(title="Skipped", title_justify="left")
    table.add_column("path", overflow="fold")
    table.add_column("why")
    for path, reason in report.skipped:
        table.add_row(path, reason)
    return table


# ---------------------------------------------------------------------------------------------- kb ...


@kb_app.command("search")
def search_command(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="What to look for, in your own words.")],
    collection: CollectionOption = None,
    k: Annotated[int, typer.Option("--k", "-k", min=1, max=100, help="How many passages.")] = 4,
    as_json: JsonOption = False,
) -> None:
    """Show the passages most similar to QUERY, best first."""
    from agent.chat.render import clean
    from tools.knowledge_base.retrieval import EMPTY_MESSAGE, search

    with command_errors(ctx, as_json=as_json):
        hits = search(query, context_settings(ctx), collection=collection, k=k)
    if as_json:
        payload: list[dict[str, Any]] = [
            {
                key: value
                for key, value in asdict(hit).items()
                if key in {"source", "chunk_id", "score", "text"}
            }
            for hit in hits
        ]
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    if not hits:
        out.print(EMPTY_MESSAGE, markup=False)
        return
    for n, hit in enumerate(hits, start=1):
        out.print(
            Text.assemble((f"[{n}] ", "bold"), (f"{hit.score:.3f} ", "cyan"), (clean(hit.source), "green"))
        )
        out.print(Text(clean(hit.text)))
        out.print()


@kb_app.command("list")
def list_command(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List collections with their number of chunks and embedding model."""
    from tools.knowledge_base.retrieval import list_collections

    with command_errors(ctx, as_json=as_json):
        infos = list_collections(context_settings(ctx))
    if as_json:
        typer.echo(json.dumps([asdict(info) for info in infos], indent=2))
        return
    if not infos:
        out.print("No collections yet: add documents with `agent ingest PATH`.", markup=False)
        return
    table = Table("collection", "chunks", "embedding model")
    for info in infos:
        table.add_row(info.name, str(info.chunks), info.embedding_model or "unknown")
    out.print(table)


@kb_app.command("drop")
def drop_command(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The collection to delete.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete a collection and all its chunks."""
    from tools.knowledge_base.retrieval import drop_collection

    if not yes and not typer.confirm(f"Delete collection '{name}' and all its chunks?"):
        fail("not confirmed; nothing deleted")
    with command_errors(ctx):
        drop_collection(name, context_settings(ctx))
    out.print(f"Dropped collection '{name}'.", markup=False)
