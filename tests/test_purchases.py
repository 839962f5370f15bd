"""A purchase of several things at their named prices: the sum of price times count."""

from __future__ import annotations

import pytest

from graphs.planning.purchases import purchase_total
from tools.calculator import calculate


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("A shirt costs 25 dollars and jeans cost 40. I buy 2 shirts and 1 pair of jeans. Total?", "90"),
        (
            "A movie ticket costs $11 for adults and $7 for children. How much do 2 adults and 3 children pay?",
            "43",
        ),
        ("Apples at 0.60 each and pears at 0.80 each: what do 5 apples and 3 pears cost?", "5.4"),
        ("A coffee is 3.50 and a muffin is 2.25. How much for two coffees and a muffin?", "9.25"),
    ],
)
def test_the_total_is_the_sum_of_price_times_count(question: str, value: str) -> None:
    total = purchase_total(question)
    assert total is not None and calculate(total) == value


@pytest.mark.parametrize(
    "question",
    [
        "A shirt costs 25 dollars and jeans cost 40. I buy 2 shirts and 1 pair of jeans and pay with 100. Change?",
        "A shirt costs 25 dollars. I buy 2 shirts. Total?",  # one thing: the unit-price rule's
        "A shirt costs 25 dollars and jeans cost 40. I buy 2 shirts and 3 hats. Total?",  # hats have no price
        "A shirt costs 25 dollars and jeans cost 40. Which is cheaper?",  # no counts, no total
    ],
)
def test_anything_else_is_left_to_the_adapter(question: str) -> None:
    assert purchase_total(question) is None
