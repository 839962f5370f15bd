"""What the planner is sent: the system prompt, the summary of older turns, and recent turns verbatim.

The ``messages`` channel keeps the whole transcript; this view keeps the prompt within the context budget.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage, trim_messages
from langchain_core.messages.utils import count_tokens_approximately

from graphs.prompts import PLANNER_SYSTEM, REVISION_REQUEST, SUMMARY_PREAMBLE


def planner_messages(
    messages: Sequence[BaseMessage],
    *,
    max_tokens: int,
    summary: str = "",
    revision: tuple[str, str] | None = None,
    today: date | None = None,
) -> list[BaseMessage]:
    """The planner's prompt for the current state.

    ``revision`` is ``(draft, feedback)`` when reflection sent the last draft back. Older messages are
    dropped whole turns at a time (the kept history starts at a user message), so a tool call is
    never separated from its results.
    """
    system = PLANNER_SYSTEM.format(today=(today or date.today()).isoformat())
    if summary:
        system += "\n\n" + SUMMARY_PREAMBLE.format(summary=summary)
    tail: list[BaseMessage] = []
    if revision is not None:
        draft, feedback = revision
        tail.append(HumanMessage(REVISION_REQUEST.format(draft=draft, feedback=feedback)))
    budget = max_tokens - count_tokens_approximately([SystemMessage(system), *tail])
    recent = trim_messages(
        list(messages),
        max_tokens=max(budget, 1),
        token_counter=count_tokens_approximately,
        strategy="last",
        start_on="human",
        allow_partial=False,
    )
    if not recent and messages:
        # Even the latest turn alone is over budget: keep at least the user's latest message.
        recent = [next(m for m in reversed(messages) if isinstance(m, HumanMessage))]
    return [SystemMessage(system), *recent, *tail]
