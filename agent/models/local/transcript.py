"""A chat transcript as plain turns for a base model, and trimming it to a token budget."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

if TYPE_CHECKING:
    pass


PLAIN_ROLE_LABELS = {"user": "User", "assistant": "Assistant", "tool": "Tool result"}


@dataclass(frozen=True)
class Turn:
    """One message as the local model sees it: a role and plain text."""

    role: Literal["system", "user", "assistant", "tool"]
    text: str
    name: str = ""
    """The tool's name, for tool results."""
    calls: bool = False
    """An assistant turn that called tools (its results follow it)."""


def messages_to_turns(messages: Sequence[BaseMessage]) -> list[Turn]:
    """LangChain messages as plain turns. Tool calls and results become text the model can read."""
    turns: list[Turn] = []
    for message in messages:
        if isinstance(message, SystemMessage):
            turns.append(Turn("system", message.text))
        elif isinstance(message, HumanMessage):
            turns.append(Turn("user", message.text))
        elif isinstance(message, AIMessage):
            calls = "; ".join(
                f"{call['name']}({json.dumps(call['args'], ensure_ascii=False)})"
                for call in message.tool_calls
            )
            text = str(message.text)
            if calls:
                text = f"{text}\n[called {calls}]".strip()
            turns.append(Turn("assistant", text, calls=bool(message.tool_calls)))
        elif isinstance(message, ToolMessage):
            turns.append(Turn("tool", message.text, name=message.name or "tool"))
        else:
            turns.append(Turn("user", message.text))
    return turns


def render_plain(turns: Sequence[Turn], *, assistant_prefix: str = "Assistant:") -> str:
    """A plain transcript for base models: system text first, then ``User:``/``Assistant:`` lines."""
    system = "\n\n".join(turn.text.strip() for turn in turns if turn.role == "system" and turn.text.strip())
    lines = [system, ""] if system else []
    for turn in turns:
        if turn.role == "system":
            continue
        label = PLAIN_ROLE_LABELS[turn.role]
        if turn.role == "tool":
            label = f"{label} ({turn.name})"
        lines.append(f"{label}: {turn.text.strip()}")
    lines.append(assistant_prefix)
    return "\n".join(lines)


def _groups(turns: Sequence[Turn], end: int) -> list[list[int]]:
    """Indexes of non-system turns before ``end``, grouped so an assistant turn keeps its tool results."""
    groups: list[list[int]] = []
    for index in range(end):
        turn = turns[index]
        if turn.role == "system":
            continue
        if turn.role == "tool" and groups and turns[groups[-1][0]].calls:
            groups[-1].append(index)
        else:
            groups.append([index])
    return groups


def _shrink(text: str, tokens: int, count: Callable[[str], int], *, keep_tail: bool) -> str:
    """``text`` cut to about ``tokens`` tokens, marking the cut; keeps the end too when ``keep_tail``."""
    marker = " […] " if keep_tail else " […]"
    if tokens <= 0:
        return marker.strip()
    chars = len(text)
    while chars > 0:
        chars = int(chars * 0.85)
        candidate = (
            text[: chars // 2] + marker + text[len(text) - chars // 2 :]
            if keep_tail
            else text[:chars] + marker
        )
        if count(candidate) <= tokens:
            return candidate
    return marker.strip()


def trim_turns(turns: Sequence[Turn], budget: int, count: Callable[[str], int]) -> list[Turn]:
    """The turns cut to fit ``budget`` tokens (as measured by ``count`` on each turn's text).

    Politely, in this order: drop the oldest exchanges (an assistant turn goes with its tool results);
    then shorten the longest remaining turns (tool results and old text keep their head, the last user
    message its head and tail). System turns, the last user message and everything after it are kept.
    """
    per_turn = 6  # role labels and separators
    kept = list(turns)

    def cost(items: Sequence[Turn]) -> int:
        return sum(count(turn.text) + per_turn for turn in items)

    if cost(kept) <= budget:
        return kept
    last_user = max((i for i, turn in enumerate(kept) if turn.role == "user"), default=len(kept))
    dropped: set[int] = set()
    for group in _groups(kept, last_user):
        if cost([turn for i, turn in enumerate(kept) if i not in dropped]) <= budget:
            break
        dropped.update(group)
    kept = [turn for i, turn in enumerate(kept) if i not in dropped]
    for _ in range(len(kept) * 2):
        excess = cost(kept) - budget
        if excess <= 0:
            break
        longest = max(range(len(kept)), key=lambda i: count(kept[i].text))
        turn = kept[longest]
        size = count(turn.text)
        if size <= 8:
            break
        target = max(size - excess - 4, size // 4)
        is_last_user = turn.role == "user" and longest == max(
            (i for i, t in enumerate(kept) if t.role == "user"), default=-1
        )
        kept[longest] = replace(turn, text=_shrink(turn.text, target, count, keep_tail=is_last_user))
    return kept
