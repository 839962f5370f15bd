"""The notebooks run top to bottom, offline, on the embedded model: they cannot rot."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
pytestmark = pytest.mark.slow


def execute(name: str, monkeypatch: pytest.MonkeyPatch) -> nbformat.NotebookNode:
    monkeypatch.setenv("AGENT_SEARCH", "off")  # the kernel is a separate process: keep it off the network
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    ).execute()
    return notebook


def outputs(notebook: nbformat.NotebookNode) -> str:
    return "\n".join(
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )


def test_stored_notebooks_match_their_source(tmp_path: Path) -> None:
    import runpy

    generated = runpy.run_path(str(NOTEBOOKS / "make_notebooks.py"))
    for name, cells in (
        ("01_quickstart.ipynb", "QUICKSTART"),
        ("02_knowledge_base.ipynb", "KNOWLEDGE_BASE"),
        ("03_embed_in_your_graph.ipynb", "EMBED"),
    ):
        stored = nbformat.read(NOTEBOOKS / name, as_version=4)
        assert [c.source for c in stored.cells] == [c.source for c in generated[cells]], name
        assert all(not c.get("outputs") for c in stored.cells if c.cell_type == "code"), (
            f"{name} has stored outputs"
        )


def test_quickstart(monkeypatch: pytest.MonkeyPatch) -> None:
    text = outputs(execute("01_quickstart.ipynb", monkeypatch))
    assert "model: local" in text
    assert "graph TD;" in text and "planner" in text


def test_knowledge_base(monkeypatch: pytest.MonkeyPatch) -> None:
    text = outputs(execute("02_knowledge_base.ipynb", monkeypatch))
    assert "aurora_cafe_menu.md" in text  # the café's hours are the best match for a late coffee
    assert "sources:" in text


def test_embed_in_your_graph(monkeypatch: pytest.MonkeyPatch) -> None:
    text = outputs(execute("03_embed_in_your_graph.ipynb", monkeypatch))
    assert "assistant -> ['planner']" in text
    assert "parent saw" in text
