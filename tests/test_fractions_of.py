"""A container filled the rest of the way, from how full the words say it is."""

from __future__ import annotations

import pytest

from graphs.planning.fractions_of import to_fill
from tools.calculator import calculate


@pytest.mark.parametrize(
    ("question", "expression", "value"),
    [
        (
            "My tank holds 55 litres and it's a quarter full right now. Fuel is $1.60 per litre. How much will it"
            " cost to fill it up the rest of the way?",
            "55*(1-1/4)*1.6",
            "66",
        ),
        (
            "The pool holds 20000 litres and is 75% full. How many litres to fill it?",
            "20000*(1-75/100)",
            "5000",
        ),
        ("A 60 litre tank is two thirds full. How many litres to top it up?", "60*(1-2/3)", "20"),
    ],
)
def test_the_rest_of_a_container_filled(question: str, expression: str, value: str) -> None:
    assert to_fill(question) == expression
    assert calculate(expression) == value


@pytest.mark.parametrize(
    "question",
    [
        "My tank holds 55 litres and it's a quarter full. How many litres are in it?",  # no filling asked
        "My tank holds 55 litres and it's a quarter full. Fuel is $1.60 per gallon. Cost to fill it?",  # units
        "Two tanks hold 55 and 40 litres and are half full. How much to fill them?",  # which tank
    ],
)
def test_other_questions_stand(question: str) -> None:
    assert to_fill(question) is None
