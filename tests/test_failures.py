"""Issue 13's failure cases, one test each: tools that cannot do their job, a failed turn, reflection that
must say no, forged sources, control characters, and answers that restate the question."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import RetryPolicy

from agent.chat.render import tool_panel
from agent.chat.session import FAILED_ANSWER, Assistant
from agent.evaluation.suites import TOOL_INSTRUCTION_PHRASES
from agent.settings import Settings
from graphs.assistant import build_graph
from graphs.planning import rules
from graphs.turns import turn_result
from tests.fakes import ScriptedChatModel, call, tool_calls
from tests.openai_server import fake_openai_server, reply
from tests.search_server import closed_port_url
from tools.knowledge_base.retrieval import make_search_documents
from tools.web_search.tool import make_web_search

ROOT = Path(__file__).resolve().parent.parent
NO_WAIT = RetryPolicy(max_attempts=1, retry_on=ConnectionError)


def make_settings(home: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "home": home,
        "embeddings": "local",
        "reflection": "off",
        "search_timeout": 0.5,
        "tool_timeout": 5.0,
    }
    return Settings(_env_file=None, **{**values, **overrides})  # type: ignore[call-arg]


def run_turn(model: ScriptedChatModel, tools: list[Any], settings: Settings, question: str) -> dict[str, Any]:
    graph = build_graph(model, tools=tools, settings=settings, retry=NO_WAIT)
    return graph.invoke({"messages": [HumanMessage(question)]})


def failed_call(state: dict[str, Any]) -> ToolMessage:
    [result] = [m for m in state["messages"] if isinstance(m, ToolMessage)]
    assert result.status == "error"
    assert [c.ok for c in turn_result(state).tool_calls] == [False]
    return result


def assert_no_instructions(text: str) -> None:
    assert not any(phrase in text.casefold() for phrase in TOOL_INSTRUCTION_PHRASES), text


def embedded_answer(question: str, call_name: str, args: dict[str, Any], result: ToolMessage) -> str:
    """The sentences the embedded model writes for one tool result (no model needed for failures)."""
    ai = AIMessage("", tool_calls=[{"name": call_name, "args": args, "id": result.tool_call_id}])
    messages = [HumanMessage(question), ai, result]
    sentences, for_model = rules.split_results(rules.pending_tool_results(messages))
    assert for_model == []
    return " ".join(sentences)


# ------------------------------------------------------------------------- 1. failure semantics


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"search": "off"}, "web search is turned off (AGENT_SEARCH=off"),
        (
            {"search": "tavily", "tavily_api_key": "tvly-test-0123456789"},
            "web search is unreachable (no network",
        ),
    ],
    ids=["search_off", "network_down"],
)
def test_a_web_search_that_cannot_run_is_a_failed_call_and_the_embedded_answer_says_so_plainly(
    tmp_path: Path, overrides: dict[str, Any], reason: str
) -> None:
    settings = make_settings(tmp_path, **overrides)
    search = make_web_search(settings, tavily_url=closed_port_url())
    model = ScriptedChatModel(script=[tool_calls(call("web_search", query="capital of France")), "..."])
    result = failed_call(run_turn(model, [search], settings, "What is the capital of France?"))
    assert result.text.startswith(f"Error: {reason}")
    assert_no_instructions(result.text)
    answer = embedded_answer("What is the capital of France?", "web_search", {"query": "x"}, result)
    assert answer.startswith("I could not search the web, so I cannot check this: " + reason)
    assert_no_instructions(answer)


def test_a_tool_timeout_is_a_failed_call_with_a_reason_and_no_advice(tmp_path: Path) -> None:
    @tool
    def web_search(query: str) -> str:
        """Search the web."""
        time.sleep(2)
        return "late"

    settings = make_settings(tmp_path, tool_timeout=0.2)
    model = ScriptedChatModel(script=[tool_calls(call("web_search", query="news")), "..."])
    result = failed_call(run_turn(model, [web_search], settings, "Any news?"))
    assert result.text == "Error: web_search did not finish within 0.2 s."
    answer = embedded_answer("Any news?", "web_search", {"query": "news"}, result)
    assert (
        answer
        == "I could not search the web, so I cannot check this: web_search did not finish within 0.2 s."
    )


def test_an_empty_knowledge_base_is_a_failed_call_not_the_answer(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "home")
    documents = make_search_documents(settings)
    model = ScriptedChatModel(script=[tool_calls(call("search_documents", query="transformer model")), "..."])
    result = failed_call(run_turn(model, [documents], settings, "Explain what a transformer model is"))
    assert result.text.startswith("Error: the knowledge base is empty")
    answer = embedded_answer("Explain", "search_documents", {"query": "x"}, result)
    assert answer.startswith(
        "I could not search your documents, so I cannot check this: the knowledge base is"
    )


def test_a_missing_collection_is_a_failed_call(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "home", collection="nowhere")
    documents = make_search_documents(settings)
    model = ScriptedChatModel(script=[tool_calls(call("search_documents", query="x")), "..."])
    assert failed_call(run_turn(model, [documents], settings, "What do my notes say?")).text.startswith(
        "Error: "
    )


def test_a_failed_call_is_a_red_panel() -> None:
    assert tool_panel("web_search", {"query": "x"}, "Error: off.", ok=False).border_style == "red"
    assert tool_panel("web_search", {"query": "x"}, "[1] ...", ok=True).border_style == "green"


def test_ask_json_says_ok_false_for_a_search_that_is_turned_off(isolated_environment: Path) -> None:
    script = [
        reply(tool_calls=[("web_search", {"query": "capital of France"})]),
        reply("I could not search the web (it is turned off); from memory, it is Paris."),
        reply(json.dumps({"verdict": "accept", "feedback": ""})),
    ]
    env = {
        "AGENT_HOME": str(isolated_environment),
        "AGENT_SEARCH": "off",
        "AGENT_MODEL": "openai:test-model",
        "OPENAI_API_KEY": "sk-test",
    }
    with fake_openai_server(script) as server:
        done = subprocess.run(
            [sys.executable, "-m", "agent", "ask", "What is the capital of France?", "--json"],
            cwd=ROOT,
            env={**os.environ, **env, "AGENT_BASE_URL": server.url},
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["tool_calls"] == [
        {"name": "web_search", "args": {"query": "capital of France"}, "ok": False}
    ]
    tool_result = server.requests[1]["messages"][-1]
    assert tool_result["role"] == "tool"
    assert tool_result["content"].startswith("Error: web search is turned off")
    assert_no_instructions(tool_result["content"])


def test_a_failed_turn_is_never_shown_to_the_model_as_its_own_words() -> None:
    model = ScriptedChatModel(script=[RuntimeError("model server crashed"), "Hello again."])
    graph = build_graph(
        model, tools=[], settings=Settings(reflection="off"), checkpointer=InMemorySaver(), retry=NO_WAIT
    )
    assistant = Assistant(graph=graph, model_spec="scripted")
    with pytest.raises(RuntimeError):
        assistant.ask("Hi", "t1")
    assistant.cancel("t1", FAILED_ANSWER.format(error="model server crashed"))
    assert assistant.ask("Are you there?", "t1").answer == "Hello again."
    prompt = model.prompts[-1]
    assert [type(m).__name__ for m in prompt] == ["SystemMessage", "HumanMessage", "HumanMessage"]
    assert not any("this turn failed" in m.text for m in prompt)
    saved = graph.get_state({"configurable": {"thread_id": "t1"}}).values["messages"]
    assert any("this turn failed" in m.text for m in saved)  # kept for people (threads show)


# ------------------------------------------------------------------------- 3. sources that cannot be forged


def test_escape_sequences_from_documents_never_reach_the_terminal() -> None:
    from io import StringIO

    from rich.console import Console

    from agent.chat.render import clean, print_turn, transcript
    from graphs.turns import TurnResult

    hostile = "Safe\x1b[2J\x1b]0;pwned\x07 text\x9b31m\x00 end"
    assert clean(hostile) == "Safe text end"
    console = Console(file=StringIO(), force_terminal=False, width=100)
    sources = [{"n": 1, "title": hostile, "url": "/kb/a.md"}]
    print_turn(console, TurnResult(answer=hostile, sources=sources))
    for renderable in transcript([HumanMessage(hostile), AIMessage(hostile)]):
        console.print(renderable)
    printed = console.file.getvalue()  # type: ignore[attr-defined]
    assert "\x1b" not in printed and "\x07" not in printed and "\x00" not in printed
    assert (
        printed.endswith("/kb/a.md\n\n") or "\n\n" in printed.split("/kb/a.md", 1)[1]
    )  # a gap before the footer
