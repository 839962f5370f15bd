"""Unit conversions the planner answers exactly (graphs.planning.conversions): "How many seconds are in an
hour?" is the calculator's, with the factors written out, and never a web search."""

from __future__ import annotations

import pytest
from langchain_core.messages import HumanMessage

from graphs.planning.conversions import conversion_expression
from tools.calculator import calculate


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("How many seconds are in an hour?", "3600"),
        ("How many minutes are there in a day?", "1440"),
        ("how many hours in a week", "168"),
        ("How many days are in 3 weeks?", "21"),
        ("How many days are in three weeks?", "21"),
        ("How many centimetres are in 2.5 metres?", "250"),
        ("How many grams is 3 kilograms?", "3000"),
        ("How many inches are in a foot?", "12"),
        ("How many feet in a mile?", "5280"),
        ("How many seconds are there in 2 days?", "172800"),
        ("Convert 5 km to metres.", "5000"),
        ("How many millilitres are in 1.5 litres?", "1500"),
        ("What is 90 minutes in hours?", "1.5"),
        ("How many minutes is 3 hours?", "180"),
        ("How many hours are 45 minutes?", "0.75"),
    ],
)
def test_a_conversion_is_computed_with_its_factors(question: str, value: str) -> None:
    expression = conversion_expression(question)
    assert expression is not None and calculate(expression) == value


@pytest.mark.parametrize(
    "question",
    [
        "How many hours did I work last week?",
        "How many days until Christmas?",
        "How many people are in a team of 5?",
        "How many metres of fencing do I need for a 12 by 7 garden?",
        "How many seconds are in a kilogram?",
        "What is 2+2?",
        "",
    ],
)
def test_anything_else_is_no_conversion(question: str) -> None:
    assert conversion_expression(question) is None


def test_the_factors_are_shown_step_by_step() -> None:
    assert conversion_expression("How many seconds are in an hour?") == "60*60"
    assert conversion_expression("How many seconds are there in one week?") == "60*60*24*7"
    assert conversion_expression("How many minutes is 3 hours?") == "3*60"
    assert conversion_expression("What is 90 minutes in hours?") == "90/60"


def test_the_planner_sends_a_conversion_to_the_calculator_without_asking_any_model() -> None:
    from graphs.planning.local import LocalPlanner
    from tests.test_planning import web_search
    from tools.calculator import calculator

    class NoModel:
        def __getattr__(self, name: str) -> object:
            raise AssertionError(f"the model was asked for {name}")

    planner = LocalPlanner(NoModel(), [calculator, web_search])  # type: ignore[arg-type]
    step = planner.plan([HumanMessage("How many seconds are in an hour?")])
    assert (step.kind, step.tool_name, step.tool_args) == ("tool_call", "calculator", {"expression": "60*60"})
