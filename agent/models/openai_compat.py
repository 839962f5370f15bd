"""HTTP clients for OpenAI-compatible servers: requests every such server accepts, and bounded waits.

**Tool-call messages with empty-string content.** langchain-openai sends an assistant message that calls
tools with ``"content": null`` (``_convert_message_to_dict``: "content null value should be None not empty
string"). OpenAI's API reference allows that, but llama-cpp-python's server rejects it ("content: Input should
be a valid string", tested for real), and so did LM Studio (lmstudio-bug-tracker #261) and Mistral's
experimental endpoint (mistral-common #324). Every server we know of accepts ``""``. langchain-openai offers no
public option for this (a proposed one, langchain #30803, was declined in favour of provider packages), and
overriding ``ChatOpenAI._get_request_payload`` would tie us to a private method. The documented hook that
remains is the one every ``ChatOpenAI`` takes: ``http_client``/``http_async_client`` (httpx clients). Their
transport rewrites that one field of the JSON body of ``/chat/completions`` requests and nothing else.

The clients are used only for compatible servers (a base URL is set); OpenAI's own API gets the stock ones.
A custom transport turns off httpx's proxy variables (``HTTPS_PROXY``): they are read here and handed to the
transport, so a server behind a proxy is still reached through it.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import httpx

CONNECT_TIMEOUT = 10.0


def empty_tool_call_content(body: dict[str, Any]) -> bool:
    """Replace ``content: null`` by ``""`` in assistant messages with tool calls; whether anything changed."""
    changed = False
    for message in body.get("messages") or []:
        if (
            isinstance(message, dict)
            and message.get("role") == "assistant"
            and message.get("content") is None
            and (message.get("tool_calls") or message.get("function_call"))
        ):
            message["content"] = ""
            changed = True
    return changed


def _rewritten(request: httpx.Request) -> httpx.Request:
    if request.method != "POST" or not request.url.path.endswith("/chat/completions"):
        return request
    try:
        body = json.loads(request.read())
    except (ValueError, UnicodeDecodeError):
        return request
    if not isinstance(body, dict) or not empty_tool_call_content(body):
        return request
    headers = [(k, v) for k, v in request.headers.multi_items() if k.lower() != "content-length"]
    return httpx.Request(
        request.method, request.url, headers=headers, json=body, extensions=request.extensions
    )


class CompatibleTransport(httpx.BaseTransport):
    """Sends requests through ``inner`` after :func:`empty_tool_call_content`."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self._inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._inner.handle_request(_rewritten(request))

    def close(self) -> None:
        self._inner.close()


class AsyncCompatibleTransport(httpx.AsyncBaseTransport):
    """The async twin of :class:`CompatibleTransport`."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._inner.handle_async_request(_rewritten(request))

    async def aclose(self) -> None:
        await self._inner.aclose()


def _proxy_for(base_url: str) -> str | None:
    proxies = urllib.request.getproxies()
    host = httpx.URL(base_url).host
    if not proxies or urllib.request.proxy_bypass(host):
        return None
    return proxies.get(httpx.URL(base_url).scheme) or proxies.get("all")


def request_timeout(seconds: float) -> httpx.Timeout:
    """``seconds`` for every read and write (a hung server's limit), connecting within at most 10 s."""
    return httpx.Timeout(seconds, connect=min(seconds, CONNECT_TIMEOUT))


def compatible_clients(base_url: str, timeout: float) -> tuple[httpx.Client, httpx.AsyncClient]:
    """The sync and async httpx clients for the compatible server at ``base_url``."""
    proxy = _proxy_for(base_url)
    return (
        httpx.Client(
            transport=CompatibleTransport(httpx.HTTPTransport(proxy=proxy)), timeout=request_timeout(timeout)
        ),
        httpx.AsyncClient(
            transport=AsyncCompatibleTransport(httpx.AsyncHTTPTransport(proxy=proxy)),
            timeout=request_timeout(timeout),
        ),
    )
