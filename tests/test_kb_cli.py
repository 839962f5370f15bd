"""``agent ingest`` and ``agent kb search|list|drop`` through typer's test runner, on a Typer of our own."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from types import SimpleNamespace

import pytest
import typer
from typer.testing import CliRunner, Result

from agent.kb_cli import register
from agent.settings import Settings
from tests.test_retrieval import make_settings
from tools.embeddings import get_embeddings
from tools.ingest import ingest

CORPUS = Path(__file__).parent / "data" / "kb"
DOCS = [str(CORPUS / "it_security_policy.md"), str(CORPUS / "greenhouse_notes.txt")]

runner = CliRunner()


def make_app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


@pytest.fixture(scope="module")
def warm_model() -> None:
    get_embeddings(make_settings(Path("unused"))).embed_query("warm up")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "home")


def _assert_one_line_error(result: Result, starts: str) -> None:
    """Exit code 1, and stderr is exactly one line ``error: ...`` (no traceback)."""
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # a clean exit, not an escaped exception
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"error: {starts}")


def test_commands_are_registered() -> None:
    result = runner.invoke(make_app(), ["kb", "--help"])
    assert result.exit_code == 0
    for command in ("search", "list", "drop"):
        assert command in result.stdout
    assert runner.invoke(make_app(), ["ingest", "--help"]).exit_code == 0


def test_search_and_list_on_an_empty_home(settings: Settings) -> None:
    app = make_app()
    result = runner.invoke(app, ["kb", "search", "anything", "--json"], obj=settings)
    assert (result.exit_code, json.loads(result.stdout)) == (0, [])
    result = runner.invoke(app, ["kb", "list", "--json"], obj=settings)
    assert (result.exit_code, json.loads(result.stdout)) == (0, [])


def test_ingest_of_nothing_but_missing_paths_fails(settings: Settings, tmp_path: Path) -> None:
    result = runner.invoke(make_app(), ["ingest", str(tmp_path / "missing.md")], obj=settings)
    assert "no such file or directory" in result.stdout
    _assert_one_line_error(result, "nothing was ingested")


def test_drop_of_an_unknown_collection_is_one_red_line(settings: Settings) -> None:
    result = runner.invoke(make_app(), ["kb", "drop", "ghost", "--yes"], obj=settings)
    _assert_one_line_error(result, "no collection named 'ghost'")


def test_settings_come_from_the_environment_without_ctx_obj(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("AGENT_CHROMA_URL", "ftp://nowhere")
    result = runner.invoke(make_app(), ["kb", "list"])
    _assert_one_line_error(result, "AGENT_CHROMA_URL must look like http://host:8000")


def test_an_unreachable_chroma_server_is_one_red_line(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = make_settings(tmp_path / "home", chroma_url=f"http://user:secret@127.0.0.1:{port}")
    result = runner.invoke(make_app(), ["kb", "list"], obj=settings)
    _assert_one_line_error(result, f"cannot reach the Chroma server at 127.0.0.1:{port}")
    assert "secret" not in result.stderr


def test_debug_from_the_main_cli_shows_the_real_exception(settings: Settings) -> None:
    # The main CLI's context object carries ``settings`` and ``debug`` attributes.
    obj = SimpleNamespace(settings=settings, debug=True)
    result = runner.invoke(make_app(), ["kb", "drop", "ghost", "--yes"], obj=obj)
    assert result.exit_code == 1
    assert isinstance(result.exception, LookupError)
    assert str(result.exception) == "no collection named 'ghost'"


@pytest.mark.slow
def test_ingest_search_list_drop(warm_model: None, settings: Settings, tmp_path: Path) -> None:
    app = make_app()
    (tmp_path / "notes.xyz").write_text("not a supported type")
    result = runner.invoke(app, ["ingest", *DOCS, str(tmp_path / "notes.xyz")], obj=settings)
    assert result.exit_code == 0, result.stderr
    assert "Ingested into 'docs'" in result.stdout
    assert "unsupported file type (.xyz)" in result.stdout

    listed = json.loads(runner.invoke(app, ["kb", "list", "--json"], obj=settings).stdout)
    assert [(c["name"], c["embedding_model"]) for c in listed] == [("docs", "local:all-MiniLM-L6-v2")]
    chunks = listed[0]["chunks"]
    assert chunks == 6

    again = runner.invoke(app, ["ingest", *DOCS], obj=settings)
    assert again.exit_code == 0
    (row,) = [line for line in again.stdout.splitlines() if line.startswith("│")]  # the table's one row
    assert [cell.strip() for cell in row.strip("│").split("│")] == ["2", "0", "6", "0", "0"]

    result = runner.invoke(
        app, ["kb", "search", "what to do if my laptop is stolen", "--k", "3", "--json"], obj=settings
    )
    assert result.exit_code == 0
    hits = json.loads(result.stdout)
    assert len(hits) == 3
    assert all(set(hit) == {"source", "chunk_id", "score", "text"} for hit in hits)
    assert Path(hits[0]["source"]).name == "it_security_policy.md"
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    assert len({h["text"] for h in hits}) == 3 and len({h["chunk_id"] for h in hits}) == 3

    text = runner.invoke(app, ["kb", "search", "what to do if my laptop is stolen", "-k", "1"], obj=settings)
    assert text.exit_code == 0
    assert text.stdout.startswith("[1] ") and "it_security_policy.md" in text.stdout

    refused = runner.invoke(app, ["kb", "drop", "docs"], obj=settings, input="n\n")
    assert refused.exit_code == 1
    assert (
        json.loads(runner.invoke(app, ["kb", "list", "--json"], obj=settings).stdout)[0]["chunks"] == chunks
    )

    dropped = runner.invoke(app, ["kb", "drop", "docs", "--yes"], obj=settings)
    assert dropped.exit_code == 0
    assert json.loads(runner.invoke(app, ["kb", "list", "--json"], obj=settings).stdout) == []


@pytest.mark.slow
def test_a_model_mismatch_is_one_red_line(warm_model: None, settings: Settings) -> None:
    ingest([CORPUS / "greenhouse_notes.txt"], settings, collection="plants")
    other = settings.model_copy(update={"embeddings": "openai:text-embedding-3-small"})
    result = runner.invoke(make_app(), ["kb", "search", "tomatoes", "-c", "plants"], obj=other)
    _assert_one_line_error(result, "collection 'plants' was built with local:all-MiniLM-L6-v2")
