"""The text format the planner's adapter was trained on (``agent/training``) and is prompted with here.

::

    User: What is 12 times 12?
    Call: calculator(12*12)
    Result: 144
    User: And divided by 3?
    Call: calculator(144/3)

A call is ``calculator(<expression>)``, ``search_documents(<query>)``, ``web_search(<query>)`` or ``answer``
(reply without a tool). One module for both sides, so training and planning can never drift apart.
"""

from __future__ import annotations

import re

CALL_PREFIX = "Call:"
USER_PREFIX = "User:"
RESULT_PREFIX = "Result:"

TOOLS = ("calculator", "search_documents", "web_search")
ANSWER = "answer"
"""The call that stands for a direct reply, without a tool."""

_CALL = re.compile(r"^\s*(?P<tool>[a-z_]+)(?:\((?P<argument>.*)\))?\s*$")


def render_line(prefix: str, text: str) -> str:
    """One transcript line; the text on one line (a newline would end the line early)."""
    return f"{prefix} {' '.join(text.split())}\n"


def render_call(tool: str, argument: str = "") -> str:
    """``calculator(12*12)``, or ``answer`` for a direct reply."""
    return tool if tool == ANSWER else f"{tool}({argument})"


def parse_call(text: str) -> tuple[str, str] | None:
    """``(tool, argument)`` from a generated call line, or None when it is not a call."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    match = _CALL.match(line)
    if not match:
        return None
    tool = match["tool"]
    if tool == ANSWER and match["argument"] is None:
        return ANSWER, ""
    if tool not in TOOLS or match["argument"] is None:
        return None
    return tool, match["argument"].strip()
