"""Groups of a list counted together: a product subtracted from a product is added when nothing is taken away."""

from __future__ import annotations

import pytest

from graphs.planning.sums import (
    difference_asked,
    difference_not_negative,
    lone_amounts_added,
    sum_of_groups_fixed,
)
from tools.calculator import calculate


@pytest.mark.parametrize(
    ("question", "written", "value"),
    [
        (
            "I planted 4 rows of 9 tomato plants and 3 rows of 7 pepper plants, but 5 of the tomato plants died. "
            "how many plants do I have left?",
            "4*9-3*7-5",
            "52",
        ),
        (
            "Maria bought 3 notebooks for $4.25 each and a pen for $1.80. How much did she spend?",
            "3*4.25-1*1.80",
            "14.55",
        ),
        (
            "He made 8 two-point shots, 3 three-pointers and 5 free throws (1 point each). Points?",
            "8*2-3*3+5*1",
            "30",
        ),
    ],
)
def test_groups_of_a_list_are_added(question: str, written: str, value: str) -> None:
    fixed = sum_of_groups_fixed(written, question)
    assert fixed is not None and calculate(fixed) == value


@pytest.mark.parametrize(
    ("question", "written"),
    [
        ("A shop had 5 boxes of 12 eggs and sold 3 boxes of 12. How many eggs are left?", "5*12-3*12"),
        ("I baked 4 trays of 12 cookies and gave 2 bags of 6 to friends. How many are left?", "4*12-2*6"),
        ("She had 50 dollars and bought 2 books at 6 each. How much is left?", "50-2*6"),  # a number first
        ("4 rows of 9 plants, and 5 died. How many now?", "4*9-5"),  # a number alone
        ("4 rows of 9 and 3 rows of 7: how many?", "4*9+3*7"),  # right already
        ("4 rows of 9 and 3 rows of 7: how many?", "(4*9-3)*7"),  # parentheses: not read here
    ],
)
def test_anything_taken_away_stands(question: str, written: str) -> None:
    assert sum_of_groups_fixed(written, question) is None


@pytest.mark.parametrize(
    ("question", "written", "made"),
    [
        (
            "Ali has 45 cards and Omar has 28 cards. How many more cards does Ali have than Omar?",
            "45+28",
            "45-28",
        ),
        ("Omar has 28 cards and Ali has 45. How many fewer cards does Omar have than Ali?", "28-45", "45-28"),
        ("We scored 85 and they scored 79. By how much did we win?", "85+79", "85-79"),
        # what is still needed, whatever the line did with it
        (
            "The recipe needs three dozen cookies and I've baked 14. How many more do I need to bake?",
            "36/14",
            "36-14",
        ),
    ],
)
def test_a_difference_asked_takes_the_smaller_from_the_larger(question: str, written: str, made: str) -> None:
    assert difference_asked(written, question) == made


@pytest.mark.parametrize(
    ("question", "written"),
    [
        ("Ali has 45 cards and Omar has 28 cards. How many more cards does Ali have than Omar?", "45-28"),
        ("Ali has 45 cards and gets 28 more. How many does he have?", "45+28"),  # no comparison asked
        ("Ali has 45 cards, Omar 28, Sara 9. How many more than Sara do the boys have?", "45+28-9"),
        (
            "I save 15 dollars a week. How many more weeks until I have 90?",
            "90/15",
        ),  # at a rate: not a difference
    ],
)
def test_anything_else_is_no_difference(question: str, written: str) -> None:
    assert difference_asked(written, question) is None


@pytest.mark.parametrize(
    ("question", "written", "value"),
    [
        ("My grandfather was born in 1951. How old is he on his birthday in 2026?", "1951-2026", "75"),
        (
            "Our order came to $38.25 and I paid with a $50 note. How much change should I get?",
            "38.25 - 50",
            "11.75",
        ),
        (
            "A 420-page novel, and I read 15 pages a day for 12 days: how many pages are left?",
            "15*12-420",
            "240",
        ),
    ],
)
def test_a_difference_below_zero_is_turned_round_where_nothing_asked_can_be_negative(
    question: str, written: str, value: str
) -> None:
    turned = difference_not_negative(written, question)
    assert turned is not None and calculate(turned) == value


@pytest.mark.parametrize(
    ("question", "written"),
    [
        ("It was 4 degrees at noon and 9 degrees colder at midnight. What was the temperature?", "4-9"),
        ("I had $30 in the bank and spent $45 by card. What is my balance?", "30-45"),
        ("How many pages are left?", "420-15*12"),  # not below zero
        ("How many are left?", "3-4+5"),  # more than two terms: the line is another reading
        ("How many?", "1/0-5"),
    ],
)
def test_a_signed_question_or_another_line_stands(question: str, written: str) -> None:
    assert difference_not_negative(written, question) is None


@pytest.mark.parametrize(
    ("question", "written", "value"),
    [
        (
            "I had $800 saved, spent a fifth of it on a bike, then got $120 for my birthday. How much do I have now?",
            "800*(1-1/5)-120",
            "760",
        ),
        (
            "Nina buys 3 tops at $12 each and a skirt for $25, and uses a $5 voucher. How much does she pay?",
            "3*12-25-5",
            "56",
        ),
    ],
)
def test_a_lone_amount_the_words_add_is_added(question: str, written: str, value: str) -> None:
    added = lone_amounts_added(written, question)
    assert added is not None and calculate(added) == value


@pytest.mark.parametrize(
    ("question", "written"),
    [
        ("I had $100 and bought jeans for $42. How much is left?", "100-42"),
        ("Nina has $60, buys a skirt for $25. How much is left?", "60-25"),  # nothing asked of what she pays
        ("I had $80 and spent $30. How much now?", "80-30"),
    ],
)
def test_a_lone_amount_taken_away_stands(question: str, written: str) -> None:
    assert lone_amounts_added(written, question) is None
