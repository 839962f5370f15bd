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

from graphs.planning.quantities import measure
from graphs.planning.rules import DECIMAL, SHARE_CUES, format_value, number_values, number_words_to_digits

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


def _price(found: re.Match[str]) -> str:
    """The number of a money figure :data:`_MONEY` found, however it was written ("$3.20", "11 dollars")."""
    return found["sign"] or found["word"] or found["verb"]


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
    price = Fraction(_price(money[0]))
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


def unit_prices_compared(question: str) -> str | None:
    """The difference of two things' prices per the unit asked, the dearer less the cheaper ("a 12-pack of soda
    is $7.20 and a 6-pack is $3.90. how much cheaper per can is the 12-pack?" -> ``3.9/6-7.2/12``; "a 750 g
    box costs 4.50 and a 500 g box 3.20: how much more per 100 g?" -> ``3.2/(500/100)-4.5/(750/100)``), or
    None: each of two parts of the question must name one price and one size of the kind asked."""
    text = number_words_to_digits(question)
    asked = _PER_ASKED.search(text)
    if asked is None:
        return None
    per = measure(asked["unit"])  # "per kilo", "per 100 g"; else a count ("per can")
    per_size = Fraction(asked["count"] or 1)
    stated = text[: asked.start()]
    items = []
    for part in re.split(r"\s*(?:,|;|\band\b|\bwhile\b|\bbut\b|(?<=[a-z0-9])\.\s)\s*", stated):
        prices = list(_MONEY.finditer(part))
        sizes = list(_SIZE.finditer(part))
        if not prices and not sizes:
            continue
        if len(prices) != 1 or len(sizes) != 1:
            return None
        price = _price(prices[0])
        size = sizes[0]
        unit = measure(size["unit"]) if size["unit"] else None
        if (per is None) != (unit is None) or (unit and per and unit.powers != per.powers):
            return None  # a pack counted against a price per kilo
        if not Fraction(size["number"]) or not per_size:
            return None  # "a 0 g box" has no price per gram
        factor = (unit.size / per.size if unit and per else Fraction(1)) / per_size
        items.append((Fraction(price) / (Fraction(size["number"]) * factor), price, size["number"], factor))
    if len(items) != 2 or items[0][0] == items[1][0]:
        return None
    dear, cheap = sorted(items, key=lambda item: -item[0])
    return f"{_per_unit(*dear[1:])}-{_per_unit(*cheap[1:])}"


def _per_unit(price: str, size: str, factor: Fraction) -> str:
    """``price`` per unit asked, for ``size`` units written ``factor`` times that unit."""
    if factor == 1:
        return f"{price}/{size}"
    if factor.numerator == 1:
        return f"{price}/({size}/{factor.denominator})"
    return f"{price}/({size}*{format_value(factor)})"


_PER_ASKED = re.compile(
    rf"\bhow\s+much\s+(?:cheaper|more|less|dearer|more\s+expensive)\s+(?:\w+\s+){{0,3}}?per\s+(?P<count>{DECIMAL}\s*)?"
    r"(?P<unit>[a-z]+)\b",
    re.IGNORECASE,
)
_SIZE = re.compile(
    rf"(?<![\d.$€£])(?P<number>{DECIMAL})\s*(?:-\s*pack\b|-?\s*(?P<unit>g|grams?|kg|kilos?|kilograms?|ml|l|litres?"
    r"|liters?|lb|lbs|pounds?|oz|ounces?)\b|\s+(?:cans|bottles|eggs|bars|rolls|pieces|items|cups|bags)\b)",
    re.IGNORECASE,
)
"""A thing's size: "a 12-pack", "750 g", "a 1.2 kg bag", "24 eggs"."""
