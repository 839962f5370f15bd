"""How turns look in the terminal: a finished turn (``agent ask``), tool panels, sources and transcripts
(``agent chat``, ``agent threads show``)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console, Group, RenderableType
from rich.markdown import Markdown
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from graphs.turns import TurnResult

if TYPE_CHECKING:
    from agent.threads.history import ThreadSummary

_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, screen clears
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: window titles, hyperlinks
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC strings
    r"|\x9b[0-?]*[ -/]*[@-~]"  # CSI in its one-byte (C1) form
    r"|\x1b.?"  # any other escape
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"  # other control characters (tabs and newlines stay)
)


def clean(text: str) -> str:
    """``text`` without terminal escape sequences and control characters: documents and tool results are
    printed, and a document must not be able to move the cursor, retitle the window or hide text."""
    return _ESCAPES.sub("", text)


RESULT_CHARS = 240
"""A tool panel shows at most this much of the tool's result."""
RESULT_LINES = 4


def print_turn(console: Console, result: TurnResult) -> None:
    """Tool calls (failed ones in red), reflection verdicts (dimmed), the answer, and its sources (then a
    blank line, so that what follows does not run into the last source)."""
    for call in result.tool_calls:
        style = "green" if call.ok else "red"
        console.print(
            Text.assemble(
                (f"⚙ {clean(call.name)} ", style), (clean(json.dumps(call.args, ensure_ascii=False)), "dim")
            )
        )
    for verdict in result.reflection:
        console.print(reflection_line(verdict["verdict"], verdict["feedback"]))
    console.print(Markdown(clean(result.answer) or "_(no answer)_"))
    if result.sources:
        console.print(sources_block(result.sources))
        console.print()


def short(text: str, *, chars: int = RESULT_CHARS, lines: int = RESULT_LINES) -> str:
    """The start of ``text``: at most ``lines`` lines and ``chars`` characters, marked with … when cut."""
    kept = text.strip().splitlines()[:lines]
    cut = "\n".join(kept)
    if len(cut) > chars:
        cut = cut[: chars - 1].rstrip()
    return cut + ("…" if cut != text.strip() else "")


def tool_panel(name: str, args: dict[str, Any], result: str | None = None, *, ok: bool = True) -> Panel:
    """A compact panel for one tool call: its arguments and the start of its result (red when it failed)."""
    body = Text(clean(json.dumps(args, ensure_ascii=False)), style="dim")
    if result is not None:
        body.append("\n→ ", style="bold")
        body.append(short(clean(result)), style="" if ok else "red")
    return Panel(
        body,
        title=Text(f"⚙ {clean(name)}", style="bold green" if ok else "bold red"),
        title_align="left",
        border_style="green" if ok else "red",
        expand=False,
    )


def reflection_line(verdict: str, feedback: str) -> Text:
    """A reflection verdict, dimmed: it is about the answer, not part of it."""
    return Text(clean(f"reflection: {verdict}" + (f" — {feedback}" if feedback else "")), style="dim")


def sources_block(sources: Sequence[dict[str, Any]]) -> Group:
    """The numbered sources an answer cites ([n] title url), each listed once."""
    lines: list[RenderableType] = [Text("Sources", style="bold")]
    seen: set[tuple[Any, Any]] = set()
    for source in sources:
        key = (source.get("n"), source.get("url"))
        if key in seen:
            continue
        seen.add(key)
        line = Text(clean(f"  [{source.get('n', '?')}] {source.get('title', '')} "))
        line.append(clean(str(source.get("url", ""))), style="dim")
        lines.append(line)
    return Group(*lines)


def transcript(messages: Sequence[Any]) -> Iterator[RenderableType]:
    """A thread's transcript: questions, tool calls with their results, answers as Markdown."""
    from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

    results = {m.tool_call_id: m for m in messages if isinstance(m, ToolMessage)}
    for message in messages:
        if isinstance(message, HumanMessage):
            yield Text.assemble(("you> ", "bold cyan"), clean(str(message.text)))
        elif isinstance(message, AIMessage):
            for call in message.tool_calls:
                answer = results.get(call["id"] or "")
                yield tool_panel(
                    call["name"],
                    dict(call["args"]),
                    str(answer.text) if answer is not None else "(no result)",
                    ok=answer is not None and answer.status != "error",
                )
            if message.text and not message.tool_calls:
                yield Markdown(clean(str(message.text)))
            elif message.text:
                yield Text(clean(str(message.text)), style="dim")


def threads_table(summaries: Sequence[ThreadSummary], *, current: str | None = None) -> Table:
    """Threads, newest first: id, first question, number of messages, last update (local time); the
    current thread is marked with ●."""
    table = Table(box=None, header_style="bold", padding=(0, 2, 0, 0))
    table.add_column("", width=1)
    table.add_column("thread", no_wrap=True)
    table.add_column("first question", overflow="ellipsis", no_wrap=True, max_width=60)
    table.add_column("messages", justify="right")
    table.add_column("updated", no_wrap=True)
    for summary in summaries:
        table.add_row(
            "●" if summary.thread_id == current else "",
            summary.thread_id,
            clean(summary.first_question),
            str(summary.messages),
            summary.updated_at.astimezone().strftime("%Y-%m-%d %H:%M"),
        )
    return table
