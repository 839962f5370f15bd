"""How many units a total takes at a rate per unit: the total divided by the rate."""

from __future__ import annotations

import pytest

from graphs.planning.rates import rate_per_amount, rate_times_sum, units_needed
from tools.calculator import calculate


@pytest.mark.parametrize(
    ("question", "written", "value"),
    [
        ("Sam saves $12 a week. How many weeks will it take him to save $180?", "180*12", "15"),
        ("A plane flies at 800 km per hour. How many hours does a 2,000 km flight take?", "800*2000", "2.5"),
        ("A box holds 24 crayons. How many boxes are needed for 600 crayons?", "24*600", "25"),
        ("She reads 30 pages a day. How many days to read 450 pages?", "30/450", "15"),
    ],
)
def test_the_total_is_divided_by_the_rate(question: str, written: str, value: str) -> None:
    fixed = units_needed(written, question)
    assert fixed is not None and calculate(fixed) == value


@pytest.mark.parametrize(
    ("question", "written"),
    [
        ("Sam saves $12 a week. How many weeks will it take him to save $180?", "180/12"),  # right already
        ("Each box holds 12 eggs. How many eggs are in 4 boxes?", "12*4"),  # asks eggs: a product
        ("A farmer collects 48 eggs each day. How many eggs in 14 days?", "48*14"),
        ("Sam saves $12 a week for 5 weeks and has $20. How many weeks to save $180?", "180/12"),  # 4 numbers
        ("How many weeks are in 3 years?", "3*52"),  # no rate given
    ],
)
def test_anything_else_stands(question: str, written: str) -> None:
    assert units_needed(written, question) is None


@pytest.mark.parametrize(
    ("question", "written", "value"),
    [
        (
            "Lena earns $15 an hour. She worked 6 hours on Monday and 9 hours on Tuesday. How much did she earn?",
            "15*6+9",
            "225",
        ),
        (
            "Fuel is 1.5 per litre. I bought 20 litres on Monday and 30 litres on Friday. Cost?",
            "20*1.5+30",
            "75",
        ),
    ],
)
def test_a_rate_multiplies_the_sum_of_its_amounts(question: str, written: str, value: str) -> None:
    fixed = rate_times_sum(written, question)
    assert fixed is not None and calculate(fixed) == value


@pytest.mark.parametrize(
    ("question", "written"),
    [
        ("Lena earns $15 an hour. She worked 6 hours and got a $9 bonus. How much did she earn?", "15*6+9"),
        ("Lena earns $15 an hour. She worked 6 hours on Monday and 9 hours on Tuesday. Total?", "15*(6+9)"),
    ],
)
def test_a_sum_the_words_do_not_make_stands(question: str, written: str) -> None:
    assert rate_times_sum(written, question) is None


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("A car uses 6 liters of fuel for every 100 km. How many liters does it use on a 450 km trip?", "27"),
        (
            "We drove 150 km on Saturday and 210 km on Sunday. The car uses 6 litres per 100 km. Fuel used?",
            "21.6",
        ),
        ("The recipe needs 3 eggs per 12 cookies. How many eggs for 48 cookies?", "12"),
    ],
)
def test_a_rate_per_n_units_scales_to_the_amounts(question: str, value: str) -> None:
    expression = rate_per_amount(question)
    assert expression is not None and calculate(expression) == value


@pytest.mark.parametrize(
    "question",
    [
        "A car uses 6 liters per 100 km. How far can it go on 45 liters?",  # the amount is of the other unit
        "A car uses 6 liters per 100 km and fuel is 1.80 a litre. Cost of a 450 km trip?",  # a number more
        "It costs 5 dollars per 1 kg. How much for 3 kg?",  # per one: the unit price rules'
    ],
)
def test_other_rates_are_left_alone(question: str) -> None:
    assert rate_per_amount(question) is None
