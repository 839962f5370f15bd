"""Write the notebooks from their cells here (``python notebooks/make_notebooks.py``): the source of truth is
this file, so the notebooks stay small, reviewable and free of stored outputs."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).parent

QUICKSTART = [
    new_markdown_cell(
        "# Quickstart\n\nChoose a model, ask a question, stream the graph's steps and draw the graph. "
        "With no configuration this runs offline on the embedded model (Gemma 3 270M); set `AGENT_MODEL` "
        "(and `OPENAI_API_KEY` or `AGENT_BASE_URL`) for a stronger one."
    ),
    new_code_cell(
        "from langgraph.checkpoint.memory import InMemorySaver\n\n"
        "from agent.models.loading import load_model\n"
        "from agent.settings import Settings\n"
        "from graphs.assistant import build_graph\n"
        "from graphs.planning import planner_for\n"
        "from graphs.turns import turn_result\n\n"
        "settings = Settings()\n"
        "model = load_model(settings=settings)\n"
        "print('model:', settings.model_spec)"
    ),
    new_code_cell(
        "graph = build_graph(model, checkpointer=InMemorySaver(), settings=settings, planner=planner_for(settings))\n"
        "config = {'configurable': {'thread_id': 'quickstart'}}\n"
        "state = graph.invoke({'messages': [('user', 'What is 12 times 12?')]}, config)\n"
        "result = turn_result(state)\n"
        "print('answer:', result.answer)\n"
        "print('tools:', [(call.name, call.args, call.ok) for call in result.tool_calls])"
    ),
    new_markdown_cell("Every step is streamed as it happens; the thread remembers the first question."),
    new_code_cell(
        "for update in graph.stream({'messages': [('user', 'What is 2 to the power of 10?')]}, config, stream_mode='updates'):\n"
        "    for node, values in update.items():\n"
        "        values = values or {}\n"
        "        if values.get('reflections'):\n"
        "            print(f'{node:>10}:', values['reflections'][-1]['verdict'])\n"
        "        elif values.get('messages'):\n"
        "            last = values['messages'][-1]\n"
        "            print(f'{node:>10}:', getattr(last, 'tool_calls', None) or str(last.content)[:80])"
    ),
    new_markdown_cell(
        "The graph, drawn from the graph itself (Mermaid source; GitHub and JupyterLab render it):"
    ),
    new_code_cell("print(graph.get_graph().draw_mermaid())"),
]

KNOWLEDGE_BASE = [
    new_markdown_cell(
        "# The knowledge base\n\nIngest a small bundled corpus (`notebooks/data`), search it, and ask with "
        "citations. Embeddings are the packaged all-MiniLM-L6-v2, offline."
    ),
    new_code_cell(
        "from pathlib import Path\n\n"
        "from agent.settings import Settings\n"
        "from tools.knowledge_base.ingest import ingest\n"
        "from tools.knowledge_base.retrieval import search\n\n"
        "settings = Settings()\n"
        "def summary(report):\n"
        "    return f'{len(report.files)} files: {report.chunks_added} chunks added, {report.chunks_unchanged} unchanged'\n\n"
        "print(summary(ingest([Path('data')], settings, collection='notebook-demo')))"
    ),
    new_markdown_cell("Ingesting again adds nothing: chunk ids are content hashes."),
    new_code_cell("print(summary(ingest([Path('data')], settings, collection='notebook-demo')))"),
    new_code_cell(
        "for hit in search('How late can I get a coffee?', settings, collection='notebook-demo', k=2):\n"
        "    print(f'{hit.score:.2f}', Path(hit.source).name, '|', hit.text[:70].replace(chr(10), ' '))"
    ),
    new_markdown_cell("Now ask through the graph: the answer cites the passages it used."),
    new_code_cell(
        "from langgraph.checkpoint.memory import InMemorySaver\n\n"
        "from agent.models.loading import load_model\n"
        "from graphs.assistant import build_graph\n"
        "from graphs.planning import planner_for\n"
        "from graphs.turns import turn_result\n\n"
        "kb_settings = settings.model_copy(update={'collection': 'notebook-demo'})\n"
        "graph = build_graph(\n"
        "    load_model(settings=kb_settings), checkpointer=InMemorySaver(), settings=kb_settings, planner=planner_for(kb_settings)\n"
        ")\n"
        "state = graph.invoke(\n"
        "    {'messages': [('user', 'According to my documents, how many items can an adult borrow from the library?')]},\n"
        "    {'configurable': {'thread_id': 'kb'}},\n"
        ")\n"
        "result = turn_result(state)\n"
        "print('answer:', result.answer)\n"
        "print('sources:', [Path(source['url']).name for source in result.sources])"
    ),
]

EMBED = [
    new_markdown_cell(
        "# Embed the assistant in your own graph\n\nThe compiled assistant is a node of a parent "
        "`StateGraph(MessagesState)`: they share `messages`, and the parent owns the checkpointer."
    ),
    new_code_cell(
        "from langchain_core.tools import tool\n"
        "from langgraph.checkpoint.memory import InMemorySaver\n"
        "from langgraph.graph import END, START, MessagesState, StateGraph\n"
        "from langgraph.types import Command\n\n"
        "from agent.models.loading import load_model\n"
        "from agent.settings import Settings\n"
        "from graphs.assistant import build_graph\n"
        "from graphs.planning import planner_for\n\n"
        "settings = Settings(reflection='off', approve_tools=['calculator'])\n"
        "assistant = build_graph(load_model(settings=settings), settings=settings, planner=planner_for(settings))  # no checkpointer: the parent's applies\n\n"
        "def log_turn(state: MessagesState) -> dict:\n"
        "    print(f'parent saw {len(state[\"messages\"])} messages')\n"
        "    return {}\n\n"
        "parent = StateGraph(MessagesState)\n"
        "parent.add_node('assistant', assistant)\n"
        "parent.add_node('log_turn', log_turn)\n"
        "parent.add_edge(START, 'assistant')\n"
        "parent.add_edge('assistant', 'log_turn')\n"
        "parent.add_edge('log_turn', END)\n"
        "app = parent.compile(checkpointer=InMemorySaver())\n"
        "config = {'configurable': {'thread_id': 'embedded'}}"
    ),
    new_markdown_cell(
        "`AGENT_APPROVE_TOOLS` (here `approve_tools=['calculator']`) makes the graph pause before those tools. "
        "Stream with `subgraphs=True` to see the assistant's inner steps, namespaced under the parent's node."
    ),
    new_code_cell(
        "def run(payload):\n"
        "    for namespace, update in app.stream(payload, config, subgraphs=True, stream_mode='updates'):\n"
        "        where = namespace[0].split(':')[0] if namespace else 'parent'\n"
        "        print(f'{where:>9} -> {list(update)}')\n\n"
        "run({'messages': [('user', 'What is 7 times 6?')]})\n"
        "print('waiting for approval:', [item.value['tool_call'] for item in app.get_state(config).interrupts])"
    ),
    new_markdown_cell(
        "Resume with a decision: `'approve'`, `'reject'` (the model is told), or "
        "`{'action': 'edit', 'args': {...}}`."
    ),
    new_code_cell(
        "while app.get_state(config).next:\n"
        "    run(Command(resume='approve'))\n"
        "messages = app.get_state(config).values['messages']\n"
        "print('answer:', messages[-1].content)\n"
        "print('kinds:', [m.type for m in messages])"
    ),
]


def write(name: str, cells: list[nbformat.NotebookNode]) -> None:
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, HERE / name)


if __name__ == "__main__":
    write("01_quickstart.ipynb", QUICKSTART)
    write("02_knowledge_base.ipynb", KNOWLEDGE_BASE)
    write("03_embed_in_your_graph.ipynb", EMBED)
