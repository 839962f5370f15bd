"""Ingestion into the knowledge base: files (``loading``) split into chunks, added through LangChain's
indexing API, so that only what changed is embedded.

A chunk's id is a hash of its source path and text (``chunk_id``), given to the indexing API as its key
and read back from the store into its records at the start of each run (``records``): re-ingesting an
unchanged file embeds nothing, and collections ingested before the API was used keep their ids. Cleanup is ``scoped_full``: the stale chunks of each file read are deleted once the whole
run's new chunks are stored (``incremental`` would clean up after each batch, and so delete, then embed
again, the unchanged chunks of any file longer than a batch). An interrupted run leaves extra passages
behind, cleaned up by the next run, never a file with no passages at all.

One bad file never costs the others: whatever goes wrong reading a file skips that file with a one-line
reason, and the run goes on.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.documents import Document

from tools.knowledge_base.batched_store import BatchedStore
from tools.knowledge_base.loading import (
    SUPPORTED_SUFFIXES,
    EmptyDocument,
    UnreadableDocument,
    load_documents,
    looks_like_text,
    one_line,
    source_name,
    special_kind,
)
from tools.knowledge_base.records import records_of
from tools.knowledge_base.retrieval import open_store

if TYPE_CHECKING:
    from langchain_core.indexing import RecordManager

    from agent.settings import Settings

__all__ = [
    "CHUNK_SIZE",
    "MAX_FILE_MB",
    "Chunk",
    "EmptyDocument",
    "IngestReport",
    "UnreadableDocument",
    "chunk_id",
    "ingest",
    "iter_files",
    "load_chunks",
    "source_name",
]

CHUNK_SIZE = 800
"""Characters per chunk. all-MiniLM-L6-v2 reads at most 256 word pieces and silently drops the rest;
800 characters of English prose is ~170-220 word pieces, so a whole chunk is embedded (at 1000 the
tail of a dense chunk would be invisible to search)."""

CHUNK_OVERLAP = 120
"""Characters shared by neighbouring chunks (~15%), so a sentence cut at a boundary is whole in one."""

EMBED_BATCH = 64
"""Chunks per embedding call: large enough to keep the model busy, small enough for steady progress."""

INDEX_BATCH = 512
"""Chunks per round of the indexing API (look up, embed in batches of ``batch_size``, record); each
round's lookups and records are one call each."""

MAX_FILE_MB = 20.0
"""Files larger than this (in MB of 1,000,000 bytes) are skipped unless the caller raises the cap: a
20 MB text is ~30k chunks, over an hour of embedding on a laptop's CPU."""

LARGE_FILE_CHUNKS = 2000
"""A file that brings at least this many new chunks is announced (``on_warning``) before embedding."""

CHUNKS_PER_SECOND = 6.5
"""Embedding speed of the local model on a laptop's CPU (docs/benchmarks.md), for the time estimates."""

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(chunks_embedded_so_far, chunks_to_embed)`` after each batch."""

FileCallback = Callable[[int, str], None]
"""Called as ``on_file(files_read_so_far, source)`` after each file is read, stored or skipped."""

WarningCallback = Callable[[str, str], None]
"""Called as ``on_warning(source, message)`` when a file will be slow to embed."""

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Chunk:
    """One passage to store: its id, text and metadata (``source``, ``chunk_id``, title/heading)."""

    id: str
    text: str
    metadata: dict[str, Any]


@dataclass
class IngestReport:
    """What an ingest run did. ``skipped`` names every path not ingested, with the reason."""

    collection: str
    files: list[str] = field(default_factory=list)
    """Sources read and stored (changed or not)."""
    chunks_added: int = 0
    chunks_unchanged: int = 0
    chunks_removed: int = 0
    """Stale chunks of changed files, deleted after their replacements were added."""
    skipped: list[tuple[str, str]] = field(default_factory=list)
    ignored: list[tuple[str, str]] = field(default_factory=list)
    """Files found in folders whose type is not read (``.png``...): listed, but not counted as skipped."""
    warnings: list[tuple[str, str]] = field(default_factory=list)
    """Files stored with a notice (very large), as passed to ``on_warning``."""


# -------------------------------------------------------------------------------------------- chunking


def _splitter() -> Any:
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    return RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)


def chunk_id(source: str, text: str) -> str:
    """The stable id of a chunk: a hash of where it comes from and what it says."""
    return hashlib.sha256(f"{source}\x00{text}".encode()).hexdigest()


def load_chunks(path: Path, *, max_bytes: int | None = None) -> list[Chunk]:
    """Read one supported file and split it into chunks; raises ``UnreadableDocument`` with a reason
    (also for a special file or one over ``max_bytes``), or ``OSError``."""
    splitter = _splitter()
    chunks: list[Chunk] = []
    seen: set[str] = set()
    for doc in load_documents(path, max_bytes=max_bytes):
        source = doc.metadata["source"]
        for piece in splitter.split_text(doc.page_content):
            piece = piece.strip()
            ident = chunk_id(source, piece)
            if not piece or ident in seen:  # a passage repeated within a file adds nothing
                continue
            seen.add(ident)
            chunks.append(Chunk(ident, piece, {**doc.metadata, "chunk_id": ident}))
    if not chunks:
        raise EmptyDocument("empty (no text to index)")
    return chunks


# -------------------------------------------------------------------------------------------- walking


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "no such file or directory"
    return f"unreadable ({exc.strerror or exc})"


def _walk(folder: Path) -> list[Path]:
    """Everything under ``folder`` (recursively), hidden entries left out, sorted."""
    return sorted(
        p for p in folder.rglob("*") if not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


def iter_files(paths: Iterable[str | os.PathLike[str]], report: IngestReport) -> Iterator[Path]:
    """The regular files named or found (recursively, hidden entries left out) under ``paths``, resolved,
    each once. Missing paths, special files (named pipes, sockets, devices: never opened) and files named
    with an unsupported type go to ``report.skipped``; files of an unsupported type found in a folder
    (files without an extension that do not begin like text among them) to ``report.ignored``."""
    seen: set[Path] = set()
    for given in paths:
        path = Path(given).expanduser()
        try:
            in_folder = stat.S_ISDIR(path.stat().st_mode)
        except OSError as exc:
            report.skipped.append((source_name(given), _os_reason(exc)))
            continue
        for candidate in _walk(path) if in_folder else [path]:
            resolved = candidate.resolve()
            if resolved in seen:
                continue
            seen.add(resolved)
            name = source_name(resolved)
            try:
                mode = resolved.stat().st_mode
            except OSError as exc:  # a broken link, a file removed meanwhile
                report.skipped.append((name, _os_reason(exc)))
                continue
            if stat.S_ISDIR(mode):
                continue
            if (kind := special_kind(mode)) is not None:
                report.skipped.append((name, f"{kind}, not a regular file"))
                continue
            if resolved.suffix and resolved.suffix.lower() not in SUPPORTED_SUFFIXES:
                reason = f"unsupported file type ({resolved.suffix})"
                (report.ignored if in_folder else report.skipped).append((name, reason))
                continue
            if not resolved.suffix and in_folder and not looks_like_text(resolved):
                report.ignored.append((name, "unsupported file type (no extension, not text)"))
                continue
            yield resolved


# -------------------------------------------------------------------------------------------- ingest


def _read(path: Path, max_bytes: int | None) -> list[Chunk]:
    """``load_chunks``, with every failure turned into ``UnreadableDocument``."""
    try:
        return load_chunks(path, max_bytes=max_bytes)
    except UnreadableDocument:
        raise
    except OSError as exc:
        raise UnreadableDocument(_os_reason(exc)) from exc
    except Exception as exc:  # a parser's bug on a hostile file must not cost the other files
        logger.info("%s could not be read", source_name(path), exc_info=True)
        raise UnreadableDocument(f"could not be read ({one_line(f'{type(exc).__name__}: {exc}')})") from exc


def _duration(seconds: float) -> str:
    if seconds < 60:
        return "under a minute"
    return f"about {seconds / 60:.0f} min" if seconds < 5400 else f"about {seconds / 3600:.1f} h"


def _chunk_key(doc: Document) -> str:
    """The indexing API's key for a chunk: our content hash, which is also its id in the store."""
    return str(doc.metadata["chunk_id"])


def _remove_sources(records: RecordManager, store: BatchedStore, sources: list[str]) -> int:
    """Delete every chunk stored for ``sources`` (files emptied since last time); how many went."""
    keys = records.list_keys(group_ids=sources) if sources else []
    if keys:
        store.delete(ids=keys)
        records.delete_keys(keys)
    return len(keys)


def ingest(
    paths: Iterable[str | os.PathLike[str]],
    settings: Settings,
    collection: str | None = None,
    progress: ProgressCallback | None = None,
    *,
    batch_size: int = EMBED_BATCH,
    max_file_mb: float | None = MAX_FILE_MB,
    on_file: FileCallback | None = None,
    on_warning: WarningCallback | None = None,
) -> IngestReport:
    """Add files and folders to a collection (created on first use); see the module docstring.

    A file that cannot be read (damaged, special, over ``max_file_mb``; None for no limit) is skipped
    with its reason in ``report.skipped``; the others are stored all the same.
    """
    from langchain_core.indexing import index

    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    if max_file_mb is not None and max_file_mb <= 0:
        raise ValueError("max_file_mb must be positive")
    max_bytes = None if max_file_mb is None else int(max_file_mb * 1_000_000)
    name = collection or settings.collection
    report = IngestReport(collection=name)
    chroma = open_store(settings, name, create=True)
    if chroma is None:  # pragma: no cover - create=True always yields a store
        raise RuntimeError(f"could not open collection {name!r}")
    records = records_of(chroma, namespace=f"chroma/{name}")

    docs: list[Document] = []
    emptied: list[str] = []
    total = 0
    for count, path in enumerate(iter_files(paths, report), start=1):
        source = source_name(path)
        try:
            chunks = _read(path, max_bytes)
        except UnreadableDocument as exc:
            report.skipped.append((source, str(exc)))
            if isinstance(exc, EmptyDocument):  # emptied since last time: its old passages go
                emptied.append(source)
            chunks = []
        if chunks:
            stored = records.exists([chunk.id for chunk in chunks])
            new = stored.count(False)
            total += new
            report.chunks_unchanged += len(chunks) - new
            docs.extend(Document(chunk.text, metadata=chunk.metadata) for chunk in chunks)
            report.files.append(source)
            if new >= LARGE_FILE_CHUNKS:
                message = (
                    f"very large file: {new:,} chunks to embed "
                    f"({_duration(new / CHUNKS_PER_SECOND)} on a CPU)"
                )
                report.warnings.append((source, message))
                if on_warning:
                    on_warning(source, message)
        if on_file:
            on_file(count, source)

    def embedded(count: int) -> None:
        report.chunks_added += count
        if progress:
            progress(report.chunks_added, total)

    if progress:
        progress(0, total)
    store = BatchedStore(chroma, batch_size, embedded)
    result = index(
        docs,
        records,
        store,
        batch_size=max(batch_size, INDEX_BATCH),
        cleanup="scoped_full",
        source_id_key="source",
        key_encoder=_chunk_key,
    )
    report.chunks_removed = result["num_deleted"] + _remove_sources(records, store, emptied)
    return report
