"""Two amounts of one kind in different units: "I've got 5 kg of rice and eat 200 g a day. How many days
will it last?" is ``5*1000/200``, not ``5/200``.

The adapter combined the numbers as written, whatever their units (measured on follow-up conversations
written by someone else). When a calculation uses an amount in a larger unit and one in a smaller unit of the
same kind (kilograms and grams, kilometres and metres, metres and centimetres, litres and millilitres, hours
and minutes, minutes and seconds) and does not write the factor between them, the larger is converted to the
smaller; anything else stands. The factors are exact, so this needs no model.
"""

from __future__ import annotations

import re

from graphs.planning.rules import DECIMAL

_UNITS = {
    "kilogram": r"kilograms?|kilos?|kg",
    "gram": r"grams?|g",
    "kilometre": r"kilomet(?:re|er)s?|km",
    "metre": r"met(?:re|er)s?|m",
    "centimetre": r"centimet(?:re|er)s?|cm",
    "litre": r"lit(?:re|er)s?|l",
    "millilitre": r"millilit(?:re|er)s?|ml",
    "hour": r"hours?|hrs?",
    "minute": r"minutes?|mins?",
    "second": r"seconds?|secs?",
}
_FACTORS = {
    ("kilogram", "gram"): 1000,
    ("kilometre", "metre"): 1000,
    ("metre", "centimetre"): 100,
    ("litre", "millilitre"): 1000,
    ("hour", "minute"): 60,
    ("minute", "second"): 60,
}
_AMOUNT = re.compile(
    rf"(?<![\d.])(?P<number>{DECIMAL})\s*(?P<unit>{'|'.join(_UNITS.values())})\b", re.IGNORECASE
)


def _unit(word: str) -> str:
    return next(unit for unit, words in _UNITS.items() if re.fullmatch(words, word, re.IGNORECASE))


def mixed_units_fixed(expression: str, question: str) -> str | None:
    """``expression`` with the larger unit's amount converted to the smaller one's (``(5*1000)/200``), or
    None when it combines no such pair or writes the factor already."""
    amounts = [(found["number"], _unit(found["unit"])) for found in _AMOUNT.finditer(question)]
    for larger, larger_unit in amounts:
        for smaller, smaller_unit in amounts:
            factor = _FACTORS.get((larger_unit, smaller_unit))
            if factor is None:
                continue
            written = [rf"(?<![\d.]){re.escape(number)}(?![\d.])" for number in (larger, smaller)]
            if re.search(rf"(?<![\d.]){factor}(?![\d.])", expression) or any(
                len(re.findall(pattern, expression)) != 1 for pattern in written
            ):
                return None
            return re.sub(written[0], f"({larger}*{factor})", expression)
    return None
