"""The llama.cpp engine behind the embedded model: one loaded model per process and configuration, prompt-prefix
reuse, completion, streaming, option scoring and grammar-constrained decoding."""

from __future__ import annotations

import atexit
import ctypes
import itertools
import logging
import os
import threading
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.models.llama_build import safe_model_load

if TYPE_CHECKING:
    import numpy as np


logger = logging.getLogger(__name__)

REUSE_ALIGNMENT = 64
"""A cached prompt prefix is reused up to a multiple of this many tokens (see ``Engine._reuse_aligned_prefix``)."""

WIDE_TOP_K = 2048
"""Second stage of constrained decoding, before the whole vocabulary (see ``Engine.constrained``)."""


@dataclass
class Completion:
    """What one generation produced."""

    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str = "stop"


# A no-op log sink for llama.cpp's C logger: with ``verbose=False`` some messages (e.g. the SWA cache
# notice) still reach stderr through llama-cpp-python's own callback. Kept at module level so ctypes
# does not free the callback while llama.cpp holds it.
_LOG_SINK: Any = None


def _silence_llama_cpp() -> None:
    global _LOG_SINK
    if _LOG_SINK is None:
        import llama_cpp

        @llama_cpp.llama_log_callback
        def sink(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
            if level == 3:  # GGML_LOG_LEVEL_ERROR: keep in Python logging, off the terminal
                logger.debug("llama.cpp: %s", text.decode("utf-8", "replace").rstrip())

        _LOG_SINK = sink
        llama_cpp.llama_log_set(sink, ctypes.c_void_p(0))


class Engine:
    """One loaded GGUF and the lock that serialises its use (a llama.cpp context is not thread-safe)."""

    def __init__(self, path: str, n_ctx: int, n_threads: int, lora_path: str | None = None) -> None:
        _silence_llama_cpp()
        import llama_cpp

        self.path = path
        self.lora_path = lora_path
        self.lock = threading.Lock()  # not RLock: async streaming releases it from another thread

        def load(context: int) -> llama_cpp.Llama:
            return llama_cpp.Llama(
                model_path=path,
                lora_path=lora_path,
                n_ctx=context,
                n_threads=n_threads,
                n_threads_batch=n_threads,
                verbose=False,
            )

        with safe_model_load():
            self.llm = load(n_ctx)
            metadata = dict(self.llm.metadata)
            architecture = metadata.get("general.architecture", "")
            trained = int(metadata.get(f"{architecture}.context_length", n_ctx) or n_ctx)
            if trained < n_ctx:  # never ask for more context than the model was trained on
                self.llm = load(trained)
        self.n_ctx = self.llm.n_ctx()
        self.metadata = metadata
        self.model_name = metadata.get("general.name") or Path(path).stem
        self.chat_template: str | None = metadata.get("tokenizer.chat_template")
        vocab = llama_cpp.llama_model_get_vocab(self.llm.model)
        self.vocab = vocab
        self._eog = sorted(
            {
                int(token)
                for token in (llama_cpp.llama_vocab_eos(vocab), llama_cpp.llama_vocab_eot(vocab))
                if int(token) >= 0
            }
        )

    # -- tokens
    def tokenize(self, text: str, *, bos: bool = True) -> list[int]:
        """Tokens of ``text``; special-token text in it stays plain text (no injected turn markers)."""
        return self.llm.tokenize(text.encode("utf-8"), add_bos=bos, special=False)

    def count(self, text: str) -> int:
        return len(self.tokenize(text, bos=False))

    def fit(self, tokens: list[int], limit: int) -> list[int]:
        """The last resort against overflow: keep BOS and the last ``limit - 1`` tokens."""
        if len(tokens) <= limit:
            return tokens
        return tokens[:1] + tokens[len(tokens) - limit + 1 :]

    def _reuse_aligned_prefix(self, tokens: list[int]) -> None:
        """Keep the cached evaluation of ``tokens``' prefix, cut down to a multiple of ``REUSE_ALIGNMENT``.

        Greedy decoding is only reproducible this way. llama.cpp's matrix kernels treat the rows of a batch in
        tiles, and a row computed in a tile gets slightly different logits than the same row computed alone
        (measured: up to 0.94 in a logit), so a prompt evaluated partly from an earlier call's cache could
        decode differently from the same prompt evaluated whole ("...go there." vs "...see the sea"). Batches
        that start at a multiple of 64 tile the rows exactly as a whole evaluation does (measured: identical
        logits, tests/test_local_model.py), so the shared prefix is still not evaluated twice.
        """
        keep = self._cached_prefix(tokens)
        self.llm.n_tokens = keep - keep % REUSE_ALIGNMENT

    def _cached_prefix(self, tokens: list[int]) -> int:
        """How many leading ``tokens`` the cache holds, leaving at least one to evaluate for fresh logits."""
        cached = self.llm.input_ids[: self.llm.n_tokens].tolist()
        common = 0
        for a, b in zip(cached, tokens, strict=False):
            if a != b:
                break
            common += 1
        return max(0, min(common, len(tokens) - 1))

    # -- plain generation
    def complete(self, tokens: list[int], **params: Any) -> Completion:
        with self.lock:
            self._reuse_aligned_prefix(tokens)
            response = self.llm.create_completion(tokens, stream=False, **params)
        choice = response["choices"][0]  # type: ignore[index]
        usage = response["usage"]  # type: ignore[index]
        return Completion(
            choice["text"],
            usage["prompt_tokens"],
            usage["completion_tokens"],
            choice["finish_reason"] or "stop",
        )

    def stream(self, tokens: list[int], **params: Any) -> Generator[tuple[str, str | None], None, None]:
        """``(text, finish_reason)`` pieces; holds the lock until the stream is exhausted or closed."""
        with self.lock:
            self._reuse_aligned_prefix(tokens)
            for chunk in self.llm.create_completion(tokens, stream=True, **params):
                choice: Any = chunk["choices"][0]  # type: ignore[index]
                yield choice["text"], choice.get("finish_reason")

    # -- scoring and constrained decoding (hand-written: see constrained())
    def _eval(self, tokens: list[int]) -> np.ndarray:
        """Evaluate ``tokens`` reusing the cached prefix; the logits after the last one."""
        import llama_cpp
        import numpy as np

        llm = self.llm
        prefix = self._cached_prefix(tokens)
        llm.n_tokens = prefix
        llm.eval(tokens[prefix:])
        pointer = llama_cpp.llama_get_logits_ith(llm.ctx, -1)
        return np.ctypeslib.as_array(pointer, shape=(llm.n_vocab(),)).copy()

    def score_options(self, prompt: str, options: Sequence[str]) -> list[float]:
        """The log-likelihood of each option as the continuation of ``prompt`` (one forward pass each
        token; the prompt's KV cache is shared)."""
        import numpy as np

        with self.lock:
            base = self.fit(self.tokenize(prompt), self.n_ctx - 16)
            self._reuse_aligned_prefix(base)
            first = self._eval(base)
            first_lp = first - np.logaddexp.reduce(first)
            scores: list[float] = []
            for option in options:
                tokens = self.tokenize(option, bos=False)
                total = float(first_lp[tokens[0]])
                context = list(base)
                for previous, token in itertools.pairwise(tokens):
                    context.append(previous)
                    logits = self._eval(context)
                    total += float(logits[token] - np.logaddexp.reduce(logits))
                scores.append(total)
            return scores

    def constrained(
        self, prompt: str, gbnf: str, *, max_tokens: int, top_k: int = 64, repeat_penalty: float = 1.3
    ) -> Completion:
        """Greedy decoding of ``prompt``'s continuation under grammar ``gbnf``.

        Hand-written rather than ``create_completion(grammar=...)``: llama-cpp-python applies the grammar to
        the whole 262k-token vocabulary at every step (measured ~1.5 s/token here, ~10x plain decoding).
        We check only the ``top_k`` likeliest tokens (plus end-of-generation), then the ``WIDE_TOP_K``
        likeliest, and the whole vocabulary only when none of those fits, as llama.cpp's own
        ``common/sampling`` falls back from the sampled token to the full set. The grammar
        engine is still llama.cpp's, so the output is exactly as constrained. Tokens already generated
        are penalised (beyond their second occurrence, more each time): greedy decoding otherwise loops
        ("10000000...").
        """
        import llama_cpp
        import numpy as np

        record = np.dtype([("id", np.int32), ("logit", np.float32), ("p", np.float32)])
        with self.lock:
            llm = self.llm
            tokens = self.fit(self.tokenize(prompt), self.n_ctx - max_tokens - 1)
            sampler = llama_cpp.llama_sampler_init_grammar(self.vocab, gbnf.encode("utf-8"), b"root")
            if not sampler:
                raise ValueError("llama.cpp rejected the grammar")
            generated: list[int] = []
            finish = "length"
            try:
                self._reuse_aligned_prefix(tokens)
                logits = self._eval(tokens)
                for _ in range(max_tokens):
                    if generated and repeat_penalty != 1.0:
                        seen, counts = np.unique(np.asarray(generated[-64:]), return_counts=True)
                        often = counts > 2  # digits repeat legitimately ("11", "100"); loops repeat more
                        factor = repeat_penalty ** (counts[often] - 2).astype(np.float32)
                        hit = seen[often]
                        logits[hit] = np.where(logits[hit] > 0, logits[hit] / factor, logits[hit] * factor)
                    token = self._pick(sampler, logits, top_k, record)
                    if token is None or token in self._eog:
                        finish = "stop"
                        break
                    llama_cpp.llama_sampler_accept(sampler, token)
                    generated.append(token)
                    tokens.append(token)
                    logits = self._eval(tokens)
            finally:
                llama_cpp.llama_sampler_free(sampler)
            text = llm.detokenize(generated).decode("utf-8", errors="replace")
            return Completion(text, len(tokens) - len(generated), len(generated), finish)

    def _pick(self, sampler: Any, logits: np.ndarray, top_k: int, record: np.dtype) -> int | None:
        import llama_cpp
        import numpy as np

        wide = min(WIDE_TOP_K, logits.shape[0] - 1)
        stages = (
            lambda: np.union1d(np.argpartition(logits, -top_k)[-top_k:], self._eog),
            lambda: np.argpartition(logits, -wide)[-wide:],  # forced text (keys, quotes) ranks low
            lambda: np.arange(logits.shape[0]),
        )
        for stage in stages:
            candidates = stage()
            data = np.zeros(candidates.shape[0], dtype=record)
            data["id"] = candidates
            data["logit"] = logits[candidates]
            array = llama_cpp.llama_token_data_array(
                data=data.ctypes.data_as(llama_cpp.llama_token_data_p),
                size=data.shape[0],
                selected=-1,
                sorted=False,
            )
            llama_cpp.llama_sampler_apply(sampler, ctypes.byref(array))
            allowed = np.isfinite(data["logit"])
            if allowed.any():
                best = int(np.argmax(np.where(allowed, data["logit"], -np.inf)))
                return int(data["id"][best])
        return None


_ENGINES: dict[tuple[str, int, int, str | None], Engine] = {}
PRIOR_SCORES: dict[tuple[str, str, tuple[str, ...]], list[float]] = {}
"""Log-likelihood of each tool name for an empty request, per tool list (for calibration)."""
_ENGINES_LOCK = threading.Lock()


@atexit.register
def _close_engines() -> None:
    # Free the models while the interpreter is whole: llama-cpp-python's own finaliser runs during teardown,
    # when its globals may already be gone, and prints a TypeError traceback on exit.
    with _ENGINES_LOCK:
        for engine in _ENGINES.values():
            engine.llm.close()
        _ENGINES.clear()


def engine_for(path: str, n_ctx: int, n_threads: int, lora_path: str | None = None) -> Engine:
    """The process-wide engine for this model file and configuration (loaded on first use); ``lora_path``: a
    llama.cpp LoRA adapter (GGUF) applied on top of the model."""
    lora = str(Path(lora_path).resolve()) if lora_path else None
    key = (str(Path(path).resolve()), n_ctx, n_threads, lora)
    with _ENGINES_LOCK:
        if key not in _ENGINES:
            _ENGINES[key] = Engine(key[0], n_ctx, n_threads, lora)
        return _ENGINES[key]


def default_threads() -> int:
    """All cores this process may use (llama.cpp generation is memory-bound; more threads do not help)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)
