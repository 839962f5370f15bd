"""A trip in legs and stops, read without a model (``graphs.planning.trips``): its time is the sum of each
leg's distance over its speed and the stops; its average speed the whole distance over the whole time."""

from __future__ import annotations

import pytest
from langchain_core.messages import HumanMessage

from graphs.planning.local import DIMENSIONS_ROUTE
from graphs.planning.trips import round_trip_doubled, trip_expression
from tests.test_dimensions import planner
from tools.calculator import calculate


@pytest.mark.parametrize(
    ("question", "expression", "value"),
    [
        (
            "Road trip: 150 km at 100 km/h, then a 30 minute lunch stop, then another 120 km at 80 km/h. How many"
            " hours does the whole trip take including lunch?",
            "150/100+120/80+30/60",
            "3.5",
        ),
        (
            "I cycled 30 km to the lake at 20 km/h and came back the same way at 30 km/h. What was my average speed"
            " for the whole ride in km/h?",
            "(30+30)/(30/20+30/30)",
            "24",
        ),
        (
            "I drive 120 km at 60 km/h and then 90 km at 45 km/h. How many minutes does it take?",
            "(120/60+90/45)*60",
            "240",
        ),
    ],
)
def test_a_trip_in_legs(question: str, expression: str, value: str) -> None:
    assert trip_expression(question) == expression
    assert calculate(expression) == value


@pytest.mark.parametrize(
    "question",
    [
        "A car goes 60 km/h for 2 hours. How far does it go?",  # a distance asked: the dimensional reading's
        "I walk 5 km at 4 km/h. How long does it take?",  # one leg: the dimensional reading's
        "I drove 240 km at 80 km/h and back. How much petrol at 7 L/100 km?",  # no time or speed asked
        "I ran 10 km at 12 km/h then 5 miles at 8 mph. How many hours?",  # miles at another unit's speed
    ],
)
def test_other_questions_are_left_alone(question: str) -> None:
    assert trip_expression(question) is None


def test_the_planner_reads_a_trip_without_a_model() -> None:
    question = "I drive 120 km at 60 km/h and then 90 km at 45 km/h. How many hours does it take?"
    step = planner().exact_calculation([HumanMessage(question)], question)
    assert step is not None and (step.route, step.tool_args) == (
        DIMENSIONS_ROUTE,
        {"expression": "120/60+90/45"},
    )


@pytest.mark.parametrize(
    ("expression", "question", "doubled"),
    [
        (
            "18/45*60*5",
            "Work is 18 km away and I average 45 km/h. How many minutes a week do I spend driving there and back, 5"
            " days a week?",
            "(18*2)/45*60*5",
        ),
        ("38*5", "I drive 38 km each way to work, 5 days a week. How many km is that per week?", "(38*2)*5"),
        (  # miles per gallon is no distance
            "420*3.6/28",
            "Our road trip is 420 miles each way. The car gets 28 miles per gallon and gas is $3.60 a gallon. How"
            " much will gas cost for the round trip?",
            "(420*2)*3.6/28",
        ),
        (
            "38*2*5",
            "I drive 38 km each way to work, 5 days a week. How many km is that per week?",
            None,
        ),  # doubled
        ("38*5", "I drive 38 km to work, 5 days a week. How many km is that per week?", None),  # one way
        ("12*3", "A round trip ticket costs $12. How much for 3?", None),  # no distance
    ],
)
def test_a_way_travelled_there_and_back_doubles_its_distance(
    expression: str, question: str, doubled: str | None
) -> None:
    assert round_trip_doubled(expression, question) == doubled
