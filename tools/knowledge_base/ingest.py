"""Ingestion into the knowledge base: read files, split them into chunks, add only what changed.

Chunk ids are content hashes (source path + chunk text), so re-ingesting an unchanged file embeds
nothing, and a changed file's stale chunks are the ids stored for its source that the new version no
longer produces.

One bad file never costs the others: whatever goes wrong reading a file (a damaged PDF that trips pypdf
over its own feet, an undecodable text, a size over the cap) skips that file with a one-line reason, and
the run goes on. Special files (named pipes, sockets, devices) are never opened: reading a named pipe
would wait for a writer forever.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import logging
import os
import stat
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tools.knowledge_base.retrieval import open_store

if TYPE_CHECKING:
    from langchain_chroma import Chroma

    from agent.settings import Settings

SUPPORTED_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".pdf", ".html", ".htm"})
"""The types read. A file without an extension (README, NEWS, copyright) is read as plain text too; one
found in a folder that does not begin like text (a program, data) is left out as of a type not read."""

SNIFF_BYTES = 8192
"""How much of a file without an extension found in a folder is read to tell text from binary."""

CHUNK_SIZE = 800
"""Characters per chunk. all-MiniLM-L6-v2 reads at most 256 word pieces and silently drops the rest;
800 characters of English prose is ~170-220 word pieces, so a whole chunk is embedded (at 1000 the
tail of a dense chunk would be invisible to search)."""

CHUNK_OVERLAP = 120
"""Characters shared by neighbouring chunks (~15%), so a sentence cut at a boundary is whole in one."""

EMBED_BATCH = 64
"""Chunks per embedding call: large enough to keep the model busy, small enough for steady progress."""

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
    ignored: list[tuple[str, str]] = field(default_factory=list)
    """Files found in folders whose type is not read (``.png``...): listed, but not counted as skipped."""
    warnings: list[tuple[str, str]] = field(default_factory=list)
    """Files stored with a notice (very large), as passed to ``on_warning``."""


def source_name(path: str | os.PathLike[str]) -> str:
    """``path`` as stored and shown: itself, or for a name that is not UTF-8 (``caf\\xe9.txt`` from an
    old Latin-1 disk) the undecodable bytes written as ``\\xe9``, which every store and terminal takes."""
    text = os.fspath(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(text).decode("utf-8", "backslashreplace")
    return text


def _one_line(text: str, limit: int = 160) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


# ---------------------------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class _Section:
    """A stretch of a document's text with the metadata its chunks inherit (page, heading)."""

    text: str
    metadata: dict[str, Any]


_SPECIAL_FILES = {
    stat.S_IFIFO: "named pipe",
    stat.S_IFSOCK: "socket",
    stat.S_IFCHR: "character device",
    stat.S_IFBLK: "block device",
}


def _special_kind(mode: int) -> str | None:
    """What a file that is neither regular nor a folder is ("named pipe"...), or None."""
    return _SPECIAL_FILES.get(stat.S_IFMT(mode))


def _read_bytes(path: Path, max_bytes: int | None) -> bytes:
    """The file's bytes. Non-blocking open and a check of what was opened: a file swapped for a named
    pipe since it was listed is refused instead of waiting forever for a writer."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(file.fileno())
        if (kind := _special_kind(info.st_mode)) is not None:
            raise UnreadableDocument(f"{kind}, not a regular file")
        if max_bytes is not None and info.st_size > max_bytes:
            raise UnreadableDocument(_too_large(info.st_size, max_bytes))
        data = file.read() if max_bytes is None else file.read(max_bytes + 1)
    if max_bytes is not None and len(data) > max_bytes:  # it grew while being read
        raise UnreadableDocument(_too_large(len(data), max_bytes))
    return data


def _too_large(size: int, max_bytes: int) -> str:
    return (
        f"too large ({size / 1e6:.1f} MB, over the {max_bytes / 1e6:g} MB limit; raise it with --max-file-mb)"
    )


_BOMS = (  # UTF-32 first: its little-endian mark begins with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)


def _bom_encoding(data: bytes) -> tuple[str, str] | None:
    """The codec and name of the encoding a byte-order mark at the start of ``data`` declares."""
    return next(((codec, name) for bom, codec, name in _BOMS if data.startswith(bom)), None)


def _looks_like_text(path: Path) -> bool:
    """Whether the file begins like text: its first ``SNIFF_BYTES`` decode as UTF-8 without NUL bytes, or
    as the encoding a byte-order mark declares. Opened as ``_read_bytes`` opens files (never a special
    one); a file that cannot be opened counts as text, so that the loader reports why."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as file:
            if _special_kind(os.fstat(file.fileno()).st_mode) is not None:
                return True
            head = file.read(SNIFF_BYTES)
    except OSError:
        return True
    codec, _ = _bom_encoding(head) or ("utf-8", "UTF-8")
    if codec == "utf-8" and b"\x00" in head:
        return False
    try:
        # Unless the whole file was read, a character may be cut at the end of ``head``.
        codecs.getincrementaldecoder(codec)().decode(head, final=len(head) < SNIFF_BYTES)
    except UnicodeDecodeError:
        return False
    return True


def _decode(data: bytes) -> str:
    """Text from UTF-8, or from UTF-8/16/32 with a byte-order mark (the mark itself dropped)."""
    codec, name = _bom_encoding(data) or ("utf-8", "UTF-8")
    if codec == "utf-8" and b"\x00" in data[:8192]:
        raise UnreadableDocument("binary file (contains NUL bytes)")
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise UnreadableDocument(f"not {name} text (undecodable byte at offset {exc.start})") from exc


def _clean(text: str) -> str:
    """``text`` without lone surrogates (some damaged PDFs yield them), which no store can encode."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


@contextmanager
def _parser_notices_to_logging(source: str) -> Iterator[None]:
    """pypdf reports damaged files through ``logging`` with no handler of its own (so Python's last-resort
    handler prints them on stderr) and bs4 through ``warnings``: both go to logging instead, where the
    application's logging configuration decides, and nothing reaches the user's terminal uninvited."""
    pypdf_logger = logging.getLogger("pypdf")
    quiet = logging.NullHandler()
    pypdf_logger.addHandler(quiet)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
    finally:
        pypdf_logger.removeHandler(quiet)
    for notice in caught:
        logger.info("%s: %s: %s", source, notice.category.__name__, notice.message)


def _read_pdf(data: bytes) -> tuple[str | None, list[_Section]]:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
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
    except Exception as exc:
        # pypdf signals damaged files with its own errors, but hostile ones also reach plain
        # ValueError, KeyError, AttributeError, RecursionError... from deep inside its parser.
        reason = _one_line(f"{type(exc).__name__}: {exc}")
        raise UnreadableDocument(f"corrupt or unreadable PDF ({reason})") from exc
    return (_clean(str(title)) if title else None), sections


def _read_html(data: bytes) -> tuple[str | None, str]:
    from bs4 import BeautifulSoup

    # Without a byte-order mark, the bytes go to bs4, which detects the declared encoding.
    markup: str | bytes = _decode(data) if _bom_encoding(data) else data
    if isinstance(markup, bytes) and b"\x00" in markup[:8192]:
        raise UnreadableDocument("binary file (contains NUL bytes)")
    try:
        soup = BeautifulSoup(markup, "html.parser")
        title = soup.title.get_text(" ", strip=True) if soup.title else None
        for tag in soup(["script", "style", "noscript", "template", "head"]):
            tag.decompose()
        text = soup.get_text("\n")
    except Exception as exc:  # html.parser gives up on some malformed markup with assorted errors
        reason = _one_line(f"{type(exc).__name__}: {exc}")
        raise UnreadableDocument(f"unreadable HTML ({reason})") from exc
    lines = (line.strip() for line in text.splitlines())
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


def load_chunks(path: Path, *, max_bytes: int | None = None) -> list[Chunk]:
    """Read one supported file and split it into chunks; raises ``UnreadableDocument`` with a reason
    (also for a special file or one over ``max_bytes``), or ``OSError``."""
    suffix = path.suffix.lower()
    source = source_name(path)
    data = _read_bytes(path, max_bytes)
    title: str | None
    if suffix == ".pdf":
        with _parser_notices_to_logging(source):
            title, sections = _read_pdf(data)
    elif suffix in {".html", ".htm"}:
        with _parser_notices_to_logging(source):
            title, text = _read_html(data)
        sections = [_Section(text, {})]
    elif suffix in {".md", ".markdown"}:
        text = _decode(data)
        title = _first_markdown_title(text)
        sections = _markdown_sections(text) if text.strip() else []
    else:  # .txt, or no extension (README, NEWS, copyright): plain text
        title, sections = None, [_Section(_decode(data), {})]

    splitter = _splitter()
    chunks: list[Chunk] = []
    seen: set[str] = set()
    base = {"source": source, "title": title or source_name(path.name)}
    for section in sections:
        for piece in splitter.split_text(_clean(section.text)):
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
            if (kind := _special_kind(mode)) is not None:
                report.skipped.append((name, f"{kind}, not a regular file"))
                continue
            if resolved.suffix and resolved.suffix.lower() not in SUPPORTED_SUFFIXES:
                reason = f"unsupported file type ({resolved.suffix})"
                (report.ignored if in_folder else report.skipped).append((name, reason))
                continue
            if not resolved.suffix and in_folder and not _looks_like_text(resolved):
                report.ignored.append((name, "unsupported file type (no extension, not text)"))
                continue
            yield resolved


# -------------------------------------------------------------------------------------------- ingest


def _stored_ids(store: Chroma, source: str) -> set[str]:
    return set(store.get(where={"source": source}, include=[])["ids"])


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
        raise UnreadableDocument(f"could not be read ({_one_line(f'{type(exc).__name__}: {exc}')})") from exc


def _duration(seconds: float) -> str:
    if seconds < 60:
        return "under a minute"
    return f"about {seconds / 60:.0f} min" if seconds < 5400 else f"about {seconds / 3600:.1f} h"


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
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    if max_file_mb is not None and max_file_mb <= 0:
        raise ValueError("max_file_mb must be positive")
    max_bytes = None if max_file_mb is None else int(max_file_mb * 1_000_000)
    name = collection or settings.collection
    report = IngestReport(collection=name)
    store = open_store(settings, name, create=True)
    if store is None:  # pragma: no cover - create=True always yields a store
        raise RuntimeError(f"could not open collection {name!r}")

    to_add: list[Chunk] = []
    stale: list[str] = []
    for count, path in enumerate(iter_files(paths, report), start=1):
        source = source_name(path)
        try:
            chunks = _read(path, max_bytes)
        except UnreadableDocument as exc:
            report.skipped.append((source, str(exc)))
            if isinstance(exc, EmptyDocument):  # emptied since last time: its old passages go
                stale.extend(sorted(_stored_ids(store, source)))
            chunks = []
        if chunks:
            stored = _stored_ids(store, source)
            fresh = {chunk.id for chunk in chunks}
            new = [chunk for chunk in chunks if chunk.id not in stored]
            to_add.extend(new)
            stale.extend(sorted(stored - fresh))
            report.chunks_unchanged += len(stored & fresh)
            report.files.append(source)
            if len(new) >= LARGE_FILE_CHUNKS:
                message = (
                    f"very large file: {len(new):,} chunks to embed "
                    f"({_duration(len(new) / CHUNKS_PER_SECOND)} on a CPU)"
                )
                report.warnings.append((source, message))
                if on_warning:
                    on_warning(source, message)
        if on_file:
            on_file(count, source)

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
