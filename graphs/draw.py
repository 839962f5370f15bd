"""The assistant graph as Mermaid, for the README's picture: ``python -m graphs.draw`` prints it,
``python -m graphs.draw --readme README.md`` (``make graph``) rewrites the README's Mermaid block with it."""

from __future__ import annotations

import argparse
from pathlib import Path

from langchain_core.language_models.fake_chat_models import FakeListChatModel

from agent.settings import Settings
from graphs.assistant import build_graph

_FENCE = "```mermaid\n"


def mermaid() -> str:
    """The graph's shape; the model and tools do not change it, so a stand-in model is used."""
    graph = build_graph(FakeListChatModel(responses=[""]), tools=[], settings=Settings())
    return graph.get_graph().draw_mermaid(with_styles=False)


def with_picture(readme: str, picture: str) -> str:
    """``readme`` with the body of its first Mermaid block replaced by ``picture``."""
    start = readme.index(_FENCE) + len(_FENCE)
    end = readme.index("```", start)
    return readme[:start] + picture + readme[end:]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Print the assistant graph as Mermaid.")
    parser.add_argument("--readme", type=Path, help="rewrite this file's Mermaid block instead of printing")
    args = parser.parse_args()
    if args.readme is None:
        print(mermaid(), end="")
    else:
        args.readme.write_text(with_picture(args.readme.read_text(), mermaid()))
