"""What the planner is sent: the system prompt, the summary of older turns, and recent turns verbatim.

The ``messages`` channel keeps the whole transcript; this view keeps the prompt within the context budget.
Turns the summary covers (up to ``summary_through``) are not repeated; of the rest, whole turns are kept
from the latest backwards while they fit, so a tool call is never separated from its results.

LangChain's ``trim_messages`` does the same cut, but re-counts the kept prefix for every candidate cut
(measured: 43 ms per planner call at 1,200 messages, so late turns got slower); here the transcript is
walked once from the end and the walk stops at the budget, so the cost is that of the messages kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from datetime import date

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.messages.utils import count_tokens_approximately

from graphs.prompts import PLANNER_SYSTEM, REVISION_REQUEST, SUMMARY_PREAMBLE
from graphs.turns import written_by_graph

CUT_MARK = "\n…(cut to fit the context budget)"
MIN_RESULT_CHARS = 200
"""A tool result shortened to fit the budget keeps at least this many characters."""


TOKEN_CACHE_SIZE = 8192
"""Messages whose token count is remembered (the view re-walks the same recent messages every call)."""

_token_cache: OrderedDict[int, tuple[BaseMessage, int]] = OrderedDict()
_token_lock = threading.Lock()


def message_tokens(message: BaseMessage) -> int:
    """Approximate tokens of one message (content, tool calls, role: LangChain's estimate).

    Remembered per message object: the transcript's messages are the same objects from one step to the
    next, and LangChain's estimate costs ~15 µs a message. The cache holds the message itself, so an id
    is never reused for another object while it is cached. Meant for transcript messages: count
    short-lived ones (a prompt being built) with ``count_tokens_approximately``.
    """
    key = id(message)
    with _token_lock:
        hit = _token_cache.get(key)
        if hit is not None and hit[0] is message:
            _token_cache.move_to_end(key)
            return hit[1]
    tokens = count_tokens_approximately([message])
    with _token_lock:
        _token_cache[key] = (message, tokens)
        while len(_token_cache) > TOKEN_CACHE_SIZE:
            _token_cache.popitem(last=False)
    return tokens


def unsummarised_start(messages: Sequence[BaseMessage], summary_through: str) -> int:
    """Index of the first message the summary does not cover (0 when nothing is summarised).

    Searched from the end: the covered prefix ends a few turns back, so this costs what the view keeps.
    """
    if not summary_through:
        return 0
    for index in range(len(messages) - 1, -1, -1):
        if messages[index].id == summary_through:
            return index + 1
    return 0  # the message is gone (e.g. the thread was edited): show what fits rather than nothing


def system_prompt(summary: str = "", today: date | None = None) -> str:
    """The planner's system prompt, with the running summary when there is one."""
    system = PLANNER_SYSTEM.format(today=(today or date.today()).isoformat())
    if summary:
        system += "\n\n" + SUMMARY_PREAMBLE.format(summary=summary)
    return system


def revision_messages(revision: tuple[str, str] | None) -> list[BaseMessage]:
    """The request to revise a draft that reflection sent back (empty when there is none)."""
    if revision is None:
        return []
    draft, feedback = revision
    return [HumanMessage(REVISION_REQUEST.format(draft=draft, feedback=feedback))]


def window_start(messages: Sequence[BaseMessage], *, start: int, budget: int) -> int | None:
    """The earliest index ``i >= start`` such that ``messages[i:]`` fits in ``budget`` tokens and starts a
    turn (a user message); ``start`` itself when everything from there fits. None when not even the
    current turn fits."""
    total = 0
    best: int | None = None
    for index in range(len(messages) - 1, start - 1, -1):
        total += message_tokens(messages[index])
        if total > budget:
            return best
        if isinstance(messages[index], HumanMessage):
            best = index
    return start


def _shrink_results(step: Sequence[BaseMessage], budget: int) -> list[BaseMessage]:
    """A model message and its tool results, the results' text shortened to share ``budget`` tokens."""
    results = [m for m in step if isinstance(m, ToolMessage)]
    fixed = sum(message_tokens(m) for m in step if not isinstance(m, ToolMessage))
    fixed += count_tokens_approximately([m.model_copy(update={"content": CUT_MARK}) for m in results])
    share_chars = max(MIN_RESULT_CHARS, 4 * (budget - fixed) // max(len(results), 1))
    shrunk: list[BaseMessage] = []
    for message in step:
        if isinstance(message, ToolMessage) and len(message.text) > share_chars:
            message = message.model_copy(update={"content": message.text[:share_chars] + CUT_MARK})
        shrunk.append(message)
    return shrunk


def current_turn_within(turn: Sequence[BaseMessage], budget: int) -> list[BaseMessage]:
    """The current turn when it alone is over budget: the user's message, then the latest steps that fit
    (a step is a model message and its tool results); when not even the latest step fits, it is kept
    with its tool results shortened, so the model still sees what its last calls returned."""
    if not turn:
        return []
    question, rest = turn[0], turn[1:]
    left = budget - message_tokens(question)
    total = 0
    best: int | None = None
    for index in range(len(rest) - 1, -1, -1):
        total += message_tokens(rest[index])
        if total > left:
            break
        if isinstance(rest[index], AIMessage):
            best = index
    if best is not None:
        return [question, *rest[best:]]
    last_step = next((i for i in range(len(rest) - 1, -1, -1) if isinstance(rest[i], AIMessage)), None)
    if last_step is None:
        return [question]
    return [question, *_shrink_results(rest[last_step:], left)]


def planner_messages(
    messages: Sequence[BaseMessage],
    *,
    max_tokens: int,
    summary: str = "",
    start: int = 0,
    revision: tuple[str, str] | None = None,
    today: date | None = None,
) -> list[BaseMessage]:
    """The planner's prompt for the current state.

    ``start`` is the index of the first message the summary does not cover. ``revision`` is ``(draft,
    feedback)`` when reflection sent the last draft back. Older messages are dropped whole turns at a
    time (the kept history starts at a user message), so a tool call is never separated from its results.
    Closing answers the graph or a front end wrote (a failed or stopped turn, the step budget) are left
    out: the model would read them as its own words and repeat them.
    """
    system = SystemMessage(system_prompt(summary, today))
    tail = revision_messages(revision)
    budget = max_tokens - count_tokens_approximately([system, *tail])
    cut = window_start(messages, start=start, budget=budget)
    if cut is not None:
        recent = list(messages[cut:])
    else:
        turn_begins = next(
            (i for i in range(len(messages) - 1, -1, -1) if isinstance(messages[i], HumanMessage)), 0
        )
        recent = current_turn_within(messages[turn_begins:], budget)
    return [system, *(m for m in recent if not written_by_graph(m)), *tail]
