"""A price and a count: a total multiplies them, a share or a unit price divides the money by the count."""

from __future__ import annotations

import pytest

from graphs.planning.unit_prices import price_and_count, unit_prices_compared
from tools.calculator import calculate


@pytest.mark.parametrize(
    ("question", "written", "made"),
    [
        ("A ticket is 35 dollars. How much for 4 tickets?", "35/4", "35*4"),
        ("If a bus ticket costs 2.80, what do 5 tickets cost?", "2.80/5", "2.80*5"),
        ("8 pens cost 12 dollars. What does one pen cost?", "8/12", "12/8"),
        ("100 dollars shared by 4 friends, how much each?", "4/100", "100/4"),
        ("How much does each of 4 friends pay for a $100 meal?", "100*4", "100/4"),
        # the count written twice, once cancelling the other
        ("How much do 6 bags of rice cost at 3.40 each?", "6*3.40/6", "3.40*6"),
        ("8 pens cost 12 dollars. What does one pen cost?", "8/12*8", "12/8"),
    ],
)
def test_the_operation_is_the_one_the_question_asks(question: str, written: str, made: str) -> None:
    assert price_and_count(written, question) == made


@pytest.mark.parametrize(
    ("question", "written"),
    [
        ("Pizzas are 11 dollars each. What do 6 pizzas cost?", "11*6"),  # right: "each" describes the price
        ("Pizzas are 11 dollars each. What do 6 pizzas cost?", "6*11"),
        ("A box of 24 pencils costs 6 dollars. How much is one pencil?", "6/24"),
        ("I have 5 apples and 3 pears. How many fruits?", "5*3"),  # no money: not this rule's
        ("How far do I go if I drive at 72 km per hour for 3 hours?", "72*3"),  # "at 72 km" is no price
        ("A ticket is 35 dollars and a drink 4 dollars. How much for both?", "35/4"),  # two prices
        ("A ticket is 35 dollars. How much for 4 tickets with 2 drinks?", "35/4"),  # three numbers
        ("A ticket is 35 dollars. How much for 4 tickets?", "35-4"),  # another operation: not read here
        ("A ticket is 35 dollars. How much for 4 tickets?", "35*4/4+4"),  # a sum: not read here
        ("How much do 6 bags of rice cost at 3.40 each?", "3.40*6*6/6"),  # the same value: it stands
    ],
)
def test_anything_else_stands(question: str, written: str) -> None:
    assert price_and_count(written, question) is None


@pytest.mark.parametrize(
    ("question", "expression", "value"),
    [
        (
            "at the store a 12-pack of soda is $7.20 and a 6-pack is $3.90. how much cheaper per can is the 12-pack",
            "3.9/6-7.2/12",
            "0.05",
        ),
        (
            "Brand A rice is $3.20 for a 500 g bag, brand B is $6.60 for a 1.2 kg bag. How much cheaper per kilo is"
            " the cheaper brand?",
            "3.2/(500/1000)-6.6/1.2",
            "0.9",
        ),
        (
            "a 750 g box of cereal costs 4.50 and a 500 g box costs 3.20. how much more per 100 g does the smaller"
            " box cost?",
            "3.2/(500/100)-4.5/(750/100)",
            "0.04",
        ),
    ],
)
def test_two_prices_compared_per_unit(question: str, expression: str, value: str) -> None:
    assert unit_prices_compared(question) == expression
    assert calculate(expression) == value


@pytest.mark.parametrize(
    "question",
    [
        "a 12-pack is $7.20 and a 6-pack is $3.90. how much cheaper per kilo is the 12-pack?",  # packs, not kilos
        "a 500 g bag is $3.20. how much cheaper per kilo is it?",  # one thing
        "a 500 g bag is $3.20 and a 1 kg bag is $6.40. how much cheaper per kilo is the big one?",  # the same
    ],
)
def test_other_comparisons_stand(question: str) -> None:
    assert unit_prices_compared(question) is None


def test_a_size_of_nothing_has_no_price_per_unit() -> None:
    question = "a 0 g box costs $3 and a 500 g box costs $4. how much cheaper per 100 g?"
    assert unit_prices_compared(question) is None  # it raised ZeroDivisionError
