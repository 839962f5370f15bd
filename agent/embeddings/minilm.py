"""The LangChain face of the numpy all-MiniLM-L6-v2 encoder (see ``agent.embeddings.encoder`` for why it exists)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
from langchain_core.embeddings import Embeddings

from agent.embeddings.encoder import MiniLMEncoder


class MiniLMEmbeddings(Embeddings):
    """all-MiniLM-L6-v2 sentence embeddings (384 floats, unit length), equal to sentence-transformers' output."""

    def __init__(self, encoder: MiniLMEncoder) -> None:
        self.encoder = encoder

    @classmethod
    def from_path(cls, model_dir: Path) -> MiniLMEmbeddings:
        """Load a sentence-transformers model folder (``model.safetensors``, ``tokenizer.json``, configs)."""
        return cls(MiniLMEncoder(model_dir))

    @property
    def dimension(self) -> int:
        """Length of each embedding."""
        return self.encoder.dimension

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Embeddings as a ``(len(texts), dimension)`` float32 array; handy for similarity with ``@``."""
        return self.encoder.encode(texts)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        rows: list[list[float]] = self.encoder.encode(texts).tolist()
        return rows

    def embed_query(self, text: str) -> list[float]:
        row: list[float] = self.encoder.encode([text])[0].tolist()
        return row
