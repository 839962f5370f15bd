"""``agent ask`` end to end in a subprocess, against a local OpenAI-compatible server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.cli_checks import one_line_error
from tests.openai_server import fake_openai_server, reply, status

ROOT = Path(__file__).resolve().parent.parent
SECRET = "sk-test-very-secret-key"
ACCEPT = reply(json.dumps({"verdict": "accept", "feedback": ""}))


def agent(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agent", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def env(isolated_environment: Path) -> dict[str, str]:
    return {"AGENT_HOME": str(isolated_environment), "AGENT_SEARCH": "off"}


def openai_env(env: dict[str, str], url: str) -> dict[str, str]:
    return {**env, "AGENT_MODEL": "openai:test-model", "AGENT_BASE_URL": url, "OPENAI_API_KEY": SECRET}


def test_ask_json_runs_a_tool_and_reports_the_turn(env: dict[str, str]) -> None:
    script = [reply(tool_calls=[("calculator", {"expression": "12*12"})]), reply("12 × 12 = 144."), ACCEPT]
    with fake_openai_server(script) as server:
        done = agent("ask", "What is 12 times 12?", "--json", env=openai_env(env, server.url))
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert set(payload) == {"thread_id", "answer", "tool_calls", "reflection", "sources", "model"}
    assert payload["sources"] == []
    assert payload["answer"] == "12 × 12 = 144."
    assert payload["tool_calls"] == [{"name": "calculator", "args": {"expression": "12*12"}, "ok": True}]
    assert payload["reflection"] == [{"verdict": "accept", "feedback": ""}]
    assert payload["model"] == "openai:test-model"
    tool_result = server.requests[1]["messages"][-1]
    assert (tool_result["role"], tool_result["content"]) == ("tool", "144")
    assert [t["function"]["name"] for t in server.requests[0]["tools"]] == [
        "calculator",
        "web_search",
        "search_documents",
    ]
    assert server.headers[0]["authorization"] == f"Bearer {SECRET}"


def test_ask_continues_a_thread(env: dict[str, str]) -> None:
    with fake_openai_server([reply("Hello Ada."), reply("You are Ada.")]) as server:
        first = json.loads(agent("ask", "I am Ada.", "--json", env=openai_env(env, server.url)).stdout)
        second = agent(
            "ask", "Who am I?", "--thread", first["thread_id"], "--json", env=openai_env(env, server.url)
        )
    assert json.loads(second.stdout)["thread_id"] == first["thread_id"]
    sent = [(m["role"], m["content"]) for m in server.requests[1]["messages"][1:]]
    assert sent == [("user", "I am Ada."), ("assistant", "Hello Ada."), ("user", "Who am I?")]


def test_ask_without_thread_starts_a_new_one(env: dict[str, str]) -> None:
    with fake_openai_server([reply("one"), reply("two")]) as server:
        first = json.loads(agent("ask", "a", "--json", env=openai_env(env, server.url)).stdout)
        second = json.loads(agent("ask", "b", "--json", env=openai_env(env, server.url)).stdout)
    assert first["thread_id"] != second["thread_id"]
    assert len(server.requests[1]["messages"]) == 2  # system + the new question only


def test_plain_ask_prints_the_answer_and_the_thread(env: dict[str, str]) -> None:
    with fake_openai_server([reply("Plain answer.")]) as server:
        done = agent("ask", "hello", env=openai_env(env, server.url))
    assert done.returncode == 0
    assert "Plain answer." in done.stdout
    assert "model openai:test-model" in done.stderr


def one_clear_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert SECRET not in done.stderr + done.stdout
    return lines[0]


def test_unreachable_server_is_one_line_naming_the_setting(env: dict[str, str]) -> None:
    line = one_clear_line(agent("ask", "hi", env=openai_env(env, "http://127.0.0.1:9/v1")))
    assert "cannot reach the model" in line and "AGENT_BASE_URL" in line


def test_rejected_key_is_one_line_naming_the_setting(env: dict[str, str]) -> None:
    with fake_openai_server([status(401, f"Incorrect API key provided: {SECRET}")]) as server:
        line = one_clear_line(agent("ask", "hi", env=openai_env(env, server.url)))
    assert "OPENAI_API_KEY" in line


def test_missing_key_names_the_settings(env: dict[str, str]) -> None:
    line = one_clear_line(agent("ask", "hi", env={**env, "AGENT_MODEL": "openai:gpt-4o-mini"}))
    assert "OPENAI_API_KEY" in line and "AGENT_BASE_URL" in line


def test_unknown_model_spec_names_the_setting(env: dict[str, str]) -> None:
    line = one_clear_line(agent("ask", "hi", "--model", "mystery:thing", env=env))
    assert "AGENT_MODEL" in line


def test_invalid_setting_is_one_line(env: dict[str, str]) -> None:
    line = one_clear_line(agent("ask", "hi", env={**env, "AGENT_MAX_STEPS": "many"}))
    assert "MAX_STEPS" in line


def test_help_lists_the_commands() -> None:
    done = agent("--help", env={})
    assert done.returncode == 0
    for command in ("ask", "chat", "ingest", "kb"):
        assert command in done.stdout


def test_debug_shows_the_traceback(env: dict[str, str]) -> None:
    done = agent("--debug", "ask", "hi", "--model", "mystery:thing", env=env)
    assert done.returncode == 1
    assert "Traceback" in done.stderr or "ModelConfigError" in done.stderr


# ------------------------------------------------------------------ refused before anything runs, in-process


def invoke(*args: str, env: dict[str, str]) -> Any:
    from typer.testing import CliRunner

    from agent.cli.main import app

    return CliRunner().invoke(app, list(args), env=env)


@pytest.mark.parametrize(
    ("question", "refusal"),
    [
        ("", "the question is empty"),
        ("   ", "the question is empty"),
        ("\n\t", "the question is empty"),
        ("x" * 1_000_000, "AGENT_MAX_CONTEXT_TOKENS=8000"),
    ],
)
def test_an_empty_or_oversized_question_is_refused_before_the_model_and_memory(
    env: dict[str, str], isolated_environment: Path, question: str, refusal: str
) -> None:
    with fake_openai_server([reply("never sent")]) as server:
        settings = {**openai_env(env, server.url), "AGENT_MAX_CONTEXT_TOKENS": "8000"}
        line = one_line_error(invoke("ask", question, env=settings))
    assert refusal in line
    assert server.requests == []
    assert not (isolated_environment / "memory.db").exists()  # no thread was saved


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("AGENT_SEARCH_TIMEOUT", "-1"),
        ("AGENT_SEARCH_TIMEOUT", "0"),
        ("AGENT_SEARCH_TIMEOUT", "inf"),
        ("AGENT_TOOL_TIMEOUT", "nan"),
        ("AGENT_TOOL_TIMEOUT", "inf"),
        ("AGENT_TOOL_TIMEOUT", "-5"),
        ("AGENT_MAX_STEPS", "0"),
        ("AGENT_MAX_REFLECTIONS", "-1"),
        ("AGENT_MAX_CONTEXT_TOKENS", "10"),
        ("AGENT_LOCAL_THREADS", "0"),
        ("AGENT_COLLECTION", ""),
        ("AGENT_REFLECTION", "sometimes"),
    ],
)
def test_an_invalid_setting_is_refused_at_start_in_one_line_naming_it(
    env: dict[str, str], name: str, value: str
) -> None:
    line = one_line_error(invoke("ask", "hi", env={**env, name: value}))
    assert line.startswith(f"error: setting {name}: ")


@pytest.mark.slow
@pytest.mark.parametrize("question", ["Hello! Who are you?", "Thanks, that was helpful."])
def test_the_embedded_model_answers_small_talk_end_to_end(env: dict[str, str], question: str) -> None:
    """A new user's first `agent ask` on the default (embedded) model: generated text, no tool, saved."""
    done = agent("ask", question, "--json", env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    answer = payload["answer"]
    assert payload["model"] == "local" and payload["tool_calls"] == []
    assert answer.strip() and answer.strip() != question
    assert "User:" not in answer and "Assistant:" not in answer  # one turn, not a made-up dialogue
    shown = agent("threads", "show", payload["thread_id"], "--json", env=env)
    roles = [message["role"] for message in json.loads(shown.stdout)["messages"]]
    assert roles == ["user", "assistant"]
