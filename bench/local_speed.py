"""Tokens per second of ``ChatLocalLlama`` against raw llama-cpp-python on the same prompt.

Both run on the same loaded ``Llama`` with the same prompt text, sampling parameters and stop sequences
(greedy, so both produce the same tokens), interleaved ``--reps`` times with the KV cache reset before
each run so neither profits from the other's prompt. Reported: completion tokens per wall-clock second
(prompt evaluation included), time to first token, and our rate as a share of raw.

``--no-extra-buffers`` loads the model without llama.cpp's extra buffer types (weight repacking, AMX), the
fallback used when the installed llama.cpp has AMX kernels; the output names the compiled CPU features, so
builds can be compared by running this under each.

Usage::

    .venv/bin/python bench/local_speed.py [--reps 5] [--max-tokens 128] [--no-extra-buffers]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from langchain_core.messages import HumanMessage

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agent.models.llama_build import system_info, without_extra_buffer_types  # noqa: E402
from agent.models.local.chat_model import ChatLocalLlama, load_local_model  # noqa: E402
from agent.models.local.transcript import messages_to_turns, render_plain  # noqa: E402
from agent.settings import Settings  # noqa: E402

QUESTION = "Write a detailed story about a lighthouse keeper who finds a message in a bottle."


def run_raw(model: ChatLocalLlama, prompt: str, params: dict[str, Any]) -> tuple[float, float, int, str]:
    llm = model.engine.llm
    llm.reset()
    started = time.perf_counter()
    first = None
    text = ""
    for chunk in llm.create_completion(prompt, stream=True, **params):
        piece = chunk["choices"][0]["text"]  # type: ignore[index]
        if piece and first is None:
            first = time.perf_counter()
        text += piece
    elapsed = time.perf_counter() - started
    tokens = len(llm.tokenize(text.encode(), add_bos=False))
    return elapsed, (first or time.perf_counter()) - started, tokens, text


def run_ours(model: ChatLocalLlama, params: dict[str, Any]) -> tuple[float, float, int, str]:
    model.engine.llm.reset()
    started = time.perf_counter()
    first = None
    text = ""
    usage = None
    for chunk in model.stream([HumanMessage(QUESTION)], temperature=params["temperature"]):
        if chunk.text and first is None:
            first = time.perf_counter()
        text += chunk.text
        usage = chunk.usage_metadata or usage
    elapsed = time.perf_counter() - started
    tokens = len(model.engine.llm.tokenize(text.encode(), add_bos=False))
    del usage
    return elapsed, (first or time.perf_counter()) - started, tokens, text


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--threads", type=int, default=0, help="llama.cpp threads (default: all cores)")
    parser.add_argument(
        "--no-extra-buffers", action="store_true", help="load without weight repacking and AMX buffers"
    )
    args = parser.parse_args()

    loaded = load_local_model(None, Settings())
    assert isinstance(loaded, ChatLocalLlama)
    update: dict[str, Any] = {"max_tokens": args.max_tokens}
    if args.threads:
        update["n_threads"] = args.threads
    model = loaded.model_copy(update=update)
    prompt = render_plain(messages_to_turns([HumanMessage(QUESTION)]))
    params = model._sampling(None, {"temperature": 0.0})
    if args.no_extra_buffers:
        with without_extra_buffer_types():
            model.engine  # noqa: B018 - loads the model inside the block
    run_ours(model, params)  # warm-up: load, first allocation

    raw_runs, our_runs = [], []
    raw_cpu_rates = []  # tokens per CPU second: what a busy machine distorts least (with --threads 1)
    for _ in range(args.reps):
        cpu_started = time.process_time()
        raw_runs.append(run_raw(model, prompt, params))
        raw_cpu_rates.append(raw_runs[-1][2] / (time.process_time() - cpu_started))
        our_runs.append(run_ours(model, params))

    def rate(runs: list[tuple[float, float, int, str]]) -> float:
        return statistics.median(tokens / elapsed for elapsed, _, tokens, _ in runs)

    def ttft(runs: list[tuple[float, float, int, str]]) -> float:
        return statistics.median(first for _, first, _, _ in runs)

    result = {
        "prompt_tokens": len(model.engine.tokenize(prompt)),
        "completion_tokens": {"raw": raw_runs[0][2], "ours": our_runs[0][2]},
        "same_text": raw_runs[0][3].strip() == our_runs[0][3].strip(),
        "tokens_per_s": {"raw": round(rate(raw_runs), 2), "ours": round(rate(our_runs), 2)},
        "time_to_first_token_s": {"raw": round(ttft(raw_runs), 3), "ours": round(ttft(our_runs), 3)},
        "ours_vs_raw": round(rate(our_runs) / rate(raw_runs), 3),
        "raw_tokens_per_cpu_s": round(statistics.median(raw_cpu_rates), 2),
        "threads": model.n_threads,
        "extra_buffer_types": not args.no_extra_buffers,
        "llama_cpp_features": system_info().strip(),
        "reps": args.reps,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
