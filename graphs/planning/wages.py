"""Pay with overtime, without a model.

"$24 an hour for the first 38 hours and time and a half for anything over that; I worked 44 hours" is
``24*38+(44-38)*24*1.5``: the hours up to the limit at the rate, the rest at the rate times the overtime factor
(or at the overtime rate the question gives). The adapter writes ``24*38+1/2*44``, and the dimensional reading
of :mod:`graphs.planning.dimensions` has no sum, so it is read here.

Written by hand because no library we have reads word problems.
"""

from __future__ import annotations

import re
from fractions import Fraction

from graphs.planning.quantities import Amount, amounts

_FACTOR = re.compile(
    r"\b(?:(?P<half>time[\s-]+and[\s-]+a[\s-]+half)|(?P<double>double[\s-]+(?:time|pay|rate))"
    r"|(?P<times>\d+(?:\.\d+)?)\s*(?:x|times)\s+(?:the\s+)?(?:normal\s+|usual\s+|regular\s+|base\s+)?(?:rate|pay))\b",
    re.I,
)
_LIMIT = re.compile(
    r"\b(?:first|over|above|beyond|after|past|more\s+than|up\s+to|exceeding)\s+(?P<hours>\d+(?:\.\d+)?)"
    r"\s*(?:(?:hours?|hrs?|h)\b|(?=\s+(?:in\s+a|a|per|each)\s+week\b))",
    re.I,
)


def overtime_pay(question: str) -> str | None:
    """The pay for the hours worked at a rate up to a limit and overtime past it (see the module docstring), or
    for regular hours and overtime hours counted apart ("40 regular hours and 6 overtime hours"); None for any
    other question."""
    limit = _LIMIT.search(question)
    if limit and not re.match(r"\s*(?:hours?|hrs?|h)\b", question[limit.end("hours") :], re.I):
        # "every hour over 40 in a week": 40 hours
        question = f"{question[: limit.end('hours')]} hours{question[limit.end('hours') :]}"
    split = _REGULAR_AND_OVERTIME.search(question)
    factor = _FACTOR.search(question)
    found = amounts(_FACTOR.sub(" overtime ", question)) or []  # "a half" of "time and a half" is no amount
    rates = [amount for amount in found if _is_hourly_pay(amount)]
    hours = [amount for amount in found if _is_hours(amount)]
    if (limit is None) == (split is None) or not rates or len(rates) > 2 or len(hours) != 2:
        return None
    rate = rates[0].written
    if len(rates) == 2 and factor is None:
        overtime = rates[1].written  # "$36 an hour for overtime"
    elif len(rates) == 1 and factor is not None:
        multiplier = "1.5" if factor["half"] else "2" if factor["double"] else factor["times"]
        overtime = f"{rate}*{multiplier}"
    else:
        return None
    if split is not None:
        return f"{rate}*{split['regular']}+{split['overtime']}*{overtime}"
    assert limit is not None
    limit_hours = Fraction(limit["hours"])
    worked = [amount for amount in hours if amount.value != limit_hours]
    if len(worked) != 1 or worked[0].value <= limit_hours:
        return None
    worked_hours, limit_written = worked[0].written, limit["hours"]
    return f"{rate}*{limit_written}+({worked_hours}-{limit_written})*{overtime}"


_REGULAR_AND_OVERTIME = re.compile(
    r"\b(?P<regular>\d+(?:\.\d+)?)\s+(?:regular|normal|standard|ordinary|basic)\s+hours?\b[^.?!]*?"
    r"\b(?P<overtime>\d+(?:\.\d+)?)\s+(?:overtime\s+hours?|hours?\s+(?:of\s+)?overtime)\b",
    re.IGNORECASE,
)


def _is_hourly_pay(amount: Amount) -> bool:
    powers = {(dim, exp): size for dim, exp, size in amount.unit.sizes}
    return set(powers) == {("money", 1), ("time", -1)} and powers[("time", -1)] == 3600


def _is_hours(amount: Amount) -> bool:
    """Hours, or hours a week ("her first 40 hours each week")."""
    sizes = list(amount.unit.sizes)
    return sizes in (
        [("time", 1, Fraction(3600))],
        [("time", 1, Fraction(3600)), ("time", -1, Fraction(604800))],
    )


def allowance_overage(question: str) -> str | None:
    """A price that includes so much of something, plus a rate for each unit over it ("$35 a month including 10
    GB, extra data $4 per GB; I used 13.5 GB" -> ``35+(13.5-10)*4``); None for any other question, or use within
    the allowance."""
    if not (_INCLUDED.search(question) and _EXTRA.search(question)):
        return None
    found = amounts(question) or []
    flat = [amount for amount in found if _money_per_period(amount)]
    rates = [amount for amount in found if _per_thing(amount) is not None]
    if len(flat) != 1 or len(rates) != 1 or len(found) != 4:
        return None
    thing = _per_thing(rates[0])
    used = [amount for amount in found if _of_thing(amount) == thing]
    if len(used) != 2 or used[1].value <= used[0].value:
        return None
    allowance, total = used
    return f"{flat[0].written}+({total.written}-{allowance.written})*{rates[0].written}"


_INCLUDED = re.compile(
    r"\b(?:includ(?:es|ing|ed)|covers|comes\s+with|allowance\s+of|free\s+for\s+the\s+first)\b", re.I
)
_EXTRA = re.compile(r"\b(?:extra|additional|over(?:age)?|beyond|excess|above)\b", re.I)
_PERIODS = {"time", "day", "week", "month", "year", "night"}


def _money_per_period(amount: Amount) -> bool:
    """A flat price, or one per period ("$35 a month")."""
    dims = {(dim, exp) for dim, exp, _ in amount.unit.sizes}
    return ("money", 1) in dims and all(dim in _PERIODS for dim, exp in dims - {("money", 1)} if exp < 0)


def _per_thing(amount: Amount) -> tuple[str, Fraction] | None:
    """What a rate of money is per, when that is no period ("$4 per GB": GB)."""
    sizes = [(dim, exp, size) for dim, exp, size in amount.unit.sizes]
    if len(sizes) != 2 or ("money", 1, Fraction(1)) not in sizes:
        return None
    ((dim, exp, size),) = [entry for entry in sizes if entry[0] != "money"]
    return (dim, size) if exp == -1 and dim not in _PERIODS else None


def _of_thing(amount: Amount) -> tuple[str, Fraction] | None:
    """What an amount is of, periods it is per left out ("160 km in one day": km)."""
    own = [(dim, size) for dim, exp, size in amount.unit.sizes if exp == 1]
    rest = [dim for dim, exp, _ in amount.unit.sizes if exp < 0]
    return own[0] if len(own) == 1 and all(dim in _PERIODS for dim in rest) else None
