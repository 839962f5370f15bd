"""Secrets out of everything we print or log: API keys, and passwords or query values in configured URLs.

Light on purpose (no LangChain, no LangGraph): the command line installs the log redaction on every start.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from agent.settings import Settings


def secrets_of(settings: Settings) -> set[str]:
    """Every secret a message could echo: API keys, and passwords or query values in configured URLs."""
    found: set[str] = set()
    for key in (settings.openai_api_key, settings.tavily_api_key):
        if key is not None and len(key.get_secret_value().strip()) >= 4:
            found.add(key.get_secret_value().strip())
    for url in (
        settings.base_url,
        settings.ollama_host,
        settings.memory,
        settings.chroma_url,
        settings.searxng_url,
    ):
        if not url:
            continue
        parts = urlsplit(url.strip())
        if parts.password:
            found |= {parts.password, unquote(parts.password)}
        found |= {value for _, value in parse_qsl(parts.query) if len(value) >= 4}
    return found


def masked(text: str, secrets: Iterable[str]) -> str:
    """``text`` with each of ``secrets`` replaced by ``***`` (longest first: one may contain another)."""
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def without_secrets(text: str, settings: Settings) -> str:
    """``text`` with every secret of ``settings`` replaced by ``***``."""
    return masked(text, secrets_of(settings))


def redact_secrets_in_logs(settings: Settings) -> None:
    """Every log record from now on has the secrets of ``settings`` replaced by ``***``.

    HTTP clients log the URLs they call (httpx at INFO, openai at DEBUG), and a key can sit in a URL
    (``?api_key=``, ``user:secret@host``). A record factory, the logging module's documented hook for changing
    every record, catches them all, whichever logger and handler the application configured.
    """
    secrets = secrets_of(settings)
    if not secrets:
        return
    make_record = logging.getLogRecordFactory()
    if getattr(make_record, "redacts_secrets", False):  # already installed: chain on the original
        make_record = make_record.original  # type: ignore[attr-defined]

    def redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        message = record.getMessage()
        cleaned = masked(message, secrets)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return record

    redacting_factory.redacts_secrets = True  # type: ignore[attr-defined]
    redacting_factory.original = make_record  # type: ignore[attr-defined]
    logging.setLogRecordFactory(redacting_factory)
