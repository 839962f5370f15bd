"""Running turns of a thread: shared by ``agent ask``, ``agent chat`` and the eval harness."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import HumanMessage

from agent.settings import Settings
from graphs.turns import TurnResult, turn_result

EMBEDDED_MODEL_HINT = (
    "The embedded 270M model is small: for better answers set AGENT_MODEL (openai:<model>, "
    "ollama:<model>, local:/path/model.gguf) with OPENAI_API_KEY or AGENT_BASE_URL."
)


def new_thread_id() -> str:
    """A fresh thread id, short enough to type."""
    return uuid.uuid4().hex[:12]


def thread_config(thread_id: str) -> dict[str, Any]:
    """The run config that selects a thread."""
    return {"configurable": {"thread_id": thread_id}}


@dataclass
class Assistant:
    """A compiled assistant graph bound to its memory, with the model spec it answers with."""

    graph: Any
    model_spec: str

    def ask(self, question: str, thread_id: str) -> TurnResult:
        """Run one turn; a turn that a crash left unfinished on this thread is completed first."""
        config = thread_config(thread_id)
        if self.graph.get_state(config).next:
            self.graph.invoke(None, config)
        state = self.graph.invoke({"messages": [HumanMessage(question)]}, config)
        return turn_result(state)


@contextmanager
def open_assistant(settings: Settings, model_spec: str | None = None) -> Iterator[Assistant]:
    """Load the model, open the configured memory and compile the graph, for the duration of the block."""
    from agent.memory import checkpointer
    from agent.models import load_model
    from graphs.assistant import build_graph

    spec = model_spec or settings.model_spec
    model = load_model(spec, settings)
    with checkpointer(settings=settings) as saver:
        yield Assistant(graph=build_graph(model, checkpointer=saver, settings=settings), model_spec=spec)
