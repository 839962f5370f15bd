"""Relations word problems state in so many words: together, years on, the rest shared."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from graphs.planning.relations import (
    age_in_years,
    combined_share,
    rest_shared,
    share_as_percentage,
    times_as_many_together,
)
from tools.calculator import calculate


@pytest.mark.parametrize(
    ("rule", "question", "written", "value"),
    [
        (
            times_as_many_together,
            "Anna has 3 times as many stickers as Ben. Ben has 14 stickers. How many do they have together?",
            "3*14",
            "56",
        ),
        (
            times_as_many_together,
            "Mia read twice as many books as Leo, who read 9. How many in total?",
            "9*2",
            "27",
        ),
        (  # the line's two numbers in another way; "over the two days" asks them together
            times_as_many_together,
            "Zoe cycled 12.5 km on Saturday and twice as far on Sunday. How far did she cycle over the two days?",
            "12.5/2*2",
            "37.5",
        ),
        (
            age_in_years,
            "Emma is 8 years old. Her mother is 4 times as old. How old will her mother be in 5 years?",
            "8*4*5",
            "37",
        ),
        (age_in_years, "Tom is 30. How old was he 12 years ago?", "30*12", "18"),
        (  # the years left out of the line
            age_in_years,
            "Sam's dad is 4 times as old as Sam, who is 9. How old will his dad be in 6 years?",
            "4*9",
            "42",
        ),
        (
            rest_shared,
            "A phone costs $600. Kevin pays $150 up front and the rest in 6 equal monthly payments. Each payment?",
            "600-150*6",
            "75",
        ),
    ],
)
def test_the_relation_the_words_state_is_computed(
    rule: Callable[[str, str], str | None], question: str, written: str, value: str
) -> None:
    fixed = rule(written, question)
    assert fixed is not None and calculate(fixed) == value


@pytest.mark.parametrize(
    ("rule", "question", "written"),
    [
        (
            times_as_many_together,
            "Anna has 3 times as many stickers as Ben. Ben has 14. How many does Anna have?",
            "3*14",
        ),
        (times_as_many_together, "Anna has 3 times as many as Ben, who has 14. Together?", "14*3+14"),
        (age_in_years, "Emma is 8 years old. Her mother is 4 times as old. How old is her mother?", "8*4"),
        (age_in_years, "A tree grows 5 cm a year. How much in 5 years?", "5*5"),  # no age asked
        (
            rest_shared,
            "A phone costs $600. Kevin pays $150 a month for 6 months. How much is left?",
            "600-150*6",
        ),
    ],
)
def test_anything_else_stands(rule: Callable[[str, str], str | None], question: str, written: str) -> None:
    assert rule(written, question) is None


def test_a_part_out_of_a_whole_as_a_percentage() -> None:
    question = "I got 45 out of 60 on the test. What percentage is that?"
    assert share_as_percentage("(45-60)/60*100", question) == "45/60*100"
    assert share_as_percentage("45/60*100", question) is None
    assert share_as_percentage("45/60", "I got 45 out of 60 on the test. What fraction is that?") is None


def test_a_share_asked_without_out_of_is_the_smaller_of_the_whole() -> None:
    question = "The club entered 40 races and finished 30. What percentage of the races did it finish?"
    assert share_as_percentage("(40-30)/40*100", question) == "30/40*100"
    changed = "A ticket went from 40 to 50 dollars. What percentage of the old price is the increase?"
    assert share_as_percentage("(50-40)/40*100", changed) is None


def test_a_part_of_their_whole_as_a_percentage() -> None:
    question = (
        "Our under-12s football team won 18 of their 24 games this season. What percentage did they win?"
    )
    assert share_as_percentage("(18-18)/24*100", question) == "18/24*100"


@pytest.mark.parametrize(
    ("question", "expression"),
    [
        (
            "On quiz one I got 18 out of 20 and on quiz two I got 27 out of 30. What percentage of all the"
            " questions did I get right?",
            "(18+27)/(20+30)*100",
        ),
        ("We won 12 out of 15 home games and 9 out of 15 away. What percent overall?", "(12+9)/(15+15)*100"),
    ],
)
def test_the_share_of_scores_together(question: str, expression: str) -> None:
    assert combined_share(question) == expression


@pytest.mark.parametrize(
    "question",
    [
        "I got 18 out of 20 and 27 out of 30. What percentage on each?",  # each, not together
        "I got 18 out of 20 and 27 out of 30 and 5 bonus points. What percentage overall?",  # another number
        "I got 18 out of 20. What percentage is that overall?",  # one score: share_as_percentage's
        "I got 0 out of 0 and 0 out of 0. What percentage overall?",  # out of nothing
    ],
)
def test_other_shares_are_not_combined(question: str) -> None:
    assert combined_share(question) is None
