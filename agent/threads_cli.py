"""``agent threads list | show ID | delete ID``: the threads in the configured memory (SQLite or
PostgreSQL). ``agent/cli.py`` mounts them with ``register(app)``; the listing logic is ``agent.threads``."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.text import Text

from agent.cli_context import context_debug, context_settings
from agent.cli_output import fail, friendly_errors, out

if TYPE_CHECKING:
    from langchain_core.messages import BaseMessage
    from langgraph.checkpoint.base import BaseCheckpointSaver

    from agent.settings import Settings

threads_app = typer.Typer(help="List, show and delete saved conversations.", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
ThreadArgument = Annotated[str, typer.Argument(help="Thread id (or the start of one).")]


def register(app: typer.Typer) -> None:
    """Add the ``threads`` group to ``app``."""
    from agent.maintenance_cli import register as register_maintenance

    register_maintenance(threads_app)
    app.add_typer(threads_app, name="threads")


def options(ctx: typer.Context) -> tuple[Settings, bool]:
    """The main CLI's settings and ``--debug`` flag, else defaults."""
    return context_settings(ctx), context_debug(ctx)


@contextmanager
def open_memory(ctx: typer.Context, *, as_json: bool = False) -> Iterator[BaseCheckpointSaver[Any]]:
    """The configured saver; any failure is one red line (``{"error"}`` with ``as_json``; a traceback too
    with ``--debug``)."""
    from agent.memory import checkpointer

    settings, debug = options(ctx)
    with friendly_errors(settings, debug=debug, as_json=as_json), checkpointer(settings=settings) as saver:
        yield saver


def message_json(message: BaseMessage) -> dict[str, Any]:
    """One transcript entry: ``{"role", "content"}``, plus ``tool_calls`` [{"id", "name", "args"}] for
    the assistant's calls, and ``name``, ``tool_call_id``, ``ok`` for a tool's result."""
    from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

    entry: dict[str, Any] = {"role": message.type, "content": str(message.text)}
    if isinstance(message, HumanMessage):
        entry["role"] = "user"
    elif isinstance(message, AIMessage):
        entry["role"] = "assistant"
        if message.tool_calls:
            entry["tool_calls"] = [
                {"id": call["id"], "name": call["name"], "args": call["args"]} for call in message.tool_calls
            ]
    elif isinstance(message, ToolMessage):
        entry.update(
            role="tool", name=message.name, tool_call_id=message.tool_call_id, ok=message.status != "error"
        )
    return entry


@threads_app.command("list")
def list_command(
    ctx: typer.Context,
    limit: Annotated[int | None, typer.Option("--limit", "-n", min=1, help="At most this many.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Saved threads, most recently updated first: id, first question, messages, last update."""
    from agent.render import threads_table
    from agent.threads import list_threads

    with open_memory(ctx, as_json=as_json) as saver:
        summaries = list_threads(saver, limit=limit)
    if as_json:
        typer.echo(json.dumps([summary.as_json() for summary in summaries], ensure_ascii=False, indent=2))
        return
    if not summaries:
        out.print("No saved threads yet: start one with `agent chat`.", markup=False)
        return
    out.print(threads_table(summaries))


@threads_app.command("show")
def show_command(ctx: typer.Context, thread: ThreadArgument, as_json: JsonOption = False) -> None:
    """A thread's transcript: questions, tool calls and their results, answers."""
    from agent.render import transcript
    from agent.threads import read_messages, resolve_thread_id

    with open_memory(ctx, as_json=as_json) as saver:
        thread_id = resolve_thread_id(saver, thread)
        messages = read_messages(saver, thread_id)
    if as_json:
        payload = {"thread_id": thread_id, "messages": [message_json(m) for m in messages]}
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    out.print(Text(f"thread {thread_id} · {len(messages)} messages", style="bold"))
    for renderable in transcript(messages):
        out.print(renderable)


@threads_app.command("delete")
def delete_command(
    ctx: typer.Context,
    thread: ThreadArgument,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Delete a thread and all its checkpoints."""
    from agent.threads import delete_thread, resolve_thread_id

    with open_memory(ctx, as_json=as_json) as saver:
        thread_id = resolve_thread_id(saver, thread)
        if not yes:
            if not sys.stdin.isatty():
                fail(f"not deleting thread {thread_id} without confirmation: add --yes", as_json=as_json)
            if not typer.confirm(f"Delete thread {thread_id} and all its messages?"):
                fail("not confirmed; nothing deleted", as_json=as_json)
        delete_thread(saver, thread_id)
    if as_json:
        typer.echo(json.dumps({"thread_id": thread_id, "deleted": True}))
        return
    out.print(f"Deleted thread {thread_id}.", markup=False)
