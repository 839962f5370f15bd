"""One turn at a time per thread, across processes: a second run on a busy thread waits, then is refused.

Two front ends on one conversation (two terminals, a notebook beside the REPL) would otherwise both load
the same head checkpoint and both write after it: LangGraph keeps the last writer's branch, so turns are
lost silently and a tool result can land after the wrong call. LangGraph Server solves this with a
multitask strategy per thread (reject, enqueue, ...); outside it we hold a lock per thread id for the
whole turn, in the memory's own terms:

- **PostgreSQL**: a session-level ``pg_advisory_lock`` keyed by a 64-bit hash of the thread id, on a
  connection of its own (the server frees it if the process dies);
- **SQLite**: ``flock`` on a file per thread id in ``<memory file>.locks/`` (the kernel frees it if the
  process dies; a lock belongs to its open file, so threads of one process exclude each other too);
- **memory**: a ``threading.Lock`` per thread id (the memory lives in one process).

A run waits up to ``wait`` seconds (queueing behind the running turn, polled), then raises
:class:`ThreadBusy`, one line: "thread X is busy ...". POSIX only for SQLite (``fcntl``).
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from tenacity import RetryCallState, Retrying, retry_if_result, stop_after_delay, wait_random

WAIT_SECONDS = 60.0
"""How long a run queues behind the turn running on its thread before it is refused."""
POLL_SECONDS = 0.05


class ThreadBusy(RuntimeError):
    """Another run holds the thread: one line, naming it."""

    def __init__(self, thread_id: str, waited: float) -> None:
        super().__init__(
            f"thread {thread_id} is busy: another turn is running on it (waited {waited:g} s); "
            "try again when it has finished"
        )
        self.thread_id = thread_id


ThreadLocks = Callable[[str], contextlib.AbstractContextManager[Any]]
"""``locks(thread_id)``: a context manager that holds the thread for the duration of the block."""


def lock_key(thread_id: str) -> int:
    """A signed 64-bit key for ``pg_advisory_lock``."""
    digest = hashlib.blake2b(f"agent-thread:{thread_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _poll(try_once: Callable[[], bool], thread_id: str, wait: float) -> None:
    """Call ``try_once`` until it takes the lock (tenacity: every 50-100 ms); past ``wait`` s, ThreadBusy."""

    def busy(state: RetryCallState) -> None:
        raise ThreadBusy(thread_id, wait)

    Retrying(
        retry=retry_if_result(lambda held: not held),
        stop=stop_after_delay(wait),
        wait=wait_random(POLL_SECONDS, 2 * POLL_SECONDS),
        retry_error_callback=busy,
    )(try_once)


@contextlib.contextmanager
def postgres_thread_lock(url: str, thread_id: str, *, wait: float = WAIT_SECONDS) -> Iterator[None]:
    import psycopg

    from agent.memory.checkpointers import CONNECT_TIMEOUT_SECONDS

    key = lock_key(thread_id)
    with psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS) as conn:

        def try_once() -> bool:
            row = conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
            return bool(row and row[0])

        _poll(try_once, thread_id, wait)
        try:
            yield
        finally:
            with contextlib.suppress(psycopg.Error):  # closing the connection frees it anyway
                conn.execute("SELECT pg_advisory_unlock(%s)", (key,))


@contextlib.contextmanager
def sqlite_thread_lock(db: Path, thread_id: str, *, wait: float = WAIT_SECONDS) -> Iterator[None]:
    import fcntl

    folder = db.parent / f"{db.name}.locks"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{hashlib.blake2b(thread_id.encode(), digest_size=10).hexdigest()}.lock"
    with path.open("a") as handle:

        def try_once() -> bool:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            return True

        _poll(try_once, thread_id, wait)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


_memory_locks: dict[str, threading.Lock] = {}
_memory_guard = threading.Lock()


@contextlib.contextmanager
def memory_thread_lock(thread_id: str, *, wait: float = WAIT_SECONDS) -> Iterator[None]:
    with _memory_guard:
        lock = _memory_locks.setdefault(thread_id, threading.Lock())
    if not lock.acquire(timeout=wait):
        raise ThreadBusy(thread_id, wait)
    try:
        yield
    finally:
        lock.release()


def thread_locks(url: str, *, wait: float | None = None) -> ThreadLocks:
    """The per-thread lock for the memory at ``url`` (as ``agent.memory.checkpointers.checkpointer`` reads it), waiting
    up to ``wait`` seconds (default ``WAIT_SECONDS``)."""
    from agent.memory.checkpointers import POSTGRES_PREFIXES, SQLITE_PREFIX, sqlite_path

    wait = WAIT_SECONDS if wait is None else wait

    if url.startswith(POSTGRES_PREFIXES):
        return lambda thread_id: postgres_thread_lock(url, thread_id, wait=wait)
    if url.startswith(SQLITE_PREFIX):
        db = sqlite_path(url)
        return lambda thread_id: sqlite_thread_lock(db, thread_id, wait=wait)
    return lambda thread_id: memory_thread_lock(thread_id, wait=wait)
