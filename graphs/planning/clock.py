"""The time between two clock times: "My flight leaves at 22:40 and lands at 06:15. How many minutes is it?"
is ``(6*60+15)-(22*60+40)+24*60``.

The adapter read "22:40" as two numbers and the dimensional reading (:mod:`graphs.planning.dimensions`) sets
clock times aside. A question that names exactly two clock times, no other number, and asks for the time
between them in minutes or hours has one answer: the later minus the earlier, past midnight when the second
is earlier in the day. Written by hand: no library we have reads clock times out of English sentences
(``datetime.strptime`` parses one time in a known format, not a question).
"""

from __future__ import annotations

import re

_TIME = re.compile(
    r"(?<![\d.:])(?P<hour>\d{1,2})(?:(?P<separator>[:.])(?P<minute>\d{2}))?\s*(?P<half>[ap]\.?\s?m\.?)?(?![\d:])",
    re.IGNORECASE,
)
_BREAK = re.compile(
    r"(?<![\d.])(?P<minutes>\d+)\s*-?\s*(?:minutes?|mins?)\s+(?:\w+\s+){0,2}?(?:break|lunch|rest)\b",
    re.IGNORECASE,
)
"""A break taken out of the time between ("a 30-minute unpaid lunch")."""
_ASKED = re.compile(
    r"\bhow\s+(?:many|much)\s+(?:paid\s+|working\s+|work\s+|whole\s+)?(?P<unit>minutes|mins|hours|hrs)\b|\bhow\s+long\b.*?\bin\s+(?P<in>minutes|mins|hours|hrs)\b",
    re.IGNORECASE,
)


def _minutes(found: re.Match[str]) -> int | None:
    """Minutes since midnight of a clock time ("7:45pm" -> 1185), or None when it is not one."""
    hour, minute = int(found["hour"]), int(found["minute"] or 0)
    half = (found["half"] or "").lower().replace(".", "").replace(" ", "")
    if not (found["minute"] or half) or minute > 59 or hour > (12 if half else 23):
        return None  # "3 hours": a number, not a clock time
    if found["separator"] == "." and not half:
        return None  # "3.50": a price; "6.30am" is a time
    if half == "pm" and hour != 12:
        hour += 12
    elif half == "am" and hour == 12:
        hour = 0
    return hour * 60 + minute


def clock_duration(question: str) -> str | None:
    """The minutes or hours between the question's two clock times as a calculator expression, or None."""
    asked = _ASKED.search(question)
    read = [(found, _minutes(found)) for found in _TIME.finditer(question)]
    times = [(found, minutes) for found, minutes in read if minutes is not None]
    if asked is None or len(times) != 2:
        return None
    (first, start), (second, end) = times
    if start is None or end is None or start == end:
        return None
    rest = f"{question[: first.start()]} {question[first.end() : second.start()]} {question[second.end() :]}"
    pause = _BREAK.search(rest)
    if re.search(r"\d", _BREAK.sub(" ", rest)):
        return None  # another number: a count of days, a rate; more than the time between
    expression = f"({end // 60}*60+{end % 60})-({start // 60}*60+{start % 60})"
    if end < start:
        expression += "+24*60"
    if pause is not None:  # "with a 30-minute unpaid lunch": the time between less the break
        expression += f"-{pause['minutes']}"
    unit = (asked["unit"] or asked["in"]).lower()
    return f"({expression})/60" if unit.startswith("h") else expression
