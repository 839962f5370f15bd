"""Unit conversions the planner answers exactly: "How many seconds are in an hour?" -> ``60*60``.

A question that asks for one unit in another, and names nothing else, has one right expression: the factors
between the two units on their ladder (seconds, minutes, hours, days, weeks; millimetres to kilometres;
inches to miles; milligrams to tonnes; millilitres and litres; ounces and pounds; months to centuries).
Neither the trained adapter nor the rules' router got them without a number in the question ("an hour" holds
none: the router sent it to the web); the table below is exact, so this layer needs no model. Written by hand
because no dependency we have parses a conversion question (``pint`` converts quantities, not English
questions), and the factors are written out (``24*60``) so the answer shows how it was computed.

Days are not on the ladder of months and years: a month's or a year's length in days is not one number.
Lengths and masses cross between the metric and the imperial ladders through the exact definitions (an inch
is 2.54 cm, a pound 453.59237 g): "Convert 5 km to miles" is ``5/1.609344`` (the adapter wrote ``5*1000``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from fractions import Fraction

from langchain_core.messages import BaseMessage, ToolMessage

from graphs.planning.rules import format_value, is_error, number_words_to_digits, numbers_in, previous_turn

# Each ladder: (unit, how many of the previous unit make one of it), smallest first.
_LADDERS: tuple[tuple[tuple[str, int], ...], ...] = (
    (("second", 1), ("minute", 60), ("hour", 60), ("day", 24), ("week", 7)),
    (("millimetre", 1), ("centimetre", 10), ("metre", 100), ("kilometre", 1000)),
    (("inch", 1), ("foot", 12), ("yard", 3), ("mile", 1760)),
    (("milligram", 1), ("gram", 1000), ("kilogram", 1000), ("tonne", 1000)),
    (("millilitre", 1), ("litre", 1000)),
    (("ounce", 1), ("pound", 16)),
    (("month", 1), ("year", 12), ("decade", 10), ("century", 10)),
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
    "tonnes": "tonne",
    "ounces": "ounce",
    "oz": "ounce",
    "pounds": "pound",
    "lbs": "pound",
    "lb": "pound",
    "months": "month",
    "years": "year",
    "decades": "decade",
    "centuries": "century",
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


def _conversion(question: str) -> tuple[str, str, str] | None:
    """(amount as written, source unit, target unit) of a plain conversion question, or None."""
    if not question.strip() or len(numbers_in(question)) > 1:
        return None
    text = number_words_to_digits(question.strip())
    for pattern, target_group, amount_group, source_group in _COMPILED:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        target, source = _unit(match[target_group]), _unit(match[source_group])
        if (
            target is None
            or source is None
            or target == source
            or (_POSITION[source][0] != _POSITION[target][0] and _BRIDGES.get(source) is None)
            or (_POSITION[source][0] != _POSITION[target][0] and _BRIDGES.get(target) is None)
            or _dimension(source) != _dimension(target)
        ):
            return None
        return match[amount_group].lower(), source, target
    return None


_BRIDGES = {
    "millimetre": ("length", Fraction(1, 1000)),
    "centimetre": ("length", Fraction(1, 100)),
    "metre": ("length", Fraction(1)),
    "kilometre": ("length", Fraction(1000)),
    "inch": ("length", Fraction(254, 10000)),
    "foot": ("length", Fraction(3048, 10000)),
    "yard": ("length", Fraction(9144, 10000)),
    "mile": ("length", Fraction(1609344, 1000)),
    "milligram": ("mass", Fraction(1, 1000)),
    "gram": ("mass", Fraction(1)),
    "kilogram": ("mass", Fraction(1000)),
    "tonne": ("mass", Fraction(1000000)),
    "ounce": ("mass", Fraction(28349523125, 10**9)),
    "pound": ("mass", Fraction(45359237, 10**5)),
}
"""Units of two ladders of one kind, in metres or grams: an inch is 2.54 cm and a pound 453.59237 g by
definition, so a conversion between the metric and the imperial ladders is exact too."""


def _dimension(unit: str) -> object:
    bridge = _BRIDGES.get(unit)
    return bridge[0] if bridge else _POSITION[unit][0]


def _terminates(value: Fraction) -> bool:
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    return denominator == 1


def _expression(amount: str, source: str, target: str) -> str:
    """``amount`` of ``source`` in ``target`` (two units of one ladder, or of two ladders of one kind: the
    factor between them through metres or grams), the factors written out."""
    if _POSITION[source][0] != _POSITION[target][0]:
        written = "1" if amount in ("a", "an", "one") else amount
        ratio = _BRIDGES[source][1] / _BRIDGES[target][1]
        if _terminates(ratio):
            return f"{written}*{format_value(ratio)}"
        if _terminates(1 / ratio):
            return f"{written}/{format_value(1 / ratio)}"
        return f"{written}*{format_value(_BRIDGES[source][1])}/{format_value(_BRIDGES[target][1])}"
    (ladder, low), (_, high) = _POSITION[source], _POSITION[target]
    steps = [str(factor) for _, factor in _LADDERS[ladder][min(low, high) + 1 : max(low, high) + 1]]
    one = amount in ("a", "an", "one", "1")
    written = "1" if one else str(Fraction(amount)) if Fraction(amount).denominator == 1 else amount
    if low > high:
        return "*".join(steps if one else [written, *steps])
    divisor = steps[0] if len(steps) == 1 else f"({'*'.join(steps)})"
    return f"{written}/{divisor}"


_CELSIUS = r"(?:degrees?\s+)?(?:celsius|centigrade|°\s*c|c)\b"
_FAHRENHEIT = r"(?:degrees?\s+)?(?:fahrenheit|°\s*f|f)\b"
_TEMPERATURE = re.compile(
    rf"(?P<amount>-?\d+(?:\.\d+)?)\s*(?:(?P<celsius>{_CELSIUS})|(?P<fahrenheit>{_FAHRENHEIT}))"
    r".*?\b(?:in|to|into|as)\s+(?:degrees?\s+)?(?P<target>celsius|centigrade|fahrenheit|°\s*[cf]|[cf])\b",
    re.IGNORECASE,
)


def temperature_expression(question: str) -> str | None:
    """A temperature converted between Celsius and Fahrenheit ("20 degrees Celsius ... in Fahrenheit?" ->
    ``20*9/5+32``), or None. Not on a ladder: the scales differ by an offset as well as a factor."""
    found = _TEMPERATURE.search(question)
    if found is None or len(numbers_in(question)) != 1:
        return None
    to_fahrenheit = found["target"].lower().lstrip("°").strip().startswith("f")
    amount = found["amount"]
    if found["celsius"] and to_fahrenheit:
        return f"{amount}*9/5+32"
    if found["fahrenheit"] and not to_fahrenheit:
        return f"({amount}-32)*5/9"
    return None


def conversion_expression(question: str) -> str | None:
    """The calculator expression converting the question's amount from one unit to another, or None when the
    question is not a plain conversion between two units of one ladder (or of temperature)."""
    if temperature := temperature_expression(question):
        return temperature
    conversion = _conversion(question)
    return _expression(*conversion) if conversion else None


_FOLLOW_UP = re.compile(
    r"\s*(?:and|ok|so|now|then)?[,.]?\s*(?:what(?: is|'s) (?:that|it) )?(?:in |into )?(?:how many )?"
    rf"{_UNIT}(?: (?:is|would) (?:that|it)(?: be)?)?\s*[?.!]*\s*",
    re.IGNORECASE,
)


def follow_up_conversion(messages: Sequence[BaseMessage]) -> str | None:
    """The expression converting the previous turn's result on, when that turn was a plain conversion computed
    by the calculator and the last message asks for it in another unit of the same ladder ("How many hours
    are in 5 days?", 120, then "And in minutes?" -> ``120*60``); None otherwise."""
    previous = previous_turn(messages)
    if previous is None:
        return None
    match = _FOLLOW_UP.fullmatch(messages[-1].text)
    if match is None:
        return None
    target = _unit(match[1])
    earlier_question, earlier_turn = previous
    earlier = _conversion(earlier_question)
    results = [
        message.text.strip()
        for message in earlier_turn
        if isinstance(message, ToolMessage) and message.name == "calculator" and not is_error(message)
    ]
    if (
        target is None
        or earlier is None
        or len(results) != 1
        or not re.fullmatch(r"\d+(?:\.\d+)?", results[0])
    ):
        return None
    _, _, unit = earlier
    if target == unit or _POSITION[target][0] != _POSITION[unit][0]:
        return None
    return _expression(results[0], unit, target)


_ASKED_UNIT = re.compile(r"\bhow\s+many\s+([a-z]+)\b", re.IGNORECASE)
_PASSAGE_AMOUNT = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s+([a-z]+)\b", re.IGNORECASE)


def looked_up_conversion(question: str, passage: str) -> str | None:
    """A figure looked up, converted to the unit the question asks ("Ilse Varga kept the light for how many
    months?" and "...kept the light for 26 years" -> ``26*12``), when the question holds no number and the
    passage's sentence one amount of that unit's ladder in another unit; None otherwise."""
    asked = _ASKED_UNIT.search(question)
    target = _unit(asked[1]) if asked and not numbers_in(question) else None
    if target is None:
        return None
    amounts = {
        (amount, source)
        for amount, word in _PASSAGE_AMOUNT.findall(passage)
        if (source := _unit(word)) is not None and _POSITION[source][0] == _POSITION[target][0]
    }
    if len(amounts) != 1:
        return None
    amount, source = amounts.pop()
    return None if source == target else _expression(amount, source, target)
