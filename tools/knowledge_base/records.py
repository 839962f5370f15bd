"""The records LangChain's indexing API keeps of a collection: which chunk ids are stored, per source.

They are read from the store itself at the start of each run (``records_of``), into an
``InMemoryRecordManager``: the store's ids and ``source`` metadata are exactly what a record manager
holds, and a second bookkeeping beside the store could part from it (a collection ingested before
records were kept, one dropped and made again, a run killed between the store's write and the
record's, a Chroma server that other machines also change). ``SQLRecordManager`` (langchain-classic)
is not used for the same reason, and because it imports SQLAlchemy's asyncio support, which needs
greenlet. A run killed midway therefore loses nothing: whatever reached the store is known next time.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from langchain_core.indexing import InMemoryRecordManager, RecordManager

if TYPE_CHECKING:
    from langchain_chroma import Chroma

READ_BATCH = 5000
"""Chunks read from the store at a time when building the records."""


def records_of(store: Chroma, namespace: str) -> RecordManager:
    """A record manager holding every chunk id in ``store`` under its ``source``, dated before the run
    that follows starts (the indexing API cleans up records dated strictly before its start)."""
    records = InMemoryRecordManager(namespace=namespace)
    records.create_schema()
    offset = 0
    while (page := store.get(include=["metadatas"], limit=READ_BATCH, offset=offset))["ids"]:
        sources = [str((meta or {}).get("source")) for meta in page["metadatas"]]
        records.update(page["ids"], group_ids=sources)
        offset += len(page["ids"])
    at = records.get_time()
    while records.get_time() <= at:  # a clock coarser than the work between the two readings
        time.sleep(0.001)
    return records
