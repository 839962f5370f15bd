"""A price and a count: "A ticket is 35 dollars. How much for 4 tickets?" is ``35*4``, "8 pens cost 12
dollars. What does one pen cost?" is ``12/8``.

The adapter divided where a total was asked (``35/4``, ``2.80/5``) and divided the wrong way round for a unit
price (``8/12``): measured on simple questions written for this check, 4 of 10 wrong. For a question of two
numbers, one of them money (a currency sign or word, or the figure after "costs", "is", "at"), and a
calculation of the two with ``*`` or ``/``, the operation is read from the question: a share or a unit price
asked ("each of us", "one pen", "per person", "split") divides the money by the count; anything else multiplies
them. The words that describe the price itself ("11 dollars each") do not count as asking for a share.
"""

from __future__ import annotations

import re
from fractions import Fraction

from graphs.planning.rules import DECIMAL, SHARE_CUES, number_values

_MONEY = re.compile(
    rf"(?:[$€£]\s*(?P<sign>{DECIMAL})"
    rf"|(?P<word>{DECIMAL})\s*(?:dollars?|euros?|pounds?|bucks|crowns?|usd|eur|gbp)\b"
    rf"|\b(?:costs?|is|are|at|priced\s+at)\s+(?P<verb>{DECIMAL})(?![\d.])(?=\s*(?:[.,;!?)]|$|each\b|apiece\b|a\s+piece\b|and\b)))"
    r"(?:\s+(?:each|apiece|a\s+piece|per\s+\w+))?",
    re.IGNORECASE,
)
_UNIT_ASKED = re.compile(r"\b(?:one|a\s+single|single|unit)\b", re.IGNORECASE)
PRODUCT = re.compile(rf"\s*{DECIMAL}(?:\s*[*/]\s*{DECIMAL})*\s*")
_FACTOR = re.compile(rf"([*/]?)\s*({DECIMAL})")


def product_value(expression: str) -> Fraction:
    """The value of a chain of ``*`` and ``/`` (:data:`PRODUCT`), read left to right."""
    value = Fraction(1)
    for operator, number in _FACTOR.findall(expression):
        value = value / Fraction(number) if operator == "/" else value * Fraction(number)
    return value


def price_and_count(expression: str, question: str) -> str | None:
    """The calculation of a money figure and a count as ``question`` asks it, when ``expression`` computes
    with those two numbers in another way (multiplying and dividing only: ``35/4``, or ``6*3.40/6`` where
    the count cancels itself out); None otherwise (then the expression stands)."""
    numbers = number_values(question) - {Fraction(1)}  # "one pen" asks for a unit price: no quantity
    money = list(_MONEY.finditer(question))
    if PRODUCT.fullmatch(expression) is None or len(numbers) != 2 or len(money) != 1:
        return None
    price = Fraction(money[0]["sign"] or money[0]["word"] or money[0]["verb"])
    others = numbers - {price}
    written = {number: Fraction(number) for _, number in _FACTOR.findall(expression)}
    if len(others) != 1 or set(written.values()) != {price, *others}:
        return None
    rest = question[: money[0].start()] + " " + question[money[0].end() :]
    price_text = next(text for text, value in written.items() if value == price)
    count_text = next(text for text, value in written.items() if value != price)
    wanted = (
        f"{price_text}/{count_text}"
        if SHARE_CUES.search(rest) or _UNIT_ASKED.search(rest)
        else f"{price_text}*{count_text}"
    )
    return None if product_value(wanted) == product_value(expression) else wanted
