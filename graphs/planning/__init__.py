"""Step planners: rules the graph applies before asking the model, for models that need them.

The embedded 270M model cannot plan a tool-using turn on its own, so its profile (``AGENT_MODEL=local`` or
``local:/path/model.gguf``) gets :class:`graphs.planning.local.LocalPlanner`, injected into ``build_graph``
(``planner=``) rather than hidden inside the chat model: the model stays a plain LangChain chat model, and
the graph's knowledge of its own tools and prompts stays in the graph.

- :mod:`graphs.planning.rules`: number words, cue phrases, intent routing, answers from tool results;
- :mod:`graphs.planning.extractive`: the sentence of a passage that answers a question;
- :mod:`graphs.planning.trained`: the packaged model with its trained LoRA adapter, writing call lines;
- :mod:`graphs.planning.call_format`: the text format of those lines (shared with ``agent/training``);
- :mod:`graphs.planning.local`: the step planner that puts them together with the model's scoring.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING

from agent.settings import Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.tools import BaseTool

    from graphs.nodes import StepPlanner

PlannerFactory = Callable[["BaseChatModel", Sequence["BaseTool"]], "StepPlanner | None"]
"""Builds the step planner for a model and its tools (None: that model plans alone)."""

LOCAL_PROVIDER = "local"


def is_local_spec(spec: str) -> bool:
    """Whether a model spec names the embedded model (``local`` or ``local:/path/model.gguf``)."""
    return spec.strip().partition(":")[0].strip().lower() == LOCAL_PROVIDER


def planner_for_spec(spec: str, settings: Settings | None = None) -> PlannerFactory | None:
    """The ``PlannerFactory`` for the model a spec names: the local profile's planner for the embedded model
    (with its trained adapter unless ``settings.local_adapter`` is off), None (the model plans alone) for any
    other."""
    if not is_local_spec(spec):
        return None
    from graphs.planning.local import local_planner

    if settings is not None and not settings.local_adapter:
        return partial(local_planner, adapter=False)
    return local_planner


def planner_for(settings: Settings) -> PlannerFactory | None:
    """The ``PlannerFactory`` for the configured model (``settings.model_spec``, ``AGENT_MODEL``)."""
    return planner_for_spec(settings.model_spec, settings)
