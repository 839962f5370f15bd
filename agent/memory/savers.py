"""LangGraph's savers, tuned for threads whose transcript is a ``DeltaChannel`` (see ``graphs.state``).

Two changes, both measured with ``python -m bench.memory``:

- **Rebuilt histories are remembered per process.** A ``DeltaChannel`` stores only each step's writes, so
  loading a thread means walking its checkpoints back to the last snapshot and decoding every write on
  the way: O(thread) per ``invoke`` and per ``get_state`` (measured ~110 ms per turn at 300 turns). The
  history of a checkpoint never changes once its children exist, so :class:`HistoryMemo` keeps the last
  one served per thread; the next load walks back only to it (a handful of checkpoints per turn) and
  appends the new writes. A process that did not see the earlier history (another process wrote it, or
  the memo evicted it) falls back to the saver's own full walk, so results never depend on the memo.
- **SQLite channel versions are small integers.** ``SqliteSaver`` writes versions like
  ``"00000000000000000000000000000247.0.4413402058737096"``: the random suffix only matters to savers
  that store channel values in a separate table keyed by version (PostgreSQL); SQLite keeps values inline
  in the checkpoint. With a dozen versions in every checkpoint and five checkpoints per turn, integers
  save ~2 KB per turn. Threads written with string versions keep strings (versions are compared within a
  thread, and ``int`` and ``str`` do not compare).

SQLite writes also retry briefly on "database is locked": WAL and the busy timeout make that rare, but
SQLite returns it at once, without waiting, when a deferred transaction cannot upgrade to a write.
"""

from __future__ import annotations

import copy
import functools
import random
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    DeltaChannelHistory,
    PendingWrite,
    get_checkpoint_id,
)
from langgraph.checkpoint.sqlite import SqliteSaver
from tenacity import AsyncRetrying, RetryCallState, Retrying, retry_if_exception, stop_after_attempt

T = TypeVar("T")

MEMO_THREADS = 64
"""Threads whose rebuilt history a saver remembers (least recently used go first)."""
MAX_MEMO_WALK = 256
"""Checkpoints walked back looking for the remembered one before the full walk is used instead
(a turn writes ~5; a turn that uses every one of 25 model calls on tools ~50)."""


@dataclass(frozen=True)
class _Remembered:
    checkpoint_id: str
    histories: Mapping[str, DeltaChannelHistory]
    seed_ids: Mapping[str, tuple[set[str], ...]] = field(default_factory=dict)
    """For a seed a channel reported (see ``report_rebuilt``), the ids of its messages."""


class _ReportingWrites(list[PendingWrite]):
    """The writes of a served history, with ``report_rebuilt(value, ids)``: a channel that knows the hook
    (``graphs.channels.MessagesDeltaChannel``) calls it with the value it rebuilt, and the memo keeps that
    value as the seed, so the next load does not replay the whole thread again. Other channels ignore it."""

    report_rebuilt: Callable[[Any, tuple[set[str], ...]], None]


class _SeedWithIds(list[Any]):
    """A remembered seed (a plain value, which ``DeltaChannel.from_checkpoint`` takes as it is) with the
    ids of its messages (``ids``: sets never changed), so the channel need not collect them again."""

    ids: tuple[set[str], ...]


def _seed_value(seed: Any) -> Any:
    """The value of a seed: a saver's snapshot blob (a named tuple with ``value``) or a plain value."""
    return seed.value if isinstance(seed, tuple) and hasattr(seed, "value") else seed


def _copy_history(history: DeltaChannelHistory) -> DeltaChannelHistory:
    """A copy the caller may keep: new lists, so nothing it does reaches the memo. Seeds are kept as
    plain values."""
    result: DeltaChannelHistory = {"writes": list(history["writes"])}
    if "seed" in history:
        result["seed"] = copy.copy(_seed_value(history["seed"]))
    return result


@dataclass
class HistoryMemo:
    """The latest ``DeltaChannel`` history served for each thread, bounded to ``capacity`` threads."""

    capacity: int = MEMO_THREADS
    _entries: OrderedDict[tuple[str, str], _Remembered] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, thread_id: str, ns: str) -> _Remembered | None:
        with self._lock:
            entry = self._entries.get((thread_id, ns))
            if entry is not None:
                self._entries.move_to_end((thread_id, ns))
            return entry

    def remember(
        self,
        thread_id: str,
        ns: str,
        checkpoint_id: str,
        histories: Mapping[str, DeltaChannelHistory],
        seed_ids: Mapping[str, tuple[set[str], ...]] | None = None,
    ) -> None:
        """Keep ``histories`` unless a later checkpoint of the thread is already remembered (reading an old
        checkpoint, e.g. to show history, must not push out the head that the next turn starts from)."""
        key = (thread_id, ns)
        with self._lock:
            current = self._entries.get(key)
            if current is not None and current.checkpoint_id > checkpoint_id:
                return
            copies = {ch: _copy_history(h) for ch, h in histories.items()}
            ids = dict(seed_ids or {})
            if current is not None and current.checkpoint_id == checkpoint_id:
                # Already remembered, perhaps compacted since: what is there wins, new channels join it.
                copies.update(current.histories)
                ids.update(current.seed_ids)
            self._entries[key] = _Remembered(checkpoint_id, copies, ids)
            self._entries.move_to_end(key)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def compact(
        self, thread_id: str, ns: str, checkpoint_id: str, channel: str, value: Any, ids: tuple[set[str], ...]
    ) -> None:
        """Take a channel's rebuilt value at ``checkpoint_id`` as its seed (its writes are then in it)."""
        key = (thread_id, ns)
        with self._lock:
            current = self._entries.get(key)
            if current is None or current.checkpoint_id != checkpoint_id or channel not in current.histories:
                return
            histories = dict(current.histories)
            histories[channel] = {"seed": list(value), "writes": []}
            self._entries[key] = _Remembered(checkpoint_id, histories, {**current.seed_ids, channel: ids})

    def serve(self, thread_id: str, ns: str, checkpoint_id: str) -> dict[str, DeltaChannelHistory]:
        """Copies of the remembered histories of ``checkpoint_id``, each able to report its rebuilt value."""
        entry = self.get(thread_id, ns)
        if entry is None or entry.checkpoint_id != checkpoint_id:
            raise KeyError(checkpoint_id)
        served: dict[str, DeltaChannelHistory] = {}
        for channel, history in entry.histories.items():
            copied = _copy_history(history)
            writes = _ReportingWrites(copied["writes"])
            writes.report_rebuilt = functools.partial(self.compact, thread_id, ns, checkpoint_id, channel)
            copied["writes"] = writes
            seed, ids = copied.get("seed"), entry.seed_ids.get(channel)
            if ids is not None and isinstance(seed, list):
                with_ids = _SeedWithIds(seed)
                with_ids.ids = ids
                copied["seed"] = with_ids
            served[channel] = copied
        return served

    def forget(self, thread_id: str) -> None:
        with self._lock:
            for key in [key for key in self._entries if key[0] == thread_id]:
                del self._entries[key]


class _Walk:
    """Walks ancestors nearest-first until each channel has a seed or the remembered checkpoint is met."""

    def __init__(self, channels: Sequence[str], remembered: _Remembered) -> None:
        self.remembered = remembered
        self.open = set(channels)
        self.channels = list(channels)
        self.steps: list[dict[str, list[PendingWrite]]] = []
        self.seeds: dict[str, Any] = {}
        self.met = False

    def visit(self, saved: CheckpointTuple) -> bool:
        """Take one ancestor; True when the walk is over."""
        values = saved.checkpoint.get("channel_values") or {}
        writes: dict[str, list[PendingWrite]] = {ch: [] for ch in self.open}
        for write in saved.pending_writes or ():
            if write[1] in writes:
                writes[write[1]].append(write)
        self.steps.append(writes)
        for ch in list(self.open):
            if ch in values:
                self.seeds[ch] = values[ch]
                self.open.discard(ch)
        if saved.checkpoint["id"] == self.remembered.checkpoint_id:
            self.met = True
            return True
        return not self.open

    def histories(self) -> tuple[dict[str, DeltaChannelHistory], dict[str, tuple[set[str], ...]]] | None:
        """The histories and the ids of remembered seeds; None when the walk could not finish from what
        it saw and the memo."""
        if self.open and not (self.met and self.open <= self.remembered.histories.keys()):
            return None
        result: dict[str, DeltaChannelHistory] = {}
        seed_ids: dict[str, tuple[set[str], ...]] = {}
        for ch in self.channels:
            if ch in self.open:
                base = self.remembered.histories[ch]
                history: DeltaChannelHistory = {"writes": list(base["writes"])}
                if "seed" in base:
                    history["seed"] = base["seed"]
                if ch in self.remembered.seed_ids:
                    seed_ids[ch] = self.remembered.seed_ids[ch]
            else:
                history = {"writes": []}
                if ch in self.seeds:
                    history["seed"] = self.seeds[ch]
            for step in reversed(self.steps):
                history["writes"].extend(step.get(ch, ()))
            result[ch] = history
        return result, seed_ids


def _target(config: RunnableConfig) -> tuple[str, str, str | None]:
    configurable = config["configurable"]
    return (
        str(configurable["thread_id"]),
        str(configurable.get("checkpoint_ns", "")),
        get_checkpoint_id(config),
    )


def _is_later(checkpoint_id: str, than: str) -> bool:
    # Checkpoint ids are UUIDv6, time-ordered: a checkpoint written before the remembered one cannot
    # descend from it (clock skew between processes only costs a full walk, never a wrong answer).
    return checkpoint_id > than


class HistoryMemoMixin:
    """Adds :class:`HistoryMemo` to a LangGraph saver (put it first among the bases)."""

    _history_memo: HistoryMemo

    def _memo(self) -> HistoryMemo:
        memo = getattr(self, "_history_memo", None)
        if memo is None:
            memo = self._history_memo = HistoryMemo()
        return memo

    def _served(
        self,
        thread_id: str,
        ns: str,
        checkpoint_id: str,
        channels: Sequence[str],
        found: tuple[Mapping[str, DeltaChannelHistory], Mapping[str, tuple[set[str], ...]]] | None,
    ) -> dict[str, DeltaChannelHistory] | None:
        """Remember what was ``found`` (if anything), then serve the channels from the memo; None when the
        memo does not hold them all (an older checkpoint was read: it is not remembered)."""
        memo = self._memo()
        if found is not None:
            memo.remember(thread_id, ns, checkpoint_id, *found)
        try:
            served = memo.serve(thread_id, ns, checkpoint_id)
        except KeyError:
            return None
        if not set(channels) <= served.keys():
            return None
        return {ch: served[ch] for ch in channels}

    def get_delta_channel_history(
        self, *, config: RunnableConfig, channels: Sequence[str]
    ) -> Mapping[str, DeltaChannelHistory]:
        if not channels:
            return {}
        thread_id, ns, checkpoint_id = _target(config)
        if checkpoint_id is None:
            head = self.get_tuple(config)  # type: ignore[attr-defined]
            if head is None:
                return {ch: {"writes": []} for ch in channels}
            checkpoint_id = str(head.checkpoint["id"])
            config = _with_id(config, checkpoint_id)
        if (served := self._served(thread_id, ns, checkpoint_id, channels, None)) is not None:
            return served
        remembered = self._memo().get(thread_id, ns)
        found = None
        if remembered is not None and _is_later(checkpoint_id, remembered.checkpoint_id):
            walk = _Walk(channels, remembered)
            target = self.get_tuple(config)  # type: ignore[attr-defined]
            cursor = target.parent_config if target is not None else None
            for _ in range(MAX_MEMO_WALK):
                if cursor is None:
                    break
                saved = self.get_tuple(cursor)  # type: ignore[attr-defined]
                if saved is None or walk.visit(saved):
                    break
                cursor = saved.parent_config
            found = walk.histories()
        if found is None:
            found = (super().get_delta_channel_history(config=config, channels=channels), {})  # type: ignore[misc]
        served = self._served(thread_id, ns, checkpoint_id, channels, found)
        return served if served is not None else {ch: _copy_history(h) for ch, h in found[0].items()}

    async def aget_delta_channel_history(
        self, *, config: RunnableConfig, channels: Sequence[str]
    ) -> Mapping[str, DeltaChannelHistory]:
        if not channels:
            return {}
        thread_id, ns, checkpoint_id = _target(config)
        if checkpoint_id is None:
            head = await self.aget_tuple(config)  # type: ignore[attr-defined]
            if head is None:
                return {ch: {"writes": []} for ch in channels}
            checkpoint_id = str(head.checkpoint["id"])
            config = _with_id(config, checkpoint_id)
        if (served := self._served(thread_id, ns, checkpoint_id, channels, None)) is not None:
            return served
        remembered = self._memo().get(thread_id, ns)
        found = None
        if remembered is not None and _is_later(checkpoint_id, remembered.checkpoint_id):
            walk = _Walk(channels, remembered)
            target = await self.aget_tuple(config)  # type: ignore[attr-defined]
            cursor = target.parent_config if target is not None else None
            for _ in range(MAX_MEMO_WALK):
                if cursor is None:
                    break
                saved = await self.aget_tuple(cursor)  # type: ignore[attr-defined]
                if saved is None or walk.visit(saved):
                    break
                cursor = saved.parent_config
            found = walk.histories()
        if found is None:
            history = await super().aget_delta_channel_history(config=config, channels=channels)  # type: ignore[misc]
            found = (history, {})
        served = self._served(thread_id, ns, checkpoint_id, channels, found)
        return served if served is not None else {ch: _copy_history(h) for ch, h in found[0].items()}

    def delete_thread(self, thread_id: str) -> None:
        self._memo().forget(str(thread_id))
        super().delete_thread(thread_id)  # type: ignore[misc]

    async def adelete_thread(self, thread_id: str) -> None:
        self._memo().forget(str(thread_id))
        await super().adelete_thread(thread_id)  # type: ignore[misc]


def _with_id(config: RunnableConfig, checkpoint_id: str) -> RunnableConfig:
    configurable = config["configurable"]
    return {
        "configurable": {
            "thread_id": configurable["thread_id"],
            "checkpoint_ns": configurable.get("checkpoint_ns", ""),
            "checkpoint_id": checkpoint_id,
        }
    }


def next_version(current: str | int | None) -> str | int:
    """The next channel version: integers for new threads; threads that began with LangGraph's string
    versions keep strings (zero-padded so they still sort), since one thread must not mix the two."""
    if current is None:
        return 1
    if isinstance(current, int):
        return current + 1
    return f"{int(current.split('.')[0]) + 1:032}"


LOCK_RETRIES = 8
"""Attempts at a SQLite write that meets "database is locked" (backing off 10 ms → ~1 s)."""


def _is_lock_error(error: sqlite3.OperationalError) -> bool:
    message = str(error).lower()
    return "locked" in message or "busy" in message


def _is_locked(error: BaseException) -> bool:
    return isinstance(error, sqlite3.OperationalError) and _is_lock_error(error)


def _lock_wait(state: RetryCallState) -> float:
    """10 ms doubling up to 1 s, plus up to as much again of jitter."""
    delay = min(0.01 * 2 ** (state.attempt_number - 1), 1.0)
    return delay * (1 + random.random())  # noqa: S311 (jitter, not secrecy)


def _lock_policy(attempts: int) -> dict[str, Any]:
    """tenacity's arguments: retry "database is locked" only; the last failure is raised as it is."""
    return {
        "stop": stop_after_attempt(attempts),
        "retry": retry_if_exception(_is_locked),
        "wait": _lock_wait,
        "reraise": True,
    }


def retry_when_locked(action: Callable[[], T], *, attempts: int = LOCK_RETRIES) -> T:
    """Run a SQLite write, retrying with jittered backoff while the database is locked."""
    return Retrying(**_lock_policy(attempts))(action)


class CompactSqliteSaver(HistoryMemoMixin, SqliteSaver):
    """``SqliteSaver`` with integer versions, remembered histories and retried writes."""

    def get_next_version(self, current: Any, channel: None) -> Any:
        return next_version(current)

    def setup(self) -> None:
        retry_when_locked(super().setup)

    def put(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        put = super().put
        return retry_when_locked(lambda: put(config, checkpoint, metadata, new_versions))

    def put_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        put_writes = super().put_writes
        retry_when_locked(lambda: put_writes(config, writes, task_id, task_path))

    def delete_thread(self, thread_id: str) -> None:
        delete_thread = super().delete_thread
        retry_when_locked(lambda: delete_thread(thread_id))


async def aretry_when_locked(action: Callable[[], Awaitable[T]], *, attempts: int = LOCK_RETRIES) -> T:
    """The async twin of :func:`retry_when_locked`."""

    async def attempt() -> T:  # a coroutine function: tenacity calls plain ones without awaiting
        return await action()

    return await AsyncRetrying(**_lock_policy(attempts))(attempt)


@functools.cache
def memory_saver_type() -> type[Any]:
    """LangGraph's ``InMemorySaver`` with remembered histories (it keeps writes serialized, so a load
    decodes the whole thread too)."""
    from langgraph.checkpoint.memory import InMemorySaver

    class MemoInMemorySaver(HistoryMemoMixin, InMemorySaver):
        """``InMemorySaver`` with remembered histories."""

    return MemoInMemorySaver


@functools.cache
def async_sqlite_saver_type() -> type[Any]:
    """:class:`CompactSqliteSaver`'s async twin (built on first use: it imports aiosqlite)."""
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    class CompactAsyncSqliteSaver(HistoryMemoMixin, AsyncSqliteSaver):
        """``AsyncSqliteSaver`` with integer versions, remembered histories and retried writes."""

        def get_next_version(self, current: Any, channel: None) -> Any:
            return next_version(current)

        async def setup(self) -> None:
            await aretry_when_locked(super().setup)

        async def aput(
            self,
            config: RunnableConfig,
            checkpoint: Checkpoint,
            metadata: CheckpointMetadata,
            new_versions: ChannelVersions,
        ) -> RunnableConfig:
            aput = super().aput
            return await aretry_when_locked(lambda: aput(config, checkpoint, metadata, new_versions))

        async def aput_writes(
            self,
            config: RunnableConfig,
            writes: Sequence[tuple[str, Any]],
            task_id: str,
            task_path: str = "",
        ) -> None:
            aput_writes = super().aput_writes
            await aretry_when_locked(lambda: aput_writes(config, writes, task_id, task_path))

        async def adelete_thread(self, thread_id: str) -> None:
            adelete_thread = super().adelete_thread
            await aretry_when_locked(lambda: adelete_thread(thread_id))

    return CompactAsyncSqliteSaver


def _forget_all(saver: HistoryMemoMixin, thread_ids: Sequence[str]) -> None:
    for thread_id in thread_ids if not isinstance(thread_ids, str) else ():
        saver._memo().forget(str(thread_id))


@functools.cache
def postgres_saver_types() -> tuple[type[Any], type[Any]]:
    """``PostgresSaver`` and ``AsyncPostgresSaver`` with remembered histories (built on first use: they
    import psycopg). Versions stay LangGraph's: PostgreSQL keys stored channel values by them."""
    from langgraph.checkpoint.postgres import PostgresSaver
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

    # Only these savers implement ``prune``: overriding it elsewhere would claim a capability they lack.
    class MemoPostgresSaver(HistoryMemoMixin, PostgresSaver):
        """``PostgresSaver`` with remembered histories."""

        def prune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
            _forget_all(self, thread_ids)
            super().prune(thread_ids, strategy=strategy)

    class MemoAsyncPostgresSaver(HistoryMemoMixin, AsyncPostgresSaver):
        """``AsyncPostgresSaver`` with remembered histories."""

        async def aprune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
            _forget_all(self, thread_ids)
            await super().aprune(thread_ids, strategy=strategy)

    return MemoPostgresSaver, MemoAsyncPostgresSaver
