"""The planner's training data (agent.training): reproducible, filtered by the real calculator, held-out
shapes kept apart. Fast and torch-free, except the tests that import the ``train`` extra (skipped without it)."""

from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path

import pytest

from agent.training.build import read_jsonl, verified, write_splits
from agent.training.examples import Example, Step, parse_call
from agent.training.problems import HELD_OUT, TRAIN_TEMPLATES
from agent.training.wordings import number_words


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("data")
    write_splits(0, out)
    return out


def test_the_same_seed_writes_the_same_bytes_and_another_seed_other_data(built: Path, tmp_path: Path) -> None:
    write_splits(0, tmp_path / "again")
    for name in ("train.jsonl", "heldout.jsonl", "seen_test.jsonl", "stats.json"):
        assert (tmp_path / "again" / name).read_bytes() == (built / name).read_bytes()
    write_splits(1, tmp_path / "other")
    assert (tmp_path / "other" / "train.jsonl").read_bytes() != (built / "train.jsonl").read_bytes()


def test_every_calculator_call_kept_gives_the_known_answer(built: Path) -> None:
    for split in ("train", "heldout", "seen_test"):
        for example in read_jsonl(built / f"{split}.jsonl"):
            if example.tool == "calculator":
                assert verified(example.argument, Fraction(example.answer)) is not None, example.prompt


def test_the_filter_drops_a_call_whose_result_is_wrong() -> None:
    # 9 trays of 17 rolls, 73 sold: 9*17-73 = 80; the shortcut 9*73 is dropped, and so is a dropped decimal point.
    assert verified("9*17-73", Fraction(80)) == "80"
    assert verified("9*73", Fraction(80)) is None
    assert verified("65*4", Fraction(26)) is None
    assert verified("6.5*4", Fraction(26)) == "26"
    assert verified("1/0", Fraction(1)) is None


def test_held_out_shapes_never_occur_in_the_training_split(built: Path) -> None:
    assert not set(TRAIN_TEMPLATES) & set(HELD_OUT)
    train = read_jsonl(built / "train.jsonl")
    heldout = read_jsonl(built / "heldout.jsonl")
    shapes = {e.template for e in heldout} - {"documents", "web", "small_talk"}
    assert shapes and not shapes & {e.template for e in train}
    train_prompts = {e.prompt for e in train}
    assert not any(e.prompt in train_prompts for e in heldout)
    assert not any(e.prompt in train_prompts for e in read_jsonl(built / "seen_test.jsonl"))


def test_numbers_come_as_digits_words_decimals_and_everyday_quantities(built: Path) -> None:
    questions = [e.steps[0].text for e in read_jsonl(built / "train.jsonl") if e.tool == "calculator"]
    text = "\n".join(questions)
    assert re.search(r"\b\d+\.\d0\b", text)  # a price as written, e.g. 86.40
    assert re.search(r"\b\d+\.5\b", text)  # e.g. 6.5
    for phrase in ("two weeks", "a quarter", "half", "twenty", "a dozen"):
        assert phrase in text, phrase
    kinds = json.loads((built / "stats.json").read_text())["kinds"]["train"]
    assert {
        "calculator",
        "follow_up",
        "lookup_search",
        "lookup_compute",
        "search_documents",
        "web_search",
        "answer",
    } <= set(kinds)


def test_a_follow_up_computes_on_the_previous_result(built: Path) -> None:
    follow_ups = [e for e in read_jsonl(built / "train.jsonl") if e.kind == "follow_up"]
    assert follow_ups
    for example in follow_ups[:50]:
        previous = next(step.text for step in example.steps if step.kind == "result")
        assert example.argument.startswith(previous)


def test_an_example_renders_as_a_transcript_whose_target_is_the_call() -> None:
    example = Example(
        "follow_up",
        "divide",
        (
            Step("user", "What is 12 times 12?"),
            Step("call", "calculator(12*12)"),
            Step("result", "144"),
            Step("user", "And divided by 3?"),
        ),
        "calculator",
        "144/3",
        "48",
    )
    assert (
        example.prompt
        == "User: What is 12 times 12?\nCall: calculator(12*12)\nResult: 144\nUser: And divided by 3?\nCall:"
    )
    assert example.target == " calculator(144/3)\n"
    assert Example.from_record(json.loads(json.dumps(example.to_record()))) == example
    assert parse_call(example.target) == ("calculator", "144/3")
    assert parse_call(" answer\n") == ("answer", "")
    assert parse_call(" The answer is 48") is None


def test_an_expression_shape_ignores_its_numbers() -> None:
    from agent.training.problems import skeleton

    assert skeleton("(74+140)/(1+2)") == "(n+n)/(n+n)"
    assert skeleton("86.40 * 3") == "n*n"


def test_number_words() -> None:
    assert number_words(21) == "twenty-one"
    assert number_words(112) == "one hundred and twelve"
    assert number_words(21340) == "twenty-one thousand three hundred and forty"


def test_the_adapter_tensors_are_named_as_llama_cpp_expects(tmp_path: Path) -> None:
    gguf = pytest.importorskip("gguf")
    import numpy as np

    from agent.training.export import gguf_tensor_name, write_lora_gguf

    assert (
        gguf_tensor_name("base_model.model.model.layers.3.mlp.down_proj.lora_B.weight")
        == "blk.3.ffn_down.weight.lora_b"
    )
    weights = {
        "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight": np.ones((16, 640), np.float32),
        "base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight": np.ones((1024, 16), np.float32),
    }
    path = tmp_path / "adapter.gguf"
    assert write_lora_gguf(weights, path, alpha=32) == 2
    reader = gguf.GGUFReader(str(path))
    assert {"general.type", "adapter.type", "adapter.lora.alpha"} <= set(reader.fields)
    shapes = {t.name: list(t.shape) for t in reader.tensors}
    assert shapes == {"blk.0.attn_q.weight.lora_a": [640, 16], "blk.0.attn_q.weight.lora_b": [16, 1024]}


def test_only_target_tokens_are_scored() -> None:
    pytest.importorskip("transformers")
    pytest.importorskip("peft")
    from agent.training.train import Encoded, batch_tensors

    ids, mask, where, labels = batch_tensors([Encoded((2, 10, 11, 12), 3), Encoded((2, 20, 21), 1)], pad=0)
    assert ids.tolist() == [[2, 10, 11, 12], [2, 20, 21, 0]]
    assert mask.tolist() == [[1, 1, 1, 1], [1, 1, 1, 0]]
    assert where.tolist() == [[0, 1, 1], [2, 0, 1]]  # the positions before each target token
    assert labels.tolist() == [12, 20, 21]


def test_the_data_builder_never_reads_the_held_out_eval_suites() -> None:
    import subprocess
    import sys

    code = "import sys, agent.training.build; print(sorted(m for m in sys.modules if m.startswith('agent.evaluation')))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
