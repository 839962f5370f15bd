"""Several tool calls in one answer: the checks that decide whether a further decoded call is made."""

from __future__ import annotations

from typing import Any

import pytest

from agent.models.local.chat_model import ChatLocalLlama
from agent.models.local.grounding import (
    another_part,
    grounded,
    numbers_in,
    takes_values_from,
    without_invented,
    without_values,
)

GAME = "How do I save game progress at stage 7 in easy mode and stage 3 in hard mode?"
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "city": {"type": "string"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        "days": {"type": "integer"},
    },
    "required": ["city", "unit"],
}


def test_numbers_are_read_with_separators_decimals_and_signs() -> None:
    assert numbers_in("Pay $1,200.50 over 12 months at -3.5 or 7%; v2 does not count") == [
        1200.5,
        12.0,
        -3.5,
        7.0,
    ]
    assert numbers_in("Charges of 5C and 1e-9 C, 100m apart, for three days") == [5.0, 1e-9, 100.0, 3.0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (7, True),
        (7.0, True),
        (4, False),
        (0.07, True),  # "7 %" given as a fraction
        ("Hard", True),
        ("hard mode", True),
        ("expert", False),
        ("", False),
        ([7, 3], True),
        ([7, 5], False),
        ({"stage": 3, "mode": "easy"}, True),
        (True, True),
        (None, False),
    ],
)
def test_a_value_is_grounded_when_the_request_writes_it(value: object, expected: bool) -> None:
    assert grounded(value, GAME + " Discount 7%.") is expected


def test_a_further_call_of_the_same_tool_must_ask_for_another_part() -> None:
    first = {"stage": 7, "mode": "easy"}
    assert another_part({"stage": 3, "mode": "hard"}, [first], GAME)
    assert not another_part({"stage": 7, "mode": "easy"}, [first], GAME)  # the same call again
    assert not another_part({"stage": 3, "mode": "easy"}, [first, {"stage": 3, "mode": "hard"}], GAME)
    assert not another_part({"stage": 7, "mode": "hard"}, [first, {"stage": 3, "mode": "hard"}], GAME)
    assert not another_part({"stage": 9, "mode": "easy"}, [first], GAME)  # 9 is not in the request
    # an optional detail added to the same call is not another part of the request
    assert not another_part({"stage": 7, "mode": "easy", "level": "hard"}, [first], GAME)


def test_a_first_call_of_another_tool_takes_every_required_value_from_the_request() -> None:
    request = "What is the weather in Oslo in celsius?"
    assert takes_values_from({"city": "Oslo", "unit": "celsius"}, SCHEMA, request)
    assert takes_values_from({"city": "oslo", "unit": "fahrenheit"}, SCHEMA, request)  # an enum's member
    assert not takes_values_from({"city": "Paris", "unit": "celsius"}, SCHEMA, request)
    assert not takes_values_from({"city": "Oslo"}, SCHEMA, request)  # a required value is missing
    assert takes_values_from({"city": "Oslo", "unit": "celsius", "days": 99}, SCHEMA, request)  # optional


# ------------------------------------------------------------------ the model's further calls (scripted)


def _tool(name: str, *required: str) -> dict[str, object]:
    properties = {field: {"type": "string"} for field in required}
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": f"{name} tool",
            "parameters": {"type": "object", "properties": properties, "required": list(required)},
        },
    }


def _scripted(monkeypatch: pytest.MonkeyPatch, written: dict[str, list[dict[str, object]]]) -> ChatLocalLlama:
    """A model whose decoded arguments for each tool are ``written``, in order; the request each decode
    was shown is recorded in ``asked``."""
    asked: list[str] = []

    def tool_arguments(
        self: ChatLocalLlama, request: str, tool: dict[str, Any], spent: object = None
    ) -> object:
        asked.append(request)
        queue = written[tool["function"]["name"]]
        return queue.pop(0) if queue else None

    monkeypatch.setattr(ChatLocalLlama, "tool_arguments", tool_arguments)
    model = ChatLocalLlama(model="/nonexistent.gguf")
    model.__dict__["asked"] = asked
    return model


def test_further_calls_are_made_for_each_other_part_and_stop_at_a_repeat(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    save = _tool("save_progress", "stage", "mode")
    model = _scripted(
        monkeypatch,
        {"save_progress": [{"stage": "3", "mode": "hard"}, {"stage": "7", "mode": "hard"}]},
    )
    more = model.further_calls(GAME, ("save_progress", {"stage": "7", "mode": "easy"}), [save])
    assert more == [("save_progress", {"stage": "3", "mode": "hard"})]
    assert model.__dict__["asked"] == [  # what is left to ask for: the values called for are struck out
        "How do I save game progress at stage ___ in ___ mode and stage 3 in hard mode?",
        "How do I save game progress at stage ___ in ___ mode and stage ___ in ___ mode?",
    ]


def test_a_single_request_gets_a_single_call(monkeypatch: pytest.MonkeyPatch) -> None:
    weather = _tool("weather", "city")
    model = _scripted(monkeypatch, {"weather": [{"city": "Oslo"}, {"city": "Norway"}]})
    assert model.further_calls("Weather in Oslo?", ("weather", {"city": "Oslo"}), [weather]) == []


def test_another_tool_is_called_when_its_values_come_from_the_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    request = "What is the capital of France, and the population of Canada?"
    capital, population = _tool("capital", "country"), _tool("population", "country")
    model = _scripted(
        monkeypatch,
        {
            "capital": [{"country": "France"}, {"country": "France"}],  # a repeat: not another part
            "population": [{"country": "Canada"}, {"country": "Brazil"}],  # Brazil: not in the request
        },
    )
    more = model.further_calls(request, ("capital", {"country": "France"}), [capital, population])
    assert more == [("population", {"country": "Canada"})]


def test_values_already_called_for_are_struck_out_of_the_request() -> None:
    request = "Boiling points of water and iron at sea levels of 0 meters and 1,000 meters, in Water Works"
    left = without_values(request, [{"substance": "water", "sea_level": 0}])
    assert left == "Boiling points of ___ and iron at sea levels of ___ meters and 1,000 meters, in ___ Works"
    assert without_values(request, [{"substance": "iron", "sea_level": 1000}]) == (
        "Boiling points of water and ___ at sea levels of 0 meters and ___ meters, in Water Works"
    )


def test_optional_values_the_request_does_not_write_are_left_to_the_tool() -> None:
    request = "What is the weather in Oslo in celsius?"
    args = {"city": "Bergen", "unit": "fahrenheit", "days": 1259666754, "detailed": True, "note": "Oslo"}
    schema = {**SCHEMA, "properties": {**SCHEMA["properties"], "detailed": {"type": "boolean"}}}
    # required values stay (whether to call at all is takes_values_from's to decide); an enum's member and
    # a boolean are the schema's own choices; an invented number goes; a value the request writes stays
    assert without_invented(args, schema, request) == {
        "city": "Bergen",
        "unit": "fahrenheit",
        "detailed": True,
        "note": "Oslo",
    }


def _planned(
    monkeypatch: pytest.MonkeyPatch,
    request: str,
    written: dict[str, object],
    ranked: list[str],
    *more: dict[str, object],
    parallel: bool = True,
) -> Any:
    """What the model plans for ``request`` when it ranks the options ``ranked`` and decodes ``written``
    (then ``more``, for further calls)."""
    from langchain_core.messages import HumanMessage

    monkeypatch.setattr(ChatLocalLlama, "rank_tools", lambda self, *args, **kwargs: list(ranked))
    model = _scripted(monkeypatch, {"weather": [written, *more]})
    return model._plan([HumanMessage(request)], [WEATHER], None, None, parallel=parallel)


WEATHER = _tool("weather", "city")


def test_a_call_is_made_when_the_request_holds_its_values_whatever_the_likelihoods(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plan = _planned(monkeypatch, "Weather in Oslo?", {"city": "Oslo"}, ["answer", "weather"])
    assert (plan.kind, plan.tool_name, plan.tool_args, plan.more_calls) == (
        "tool_call",
        "weather",
        {"city": "Oslo"},
        [],
    )


def test_no_call_is_made_on_values_the_model_made_up(monkeypatch: pytest.MonkeyPatch) -> None:
    plan = _planned(monkeypatch, "What should I wear today?", {"city": "London"}, ["weather", "answer"])
    assert (plan.kind, plan.route) == ("generate", "model")


def test_parallel_tool_calls_false_makes_one_call(monkeypatch: pytest.MonkeyPatch) -> None:
    request = "Weather in Oslo and in Rome?"
    both = _planned(monkeypatch, request, {"city": "Oslo"}, ["weather", "answer"], {"city": "Rome"})
    assert both.more_calls == [("weather", {"city": "Rome"})]
    one = _planned(
        monkeypatch, request, {"city": "Oslo"}, ["weather", "answer"], {"city": "Rome"}, parallel=False
    )
    assert (one.tool_args, one.more_calls) == ({"city": "Oslo"}, [])
