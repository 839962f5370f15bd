"""Per-run settings: the model, when answers are checked, and the limits travel with each run.

One compiled graph serves every model and setting: ``graph.invoke(inputs, config, context=RunContext(...))``
(or ``context={"model": "openai:gpt-4o-mini"}``). LangGraph Server shows ``RunContext`` as the assistant's
configurable context, and the REPL's ``/model`` and ``/reflection`` change it without recompiling the graph.
Fields left None take the graph's own (``build_graph``'s model and settings).

Models named by a run are loaded on first use and kept for the process, each with its tools bound, its step
planner, its summarizer and its critic (:class:`RunModels`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from agent.settings import ReflectionMode, Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.runnables import Runnable

    from graphs.nodes import StepPlanner
    from graphs.summary import Summarizer


class RunContext(BaseModel):
    """What one run may set; None keeps the graph's own value."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str | None = None
    """Model spec for this run (``local``, ``local:/path/model.gguf``, ``openai:gpt-4o-mini``, ``ollama:qwen3``)."""
    reflection: ReflectionMode | None = None
    """When drafts are checked: ``auto`` (answers that used tools or give numbers), ``always`` or ``off``."""
    max_reflections: int | None = Field(default=None, ge=0)
    """How many times reflection may send a draft back per turn."""
    max_steps: int | None = Field(default=None, ge=1)
    """Model calls per turn before a closing answer."""
    max_context_tokens: int | None = Field(default=None, ge=256)
    """The planner's prompt budget."""


SETTING_FIELDS = ("reflection", "max_reflections", "max_steps", "max_context_tokens")


def run_context(context: object) -> RunContext:
    """The run's context as a ``RunContext``: a parent graph with a context schema of its own, or no context at
    all, sets nothing here."""
    if isinstance(context, RunContext):
        return context
    if isinstance(context, dict):
        return RunContext(**{key: value for key, value in context.items() if key in RunContext.model_fields})
    return RunContext()


def run_settings(settings: Settings, context: object) -> Settings:
    """``settings`` with the run's overrides applied."""
    chosen = run_context(context)
    update = {name: getattr(chosen, name) for name in SETTING_FIELDS if getattr(chosen, name) is not None}
    return settings.model_copy(update=update) if update else settings


@dataclass(frozen=True)
class ModelSetup:
    """A model as the nodes use it."""

    bound: Runnable[Any, Any]
    """The model with the tools bound (the planner node calls this)."""
    step_planner: StepPlanner | None
    summarize: Summarizer
    critic: Runnable[Any, Any] | None


SetupFactory = Callable[["BaseChatModel", str | None], ModelSetup]


class RunModels:
    """The graph's model, and every model a run names, each set up once per process (thread-safe)."""

    def __init__(self, default: BaseChatModel, setup: SetupFactory, settings: Settings) -> None:
        self._setup = setup
        self._settings = settings
        self._lock = threading.Lock()
        self._by_spec: dict[str | None, ModelSetup] = {None: setup(default, None)}

    def for_run(self, context: object) -> ModelSetup:
        """The setup for the run's model (the graph's own when the run names none)."""
        named = run_context(context).model
        spec = named.strip() if named else None
        with self._lock:
            if spec not in self._by_spec:
                from agent.models.loading import load_model

                self._by_spec[spec] = self._setup(load_model(spec, self._settings), spec)
            return self._by_spec[spec]
