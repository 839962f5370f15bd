"""The ``openai:`` path against an OpenAI-compatible server nobody here wrote: llama-cpp-python's own
(``python -m llama_cpp.server``, the ``[server]`` extra) on the packaged GGUF, started once per session.

The model is a 270M base model: these tests check the protocol (what the server accepts, what comes back and
how the assistant handles it), never the wording of its answers. What a real server cannot be made to do on
demand (a 429, a hang, a script of tool calls) stays with the fake one in tests/openai_server.py.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import openai
import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, ToolMessage
from langgraph.checkpoint.memory import InMemorySaver

from agent.errors import describe_error
from agent.models.errors import is_rejection, is_transient
from agent.models.loading import load_model
from agent.settings import Settings
from graphs.assistant import build_graph
from tests.fakes import ScriptedChatModel, call, tool_calls
from tools.calculator import calculator

pytest.importorskip("llama_cpp.server", reason="needs llama-cpp-python[server] (the dev extras)")

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
MODEL_NAME = "gemma"
# The base model rambles: every request is capped (llama-cpp-python ignores max_completion_tokens, which
# langchain-openai sends for max_tokens, so the cap goes in the body under the name it reads).
CAP = {"max_tokens": 24}
READY_WITHIN_S = 180


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL (``.../v1``) of a llama-cpp-python server on the packaged GGUF."""
    from agent.models.local.chat_model import packaged_model_path

    port = _free_port()
    log_path = tmp_path_factory.mktemp("llama-server") / "server.log"
    command = [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(packaged_model_path()),
        "--model_alias", MODEL_NAME,
        "--chat_format", "chatml-function-calling",
        "--host", "127.0.0.1", "--port", str(port),
        "--n_ctx", "4096", "--n_threads", "2",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + READY_WITHIN_S
        while True:
            if server.poll() is not None:
                pytest.fail(f"llama_cpp.server exited ({server.returncode}):\n{log_path.read_text()[-3000:]}")
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"llama_cpp.server not ready in {READY_WITHIN_S} s:\n{log_path.read_text()[-3000:]}"
                )
            time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def server_settings(url: str, **overrides: Any) -> Settings:
    return Settings(
        _env_file=None,
        **{
            "model": f"openai:{MODEL_NAME}",
            "base_url": url,
            "search": "off",
            "reflection": "off",
            # A 2-core machine running the whole suite can take well over the 30 s default to evaluate the
            # function-calling template's long prompt; these tests are about the protocol, not the speed.
            "model_timeout": 180,
            **overrides,
        },
    )


def served_model(settings: Settings) -> Any:
    model = load_model(settings=settings)
    model.extra_body = CAP  # type: ignore[attr-defined]
    model.temperature = 0  # type: ignore[attr-defined]
    return model


class PromptRecorder(BaseCallbackHandler):
    """Records every prompt a chat model was sent."""

    def __init__(self) -> None:
        self.prompts: list[list[BaseMessage]] = []

    def on_chat_model_start(self, serialized: Any, messages: list[list[BaseMessage]], **kwargs: Any) -> None:
        self.prompts.extend(messages)


def config(thread: str, *callbacks: BaseCallbackHandler) -> dict[str, Any]:
    return {"configurable": {"thread_id": thread}, "callbacks": list(callbacks)}


def test_the_server_rejects_null_tool_call_content_and_takes_an_empty_string(llama_server: str) -> None:
    """Why ``agent.models.openai_compat`` exists: pinned, so a server release that changes it shows up here."""
    call_message = {
        "role": "assistant",
        "tool_calls": [
            {
                "id": "c1",
                "type": "function",
                "function": {"name": "calculator", "arguments": '{"expression":"2+2"}'},
            }
        ],
    }
    answers = []
    for content in (None, ""):
        body = {
            "model": MODEL_NAME,
            "max_tokens": 1,
            "messages": [
                {"role": "user", "content": "2+2?"},
                {**call_message, "content": content},
                {"role": "tool", "tool_call_id": "c1", "content": "4"},
            ],
        }
        answers.append(httpx.post(f"{llama_server}/chat/completions", json=body, timeout=60).status_code)
    assert answers == [500, 200]


def test_a_thread_with_a_tool_call_goes_on_on_the_real_server(llama_server: str) -> None:
    saver = InMemorySaver()
    thread = f"t-{uuid4().hex}"
    scripted = ScriptedChatModel(
        script=[tool_calls(call("calculator", expression="12*12")), "12 × 12 = 144."]
    )
    first = build_graph(
        scripted, tools=[calculator], checkpointer=saver, settings=server_settings(llama_server)
    )
    first.invoke({"messages": [HumanMessage("What is 12 times 12?")]}, config(thread))

    settings = server_settings(llama_server)
    graph = build_graph(served_model(settings), tools=[calculator], checkpointer=saver, settings=settings)
    recorder = PromptRecorder()
    state = graph.invoke({"messages": [HumanMessage("hello again")]}, config(thread, recorder))

    sent = recorder.prompts[0]
    assert any(isinstance(m, AIMessage) and m.tool_calls for m in sent), "the history's tool call was sent"
    assert any(isinstance(m, ToolMessage) and m.content == "144" for m in sent)
    assert isinstance(sent[-1], HumanMessage) and sent[-1].content == "hello again"
    answer = state["messages"][-1]
    assert isinstance(answer, AIMessage)
    assert answer.response_metadata.get("model_name") == MODEL_NAME


def test_a_served_model_that_calls_a_tool_continues_on_the_server(llama_server: str) -> None:
    """Forced tool call through the server's own function-calling format, then the tool result sent back."""
    settings = server_settings(llama_server)
    model = served_model(settings)
    model.extra_body = {"max_tokens": 48}
    forced = model.bind_tools(
        [calculator], tool_choice={"type": "function", "function": {"name": "calculator"}}
    )
    question = HumanMessage("Compute 12*12 with the calculator.")
    calling = forced.invoke([question])
    # The base model may run out of tokens inside the arguments: an invalid call is still a call to answer.
    calls = [*calling.tool_calls, *calling.invalid_tool_calls]
    assert [c["name"] for c in calls] == ["calculator"]
    result = ToolMessage("144", tool_call_id=calls[0]["id"] or "", name="calculator")
    follow_up = served_model(settings).bind_tools([calculator]).invoke([question, calling, result])
    assert isinstance(follow_up, AIMessage)


def test_answers_stream_piece_by_piece_from_the_real_server(llama_server: str) -> None:
    settings = server_settings(llama_server)
    graph = build_graph(served_model(settings), tools=[], checkpointer=InMemorySaver(), settings=settings)
    pieces: list[str] = []
    for chunk, meta in graph.stream(
        {"messages": [HumanMessage("Tell me about the sea.")]}, config("stream"), stream_mode="messages"
    ):
        if isinstance(chunk, AIMessageChunk) and meta.get("langgraph_node") == "planner" and chunk.content:
            pieces.append(str(chunk.content))
    answer = graph.get_state(config("stream")).values["messages"][-1]
    assert len(pieces) > 1
    assert "".join(pieces) == answer.content


def test_reflection_falls_back_to_a_method_the_server_takes(llama_server: str) -> None:
    """json_schema is rejected (HTTP 500, a validation error); forced function calling gives the verdict."""
    settings = server_settings(llama_server, reflection="always")
    model = served_model(settings)
    model.extra_body = {"max_tokens": 64}
    graph = build_graph(model, tools=[], checkpointer=InMemorySaver(), settings=settings)
    state = graph.invoke({"messages": [HumanMessage("What is the capital of France?")]}, config("reflect"))
    record = state["reflections"][0]
    assert record["verdict"] in {"accept", "revise"}
    assert not record["feedback"].startswith("(reflection skipped"), record["feedback"]
    assert isinstance(state["messages"][-1], AIMessage)


def test_json_mode_gives_a_verdict_on_the_real_server(llama_server: str) -> None:
    settings = server_settings(llama_server, reflection="always", structured_output="json_mode")
    model = served_model(settings)
    model.extra_body = {"max_tokens": 64}
    graph = build_graph(model, tools=[], checkpointer=InMemorySaver(), settings=settings)
    state = graph.invoke({"messages": [HumanMessage("Say hi.")]}, config("json-mode"))
    record = state["reflections"][0]
    # The server takes the request (no HTTP error); a base model may still write JSON without our fields or
    # past the token cap (then the critique is skipped and the draft stands).
    assert record["verdict"] in {"accept", "revise"}
    assert "HTTP" not in record["feedback"], record["feedback"]
    assert isinstance(state["messages"][-1], AIMessage)


def test_a_critique_method_the_server_rejects_never_costs_the_draft(llama_server: str) -> None:
    settings = server_settings(llama_server, reflection="always", structured_output="json_schema")
    graph = build_graph(served_model(settings), tools=[], checkpointer=InMemorySaver(), settings=settings)
    state = graph.invoke({"messages": [HumanMessage("Say hi.")]}, config("rejected"))
    [record] = state["reflections"]
    assert (record["verdict"], record["feedback"]) == (
        "accept",
        "(reflection skipped: the critic failed: HTTP 500)",
    )
    assert "draft" not in record  # the accepted draft is the answer, not stored twice
    assert isinstance(state["messages"][-1], AIMessage)  # the draft stands as the answer


def test_the_servers_own_rejection_is_permanent_and_says_why(llama_server: str) -> None:
    settings = server_settings(llama_server)
    model = served_model(settings)
    with pytest.raises(openai.BadRequestError) as caught:
        model.invoke("word " * 5000)
    error = caught.value
    assert is_rejection(error) and not is_transient(error)
    line = describe_error(error, settings)
    assert "\n" not in line
    assert line.startswith(f"the model at {llama_server} refused the request (HTTP 400): ")
    assert "maximum context length is 4096 tokens" in line


def test_ask_shows_the_servers_reason_in_one_line(llama_server: str, isolated_environment: Path) -> None:
    env = {
        **os.environ,
        "AGENT_HOME": str(isolated_environment),
        "AGENT_SEARCH": "off",
        "AGENT_MODEL": f"openai:{MODEL_NAME}",
        "AGENT_BASE_URL": llama_server,
        "AGENT_MAX_CONTEXT_TOKENS": "20000",  # so the question passes our check and reaches the server
    }
    done = subprocess.run(
        [sys.executable, "-m", "agent", "ask", "word " * 5000],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode != 0
    [line] = done.stderr.strip().splitlines()
    assert "refused the request (HTTP 400)" in line
    assert "maximum context length is 4096 tokens" in line


def test_the_real_servers_validation_errors_are_not_retried(llama_server: str) -> None:
    settings = server_settings(llama_server)
    with pytest.raises(openai.InternalServerError) as caught:
        served_model(settings).invoke(
            "hi", response_format={"type": "json_schema", "json_schema": {"name": "x"}}
        )
    assert not is_transient(caught.value)
    assert "response_format" in describe_error(caught.value, settings)
    json.dumps(caught.value.body)  # the reason came back as data, not only as text
