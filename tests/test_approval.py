"""Human approval of tool calls: interrupt before listed tools, resume with approve / reject / edit."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import HumanMessage, ToolMessage
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from agent.settings import Settings
from graphs.assistant import build_graph
from tests.fakes import ScriptedChatModel, call, tool_calls

runs: list[tuple[str, Any]] = []


@tool
def send_email(to: str) -> str:
    """Send an email."""
    runs.append(("send_email", to))
    return f"sent to {to}"


@tool
def lookup(topic: str) -> str:
    """Look something up (no approval needed)."""
    runs.append(("lookup", topic))
    return f"facts about {topic}"


@pytest.fixture(autouse=True)
def clear_runs() -> None:
    runs.clear()


def start(model: ScriptedChatModel) -> tuple[Any, dict[str, Any]]:
    settings = Settings(reflection="off", approve_tools=["send_email"])
    graph = build_graph(model, tools=[send_email, lookup], checkpointer=InMemorySaver(), settings=settings)
    config = {"configurable": {"thread_id": "approval"}}
    return graph, config


def pending(graph: Any, config: dict[str, Any]) -> list[dict[str, Any]]:
    return [item.value for item in graph.get_state(config).interrupts]


def test_setting_parses_a_comma_separated_list() -> None:
    assert Settings(_env_file=None, approve_tools=" web_search, calculator ,").approve_tools == [
        "web_search",
        "calculator",
    ]


def test_listed_tool_waits_for_approval_then_runs_once() -> None:
    model = ScriptedChatModel(script=[tool_calls(call("send_email", to="ann@example.com")), "Sent."])
    graph, config = start(model)
    graph.invoke({"messages": [HumanMessage("email ann")]}, config)
    [request] = pending(graph, config)
    assert request["type"] == "tool_approval"
    assert (request["tool_call"]["name"], request["tool_call"]["args"]) == (
        "send_email",
        {"to": "ann@example.com"},
    )
    assert runs == []
    state = graph.invoke(Command(resume="approve"), config)
    assert runs == [("send_email", "ann@example.com")]
    assert state["messages"][-1].text == "Sent."


def test_rejection_tells_the_model_and_nothing_runs() -> None:
    model = ScriptedChatModel(script=[tool_calls(call("send_email", to="bob@example.com")), "OK, not sent."])
    graph, config = start(model)
    graph.invoke({"messages": [HumanMessage("email bob")]}, config)
    state = graph.invoke(Command(resume={"action": "reject", "reason": "wrong person"}), config)
    assert runs == []
    [answer] = [m for m in state["messages"] if isinstance(m, ToolMessage)]
    assert answer.status == "error" and "rejected" in answer.content and "wrong person" in answer.content
    assert model.prompts[-1][-1].content == answer.content


def test_edit_runs_the_call_with_new_arguments() -> None:
    model = ScriptedChatModel(script=[tool_calls(call("send_email", to="typo@exmaple.com")), "Sent."])
    graph, config = start(model)
    graph.invoke({"messages": [HumanMessage("email carol")]}, config)
    state = graph.invoke(Command(resume={"action": "edit", "args": {"to": "carol@example.com"}}), config)
    assert runs == [("send_email", "carol@example.com")]
    ai = state["messages"][1]
    assert ai.tool_calls[0]["args"] == {"to": "carol@example.com"}


def test_each_pending_call_gets_its_own_decision_and_unlisted_tools_run_freely() -> None:
    first, second = call("send_email", to="a@example.com"), call("send_email", to="b@example.com")
    free = call("lookup", topic="x")
    model = ScriptedChatModel(script=[tool_calls(first, second, free), "Done."])
    graph, config = start(model)
    graph.invoke({"messages": [HumanMessage("go")]}, config)
    assert [r["tool_call"]["id"] for r in pending(graph, config)] == [first["id"]]
    graph.invoke(Command(resume="approve"), config)
    assert [r["tool_call"]["id"] for r in pending(graph, config)] == [second["id"]]
    assert runs == []  # nothing runs before every decision is in
    state = graph.invoke(Command(resume="reject"), config)
    assert sorted(runs) == [("lookup", "x"), ("send_email", "a@example.com")]
    answers = {m.tool_call_id: m.status for m in state["messages"] if isinstance(m, ToolMessage)}
    assert answers == {first["id"]: "success", second["id"]: "error", free["id"]: "success"}


def test_an_unreadable_decision_is_an_error() -> None:
    model = ScriptedChatModel(script=[tool_calls(call("send_email", to="x@example.com"))])
    graph, config = start(model)
    graph.invoke({"messages": [HumanMessage("go")]}, config)
    with pytest.raises(ValueError, match="approve, reject or edit"):
        graph.invoke(Command(resume="maybe"), config)
    assert runs == []
