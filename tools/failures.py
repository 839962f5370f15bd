"""How a tool says it could not do its job (network down, search off, timeout, empty knowledge base).

A tool raises ``ToolFailed`` with a short reason ("web search is turned off (AGENT_SEARCH=off)"); the tool,
built with ``handle_tool_error=error_content``, answers the call with ``ToolMessage(status="error")`` whose
text is ``Error: <reason>``. Front ends show the call as failed, and the answer tells the user in plain
words what could not be checked. The reason is a fact, never an instruction to the model: what to do about
a failure is the planner's business (its system prompt), not the tool's.
"""

from __future__ import annotations

from langchain_core.tools import ToolException

ERROR_PREFIX = "Error: "


class ToolFailed(ToolException):
    """The tool could not do its job; ``str(error)`` is the short reason."""


def error_content(error: ToolException) -> str:
    """The text of the error answer: ``Error: <reason>`` (for ``handle_tool_error``)."""
    reason = str(error).strip().rstrip(".") or type(error).__name__
    return f"{ERROR_PREFIX}{reason}."
