"""A ``DeltaChannel`` for the transcript whose appends cost O(new messages), not O(transcript).

LangGraph's batch reducer ``_messages_delta_reducer`` rebuilds an id index of the whole transcript on
every update (measured: 1.1 ms per update at 1,200 messages, 2.1 ms at 4,000; a turn makes four or five
updates, and routers make more on copies of the channel), so late turns of a long thread get slower and
slower. Almost every update only appends messages with new ids; this channel keeps the set of ids
between updates and, for those, just extends a copy of the list. Anything else (a message replaced by
id, a ``RemoveMessage``, an ``Overwrite``) goes through LangGraph's own reducer, so the results are the
same by construction.

The id set is shared with copies of the channel and only ever grows, so it always holds every id of the
value (plus, at worst, ids a copy added): an id wrongly taken as present only sends an update down the
reducer's path, never to a wrong result.

The reducer stays ``_messages_delta_reducer`` itself: LangGraph recognises it by identity to give every
written message an id before it is saved (``ensure_message_ids``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Self, cast

from langchain_core.messages import AnyMessage, BaseMessage, RemoveMessage
from langgraph.channels import DeltaChannel
from langgraph.channels.binop import _get_overwrite
from langgraph.checkpoint.base import PendingWrite
from langgraph.graph.message import _messages_delta_reducer


def _flatten(writes: Sequence[Any]) -> list[Any]:
    flat: list[Any] = []
    for write in writes:
        if isinstance(write, list):
            flat.extend(write)
        else:
            flat.append(write)
    return flat


class MessagesDeltaChannel(DeltaChannel[list[AnyMessage]]):
    """``DeltaChannel(_messages_delta_reducer)`` with an id index kept across appends."""

    __slots__ = ("_ids",)

    def __init__(
        self,
        reducer: Any = _messages_delta_reducer,
        typ: Any = None,
        *,
        snapshot_frequency: int = 100,
    ) -> None:
        # The signature is DeltaChannel's, which LangGraph uses to re-create channels.
        if reducer is not _messages_delta_reducer:
            raise ValueError("MessagesDeltaChannel only implements _messages_delta_reducer")
        super().__init__(cast(Any, reducer), typ, snapshot_frequency=snapshot_frequency)
        self._ids: set[str] | None = None
        """A superset of the ids in ``value``; None until needed (then built from ``value``)."""

    def copy(self) -> Self:
        new = super().copy()
        new._ids = self._ids
        return new

    def from_checkpoint(self, checkpoint: Any) -> Self:
        new = super().from_checkpoint(checkpoint)
        new._ids = None
        return new

    def _append_only(self, messages: list[Any]) -> list[AnyMessage] | None:
        """The new value when ``messages`` are all typed, new and distinct; None otherwise."""
        value = self.value
        if value and not isinstance(value[0], BaseMessage):
            return None  # raw (migrated) data: the reducer converts it
        if self._ids is None:
            self._ids = {m.id for m in value if m.id is not None}
        ids = self._ids
        fresh: set[str] = set()
        for message in messages:
            if not isinstance(message, BaseMessage) or isinstance(message, RemoveMessage):
                return None
            if message.id is not None:
                if message.id in ids or message.id in fresh:
                    return None
                fresh.add(message.id)
        ids |= fresh
        # A new list, never an in-place append: earlier values may still be referenced (a snapshot
        # being written in the background, a streamed state).
        return [*value, *messages]

    def _apply(self, writes: Sequence[Any]) -> None:
        base = self.value if isinstance(self.value, list) else self.typ()
        self.value = base
        appended = self._append_only(_flatten(writes))
        if appended is not None:
            self.value = appended
        else:
            self.value = self.reducer(base, list(writes))
            self._ids = None

    def update(self, values: Sequence[Any]) -> bool:
        if not values:
            return False
        if any(_get_overwrite(value)[0] for value in values):
            self._ids = None
            return super().update(values)
        self._apply(values)
        return True

    def replay_writes(self, writes: Sequence[PendingWrite]) -> None:
        values = [value for _, _, value in writes]
        if not values:
            return
        if any(_get_overwrite(value)[0] for value in values):
            self._ids = None
            super().replay_writes(writes)
            return
        self._apply(values)
