"""Regenerate ``tests/data/kb/brewmaster_k2_manual.pdf``, the knowledge-base corpus's one PDF.

Written by hand (a minimal PDF 1.4 with one Helvetica text stream per page) so that the fixture has no
dependency beyond the standard library and its bytes are reproducible: ``python tests/data/make_kb_pdf.py``.
"""

from __future__ import annotations

from pathlib import Path

PAGES: list[list[str]] = [
    [
        "Brewmaster K2 Electric Kettle - Owner's Manual",
        "",
        "Thank you for choosing the Brewmaster K2, a 1.7 litre cordless kettle with",
        "five temperature presets: 70, 80, 85, 90 and 100 degrees Celsius.",
        "",
        "Safety",
        "Never fill the kettle above the MAX mark: boiling water may spurt from the spout.",
        "Place the base on a flat, dry surface away from the edge of the counter.",
        "Do not immerse the kettle or its base in water.",
        "",
        "Keep warm",
        "Press and hold the KEEP WARM key for two seconds to hold the chosen",
        "temperature for up to thirty minutes. The white ring lights while it is active.",
    ],
    [
        "Indicator codes",
        "Solid blue ring: heating to the selected temperature.",
        "Slowly flashing red ring (code E3): limescale has built up on the heating plate.",
        "Descale the kettle as described below; the code clears after the next full boil.",
        "Fast flashing red ring (code E5): the kettle was switched on while empty.",
        "Let it cool for ten minutes, fill it and try again.",
        "",
        "Descaling",
        "Dissolve two tablespoons of citric acid in one litre of water, boil it once and",
        "leave it to stand for twenty minutes. Empty the kettle and rinse it three times.",
        "In hard-water areas, descale every four weeks.",
        "",
        "Warranty",
        "The Brewmaster K2 is guaranteed for three years from the date of purchase.",
        "Register the product within sixty days to extend the guarantee to five years.",
        "The warranty does not cover damage caused by limescale or by dropping the kettle.",
    ],
]


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _content_stream(lines: list[str]) -> bytes:
    ops = ["BT", "/F1 11 Tf", "14 TL", "56 780 Td"]
    for line in lines:
        ops.append(f"({_escape(line)}) Tj T*")
    ops.append("ET")
    return "\n".join(ops).encode("latin-1")


def build_pdf(pages: list[list[str]]) -> bytes:
    """A PDF whose objects are: catalog, page tree, font, then a page and its content per page."""
    n_pages = len(pages)
    page_ids = [4 + 2 * i for i in range(n_pages)]
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{' '.join(f'{p} 0 R' for p in page_ids)}] /Count {n_pages} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for page_id, lines in zip(page_ids, pages, strict=True):
        stream = _content_stream(lines)
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {page_id + 1} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref_at)
    return bytes(out)


if __name__ == "__main__":
    target = Path(__file__).parent / "kb" / "brewmaster_k2_manual.pdf"
    target.write_bytes(build_pdf(PAGES))
    print(f"wrote {target}")
