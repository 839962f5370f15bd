"""The perimeter of a rectangle: "Our garden is 12 m by 8 m. What's the perimeter?" is ``2*(12+8)``, and "fencing
is $15 a metre: how much to fence it?" ``2*(12+8)*15``.

The adapter and the dimensional reading (:mod:`graphs.planning.dimensions`) multiply two lengths into an area; a
question that asks the way round a rectangle of two sides it states, in one unit, has one answer. Written by
hand: no library we have reads shapes out of English sentences.
"""

from __future__ import annotations

import re

from graphs.planning.rules import DECIMAL, number_words_to_digits, numbers_in

_LENGTH = r"(?:m|metres?|meters?|cm|centimetres?|centimeters?|km|ft|feet|foot|yards?|yd|in|inches)"
_SIDES = re.compile(
    rf"(?<![\d.])(?P<a>{DECIMAL})\s*(?P<unit>{_LENGTH})?\s*(?:by|x|×)\s*(?P<b>{DECIMAL})\s*(?P<unit_b>{_LENGTH})\b"
    rf"|(?<![\d.])(?P<long>{DECIMAL})\s*(?P<unit_long>{_LENGTH})\s+long\s+(?:and|by)\s+(?P<wide>{DECIMAL})\s*"
    rf"(?P<unit_wide>{_LENGTH})\s+(?:wide|across)\b",
    re.IGNORECASE,
)
_ROUND = re.compile(
    r"\bperimeter\b|\b(?:go|goes|going|run|runs|walk|walked|all\s+the\s+way)\s+(?:all\s+)?(?:the\s+way\s+)?"
    r"(?:a)?round\b|\bfenc(?:e|ing)\s+(?:it|the\s+whole|all|round|around)\b|\b(?:edging|border)\s+(?:for|round|around)\b",
    re.IGNORECASE,
)
_PRICE_PER_LENGTH = re.compile(
    rf"[$£€]\s*(?P<price>{DECIMAL})\s*(?:a|per|each|/)\s*(?:{_LENGTH})\b"
    rf"|(?P<price_word>{DECIMAL})\s*(?:dollars?|pounds?|euros?)\s*(?:a|per|each|/)\s*(?:{_LENGTH})\b",
    re.IGNORECASE,
)
_RECTANGLE_NOT = re.compile(
    r"\b(?:circle|circular|round\s+(?:pond|table|garden|bed)|triangle|triangular)\b", re.I
)


def perimeter_expression(question: str) -> str | None:
    """``2*(a+b)`` for the way round a rectangle a by b (times a price per unit of length when the question
    gives one), or None for any other question."""
    text = number_words_to_digits(question)
    sides = list(_SIDES.finditer(text))
    if len(sides) != 1 or not _ROUND.search(text) or _RECTANGLE_NOT.search(text):
        return None
    found = sides[0]
    a, b = (found["a"], found["b"]) if found["a"] else (found["long"], found["wide"])
    units = {(unit or "").lower().rstrip("s") for unit in (found["unit"], found["unit_b"]) if unit}
    units |= {(unit or "").lower().rstrip("s") for unit in (found["unit_long"], found["unit_wide"]) if unit}
    if len(units) != 1:
        return None  # "3 m by 40 cm": not read
    prices = list(_PRICE_PER_LENGTH.finditer(text))
    around = f"2*({a}+{b})"
    others = [number for number in numbers_in(text) if number != "1"]  # "one run all the way round"
    if len(prices) == 1 and len(others) == 3:
        return f"{around}*{prices[0]['price'] or prices[0]['price_word']}"
    return around if len(others) == 2 else None
