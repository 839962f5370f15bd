"""A local stand-in for an OpenAI-compatible chat server (vLLM, Ollama, OpenAI): it answers
``/v1/chat/completions`` from a script of replies and records every request it got."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DELAY_KEY = "__delay__"


def reply(
    content: str = "", *, tool_calls: list[tuple[str, dict[str, Any]]] | None = None, delay: float = 0.0
) -> dict[str, Any]:
    """A scripted assistant message; ``tool_calls`` are (name, arguments) pairs.

    ``delay`` (seconds) makes the reply slow: streamed, its content comes word by word with this pause
    before each word; not streamed, the whole answer waits this long.
    """
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if delay:
        message[DELAY_KEY] = delay
    if tool_calls:
        message["tool_calls"] = [
            {
                "id": f"call_{index}_{time.monotonic_ns()}",
                "type": "function",
                "function": {"name": name, "arguments": json.dumps(args)},
            }
            for index, (name, args) in enumerate(tool_calls)
        ]
    return message


def status(code: int, message: str = "error") -> dict[str, Any]:
    """A scripted HTTP error answer."""
    return {"__status__": code, "error": {"message": message, "type": "server_error", "code": code}}


@dataclass
class FakeOpenAI:
    """Replies are played in order; ``requests`` holds each request's JSON body and headers."""

    replies: list[dict[str, Any]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    url: str = ""

    def next_reply(self, body: dict[str, Any], headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        self.requests.append(body)
        self.headers.append(headers)
        if not self.replies:
            return 500, {"error": {"message": "fake server ran out of replies", "type": "server_error"}}
        item = dict(self.replies.pop(0))
        if "__status__" in item:
            return item["__status__"], {"error": item["error"]}
        delay = item.pop(DELAY_KEY, 0.0)
        completion = {
            "id": f"chatcmpl-{time.monotonic_ns()}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "fake"),
            "choices": [
                {
                    "index": 0,
                    "message": item,
                    "finish_reason": "tool_calls" if item.get("tool_calls") else "stop",
                }
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
        }
        if delay:
            completion[DELAY_KEY] = delay  # taken out again by the handler, before anything is sent
        return 200, completion


@contextmanager
def fake_openai_server(replies: list[dict[str, Any]] | None = None) -> Iterator[FakeOpenAI]:
    """Serve a :class:`FakeOpenAI` on a free loopback port; its ``url`` is the ``/v1`` base URL."""
    fake = FakeOpenAI(replies=list(replies or []))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            """``/v1/models``: the one model the fake serves (what ``agent models`` lists)."""
            fake.headers.append({k.lower(): v for k, v in self.headers.items()})
            data = json.dumps({"object": "list", "data": [{"id": "test-model", "object": "model"}]}).encode()
            self.send_response(200 if self.path.rstrip("/").endswith("/models") else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            code, payload = fake.next_reply(body, {k.lower(): v for k, v in self.headers.items()})
            delay = payload.pop(DELAY_KEY, 0.0)
            if code == 200 and body.get("stream"):
                self._stream(payload, delay)
                return
            time.sleep(delay)
            data = json.dumps(payload).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _stream(self, completion: dict[str, Any], delay: float = 0.0) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            message = completion["choices"][0]["message"]
            content = message.get("content") or ""
            # Slow replies come word by word (as a real server streams tokens); others in one piece.
            words = content.split(" ")
            pieces = [w if i == 0 else " " + w for i, w in enumerate(words)] if delay else [content]
            deltas: list[dict[str, Any]] = [{"role": "assistant", "content": piece} for piece in pieces]
            if message.get("tool_calls"):
                deltas[-1]["tool_calls"] = [
                    {"index": i, **call} for i, call in enumerate(message["tool_calls"])
                ]
            steps = [(delta, None) for delta in deltas] + [({}, completion["choices"][0]["finish_reason"])]
            try:
                for chunk_delta, finish in steps:
                    if delay and finish is None:
                        time.sleep(delay)
                    chunk = {
                        **completion,
                        "object": "chat.completion.chunk",
                        "choices": [{"index": 0, "delta": chunk_delta, "finish_reason": finish}],
                    }
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client stopped listening (a test pressed Ctrl-C)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
