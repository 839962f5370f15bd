"""Checkpointers: where threads live. ``sqlite:///path``, ``postgresql://...`` or ``memory``.

All of them are LangGraph's own savers; this module only opens them well: SQLite in WAL mode with a busy
timeout so several processes (REPL, notebook, ``langgraph dev``) can share one file, PostgreSQL with its
tables set up on first use.
"""

from __future__ import annotations

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


def connect_sqlite(path: Path) -> sqlite3.Connection:
    """A connection tuned for several processes sharing one file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


@contextmanager
def checkpointer(
    url: str | None = None, *, settings: Settings | None = None
) -> Iterator[BaseCheckpointSaver[Any]]:
    """Open the saver for ``url`` (default: the configured ``AGENT_MEMORY``) for the duration of the block."""
    url = _resolve(url, settings)
    if url == "memory":
        from langgraph.checkpoint.memory import InMemorySaver

        yield InMemorySaver()
    elif url.startswith(SQLITE_PREFIX):
        from langgraph.checkpoint.sqlite import SqliteSaver

        conn = connect_sqlite(sqlite_path(url))
        try:
            saver = SqliteSaver(conn)
            saver.setup()
            yield saver
        finally:
            conn.close()
    else:
        from langgraph.checkpoint.postgres import PostgresSaver

        with PostgresSaver.from_conn_string(url) as postgres:
            postgres.setup()
            yield postgres


@asynccontextmanager
async def acheckpointer(
    url: str | None = None, *, settings: Settings | None = None
) -> AsyncIterator[BaseCheckpointSaver[Any]]:
    """The async twin of :func:`checkpointer`, for ``ainvoke``/``astream``."""
    url = _resolve(url, settings)
    if url == "memory":
        from langgraph.checkpoint.memory import InMemorySaver

        yield InMemorySaver()
    elif url.startswith(SQLITE_PREFIX):
        import aiosqlite
        from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

        path = sqlite_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        async with aiosqlite.connect(path, timeout=BUSY_TIMEOUT_SECONDS) as conn:
            await conn.execute("PRAGMA journal_mode=WAL")
            await conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
            saver = AsyncSqliteSaver(conn)
            await saver.setup()
            yield saver
    else:
        from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

        async with AsyncPostgresSaver.from_conn_string(url) as postgres:
            await postgres.setup()
            yield postgres
