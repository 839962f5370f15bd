"""Checkpointers: where threads live. ``sqlite:///path``, ``postgresql://...`` or ``memory``.

All of them are LangGraph's own savers, tuned in ``agent.memory.savers`` for a transcript stored as deltas
(remembered histories; compact versions and retried writes on SQLite). This module opens them well:
SQLite in WAL mode with a busy timeout so several processes (REPL, notebook, ``langgraph dev``) can
share one file, PostgreSQL through a connection pool (several threads of one process can run turns at
once) with its tables set up on first use.

A memory that cannot be opened (a server that is down or never answers, a file that is not a database)
raises :class:`MemoryUnavailable` within seconds: one line naming the file or server, never its password,
and ``AGENT_MEMORY``.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from langgraph.checkpoint.base import BaseCheckpointSaver

from agent.redaction import masked
from agent.settings import Settings

SQLITE_PREFIX = "sqlite:///"
POSTGRES_PREFIXES = ("postgresql://", "postgres://")
BUSY_TIMEOUT_SECONDS = 30.0
POSTGRES_POOL_SIZE = 8
"""Connections a PostgreSQL saver may open (one per concurrent checkpoint read or write)."""
SETUP_LOCK_KEY = 0x61676E74
"""The PostgreSQL advisory lock the savers' migrations run under ("agnt")."""
SETUP_LOCK_POLL_SECONDS = 0.05
"""How often a process waiting for another's migrations tries the lock again (:func:`take_setup_lock`)."""
_TRY_SETUP_LOCK = "SELECT pg_try_advisory_lock(%s) AS taken"
CONNECT_TIMEOUT_SECONDS = 5
"""How long opening a PostgreSQL memory may wait for the server (unless the URL sets ``connect_timeout``)."""
URL_HELP = "use sqlite:///path/to/memory.db, postgresql://user@host/db or memory (AGENT_MEMORY)"


class MemoryUnavailable(RuntimeError):
    """The configured memory cannot be opened: one line that names the file or server (never a password)
    and ``AGENT_MEMORY``."""


def public_url(url: str) -> str:
    """``url`` fit to show: its password replaced by ``***`` and its query (which can hold one) cut."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        user_info, hosts = netloc.rsplit("@", 1)
        user, has_password, _ = user_info.partition(":")
        netloc = f"{user}{':***' if has_password else ''}@{hosts}"
    return f"{parts.scheme}://{netloc}{parts.path}{'?…' if parts.query else ''}"


def _without_secrets(text: str, url: str) -> str:
    password = urlsplit(url).password
    return masked(text, {password, unquote(password)} if password else ())


def sqlite_path(url: str) -> Path:
    """The file of a ``sqlite:///`` URL (``sqlite:///rel.db`` is relative, ``sqlite:////abs.db`` absolute)."""
    path = Path(url.removeprefix(SQLITE_PREFIX)).expanduser()
    if not path.name:
        raise ValueError(f"no file in memory URL {url!r}: {URL_HELP}")
    return path


def _resolve(url: str | None, settings: Settings | None) -> str:
    url = url or (settings or Settings()).memory_url
    if url != "memory" and not url.startswith((SQLITE_PREFIX, *POSTGRES_PREFIXES)):
        raise ValueError(f"unknown memory URL {url!r}: {URL_HELP}")
    return url


_SQLITE_PRAGMAS = (
    f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}",
    "PRAGMA journal_mode=WAL",
    # In WAL mode NORMAL loses no committed transaction on a process crash (kill -9), only possibly the
    # last ones on a power loss; FULL would fsync on every checkpoint.
    "PRAGMA synchronous=NORMAL",
)


def _postgres_connection(url: str) -> dict[str, Any]:
    """What LangGraph's PostgreSQL savers need of their connections (as its ``from_conn_string`` sets),
    and a connect timeout, so an unreachable server fails in seconds."""
    from psycopg.conninfo import conninfo_to_dict
    from psycopg.rows import dict_row

    kwargs: dict[str, Any] = {"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row}
    if "connect_timeout" not in conninfo_to_dict(url):
        kwargs["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
    return kwargs


def take_setup_lock(conn: Any) -> None:
    """Hold :data:`SETUP_LOCK_KEY` on ``conn`` (a psycopg connection in autocommit, rows as dicts).

    Polled with ``pg_try_advisory_lock`` rather than waited for with ``pg_advisory_lock``: the migrations create
    an index CONCURRENTLY, which waits for every statement running in the database to end, a
    ``pg_advisory_lock`` waiting for this very lock included. Two processes opening a new database at once then
    deadlocked, unseen by PostgreSQL's deadlock detector (measured: ``tests/test_concurrency.py`` hung on a
    loaded machine). Between tries no statement runs, so the index is built and the lock released."""
    while not conn.execute(_TRY_SETUP_LOCK, (SETUP_LOCK_KEY,)).fetchone()["taken"]:
        time.sleep(SETUP_LOCK_POLL_SECONDS)


async def atake_setup_lock(conn: Any) -> None:
    """The async twin of :func:`take_setup_lock` (a psycopg ``AsyncConnection``)."""
    while not (await (await conn.execute(_TRY_SETUP_LOCK, (SETUP_LOCK_KEY,))).fetchone())["taken"]:
        await asyncio.sleep(SETUP_LOCK_POLL_SECONDS)


def _postgres_unavailable(url: str, error: Exception) -> MemoryUnavailable:
    reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return MemoryUnavailable(
        f"cannot open the PostgreSQL memory at {public_url(url)}: {_without_secrets(reason, url)} "
        "(check AGENT_MEMORY; is the server running?)"
    )


def _sqlite_unavailable(path: Path, error: Exception) -> MemoryUnavailable:
    return MemoryUnavailable(
        f"cannot open the memory file {path}: {error} "
        "(check the file, or set AGENT_MEMORY to another one: sqlite:///path/to/memory.db)"
    )


def connect_sqlite(path: Path) -> sqlite3.Connection:
    """A connection tuned for several processes sharing one file."""
    from agent.memory.savers import retry_when_locked

    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, check_same_thread=False)
    for pragma in _SQLITE_PRAGMAS:
        # A guard: the busy timeout covers processes opening (and switching to WAL) one new file at once
        # (6 at once, 6 times: no error), but SQLite skips it in a few cases and fails at once.
        retry_when_locked(functools.partial(conn.execute, pragma))
    return conn


@contextmanager
def checkpointer(
    url: str | None = None, *, settings: Settings | None = None
) -> Iterator[BaseCheckpointSaver[Any]]:
    """Open the saver for ``url`` (default: the configured ``AGENT_MEMORY``) for the duration of the block."""
    url = _resolve(url, settings)
    if url == "memory":
        from agent.memory.savers import memory_saver_type

        yield memory_saver_type()()
    elif url.startswith(SQLITE_PREFIX):
        from agent.memory.savers import CompactSqliteSaver

        path = sqlite_path(url)
        try:
            conn = connect_sqlite(path)
        except (sqlite3.DatabaseError, OSError) as error:
            raise _sqlite_unavailable(path, error) from error
        try:
            saver = CompactSqliteSaver(conn)
            try:
                saver.setup()
            except sqlite3.DatabaseError as error:
                raise _sqlite_unavailable(path, error) from error
            yield saver
        finally:
            conn.close()
    else:
        import psycopg
        from psycopg_pool import ConnectionPool

        from agent.memory.savers import postgres_saver_types

        saver_type, _ = postgres_saver_types()
        # One plain connection first: the pool would retry in the background for its 30 s timeout,
        # logging a warning on each try, and then only say that it timed out.
        try:
            kwargs = _postgres_connection(url)
            psycopg.connect(url, **kwargs).close()
        except psycopg.Error as error:
            raise _postgres_unavailable(url, error) from error
        with ConnectionPool(url, max_size=POSTGRES_POOL_SIZE, kwargs=kwargs, open=True) as pool:
            postgres = saver_type(pool)
            with pool.connection() as lock:
                # Two processes opening a new database at once would both run the migrations and one
                # would fail on the other's rows; PostgreSQL's advisory lock makes them take turns.
                take_setup_lock(lock)
                try:
                    postgres.setup()
                finally:
                    lock.execute("SELECT pg_advisory_unlock(%s)", (SETUP_LOCK_KEY,))
            yield postgres


@asynccontextmanager
async def acheckpointer(
    url: str | None = None, *, settings: Settings | None = None
) -> AsyncIterator[BaseCheckpointSaver[Any]]:
    """The async twin of :func:`checkpointer`, for ``ainvoke``/``astream``."""
    url = _resolve(url, settings)
    if url == "memory":
        from agent.memory.savers import memory_saver_type

        yield memory_saver_type()()
    elif url.startswith(SQLITE_PREFIX):
        import aiosqlite

        from agent.memory.savers import async_sqlite_saver_type

        path = sqlite_path(url)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise _sqlite_unavailable(path, error) from error
        async with AsyncExitStack() as stack:
            try:
                conn = await stack.enter_async_context(aiosqlite.connect(path, timeout=BUSY_TIMEOUT_SECONDS))
                for pragma in _SQLITE_PRAGMAS:
                    await conn.execute(pragma)
                saver = async_sqlite_saver_type()(conn)
                await saver.setup()
            except sqlite3.DatabaseError as error:
                raise _sqlite_unavailable(path, error) from error
            yield saver
    else:
        import psycopg
        from psycopg_pool import AsyncConnectionPool

        from agent.memory.savers import postgres_saver_types

        _, async_saver_type = postgres_saver_types()
        try:  # one plain connection first, as in checkpointer()
            kwargs = _postgres_connection(url)
            await (await psycopg.AsyncConnection.connect(url, **kwargs)).close()
        except psycopg.Error as error:
            raise _postgres_unavailable(url, error) from error
        async with AsyncConnectionPool(url, max_size=POSTGRES_POOL_SIZE, kwargs=kwargs, open=False) as pool:
            postgres = async_saver_type(pool)
            async with pool.connection() as lock:  # the migrations one process at a time, as above
                await atake_setup_lock(lock)
                try:
                    await postgres.setup()
                finally:
                    await lock.execute("SELECT pg_advisory_unlock(%s)", (SETUP_LOCK_KEY,))
            yield postgres
