"""The average of the numbers a question lists, read without a model (graphs/planning/averages.py)."""

from __future__ import annotations

import pytest

from graphs.planning.averages import average_of_listed
from tools.calculator import calculate


@pytest.mark.parametrize(
    ("question", "expression", "value"),
    [
        (
            "My son's maths test scores this term were 78, 85, 92 and 89. What's his average?",
            "(78+85+92+89)/4",
            "86",
        ),
        ("What is the average of 1,200, 1,500 and 900?", "(1200+1500+900)/3", "1200"),
        (
            "Temperatures were twelve, 15, 9 and 14 degrees this week. What was the mean?",
            "(12+15+9+14)/4",
            "12.5",
        ),
        ("The coffees cost $3.50, $4 and $2.25. What's the average price?", "(3.5+4+2.25)/3", "3.25"),
        # a number that counts the list restates it
        (
            "My team scored 3, 1, 4, 2 and 0 goals in our last five games. What's our average?",
            "(3+1+4+2+0)/5",
            "2",
        ),
    ],
)
def test_a_listed_set_of_numbers_is_averaged(question: str, expression: str, value: str) -> None:
    assert average_of_listed(question) == expression
    assert calculate(expression) == value


@pytest.mark.parametrize(
    "question",
    [
        "I scored 78, 85 and 92. What do I need on the 4th test to average 90?",  # another number counts
        "I drove at 40, 50 and 60 km/h for an hour each. What was my average speed?",  # rates
        "He ran 5, 6 and 7 km over 4 days. What is the average?",  # a number outside the list
        "I scored 78, 85, 92 and 89. What's the total?",  # no average asked
        "What is the average of 12 and 15?",  # two numbers are no list here: the rules read "average of"
        "Grades were 70%, 80% and 90%, weighted 20%, 30% and 50%. What's the weighted average?",
    ],
)
def test_anything_else_stands(question: str) -> None:
    assert average_of_listed(question) is None
