"""Running tool calls so that every call gets exactly one answer, whatever goes wrong.

LangGraph's ``ToolNode`` runs the calls of one model message in parallel and validates arguments; its
default error handler re-raises tool exceptions (langgraph #6486) and it knows nothing of
``invalid_tool_calls`` (malformed JSON) or of time limits. This module adds those, so that a failure
becomes a ``ToolMessage(status="error")`` the model reads, and the run goes on. A call that already has an
answer (rejected by the user) is not run again.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout

from langchain_core.messages import AIMessage, InvalidToolCall, ToolMessage
from langchain_core.tools import BaseTool
from langgraph.prebuilt import ToolNode
from langgraph.prebuilt.tool_node import ToolCallRequest
from langgraph.types import Command

from tools.failures import ToolFailed, error_content

ToolResult = ToolMessage | Command

MAX_ERROR_CHARS = 500


def describe_tool_error(error: Exception) -> str:
    """The error text the model reads: the exception's own message, bounded, without a traceback.

    A tool that could not do its job (``ToolFailed``) gets its reason alone; any other exception is taken
    for a problem with the call, so the model is also told it may fix the arguments.
    """
    message = getattr(error, "message", None) or str(error) or type(error).__name__
    if len(message) > MAX_ERROR_CHARS:
        message = message[:MAX_ERROR_CHARS] + "…"
    if isinstance(error, ToolFailed):
        return error_content(ToolFailed(message))
    return f"Error: {message}\nFix the arguments and call again, or answer without this tool."


def invalid_call_messages(calls: Sequence[InvalidToolCall]) -> list[ToolMessage]:
    """One error answer for each tool call whose arguments were not valid JSON."""
    return [
        ToolMessage(
            content=(
                f"Error: the arguments of this {call.get('name') or 'tool'} call are not valid JSON "
                f"({call.get('error') or 'could not parse'}). Call the tool again with a JSON object."
            ),
            name=call.get("name") or "invalid_tool_call",
            tool_call_id=call.get("id") or "",
            status="error",
        )
        for call in calls
    ]


def _existing_answer(request: ToolCallRequest) -> ToolMessage | None:
    """The answer a call already has (a rejection by the user, or a result saved before a crash)."""
    state = request.state
    messages = state.get("messages", []) if isinstance(state, dict) else getattr(state, "messages", [])
    call_id = request.tool_call["id"]
    for message in reversed(messages):  # answers follow the model message that made the calls
        if isinstance(message, AIMessage):
            return None
        if isinstance(message, ToolMessage) and message.tool_call_id == call_id:
            return message
    return None


def _timeout_message(request: ToolCallRequest, seconds: float) -> ToolMessage:
    name = request.tool_call["name"]
    return ToolMessage(
        content=f"Error: {name} did not finish within {seconds:g} s.",
        name=name,
        tool_call_id=request.tool_call["id"] or "",
        status="error",
    )


def _with_timeout(
    seconds: float,
) -> Callable[[ToolCallRequest, Callable[[ToolCallRequest], ToolResult]], ToolResult]:
    # A thread cannot be killed: a tool that overruns is abandoned (its result ignored) and finishes in the
    # background. It runs in a daemon thread, not a ThreadPoolExecutor, whose workers the interpreter joins
    # at exit: an abandoned web search would otherwise keep the process alive after the answer (up to
    # AGENT_SEARCH_TIMEOUT). Tools should still bound their own I/O (web search does).
    def wrap(request: ToolCallRequest, execute: Callable[[ToolCallRequest], ToolResult]) -> ToolResult:
        if (answer := _existing_answer(request)) is not None:
            return answer
        future: Future[ToolResult] = Future()
        context = contextvars.copy_context()

        def run() -> None:
            try:
                future.set_result(context.run(execute, request))
            except BaseException as error:
                future.set_exception(error)

        threading.Thread(target=run, name=f"tool-{request.tool_call['name']}", daemon=True).start()
        try:
            return future.result(timeout=seconds)
        except FutureTimeout:
            return _timeout_message(request, seconds)

    return wrap


def _with_async_timeout(
    seconds: float,
) -> Callable[[ToolCallRequest, Callable[[ToolCallRequest], Awaitable[ToolResult]]], Awaitable[ToolResult]]:
    async def wrap(
        request: ToolCallRequest, execute: Callable[[ToolCallRequest], Awaitable[ToolResult]]
    ) -> ToolResult:
        if (answer := _existing_answer(request)) is not None:
            return answer
        try:
            return await asyncio.wait_for(execute(request), timeout=seconds)
        except TimeoutError:
            return _timeout_message(request, seconds)

    return wrap


def make_tool_node(tools: Sequence[BaseTool], *, timeout: float) -> ToolNode:
    """A ``ToolNode`` whose every failure (exception, bad arguments, unknown tool, timeout) is an error answer."""
    return ToolNode(
        list(tools),
        handle_tool_errors=describe_tool_error,
        wrap_tool_call=_with_timeout(timeout),
        awrap_tool_call=_with_async_timeout(timeout),
    )
