"""Files made in the tests to break ingest: small PDFs built byte by byte (valid, or damaged in a known way),
malformed HTML, random bytes, and names no careful program expects."""

from __future__ import annotations

import os
import random
from pathlib import Path


def pdf(objects: list[bytes]) -> bytes:
    """A PDF of ``objects`` (numbered from 1; object 1 is the catalog) with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _page_tree(page: bytes, *rest: bytes) -> list[bytes]:
    return [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", page, *rest]


def text_pdf(text: str) -> bytes:
    """A valid one-page PDF whose page reads ``text`` (Latin-1, no parentheses or backslashes)."""
    stream = b"BT /F1 12 Tf 72 720 Td (%s) Tj ET" % text.encode("latin-1")
    return pdf(
        _page_tree(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        )
    )


def reference_to_reference_pdf() -> bytes:
    """The red team's fuzzed PDF, reduced: the page object is nothing but a reference to another object,
    and pypdf fails with "property 'indirect_reference' of 'IndirectObject' object has no setter"."""
    return pdf(_page_tree(b"4 0 R", b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"))


def mutated(data: bytes, rng: random.Random) -> bytes:
    """``data`` damaged the way fuzzers do: bytes flipped, a stretch cut out or repeated, or truncated."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        action = rng.choice(("flip", "cut", "repeat", "truncate"))
        start = rng.randrange(len(out))
        end = min(len(out), start + rng.randint(1, 64))
        if action == "flip":
            for i in range(start, end):
                out[i] = rng.randrange(256)
        elif action == "cut":
            del out[start:end]
        elif action == "repeat":
            out[start:start] = out[start:end] * rng.randint(2, 50)
        else:
            del out[start:]
        if not out:
            break
    return bytes(out)


def malformed_html(rng: random.Random) -> bytes:
    """Small markup with unclosed and stray tags, bad entities, broken comments and a random encoding claim."""
    pieces = [
        b"<html><head><title>t",
        b"<meta charset='%s'>" % rng.choice((b"utf-8", b"latin-1", b"utf-16", b"bogus-enc", b"")),
        b"<script>if (a < b) {",
        b"</td></tr></table>",
        b"<!-- never closed",
        b"<![CDATA[ x ]]>",
        b"&#xFFFFFFFF; &#0; &#xD800; &bogus; &amp",
        b"<p class='a\"b>text",
        b"<" * rng.randint(1, 20),
        b"<div>" * rng.randint(1, 200),
        b"<?xml version='1.0'?>",
        b"<svg><foreignObject><math><mi>",
        b"\xff\xfe\xed\xa0\x80",  # invalid UTF-8, a UTF-16 mark in the middle, an encoded surrogate
    ]
    markup = b"".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
    return markup[: rng.randint(0, 600)]


ODD_NAMES: list[bytes] = [
    b"caf\xe9_\xff.txt",  # not UTF-8: the name of a file copied from an old Latin-1 disk
    b"new\nline.md",
    b"-starts-with-dash.txt",
    b"tab\tand space .txt",
    "emoji \U0001f600.md".encode(),
    b"back\\slash.html",
    b"x" * 200 + b".txt",
    b"no_suffix",
    b"UPPER.PDF",
]


def write(folder: Path, name: bytes, data: bytes) -> str:
    """Write ``data`` to ``folder/name`` (a name in bytes, so it need not be UTF-8); return the path as Python
    spells it (undecodable bytes as surrogates)."""
    path = os.path.join(os.fsencode(folder), name)
    with open(path, "wb") as file:
        file.write(data)
    return os.fsdecode(path)
