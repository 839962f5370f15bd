"""Unit conversions the planner answers exactly: "How many seconds are in an hour?" -> ``60*60``.

A question that asks for one unit in another, and names nothing else, has one right expression: the factors
between the two units on their ladder (seconds, minutes, hours, days, weeks; millimetres to kilometres;
inches to miles; milligrams to kilograms; millilitres and litres). Neither the trained adapter nor the rules'
router got them without a number in the question ("an hour" holds none: the router sent it to the web); the
table below is exact, so this layer needs no model. Written by hand because no dependency we have parses a
conversion question (``pint`` converts quantities, not English questions), and the factors are written out
(``24*60``) so the answer shows how it was computed.

Months and years are left out: their length in days is not one number.
"""

from __future__ import annotations

import re
from fractions import Fraction

from graphs.planning.rules import number_words_to_digits, numbers_in

# Each ladder: (unit, how many of the previous unit make one of it), smallest first.
_LADDERS: tuple[tuple[tuple[str, int], ...], ...] = (
    (("second", 1), ("minute", 60), ("hour", 60), ("day", 24), ("week", 7)),
    (("millimetre", 1), ("centimetre", 10), ("metre", 100), ("kilometre", 1000)),
    (("inch", 1), ("foot", 12), ("yard", 3), ("mile", 1760)),
    (("milligram", 1), ("gram", 1000), ("kilogram", 1000)),
    (("millilitre", 1), ("litre", 1000)),
)
_SPELLINGS = {
    "seconds": "second",
    "secs": "second",
    "minutes": "minute",
    "mins": "minute",
    "hours": "hour",
    "hrs": "hour",
    "days": "day",
    "weeks": "week",
    "millimetres": "millimetre",
    "millimeters": "millimetre",
    "millimeter": "millimetre",
    "mm": "millimetre",
    "centimetres": "centimetre",
    "centimeters": "centimetre",
    "centimeter": "centimetre",
    "cm": "centimetre",
    "metres": "metre",
    "meters": "metre",
    "meter": "metre",
    "m": "metre",
    "kilometres": "kilometre",
    "kilometers": "kilometre",
    "kilometer": "kilometre",
    "km": "kilometre",
    "inches": "inch",
    "feet": "foot",
    "ft": "foot",
    "yards": "yard",
    "miles": "mile",
    "milligrams": "milligram",
    "mg": "milligram",
    "grams": "gram",
    "g": "gram",
    "kilograms": "kilogram",
    "kilos": "kilogram",
    "kg": "kilogram",
    "millilitres": "millilitre",
    "milliliters": "millilitre",
    "milliliter": "millilitre",
    "ml": "millilitre",
    "litres": "litre",
    "liters": "litre",
    "liter": "litre",
    "l": "litre",
}
_POSITION = {
    unit: (ladder, index) for ladder, units in enumerate(_LADDERS) for index, (unit, _) in enumerate(units)
}

_AMOUNT = r"(an?|one|\d+(?:\.\d+)?)"
_UNIT = r"([a-z]+)"
# (pattern, which group is the target unit, the amount, the source unit), each the whole question
_PATTERNS = (
    (rf"how many {_UNIT} (?:are |is )?(?:there )?in {_AMOUNT} {_UNIT}", 1, 2, 3),
    (rf"how many {_UNIT} (?:is|are|make|makes) {_AMOUNT} {_UNIT}", 1, 2, 3),
    (rf"convert {_AMOUNT} {_UNIT} (?:to|into|in) {_UNIT}", 3, 1, 2),
    (rf"(?:what is|what's) {_AMOUNT} {_UNIT} in {_UNIT}", 3, 1, 2),
)
_COMPILED: tuple[tuple[re.Pattern[str], int, int, int], ...] = tuple(
    (re.compile(rf"\s*{pattern}\s*[?.!]*\s*", re.IGNORECASE), target, amount, source)
    for pattern, target, amount, source in _PATTERNS
)


def _unit(word: str) -> str | None:
    word = word.lower()
    return word if word in _POSITION else _SPELLINGS.get(word)


def conversion_expression(question: str) -> str | None:
    """The calculator expression converting the question's amount from one unit to another, or None when the
    question is not a plain conversion between two units of one ladder."""
    if not question.strip() or len(numbers_in(question)) > 1:
        return None
    text = number_words_to_digits(question.strip())
    for pattern, target_group, amount_group, source_group in _COMPILED:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        target, source = _unit(match[target_group]), _unit(match[source_group])
        amount = match[amount_group].lower()
        if target is None or source is None or target == source:
            return None
        (ladder, low), (other, high) = _POSITION[source], _POSITION[target]
        if ladder != other:
            return None
        steps = [str(factor) for _, factor in _LADDERS[ladder][min(low, high) + 1 : max(low, high) + 1]]
        if amount in ("a", "an", "one", "1"):
            if low > high:
                return "*".join(steps)
            return f"1/({'*'.join(steps)})" if len(steps) > 1 else f"1/{steps[0]}"
        written = str(Fraction(amount)) if Fraction(amount).denominator == 1 else amount
        if low > high:
            return "*".join([written, *steps])
        divisor = steps[0] if len(steps) == 1 else f"({'*'.join(steps)})"
        return f"{written}/{divisor}"
    return None
