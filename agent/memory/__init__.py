"""Memory: LangGraph checkpointers by URL (`checkpointers`), our savers, and one-run-per-thread locks."""

from agent.memory.checkpointers import checkpointer

__all__ = ["checkpointer"]
