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
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from langchain_core.documents import Document
from langchain_core.indexing import InMemoryRecordManager, RecordManager
from langchain_core.vectorstores import VectorStore

if TYPE_CHECKING:
    from langchain_chroma import Chroma
    from langchain_core.embeddings import Embeddings

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


class BatchedStore(VectorStore):
    """A store that embeds what the indexing API adds in batches of ``batch_size`` and reports each
    (``on_batch(count)``), so that progress advances batch by batch whatever the API's own batch."""

    def __init__(self, store: Chroma, batch_size: int, on_batch: Callable[[int], None]) -> None:
        self.store = store
        self.batch_size = batch_size
        self.on_batch = on_batch

    @property
    def embeddings(self) -> Embeddings | None:
        return self.store.embeddings

    def add_documents(self, documents: list[Document], **kwargs: Any) -> list[str]:
        ids: list[str] = kwargs.pop("ids")
        kwargs.pop("batch_size", None)
        added: list[str] = []
        for start in range(0, len(documents), self.batch_size):
            batch = documents[start : start + self.batch_size]
            added += self.store.add_documents(batch, ids=ids[start : start + len(batch)], **kwargs)
            self.on_batch(len(batch))
        return added

    def delete(self, ids: list[str] | None = None, **kwargs: Any) -> bool | None:
        self.store.delete(ids=ids, **kwargs)
        return True

    def similarity_search(self, query: str, k: int = 4, **kwargs: Any) -> list[Document]:
        return self.store.similarity_search(query, k, **kwargs)

    @classmethod
    def from_texts(
        cls,
        texts: Iterable[str] | list[str],
        embedding: Embeddings,
        metadatas: list[dict[Any, Any]] | None = None,
        *,
        ids: list[str] | None = None,
        **kwargs: Any,
    ) -> BatchedStore:
        raise NotImplementedError("wrap an existing store: BatchedStore(store, batch_size, on_batch)")
