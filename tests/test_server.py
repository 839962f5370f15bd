"""``langgraph dev`` serves the assistant from langgraph.json; a thread runs through langgraph-sdk."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest

from tests.openai_server import fake_openai_server, reply

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"langgraph dev exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/ok", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"langgraph dev did not answer at {url} within {seconds} s")


@pytest.fixture
def model_server() -> Iterator[object]:
    replies = [
        reply("Hello from the served graph."),
        reply(tool_calls=[("calculator", {"expression": "2+2"})]),
    ]
    with fake_openai_server(replies) as server:
        yield server


def server_environment(home: Path, **settings: str) -> dict[str, str]:
    """The server's environment: offline, no tracing, the given AGENT_* settings."""
    return {
        **os.environ,
        "AGENT_SEARCH": "off",
        "AGENT_HOME": str(home),
        "LANGSMITH_TRACING": "false",
        "LANGCHAIN_TRACING_V2": "false",
        "LANGGRAPH_CLI_NO_ANALYTICS": "1",
        **settings,
    }


@contextmanager
def langgraph_dev(env: dict[str, str], log_path: Path) -> Iterator[str]:
    """``langgraph dev`` on a free port, with LangGraph's check for blocking calls on its event loop left on
    (no ``--allow-blocking``); yields the server's URL."""
    cli = shutil.which("langgraph", path=str(Path(sys.executable).parent))
    assert cli, "langgraph-cli is a dev dependency"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [cli, "dev", "--port", str(port), "--host", "127.0.0.1", "--no-browser", "--no-reload"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_up(url, process)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def test_langgraph_dev_serves_the_assistant(model_server: object, tmp_path: Path) -> None:
    from langgraph_sdk import get_sync_client

    env = server_environment(
        tmp_path,
        AGENT_MODEL="openai:test-model",
        AGENT_BASE_URL=model_server.url,  # type: ignore[attr-defined]
        OPENAI_API_KEY="sk-test",
        AGENT_REFLECTION="off",
    )
    with langgraph_dev(env, tmp_path / "server.log") as url:
        client = get_sync_client(url=url)
        thread = client.threads.create()
        result = client.runs.wait(
            thread["thread_id"], "assistant", input={"messages": [{"role": "user", "content": "hi"}]}
        )
        assert isinstance(result, dict)
        assert result["messages"][-1]["content"] == "Hello from the served graph."
        state = client.threads.get_state(thread["thread_id"])
        assert [m["type"] for m in state["values"]["messages"]] == ["human", "ai"]

        # An assistant of its own configures the same graph through its run context: one model call a turn.
        terse = client.assistants.create("assistant", context={"max_steps": 1})
        schema = client.assistants.get_schemas(terse["assistant_id"])["context_schema"]
        assert {"model", "reflection", "max_steps"} <= set(schema["properties"])
        result = client.runs.wait(
            client.threads.create()["thread_id"],
            terse["assistant_id"],
            input={"messages": [{"role": "user", "content": "what is 2+2?"}]},
        )
        assert isinstance(result, dict)
        assert [m["type"] for m in result["messages"]] == ["human", "ai", "tool", "ai"]
        assert result["messages"][-1]["content"].startswith("I stopped after 1 model calls")


NOTES = "# Project notes\n\nThe launch date of the Falcon project is 12 March 2027.\n"
QUESTIONS = {
    "small talk": "hi",
    "calculator": "What is 17 * 23?",
    "documents": "What do my notes say about the launch date?",
    "web": "What is the weather in Paris today?",
}
"""One turn of each kind; web search is off, so the web turn gets an error answer from its tool."""
EXPECTED_TOOLS = {
    "small talk": [],
    "calculator": [("calculator", "success")],
    "documents": [("search_documents", "success")],
    "web": [("web_search", "error")],
}
"""The first tool call of each turn and its status (the embedded model may make more calls after it)."""
ACCEPT = reply('{"verdict": "accept", "feedback": "ok"}')
SCRIPT = [
    reply("Hello!"),
    reply(tool_calls=[("calculator", {"expression": "17*23"})]),
    reply("17 * 23 = 391."),
    ACCEPT,
    reply(tool_calls=[("search_documents", {"query": "launch date"})]),
    reply("The launch date is 12 March 2027 [1]."),
    ACCEPT,
    reply(tool_calls=[("web_search", {"query": "weather in Paris"})]),
    reply("I could not check the weather: web search is turned off."),
    ACCEPT,
]
"""The scripted model's replies for QUESTIONS, in order; reflection runs on its default (auto)."""


@pytest.mark.parametrize("model", ["scripted", "local"])
def test_langgraph_dev_runs_every_kind_of_turn_without_blocking_its_event_loop(
    model: str, tmp_path: Path
) -> None:
    from langgraph_sdk import get_sync_client

    notes = tmp_path / "notes.md"
    notes.write_text(NOTES, encoding="utf-8")
    with ExitStack() as stack:
        if model == "local":
            env = server_environment(tmp_path, AGENT_MODEL="local")
        else:
            server = stack.enter_context(fake_openai_server(list(SCRIPT)))
            env = server_environment(
                tmp_path, AGENT_MODEL="openai:test-model", AGENT_BASE_URL=server.url, OPENAI_API_KEY="sk-test"
            )
        ingest = [sys.executable, "-m", "agent", "ingest", str(notes)]
        subprocess.run(ingest, cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)
        log = tmp_path / "server.log"
        url = stack.enter_context(langgraph_dev(env, log))
        client = get_sync_client(url=url, timeout=300)
        for kind, question in QUESTIONS.items():
            thread = client.threads.create()
            result = client.runs.wait(
                thread["thread_id"],
                "assistant",
                input={"messages": [{"role": "user", "content": question}]},
                raise_error=False,
            )
            assert isinstance(result, dict)
            assert "__error__" not in result, (kind, result, log.read_text(errors="replace")[-3000:])
            messages = result["messages"]
            tools = [(m["name"], m["status"]) for m in messages if m["type"] == "tool"]
            assert tools[:1] == EXPECTED_TOOLS[kind], kind
            assert messages[-1]["type"] == "ai" and messages[-1]["content"], kind
            assert not messages[-1].get("tool_calls"), kind
    assert "BlockingError" not in log.read_text(errors="replace")
