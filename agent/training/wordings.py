"""How numbers and requests are worded in the generated questions: digits or English words, decimals,
and the everyday quantities a person writes instead of a number ("two weeks", "a quarter", "half").

The training data draws every number through :func:`say`, so the model sees the same value written both
ways and learns to write it back as digits in the calculator call.
"""

from __future__ import annotations

import random
from fractions import Fraction

_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]

WORD_RATE = 0.35
"""How often :func:`say` writes a whole number in words (when it has a word form)."""


def number_words(value: int) -> str:
    """English words for ``0 <= value < 1,000,000`` ("four hundred and twelve", "twenty-one")."""
    if not 0 <= value < 1_000_000:
        raise ValueError(f"no word form for {value}")
    if value < 20:
        return _ONES[value]
    if value < 100:
        tens, ones = divmod(value, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    if value < 1000:
        hundreds, rest = divmod(value, 100)
        head = f"{_ONES[hundreds]} hundred"
        return head + (f" and {number_words(rest)}" if rest else "")
    thousands, rest = divmod(value, 1000)
    head = f"{number_words(thousands)} thousand"
    if not rest:
        return head
    return head + (" and " if rest < 100 else " ") + number_words(rest)


def digits(value: Fraction | int | str) -> str:
    """``value`` as the calculator reads it: ``12``, ``6.5``, ``86.4`` (exact terminating decimals only)."""
    if isinstance(value, str):
        return value
    number = Fraction(value)
    if number.denominator == 1:
        return str(number.numerator)
    text = f"{float(number):.10f}".rstrip("0").rstrip(".")
    if Fraction(text) != number:
        raise ValueError(f"{value} has no short decimal form")
    return text


def say(value: int | str, rng: random.Random, *, words: bool = True) -> str:
    """``value`` as a person might write it: digits most of the time, words for some whole numbers.

    A ``str`` value is a decimal written as the question shows it (``"86.40"``) and is kept verbatim.
    """
    if isinstance(value, str):
        return value
    if words and value <= 100 and rng.random() < WORD_RATE:
        return number_words(value)
    if value >= 10_000 and rng.random() < 0.3:
        return f"{value:,}"
    return str(value)


def money(value: int | str, rng: random.Random, currency: str | None = None) -> str:
    """An amount of money: ``$12``, ``12 dollars``, ``€86.40``, ``7.5 euros``."""
    text = value if isinstance(value, str) else str(value)
    symbol, name = currency_pair(rng) if currency is None else (currency, _NAMES[currency])
    if rng.random() < 0.6:
        return f"{symbol}{text}"
    return f"{text} {name}"


_NAMES = {"$": "dollars", "€": "euros", "£": "pounds"}


def currency_pair(rng: random.Random) -> tuple[str, str]:
    symbol = rng.choice(tuple(_NAMES))
    return symbol, _NAMES[symbol]


def decimal_text(rng: random.Random, low: int, high: int, *, places: int = 2) -> str:
    """A decimal with ``places`` digits as written on a price tag (``86.40``, ``6.5``): trailing zeros kept."""
    whole = rng.randint(low, high)
    if places == 1:
        return f"{whole}.{rng.randint(1, 9)}"
    cents = rng.choice((5, 10, 20, 25, 40, 50, 75, 90, 95, 99, rng.randint(1, 99)))
    return f"{whole}.{cents:02d}"


def value_of(text: str) -> Fraction:
    """The exact value of a decimal written as digits (``"86.40"`` -> 432/5)."""
    return Fraction(text)


# Quantities people write in words: (phrase, value, unit it converts to).
DURATIONS_IN_DAYS = (("a week", 7), ("two weeks", 14), ("three weeks", 21), ("a fortnight", 14))
DURATIONS_IN_MONTHS = (("a year", 12), ("half a year", 6), ("two years", 24), ("a quarter", 3))
FRACTIONS = (
    ("half", Fraction(1, 2), "1/2"),
    ("a quarter", Fraction(1, 4), "1/4"),
    ("a third", Fraction(1, 3), "1/3"),
    ("three quarters", Fraction(3, 4), "3/4"),
    ("a fifth", Fraction(1, 5), "1/5"),
    ("two thirds", Fraction(2, 3), "2/3"),
)
"""(phrase, value, how the calculator call writes it)."""

MULTIPLES = (("a dozen", 12), ("two dozen", 24), ("a pair of", 2), ("a couple of", 2), ("a score of", 20))

PEOPLE = (
    "Ana",
    "Ben",
    "Chloe",
    "Dev",
    "Elif",
    "Farah",
    "Goran",
    "Hana",
    "Ivo",
    "Jonas",
    "Kemi",
    "Lior",
    "Mara",
    "Nils",
    "Oona",
    "Pavel",
    "Quinn",
    "Rosa",
    "Sami",
    "Tove",
    "Uma",
    "Vik",
    "Wen",
    "Yara",
)
