"""The assistant graph with a scripted model: routing, tools, faults, reflection, budget, retries, shape."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import RetryPolicy

from agent.settings import Settings
from graphs.assistant import build_graph
from graphs.turns import STOPPED_KEY, turn_result
from tests.fakes import ScriptedChatModel, call, tool_calls

NO_WAIT = RetryPolicy(max_attempts=3, initial_interval=0.0, jitter=False, retry_on=ConnectionError)


@tool
def add(a: int, b: int) -> str:
    """Add two integers."""
    return str(a + b)


@tool
def explode(reason: str) -> str:
    """Always fails."""
    raise RuntimeError(f"boom: {reason}")


@tool
def slow(seconds: float) -> str:
    """Sleeps."""
    time.sleep(seconds)
    return "done"


TOOLS = [add, explode, slow]


def settings(**overrides: Any) -> Settings:
    return Settings(**{"reflection": "off", "tool_timeout": 5.0, **overrides})


def run(
    model: ScriptedChatModel, question: str = "hi", *, tools: list[Any] | None = None, **overrides: Any
) -> dict[str, Any]:
    graph = build_graph(
        model, tools=TOOLS if tools is None else tools, settings=settings(**overrides), retry=NO_WAIT
    )
    return graph.invoke({"messages": [HumanMessage(question)]})


def assert_every_call_answered_once(messages: list[Any]) -> None:
    calls = [
        c["id"] for m in messages if isinstance(m, AIMessage) for c in [*m.tool_calls, *m.invalid_tool_calls]
    ]
    answers = [m.tool_call_id for m in messages if isinstance(m, ToolMessage)]
    assert sorted(calls) == sorted(answers)


def tool_messages(state: dict[str, Any]) -> list[ToolMessage]:
    return [m for m in state["messages"] if isinstance(m, ToolMessage)]


def test_answer_without_tools_ends_the_turn() -> None:
    model = ScriptedChatModel(script=["Hello! How can I help?"])
    state = run(model)
    assert [type(m).__name__ for m in state["messages"]] == ["HumanMessage", "AIMessage"]
    assert turn_result(state).answer == "Hello! How can I help?"
    assert model.bound_tools == ["add", "explode", "slow"]


def test_planner_prompt_has_system_prompt_with_date_and_untrusted_data_rule() -> None:
    model = ScriptedChatModel(script=["ok"])
    run(model)
    system = model.prompts[0][0]
    assert system.type == "system"
    assert time.strftime("%Y-%m-%d") in system.text
    assert "untrusted data" in system.text
    assert model.prompts[0][-1].text == "hi"


def test_tool_call_result_goes_back_to_the_planner() -> None:
    model = ScriptedChatModel(script=[tool_calls(call("add", a=2, b=3)), "2 + 3 = 5"])
    state = run(model, "what is 2+3?")
    assert [type(m).__name__ for m in state["messages"]] == [
        "HumanMessage",
        "AIMessage",
        "ToolMessage",
        "AIMessage",
    ]
    assert tool_messages(state)[0].content == "5"
    assert model.prompts[1][-1].content == "5"
    result = turn_result(state)
    assert [(c.name, c.args, c.ok) for c in result.tool_calls] == [("add", {"a": 2, "b": 3}, True)]


def test_several_tool_calls_in_one_message_run_in_parallel() -> None:
    barrier = threading.Barrier(2, timeout=5)

    @tool
    def meet(name: str) -> str:
        """Waits until the other call arrives: only succeeds when both run at once."""
        barrier.wait()
        return f"met {name}"

    model = ScriptedChatModel(script=[tool_calls(call("meet", name="a"), call("meet", name="b")), "both met"])
    state = run(model, tools=[meet])
    assert sorted(m.content for m in tool_messages(state)) == ["met a", "met b"]
    assert all(m.status == "success" for m in tool_messages(state))


def test_tool_exception_becomes_an_error_message_and_the_run_goes_on() -> None:
    model = ScriptedChatModel(script=[tool_calls(call("explode", reason="disk")), "It failed, sorry."])
    state = run(model)
    [error] = tool_messages(state)
    assert error.status == "error"
    assert "boom: disk" in error.content
    assert turn_result(state).answer == "It failed, sorry."
    assert [c.ok for c in turn_result(state).tool_calls] == [False]


def test_tool_timeout_becomes_an_error_message() -> None:
    model = ScriptedChatModel(script=[tool_calls(call("slow", seconds=3)), "too slow"])
    state = run(model, tool_timeout=0.2)
    [error] = tool_messages(state)
    assert error.status == "error"
    assert "did not finish within 0.2 s" in error.content


def test_unknown_tool_becomes_an_error_message() -> None:
    model = ScriptedChatModel(script=[tool_calls(call("teleport", where="mars")), "I can't."])
    state = run(model)
    [error] = tool_messages(state)
    assert error.status == "error"
    assert "teleport is not a valid tool" in error.content


def test_arguments_failing_validation_become_an_error_message() -> None:
    model = ScriptedChatModel(script=[tool_calls(call("add", a="two", b=3)), "bad args"])
    state = run(model)
    [error] = tool_messages(state)
    assert error.status == "error"
    assert "a" in error.content and "integer" in error.content


def test_invalid_tool_call_json_is_answered_and_the_model_tries_again() -> None:
    malformed = AIMessage(
        content="",
        invalid_tool_calls=[
            {
                "name": "add",
                "args": '{"a": 2, "b":',
                "id": "bad_1",
                "error": "truncated",
                "type": "invalid_tool_call",
            }
        ],
    )
    model = ScriptedChatModel(script=[malformed, tool_calls(call("add", a=2, b=2)), "4"])
    state = run(model)
    assert_every_call_answered_once(state["messages"])
    first, second = tool_messages(state)
    assert (first.tool_call_id, first.status) == ("bad_1", "error")
    assert "not valid JSON" in first.content
    assert (second.content, second.status) == ("4", "success")
    assert turn_result(state).answer == "4"


def test_valid_and_invalid_calls_in_one_message_each_get_one_answer() -> None:
    mixed = AIMessage(
        content="",
        tool_calls=[call("add", a=1, b=1)],
        invalid_tool_calls=[
            {"name": "add", "args": "{oops", "id": "bad_2", "error": None, "type": "invalid_tool_call"}
        ],
    )
    model = ScriptedChatModel(script=[mixed, "done"])
    state = run(model)
    assert_every_call_answered_once(state["messages"])
    assert sorted(m.status for m in tool_messages(state)) == ["error", "success"]


def test_step_budget_stops_a_runaway_loop_with_a_closing_answer() -> None:
    model = ScriptedChatModel(script=[tool_calls(call("add", a=i, b=1)) for i in range(10)])
    state = run(model, max_steps=3)
    assert model.calls == 3
    last = state["messages"][-1]
    assert isinstance(last, AIMessage) and last.response_metadata[STOPPED_KEY] == "max_steps"
    assert "AGENT_MAX_STEPS=3" in last.text
    assert_every_call_answered_once(state["messages"])


def test_budget_is_per_turn() -> None:
    model = ScriptedChatModel(
        script=[tool_calls(call("add", a=1, b=1)), "2", tool_calls(call("add", a=2, b=2)), "4"]
    )
    graph = build_graph(
        model, tools=TOOLS, settings=settings(max_steps=2), checkpointer=InMemorySaver(), retry=NO_WAIT
    )
    config = {"configurable": {"thread_id": "t"}}
    graph.invoke({"messages": [HumanMessage("one")]}, config)
    state = graph.invoke({"messages": [HumanMessage("two")]}, config)
    assert turn_result(state).answer == "4"


def test_transient_model_failure_is_retried() -> None:
    model = ScriptedChatModel(script=[ConnectionError("reset"), "recovered"])
    state = run(model)
    assert turn_result(state).answer == "recovered"
    assert model.calls == 2


def test_persistent_model_failure_is_raised_after_retries() -> None:
    model = ScriptedChatModel(script=[ConnectionError("down")] * 3)
    with pytest.raises(ConnectionError, match="down"):
        run(model)
    assert model.calls == 3


# Reflection -----------------------------------------------------------------------------------------------


def test_reflection_accept_ends_the_turn_and_is_recorded() -> None:
    model = ScriptedChatModel(
        script=[tool_calls(call("add", a=2, b=2)), "2 + 2 = 4"],
        critiques=[{"verdict": "accept", "feedback": ""}],
    )
    state = run(model, reflection="auto")
    assert turn_result(state).reflection == [{"verdict": "accept", "feedback": ""}]
    assert "2 + 2 = 4" in model.critic_prompts[0][-1].text
    assert "[add] 4" in model.critic_prompts[0][-1].text


def test_reflection_revise_sends_feedback_to_the_planner_and_replaces_the_draft() -> None:
    model = ScriptedChatModel(
        script=[tool_calls(call("add", a=2, b=2)), "2 + 2 = 5", "2 + 2 = 4"],
        critiques=[
            {"verdict": "revise", "feedback": "the tool said 4"},
            {"verdict": "accept", "feedback": ""},
        ],
    )
    state = run(model, reflection="always", max_reflections=2)
    answers = [m.text for m in state["messages"] if isinstance(m, AIMessage) and not m.tool_calls]
    assert answers == ["2 + 2 = 4"]
    revision_prompt = model.prompts[2][-1].text
    assert "2 + 2 = 5" in revision_prompt and "the tool said 4" in revision_prompt
    assert [r["verdict"] for r in turn_result(state).reflection] == ["revise", "accept"]


def test_reflection_limit_stops_revising() -> None:
    model = ScriptedChatModel(
        script=["draft one", "draft two"],
        critiques=[{"verdict": "revise", "feedback": "again"}],
    )
    state = run(model, reflection="always", max_reflections=1)
    assert turn_result(state).answer == "draft two"
    assert len(model.critic_prompts) == 1


def test_auto_reflection_skips_small_talk() -> None:
    model = ScriptedChatModel(script=["Hi there!"])
    state = run(model, reflection="auto")
    assert model.critic_prompts == []
    assert turn_result(state).reflection == []


def test_auto_reflection_checks_answers_with_numbers() -> None:
    model = ScriptedChatModel(script=["It is 42."], critiques=[{"verdict": "accept", "feedback": ""}])
    run(model, "Is it 42?", reflection="auto")
    assert len(model.critic_prompts) == 1


def test_a_number_from_nowhere_is_sent_back_by_the_checks_without_asking_the_critic() -> None:
    question = "A baker makes 9 trays of 17 rolls and sells 73. How many are left?"
    model = ScriptedChatModel(
        script=["80 rolls are left.", tool_calls(call("add", a=153, b=-73)), "80 rolls are left."],
        critiques=[{"verdict": "accept", "feedback": ""}],
    )
    state = run(model, question, reflection="auto", max_reflections=2)
    first, second = turn_result(state).reflection
    assert first["verdict"] == "revise" and "80" in first["feedback"] and "calculator" in first["feedback"]
    assert second == {"verdict": "accept", "feedback": ""}
    assert len(model.critic_prompts) == 1  # only the draft the checks passed went to the critic
    assert turn_result(state).answer == "80 rolls are left."


def test_unreadable_critique_accepts_the_draft() -> None:
    from langchain_core.exceptions import OutputParserException

    model = ScriptedChatModel(script=["It is 42."], critiques=[OutputParserException("not json")])
    state = run(model, "Is it 42?", reflection="always")
    assert turn_result(state).answer == "It is 42."
    assert turn_result(state).reflection[0]["verdict"] == "accept"


# Memory and embedding -------------------------------------------------------------------------------------


def test_thread_memory_carries_earlier_turns() -> None:
    model = ScriptedChatModel(script=["Nice to meet you, Ada.", "Your name is Ada."])
    graph = build_graph(model, tools=TOOLS, settings=settings(), checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t1"}}
    graph.invoke({"messages": [HumanMessage("I am Ada")]}, config)
    graph.invoke({"messages": [HumanMessage("What is my name?")]}, config)
    assert [m.text for m in model.prompts[1][1:]] == [
        "I am Ada",
        "Nice to meet you, Ada.",
        "What is my name?",
    ]


def test_graph_is_a_node_of_a_parent_graph_that_owns_the_checkpointer() -> None:
    from langgraph.graph import START, MessagesState, StateGraph

    model = ScriptedChatModel(script=[tool_calls(call("add", a=20, b=22)), "The answer is 42."])
    assistant = build_graph(model, tools=TOOLS, settings=settings())
    parent = StateGraph(MessagesState)
    parent.add_node("assistant", assistant)
    parent.add_edge(START, "assistant")
    app = parent.compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "p1"}}
    events = list(
        app.stream({"messages": [HumanMessage("20+22?")]}, config, subgraphs=True, stream_mode="updates")
    )
    namespaces = {namespace for namespace, _ in events}
    assert () in namespaces
    assert any(namespace and namespace[0].startswith("assistant:") for namespace in namespaces)
    inner_nodes = {node for namespace, update in events if namespace for node in update}
    assert {"planner", "tools"} <= inner_nodes
    saved = app.get_state(config).values["messages"]
    assert [type(m).__name__ for m in saved] == ["HumanMessage", "AIMessage", "ToolMessage", "AIMessage"]
    assert saved[-1].text == "The answer is 42."


def test_graph_shape() -> None:
    graph = build_graph(ScriptedChatModel(), tools=TOOLS, settings=settings())
    snapshot = (Path(__file__).parent / "snapshots" / "assistant.mmd").read_text()
    assert graph.get_graph().draw_mermaid(with_styles=False) == snapshot


def test_a_model_without_structured_output_is_reflected_on_by_the_checks_alone() -> None:
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    graph = build_graph(
        FakeListChatModel(responses=["It is 42.", "I cannot tell without a tool."]),
        tools=[],
        settings=settings(reflection="always", max_reflections=2),
    )
    state = graph.invoke({"messages": [HumanMessage("How old is the universe, in billions of years?")]})
    assert turn_result(state).answer == "I cannot tell without a tool."
    [revise, accept] = turn_result(state).reflection
    assert revise["verdict"] == "revise" and "42" in revise["feedback"]
    assert accept["verdict"] == "accept" and accept["feedback"].startswith("(checked by rules")


def test_a_model_without_tool_calling_is_a_clear_error() -> None:
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    with pytest.raises(ValueError, match="cannot call tools"):
        build_graph(FakeListChatModel(responses=["x"]), tools=TOOLS, settings=settings())


def test_readme_shows_the_graph_as_it_is() -> None:
    from graphs.draw import mermaid

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    assert f"```mermaid\n{mermaid()}```" in readme


def test_make_graph_redraws_the_readme_picture() -> None:
    from graphs.draw import with_picture

    readme = "# Title\n\n```mermaid\ngraph TD;\n\told --> gone;\n```\n\n```mermaid\nkept\n```\n"
    redrawn = with_picture(readme, "graph TD;\n\tnew --> here;\n")
    assert redrawn == "# Title\n\n```mermaid\ngraph TD;\n\tnew --> here;\n```\n\n```mermaid\nkept\n```\n"
