"""From a model spec string to a LangChain chat model.

Specs are ``provider:model`` as LangChain's ``init_chat_model`` reads them, so any installed provider package
works (``anthropic:`` with langchain-anthropic, ``groq:`` with langchain-groq, ...); a missing package is named
in the error. Three providers get more care:

- ``openai:<model>``: OpenAI, or any OpenAI-compatible server at ``AGENT_BASE_URL``/``OPENAI_BASE_URL``
  (vLLM, LM Studio, llama.cpp's server), with requests such servers accept (``agent.models.openai_compat``).
- ``ollama:<model>``: langchain-ollama's ``ChatOllama`` when it is installed, else Ollama's OpenAI-compatible
  endpoint; either way at ``OLLAMA_HOST`` (default ``http://localhost:11434``), never at ``AGENT_BASE_URL``,
  which names the ``openai:`` server (a spec must not silently talk to a server meant for another).
- ``local`` (the packaged embedded model) and ``local:/path/model.gguf`` (any GGUF file).

Every server-backed model waits at most ``AGENT_MODEL_TIMEOUT`` seconds per request and retries once in its
client; the graph's retry policy (``agent.models.errors.is_transient``) does not retry timeouts again.
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING, Any

from agent.settings import Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

OLLAMA_HOST = "http://localhost:11434"
OLLAMA_BASE_URL = f"{OLLAMA_HOST}/v1"
SPEC_HELP = "use provider:model (openai:<model>, ollama:<model>, anthropic:<model>, ...), local or local:/path/model.gguf"
CLIENT_RETRIES = 1


class ModelConfigError(ValueError):
    """The configured model cannot be used as configured; the message names the setting to fix."""


def load_model(spec: str | None = None, settings: Settings | None = None) -> BaseChatModel:
    """The chat model for ``spec`` (default: ``settings.model_spec``)."""
    settings = settings or Settings()
    spec = (spec or settings.model_spec).strip()
    provider, colon, name = spec.partition(":")
    provider = provider.strip().lower()
    if provider == "local":
        from agent.models.local.chat_model import load_local_model

        return load_local_model(name or None, settings)
    if not name.strip():
        if not colon:
            raise ModelConfigError(f"unknown model spec {spec!r}: {SPEC_HELP} (AGENT_MODEL)")
        raise ModelConfigError(f"model spec {spec!r} names no model: {SPEC_HELP} (AGENT_MODEL)")
    name = name.strip()
    if provider == "openai":
        return _openai(name, settings)
    if provider == "ollama":
        return _ollama(name, settings)
    return _any_provider(provider, name, settings)


def ollama_url(settings: Settings) -> str:
    """Ollama's address (``OLLAMA_HOST`` as Ollama reads it: ``host:port`` or a URL)."""
    host = (settings.ollama_host or "").strip().rstrip("/")
    if not host:
        return OLLAMA_HOST
    return host if "://" in host else f"http://{host}"


def _init(provider: str, name: str, **kwargs: Any) -> BaseChatModel:
    from langchain.chat_models import init_chat_model

    try:
        return init_chat_model(name, model_provider=provider, **kwargs)
    except ImportError as error:
        package = _missing_package(error) or f"langchain-{provider.replace('_', '-')}"
        raise ModelConfigError(
            f"the model provider {provider!r} needs the package {package}: pip install {package} "
            "(or choose another AGENT_MODEL)"
        ) from None
    except ValueError as error:
        if "provider" not in str(error).lower():
            raise
        raise ModelConfigError(f"unknown model provider {provider!r}: {SPEC_HELP} (AGENT_MODEL)") from None


def _missing_package(error: ImportError) -> str | None:
    text = str(error)
    marker = "pip install "
    if marker not in text:
        return None
    return text.split(marker, 1)[1].strip("`'\" .").split()[0].strip("`'\"")


def _openai(name: str, settings: Settings) -> BaseChatModel:
    base_url = (settings.base_url or "").strip() or None
    key = settings.openai_api_key.get_secret_value().strip() if settings.openai_api_key else None
    if settings.openai_api_key is not None and not key and base_url is None:
        raise ModelConfigError(
            f"OPENAI_API_KEY is set but empty: give it your key for openai:{name}, or set AGENT_BASE_URL for a "
            "compatible server, or AGENT_MODEL=local for the embedded model"
        )
    if not key:
        if base_url is None:
            raise ModelConfigError(
                f"openai:{name} needs an API key: set OPENAI_API_KEY, or AGENT_BASE_URL for a compatible "
                "server, or AGENT_MODEL=local for the embedded model"
            )
        # Local OpenAI-compatible servers (Ollama, vLLM, LM Studio, llama.cpp) accept any key.
        key = "not-needed"
    return _openai_client(name, base_url, key, settings)


def _openai_client(name: str, base_url: str | None, key: str, settings: Settings) -> BaseChatModel:
    kwargs: dict[str, Any] = {}
    if base_url is not None:
        from agent.models.openai_compat import compatible_clients

        kwargs["http_client"], kwargs["http_async_client"] = compatible_clients(
            base_url, settings.model_timeout
        )
    return _init(
        "openai",
        name,
        base_url=base_url,
        api_key=key,
        timeout=settings.model_timeout,
        max_retries=CLIENT_RETRIES,
        stream_chunk_timeout=settings.model_timeout,
        **kwargs,
    )


def _ollama(name: str, settings: Settings) -> BaseChatModel:
    url = ollama_url(settings)
    if importlib.util.find_spec("langchain_ollama") is not None:
        return _init("ollama", name, base_url=url, client_kwargs={"timeout": settings.model_timeout})
    # Without langchain-ollama: Ollama's OpenAI-compatible endpoint (https://docs.ollama.com/api/openai-compatibility).
    return _openai_client(name, f"{url}/v1", "ollama", settings)


def _any_provider(provider: str, name: str, settings: Settings) -> BaseChatModel:
    # ``timeout`` and ``max_retries`` are the names LangChain's provider packages share (ChatAnthropic,
    # ChatGroq, ChatMistralAI, ChatGoogleGenerativeAI, ...); their API keys come from their own variables.
    return _init(provider, name, timeout=settings.model_timeout, max_retries=CLIENT_RETRIES)
