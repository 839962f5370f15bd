"""The time between two clock times, read without a model."""

from __future__ import annotations

import pytest

from graphs.planning.clock import clock_duration
from tools.calculator import calculate


@pytest.mark.parametrize(
    ("question", "value"),
    [
        (
            "My flight leaves at 22:40 and lands at 06:15 the next day. How long is the flight in minutes?",
            "455",
        ),
        ("The meeting runs from 9:30am to 11:15am. How many minutes is that?", "105"),
        ("shop is open 8am to 6pm, how many hours?", "10"),
        ("I sleep from 11pm to 6.30am. How many hours of sleep do I get?", "7.5"),
        ("The train leaves at 12:50 pm and arrives at 3:05 pm. How many minutes is the trip?", "135"),
        # a break taken out
        ("I work 8:15 to 17:45 with a 45 minute lunch. How many hours do I work?", "8.75"),
        ("Shift from 7am to 3:30pm with a 30-min unpaid break. How many paid hours is that?", "8"),
    ],
)
def test_the_time_between_two_clock_times(question: str, value: str) -> None:
    expression = clock_duration(question)
    assert expression is not None and calculate(expression) == value


@pytest.mark.parametrize(
    "question",
    [
        "The film is 2 hours long and starts at 7:45pm. When does it end?",  # one time, a clock time asked
        "It costs 3.50 and I paid at 10:15. How many minutes?",  # 3.50 is a price
        "I work 8:15 to 17:45, 5 days a week. How many hours do I work?",  # another number: a count of days
        "From 9:00 to 17:00, what did I do?",  # no duration asked
    ],
)
def test_anything_else_stands(question: str) -> None:
    assert clock_duration(question) is None
