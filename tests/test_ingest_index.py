"""Incremental ingest through LangChain's indexing API: what is embedded again, what is removed, and what
a killed run or a collection from before the records leaves behind. Real Chroma, real local embeddings."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import tools.knowledge_base.ingest
from agent.embeddings.loading import get_embeddings
from agent.settings import Settings
from tests.test_retrieval import CORPUS, make_settings
from tools.knowledge_base.ingest import chunk_id, ingest, load_chunks
from tools.knowledge_base.retrieval import open_store, search

REPO = Path(__file__).parent.parent


@pytest.fixture
def kb(tmp_path: Path) -> Settings:
    get_embeddings(make_settings(tmp_path)).embed_query("warm up")
    return make_settings(tmp_path / "home")


def _stored(settings: Settings) -> dict[str, tuple[str, dict[str, Any]]]:
    """Every chunk of the default collection: id -> (text, metadata)."""
    store = open_store(settings)
    assert store is not None
    got = store.get(include=["documents", "metadatas"])
    rows = zip(got["ids"], got["documents"], got["metadatas"], strict=True)
    return {ident: (text, dict(meta)) for ident, text, meta in rows}


@pytest.mark.slow
def test_an_extensionless_readme_is_ingested_and_found(kb: Settings, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "README").write_text("Larkspur is a garden planner that warns you before the first frost.\n")
    (docs / "program").write_bytes(b"\x7fELF\x02\x01\x01\x00\x00")
    report = ingest([docs], kb)
    readme = str((docs / "README").resolve())
    assert (report.files, report.chunks_added) == ([readme], 1)
    (hit,) = search("which tool tells me about frost", kb, k=1)
    assert (hit.source, hit.chunk_id) == (readme, chunk_id(readme, hit.text))


@pytest.mark.slow
def test_a_file_longer_than_a_batch_is_neither_embedded_again_nor_left_with_stale_chunks(
    kb: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tools.knowledge_base.ingest, "INDEX_BATCH", 1)  # the indexing API's batch too
    docs = tmp_path / "docs"
    docs.mkdir()
    faq = docs / "faq.md"
    shutil.copy(CORPUS / "bike_tubeless_faq.md", faq)
    first = ingest([docs], kb, batch_size=1)
    old = {c.id for c in load_chunks(faq.resolve())}
    assert first.chunks_added == len(old) >= 3  # more batches than one

    again = ingest([docs], kb, batch_size=1)
    assert (again.chunks_added, again.chunks_removed, again.chunks_unchanged) == (0, 0, len(old))

    text = faq.read_text()
    faq.write_text(text.replace("sealant", "latex sealant", 1))
    new = {c.id for c in load_chunks(faq.resolve())}
    assert 1 <= len(new - old) < len(new)
    changed = ingest([docs], kb, batch_size=1)
    assert (changed.chunks_added, changed.chunks_removed) == (len(new - old), len(old - new))
    assert changed.chunks_unchanged == len(new & old)
    assert set(_stored(kb)) == new


KILLED_INGEST = """
import sys
from pathlib import Path
from tests.test_retrieval import make_settings
from tools.knowledge_base.ingest import ingest

def progress(done, total):
    print(done, total, flush=True)

ingest([Path(sys.argv[2])], make_settings(Path(sys.argv[1])), progress=progress, batch_size=1)
print("finished", flush=True)
"""


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_run_killed_midway_then_run_again_stores_what_one_clean_run_does(
    kb: Settings, tmp_path: Path
) -> None:
    docs = tmp_path / "docs"
    shutil.copytree(CORPUS, docs)
    killed_home = tmp_path / "killed"
    run = subprocess.Popen(
        [sys.executable, "-c", KILLED_INGEST, str(killed_home), str(docs)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert run.stdout is not None
    done = total = 0
    try:
        for line in run.stdout:
            done, total = map(int, line.split())
            if done >= 3:
                os.kill(run.pid, signal.SIGKILL)
                break
    finally:
        run.wait()
    assert run.returncode == -signal.SIGKILL
    assert 3 <= done < total  # killed in the middle of embedding

    killed = make_settings(killed_home)
    resumed = ingest([docs], killed)
    assert resumed.chunks_unchanged >= 3 and resumed.chunks_added == total - resumed.chunks_unchanged
    clean = ingest([docs], kb)
    assert clean.chunks_added == total
    assert _stored(killed) == _stored(kb)


@pytest.mark.slow
def test_a_collection_stored_before_the_records_gets_no_duplicates(kb: Settings, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    notes = docs / "greenhouse.txt"
    original = (CORPUS / "greenhouse_notes.txt").read_text()
    notes.write_text(original)
    shutil.copy(CORPUS / "saffron_lentil_soup.txt", docs / "soup.txt")
    # As the ingest before the indexing API stored them: ids, texts and metadata, nothing else.
    store = open_store(kb, create=True)
    assert store is not None
    before = [chunk for path in sorted(docs.iterdir()) for chunk in load_chunks(path.resolve())]
    store.add_texts(
        [c.text for c in before], metadatas=[c.metadata for c in before], ids=[c.id for c in before]
    )

    unchanged = ingest([docs], kb)
    assert (unchanged.chunks_added, unchanged.chunks_removed, unchanged.chunks_unchanged) == (
        0,
        0,
        len(before),
    )
    assert set(_stored(kb)) == {c.id for c in before}

    notes.write_text(original.replace("every ten days", "every fortnight with seaweed extract"))
    old = {c.id for c in before if c.metadata["source"] == str(notes.resolve())}
    new = {c.id for c in load_chunks(notes.resolve())}
    edited = ingest([docs], kb)
    assert (edited.chunks_added, edited.chunks_removed) == (len(new - old), len(old - new))
    soup = {c.id for c in before} - old
    assert set(_stored(kb)) == new | soup
