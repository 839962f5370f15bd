"""The average of the numbers a question lists: "My son's test scores were 78, 85, 92 and 89. What's his average?"
is ``(78+85+92+89)/4``.

The adapter wrote ``(78+85+92+89)/78+85`` for it: a list of three or more numbers and a question asking their
average or mean has one answer, when the list holds every number of the question. Written by hand: no library
we have reads a list of numbers out of English sentences.
"""

from __future__ import annotations

import re
from fractions import Fraction

from graphs.planning.rules import DECIMAL, number_words_to_digits, numbers_in

_LISTED = re.compile(
    rf"(?<![\d.,])(?:[$£€]\s*)?{DECIMAL}(?:\s*,\s+(?:[$£€]\s*)?{DECIMAL})+,?\s+and\s+(?:[$£€]\s*)?{DECIMAL}(?!\.?\d)"
)
"""A list of numbers: "78, 85, 92 and 89" (a comma then a space; "1,200" is one number)."""
_AVERAGE_ASKED = re.compile(r"\b(?:average|mean)\b", re.IGNORECASE)
_NOT_A_PLAIN_AVERAGE = re.compile(
    r"%|\bper\s*cent|\bweighted\b|\bspeed\b|\bper\b|\ban?\s+hour\b|/|\bwhat\s+(?:score|mark)\s+(?:do|does|must|should)",
    re.IGNORECASE,
)
"""An average that is not the plain mean of the list: of rates, weighted, or one to reach."""


def average_of_listed(question: str) -> str | None:
    """``(a+b+c)/3`` for a question that lists its numbers and asks their average or mean, or None."""
    text = number_words_to_digits(question)
    if not _AVERAGE_ASKED.search(text) or _NOT_A_PLAIN_AVERAGE.search(text):
        return None
    lists = _LISTED.findall(text)
    if len(lists) != 1:
        return None
    items = numbers_in(lists[0])
    others = list(numbers_in(text))
    for item in items:
        if item in others:
            others.remove(item)
    if len(items) < 3 or any(Fraction(other) != len(items) for other in others):
        return None  # another number of the question ("over 4 weeks") would have to count too; "in our last
        # five games" counts the list
    return f"({'+'.join(items)})/{len(items)}"
