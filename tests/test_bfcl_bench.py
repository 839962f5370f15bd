"""bench/bfcl.py's pure parts: BFCL's functions as OpenAI tools, and answers in BFCL's output format.

No wheel and no model are needed; the checks against the ``bfcl-eval`` wheel itself run only when it is
already unpacked in the benchmark's cache (the bench downloads it; tests never do).
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from langchain_core.messages import AIMessage

from bench.bfcl import (
    CATEGORIES,
    DEFAULT_CACHE,
    GORILLA_TO_OPENAPI,
    PYTHON_HINT,
    WHEEL_VERSION,
    baseline_tool_calls,
    decode_ast,
    model_output,
    openai_tools,
    ours_tool_calls,
)

FUNCTION = {
    "name": "math.hypot",
    "description": "Calculate the Euclidean norm.",
    "parameters": {
        "type": "dict",
        "properties": {
            "x": {"type": "integer", "description": "The x-coordinate."},
            "scale": {"type": "float", "description": "A factor."},
            "points": {"type": "array", "items": {"type": "tuple"}, "description": "Points."},
            "options": {"type": "dict", "properties": {"exact": {"type": "bool", "description": "Exact."}}},
            "label": {"description": "No type given."},
        },
        "required": ["x"],
    },
}


def test_functions_become_openai_tools_as_bfcls_openai_handler_sends_them() -> None:
    original = copy.deepcopy(FUNCTION)
    [tool] = openai_tools([FUNCTION])

    assert original == FUNCTION  # the case's own functions are left as they are
    assert tool["type"] == "function"
    function = tool["function"]
    assert function["name"] == "math_hypot"
    assert function["description"] == "Calculate the Euclidean norm." + PYTHON_HINT
    assert function["parameters"]["type"] == "object"
    assert function["parameters"]["required"] == ["x"]
    properties = function["parameters"]["properties"]
    assert properties["x"] == {"type": "integer", "description": "The x-coordinate."}
    assert properties["scale"] == {
        "type": "number",
        "format": "float",
        "description": "A factor. This is a float type value.",
    }
    assert properties["points"]["items"] == {"type": "array"}
    assert properties["options"]["type"] == "object"
    assert properties["options"]["properties"]["exact"]["type"] == "boolean"
    assert properties["label"]["type"] == "string"


def test_tool_calls_are_recorded_as_name_to_json_arguments_and_text_as_text() -> None:
    assert model_output([("math_hypot", {"x": 3})], "") == [{"math_hypot": '{"x": 3}'}]
    assert model_output([("a", '{"y": 1}'), ("b", {})], None) == [{"a": '{"y": 1}'}, {"b": "{}"}]
    assert model_output([], "I cannot help with that.") == "I cannot help with that."


def test_decoding_turns_arguments_into_dicts_and_refuses_text() -> None:
    assert decode_ast([{"f": '{"x": [1, 2]}'}, {"g": "{}"}]) == [{"f": {"x": [1, 2]}}, {"g": {}}]
    with pytest.raises(TypeError):
        decode_ast("no call, just text")
    with pytest.raises(json.JSONDecodeError):
        decode_ast([{"f": "{not json"}])


def test_both_models_answers_give_name_and_arguments_pairs() -> None:
    message = AIMessage(
        content="",
        tool_calls=[{"name": "f", "args": {"x": 1}, "id": "1", "type": "tool_call"}],
        invalid_tool_calls=[
            {"name": "g", "args": "{oops", "id": "2", "error": None, "type": "invalid_tool_call"}
        ],
    )
    assert ours_tool_calls(message) == [("f", {"x": 1}), ("g", "{oops")]

    response: dict[str, Any] = {
        "choices": [
            {
                "message": {
                    "content": None,
                    "tool_calls": [{"function": {"name": "f", "arguments": '{"x": 1}'}}],
                }
            }
        ]
    }
    assert baseline_tool_calls(response) == ([("f", '{"x": 1}')], None)
    text_only = {"choices": [{"message": {"content": "Hello", "tool_calls": None}}]}
    assert baseline_tool_calls(text_only) == ([], "Hello")


WHEEL = DEFAULT_CACHE / WHEEL_VERSION
needs_wheel = pytest.mark.skipif(
    not (WHEEL / "bfcl_eval" / "eval_checker" / "ast_eval" / "ast_checker.py").is_file(),
    reason=f"bfcl-eval {WHEEL_VERSION} is not unpacked in {DEFAULT_CACHE} (run bench/bfcl.py once)",
)


@needs_wheel
def test_our_conversion_matches_the_wheels_convert_to_tool_on_every_case() -> None:
    from bench.bfcl import load_bfcl

    bfcl = load_bfcl(WHEEL)
    assert bfcl.gorilla_to_openapi == GORILLA_TO_OPENAPI
    for category in CATEGORIES:
        for case in bfcl.cases(category, None):
            hinted = bfcl.language_hint(copy.deepcopy(case["function"]), category)
            theirs = bfcl.convert_to_tool(hinted, bfcl.gorilla_to_openapi, bfcl.openai_style)
            assert openai_tools(case["function"]) == theirs, case["id"]


@needs_wheel
def test_the_official_checker_scores_a_right_call_a_wrong_one_and_text() -> None:
    from bench.bfcl import load_bfcl

    bfcl = load_bfcl(WHEEL)
    [case] = bfcl.cases("simple_python", 1)  # calculate_triangle_area(base=10, height=5)
    right = model_output([("calculate_triangle_area", {"base": 10, "height": 5})], "")
    assert bfcl.score(case, "simple_python", right) == (True, "")
    assert not bfcl.score(
        case, "simple_python", model_output([("calculate_triangle_area", {"base": 5})], "")
    )[0]
    assert not bfcl.score(case, "simple_python", "The area is 25.")[0]
    [irrelevant] = bfcl.cases("irrelevance", 1)
    assert bfcl.score(irrelevant, "irrelevance", "I cannot do that.") == (True, "")
    name = irrelevant["function"][0]["name"].replace(".", "_")
    assert bfcl.score(irrelevant, "irrelevance", model_output([(name, {})], ""))[0] is False
