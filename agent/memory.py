"""Checkpointers: where threads live. ``sqlite:///path``, ``postgresql://...`` or ``memory``.

All of them are LangGraph's own savers, tuned in ``agent.savers`` for a transcript stored as deltas
(remembered histories; compact versions and retried writes on SQLite). This module opens them well:
SQLite in WAL mode with a busy timeout so several processes (REPL, notebook, ``langgraph dev``) can
share one file, PostgreSQL through a connection pool (several threads of one process can run turns at
once) with its tables set up on first use.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver

from agent.settings import Settings

SQLITE_PREFIX = "sqlite:///"
POSTGRES_PREFIXES = ("postgresql://", "postgres://")
BUSY_TIMEOUT_SECONDS = 30.0
POSTGRES_POOL_SIZE = 8
"""Connections a PostgreSQL saver may open (one per concurrent checkpoint read or write)."""
URL_HELP = "use sqlite:///path/to/memory.db, postgresql://user@host/db or memory (AGENT_MEMORY)"


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


def _postgres_connection() -> dict[str, Any]:
    """What LangGraph's PostgreSQL savers need of their connections (as its ``from_conn_string`` sets)."""
    from psycopg.rows import dict_row

    return {"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row}


def connect_sqlite(path: Path) -> sqlite3.Connection:
    """A connection tuned for several processes sharing one file."""
    from agent.savers import retry_when_locked

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
        from agent.savers import memory_saver_type

        yield memory_saver_type()()
    elif url.startswith(SQLITE_PREFIX):
        from agent.savers import CompactSqliteSaver

        conn = connect_sqlite(sqlite_path(url))
        try:
            saver = CompactSqliteSaver(conn)
            saver.setup()
            yield saver
        finally:
            conn.close()
    else:
        from psycopg_pool import ConnectionPool

        from agent.savers import postgres_saver_types

        saver_type, _ = postgres_saver_types()
        with ConnectionPool(
            url, max_size=POSTGRES_POOL_SIZE, kwargs=_postgres_connection(), open=True
        ) as pool:
            postgres = saver_type(pool)
            postgres.setup()
            yield postgres


@asynccontextmanager
async def acheckpointer(
    url: str | None = None, *, settings: Settings | None = None
) -> AsyncIterator[BaseCheckpointSaver[Any]]:
    """The async twin of :func:`checkpointer`, for ``ainvoke``/``astream``."""
    url = _resolve(url, settings)
    if url == "memory":
        from agent.savers import memory_saver_type

        yield memory_saver_type()()
    elif url.startswith(SQLITE_PREFIX):
        import aiosqlite

        from agent.savers import async_sqlite_saver_type

        path = sqlite_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        async with aiosqlite.connect(path, timeout=BUSY_TIMEOUT_SECONDS) as conn:
            for pragma in _SQLITE_PRAGMAS:
                await conn.execute(pragma)
            saver = async_sqlite_saver_type()(conn)
            await saver.setup()
            yield saver
    else:
        from psycopg_pool import AsyncConnectionPool

        from agent.savers import postgres_saver_types

        _, async_saver_type = postgres_saver_types()
        async with AsyncConnectionPool(
            url, max_size=POSTGRES_POOL_SIZE, kwargs=_postgres_connection(), open=False
        ) as pool:
            postgres = async_saver_type(pool)
            await postgres.setup()
            yield postgres
