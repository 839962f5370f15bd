"""One turn of ``agent chat`` as it happens: the answer streams token by token, tool calls appear as
panels, reflection verdicts dimmed, a spinner says what the agent is doing, approvals are asked for.

Why ``stream_mode=["updates", "tasks"]`` and a callback for tokens, rather than ``"messages"`` mode:
with ``"messages"`` LangGraph runs every node in a worker thread, and on Ctrl-C it waits for the running
node (a whole model answer) to finish before the ``KeyboardInterrupt`` surfaces. Without it, a step with
one node runs on the main thread, so Ctrl-C stops the model call at once and the thread's last
checkpoint is the one before that step (``Assistant.cancel`` then closes the turn).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessage, BaseMessage, ToolCall, ToolMessage
from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.markdown import Markdown
from rich.spinner import Spinner
from rich.text import Text

from agent.chat.render import reflection_line, sources_block, tool_panel
from agent.chat.session import thread_config
from graphs.approval import APPROVAL
from graphs.durability import TURN_DURABILITY, save_question
from graphs.run_context import RunContext
from graphs.turns import TurnResult, turn_result

ApprovalPrompt = Callable[[dict[str, Any]], Any]
"""Asks the user about one ``tool_approval`` interrupt value; returns the resume value."""

STATUS = {
    "planner": "thinking…",
    "reflection": "checking the answer…",
    "approval": "waiting for approval…",
}


class PlannerTokens(BaseCallbackHandler):
    """Passes the planner's tokens to ``on_token`` as the model produces them (other model calls, such
    as the reflection critic's, are not shown)."""

    def __init__(self, on_token: Callable[[str], None]) -> None:
        self.on_token = on_token
        self._planner_runs: set[UUID] = set()

    def on_chat_model_start(
        self,
        serialized: dict[str, Any],
        messages: list[list[BaseMessage]],
        *,
        run_id: UUID,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        if (metadata or {}).get("langgraph_node") == "planner":
            self._planner_runs.add(run_id)

    def on_llm_new_token(
        self, token: str | list[str | dict[str, Any]], *, run_id: UUID, **kwargs: Any
    ) -> None:
        if run_id not in self._planner_runs:
            return
        if not isinstance(token, str):  # content blocks: keep their text
            token = "".join(b if isinstance(b, str) else str(b.get("text", "")) for b in token)
        if token:
            self.on_token(token)

    def on_llm_end(self, response: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self._planner_runs.discard(run_id)

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._planner_runs.discard(run_id)

    # LangChain streams a chat model's ``invoke`` only when a streaming handler is attached, recognised by
    # these two methods (langchain_core's ``_StreamingCallbackHandler`` protocol); they pass output through.
    def tap_output_iter(self, run_id: UUID, output: Any) -> Any:
        return output

    def tap_output_aiter(self, run_id: UUID, output: Any) -> Any:
        return output


class TurnView:
    """The live part of the screen during a turn: the draft answer as it streams, and a spinner line.
    Tool panels and verdicts are printed above it as they happen; the answer is printed as Markdown at
    the end."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.draft = ""
        self.status = STATUS["planner"]
        self.calls: dict[str, ToolCall] = {}
        self._live: Live | None = None

    # ------------------------------------------------------------------------------------------ display

    def _render(self) -> RenderableType:
        parts: list[RenderableType] = []
        if self.draft:
            lines = Text(self.draft).wrap(self.console, self.console.width)
            room = max(self.console.height - 3, 3)  # show the end of a long draft, as a terminal would
            parts.append(Text("\n").join(lines[-room:]))
        if self.status:
            parts.append(Spinner("dots", Text(self.status, style="dim")))
        return Group(*parts)

    def start(self) -> None:
        """Show the live region (again, after a pause)."""
        if self._live is None:
            self._live = Live(
                console=self.console, transient=True, refresh_per_second=12, get_renderable=self._render
            )
            self._live.start()

    def stop(self) -> None:
        """Take the live region off the screen (before a prompt, an error or the final answer)."""
        if self._live is not None:
            self._live.stop()
            self._live = None

    def __enter__(self) -> TurnView:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def print(self, renderable: RenderableType) -> None:
        """Print above the live region."""
        self.console.print(renderable)

    # ------------------------------------------------------------------------------------------- events

    def token(self, text: str) -> None:
        self.draft += text

    def task(self, event: dict[str, Any]) -> None:
        """A ``tasks`` stream event: a node starting (it has ``input``) or finishing (``result``)."""
        if "input" not in event:
            return
        name = event.get("name", "")
        if name == "planner":
            self.draft = ""  # a new model call: the last draft was printed, or withdrawn by reflection
        if name == "tools":
            pending = sorted({call["name"] for call in self.calls.values()})
            self.status = f"running {', '.join(pending) or 'tools'}…"
        else:
            self.status = STATUS.get(name, f"{name}…")

    def update(self, event: dict[str, Any]) -> None:
        """An ``updates`` stream event: what each node wrote."""
        for node, written in event.items():
            if node.startswith("__") or not isinstance(written, dict):
                continue
            for message in written.get("messages") or []:
                self._message(message)
            for record in written.get("reflections") or []:
                self.print(reflection_line(record["verdict"], record["feedback"]))
                if record["verdict"] == "revise":
                    self.draft = ""

    def _message(self, message: Any) -> None:
        if isinstance(message, AIMessage):
            if message.tool_calls:
                self.calls.update({call["id"] or "": call for call in message.tool_calls})
                if message.text:
                    self.print(Text(str(message.text), style="dim"))
                self.draft = ""
            else:
                self.draft = str(message.text)  # the whole draft (also for models that do not stream)
        elif isinstance(message, ToolMessage):
            call = self.calls.pop(message.tool_call_id, None)
            args = dict(call["args"]) if call else {}
            self.print(
                tool_panel(message.name or "tool", args, str(message.text), ok=message.status != "error")
            )

    def finish(self, result: TurnResult) -> None:
        """Replace the raw draft with the answer rendered as Markdown, and list its sources."""
        self.stop()
        self.console.print(Markdown(result.answer or "_(no answer)_"))
        if result.sources:
            self.console.print(sources_block(result.sources))


def run_turn(
    graph: Any,
    thread_id: str,
    payload: Any,
    view: TurnView,
    ask_approval: ApprovalPrompt,
    context: RunContext | None = None,
) -> TurnResult:
    """Stream one turn (``payload``: the new question's input, or None to finish a pending turn) to
    ``view``; at each approval interrupt, stop the display, ask, and resume with the answer. ``context``:
    the run's model and settings (``graphs.run_context``)."""
    from langgraph.types import Command

    config = {**thread_config(thread_id), "callbacks": [PlannerTokens(view.token)]}
    if isinstance(payload, dict):
        save_question(graph, thread_config(thread_id), payload)
        payload = None
    while True:
        view.start()
        with warnings.catch_warnings():
            # Streamed structured output (the reflection critic) makes langchain-openai trip a harmless
            # pydantic serializer warning that would tear the live display (langchain-ai/langchain#35538).
            warnings.filterwarnings("ignore", message="Pydantic serializer warnings", category=UserWarning)
            for mode, event in graph.stream(
                payload, config, stream_mode=["updates", "tasks"], context=context, durability=TURN_DURABILITY
            ):
                if mode == "tasks":
                    view.task(event)
                elif isinstance(event, dict):
                    view.update(event)
        pending = graph.get_state(config).interrupts
        if not pending:
            break
        request = pending[0].value
        if not (isinstance(request, dict) and request.get("type") == APPROVAL):
            raise ValueError(f"the graph paused for something the chat cannot answer: {request!r}")
        view.stop()
        payload = Command(resume=ask_approval(request))
    result = turn_result(graph.get_state(config).values)
    view.finish(result)
    return result
