"""Secrets never reach logs: the record factory the command line installs masks them in every record."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from agent.redaction import redact_secrets_in_logs, secrets_of
from agent.settings import Settings


@pytest.fixture
def restored_factory() -> Iterator[None]:
    original = logging.getLogRecordFactory()
    yield
    logging.setLogRecordFactory(original)


def test_secrets_in_urls_and_keys_are_masked_in_every_log_record(
    restored_factory: None, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(
        _env_file=None,
        base_url="http://user:hunter22@127.0.0.1:8000/v1?api_key=topsecret9",
        openai_api_key=SecretStr("sk-live-abcdef"),
    )
    assert secrets_of(settings) >= {"hunter22", "topsecret9", "sk-live-abcdef"}
    redact_secrets_in_logs(settings)
    redact_secrets_in_logs(settings)  # twice: still one layer, still masked
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("httpx").info('HTTP Request: POST %s "HTTP/1.1 200 OK"', settings.base_url)
        logging.getLogger("openai._base_client").debug(
            "headers: %s", {"Authorization": "Bearer sk-live-abcdef"}
        )
        logging.getLogger("ours").warning("nothing secret here: %d", 42)
    logged = [record.getMessage() for record in caplog.records]
    assert logged[0] == 'HTTP Request: POST http://user:***@127.0.0.1:8000/v1?api_key=*** "HTTP/1.1 200 OK"'
    assert logged[1] == "headers: {'Authorization': 'Bearer ***'}"
    assert logged[2] == "nothing secret here: 42"


def test_without_secrets_nothing_is_installed(restored_factory: None) -> None:
    before = logging.getLogRecordFactory()
    redact_secrets_in_logs(Settings(_env_file=None))
    assert logging.getLogRecordFactory() is before
