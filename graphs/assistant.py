"""The assistant graph: planner ⇄ tools, then reflection, checkpointed after every step.

``build_graph`` is the one public factory (its use from another LangGraph app: README, "Embedding it in your
LangGraph app"; its layer: docs/architecture.md); nothing else builds graphs.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, Literal

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import RetryPolicy

from agent.models import errors as model_errors
from agent.settings import Settings
from graphs.approval import approve, route_after_approval
from graphs.critic import make_critic
from graphs.nodes import plan, reflect
from graphs.planning import PlannerFactory, planner_for, planner_for_spec
from graphs.routing import route_after_planner, route_after_reflection
from graphs.run_context import ModelSetup, RunContext, RunModels, run_settings
from graphs.state import AssistantState, InputState
from graphs.summary import make_summarizer
from graphs.tool_execution import make_tool_node

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.runnables import Runnable
    from langchain_core.tools import BaseTool
    from langgraph.checkpoint.base import BaseCheckpointSaver
    from langgraph.graph.state import CompiledStateGraph


def is_transient(error: Exception) -> bool:
    """Model-call failures worth retrying: connection trouble, rate limits, server errors that do not reject
    the request (see ``agent.models.errors``); never a timeout, which the model's client already retried."""
    return model_errors.is_transient(error)


MODEL_RETRY = RetryPolicy(max_attempts=3, initial_interval=1.0, backoff_factor=2.0, retry_on=is_transient)


def _is_openai_api(model: BaseChatModel) -> bool:
    """Whether ``model`` is ChatOpenAI on OpenAI's own API (not a compatible server)."""
    # A model can only be a ChatOpenAI if langchain_openai was imported to build it: looking it up here,
    # rather than importing it, keeps langchain_openai and openai (~1-2 s) off the embedded model's start.
    module = sys.modules.get("langchain_openai")
    return module is not None and isinstance(model, module.ChatOpenAI) and model.openai_api_base is None


def bind_tools(model: BaseChatModel, tools: Sequence[BaseTool]) -> Runnable[Any, Any]:
    """The model with the tools bound; strict JSON schemas on OpenAI's own API, which enforces them."""
    if not tools:
        return model
    try:
        if _is_openai_api(model):
            return model.bind_tools(tools, strict=True)
        return model.bind_tools(tools)
    except NotImplementedError:
        raise ValueError(
            f"{type(model).__name__} cannot call tools: choose a model with tool calling (AGENT_MODEL)"
        ) from None


def gives_critiques(model: BaseChatModel) -> bool:
    """Whether the model's critique of a draft is worth asking for; a model says it is not with an attribute
    ``gives_critiques = False`` (the embedded model: a 270M model's verdicts are noise)."""
    return getattr(model, "gives_critiques", True) is not False


def build_graph(
    model: BaseChatModel | None = None,
    *,
    tools: Sequence[BaseTool] | None = None,
    checkpointer: BaseCheckpointSaver[Any] | bool | None = None,
    settings: Settings | None = None,
    retry: RetryPolicy = MODEL_RETRY,
    planner: PlannerFactory | None = None,
) -> CompiledStateGraph[Any, Any, Any, Any]:
    """Compile the assistant.

    ``model``: any LangChain chat model (None: the configured one). ``tools``: any LangChain tools (None: the
    calculator, web search and knowledge base). ``checkpointer``: any LangGraph saver (None: none of its own,
    so a parent graph's applies). ``retry``: how model calls are retried before the error is raised.
    ``planner``: builds a step planner for the model and tools (``graphs.nodes.StepPlanner``), asked before
    the model at each step: the embedded profile's rules (``graphs.planning``); None: the model plans alone,
    except that the configured model (``model`` None) gets its profile's planner (``planner_for``), and so
    does a model a run names by spec.
    """
    settings = settings or Settings()
    if model is None:
        from agent.models.loading import load_model

        model = load_model(settings=settings)
        if planner is None:  # the configured model's profile (a model passed in gets only what is passed)
            planner = planner_for(settings)
    if tools is None:
        from tools.defaults import default_tools

        tools = default_tools(settings)

    approve_tools = [tool.name for tool in tools if tool.name in settings.approve_tools]

    def set_up(chosen: BaseChatModel, spec: str | None) -> ModelSetup:
        # A model without structured output, or one that says its critique is noise (the embedded 270M
        # model), gets no critic: the deterministic checks of ``graphs.checks`` are then its whole reflection.
        factory = planner if spec is None else planner_for_spec(spec, settings)
        return ModelSetup(
            bound=bind_tools(chosen, tools),
            step_planner=factory(chosen, tools) if factory is not None else None,
            summarize=make_summarizer(chosen),
            critic=make_critic(chosen, settings.structured_output) if gives_critiques(chosen) else None,
        )

    models = RunModels(model, set_up, settings)

    def planner_node(state: AssistantState, runtime: Runtime[RunContext]) -> dict[str, Any]:
        setup = models.for_run(runtime.context)
        return plan(
            state,
            model=setup.bound,
            settings=run_settings(settings, runtime.context),
            summarize=setup.summarize,
            step_planner=setup.step_planner,
        )

    def reflection_node(state: AssistantState, runtime: Runtime[RunContext]) -> dict[str, Any]:
        return reflect(state, critic=models.for_run(runtime.context).critic)

    def after_planner(
        state: AssistantState, runtime: Runtime[RunContext]
    ) -> Literal["tools", "approval", "planner", "reflection", "__end__"]:
        chosen = run_settings(settings, runtime.context)
        return route_after_planner(
            state["messages"],
            state.get("reflections", []),
            mode=chosen.reflection,
            max_reflections=chosen.max_reflections,
            approve_tools=approve_tools,
        )

    def after_reflection(state: AssistantState) -> Literal["planner", "__end__"]:
        return route_after_reflection(state["messages"], state.get("reflections", []))

    builder = StateGraph(AssistantState, input_schema=InputState, context_schema=RunContext)
    builder.add_node("planner", planner_node, retry_policy=retry)
    builder.add_node("tools", make_tool_node(tools, timeout=settings.tool_timeout))
    builder.add_node("reflection", reflection_node, retry_policy=retry)
    planner_targets = ["tools", "planner", "reflection", END]
    if approve_tools:
        builder.add_node("approval", partial(approve, approve_tools=approve_tools))
        builder.add_conditional_edges("approval", route_after_approval, ["tools", "planner"])
        planner_targets.insert(1, "approval")
    builder.add_edge(START, "planner")
    builder.add_conditional_edges("planner", after_planner, planner_targets)
    builder.add_edge("tools", "planner")
    builder.add_conditional_edges("reflection", after_reflection, ["planner", END])
    return builder.compile(checkpointer=checkpointer, name="assistant")
