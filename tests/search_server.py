"""A local HTTP server imitating Tavily's and SearXNG's JSON search APIs, scripted per test.

Each request pops the next scripted ``Reply`` (or gets the default one) and is recorded, so tests
can count requests and inspect what was sent.
"""

from __future__ import annotations

import json
import socket
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

CANNED_RESULTS: list[dict[str, str]] = [
    {
        "title": "Python 3.13 released",
        "url": "https://example.org/python-313",
        "content": "Python   3.13 is out,\n with a new REPL and an experimental free-threaded build.",
    },
    {
        "title": "What's new in Python 3.13",
        "url": "https://docs.example.org/whatsnew/3.13",
        "content": "word " * 200,
    },
    {"title": "Third", "url": "https://example.org/3", "content": "three"},
    {"title": "Fourth", "url": "https://example.org/4", "content": "four"},
    {"title": "Fifth", "url": "https://example.org/5", "content": "five"},
    {"title": "Sixth", "url": "https://example.org/6", "content": "six"},
]


@dataclass
class Reply:
    """What the server answers to one request."""

    status: int = 200
    body: Any = field(default_factory=lambda: {"results": CANNED_RESULTS})
    """JSON-encoded unless it is ``str`` or ``bytes``; ``ECHO_HEADERS`` sends the request's headers back."""
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


ECHO_HEADERS = object()


@dataclass
class Request:
    """One request as the server saw it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


class SearchServer:
    """A threaded HTTP server on 127.0.0.1 with a free port; use as a context manager."""

    def __init__(self) -> None:
        self.replies: deque[Reply] = deque()
        self.requests: list[Request] = []
        self._stop = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        # A short poll interval: shutdown() waits up to one interval, paid by every test.
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def script(self, *replies: Reply) -> None:
        """Answer the next requests with these replies, in order; then the default reply."""
        self.replies.extend(replies)

    def __enter__(self) -> SearchServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()  # wakes handlers sleeping in a slow reply
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._answer(None)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                self._answer(json.loads(raw) if raw else None)

            def _answer(self, body: Any) -> None:
                parts = urlsplit(self.path)
                server.requests.append(
                    Request(self.command, parts.path, parse_qs(parts.query), dict(self.headers.items()), body)
                )
                reply = server.replies.popleft() if server.replies else Reply()
                if reply.delay and server._stop.wait(reply.delay):
                    return
                if reply.body is ECHO_HEADERS:
                    payload = json.dumps({"error": "echo", "headers": dict(self.headers.items())}).encode()
                elif isinstance(reply.body, bytes):
                    payload = reply.body
                elif isinstance(reply.body, str):
                    payload = reply.body.encode()
                else:
                    payload = json.dumps(reply.body).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output quiet

        return Handler


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
