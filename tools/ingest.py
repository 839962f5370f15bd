"""Ingestion into the knowledge base: read files, split them into chunks, add only what changed.

Chunk ids are content hashes (source path + chunk text), so re-ingesting an unchanged file embeds
nothing, and a changed file's stale chunks are the ids stored for its source that the new version no
longer produces.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tools.retrieval import open_store

if TYPE_CHECKING:
    from langchain_chroma import Chroma

    from agent.settings import Settings

SUPPORTED_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".pdf", ".html", ".htm"})

CHUNK_SIZE = 800
"""Characters per chunk. all-MiniLM-L6-v2 reads at most 256 word pieces and silently drops the rest;
800 characters of English prose is ~170-220 word pieces, so a whole chunk is embedded (at 1000 the
tail of a dense chunk would be invisible to search)."""

CHUNK_OVERLAP = 120
"""Characters shared by neighbouring chunks (~15%), so a sentence cut at a boundary is whole in one."""

EMBED_BATCH = 64
"""Chunks per embedding call: large enough to keep the model busy, small enough for steady progress."""

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(chunks_embedded_so_far, chunks_to_embed)`` after each batch."""


class UnreadableDocument(Exception):
    """A file that cannot be turned into text; the message is the reason shown to the user."""


class EmptyDocument(UnreadableDocument):
    """A readable file with no text: any passages stored for it earlier are removed."""


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


# ---------------------------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class _Section:
    """A stretch of a document's text with the metadata its chunks inherit (page, heading)."""

    text: str
    metadata: dict[str, Any]


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    if b"\x00" in data[:8192]:
        raise UnreadableDocument("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableDocument(f"not UTF-8 text (undecodable byte at offset {exc.start})") from exc


def _read_pdf(path: Path) -> tuple[str | None, list[_Section]]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            raise UnreadableDocument("encrypted PDF")
        sections = [
            _Section(text, {"page": number})
            for number, page in enumerate(reader.pages, start=1)
            if (text := page.extract_text() or "").strip()
        ]
        title = reader.metadata.title if reader.metadata else None
    except UnreadableDocument:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        # pypdf signals damaged files with its own errors but also with plain ValueError/KeyError.
        raise UnreadableDocument(f"corrupt or unreadable PDF ({type(exc).__name__}: {exc})") from exc
    return (str(title) if title else None), sections


def _read_html(path: Path) -> tuple[str | None, str]:
    from bs4 import BeautifulSoup

    data = path.read_bytes()
    if b"\x00" in data[:8192]:
        raise UnreadableDocument("binary file (contains NUL bytes)")
    soup = BeautifulSoup(data, "html.parser")  # the bytes let bs4 detect the declared encoding
    title = soup.title.get_text(" ", strip=True) if soup.title else None
    for tag in soup(["script", "style", "noscript", "template", "head"]):
        tag.decompose()
    lines = (line.strip() for line in soup.get_text("\n").splitlines())
    return title or None, "\n".join(line for line in lines if line)


def _first_markdown_title(text: str) -> str | None:
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].strip() or None
    return None


# -------------------------------------------------------------------------------------------- chunking


def _splitter() -> Any:
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    return RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)


def _markdown_sections(text: str) -> list[_Section]:
    """Split on headings first so a chunk never straddles two sections; keep the heading in the text
    (it often carries the words a question is about) and as ``heading`` metadata."""
    from langchain_text_splitters import MarkdownHeaderTextSplitter

    splitter = MarkdownHeaderTextSplitter(
        headers_to_split_on=[("#", "h1"), ("##", "h2"), ("###", "h3")], strip_headers=False
    )
    sections = []
    for doc in splitter.split_text(text):
        headings = [doc.metadata[h] for h in ("h1", "h2", "h3") if h in doc.metadata]
        meta = {"heading": " > ".join(headings)} if headings else {}
        sections.append(_Section(doc.page_content, meta))
    return sections


def chunk_id(source: str, text: str) -> str:
    """The stable id of a chunk: a hash of where it comes from and what it says."""
    return hashlib.sha256(f"{source}\x00{text}".encode()).hexdigest()


def load_chunks(path: Path) -> list[Chunk]:
    """Read one supported file and split it into chunks; raises ``UnreadableDocument`` with a reason."""
    suffix = path.suffix.lower()
    source = str(path)
    title: str | None
    if suffix == ".pdf":
        title, sections = _read_pdf(path)
    elif suffix in {".html", ".htm"}:
        title, text = _read_html(path)
        sections = [_Section(text, {})]
    elif suffix in {".md", ".markdown"}:
        text = _read_text(path)
        title = _first_markdown_title(text)
        sections = _markdown_sections(text) if text.strip() else []
    else:
        title, sections = None, [_Section(_read_text(path), {})]

    splitter = _splitter()
    chunks: list[Chunk] = []
    seen: set[str] = set()
    base = {"source": source, "title": title or path.name}
    for section in sections:
        for piece in splitter.split_text(section.text):
            piece = piece.strip()
            ident = chunk_id(source, piece)
            if not piece or ident in seen:  # a passage repeated within a file adds nothing
                continue
            seen.add(ident)
            chunks.append(Chunk(ident, piece, {**base, **section.metadata, "chunk_id": ident}))
    if not chunks:
        raise EmptyDocument("empty (no text to index)")
    return chunks


# -------------------------------------------------------------------------------------------- walking


def iter_files(paths: Iterable[str | os.PathLike[str]], report: IngestReport) -> Iterator[Path]:
    """The files named or found (recursively, hidden entries left out) under ``paths``, resolved,
    each once; missing paths and unsupported types go to ``report.skipped``."""
    seen: set[Path] = set()
    for given in paths:
        path = Path(given).expanduser()
        if not path.exists():
            report.skipped.append((str(given), "no such file or directory"))
            continue
        if path.is_dir():
            candidates = sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            candidates = [path]
        for candidate in candidates:
            resolved = candidate.resolve()
            if resolved in seen:
                continue
            seen.add(resolved)
            if resolved.suffix.lower() not in SUPPORTED_SUFFIXES:
                kind = resolved.suffix or "no extension"
                report.skipped.append((str(resolved), f"unsupported file type ({kind})"))
                continue
            yield resolved


# -------------------------------------------------------------------------------------------- ingest


def _stored_ids(store: Chroma, source: str) -> set[str]:
    return set(store.get(where={"source": source}, include=[])["ids"])


def ingest(
    paths: Iterable[str | os.PathLike[str]],
    settings: Settings,
    collection: str | None = None,
    progress: ProgressCallback | None = None,
    *,
    batch_size: int = EMBED_BATCH,
) -> IngestReport:
    """Add files and folders to a collection (created on first use); see the module docstring."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    name = collection or settings.collection
    report = IngestReport(collection=name)
    store = open_store(settings, name, create=True)
    if store is None:  # pragma: no cover - create=True always yields a store
        raise RuntimeError(f"could not open collection {name!r}")

    to_add: list[Chunk] = []
    stale: list[str] = []
    for path in iter_files(paths, report):
        try:
            chunks = load_chunks(path)
        except EmptyDocument as exc:
            report.skipped.append((str(path), str(exc)))
            stale.extend(sorted(_stored_ids(store, str(path))))
            continue
        except UnreadableDocument as exc:
            report.skipped.append((str(path), str(exc)))
            continue
        except OSError as exc:
            report.skipped.append((str(path), f"unreadable ({exc.strerror or exc})"))
            continue
        stored = _stored_ids(store, str(path))
        fresh = {chunk.id for chunk in chunks}
        to_add.extend(chunk for chunk in chunks if chunk.id not in stored)
        stale.extend(sorted(stored - fresh))
        report.chunks_unchanged += len(stored & fresh)
        report.files.append(str(path))

    total = len(to_add)
    if progress:
        progress(0, total)
    for start in range(0, total, batch_size):
        batch = to_add[start : start + batch_size]
        store.add_texts(
            [chunk.text for chunk in batch],
            metadatas=[chunk.metadata for chunk in batch],
            ids=[chunk.id for chunk in batch],
        )
        report.chunks_added += len(batch)
        if progress:
            progress(report.chunks_added, total)
    # Old chunks go only once their replacements are stored: an interrupted run leaves extra
    # passages behind (cleaned up by the next run), never a file with no passages at all.
    if stale:
        store.delete(ids=stale)
        report.chunks_removed = len(stale)
    return report
