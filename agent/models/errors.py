"""What a failed model call means: worth retrying, a request the server will never accept, and its reason.

OpenAI-compatible servers differ in how they say no. OpenAI, vLLM and Ollama answer a request they cannot
take with HTTP 400; llama-cpp-python's server answers its own request validation errors with HTTP 500 and a
pydantic "validation error" text (tested for real in tests/test_real_server.py). So a 5xx is retried only
when it does not say the request itself was invalid.

``openai`` is imported lazily: the embedded model's start must not pay for it.
"""

from __future__ import annotations

import re
import sys

MAX_REASON_CHARS = 300
# 5xx answers that describe a request that will never work, not a server in trouble.
_REQUEST_INVALID = re.compile(
    r"validation error|input should be|response_format|not supported", re.IGNORECASE
)
# Statuses a request is refused with for good, as far as retrying goes (408, 409 and 429 may pass later).
_RETRYABLE_4XX = {408, 409, 429}


def status_of(error: BaseException) -> int | None:
    """The HTTP status a model server answered with, if ``error`` carries one."""
    status = getattr(error, "status_code", None)
    return status if isinstance(status, int) else None


def server_reason(error: BaseException) -> str:
    """The server's own explanation, on one line and bounded; empty when it gave none.

    llama-cpp-python appends a Python traceback to its messages after a blank line: it is dropped.
    """
    body = getattr(error, "body", None)
    reason: object = None
    if isinstance(body, dict):
        reason = body.get("message") or body.get("detail") or body.get("error")
        if isinstance(reason, dict):
            reason = reason.get("message")
    elif isinstance(body, str):
        reason = body
    if not reason:
        return ""
    text = str(reason).split("\n\n")[0]
    text = " ".join(text.split())
    if len(text) > MAX_REASON_CHARS:
        text = text[: MAX_REASON_CHARS - 1].rstrip() + "…"
    return text


def says_request_invalid(error: BaseException) -> bool:
    """A 5xx whose text says the request was invalid (llama-cpp-python's way of rejecting one)."""
    return bool(_REQUEST_INVALID.search(server_reason(error) or str(error)))


def is_rejection(error: BaseException) -> bool:
    """The server refused this request for good: a 4xx other than 408/409/429, or a 5xx saying it was invalid."""
    status = status_of(error)
    if status is None:
        return False
    if 400 <= status < 500:
        return status not in _RETRYABLE_4XX
    return status >= 500 and says_request_invalid(error)


def is_timeout(error: BaseException) -> bool:
    """The server accepted the connection but did not answer in time."""
    openai = sys.modules.get("openai")
    if openai is not None and isinstance(error, openai.APITimeoutError):
        return True
    httpx = sys.modules.get("httpx")
    return isinstance(error, TimeoutError) or (
        httpx is not None and isinstance(error, httpx.TimeoutException)
    )


def is_transient(error: BaseException) -> bool:
    """Worth retrying: connection refused or reset, 408/409/429, and 5xx answers that do not reject the request.

    A timeout is not: the OpenAI client already tried twice (``max_retries=1``), so a hung server fails
    within about twice ``AGENT_MODEL_TIMEOUT`` instead of once per retry on top of that.
    """
    if is_timeout(error):
        return False
    status = status_of(error)
    if status is not None:
        if status in _RETRYABLE_4XX:
            return True
        return status >= 500 and status not in {501, 505} and not says_request_invalid(error)
    if isinstance(error, ConnectionError):
        return True
    openai = sys.modules.get("openai")
    if openai is not None and isinstance(error, openai.APIConnectionError):
        return True
    httpx = sys.modules.get("httpx")
    return httpx is not None and isinstance(error, httpx.TransportError)


def is_model_failure(error: BaseException) -> bool:
    """A model call that failed on the server's or the network's side (any provider), not a bug of ours."""
    if isinstance(error, OSError) or status_of(error) is not None:
        return True
    from langchain_core.exceptions import ModelError

    if isinstance(error, ModelError):
        return True
    openai = sys.modules.get("openai")
    httpx = sys.modules.get("httpx")
    return (openai is not None and isinstance(error, openai.OpenAIError)) or (
        httpx is not None and isinstance(error, httpx.HTTPError)
    )
