"""A rate given per one period and asked over another: the calendar's factor between the two."""

from __future__ import annotations

import pytest

from graphs.planning.periods import period_factor_fixed, period_follow_up, periods_to_reach, rate_over_periods
from tests.test_trained_planner import previous_result
from tools.calculator import calculate


@pytest.mark.parametrize(
    ("question", "written", "value"),
    [
        ("i save $45 a week. how much is that in a year?", "45*12", "2340"),
        ("my phone plan is $35 a month. how much per year?", "35*52", "420"),
        ("If I walk 8,500 steps a day, how many steps is that in a week?", "8500*30", "59500"),
        ("We earn 2340 dollars a year. How much is that per week?", "2340*52", "45"),
        ("A tap drips 3 litres an hour. How much per minute?", "3*60", "0.05"),
        ("Our weekly grocery bill is 120. What is that for a whole year?", "120*12", "6240"),
        ("A farmer collects 48 eggs each day. How many eggs does he collect in two weeks?", "48*2", "672"),
        ("I save 20 dollars a week. How much in 3 years?", "20*3", "3120"),
    ],
)
def test_the_factor_between_the_two_periods_is_the_calendars(question: str, written: str, value: str) -> None:
    fixed = period_factor_fixed(written, question)
    assert fixed is not None and calculate(fixed) == value


@pytest.mark.parametrize(
    ("question", "written"),
    [
        ("i save $45 a week. how much is that in a year?", "45*52"),  # right already
        ("i save $45 a week. how much is that in a year?", "52*45"),
        ("I earn 15 an hour. How much do I make in a day?", "15*8"),  # a working day is no calendar fact
        ("i save $45 a week for 3 years. how much is that?", "45*52*3"),  # two numbers
        ("I walk 5 km every weekday. How far in a week?", "5*7"),  # weekdays: 5 of them
        ("i save $45 a week. how much is that in a month?", "45*4"),  # a month is not a whole number of weeks
        ("A bag of rice costs 45. How much are 12 bags?", "45*12"),  # no periods
        ("A farmer collects 48 eggs each day. How many eggs does he collect in two weeks?", "48*14"),
        ("A farmer collects 48 eggs each day. How many eggs in 10 days?", "48*10"),  # one period
    ],
)
def test_anything_else_stands(question: str, written: str) -> None:
    assert period_factor_fixed(written, question) is None


@pytest.mark.parametrize(
    ("first", "expression", "follow_up", "value"),
    [
        (
            "i earn $22.50 an hour and work 36 hours a week. what's my weekly pay?",
            "22.50*36",
            "per year? assume 52 weeks",
            "42120",
        ),
        ("How much is 810 a week per year?", "810*52", "and per month?", "3510"),
        ("I spend 12 dollars a day on lunch. How much is that in a week?", "12*7", "and in a year?", "4368"),
        ("My rent is 1200. What is that per year?", "1200*12", "What about per week?", "276.923076923077"),
        # a working period counts the smaller one: a 4-day week is 4 days, not 7
        (
            "I get $19 an hour for 7 hours a day. What's my pay for a day?",
            "19*7",
            "and for a 4-day week?",
            "532",
        ),
        (
            "A nurse earns $41 an hour. How much is that in an hour of overtime?",
            "41*1.5",
            "over a 12-hour shift?",
            "738",
        ),
        # a salary is a year's pay
        (
            "My salary is $48000 and I get a 5% raise. What is my new salary?",
            "48000*1.05",
            "what's that per month?",
            "4200",
        ),
    ],
)
def test_a_follow_up_carries_the_result_to_the_period_it_asks(
    first: str, expression: str, follow_up: str, value: str
) -> None:
    carried = period_follow_up(previous_result(first, expression, follow_up))
    assert carried is not None and calculate(carried) == value


@pytest.mark.parametrize(
    ("first", "expression", "follow_up"),
    [
        ("How much is 810 a week per year?", "810*52", "and per month with 5% more?"),
        ("How much is 810 a week per year?", "810*52", "and over 3 years?"),  # a count of years, not a rate
        ("What is 12 times 12?", "12*12", "and per month?"),  # no period before
        ("I spend 12 dollars a day on lunch. How much is that in a week?", "12*7", "and in a month?"),
    ],
)
def test_other_follow_ups_are_not_carried(first: str, expression: str, follow_up: str) -> None:
    assert period_follow_up(previous_result(first, expression, follow_up)) is None


@pytest.mark.parametrize(
    ("first", "expression", "follow_up", "value"),
    [
        (
            "If I walk 8,500 steps a day, how many steps is that in a week?",
            "8500*7",
            "what about over 30 days",
            "255000",
        ),
        ("i save $45 a week. how much is that in a year?", "45*52", "and 3 years?", "7020"),
        ("i save $45 a week. how much is that in a year?", "45*52", "What about 10 weeks instead?", "450"),
    ],
)
def test_a_rate_is_carried_over_the_periods_a_follow_up_counts(
    first: str, expression: str, follow_up: str, value: str
) -> None:
    carried = rate_over_periods(previous_result(first, expression, follow_up))
    assert carried is not None and calculate(carried) == value


@pytest.mark.parametrize(
    ("first", "expression", "follow_up"),
    [
        ("If I walk 8,500 steps a day, how many steps is that in a week?", "8500*7", "and 3 more days?"),
        (
            "I pay 45 a week and 10 a day for lunch. Per month?",
            "45*52/12+10*365/12",
            "and 3 weeks?",
        ),  # two rates
        ("i save $45 a week. how much is that in a year?", "45*52", "and 3 months?"),  # no whole factor
    ],
)
def test_other_counts_of_periods_are_not_carried(first: str, expression: str, follow_up: str) -> None:
    assert rate_over_periods(previous_result(first, expression, follow_up)) is None


def test_a_per_period_result_is_carried_over_the_periods_named() -> None:
    from tests.test_substitution import conversation

    messages = conversation(
        "I cycle 12 km each way to work, 5 days a week. How many km is that per week?",
        "12*2*5",
        "and over 46 working weeks?",
    )
    assert rate_over_periods(messages) == "120*46"


@pytest.mark.parametrize(
    ("first", "expression", "follow_up", "value"),
    [
        (
            "I run 3 km four times a week. How far is that per week?",
            "3*4",
            "how many weeks to reach 96 km?",
            "8",
        ),
        ("I save $40 a day. total per day?", "40", "How many days until I have 1,000 dollars?", "25"),
    ],
)
def test_the_periods_to_reach_a_target(first: str, expression: str, follow_up: str, value: str) -> None:
    from tests.test_substitution import conversation

    found = periods_to_reach(conversation(first, expression, follow_up))
    assert found is not None and calculate(found) == value


def test_periods_to_reach_needs_the_same_period() -> None:
    from tests.test_substitution import conversation

    messages = conversation(
        "I run 3 km four times a week. How far is that per week?", "3*4", "how many days to reach 96 km?"
    )
    assert periods_to_reach(messages) is None


def test_a_result_for_several_periods_is_carried_per_one() -> None:
    messages = previous_result(
        "I save $45 a week. How much is that in 8 weeks?", "45*8", "and over a whole year?"
    )
    found = period_follow_up(messages)
    assert found == "360/8*52" and calculate(found) == "2340"
