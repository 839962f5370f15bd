"""Follow-ups that are plain arithmetic on the previous result ("Add 9 to that.")."""

from __future__ import annotations

import pytest

from graphs.planning.references import referenced_expression
from graphs.planning.rules import calculator_answer
from tests.test_trained_planner import previous_result
from tools.calculator import calculate


@pytest.mark.parametrize(
    ("follow_up", "value"),
    [
        ("What's the square root of that?", "12"),
        ("Add 9 to that.", "153"),
        ("Now subtract 44 from the result.", "100"),
        ("and that divided by 3?", "48"),
        ("Double it.", "288"),
        ("What is that squared?", "20736"),
    ],
)
def test_arithmetic_on_the_previous_result_is_read_exactly(follow_up: str, value: str) -> None:
    expression = referenced_expression(previous_result("What is 12 times 12?", "12*12", follow_up))
    assert expression is not None and calculate(expression) == value


@pytest.mark.parametrize(
    "follow_up",
    [
        "What is that in euros?",
        "Is that right?",
        "Add that to that.",  # two references
        "And divided by 3?",  # no reference word: the planner's
        "How much would 10 of them cost then?",
    ],
)
def test_anything_else_is_left_to_the_planner(follow_up: str) -> None:
    assert referenced_expression(previous_result("What is 12 times 12?", "12*12", follow_up)) is None


def test_a_calculator_answer_shows_the_calculation_unless_it_is_the_number_itself() -> None:
    assert calculator_answer("2*12", "24") == "2 × 12 = 24."
    assert calculator_answer("24", "24") == "24."  # "two dozen" -> calculator(24): not "24 = 24."
