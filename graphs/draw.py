"""Print the assistant graph as Mermaid (``python -m graphs.draw``), for the README's picture."""

from __future__ import annotations

from langchain_core.language_models.fake_chat_models import FakeListChatModel

from agent.settings import Settings
from graphs.assistant import build_graph


def mermaid() -> str:
    """The graph's shape; the model and tools do not change it, so a stand-in model is used."""
    graph = build_graph(FakeListChatModel(responses=[""]), tools=[], settings=Settings())
    return graph.get_graph().draw_mermaid(with_styles=False)


if __name__ == "__main__":
    print(mermaid(), end="")
