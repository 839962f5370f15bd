"""Per-run settings (``graphs.run_context``): one compiled graph, the model and limits chosen by each run."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import MessagesState, StateGraph
from pydantic import ValidationError

from agent.settings import Settings
from graphs.assistant import build_graph
from graphs.run_context import RunContext, run_settings
from graphs.turns import STOPPED_KEY, turn_result
from tests.fakes import ScriptedChatModel, call, tool_calls
from tests.test_graph import NO_WAIT, TOOLS


def graph_for(model: ScriptedChatModel, **overrides: Any) -> Any:
    settings = Settings(**{"reflection": "off", "tool_timeout": 5.0, **overrides})
    return build_graph(model, tools=TOOLS, settings=settings, retry=NO_WAIT, checkpointer=InMemorySaver())


def ask(graph: Any, question: str, thread: str, context: Any = None) -> Any:
    config = {"configurable": {"thread_id": thread}}
    return graph.invoke({"messages": [HumanMessage(question)]}, config, context=context)


def test_a_run_names_another_model_and_the_same_graph_answers_with_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    default = ScriptedChatModel(script=["from the default"])
    other = ScriptedChatModel(script=["from the other", "again from the other"])
    loaded: list[str] = []

    def load_model(spec: str, settings: Settings) -> ScriptedChatModel:
        loaded.append(spec)
        return other

    monkeypatch.setattr("agent.models.loading.load_model", load_model)
    graph = graph_for(default)
    assert turn_result(ask(graph, "hi", "t1", RunContext(model="openai:other"))).answer == "from the other"
    assert turn_result(ask(graph, "hi", "t1", {"model": "openai:other"})).answer == "again from the other"
    assert turn_result(ask(graph, "hi", "t1")).answer == "from the default"
    assert loaded == ["openai:other"]  # loaded once, kept for later runs
    assert other.bound_tools == ["add", "explode", "slow"]


def test_reflection_mode_is_chosen_per_run() -> None:
    model = ScriptedChatModel(
        script=[
            tool_calls(call("add", a=2, b=3)),
            "2 + 3 = 5",
            tool_calls(call("add", a=2, b=3)),
            "2 + 3 = 5",
        ],
        critiques=[{"verdict": "accept", "feedback": "fine"}],
    )
    graph = graph_for(model)  # reflection off by default
    assert ask(graph, "what is 2+3?", "off").get("reflections", []) == []
    checked = ask(graph, "what is 2+3?", "always", RunContext(reflection="always"))
    assert [(r["verdict"], r["feedback"]) for r in checked["reflections"]] == [("accept", "fine")]


def test_the_step_budget_is_chosen_per_run() -> None:
    model = ScriptedChatModel(script=[tool_calls(call("add", a=1, b=1)), "never reached"])
    state = ask(graph_for(model), "loop", "t", RunContext(max_steps=1))
    closing = state["messages"][-1]
    assert closing.response_metadata[STOPPED_KEY] == "max_steps"
    assert model.calls == 1


def test_a_bad_setting_in_a_run_is_refused_before_the_run_starts() -> None:
    graph = graph_for(ScriptedChatModel(script=[]))
    with pytest.raises(ValidationError, match="reflection"):
        ask(graph, "hi", "t", {"reflection": "sometimes"})
    with pytest.raises(ValidationError, match="max_steps"):
        ask(graph, "hi", "t", {"max_steps": 0})


def test_run_settings_apply_only_what_the_run_sets() -> None:
    settings = Settings(reflection="auto", max_steps=7)
    assert run_settings(settings, None) is settings
    chosen = run_settings(settings, RunContext(max_steps=3))
    assert (chosen.reflection, chosen.max_steps) == ("auto", 3)
    assert run_settings(settings, object()) is settings  # a parent graph's own context sets nothing here


def test_as_a_subgraph_of_a_graph_with_its_own_context_the_assistant_uses_its_defaults() -> None:
    from dataclasses import dataclass

    @dataclass
    class ParentContext:
        user: str

    assistant = build_graph(
        ScriptedChatModel(script=["hello"]), tools=TOOLS, settings=Settings(reflection="off")
    )
    parent = StateGraph(MessagesState, context_schema=ParentContext)
    parent.add_node("assistant", assistant)
    parent.set_entry_point("assistant")
    state = parent.compile().invoke({"messages": [HumanMessage("hi")]}, context=ParentContext(user="ann"))
    assert state["messages"][-1].text == "hello"


def test_the_graph_publishes_its_context_schema_for_server_assistants() -> None:
    graph = graph_for(ScriptedChatModel(script=[]))
    schema = graph.get_context_jsonschema()
    assert schema is not None
    assert set(schema["properties"]) == {
        "model",
        "reflection",
        "max_reflections",
        "max_steps",
        "max_context_tokens",
    }
