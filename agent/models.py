"""From a model spec string to a LangChain chat model.

Specs: ``openai:<model>`` (OpenAI, or any OpenAI-compatible server through ``AGENT_BASE_URL``),
``ollama:<model>`` (Ollama's OpenAI-compatible endpoint), ``local`` (the packaged embedded model) and
``local:/path/model.gguf`` (any GGUF file).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent.settings import Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

OLLAMA_BASE_URL = "http://localhost:11434/v1"
SPEC_HELP = "use openai:<model>, ollama:<model>, local or local:/path/model.gguf"


class ModelConfigError(ValueError):
    """The configured model cannot be used as configured; the message names the setting to fix."""


def load_model(spec: str | None = None, settings: Settings | None = None) -> BaseChatModel:
    """The chat model for ``spec`` (default: ``settings.model_spec``)."""
    settings = settings or Settings()
    spec = (spec or settings.model_spec).strip()
    provider, _, name = spec.partition(":")
    if provider == "local":
        from agent.local_model import load_local_model

        return load_local_model(name or None, settings)
    if provider in {"openai", "ollama"}:
        if not name:
            raise ModelConfigError(f"model spec {spec!r} names no model: {SPEC_HELP} (AGENT_MODEL)")
        return _openai_compatible(provider, name, settings)
    raise ModelConfigError(f"unknown model spec {spec!r}: {SPEC_HELP} (AGENT_MODEL)")


def _openai_compatible(provider: str, name: str, settings: Settings) -> BaseChatModel:
    from langchain_openai import ChatOpenAI

    base_url = settings.base_url or (OLLAMA_BASE_URL if provider == "ollama" else None)
    api_key = settings.openai_api_key
    if api_key is None:
        if base_url is None:
            raise ModelConfigError(
                f"openai:{name} needs an API key: set OPENAI_API_KEY, or AGENT_BASE_URL for a compatible "
                "server, or AGENT_MODEL=local for the embedded model"
            )
        # Local OpenAI-compatible servers (Ollama, vLLM, LM Studio, llama.cpp) accept any key.
        api_key = "not-needed"  # type: ignore[assignment]
    return ChatOpenAI(model=name, base_url=base_url, api_key=api_key, timeout=60, max_retries=1)
