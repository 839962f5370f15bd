"""How a finished turn looks in the terminal."""

from __future__ import annotations

import json

from rich.console import Console
from rich.markdown import Markdown

from graphs.turns import TurnResult


def print_turn(console: Console, result: TurnResult) -> None:
    """Tool calls (failed ones in red), reflection verdicts (dimmed), the answer, and its sources."""
    for call in result.tool_calls:
        style = "green" if call.ok else "red"
        console.print(
            f"[{style}]⚙ {call.name}[/] [dim]{json.dumps(call.args, ensure_ascii=False)}[/]", highlight=False
        )
    for verdict in result.reflection:
        console.print(f"[dim]reflection: {verdict['verdict']} {verdict['feedback']}[/]", highlight=False)
    console.print(Markdown(result.answer or "_(no answer)_"))
    if result.sources:
        console.print("[bold]Sources[/]")
        for source in result.sources:
            console.print(
                f"  [{source.get('n', '?')}] {source.get('title', '')} [dim]{source.get('url', '')}[/]",
                highlight=False,
            )
