"""A trip in legs, each a distance at a speed, with stops: its whole time or its average speed, without a model.

"150 km at 100 km/h, then a 30 minute lunch stop, then another 120 km at 80 km/h: how many hours?" is
``150/100+30/60+120/80``; "30 km to the lake at 20 km/h and back the same way at 30 km/h: average speed?" is
``(30+30)/(30/20+30/30)``, not the mean of the speeds. The adapter has neither shape and the dimensional reading
of :mod:`graphs.planning.dimensions` has no sum, so legs are read here: each distance with the speed written
after it, a speed alone after "back" or "the same way" with the distance before it, and the durations between
as stops.

Written by hand because no library we have reads word problems.
"""

from __future__ import annotations

import re
from fractions import Fraction

from graphs.planning.quantities import DIMENSIONS, Amount, amounts, asked_unit
from graphs.planning.rules import expression_values, replaced_once

_BACK = re.compile(r"\b(?:back|same\s+way|return(?:ed|ing)?|home)\b", re.I)
_AVERAGE = re.compile(r"\baverage\b", re.I)


def trip_expression(question: str) -> str | None:
    """The time a trip of legs and stops takes, or its average speed (see the module docstring); None for any
    other question."""
    asked = asked_unit(question)
    found = amounts(question)
    if asked is None or not found:
        return None
    legs: list[tuple[Amount, Amount]] = []
    stops: list[Amount] = []
    distance: Amount | None = None
    for amount in found:
        kind = _kind(amount)
        if kind == "distance" and distance is None:
            distance = amount
        elif kind == "speed" and distance is not None:
            legs.append((distance, amount))
            distance = None
        elif kind == "speed" and legs and len(legs) == 1 and _BACK.search(question):
            legs.append((legs[0][0], amount))  # "came back the same way at 30 km/h"
        elif kind == "stop" and distance is None:
            stops.append(amount)
        else:
            return None
    if distance is not None or not legs or len(legs) + len(stops) < 2:
        return None
    if any(
        d.unit.size_of("length") != s.unit.size_of("length")
        or s.unit.size_of("time") != legs[0][1].unit.size_of("time")
        for d, s in legs
    ):
        return None  # miles at km/h, or speeds per other units of time
    hour = legs[0][1].unit.size_of("time")
    if hour is None:
        return None
    times = [f"{d.written}/{s.written}" for d, s in legs] + [_in(stop, hour) for stop in stops]
    kinds = [(dim, exp) for dim, exp, _ in asked.sizes]
    if kinds == [("time", 1)] and not _AVERAGE.search(question):
        size = asked.sizes[0][2] or hour
        total = "+".join(times)
        return total if size == hour else f"({total})*{_ratio(hour / size)}"
    if sorted(kinds) == [("length", 1), ("time", -1)] and _AVERAGE.search(question):
        if asked.size_of("length") != legs[0][1].unit.size_of("length") or asked.size_of("time") != hour:
            return None
        return f"({'+'.join(d.written for d, _ in legs)})/({'+'.join(times)})"
    return None


def _kind(amount: Amount) -> str:
    powers = sorted((dim, exp) for dim, exp, _ in amount.unit.sizes)
    return {
        (("length", 1),): "distance",
        (("length", 1), ("time", -1)): "speed",
        (("time", 1),): "stop",
    }.get(tuple(powers), "other")


def _in(stop: Amount, hour: Fraction) -> str:
    """A stop's duration in the unit of time the speeds are per ("30 minutes" -> ``30/60`` of an hour)."""
    size = stop.unit.size_of("time")
    if size is None or size == hour:
        return stop.written
    share = size / hour
    return (
        f"{stop.written}/{share.denominator}" if share.numerator == 1 else f"{stop.written}*{_ratio(share)}"
    )


def _ratio(value: Fraction) -> str:
    if value.numerator == 1:
        return f"1/{value.denominator}"
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def round_trip_doubled(expression: str, question: str) -> str | None:
    """``expression`` with the one distance of ``question`` doubled where it says the way is travelled there and
    back ("18 km away ... driving there and back" -> ``18/45*60*5`` becomes ``(18*2)/45*60*5``; "38 km each way"
    for a week's total); None when the question says no such thing, gives no one distance, or the expression
    already holds a 2."""
    if not _BOTH_WAYS.search(question) or 2 in expression_values(expression):
        return None
    distances = [  # "38 km each way" is read per way; "28 miles per gallon" is no distance
        amount
        for amount in amounts(question) or []
        if ("length", 1) in {(dim, exp) for dim, exp, _ in amount.unit.sizes}
        and all(exp > 0 or dim not in DIMENSIONS for dim, exp, _ in amount.unit.sizes)
    ]
    if len(distances) != 1:
        return None
    return replaced_once(expression, distances[0].written, f"({distances[0].written}*2)")


_BOTH_WAYS = re.compile(
    r"\b(?:there\s+and\s+back|round[\s-]*trips?|both\s+ways|each\s+way|return\s+(?:trip|journey)|to\s+and\s+from"
    r"|back\s+and\s+forth|(?:back|home)\s+(?:again\s+)?(?:the\s+)?same\s+way)\b",
    re.I,
)
"""Words saying a way is travelled twice."""
