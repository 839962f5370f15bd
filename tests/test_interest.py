"""Interest on a sum of money, read as the words state it."""

from __future__ import annotations

import pytest

from graphs.planning.interest import interest_expression
from tools.calculator import calculate


@pytest.mark.parametrize(
    ("question", "expression", "value"),
    [
        (
            "I put $5,000 in an account paying 4% simple interest per year. How much interest after 3 years?",
            "5000*4/100*3",
            "600",
        ),
        (
            "If I put $2,500 into an account paying 4% simple interest per year, how much will be in the account"
            " after 3 years?",
            "2500+2500*4/100*3",
            "2800",
        ),
        (
            "I'm borrowing $1,200 at 6% simple annual interest for eight months. How much interest will I owe?",
            "1200*6/100*8/12",
            "48",
        ),
        (
            "If I deposit $2,000 in a savings account that pays 3% interest compounded once a year, how much will"
            " I have after 2 years?",
            "2000*(1+3/100)**2",
            "2121.8",
        ),
        (
            "Borrowing $2,400 at 5% simple interest per year for 2 years, paid back in equal monthly payments over"
            " the 24 months. How much is each payment?",
            "(2400+2400*5/100*2)/24",
            "110",
        ),
        (
            "I put 2500 into a savings account that pays 4% interest per year. How much will be in it after one"
            " year?",
            "2500+2500*4/100*1",
            "2600",
        ),
    ],
)
def test_interest_as_the_words_state_it(question: str, expression: str, value: str) -> None:
    assert interest_expression(question) == expression
    assert calculate(expression) == value


@pytest.mark.parametrize(
    "question",
    [
        "My savings account has $1200 and I add $150 every week. How much after 8 weeks (ignore interest)?",
        "A card charges 1.5% interest per month on $800. How much interest after 3 months?",  # not yearly
        "$1,000 at 5% compounded monthly: how much after 2 years?",  # compounded monthly
        "I have $500 and $700 at 3% interest. How much interest after 2 years?",  # which sum
        "The laptop is $1,199 with 12 interest-free monthly payments. How much is each?",
        "I put $5,000 in an account paying 4% simple interest. What is the interest?",  # no time
        # paid back in no payments: no division by zero
        "Borrowing $2,400 at 5% interest per year for 2 years, repaid over the 0 months. How much is each payment?",
    ],
)
def test_other_questions_are_left_to_the_other_readings(question: str) -> None:
    assert interest_expression(question) is None
