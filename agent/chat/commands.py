"""The chat's slash commands (``/help``, ``/new``, ``/threads`` …) and their tab completion."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args

from prompt_toolkit.completion import (
    CompleteEvent,
    Completer,
    Completion,
    NestedCompleter,
    PathCompleter,
    WordCompleter,
)
from prompt_toolkit.document import Document
from rich.console import Console
from rich.table import Table
from rich.text import Text

from agent.chat.render import threads_table, transcript
from agent.settings import ReflectionMode

if TYPE_CHECKING:
    from agent.chat.repl_session import ChatSession

REFLECTION_MODES: tuple[str, ...] = get_args(ReflectionMode)
MODEL_EXAMPLES = ["openai:gpt-4o-mini", "openai:", "ollama:", "local", "local:"]
RECENT_THREADS = 15
KEYS_HELP = (
    "Enter sends · Esc-Enter or a trailing \\ starts a new line · Tab completes · "
    "Ctrl-C stops an answer · Ctrl-D or /exit leaves"
)


def note(label: str, value: str) -> Text:
    """A dimmed label and a value printed as is (never read as markup)."""
    return Text.assemble((label + " ", "dim"), value)


class ExitChat(Exception):
    """Leave the chat (``/exit``)."""


class CommandError(Exception):
    """A slash command used wrongly; the message says how to use it."""


Handler = Callable[["ChatSession", Console, str], None]


@dataclass(frozen=True)
class SlashCommand:
    """A command: its name, how to write it, what it does, its handler and its argument's completer."""

    name: str
    usage: str
    help: str
    run: Handler
    completer: Completer | None = None


# ---------------------------------------------------------------------------------------------- threads


def _new(session: ChatSession, console: Console, arg: str) -> None:
    console.print(note("new thread", session.new_thread()))


def _threads(session: ChatSession, console: Console, arg: str) -> None:
    from agent.threads.history import list_threads

    summaries = list_threads(session.saver, limit=RECENT_THREADS)
    if not summaries:
        console.print("[dim]No saved threads yet: ask something to start one.[/]")
        return
    console.print(threads_table(summaries, current=session.thread_id))


def _switch(session: ChatSession, console: Console, arg: str) -> None:
    from agent.threads.history import resolve_thread_id
    from graphs.turns import current_turn

    if not arg:
        raise CommandError("usage: /switch ID (see /threads)")
    session.thread_id = resolve_thread_id(session.saver, arg)
    messages = _messages(session)
    console.print(note("switched to thread", session.thread_id).append(f" ({len(messages)} messages)", "dim"))
    for renderable in transcript(current_turn(messages)):
        console.print(renderable)


def _messages(session: ChatSession) -> list[Any]:
    from agent.chat.session import thread_config
    from graphs.transcript import full_transcript

    return full_transcript(session.saver, thread_config(session.thread_id))


def _history(session: ChatSession, console: Console, arg: str) -> None:
    messages = _messages(session)
    if not messages:
        console.print("[dim]This thread has no messages yet.[/]")
        return
    for renderable in transcript(messages):
        console.print(renderable)


# ------------------------------------------------------------------------------------- model & settings


def _model(session: ChatSession, console: Console, arg: str) -> None:
    if not arg:
        console.print(Text(f"model: {session.model_spec}"))
        console.print(
            "[dim]switch with /model SPEC: openai:<model>, ollama:<model>, local or local:/path/model.gguf[/]"
        )
        return
    with console.status(f"loading {arg}…"):
        session.switch_model(arg)
    console.print(note("now answering with", session.model_spec))


def _reflection(session: ChatSession, console: Console, arg: str) -> None:
    if not arg:
        console.print(Text(f"reflection: {session.settings.reflection}"))
        return
    if arg not in REFLECTION_MODES:
        raise CommandError(f"usage: /reflection {'|'.join(REFLECTION_MODES)}")
    session.set_reflection(arg)  # type: ignore[arg-type]  # checked against the Literal's values above
    console.print(note("reflection", arg))


def _tools(session: ChatSession, console: Console, arg: str) -> None:
    table = Table("tool", "what it does", box=None, show_header=False, padding=(0, 2, 0, 0))
    for tool in session.tools:
        description = Text(first_sentence(tool.description or ""))
        if tool.name in session.settings.approve_tools:
            description.append(" (asks for approval)", "yellow")
        table.add_row(Text(tool.name, "bold"), description)
    console.print(table)


def first_sentence(text: str) -> str:
    """The first sentence of a description, on one line."""
    flat = " ".join(text.split())
    head, dot, _ = flat.partition(". ")
    return head + dot.strip()


# ------------------------------------------------------------------------------------- knowledge base


def _ingest(session: ChatSession, console: Console, arg: str) -> None:
    from tools.knowledge_base.ingest import ingest

    if not arg:
        raise CommandError("usage: /ingest PATH (a file or a folder)")
    if not Path(arg).expanduser().exists():
        raise CommandError(f"no such file or directory: {arg}")
    with console.status("reading and embedding…") as status:

        def progress(done: int, total: int) -> None:
            status.update(f"embedding chunks {done}/{total}…")

        report = ingest([arg], session.settings, progress=progress)
    for path, reason in report.skipped:
        console.print(Text(f"skipped {path}: {reason}", style="yellow"))
    if not report.files:
        raise CommandError("nothing was ingested")
    console.print(
        f"ingested {len(report.files)} file(s) into '{report.collection}': {report.chunks_added} chunks "
        f"added, {report.chunks_unchanged} unchanged, {report.chunks_removed} replaced",
        highlight=False,
    )


def _kb(session: ChatSession, console: Console, arg: str) -> None:
    from tools.knowledge_base.retrieval import EMPTY_MESSAGE, search

    if not arg:
        raise CommandError("usage: /kb QUERY")
    with console.status("searching…"):
        hits = search(arg, session.settings)
    if not hits:
        console.print(EMPTY_MESSAGE, markup=False)
        return
    for n, hit in enumerate(hits, start=1):
        console.print(
            Text.assemble((f"[{n}] ", "bold"), (f"{hit.score:.3f} ", "cyan"), (hit.source, "green"))
        )
        console.print(Text(hit.text))


# ---------------------------------------------------------------------------------------------- chat


def _help(session: ChatSession, console: Console, arg: str) -> None:
    table = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
    for command in COMMANDS.values():
        table.add_row(Text(command.usage, "bold"), command.help)
    console.print(table)
    console.print(f"[dim]{KEYS_HELP}[/]", highlight=False)


def _clear(session: ChatSession, console: Console, arg: str) -> None:
    console.clear()


def _exit(session: ChatSession, console: Console, arg: str) -> None:
    raise ExitChat


def _commands(thread_ids: Callable[[], list[str]]) -> dict[str, SlashCommand]:
    items = [
        SlashCommand("/help", "/help", "show this help", _help),
        SlashCommand("/new", "/new", "start a new thread", _new),
        SlashCommand("/threads", "/threads", "recent threads with their first question", _threads),
        SlashCommand("/switch", "/switch ID", "continue another thread", _switch, WordCompleter(thread_ids)),
        SlashCommand("/history", "/history", "show this thread's transcript", _history),
        SlashCommand(
            "/model", "/model [SPEC]", "show or switch the model", _model, WordCompleter(MODEL_EXAMPLES)
        ),
        SlashCommand(
            "/ingest",
            "/ingest PATH",
            "add documents to the knowledge base",
            _ingest,
            PathCompleter(expanduser=True),
        ),
        SlashCommand("/kb", "/kb QUERY", "search the knowledge base", _kb),
        SlashCommand("/tools", "/tools", "list the tools the assistant can use", _tools),
        SlashCommand(
            "/reflection",
            "/reflection auto|always|off",
            "when answers are checked before you see them",
            _reflection,
            WordCompleter(list(REFLECTION_MODES)),
        ),
        SlashCommand("/clear", "/clear", "clear the screen", _clear),
        SlashCommand("/exit", "/exit", "leave (Ctrl-D too)", _exit),
    ]
    return {command.name: command for command in items}


COMMANDS = _commands(lambda: [])
"""The commands, for help and dispatch (the completer is built per session, with its thread ids)."""


def run_command(line: str, session: ChatSession, console: Console) -> None:
    """Run one slash command line; ``ExitChat`` to leave, ``CommandError`` for misuse."""
    name, _, arg = line.strip().partition(" ")
    command = COMMANDS.get(name.lower()) or (COMMANDS["/exit"] if name.lower() == "/quit" else None)
    if command is None:
        raise CommandError(f"unknown command {name}: see /help")
    command.run(session, console, arg.strip())


class SlashCompleter(NestedCompleter):
    """Completes command names, then each command's argument (thread ids, paths, modes, models).

    ``NestedCompleter`` matches the first word with a ``WordCompleter`` whose word boundary drops the
    leading ``/``, so ``/h`` would complete nothing; the first word is matched as a whole instead.
    """

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterable[Completion]:
        text = document.text_before_cursor.lstrip()
        if not text.startswith("/"):
            return
        if " " in text:
            yield from super().get_completions(document, complete_event)
        else:
            yield from WordCompleter(list(self.options), sentence=True).get_completions(
                document, complete_event
            )


def slash_completer(thread_ids: Callable[[], list[str]]) -> SlashCompleter:
    """The completer for the prompt; ``thread_ids`` is called when ``/switch`` needs completing."""
    return SlashCompleter({name: command.completer for name, command in _commands(thread_ids).items()})
