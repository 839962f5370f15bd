"""LangGraph's Beta ``DeltaChannel`` surface, as ``graphs/channels.py`` (the one module that uses it) relies on.

Every part we depend on is pinned here, so an upstream change fails these tests by name rather than a
long thread quietly losing messages. ``make test-latest`` runs them against the newest releases.
"""

from __future__ import annotations

import inspect
from importlib.metadata import version
from typing import Annotated, Any, TypedDict

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, RemoveMessage, ToolMessage
from langgraph.channels import DeltaChannel
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.types import Overwrite

from graphs.channels import append_messages, is_overwrite


def test_delta_channel_keeps_the_constructor_and_methods_we_use() -> None:
    parameters = inspect.signature(DeltaChannel.__init__).parameters
    assert list(parameters)[:3] == ["self", "reducer", "typ"]
    assert parameters["snapshot_frequency"].kind is inspect.Parameter.KEYWORD_ONLY
    for method in ("from_checkpoint", "replay_writes", "update", "copy", "checkpoint", "get"):
        assert callable(getattr(DeltaChannel, method)), method
    assert callable(BaseCheckpointSaver.get_delta_channel_history)
    assert "Beta" in (DeltaChannel.__doc__ or ""), "DeltaChannel left Beta: revisit the upper bounds"


def test_delta_channel_takes_a_plain_value_as_its_blob_and_replays_writes_through_the_reducer() -> None:
    channel = DeltaChannel(append_messages, list).from_checkpoint([HumanMessage("a", id="1")])
    channel.replay_writes(
        [("t", "messages", [AIMessage("b", id="2")]), ("t", "messages", RemoveMessage("1"))]
    )
    assert [m.id for m in channel.get()] == ["2"]
    assert DeltaChannel(append_messages, list).from_checkpoint(None).get() == []


def test_the_installed_langgraph_is_within_our_bounds() -> None:
    major, minor, patch = (int(part) for part in version("langgraph").split(".")[:3])
    assert (major, minor) == (1, 2) and patch >= 15, "pyproject.toml: langgraph>=1.2.15,<1.3"


class State(TypedDict):
    messages: Annotated[list[AnyMessage], DeltaChannel(append_messages, snapshot_frequency=3)]


def test_messages_written_without_ids_get_stable_ids_and_snapshots_follow_the_cadence() -> None:
    """LangGraph stamps ids on message objects written to any ``DeltaChannel`` (from 1.2.15), so a
    replay in another process sees the same ids; ``snapshot_frequency`` bounds the walk back."""

    def answer(state: State) -> dict[str, Any]:
        return {"messages": [AIMessage("ok"), ToolMessage("t", tool_call_id="c")]}

    saver = InMemorySaver()
    graph = StateGraph(State).add_node(answer).add_edge(START, "answer").compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "ids"}}
    for _ in range(4):
        graph.invoke({"messages": [HumanMessage("hi")]}, config)
    ids = [m.id for m in graph.get_state(config).values["messages"]]
    assert len(ids) == 12 and all(ids) and len(set(ids)) == 12
    fresh = StateGraph(State).add_node(answer).add_edge(START, "answer").compile(checkpointer=saver)
    assert [m.id for m in fresh.get_state(config).values["messages"]] == ids
    history = saver.get_delta_channel_history(config=config, channels=["messages"])["messages"]
    assert "seed" in history and len(history["writes"]) < 3, "no snapshot within the cadence"


def test_overwrite_forms_are_recognised() -> None:
    assert is_overwrite(Overwrite([])) and is_overwrite({"__overwrite__": []})
    assert is_overwrite({"type": "__overwrite__", "value": []}) and not is_overwrite([HumanMessage("x")])
