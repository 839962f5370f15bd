"""Human approval of tool calls (``AGENT_APPROVE_TOOLS``): the graph pauses with ``interrupt()`` before a
listed tool runs, and ``Command(resume=...)`` decides.

One interrupt per call needing approval, in the order the model made them. Its value is
``{"type": "tool_approval", "tool_call": {"id", "name", "args"}}``. The resume value is one of:

- ``"approve"`` (or ``{"action": "approve"}``): the call runs as the model made it;
- ``"reject"`` or ``{"action": "reject", "reason": "..."}``: the call does not run and the model is told;
- ``{"action": "edit", "args": {...}}``: the call runs with these arguments instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from langchain_core.messages import AIMessage, BaseMessage, ToolCall, ToolMessage
from langgraph.types import interrupt

from graphs.state import AssistantState

APPROVAL = "tool_approval"


def latest_ai_message(messages: Sequence[BaseMessage]) -> AIMessage | None:
    """The model's latest message."""
    return next((m for m in reversed(messages) if isinstance(m, AIMessage)), None)


def answered_ids(messages: Sequence[BaseMessage]) -> set[str]:
    """Ids of the latest model message's tool calls that already have an answer.

    Answers follow the message that made the calls, so only the messages after it are read: the cost is
    that of the current step, not of the whole transcript.
    """
    answered: set[str] = set()
    for message in reversed(messages):
        if isinstance(message, AIMessage):
            break
        if isinstance(message, ToolMessage):
            answered.add(message.tool_call_id)
    return answered


def unanswered_calls(messages: Sequence[BaseMessage]) -> list[ToolCall]:
    """The latest model message's tool calls that have no answer yet."""
    latest = latest_ai_message(messages)
    if latest is None:
        return []
    done = answered_ids(messages)
    return [call for call in latest.tool_calls if call["id"] not in done]


def needs_approval(messages: Sequence[BaseMessage], approve_tools: Sequence[str]) -> bool:
    """Whether a pending call is to a tool that needs a human's approval."""
    return any(call["name"] in approve_tools for call in unanswered_calls(messages))


def _decision(value: Any) -> tuple[str, dict[str, Any]]:
    if isinstance(value, str):
        return value, {}
    if isinstance(value, dict) and isinstance(value.get("action"), str):
        return value["action"], value
    raise ValueError(
        f"unreadable approval decision {value!r}: use 'approve', 'reject' or {{'action': 'edit', 'args': {{...}}}}"
    )


def approve(state: AssistantState, *, approve_tools: Sequence[str]) -> dict[str, Any]:
    """Ask for a decision on each pending call to a listed tool; record rejections and edits."""
    messages = state["messages"]
    latest = latest_ai_message(messages)
    if latest is None:
        return {}
    calls = list(latest.tool_calls)
    rejections: list[ToolMessage] = []
    edited = False
    done = answered_ids(messages)
    for index, call in enumerate(calls):
        if call["name"] not in approve_tools or call["id"] in done:
            continue
        action, detail = _decision(
            interrupt(
                {
                    "type": APPROVAL,
                    "tool_call": {"id": call["id"], "name": call["name"], "args": call["args"]},
                }
            )
        )
        if action == "reject":
            reason = detail.get("reason") or "no reason given"
            rejections.append(
                ToolMessage(
                    content=f"The user rejected this {call['name']} call ({reason}). Do not retry it; answer without it.",
                    name=call["name"],
                    tool_call_id=call["id"] or "",
                    status="error",
                )
            )
        elif action == "edit":
            args = detail.get("args")
            if not isinstance(args, dict):
                raise ValueError("an edit decision needs 'args': a dict of the new arguments")
            calls[index] = ToolCall(name=call["name"], args=args, id=call["id"], type="tool_call")
            edited = True
        elif action != "approve":
            raise ValueError(f"unknown approval action {action!r}: use approve, reject or edit")
    update: list[BaseMessage] = [latest.model_copy(update={"tool_calls": calls})] if edited else []
    return {"messages": [*update, *rejections]} if update or rejections else {}


def route_after_approval(state: AssistantState) -> Literal["tools", "planner"]:
    """Run what is left to run; when everything was rejected, the model hears about it."""
    return "tools" if unanswered_calls(state["messages"]) else "planner"
