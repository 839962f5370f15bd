"""Ingest under fire: damaged PDFs, malformed HTML, random bytes and odd names, generated here, never cost
the good files beside them, and nothing but ``UnreadableDocument`` (with a reason) comes out of a loader."""

from __future__ import annotations

import random
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.embeddings.loading import get_embeddings
from tests import hostile_files
from tests.test_retrieval import make_settings
from tools.knowledge_base.ingest import UnreadableDocument, ingest, load_chunks, source_name
from tools.knowledge_base.retrieval import open_store

SUFFIXES = (".pdf", ".html", ".txt", ".md")
GOOD = {
    "bees.md": b"# Bees\n\nHoneybees dance to tell the hive where the flowers are.\n",
    "tides.txt": b"Spring tides follow the new and the full moon.\n",
}


def _load_or_reason(path: Path) -> str:
    """``load_chunks``: "stored" or the reason; any other exception fails the test."""
    try:
        load_chunks(path, max_bytes=1_000_000)
    except UnreadableDocument as exc:
        assert str(exc) and "\n" not in str(exc)
        return str(exc)
    return "stored"


@st.composite
def hostile_file(draw: st.DrawFn) -> tuple[str, bytes]:
    seed = draw(st.integers(0, 2**32 - 1))
    rng = random.Random(seed)
    kind = draw(st.sampled_from(("pdf", "pdf-reference", "html", "bytes")))
    if kind == "pdf":
        return ".pdf", hostile_files.mutated(hostile_files.text_pdf("fuzzed page"), rng)
    if kind == "pdf-reference":
        return ".pdf", hostile_files.mutated(hostile_files.reference_to_reference_pdf(), rng)
    if kind == "html":
        return draw(st.sampled_from((".html", ".htm"))), hostile_files.malformed_html(rng)
    return draw(st.sampled_from(SUFFIXES)), draw(st.binary(max_size=400))


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,  # the same cases on every run: a failure here is a regression, not bad luck
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(case=hostile_file())
def test_loaders_answer_every_hostile_file_with_chunks_or_a_reason(
    case: tuple[str, bytes], tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    suffix, data = case
    path = tmp_path / f"case{suffix}"
    path.write_bytes(data)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a parser's warning escaping the loader fails the test
        _load_or_reason(path)
    assert capfd.readouterr() == ("", "")  # nothing printed by the parsers either


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
def test_good_files_beside_hostile_ones_are_always_stored(
    seed: int, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    get_embeddings(make_settings(tmp_path)).embed_query("warm up")
    rng = random.Random(seed)
    docs = tmp_path / "docs"
    docs.mkdir()
    good = {hostile_files.write(docs, name.encode(), data) for name, data in GOOD.items()}
    good.add(hostile_files.write(docs, b"\xe9t\xe9 \xff.md", b"Larks sing at dawn over the meadow.\n"))
    for n in range(3):
        hostile_files.write(
            docs, b"mutated%d.pdf" % n, hostile_files.mutated(hostile_files.text_pdf("x"), rng)
        )
        hostile_files.write(docs, b"page%d.html" % n, hostile_files.malformed_html(rng))
        hostile_files.write(docs, b"noise%d%s" % (n, rng.choice(SUFFIXES).encode()), rng.randbytes(300))
    hostile_files.write(docs, b"reference.pdf", hostile_files.reference_to_reference_pdf())
    for name in hostile_files.ODD_NAMES:
        hostile_files.write(docs, name, rng.choice((rng.randbytes(200), hostile_files.malformed_html(rng))))

    kb = make_settings(tmp_path / "home")
    report = ingest([docs], kb)

    stored = set(report.files)
    assert {source_name(Path(path).resolve()) for path in good} <= stored
    accounted = [*report.files, *(p for p, _ in report.skipped), *(p for p, _ in report.ignored)]
    assert len(accounted) == len(set(accounted)) == len(list(docs.iterdir()))  # each file once
    assert "reference.pdf" in {Path(p).name for p, _ in report.skipped}
    store = open_store(kb)
    assert store is not None
    for source in stored:
        assert store.get(where={"source": source}, include=[])["ids"], source
    assert capfd.readouterr().err == ""
