"""The planner and reflection nodes. Models and settings come in as arguments; nodes never read the environment."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.exceptions import OutputParserException
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    RemoveMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.runnables import Runnable
from pydantic import ValidationError

from agent.models.errors import is_model_failure
from agent.settings import Settings
from graphs.checks import draft_problems
from graphs.prompts import REFLECTION_REQUEST, REFLECTION_SYSTEM, STEP_BUDGET_ANSWER
from graphs.routing import reflections_this_turn
from graphs.state import AssistantState, Critique, ReflectionRecord
from graphs.summary import Summarizer, extractive_summary, planner_view
from graphs.tool_execution import invalid_call_messages
from graphs.turns import STOPPED_KEY, current_turn, model_calls, text_of, turn_id

MAX_TOOL_RESULT_CHARS_FOR_REVIEW = 2000
StepPlanner = Callable[[Sequence[BaseMessage]], AIMessage | None]
"""Plans a step for the model where rules do better than it (the embedded profile: ``graphs.planning``): given
the planner's prompt, the next message (a tool call or an answer), or None to let the model decide."""

RULES_ONLY_FEEDBACK = (
    "(checked by rules: numbers, citations, not a restatement; this model gives no critique)"
)


def plan(
    state: AssistantState,
    *,
    model: Runnable[Any, Any],
    settings: Settings,
    summarize: Summarizer = extractive_summary,
    step_planner: StepPlanner | None = None,
) -> dict[str, Any]:
    """Call the model with the bounded prompt; stop with a closing answer once the step budget is spent.

    ``step_planner``, where given, is asked first and the model only when it returns None.

    Turns that no longer fit the prompt are folded into the running summary first (``graphs.summary``).
    """
    messages = state["messages"]
    this_turn = reflections_this_turn(messages, state.get("reflections", []))
    revisions = sum(record["verdict"] == "revise" for record in this_turn)
    # Revised drafts are removed from the transcript, so they are counted from the reflection records.
    if model_calls(current_turn(messages)) + revisions >= settings.max_steps:
        closing = AIMessage(
            STEP_BUDGET_ANSWER.format(steps=settings.max_steps),
            response_metadata={STOPPED_KEY: "max_steps"},
        )
        return {"messages": [closing]}
    revision = None
    if this_turn and this_turn[-1]["verdict"] == "revise":
        revision = (this_turn[-1]["draft"], this_turn[-1]["feedback"])
    prompt, folded = planner_view(
        messages,
        summary=state.get("summary", ""),
        summary_through=state.get("summary_through", ""),
        max_tokens=settings.max_context_tokens,
        revision=revision,
        summarize=summarize,
    )
    response = step_planner(prompt) if step_planner is not None else None
    if response is None:
        response = model.invoke(prompt)
    if not isinstance(response, AIMessage):
        response = AIMessage(content=text_of(response))
    removed = folded.pop("messages", [])  # folded turns leave the window (graphs.summary)
    return {**folded, "messages": [*removed, response, *invalid_call_messages(response.invalid_tool_calls)]}


def reflect(state: AssistantState, *, critic: Runnable[Any, Any] | None) -> dict[str, Any]:
    """Judge the draft that ends the transcript; a revise verdict takes the draft back out of it.

    The deterministic checks (``graphs.checks``) come first, for every model: a draft they fault is sent
    back with their feedback and the critic is not asked. ``critic`` None (a model that gives no critique,
    like the embedded one): the checks are the whole reflection.
    """
    messages = state["messages"]
    draft = messages[-1]
    turn = current_turn(messages)
    tool_results = "\n\n".join(
        f"[{message.name}] {text_of(message)[:MAX_TOOL_RESULT_CHARS_FOR_REVIEW]}"
        for message in turn
        if isinstance(message, ToolMessage)
    )
    question = text_of(turn[0]) if turn else ""
    request = REFLECTION_REQUEST.format(
        question=question,
        tool_results=tool_results or "(no tools were used)",
        draft=text_of(draft),
    )
    problems = draft_problems(question, text_of(draft), turn)
    try:
        if problems:
            critique = Critique(verdict="revise", feedback=" ".join(problems))
        elif critic is None:
            critique = Critique(verdict="accept", feedback=RULES_ONLY_FEEDBACK)
        else:
            critique = Critique.model_validate(
                critic.invoke([SystemMessage(REFLECTION_SYSTEM), HumanMessage(request)])
            )
    except (OutputParserException, ValidationError):
        # A critic that cannot produce a verdict must not cost the user their answer.
        critique = Critique(verdict="accept", feedback="(reflection skipped: the critique could not be read)")
    except Exception as error:
        # Nor one whose server failed or refused (no structured output it takes, a timeout, a 5xx): the draft
        # stands, and the record says why it was not checked. Anything else is a bug, and raised.
        if not is_model_failure(error):
            raise
        status = getattr(error, "status_code", None)
        failure = f"HTTP {status}" if isinstance(status, int) else type(error).__name__
        critique = Critique(verdict="accept", feedback=f"(reflection skipped: the critic failed: {failure})")
    record = ReflectionRecord(turn=turn_id(messages), verdict=critique.verdict, feedback=critique.feedback)
    if critique.verdict == "revise":  # an accepted draft is the turn's answer, in ``messages`` already
        record["draft"] = text_of(draft)
    update: dict[str, Any] = {"reflections": [record]}
    if critique.verdict == "revise" and draft.id:
        update["messages"] = [RemoveMessage(id=draft.id)]
    return update
