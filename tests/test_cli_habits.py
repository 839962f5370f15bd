"""What users expect of a command line: --version, the question from standard input, `agent models`,
errors as JSON with --json, and a failing exit status when no answer was produced."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.openai_server import fake_openai_server, reply

ROOT = Path(__file__).resolve().parent.parent


def agent(*args: str, env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agent", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def env(isolated_environment: Path) -> dict[str, str]:
    return {"AGENT_HOME": str(isolated_environment), "AGENT_SEARCH": "off", "AGENT_REFLECTION": "off"}


def served(env: dict[str, str], url: str) -> dict[str, str]:
    return {**env, "AGENT_MODEL": "openai:test-model", "AGENT_BASE_URL": url}


def test_version_is_printed_without_reading_settings(env: dict[str, str]) -> None:
    done = agent("--version", env={**env, "AGENT_MAX_STEPS": "not a number"})
    assert (done.returncode, done.stdout) == (0, f"agent {version('langgraph-assistant')}\n")


@pytest.mark.parametrize("args", [("ask", "-"), ("ask",)])
def test_the_question_can_come_from_standard_input(env: dict[str, str], args: tuple[str, ...]) -> None:
    with fake_openai_server([reply("Four.")]) as server:
        done = agent(*args, "--json", env=served(env, server.url), stdin="What is 2 + 2?\n")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["answer"] == "Four."
    assert server.requests[0]["messages"][-1] == {"role": "user", "content": "What is 2 + 2?"}


def test_an_empty_standard_input_is_refused(env: dict[str, str]) -> None:
    done = agent("ask", "-", env=env, stdin="")
    assert done.returncode == 1
    assert "error:" in done.stderr


def test_errors_are_json_when_json_is_asked_for(env: dict[str, str]) -> None:
    done = agent("ask", "hi", "--json", env=served(env, "http://127.0.0.1:9/v1"))
    assert done.returncode == 1
    payload = json.loads(done.stdout)
    assert set(payload) == {"error"}
    assert "cannot reach the model at http://127.0.0.1:9/v1" in payload["error"]


def test_no_answer_is_a_failing_exit_status(env: dict[str, str]) -> None:
    with fake_openai_server([reply(""), reply("")]) as server:
        plain = agent("ask", "hi", env=served(env, server.url))
        as_json = agent("ask", "hi", "--json", env=served(env, server.url))
    assert plain.returncode == 1 and "no answer" in plain.stderr
    assert as_json.returncode == 1
    payload = json.loads(as_json.stdout)
    assert payload["answer"] == "" and "no answer" in payload["error"]


def test_models_shows_the_configured_server_and_what_it_serves(env: dict[str, str]) -> None:
    with fake_openai_server() as server:
        done = agent(
            "models", "--json", env={**served(env, server.url), "OPENAI_API_KEY": "sk-models-secret"}
        )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "spec": "openai:test-model",
        "provider": "openai",
        "where": server.url,
        "reachable": True,
        "detail": "reachable",
        "served": ["test-model"],
    }
    assert server.headers[0]["authorization"] == "Bearer sk-models-secret"


def test_models_fails_for_an_unreachable_server_and_masks_its_secrets(env: dict[str, str]) -> None:
    url = "http://alice:models-password@127.0.0.1:9/v1?api_key=models-query-key"
    done = agent("models", env=served(env, url))
    assert done.returncode == 1
    assert "not reachable" in done.stdout
    assert "models-password" not in done.stdout + done.stderr
    assert "models-query-key" not in done.stdout + done.stderr


def test_models_names_the_package_a_provider_needs(env: dict[str, str]) -> None:
    done = agent("models", "nosuchprovider:some-model", "--json", env=env)
    assert done.returncode == 1
    assert json.loads(done.stdout)["detail"] == "pip install langchain-nosuchprovider"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("kb", "search", "bees", "--collection", "nope", "--json"), "no collection named 'nope'"),
        (("kb", "list", "--json"), None),
        (("threads", "show", "deadbeef", "--json"), "deadbeef"),
        (("threads", "delete", "deadbeef", "--yes", "--json"), "deadbeef"),
        (("threads", "prune", "--json"), "say what to prune"),
    ],
    ids=["kb-search", "kb-list-ok", "threads-show", "threads-delete", "threads-prune"],
)
def test_every_json_command_reports_its_error_as_json(
    env: dict[str, str], args: tuple[str, ...], expected: str | None
) -> None:
    done = agent(*args, env=env)
    if expected is None:  # no error: the command's own JSON
        assert done.returncode == 0 and json.loads(done.stdout) == []
        return
    assert done.returncode == 1
    assert expected in json.loads(done.stdout)["error"]
    assert "Traceback" not in done.stderr
