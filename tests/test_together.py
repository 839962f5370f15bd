"""Work done together, read without a model (``graphs.planning.together``): times for one job combine as
rates, rates add."""

from __future__ import annotations

import pytest
from langchain_core.messages import HumanMessage

from graphs.planning.local import DIMENSIONS_ROUTE
from graphs.planning.together import together_expression
from tests.test_dimensions import planner
from tools.calculator import calculate


@pytest.mark.parametrize(
    ("question", "expression", "value"),
    [
        (
            "I can paint the fence on my own in 6 hours, my friend can do it in 3 hours. Working together, how many"
            " hours will it take?",
            "1/(1/6+1/3)",
            "2",
        ),
        (
            "Pipe A fills a tank in 4 hours and pipe B in 6 hours. How long to fill it with both open?",
            "1/(1/4+1/6)",
            "2.4",
        ),
        (
            "Tom mows a lawn in 40 minutes and Sam in 60 minutes. Together, how many minutes?",
            "1/(1/40+1/60)",
            "24",
        ),
        (
            "Filling a 1500 litre pool with two hoses at once: one does 15 litres a minute and the other 10 litres a"
            " minute. How many minutes until it's full?",
            "1500/(15+10)",
            "60",
        ),
        (
            "A 1200 L water tank has 240 L in it. It fills at 15 L per minute but leaks 3 L per minute at the same"
            " time. How many minutes until it's full?",
            "(1200-240)/(15-3)",
            "80",
        ),
        (
            "A bath holds 150 litres. The tap runs at 12 litres a minute while the plug hole drains 2 litres a minute"
            " at the same time. How many minutes to fill it?",
            "150/(12-2)",
            "15",
        ),
    ],
)
def test_doers_at_once(question: str, expression: str, value: str) -> None:
    assert together_expression(question) == expression
    assert calculate(expression) == value


@pytest.mark.parametrize(
    "question",
    [
        "Two taps drain a 300 L tank at 10 L and 20 L a minute together. How many minutes?",  # all against
        "Tom mows a lawn in 40 minutes and Sam in 1 hour. Together, how many minutes?",  # two units
        "Anna takes 3 hours and Ben takes 5 hours. How many hours in all?",  # not said to work at once
        "Together we have 12 apples and 3 pears. How many apples?",  # no time asked
    ],
)
def test_other_questions_are_left_alone(question: str) -> None:
    assert together_expression(question) is None


def test_the_planner_reads_work_done_together_without_a_model() -> None:
    question = "Pipe A fills a tank in 4 hours and pipe B in 6 hours. How long to fill it with both open?"
    step = planner().exact_calculation([HumanMessage(question)], question)
    assert step is not None and (step.route, step.tool_args) == (
        DIMENSIONS_ROUTE,
        {"expression": "1/(1/4+1/6)"},
    )
