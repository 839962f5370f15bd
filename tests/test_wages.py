"""Pay with overtime, read without a model (``graphs.planning.wages``)."""

from __future__ import annotations

import pytest
from langchain_core.messages import HumanMessage

from graphs.planning.local import DIMENSIONS_ROUTE
from graphs.planning.wages import allowance_overage, overtime_pay
from tests.test_dimensions import planner
from tools.calculator import calculate


@pytest.mark.parametrize(
    ("question", "expression", "value"),
    [
        (
            "I get $24 an hour for the first 38 hours and time and a half for anything over that. I worked 44 hours"
            " this week. What's my pay?",
            "24*38+(44-38)*24*1.5",
            "1128",
        ),
        (
            "I earn $20 an hour and $30 an hour for overtime after 40 hours. This week I worked 45 hours. Total pay?",
            "20*40+(45-40)*30",
            "950",
        ),
        (
            "Paid $15 per hour, 1.5 times the rate past 40 hours; worked 50 hours. Pay?",
            "15*40+(50-40)*15*1.5",
            "825",
        ),
        (  # regular and overtime hours counted apart
            "My rate is $26 an hour with time and a half for overtime. I worked 38 regular hours and 5 overtime"
            " hours this week. What did I earn?",
            "26*38+5*26*1.5",
            "1183",
        ),
        (
            "$16 per hour, double time for overtime: 30 normal hours and 3 hours of overtime. Pay?",
            "16*30+3*16*2",
            "576",
        ),
        (  # the limit counted per week
            "Leo is paid $18 an hour for his first 35 hours each week and time and a half after that. He worked 41"
            " hours last week. What did he earn?",
            "18*35+(41-35)*18*1.5",
            "792",
        ),
        (  # "over 40 in a week": 40 hours
            "I make $22 an hour and get time and a half (1.5 times the rate) for every hour over 40 in a week. I"
            " worked 46 hours this week. What's my pay for the week?",
            "22*40+(46-40)*22*1.5",
            "1078",
        ),
    ],
)
def test_overtime(question: str, expression: str, value: str) -> None:
    assert overtime_pay(question) == expression
    assert calculate(expression) == value


@pytest.mark.parametrize(
    "question",
    [
        "I earn $20 an hour. I worked 45 hours. Total pay?",  # no limit
        "I get $24 an hour for the first 38 hours and time and a half after. I worked 30 hours. Pay?",  # under it
        "The gym is open over 40 hours a week at $20 a visit. How much for 3 visits?",  # no hourly pay
    ],
)
def test_other_questions_are_left_alone(question: str) -> None:
    assert overtime_pay(question) is None


def test_the_planner_reads_overtime_without_a_model() -> None:
    question = (
        "I earn $20 an hour and $30 an hour for overtime after 40 hours. This week I worked 45 hours. Pay?"
    )
    step = planner().exact_calculation([HumanMessage(question)], question)
    assert step is not None and (step.route, step.tool_args) == (
        DIMENSIONS_ROUTE,
        {"expression": "20*40+(45-40)*30"},
    )


@pytest.mark.parametrize(
    ("question", "expression"),
    [
        (
            "My phone plan is $35 a month including 10 GB, and extra data is $4 per GB. I used 13.5 GB this month."
            " What's my bill?",
            "35+(13.5-10)*4",
        ),
        (
            "Car hire is $50 a day including 100 km; each extra km costs $0.30. I drove 160 km in one day. What do I"
            " pay?",
            "50+(160-100)*0.3",
        ),
        (
            "My phone plan is $35 a month including 10 GB, and extra data is $4 per GB. I used 8 GB. What's my bill?",
            None,  # within the allowance
        ),
        (
            "Tickets are $35 each including a drink, extra drinks $4 each. How much for 3 tickets and 2 drinks?",
            None,
        ),
    ],
)
def test_a_price_with_an_allowance_and_a_rate_over_it(question: str, expression: str | None) -> None:
    assert allowance_overage(question) == expression
