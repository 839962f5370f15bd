"""What a chat session holds: settings, memory, model, tools, the compiled assistant and the current
thread. ``/model`` and ``/reflection`` change the run context (``graphs.run_context``): the graph is compiled
once, and threads carry on with the new model."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agent.chat.session import Assistant, new_thread_id
from agent.settings import ReflectionMode, Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.tools import BaseTool
    from langgraph.checkpoint.base import BaseCheckpointSaver


@dataclass
class ChatSession:
    """The state of one ``agent chat``; the model and reflection mode chosen with slash commands travel in
    ``assistant.context``."""

    settings: Settings
    saver: BaseCheckpointSaver[Any]
    model: BaseChatModel
    model_spec: str
    tools: list[BaseTool]
    thread_id: str = field(default_factory=new_thread_id)
    assistant: Assistant = field(init=False)
    default_spec: str = field(init=False)
    """The model the graph was compiled with; a run names another in its context."""

    def __post_init__(self) -> None:
        from graphs.assistant import build_graph
        from graphs.planning import planner_for_spec

        graph = build_graph(
            self.model,
            tools=self.tools,
            checkpointer=self.saver,
            settings=self.settings,
            planner=planner_for_spec(self.model_spec, self.settings),
        )
        self.assistant = Assistant(
            graph=graph, model_spec=self.model_spec, max_context_tokens=self.settings.max_context_tokens
        )
        self.default_spec = self.model_spec

    @property
    def graph(self) -> Any:
        return self.assistant.graph

    def switch_model(self, spec: str) -> None:
        """Answer with another model from now on (the old one stays if the new one cannot be loaded)."""
        from agent.models.loading import load_model

        self.model = load_model(spec, self.settings)  # fails here, not in the next turn
        self.model_spec = self.assistant.model_spec = spec
        chosen = None if spec == self.default_spec else spec
        self.assistant.context = self.assistant.context.model_copy(update={"model": chosen})

    def set_reflection(self, mode: ReflectionMode) -> None:
        """Change when answers are checked (``auto``, ``always`` or ``off``)."""
        self.settings = self.settings.model_copy(update={"reflection": mode})
        self.assistant.context = self.assistant.context.model_copy(update={"reflection": mode})

    def new_thread(self) -> str:
        """Start a fresh thread (it is saved with its first question)."""
        self.thread_id = new_thread_id()
        return self.thread_id


@contextmanager
def open_chat(settings: Settings, model_spec: str | None = None) -> Iterator[ChatSession]:
    """Load the model and tools, open the configured memory, for the duration of the block (as
    ``agent.chat.session.open_assistant`` does, but keeping the pieces so the graph can be rebuilt)."""
    from agent.memory.checkpointers import checkpointer
    from agent.models.loading import load_model
    from tools.defaults import default_tools

    spec = model_spec or settings.model_spec
    with checkpointer(settings=settings) as saver:  # first: a bad AGENT_MEMORY fails before a model loads
        model = load_model(spec, settings)
        yield ChatSession(
            settings=settings, saver=saver, model=model, model_spec=spec, tools=default_tools(settings)
        )
