"""The graph's default tool set: calculator, web search and the knowledge base."""

from __future__ import annotations

from langchain_core.tools import BaseTool

from agent.settings import Settings


def default_tools(settings: Settings) -> list[BaseTool]:
    """The three built-in tools, configured from ``settings``. Building them is instant: the search backend
    and the knowledge base connect on first use."""
    from tools.calculator import calculator
    from tools.knowledge_base.retrieval import make_search_documents
    from tools.web_search.tool import make_web_search

    return [calculator, make_web_search(settings), make_search_documents(settings)]
