"""The whole transcript of a thread, turns folded into the summary included.

The ``messages`` channel holds the planner's window: turns folded into the running summary are removed
from it (``graphs.summary``: ``RemoveMessage`` named :data:`FOLDED`), so a load costs what the window
holds, not what the thread holds. Every message ever written is still in the saver, as the writes of the
step that produced it; this module replays them along the thread's parent chain, as LangGraph's own
``get_delta_channel_history`` does, skipping fold removals. It reads the saver through its public
``list`` and ``get_tuple``: O(thread), for showing and exporting a thread, never on a turn's path.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AnyMessage, RemoveMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver, CheckpointTuple

from graphs.channels import append_messages, is_overwrite, stored_messages

FOLDED = "folded_into_summary"
"""``name`` of the ``RemoveMessage`` that takes a folded message out of the window (not out of the thread)."""


def folded(message_id: str) -> RemoveMessage:
    """The removal that takes a message folded into the summary out of the planner's window."""
    return RemoveMessage(id=message_id, name=FOLDED)


def _kept(write: Any) -> Any:
    """A ``messages`` write without its fold removals."""
    if isinstance(write, list):
        return [m for m in write if not (isinstance(m, RemoveMessage) and m.name == FOLDED)]
    return [] if isinstance(write, RemoveMessage) and write.name == FOLDED else write


def _with_snapshot(value: list[Any], snapshot: list[AnyMessage]) -> list[Any]:
    """``value`` with what a snapshot of the window holds: a message it has is taken from it, one it adds is
    appended. A run saved once at its end (``durability="exit"``) may keep its step's messages only in the
    snapshot its checkpoint took, not among the writes."""
    if not snapshot:
        return value
    by_id: dict[Any, AnyMessage] = {m.id: m for m in snapshot if m.id is not None}
    known = {m.id for m in value if getattr(m, "id", None) is not None}
    merged = [by_id.get(getattr(m, "id", None), m) for m in value]
    # A message written without an id (a caller's ``("user", "...")``) may have been given one by the time
    # the snapshot took it: the same message, found by its type and content.
    unnamed: dict[tuple[str, str], list[int]] = {}
    for index, message in enumerate(merged):
        if getattr(message, "id", None) is None:
            unnamed.setdefault(_identity(message), []).append(index)
    added: list[AnyMessage] = []
    for message in snapshot:
        if message.id is not None and message.id in known:
            continue
        twins = unnamed.get(_identity(message))
        if twins:
            merged[twins.pop(0)] = message
        else:
            added.append(message)
    return merged + added


def _identity(message: Any) -> tuple[str, str]:
    return (getattr(message, "type", type(message).__name__), str(getattr(message, "content", message)))


def _ancestors(saver: BaseCheckpointSaver[Any], head: CheckpointTuple) -> list[CheckpointTuple]:
    """The head's ancestors, oldest first (the head's own writes are pending: not in its state yet)."""
    configurable = head.config["configurable"]
    thread: RunnableConfig = {
        "configurable": {k: configurable[k] for k in ("thread_id", "checkpoint_ns") if k in configurable}
    }
    saved = {t.checkpoint["id"]: t for t in saver.list(thread)}
    chain: list[CheckpointTuple] = []
    cursor = head.parent_config
    while cursor is not None:
        found = saved.get(str(cursor["configurable"].get("checkpoint_id"))) or saver.get_tuple(cursor)
        if found is None:
            break
        chain.append(found)
        cursor = found.parent_config
    return chain[::-1]


def full_transcript(saver: BaseCheckpointSaver[Any], config: RunnableConfig) -> list[AnyMessage]:
    """Every message of the thread at ``config`` (its head unless a checkpoint id is given), oldest first:
    what ``messages`` would hold had no turn been folded into the summary."""
    value: list[Any] = []
    head = saver.get_tuple(config)
    if head is None:
        return value
    for saved in [*_ancestors(saver, head), head]:
        if "messages" in saved.checkpoint["channel_values"]:
            value = _with_snapshot(value, stored_messages(saved.checkpoint["channel_values"]["messages"]))
        if saved is head:
            break  # its own writes are pending: not in its state yet
        for _, channel, write in saved.pending_writes or ():
            if channel != "messages":
                continue
            if is_overwrite(write):
                inner = (
                    write.value if hasattr(write, "value") else write.get("__overwrite__", write.get("value"))
                )
                value = append_messages([], [inner or []])
            else:
                value = append_messages(value, [_kept(write)])
    return value
