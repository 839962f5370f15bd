"""How many units a total takes at a rate per unit: "Sam saves $12 a week. How many weeks will it take him to
save $180?" is ``180/12``.

The adapter multiplied the rate by the total (``180*12``, ``800*2000`` for the hours of a 2,000 km flight at
800 km per hour, ``24*600`` for the boxes of 24 needed for 600 crayons), measured on word problems written by
hand. For a question of two numbers that asks "how many <units>" and gives one number per that unit ("12 a
week", "800 km per hour", "a box holds 24"), the count of units is the other number divided by the rate:
units cancel, so this needs no model. Anything else stands.

And a rate per unit times two amounts of that unit is the rate times their sum (``15*(6+9)`` for $15 an hour,
6 hours on Monday and 9 on Tuesday): the adapter left out the parentheses (``15*6+9``).
"""

from __future__ import annotations

import re
from fractions import Fraction

from graphs.planning.rules import DECIMAL, ONE_OPERATION, number_values, singular

_ASKED = re.compile(r"\bhow\s+many\s+(?:more\s+)?(?P<unit>[a-z]+)", re.IGNORECASE)
_PER_UNIT = re.compile(
    rf"[$€£]?(?P<number>{DECIMAL})\s*(?:[a-z$€£]+\s+){{0,3}}?(?:per|a|an|each|every)\s+(?P<unit>[a-z]+)\b",
    re.IGNORECASE,
)
_UNIT_HOLDS = re.compile(
    r"\b(?:a|an|each|every|one|per)\s+(?P<unit>[a-z]+)\s+(?:holds|contains|has|fits|takes|carries|seats|"
    rf"can\s+(?:hold|take|carry|fit|seat))\s+(?:up\s+to\s+)?[$€£]?(?P<number>{DECIMAL})\b",
    re.IGNORECASE,
)


def units_needed(expression: str, question: str) -> str | None:
    """``total/rate`` for a question asking how many units a total takes at a rate per unit, when
    ``expression`` computes with those two numbers in another way; None otherwise."""
    asked = _ASKED.search(question)
    match = ONE_OPERATION.fullmatch(expression)
    numbers = number_values(question.replace(",", ""))
    if asked is None or match is None or len(numbers) != 2:
        return None
    unit = singular(asked["unit"])
    rates = {
        Fraction(found["number"])
        for pattern in (_PER_UNIT, _UNIT_HOLDS)
        for found in pattern.finditer(question.replace(",", ""))
        if singular(found["unit"]) == unit
    }
    if len(rates) != 1:
        return None
    rate = rates.pop()
    left, operator, right = match.groups()
    if {Fraction(left), Fraction(right)} != numbers or rate not in numbers:
        return None
    rate_text = left if Fraction(left) == rate else right
    total_text = right if rate_text == left else left
    if operator == "/" and total_text == left:
        return None  # as asked already
    return f"{total_text}/{rate_text}"


_FLAT = re.compile(rf"\s*({DECIMAL})\s*([*+])\s*({DECIMAL})\s*([*+])\s*({DECIMAL})\s*")


def rate_times_sum(expression: str, question: str) -> str | None:
    """``rate*(a+b)`` for a rate per unit and two amounts of that unit ("$15 an hour ... 6 hours on Monday
    and 9 hours on Tuesday") when ``expression`` multiplies the rate by one amount and adds the other
    (``15*6+9``: the adapter left out the parentheses); None otherwise."""
    match = _FLAT.fullmatch(expression)
    text = question.replace(",", "")
    if match is None or sorted(match[2] + match[4]) != ["*", "+"]:
        return None
    numbers = [match[1], match[3], match[5]]
    for found in _PER_UNIT.finditer(text):
        unit = singular(found["unit"])
        amounts = {
            m["number"]
            for m in re.finditer(
                rf"(?<![\d.$€£])(?P<number>{DECIMAL})\s+(?P<unit>[a-z]+)", text, re.IGNORECASE
            )
            if singular(m["unit"]) == unit
        }
        rate = found["number"]
        others = [n for n in numbers if n != rate]
        if rate in numbers and len(others) == 2 and set(others) <= amounts:
            return f"{rate}*({others[0]}+{others[1]})"
    return None


_RATE_PER_N = re.compile(
    rf"(?P<rate>{DECIMAL})\s+(?:[a-z]+\s+){{0,3}}?(?:per|for\s+every|every|each)\s+(?P<per>{DECIMAL})\s+(?P<unit>[a-z]+)",
    re.IGNORECASE,
)


def rate_per_amount(question: str) -> str | None:
    """``rate*(a+b)/n`` for a rate per n units ("6 litres per 100 km") and amounts of that unit ("150 km on
    Saturday and 210 km on Sunday"), when those are all the question's numbers; None otherwise."""
    text = question.replace(",", "")
    found = _RATE_PER_N.search(text)
    if found is None or Fraction(found["per"]) in {0, 1}:
        return None
    unit = singular(found["unit"])
    amounts = [
        m["number"]
        for m in re.finditer(rf"(?<![\d.$€£])(?P<number>{DECIMAL})\s*(?P<unit>[a-z]+)", text, re.IGNORECASE)
        if singular(m["unit"]) == unit and m.start() != found.start("per")
    ]
    numbers = re.findall(rf"(?<![\d.]){DECIMAL}", text)
    if not amounts or len(numbers) != 2 + len(amounts):
        return None
    total = amounts[0] if len(amounts) == 1 else f"({'+'.join(amounts)})"
    return f"{found['rate']}*{total}/{found['per']}"
