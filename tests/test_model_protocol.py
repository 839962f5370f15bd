"""The ``openai:`` path against the fake server, for what a real server cannot be made to do on demand:
requests as sent, structured-output fallbacks, retries by kind of failure, a hung server, masked secrets."""

from __future__ import annotations

import importlib.util
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from pydantic import ValidationError

from agent.errors import describe_error
from agent.models.errors import is_rejection, is_transient, server_reason
from agent.models.loading import ModelConfigError, load_model
from agent.settings import Settings
from graphs.assistant import MODEL_RETRY, build_graph
from graphs.critic import make_critic
from graphs.state import Critique
from tests.fakes import call
from tests.openai_server import fake_openai_server, reply, status

ROOT = Path(__file__).resolve().parent.parent
NO_WAIT = MODEL_RETRY._replace(initial_interval=0.0, jitter=False)
VALIDATION_500 = (
    "1 validation error:\n  {'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), "
    "'msg': \"Input should be 'text' or 'json_object'\"}\n\n  File \"app.py\", line 376"
)


def served(url: str, **overrides: Any) -> Settings:
    return Settings(
        _env_file=None,
        **{"model": "openai:served", "base_url": url, "search": "off", "reflection": "off", **overrides},
    )


def critique_call(verdict: str = "accept", feedback: str = "") -> dict[str, Any]:
    return reply(tool_calls=[("Critique", {"verdict": verdict, "feedback": feedback})])


def test_tool_call_messages_reach_compatible_servers_with_empty_string_content() -> None:
    history = [
        HumanMessage("12*12?"),
        AIMessage("", tool_calls=[call("calculator", expression="12*12")]),
    ]
    history.append(ToolMessage("144", tool_call_id=history[1].tool_calls[0]["id"] or "", name="calculator"))  # type: ignore[attr-defined]
    with fake_openai_server([reply("144."), reply("144.")]) as server:
        model = load_model(settings=served(server.url))
        model.invoke(history)
        list(model.stream(history))
    for request in server.requests:
        sent = request["messages"][1]
        assert (sent["role"], sent["content"]) == ("assistant", "")
        assert sent["tool_calls"][0]["function"]["name"] == "calculator"
        assert request["messages"][0] == {"role": "user", "content": "12*12?"}


async def test_async_requests_get_the_same_empty_string_content() -> None:
    history = [HumanMessage("hi"), AIMessage("", tool_calls=[call("calculator", expression="1")])]
    history.append(ToolMessage("1", tool_call_id=history[1].tool_calls[0]["id"] or "", name="calculator"))  # type: ignore[attr-defined]
    with fake_openai_server([reply("1.")]) as server:
        await load_model(settings=served(server.url)).ainvoke(history)
    assert server.requests[0]["messages"][1]["content"] == ""


def test_openais_own_api_keeps_the_stock_http_client() -> None:
    model = load_model("openai:gpt-4o-mini", Settings(_env_file=None, OPENAI_API_KEY="sk-x"))
    assert model.http_client is None  # type: ignore[attr-defined]
    assert (model.request_timeout, model.max_retries) == (30.0, 1)  # type: ignore[attr-defined]


def test_the_critic_falls_back_to_a_method_the_server_takes_and_remembers_it() -> None:
    script = [
        status(400, "response_format json_schema is not supported"),
        critique_call("revise", "Check the sum."),
        critique_call(),
    ]
    with fake_openai_server(script) as server:
        critic = make_critic(load_model(settings=served(server.url)))
        assert critic is not None
        first = critic.invoke([HumanMessage("judge")])
        second = critic.invoke([HumanMessage("judge again")])
    assert (Critique.model_validate(first).verdict, Critique.model_validate(second).verdict) == (
        "revise",
        "accept",
    )
    assert server.requests[0]["response_format"]["type"] == "json_schema"
    assert [r.get("tool_choice", {}).get("function", {}).get("name") for r in server.requests[1:]] == [
        "Critique",
        "Critique",
    ]
    assert "strict" not in server.requests[1]["tools"][0]["function"]


def test_json_mode_is_the_last_resort_and_names_the_fields() -> None:
    script = [
        status(400, "json_schema unsupported"),
        status(422, "tool_choice unsupported"),
        reply(json.dumps({"verdict": "accept", "feedback": ""})),
    ]
    with fake_openai_server(script) as server:
        critic = make_critic(load_model(settings=served(server.url)))
        assert critic is not None
        assert Critique.model_validate(critic.invoke([HumanMessage("judge")])).verdict == "accept"
    last = server.requests[-1]
    assert last["response_format"] == {"type": "json_object"}
    assert '"verdict"' in last["messages"][-1]["content"]


def test_a_pinned_method_is_the_only_one_tried() -> None:
    with fake_openai_server([critique_call()]) as server:
        critic = make_critic(load_model(settings=served(server.url)), "function_calling")
        assert critic is not None
        critic.invoke([HumanMessage("judge")])
    assert "response_format" not in server.requests[0]


def test_a_critic_whose_server_fails_never_costs_the_draft() -> None:
    script = [reply("The answer is 4."), status(503, "overloaded"), status(503, "overloaded")]
    with fake_openai_server(script) as server:
        settings = served(server.url, reflection="always")
        graph = build_graph(load_model(settings=settings), tools=[], settings=settings, retry=NO_WAIT)
        state = graph.invoke({"messages": [HumanMessage("2+2?")]})
    assert state["messages"][-1].content == "The answer is 4."
    [record] = state["reflections"]
    assert (record["verdict"], record["feedback"]) == (
        "accept",
        "(reflection skipped: the critic failed: HTTP 503)",
    )


@pytest.mark.parametrize(
    ("answer", "requests"),
    [
        (status(400, "messages[1].content: Input should be a valid string"), 1),  # permanent
        (status(500, VALIDATION_500), 2),  # llama-cpp-python's rejection: only the client's own retry
        (status(503, "loading model"), 6),  # transient: 2 client tries x 3 graph attempts
        (status(429, "slow down"), 6),
    ],
)
def test_transient_failures_are_retried_and_rejections_are_not(answer: dict[str, Any], requests: int) -> None:
    with fake_openai_server([answer] * 6) as server:
        settings = served(server.url)
        graph = build_graph(load_model(settings=settings), tools=[], settings=settings, retry=NO_WAIT)
        with pytest.raises(openai.APIStatusError):
            graph.invoke({"messages": [HumanMessage("hi")]})
    assert len(server.requests) == requests


def test_the_servers_reason_is_in_the_one_line_error() -> None:
    with fake_openai_server([status(500, VALIDATION_500)] * 2) as server:
        settings = served(server.url)
        with pytest.raises(openai.InternalServerError) as caught:
            load_model(settings=settings).invoke("hi")
    line = describe_error(caught.value, settings)
    assert line == (
        f"the model at {server.url} refused the request (HTTP 500): 1 validation error: {{'type': "
        "'literal_error', 'loc': ('body', 'response_format', 'type'), 'msg': \"Input should be 'text' or "
        "'json_object'\"}"
    )
    assert is_rejection(caught.value) and not is_transient(caught.value)


def test_a_long_reason_is_cut_to_one_bounded_line() -> None:
    error = openai.BadRequestError(
        "x",
        response=httpx.Response(400, request=httpx.Request("POST", "http://h")),
        body={"message": "a\n" * 400},
    )
    reason = server_reason(error)
    assert "\n" not in reason and len(reason) <= 300 and reason.endswith("…")


@contextmanager
def silent_server() -> Iterator[str]:
    """Accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        listener.close()


def test_a_hung_server_fails_the_turn_within_about_twice_the_timeout() -> None:
    with silent_server() as url:
        settings = served(url, model_timeout=1.0)
        graph = build_graph(load_model(settings=settings), tools=[], settings=settings)  # the default retries
        started = time.monotonic()
        with pytest.raises(openai.APITimeoutError) as caught:
            graph.invoke({"messages": [HumanMessage("hi")]})
        elapsed = time.monotonic() - started
    assert 2.0 <= elapsed < 2 * 1.0 + 2.5  # two tries of 1 s, the client's short backoff, no graph retry
    line = describe_error(caught.value, settings)
    assert "AGENT_MODEL_TIMEOUT=1 s" in line and "\n" not in line


def test_the_model_timeout_must_be_positive() -> None:
    for bad in (0, -1, float("inf")):
        with pytest.raises(ValidationError):
            Settings(_env_file=None, model_timeout=bad)
    assert Settings(_env_file=None).model_timeout == 30.0


@pytest.mark.parametrize(
    "base_url",
    ["http://alice:hunter2-secret@127.0.0.1:9/v1", "http://127.0.0.1:9/v1?api_key=hunter2-secret"],
)
def test_secrets_in_urls_never_show_in_errors(base_url: str) -> None:
    settings = served(base_url)
    with pytest.raises(openai.APIConnectionError) as caught:
        load_model(settings=settings).invoke("hi")
    line = describe_error(caught.value, settings)
    assert "hunter2-secret" not in line
    assert "127.0.0.1:9" in line and "AGENT_BASE_URL" in line


def test_a_reason_that_echoes_the_key_is_masked() -> None:
    with fake_openai_server([status(400, "bad request for key sk-live-1234567890")]) as server:
        settings = served(server.url, OPENAI_API_KEY="sk-live-1234567890")
        with pytest.raises(openai.BadRequestError) as caught:
            load_model(settings=settings).invoke("hi")
    line = describe_error(caught.value, settings)
    assert "sk-live-1234567890" not in line and "bad request for key ***" in line


def test_abandoned_tool_threads_do_not_keep_the_process_alive() -> None:
    script = """
import time
from langchain_core.messages import HumanMessage
from langchain_core.tools import tool
from agent.settings import Settings
from graphs.assistant import build_graph
from tests.fakes import ScriptedChatModel, call, tool_calls

@tool
def stuck(x: str) -> str:
    '''Never finishes in time.'''
    time.sleep(60)
    return x

model = ScriptedChatModel(script=[tool_calls(call("stuck", x="a")), "It did not finish."])
settings = Settings(_env_file=None, reflection="off", tool_timeout=0.5)
state = build_graph(model, tools=[stuck], settings=settings).invoke({"messages": [HumanMessage("go")]})
print(state["messages"][-1].content)
"""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=55
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "It did not finish."
    assert time.monotonic() - started < 30


def test_an_empty_api_key_is_named_plainly() -> None:
    with pytest.raises(ModelConfigError, match="OPENAI_API_KEY is set but empty"):
        load_model("openai:gpt-4o-mini", Settings(_env_file=None, OPENAI_API_KEY=""))


def test_ollama_never_uses_the_base_url_meant_for_openai_specs() -> None:
    settings = Settings(_env_file=None, base_url="http://127.0.0.1:8000/v1")
    assert load_model("ollama:llama3.1", settings).openai_api_base == "http://localhost:11434/v1"  # type: ignore[attr-defined]
    elsewhere = Settings(_env_file=None, OLLAMA_HOST="gpu-box:11434")
    assert load_model("ollama:llama3.1", elsewhere).openai_api_base == "http://gpu-box:11434/v1"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("spec", "package"),
    [("anthropic:claude-sonnet-4-5", "langchain-anthropic"), ("groq:llama", "langchain-groq")],
)
def test_a_missing_provider_package_is_named(spec: str, package: str) -> None:
    if importlib.util.find_spec(package.replace("-", "_")) is not None:
        pytest.skip(f"{package} is installed here")
    with pytest.raises(ModelConfigError, match=f"pip install {package}"):
        load_model(spec, Settings(_env_file=None))


def test_an_unknown_provider_is_refused_naming_the_setting() -> None:
    with pytest.raises(ModelConfigError, match=r"unknown model provider 'nosuch'.*AGENT_MODEL"):
        load_model("nosuch:model", Settings(_env_file=None))
