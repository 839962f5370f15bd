"""``langgraph dev`` serves the assistant from langgraph.json; a thread runs through langgraph-sdk."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
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
    with fake_openai_server([reply("Hello from the served graph.")]) as server:
        yield server


def test_langgraph_dev_serves_the_assistant(model_server: object, tmp_path: Path) -> None:
    from langgraph_sdk import get_sync_client

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "AGENT_MODEL": "openai:test-model",
        "AGENT_BASE_URL": model_server.url,  # type: ignore[attr-defined]
        "OPENAI_API_KEY": "sk-test",
        "AGENT_SEARCH": "off",
        "AGENT_REFLECTION": "off",
        "AGENT_HOME": str(tmp_path),
        "LANGSMITH_TRACING": "false",
        "LANGCHAIN_TRACING_V2": "false",
        "LANGGRAPH_CLI_NO_ANALYTICS": "1",
    }
    cli = shutil.which("langgraph", path=str(Path(sys.executable).parent))
    assert cli, "langgraph-cli is a dev dependency"
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen(
        [
            cli,
            "dev",
            "--port",
            str(port),
            "--host",
            "127.0.0.1",
            "--no-browser",
            "--no-reload",
            "--allow-blocking",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_up(url, process)
        client = get_sync_client(url=url)
        thread = client.threads.create()
        result = client.runs.wait(
            thread["thread_id"], "assistant", input={"messages": [{"role": "user", "content": "hi"}]}
        )
        assert isinstance(result, dict)
        assert result["messages"][-1]["content"] == "Hello from the served graph."
        state = client.threads.get_state(thread["thread_id"])
        assert [m["type"] for m in state["values"]["messages"]] == ["human", "ai"]
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
