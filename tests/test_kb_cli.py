"""``agent ingest`` and ``agent kb search|list|drop`` through typer's test runner, on a Typer of our own."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from types import SimpleNamespace

import pytest
import typer
from typer.testing import CliRunner, Result

import agent.cli.kb
from agent.cli.kb import EXIT_SKIPPED, ProgressLines, register
from agent.embeddings.loading import get_embeddings
from agent.settings import Settings
from tests import hostile_files
from tests.cli_checks import one_line_error
from tests.test_retrieval import make_settings
from tools.knowledge_base.ingest import MAX_FILE_MB, ingest
from tools.knowledge_base.retrieval import open_store

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
    assert one_line_error(result).startswith(f"error: {starts}")
    assert result.stderr.count("\n") == 1


def test_commands_are_registered() -> None:
    result = runner.invoke(make_app(), ["kb", "--help"])
    assert result.exit_code == 0
    for command in ("search", "list", "drop"):
        assert command in result.stdout
    assert runner.invoke(make_app(), ["ingest", "--help"]).exit_code == 0


def test_ingest_help_documents_the_size_cap_and_the_exit_codes() -> None:
    result = runner.invoke(make_app(), ["ingest", "--help"], env={"COLUMNS": "200"})
    assert "--max-file-mb" in result.stdout and f"default: {MAX_FILE_MB}" in result.stdout
    assert f"{EXIT_SKIPPED}: some stored, some skipped" in result.stdout


def test_progress_lines_come_every_interval_not_every_call() -> None:
    now = [0.0]
    lines: list[str] = []
    progress = ProgressLines(lines.append, clock=lambda: now[0])
    for count in range(1, 40):
        now[0] = count * 1.0  # one file a second
        progress.files(count, f"/docs/{count}.md")
    progress.chunks(0, 640)
    for done in range(64, 641, 64):
        now[0] += 4.0  # a batch every 4 seconds
        progress.chunks(done, 640)
    assert lines == [
        "ingest: 10 file(s) read, last /docs/10.md",
        "ingest: 20 file(s) read, last /docs/20.md",
        "ingest: 30 file(s) read, last /docs/30.md",
        "ingest: embedding 640 chunk(s)",
        "ingest: 192/640 chunks embedded (30%)",
        "ingest: 384/640 chunks embedded (60%)",
        "ingest: 576/640 chunks embedded (90%)",
    ]


def test_search_in_a_missing_collection_names_it(settings: Settings) -> None:
    result = runner.invoke(make_app(), ["kb", "search", "x", "--collection", "nope"], obj=settings)
    _assert_one_line_error(
        result, "no collection named 'nope' (there are none yet: add documents with `agent ingest PATH`)"
    )


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
    assert "Traceback" in result.stderr and "CollectionNotFound" in result.stderr
    assert result.stderr.rstrip().splitlines()[-1].startswith("error: no collection named 'ghost' (")


@pytest.mark.slow
def test_ingest_search_list_drop(warm_model: None, settings: Settings, tmp_path: Path) -> None:
    app = make_app()
    (tmp_path / "notes.xyz").write_text("not a supported type")
    result = runner.invoke(app, ["ingest", *DOCS, str(tmp_path / "notes.xyz")], obj=settings)
    assert result.exit_code == EXIT_SKIPPED, result.stderr  # a file named but not stored
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


@pytest.mark.slow
def test_search_in_a_missing_collection_lists_the_others(warm_model: None, settings: Settings) -> None:
    for name in ("plants", "bikes"):
        open_store(settings, name, create=True)
    result = runner.invoke(make_app(), ["kb", "search", "x", "--collection", "nope"], obj=settings)
    _assert_one_line_error(result, "no collection named 'nope' (collections: bikes, plants)")


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_ingest_skips_bad_files_by_name_stores_the_rest_and_exits_3(
    warm_model: None, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(agent.cli.kb, "PROGRESS_EVERY_S", 0.0)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.md").write_text("# Bees\n\nHoneybees dance to tell the hive where flowers are.\n")
    (docs / "reference.pdf").write_bytes(hostile_files.reference_to_reference_pdf())
    hostile_files.write(docs, b"caf\xe9_\xff.txt", b"Larks sing at dawn over the meadow.")
    hostile_files.write(docs, b"\xff.pdf", b"%PDF-1.4 garbage")
    os.mkfifo(docs / "fifo.txt")
    with (docs / "huge.txt").open("wb") as file:
        file.truncate(21_000_000)
    (docs / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    wide = {"COLUMNS": "400"}  # one table row a line
    monkeypatch.setattr(agent.cli.kb.out, "width", 400)  # also where COLUMNS was fixed at import (xdist: 80)

    result = runner.invoke(make_app(), ["ingest", str(docs)], obj=settings, env=wide)
    assert result.exit_code == EXIT_SKIPPED, result.output
    row = next(line for line in result.stdout.splitlines() if line.startswith("│"))  # the summary's
    assert [cell.strip() for cell in row.strip("│").split("│")] == ["2", "2", "0", "0", "4"]
    skipped = {
        Path(cells[0].strip()).name: cells[1].strip()
        for line in result.stdout.splitlines()
        if line.startswith("│ /") and len(cells := line.strip("│").split("│")) == 2
    }
    assert skipped == {
        "fifo.txt": "named pipe, not a regular file",
        "huge.txt": "too large (21.0 MB, over the 20 MB limit; raise it with --max-file-mb)",
        "reference.pdf": skipped["reference.pdf"],
        "\\xff.pdf": skipped["\\xff.pdf"],  # a name that is not UTF-8, printed with its bytes escaped
    }
    assert skipped["reference.pdf"].startswith("corrupt or unreadable PDF (AttributeError: ")
    assert "Not read: 1 file(s) in the folders of types not supported (.png)." in result.stdout
    assert skipped["\\xff.pdf"].startswith("corrupt or unreadable PDF")
    # stderr is not a terminal here: plain progress lines, and nothing from the parsers.
    assert all(line.startswith("ingest: ") for line in result.stderr.splitlines())
    assert "ingest: embedding 2 chunk(s)" in result.stderr.splitlines()

    raised = runner.invoke(make_app(), ["ingest", str(docs), "--max-file-mb", "30"], obj=settings, env=wide)
    assert raised.exit_code == EXIT_SKIPPED
    assert "binary file (contains NUL bytes)" in raised.stdout and "too large" not in raised.stdout
