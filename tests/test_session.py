"""Turns of a thread: completing a crashed turn, cancelling a stopped one."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver

from agent.chat.session import CANCELLED_ANSWER, Assistant, InvalidQuestion, check_question, thread_config
from agent.settings import Settings
from graphs.assistant import build_graph
from tests.fakes import ScriptedChatModel, call, tool_calls


@tool
def echo(text: str) -> str:
    """Echo."""
    return text


def assistant(model: ScriptedChatModel, **settings: object) -> Assistant:
    graph = build_graph(
        model, tools=[echo], checkpointer=InMemorySaver(), settings=Settings(reflection="off", **settings)
    )
    return Assistant(graph=graph, model_spec="scripted")


def test_cancel_answers_pending_calls_and_closes_the_turn() -> None:
    model = ScriptedChatModel(script=[tool_calls(call("echo", text="a")), "next answer"])
    session = assistant(model)
    config = thread_config("c")
    # Stop right after the model asked for a tool, as Ctrl-C would.
    session.graph.invoke({"messages": [HumanMessage("first")]}, config, interrupt_before=["tools"])
    assert session.graph.get_state(config).next == ("tools",)
    session.cancel("c")
    snapshot = session.graph.get_state(config)
    assert snapshot.next == ()
    kinds = [(type(m).__name__, getattr(m, "status", None)) for m in snapshot.values["messages"]]
    assert kinds == [
        ("HumanMessage", None),
        ("AIMessage", None),
        ("ToolMessage", "error"),
        ("AIMessage", None),
    ]
    assert snapshot.values["messages"][-1].text == CANCELLED_ANSWER
    result = session.ask("second", "c")
    assert result.answer == "next answer"
    assert model.calls == 2


def test_an_unfinished_turn_is_completed_before_the_next_question() -> None:
    model = ScriptedChatModel(script=[tool_calls(call("echo", text="kept")), "first answer", "second answer"])
    session = assistant(model)
    config = thread_config("r")
    session.graph.invoke({"messages": [HumanMessage("first")]}, config, interrupt_before=["tools"])
    result = session.ask("second", "r")
    messages = session.graph.get_state(config).values["messages"]
    assert [type(m).__name__ for m in messages] == [
        "HumanMessage",
        "AIMessage",
        "ToolMessage",
        "AIMessage",
        "HumanMessage",
        "AIMessage",
    ]
    assert isinstance(messages[2], ToolMessage) and messages[2].content == "kept"
    assert isinstance(messages[3], AIMessage) and messages[3].text == "first answer"
    assert result.answer == "second answer"


@pytest.mark.parametrize(
    ("question", "max_context_tokens", "refusal"),
    [
        ("", 8000, "the question is empty"),
        ("  \n\t ", 8000, "the question is empty"),
        ("x" * 1_000_000, 8000, "AGENT_MAX_CONTEXT_TOKENS=8000"),
        ("x" * 2_000, 256, "AGENT_MAX_CONTEXT_TOKENS=256"),
    ],
)
def test_an_empty_or_oversized_question_is_refused_before_the_model_and_the_thread(
    question: str, max_context_tokens: int, refusal: str
) -> None:
    model = ScriptedChatModel(script=["never sent"])
    graph = build_graph(
        model, tools=[echo], checkpointer=InMemorySaver(), settings=Settings(reflection="off")
    )
    session = Assistant(graph=graph, model_spec="scripted", max_context_tokens=max_context_tokens)
    with pytest.raises(ValueError, match=refusal):
        session.ask(question, "q")
    assert model.calls == 0
    assert graph.checkpointer.get_tuple(thread_config("q")) is None


def test_a_question_within_its_share_of_the_budget_is_sent_whole() -> None:
    check_question("x" * 4 * 4000, 8000)  # ~4 characters a token: half of 8,000 tokens
    with pytest.raises(InvalidQuestion):
        check_question("x" * (4 * 4000 + 1), 8000)
