"""Reading one file into Documents: its pages (PDF), its sections (Markdown) or its whole text.

The parsing is langchain-community's: ``PyPDFParser``, ``BS4HTMLParser`` and ``TextParser``, the blob
parsers behind ``PyPDFLoader``, ``BSHTMLLoader`` and ``TextLoader``. They are given the bytes read here
rather than a path, because the loaders open the file again by name: a file swapped for a named pipe
since it was checked would block them forever, and one grown past the size cap would be read whole.
What stays hand-written is what no loader does: the size cap, refusing special files, telling text from
binary (``TextLoader(autodetect_encoding=True)`` would guess Latin-1 where we say "not UTF-8 text"), and
turning any parser failure into a one-line reason. An HTML page's sections are its Markdown (markdownify) split
on headings, as a Markdown file's are; BS4HTMLParser gives its title, and its text where markdownify cannot.
"""

from __future__ import annotations

import codecs
import logging
import os
import re
import stat
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from langchain_community.document_loaders.parsers import BS4HTMLParser, PyPDFParser
from langchain_community.document_loaders.parsers.txt import TextParser
from langchain_core.document_loaders import Blob
from langchain_core.documents import Document

SUPPORTED_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".pdf", ".html", ".htm"})
"""The types read. A file without an extension (README, NEWS, copyright) is read as plain text too; one
found in a folder that does not begin like text (a program, data) is left out as of a type not read."""

SNIFF_BYTES = 8192
"""How much of a file without an extension found in a folder is read to tell text from binary."""

logger = logging.getLogger(__name__)


class UnreadableDocument(Exception):
    """A file that cannot be turned into text; the message is the reason shown to the user."""


class EmptyDocument(UnreadableDocument):
    """A readable file with no text: any passages stored for it earlier are removed."""


def source_name(path: str | os.PathLike[str]) -> str:
    """``path`` as stored and shown: itself, or for a name that is not UTF-8 (``caf\\xe9.txt`` from an
    old Latin-1 disk) the undecodable bytes written as ``\\xe9``, which every store and terminal takes."""
    text = os.fspath(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(text).decode("utf-8", "backslashreplace")
    return text


def one_line(text: str, limit: int = 160) -> str:
    """``text`` on one line, cut to ``limit`` characters: a reason shown beside a file name."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


# ------------------------------------------------------------------------------------- the bytes


_SPECIAL_FILES = {
    stat.S_IFIFO: "named pipe",
    stat.S_IFSOCK: "socket",
    stat.S_IFCHR: "character device",
    stat.S_IFBLK: "block device",
}


def special_kind(mode: int) -> str | None:
    """What a file that is neither regular nor a folder is ("named pipe"...), or None."""
    return _SPECIAL_FILES.get(stat.S_IFMT(mode))


def _read_bytes(path: Path, max_bytes: int | None) -> bytes:
    """The file's bytes. Non-blocking open and a check of what was opened: a file swapped for a named
    pipe since it was listed is refused instead of waiting forever for a writer."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(file.fileno())
        if (kind := special_kind(info.st_mode)) is not None:
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


def looks_like_text(path: Path) -> bool:
    """Whether the file begins like text: its first ``SNIFF_BYTES`` decode as UTF-8 without NUL bytes, or
    as the encoding a byte-order mark declares. Opened as ``_read_bytes`` opens files (never a special
    one); a file that cannot be opened counts as text, so that the loader reports why."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as file:
            if special_kind(os.fstat(file.fileno()).st_mode) is not None:
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
    """Text from UTF-8, or from UTF-8/16/32 with a byte-order mark (the mark itself dropped), through
    ``TextParser``."""
    codec, name = _bom_encoding(data) or ("utf-8", "UTF-8")
    if codec == "utf-8" and b"\x00" in data[:8192]:
        raise UnreadableDocument("binary file (contains NUL bytes)")
    try:
        (doc,) = TextParser().parse(Blob.from_data(data, encoding=codec))
    except UnicodeDecodeError as exc:
        raise UnreadableDocument(f"not {name} text (undecodable byte at offset {exc.start})") from exc
    return doc.page_content


def clean(text: str) -> str:
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


# --------------------------------------------------------------------------------- the formats


def _pdf_pages(data: bytes) -> tuple[str | None, list[Document]]:
    """The title and the pages with text, numbered from 1 as a reader counts them."""
    from pypdf.errors import FileNotDecryptedError

    try:
        parsed = list(PyPDFParser().lazy_parse(Blob.from_data(data)))
    except FileNotDecryptedError as exc:
        raise UnreadableDocument("encrypted PDF") from exc
    except Exception as exc:
        # pypdf signals damaged files with its own errors, but hostile ones also reach plain
        # ValueError, KeyError, AttributeError, RecursionError... from deep inside its parser.
        reason = one_line(f"{type(exc).__name__}: {exc}")
        raise UnreadableDocument(f"corrupt or unreadable PDF ({reason})") from exc
    pages = [
        Document(page.page_content, metadata={"page": page.metadata["page"] + 1})
        for page in parsed
        if page.page_content.strip()
    ]
    title = parsed[0].metadata.get("title") if parsed else None
    return (clean(str(title)) if title else None), pages


def _html_text(data: bytes) -> tuple[str | None, str]:
    """The title and the visible text, one line per block; bs4 leaves out scripts and styles."""
    if _bom_encoding(data):  # decoded here, so that a bad one is refused with the reason
        data = codecs.BOM_UTF8 + _decode(data).encode("utf-8")
    elif b"\x00" in data[:8192]:
        raise UnreadableDocument("binary file (contains NUL bytes)")
    # Otherwise the bytes go to bs4, which detects the declared encoding.
    parser = BS4HTMLParser(features="html.parser", get_text_separator="\n")
    try:
        (doc,) = parser.parse(Blob.from_data(data))
    except Exception as exc:  # html.parser gives up on some malformed markup with assorted errors
        reason = one_line(f"{type(exc).__name__}: {exc}")
        raise UnreadableDocument(f"unreadable HTML ({reason})") from exc
    # BS4HTMLParser writes a title without a single string inside (``<title></title>``) as "None".
    title = " ".join(str(doc.metadata.get("title") or "").split())
    lines = (line.strip() for line in doc.page_content.splitlines())
    return (title if title and title != "None" else None), "\n".join(line for line in lines if line)


MARKDOWN_MAX_DEPTH = 250
"""The deepest nesting of elements read as Markdown (markdownify reached Python's recursion limit at about 330
levels, measured); a deeper page is read as plain text."""


def _nesting_depth(soup: Any) -> int:
    """How many elements deep ``soup`` nests, counted without recursion."""
    deepest, stack = 0, [(soup, 0)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend(
            (child, depth + 1) for child in getattr(node, "contents", ()) if hasattr(child, "contents")
        )
    return deepest


def _html_markdown(data: bytes) -> str:
    """The visible text of an HTML page as Markdown (markdownify): headings, paragraphs, list items and table
    rows keep their structure, where BS4HTMLParser's text is one line per text node with no blocks (a price
    list's items ran together into one "sentence" with every price in it)."""
    from bs4 import BeautifulSoup
    from markdownify import MarkdownConverter

    soup = BeautifulSoup(data, "html.parser")  # detects the declared encoding, as BS4HTMLParser does
    for hidden in soup(["head", "script", "style", "template", "noscript"]):
        hidden.decompose()
    if (depth := _nesting_depth(soup)) > MARKDOWN_MAX_DEPTH:
        # markdownify recurses once per level: deeper pages hit Python's recursion limit, and a finaliser run
        # by the garbage collector at that depth fails too (an "unraisable" RecursionError, seen in the tests)
        raise ValueError(f"HTML nested {depth} elements deep")
    converter = MarkdownConverter(
        heading_style="ATX",
        bullets="-",
        strip=["a", "img"],  # a link's text stays, its address goes; images have no text to search
        escape_underscores=False,
        escape_asterisks=False,
        escape_misc=False,
    )
    text = converter.convert_soup(soup)
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _html_sections(data: bytes) -> tuple[str | None, list[Document]]:
    """The title and the sections of an HTML page, split on its headings as Markdown is; the page's text as
    one section when it cannot be written as Markdown (markdownify recurses: deeply nested markup)."""
    title, text = _html_text(data)
    try:
        markdown = _html_markdown(data)
    except (RecursionError, ValueError, TypeError, AttributeError) as exc:
        logger.info("HTML kept as plain text (%s)", one_line(f"{type(exc).__name__}: {exc}"))
        return title, [Document(text)] if text else []
    return title, _markdown_sections(markdown) if markdown.strip() else []


def _markdown_sections(text: str) -> list[Document]:
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
        sections.append(Document(doc.page_content, metadata=meta))
    return sections


def _first_markdown_title(text: str) -> str | None:
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].strip() or None
    return None


def load_documents(path: Path, *, max_bytes: int | None = None) -> list[Document]:
    """Read one file into Documents whose metadata is ``source``, ``title`` and, where there is one, the
    ``page`` (PDF) or ``heading`` (Markdown). Raises ``UnreadableDocument`` with a reason (also for a
    special file or one over ``max_bytes``), or ``OSError``."""
    suffix = path.suffix.lower()
    source = source_name(path)
    data = _read_bytes(path, max_bytes)
    title: str | None
    sections: list[Document]
    if suffix == ".pdf":
        with _parser_notices_to_logging(source):
            title, sections = _pdf_pages(data)
    elif suffix in {".html", ".htm"}:
        with _parser_notices_to_logging(source):
            title, sections = _html_sections(data)
    elif suffix in {".md", ".markdown"}:
        text = _decode(data)
        title = _first_markdown_title(text)
        sections = _markdown_sections(text) if text.strip() else []
    else:  # .txt, or no extension (README, NEWS, copyright): plain text
        title, sections = None, [Document(_decode(data))]
    base: dict[str, Any] = {"source": source, "title": title or source_name(path.name)}
    return [Document(clean(doc.page_content), metadata={**base, **doc.metadata}) for doc in sections]
