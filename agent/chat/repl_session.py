"""What a chat session holds: settings, memory, model, tools, the compiled assistant and the current
thread. ``/model`` and ``/reflection`` rebuild the graph on the same memory, so threads carry on."""

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
    """The state of one ``agent chat``; ``assistant`` is rebuilt whenever the model or settings change."""

    settings: Settings
    saver: BaseCheckpointSaver[Any]
    model: BaseChatModel
    model_spec: str
    tools: list[BaseTool]
    thread_id: str = field(default_factory=new_thread_id)
    assistant: Assistant = field(init=False)

    def __post_init__(self) -> None:
        self.rebuild()

    def rebuild(self) -> None:
        """Compile the graph for the current model and settings, on the same memory."""
        from graphs.assistant import build_graph

        graph = build_graph(self.model, tools=self.tools, checkpointer=self.saver, settings=self.settings)
        self.assistant = Assistant(
            graph=graph, model_spec=self.model_spec, max_context_tokens=self.settings.max_context_tokens
        )

    @property
    def graph(self) -> Any:
        return self.assistant.graph

    def switch_model(self, spec: str) -> None:
        """Answer with another model from now on (the old one stays if the new one cannot be loaded)."""
        from agent.models.loading import load_model

        model = load_model(spec, self.settings)
        self.model, self.model_spec = model, spec
        self.rebuild()

    def set_reflection(self, mode: ReflectionMode) -> None:
        """Change when answers are checked (``auto``, ``always`` or ``off``)."""
        self.settings = self.settings.model_copy(update={"reflection": mode})
        self.rebuild()

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
