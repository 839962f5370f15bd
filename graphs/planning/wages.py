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
    r"\b(?:first|over|above|beyond|after|past|more\s+than|up\s+to|exceeding)\s+(?P<hours>\d+(?:\.\d+)?)\s*(?:hours?|hrs?|h)\b",
    re.I,
)


def overtime_pay(question: str) -> str | None:
    """The pay for the hours worked at a rate up to a limit and overtime past it (see the module docstring), or
    None for any other question."""
    limit = _LIMIT.search(question)
    factor = _FACTOR.search(question)
    found = amounts(_FACTOR.sub(" overtime ", question)) or []  # "a half" of "time and a half" is no amount
    rates = [amount for amount in found if _is_hourly_pay(amount)]
    hours = [amount for amount in found if _is_hours(amount)]
    if limit is None or not rates or len(rates) > 2 or len(hours) != 2:
        return None
    limit_hours = Fraction(limit["hours"])
    worked = [amount for amount in hours if amount.value != limit_hours]
    if len(worked) != 1 or worked[0].value <= limit_hours:
        return None
    rate, worked_hours, limit_written = rates[0].written, worked[0].written, limit["hours"]
    if len(rates) == 2 and factor is None:
        overtime = rates[1].written  # "$36 an hour for overtime"
    elif len(rates) == 1 and factor is not None:
        multiplier = "1.5" if factor["half"] else "2" if factor["double"] else factor["times"]
        overtime = f"{rate}*{multiplier}"
    else:
        return None
    return f"{rate}*{limit_written}+({worked_hours}-{limit_written})*{overtime}"


def _is_hourly_pay(amount: Amount) -> bool:
    powers = {(dim, exp): size for dim, exp, size in amount.unit.sizes}
    return set(powers) == {("money", 1), ("time", -1)} and powers[("time", -1)] == 3600


def _is_hours(amount: Amount) -> bool:
    return [(dim, exp, size) for dim, exp, size in amount.unit.sizes] == [("time", 1, Fraction(3600))]
