"""The store as the indexing API sees it during an ingest: adds embedded in batches, each reported.

The indexing API hands ``add_documents`` all the new chunks of one of its rounds at once; embedding them
in batches of our own size, with a report after each, keeps the progress line moving on a slow CPU.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from langchain_core.documents import Document
from langchain_core.vectorstores import VectorStore

if TYPE_CHECKING:
    from langchain_chroma import Chroma
    from langchain_core.embeddings import Embeddings


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
