"""Follow-ups asking a share between results the conversation named, and other readings of earlier turns."""

from __future__ import annotations

import pytest

from graphs.planning.fractions_of import fraction_of_result
from graphs.planning.named_results import share_of_named
from graphs.planning.references import (
    age_of_two_when,
    at_the_same_rate,
    repeated_expression,
    shared_from_leftovers,
    still_needed,
)
from graphs.planning.substitution import changed_count_bought
from tests.test_trained_planner import conversation
from tools.calculator import calculate


def test_a_share_of_two_named_results() -> None:
    messages = conversation(
        "Our team sold 1,840 tickets at $12.50 each. What was the revenue?",
        "1840*12.5",
        "Expenses were $9,750. What's the profit?",
        "23000-9750",
        "And what percent of the revenue is the profit?",
    )
    assert share_of_named(messages) == "13250/23000*100"


def test_a_share_of_a_sum_the_follow_up_states() -> None:
    messages = conversation(
        "I pay $1,350 rent per month. What's that per year?",
        "1350*12",
        "what if the rent goes up 4%?",
        "16200*(1+4/100)",
        "My yearly income is $54,000. What percent of it would go to rent then?",
    )
    assert share_of_named(messages) == "16848/54000*100"
    assert calculate("16848/54000*100") == "31.2"


@pytest.mark.parametrize(
    "turns",
    [
        # a name found for no result
        ("What was the revenue if 10 sell at $5?", "10*5", "what percent of the budget is the profit?"),
        # no share asked
        ("What was the revenue if 10 sell at $5?", "10*5", "and the profit?"),
    ],
)
def test_a_share_of_names_not_found_is_left_to_the_planner(turns: tuple[str, ...]) -> None:
    assert share_of_named(conversation(*turns)) is None


@pytest.mark.parametrize(
    ("follow_up", "expression", "value"),
    [
        ("now halve that 3 times", "2048/2**3", "256"),
        ("double it twice", "2048*2**2", "8192"),
        ("and triple the result 2 times", "2048*3**2", "18432"),
    ],
)
def test_an_operation_repeated_on_the_result(follow_up: str, expression: str, value: str) -> None:
    found = repeated_expression(conversation("What is 2 to the power of 11?", "2**11", follow_up))
    assert (found, calculate(expression)) == (expression, value)


def test_an_operation_done_once_is_the_reference_readings() -> None:
    assert repeated_expression(conversation("What is 2 to the power of 11?", "2**11", "Double it.")) is None


@pytest.mark.parametrize(
    ("follow_up", "expression"),
    [
        ("So how old will I be when she turns 18?", "34+(18-9)"),
        ("how old will she be when I turn 50?", "9+(50-34)"),
    ],
)
def test_an_age_at_a_time_named_by_the_other_of_two_ages(follow_up: str, expression: str) -> None:
    messages = conversation("My daughter is 9 and I'm 34. How much older am I than her?", "34-9", follow_up)
    assert age_of_two_when(messages) == expression


def test_a_gap_in_years_is_no_age() -> None:
    messages = conversation(
        "I'm 34 and my dad is 29 years older than me. How old is he?",
        "34+29",
        "How old will he be when I turn 50?",
    )
    assert age_of_two_when(messages) is None


def test_a_number_at_the_percentage_found_before() -> None:
    messages = conversation(
        "Our team played 24 games and won 18. What percentage of games did we win?",
        "18/24*100",
        "If we keep the same win rate over a 40-game season, how many wins is that?",
    )
    assert at_the_same_rate(messages) == "40*75/100"


def test_a_rate_that_was_no_percentage_is_not_one() -> None:
    messages = conversation(
        "I drove 240 km on 16 litres. How many km per litre?", "240/16", "at that rate, how far on 30 litres?"
    )
    assert at_the_same_rate(messages) is None


@pytest.mark.parametrize(
    ("first", "expression", "follow_up", "written"),
    [
        (
            "I planted 6 rows of lettuce with 14 plants in each row. How many plants is that?",
            "6*14",
            "if a quarter of them get eaten by slugs, how many are left?",
            "84*(1-1/4)",
        ),
        (
            "A box holds 24 cans. How many cans in 15 boxes?",
            "24*15",
            "half of them are dented. how many?",
            "360/2",
        ),
    ],
)
def test_a_worded_fraction_of_the_previous_result(
    first: str, expression: str, follow_up: str, written: str
) -> None:
    assert fraction_of_result(conversation(first, expression, follow_up)) == written


def test_a_fraction_with_another_number_is_not_of_the_result() -> None:
    messages = conversation("How many cans in 15 boxes of 24?", "24*15", "half of them cost $3. total?")
    assert fraction_of_result(messages) is None


@pytest.mark.parametrize(
    ("first", "expression", "follow_up", "written"),
    [
        (
            "Concert tickets are $65 each plus a $7.50 booking fee per ticket. How much for 4 tickets?",
            "(65+7.5)*4",
            "what if I only buy 3?",
            "(65+7.5)*3",
        ),
        ("I bought 3 notebooks at $4.50 each, how much did I spend?", "3*4.5", "what if I buy 5?", "5*4.5"),
    ],
)
def test_another_count_bought(first: str, expression: str, follow_up: str, written: str) -> None:
    assert changed_count_bought(conversation(first, expression, follow_up)) == written


@pytest.mark.parametrize(
    ("turns", "written"),
    [
        (
            (
                "The school trip costs $18 per student and 27 students are going. What's the total cost?",
                "18*27",
                "The school is covering a third of that. How much do the parents pay altogether?",
            ),
            "486*(1-1/3)",
        ),
        (
            (
                "I put $4,608 into retirement this year. How much is that a month?",
                "4608/12",
                "if my employer matches half of what I put in, how much goes in per month in total?",
            ),
            "384*(1+1/2)",
        ),
    ],
)
def test_a_fraction_of_the_result_covered_or_matched(turns: tuple[str, ...], written: str) -> None:
    assert fraction_of_result(conversation(*turns)) == written


def test_a_goal_with_a_word_number_beside_it() -> None:
    messages = conversation(
        "I walked 8,400 steps yesterday and 11,250 today. How many is that altogether?",
        "8400+11250",
        "how many more do i need to reach 25000 for the two days combined",
    )
    assert still_needed(messages) == "25000-19650"


@pytest.mark.parametrize(
    ("first", "expression", "follow_up", "written"),
    [
        (
            "we have 3 dozen cupcakes and 14 kids get 2 each. how many left over?",
            "36-14*2",
            "how many more kids could get 2 each from the leftovers?",
            "8/2",
        ),
        (
            "I have 25 cookies and 3 friends ate 4 each. how many are left?",
            "25-3*4",
            "how many more friends could get 4 each from what's left?",
            "floor(13/4)",
        ),
    ],
)
def test_how_many_more_can_have_a_share_of_what_is_left(
    first: str, expression: str, follow_up: str, written: str
) -> None:
    assert shared_from_leftovers(conversation(first, expression, follow_up)) == written


def test_a_share_of_a_total_that_left_nothing_over_is_not_read() -> None:
    messages = conversation(
        "I bought 3 boxes of 12 eggs. How many eggs?", "3*12", "how many people get 2 each from the rest?"
    )
    assert shared_from_leftovers(messages) is None
