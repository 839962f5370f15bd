"""Web search backends: each turns a query into a list of hits or raises ``SearchError``.

A ``SearchError``'s text is the reason the model and the user read ("web search timed out after 10 s"):
short, a fact rather than an instruction, and never a secret or a response body (a server may echo
request headers, API key included, back in it).

Why not langchain-community's search wrappers (checked in 0.4.2): ``SearxSearchWrapper`` and
``TavilySearchAPIWrapper`` call ``requests`` without a timeout (a stalled server hangs the turn) and put the
response body in their errors; Tavily's address is a module constant (no local server in tests, no proxy);
``DuckDuckGoSearchAPIWrapper`` turns ddgs's rate-limit and timeout exceptions into one, so a retry cannot tell
them apart. DuckDuckGo goes through ``ddgs`` itself; the two HTTP APIs are one ``httpx`` request each.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

TAVILY_SEARCH_URL = "https://api.tavily.com/search"
"""Tavily's search endpoint; ``make_web_search(..., tavily_url=...)`` overrides it (tests, proxies)."""


@dataclass(frozen=True)
class Hit:
    """One search result as a backend returned it (not yet trimmed or numbered)."""

    title: str
    url: str
    snippet: str


class SearchError(Exception):
    """A search failure; ``str(error)`` is the reason the model and the user read."""


class RateLimited(SearchError):
    """The backend asked us to slow down (HTTP 429 or its own rate-limit error); worth one retry."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        """Seconds the server asked us to wait (``Retry-After``), if it said."""


class Backend(Protocol):
    """Anything that can search the web."""

    name: str
    """Shown in messages, e.g. ``Tavily``."""

    def search(self, query: str, max_results: int) -> list[Hit]:
        """Return up to ``max_results`` hits, best first; an empty list when nothing matched."""
        ...


class Unavailable:
    """A backend that cannot run (turned off or not configured): every search answers ``message``."""

    name = "none"

    def __init__(self, message: str) -> None:
        self.message = message

    def search(self, query: str, max_results: int) -> list[Hit]:
        raise SearchError(self.message)


class TavilyBackend:
    """Tavily's JSON API: ``POST /search`` with a bearer key; results ``[{title, url, content}]``."""

    name = "Tavily"

    def __init__(self, api_key: str, *, timeout: float, url: str = TAVILY_SEARCH_URL) -> None:
        self._api_key = api_key
        self._timeout = timeout
        self._url = url

    def search(self, query: str, max_results: int) -> list[Hit]:
        payload = request_json(
            "POST",
            self._url,
            name=self.name,
            timeout=self._timeout,
            auth_hint="check TAVILY_API_KEY",
            json={"query": query, "max_results": max_results},
            headers={"Authorization": f"Bearer {self._api_key}"},
        )
        return parse_hits(payload, name=self.name)[:max_results]


class SearxngBackend:
    """A SearXNG instance: ``GET <base>/search?q=...&format=json``; results ``[{title, url, content}]``."""

    name = "SearXNG"

    def __init__(self, base_url: str, *, timeout: float) -> None:
        self._url = base_url.rstrip("/") + "/search"
        self._timeout = timeout

    def search(self, query: str, max_results: int) -> list[Hit]:
        payload = request_json(
            "GET",
            self._url,
            name=self.name,
            timeout=self._timeout,
            # SearXNG answers 403 to format=json unless its settings.yml allows that format.
            auth_hint="enable the json format under search.formats in SearXNG's settings.yml",
            params={"q": query, "format": "json"},
        )
        hits = parse_hits(payload, name=self.name)
        if not hits and isinstance(payload, dict) and payload.get("unresponsive_engines"):
            # Nothing found because the engines behind SearXNG failed, not because nothing exists.
            raise SearchError("the search engines behind SearXNG did not answer")
        return hits[:max_results]


class DdgsBackend:
    """DuckDuckGo and friends through the ``ddgs`` package (no key needed)."""

    name = "DuckDuckGo"

    def __init__(self, *, timeout: float) -> None:
        self._timeout = timeout

    def search(self, query: str, max_results: int) -> list[Hit]:
        # Imported here: ddgs pulls in lxml and primp, which the cold path does not need. The module
        # attribute is looked up at call time so tests can monkeypatch ``ddgs.DDGS``.
        import ddgs
        from ddgs.exceptions import DDGSException, RatelimitException, TimeoutException

        try:
            # ddgs types its timeout as whole seconds.
            results = ddgs.DDGS(timeout=max(1, math.ceil(self._timeout))).text(query, max_results=max_results)
        except RatelimitException as exc:
            raise RateLimited(rate_limit_message(self.name)) from exc
        except TimeoutException as exc:
            raise SearchError(timeout_message(self._timeout)) from exc
        except DDGSException as exc:
            # ddgs reports an empty result set as an exception with exactly this text.
            if str(exc).strip() == "No results found.":
                return []
            raise SearchError(f"web search ({self.name}) failed") from exc
        hits = []
        for item in results or []:
            url = item.get("href") if isinstance(item, dict) else None
            if isinstance(url, str) and url.strip():
                hits.append(Hit(str(item.get("title") or ""), url.strip(), str(item.get("body") or "")))
        return hits[:max_results]


def timeout_message(timeout: float) -> str:
    """The message for a search that took longer than ``timeout`` seconds."""
    return f"web search timed out after {timeout:g} s"


def rate_limit_message(name: str) -> str:
    """The message for a search refused for going too fast (after our one retry)."""
    return f"web search is rate-limited by {name} (wait a minute before searching again)"


def request_json(method: str, url: str, *, name: str, timeout: float, auth_hint: str, **kwargs: Any) -> Any:
    """Send one request and return the decoded JSON body; every failure becomes a ``SearchError``.

    ``auth_hint`` tells the model (and through it the user) what to fix after a 401 or 403.
    """
    try:
        with httpx.Client(timeout=timeout, follow_redirects=True) as client:
            response = client.request(method, url, **kwargs)
    except httpx.TimeoutException as exc:
        raise SearchError(timeout_message(timeout)) from exc
    except httpx.ConnectError as exc:
        raise SearchError(f"web search is unreachable (no network, or the {name} server is down)") from exc
    except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
        raise SearchError(f"web search is misconfigured: the {name} URL is not a valid http(s) URL") from exc
    except httpx.HTTPError as exc:
        raise SearchError(f"web search failed: the connection to {name} broke off") from exc
    check_status(response, name=name, auth_hint=auth_hint)
    try:
        return response.json()
    except ValueError as exc:
        raise SearchError(f"web search failed: {name} sent a malformed response") from exc


def check_status(response: httpx.Response, *, name: str, auth_hint: str) -> None:
    """Raise the ``SearchError`` matching a non-2xx status (the body is never quoted)."""
    status = response.status_code
    if status < 300:
        return
    if status == 429:
        raise RateLimited(rate_limit_message(name), retry_after=parse_retry_after(response.headers))
    if status in (401, 403):
        raise SearchError(f"web search was refused by {name} (HTTP {status}: {auth_hint})")
    if status >= 500:
        raise SearchError(f"web search failed: {name} had a server error (HTTP {status})")
    raise SearchError(f"web search failed: {name} rejected the request (HTTP {status})")


def parse_retry_after(headers: httpx.Headers) -> float | None:
    """``Retry-After`` in seconds, when given as a number (the HTTP-date form is ignored)."""
    try:
        return max(0.0, float(headers.get("retry-after", "")))
    except ValueError:
        return None


def parse_hits(payload: Any, *, name: str) -> list[Hit]:
    """Hits from a ``{"results": [{title, url, content}]}`` body (Tavily and SearXNG share this shape)."""
    results = payload.get("results") if isinstance(payload, dict) else None
    if not isinstance(results, list):
        raise SearchError(f"web search failed: {name} sent a malformed response")
    hits = []
    for item in results:
        url = item.get("url") if isinstance(item, dict) else None
        if isinstance(url, str) and url.strip():
            hits.append(Hit(str(item.get("title") or ""), url.strip(), str(item.get("content") or "")))
    return hits
