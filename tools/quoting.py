"""Passages from documents and the web as quoted data: text that cannot forge a turn or a citation.

Every passage a tool returns reaches the model on one line between ``<passage>`` and ``</passage>``: its line
breaks are collapsed (so no line of a document can start a ``User:`` or ``Assistant:`` turn in a plain
transcript), citation markers inside it are neutralised (``[2]`` becomes ``(2)``, so a document cannot
add a source of its own), and the delimiters themselves cannot appear in it.
"""

from __future__ import annotations

import re

OPEN, CLOSE = "<passage>", "</passage>"
_MARKER = re.compile(r"\[(\d{1,3})\]")
_TAG = re.compile(r"<(/?)passage", re.I)


def quote_passage(text: str) -> str:
    """``text`` as one delimited line of quoted data (see the module docstring)."""
    flat = " ".join(text.split())
    flat = _MARKER.sub(r"(\1)", flat)
    flat = _TAG.sub(r"‹\1passage", flat)
    return f"{OPEN}{flat}{CLOSE}"
