"""Run one turn of a thread in its own process (used by the memory tests): ``python -m tests.thread_process
MEMORY_URL THREAD QUESTION ANSWER``. Prints the texts of the prompt the model was sent, as JSON."""

from __future__ import annotations

import json
import sys

from langchain_core.messages import HumanMessage

from agent.memory.checkpointers import checkpointer
from agent.settings import Settings
from graphs.assistant import build_graph
from tests.fakes import ScriptedChatModel


def main(url: str, thread_id: str, question: str, answer: str) -> None:
    model = ScriptedChatModel(script=[answer])
    with checkpointer(url) as saver:
        graph = build_graph(model, tools=[], checkpointer=saver, settings=Settings(reflection="off"))
        graph.invoke({"messages": [HumanMessage(question)]}, {"configurable": {"thread_id": thread_id}})
    print(json.dumps([str(m.text) for m in model.prompts[0][1:]]))


if __name__ == "__main__":
    main(*sys.argv[1:5])
