"""Reclaiming space and taking threads out of memory: what ``agent threads prune`` and ``agent threads
export`` do, on any LangGraph saver (SQLite, PostgreSQL, in-memory).

Pruning deletes whole threads (every checkpoint and write) through the saver's own ``delete_thread``.
On SQLite, deleted rows only become free pages inside the file, so the file is then compacted
(``VACUUM``) and its write-ahead log truncated; PostgreSQL reclaims space with its own autovacuum.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from agent.threads.history import ThreadNotFound, message_json, read_messages, thread_ids

if TYPE_CHECKING:
    from langchain_core.messages import BaseMessage
    from langgraph.checkpoint.base import BaseCheckpointSaver

ExportFormat = Literal["jsonl", "md"]


@dataclass(frozen=True)
class PruneReport:
    """What a prune deleted (or, with ``dry_run``, would delete)."""

    deleted: list[str]
    """Ids of the threads deleted, most recently updated first."""
    kept: int
    dry_run: bool = False
    bytes_before: int | None = None
    """Size of the SQLite memory file (with its log) before; None for other savers."""
    bytes_after: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "deleted": self.deleted,
            "kept": self.kept,
            "dry_run": self.dry_run,
            "bytes_before": self.bytes_before,
            "bytes_after": self.bytes_after,
        }


def age_limit(days: float, now: datetime | None = None) -> timedelta:
    """``--older-than DAYS`` as a ``timedelta``; ``ValueError`` for what no date can be that old (``inf``,
    ``nan``, ``1e308``: further back than the year 1) or a negative age."""
    now = now or datetime.now(UTC)
    most = (now - datetime.min.replace(tzinfo=UTC)).days
    if math.isnan(days) or days < 0:
        raise ValueError(f"--older-than takes a number of days, 0 or more (not {days:g})")
    if days > most:
        raise ValueError(f"--older-than {days:g} goes back before the year 1: give at most {most:,} days")
    return timedelta(days=days)


def last_updated(saver: BaseCheckpointSaver[Any], thread_id: str) -> datetime:
    """When the thread's latest checkpoint was written (only that checkpoint is read)."""
    saved = saver.get_tuple({"configurable": {"thread_id": thread_id}})
    if saved is None:
        raise ThreadNotFound(f"no thread {thread_id!r} in memory: see `agent threads list`")
    return datetime.fromisoformat(saved.checkpoint["ts"])


def threads_to_prune(
    saver: BaseCheckpointSaver[Any],
    *,
    keep_last: int | None = None,
    older_than: timedelta | None = None,
    now: datetime | None = None,
) -> tuple[list[str], int]:
    """``(threads to delete, threads kept)``: those beyond the ``keep_last`` most recently updated and
    (when both are given, *and*) not updated for ``older_than``."""
    if keep_last is None and older_than is None:
        raise ValueError("say what to prune: --keep-last N, --older-than DAYS, or both")
    if keep_last is not None and keep_last < 0:
        raise ValueError("--keep-last must be 0 or more")
    ids = thread_ids(saver)  # most recently updated first
    candidates = ids[keep_last:] if keep_last is not None else ids
    if older_than is not None:
        now = now or datetime.now(UTC)
        try:
            cutoff = now - older_than
        except OverflowError:
            raise ValueError(f"--older-than {older_than.days:,} days goes back before the year 1") from None
        candidates = [thread_id for thread_id in candidates if last_updated(saver, thread_id) < cutoff]
    return candidates, len(ids) - len(candidates)


def _sqlite_file(saver: BaseCheckpointSaver[Any]) -> Path | None:
    """The main file of a SQLite saver's database (None for other savers, or an in-memory database)."""
    from langgraph.checkpoint.sqlite import SqliteSaver

    if not isinstance(saver, SqliteSaver):
        return None
    with saver.lock:
        row = saver.conn.execute("PRAGMA database_list").fetchone()
    return Path(row[2]) if row and row[2] else None


def _file_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())


def reclaim_sqlite_space(saver: Any) -> None:
    """Give the free pages back to the file system: compact the file, then truncate the log (``VACUUM``
    writes the whole database through it). Other processes' reads keep working; writers wait."""
    from agent.memory.savers import retry_when_locked

    with saver.lock:
        saver.conn.commit()
        retry_when_locked(lambda: saver.conn.execute("VACUUM"))
        saver.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def prune_threads(
    saver: BaseCheckpointSaver[Any],
    *,
    keep_last: int | None = None,
    older_than: timedelta | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
) -> PruneReport:
    """Delete the threads :func:`threads_to_prune` picks and, on SQLite, shrink the file."""
    doomed, kept = threads_to_prune(saver, keep_last=keep_last, older_than=older_than, now=now)
    path = _sqlite_file(saver)
    before = _file_bytes(path) if path else None
    if dry_run:
        return PruneReport(doomed, kept, dry_run=True, bytes_before=before, bytes_after=before)
    for thread_id in doomed:
        saver.delete_thread(thread_id)
    if path is not None and doomed:
        reclaim_sqlite_space(saver)
    return PruneReport(doomed, kept, bytes_before=before, bytes_after=_file_bytes(path) if path else None)


# --- export ------------------------------------------------------------------------------------------


def export_jsonl(messages: Sequence[BaseMessage]) -> str:
    """One JSON object per line and message: the entries of ``agent threads show --json``, with ``id``."""
    lines = [json.dumps({**message_json(m), "id": m.id}, ensure_ascii=False) for m in messages]
    return "".join(line + "\n" for line in lines)


def _fenced(text: str, info: str = "text") -> str:
    """``text`` in a code fence longer than any run of backticks inside it."""
    ticks = "`" * max(3, _longest_backtick_run(text) + 1)
    return f"{ticks}{info}\n{text}\n{ticks}"


def _longest_backtick_run(text: str) -> int:
    longest = current = 0
    for char in text:
        current = current + 1 if char == "`" else 0
        longest = max(longest, current)
    return longest


@dataclass
class _Markdown:
    lines: list[str] = field(default_factory=list)

    def block(self, *parts: str) -> None:
        """Paragraphs, each followed by a blank line."""
        for part in parts:
            self.lines.extend([part, ""])


def export_markdown(thread_id: str, messages: Sequence[BaseMessage]) -> str:
    """The transcript as Markdown: questions and answers as text, tool calls and results as code."""
    from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

    doc = _Markdown()
    doc.block(f"# Thread {thread_id}", f"{len(messages)} messages.")
    for message in messages:
        text = str(message.text).strip()
        if isinstance(message, HumanMessage):
            doc.block("## You", text)
        elif isinstance(message, AIMessage):
            if text or not message.tool_calls:
                doc.block("## Assistant", text)
            for call in message.tool_calls:
                args = json.dumps(call["args"], ensure_ascii=False)
                doc.block(f"**Tool call** `{call['name']}`", _fenced(args, "json"))
        elif isinstance(message, ToolMessage):
            status = " (error)" if message.status == "error" else ""
            doc.block(f"**Tool result** `{message.name or 'tool'}`{status}", _fenced(text))
        else:
            doc.block(f"## {message.type}", text)
    return "\n".join(doc.lines).rstrip() + "\n"


def export_thread(saver: BaseCheckpointSaver[Any], thread_id: str, fmt: ExportFormat) -> str:
    """A thread's full transcript as JSON Lines or Markdown; ``ThreadNotFound`` when there is none."""
    messages = read_messages(saver, thread_id)
    if fmt == "jsonl":
        return export_jsonl(messages)
    if fmt == "md":
        return export_markdown(thread_id, messages)
    raise ValueError(f"unknown export format {fmt!r}: use jsonl or md")
