"""A rate over one period asked over another: "I save $45 a week. How much is that in a year?" is ``45*52``.

The adapter mixed up the periods' factors: ``45*12`` for a weekly saving over a year (12 is a year's months),
measured on follow-up conversations written by someone else. For a question with one number, given per
period ("45 a week", "8,500 steps a day") and asked over, or per, one other period ("in a year", "per
month"), the factor between the two is exact where the calendar fixes it: a week is 7 days, a year 52 weeks,
12 months or 365 days, an hour 60 minutes, a minute 60 seconds. An expression of that number and a unit
constant gets the right factor and direction; anything else stands. Hours to days are left out on purpose:
"15 an hour" over "a day" is a day's work, not 24 hours.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from fractions import Fraction

from langchain_core.messages import BaseMessage

from graphs.planning.rules import (
    DECIMAL,
    ONE_OPERATION,
    UNIT_CONSTANTS,
    number_values,
    number_words_to_digits,
    numbers_in,
    previous_calculator_result,
    previous_question_and_result,
    previous_turn,
)

CALENDAR_FACTORS = {
    ("second", "minute"): 60,
    ("minute", "hour"): 60,
    ("day", "week"): 7,
    ("day", "year"): 365,
    ("week", "year"): 52,
    ("month", "year"): 12,
}
_ADJECTIVES = {"daily": "day", "weekly": "week", "monthly": "month", "yearly": "year", "annually": "year"}
_PERIOD = r"(?:second|minute|hour|day|week|month|year)"
_RATE = re.compile(
    rf"(?P<number>{DECIMAL})\s*(?:[a-z]+\s+){{0,2}}?(?:a|an|per|each|every|/)\s*(?P<period>{_PERIOD})s?\b"
    r"|(?P<adjective_number>\d+(?:\.\d+)?)\s*(?:[a-z]+\s+){0,2}?(?P<adjective>daily|weekly|monthly|yearly|annually)\b",
    re.IGNORECASE,
)
_MENTION = re.compile(
    rf"\b(?:(?P<period>{_PERIOD})s?|(?P<adjective>daily|weekly|monthly|yearly|annually))\b", re.I
)
_CHANGES = re.compile(r"\b(?:more|fewer|less|extra|than|instead|off|tax|tip)\b|%", re.IGNORECASE)


def _periods(question: str) -> tuple[str, str] | None:
    """The period the question's number is given per, and the one other period it names."""
    rates = list(_RATE.finditer(question.replace(",", "")))
    adjectives = [mention for mention in _MENTION.finditer(question) if mention["adjective"]]
    if len(rates) == 1:
        given = (rates[0]["period"] or _ADJECTIVES[rates[0]["adjective"].lower()]).lower()
    elif not rates and len(adjectives) == 1:  # "Our weekly bill is 120"
        given = _ADJECTIVES[adjectives[0]["adjective"].lower()]
    else:
        return None
    named = {
        (mention["period"] or _ADJECTIVES[mention["adjective"].lower()]).lower()
        for mention in _MENTION.finditer(question)
    } - {given}
    return (given, named.pop()) if len(named) == 1 else None


def period_factor_fixed(expression: str, question: str) -> str | None:
    """``expression`` with the factor between the question's two periods (``45*52`` for ``45*12``; with a
    count of the other period, ``48*7*2`` for ``48*2``: 48 eggs a day for two weeks), or None when it is right
    already or the question or the expression is not of that kind."""
    numbers = number_values(question)
    periods = _periods(question)
    match = ONE_OPERATION.fullmatch(expression)
    if periods is None or match is None:
        return None
    if len(numbers) == 2:
        return _with_count_of_periods(match, question, periods, numbers)
    if len(numbers) != 1:
        return None
    left, operator, right = match.groups()
    rate_text = left if Fraction(left) in numbers else right
    constant = right if rate_text == left else left
    if Fraction(rate_text) not in numbers or constant not in UNIT_CONSTANTS | {"30", "31", "4"}:
        return None
    given, asked = periods
    if (given, asked) in CALENDAR_FACTORS:
        wanted = f"{rate_text}*{CALENDAR_FACTORS[given, asked]}"
    elif (asked, given) in CALENDAR_FACTORS:
        wanted = f"{rate_text}/{CALENDAR_FACTORS[asked, given]}"
    else:
        return None
    written = Fraction(left) * Fraction(right) if operator == "*" else Fraction(left) / Fraction(right)
    factor = Fraction(wanted.partition("*")[2] or 1) / Fraction(wanted.partition("/")[2] or 1)
    return None if written == Fraction(rate_text) * factor else wanted


def _with_count_of_periods(
    match: re.Match[str], question: str, periods: tuple[str, str], numbers: set[Fraction]
) -> str | None:
    """``rate*factor*count`` for a rate per one period over a count of a longer one ("48 eggs each day ... in
    two weeks": ``48*7*2``), when the expression multiplies the rate by the count alone."""
    given, asked = periods
    left, operator, right = match.groups()
    counted = re.search(rf"(?<![\d.])(?P<count>{DECIMAL})\s+{asked}s?\b", number_words_to_digits(question))
    if (given, asked) not in CALENDAR_FACTORS or counted is None or operator != "*":
        return None
    count = Fraction(counted["count"])
    if {Fraction(left), Fraction(right)} != numbers or count not in numbers or len(numbers) != 2:
        return None
    rate_text = right if Fraction(left) == count else left
    count_text = left if rate_text == right else right
    return f"{rate_text}*{CALENDAR_FACTORS[given, asked]}*{count_text}"


def _named_periods(text: str) -> list[tuple[str, int, int]]:
    """Each period ``text`` names, with where: ("year", start, end)."""
    return [
        (
            (mention["period"] or _ADJECTIVES[mention["adjective"].lower()]).lower(),
            mention.start(),
            mention.end(),
        )
        for mention in _MENTION.finditer(text)
    ]


def _asked_period(question: str) -> str | None:
    """The period ``question`` asks its figure per: the other period of a rate ("810 a week per year?" -> year),
    else the one period named in its last question sentence ("what's my weekly pay?" -> week)."""
    if rate := _periods(question):
        return rate[1]
    asked = [sentence for sentence in re.findall(r"[^.?!]*\?", question) if sentence.strip()]
    last = asked[-1] if asked else question
    named = {period for period, _, _ in _named_periods(last)}
    if not named and _SALARY.search(last):
        return "year"  # "what will my new salary be?": a salary is a year's pay unless said otherwise
    return named.pop() if len(named) == 1 else None


_SALARY = re.compile(r"\bsalar(?:y|ies)\b", re.IGNORECASE)
_WORKING_PERIOD = re.compile(
    rf"(?P<count>{DECIMAL})\s*-?\s*(?P<part>hour|day)s?\s+(?:working\s+|work\s+|school\s+)?(?:day|week|shift)\b",
    re.IGNORECASE,
)
"""A working period made of a count of smaller ones: "a 5-day week", "an 8-hour day"."""


def period_follow_up(messages: Sequence[BaseMessage]) -> str | None:
    """The previous result carried to the period a follow-up asks ("and per month?" after a yearly figure ->
    ``42120/12``; "per year? assume 52 weeks" after a weekly one -> ``810*52``), or None.

    The previous result is taken to be per the period its question asked ("what's my weekly pay?"); the
    follow-up names one other period and no number but the calendar's factor between the two."""
    previous = previous_question_and_result(messages)
    if previous is None:
        return None
    asked_before, result = previous
    given = _asked_period(asked_before)
    text = messages[-1].text
    numbers = numbers_in(text)
    counted = {
        period
        for period, start, _ in _named_periods(text)
        if re.search(rf"{DECIMAL}\s*$", text[:start])  # "52 weeks": a factor stated, not the period asked
    }
    asked = {period for period, _, _ in _named_periods(text)} - counted
    if given is None or len(numbers) > 1 or _CHANGES.search(text):
        return None
    if (working := _WORKING_PERIOD.search(text)) and working["part"].lower() == given:
        return f"{result}*{working['count']}"  # "and over a 5-day week?" after a day's pay
    if len(asked) != 1:
        return None
    target = asked.pop()
    if (given, target) in CALENDAR_FACTORS:
        factor, operator = CALENDAR_FACTORS[given, target], "*"
    elif (target, given) in CALENDAR_FACTORS:
        factor, operator = CALENDAR_FACTORS[target, given], "/"
    else:
        return None
    if numbers and Fraction(numbers[0]) != factor:
        return None
    # "how much is that in 8 weeks?": the result is for 8 of them, one is an eighth of it
    sentences = [sentence for sentence in re.findall(r"[^.?!]*\?", asked_before) if sentence.strip()]
    counted_before = re.search(rf"({DECIMAL})\s*{given}s?\b", sentences[-1] if sentences else "", re.I)
    if counted_before and Fraction(counted_before[1]) != 1:
        return f"{result}/{counted_before[1]}{operator}{factor}"
    return f"{result}{operator}{factor}"


_OVER_COUNT = re.compile(
    rf"^(?:(?:and|so|ok(?:ay)?|then|now|but|what|how)\b[\s,']*)*(?:about\s+)?(?:over|for|in|across)?\s*"
    rf"(?P<count>{DECIMAL})\s+(?:(?!more|extra|fewer|less|additional|other)[a-z]+\s+)?(?P<period>{_PERIOD})s?"
    r"\s*(?:instead)?\s*[?.!]*$",
    re.IGNORECASE,
)


def rate_over_periods(messages: Sequence[BaseMessage]) -> str | None:
    """The previous question's rate over the number of periods a follow-up names ("what about over 30 days"
    after 8,500 steps a day for a week -> ``8500*30``; "and 3 years?" after 45 a week -> ``45*52*3``)."""
    previous = previous_turn(messages)
    found = _OVER_COUNT.match(number_words_to_digits(messages[-1].text.strip())) if previous else None
    if previous is None or found is None:
        return None
    question = previous[0].replace(",", "")
    rates = list(_RATE.finditer(question))
    result = previous_calculator_result(messages)
    if len(rates) == 1 and rates[0]["period"] and len(number_values(question)) == 1:
        rate, given = rates[0]["number"], rates[0]["period"].lower()
    elif result is not None and not result.startswith("-") and (per := _result_period(question)):
        rate, given = result, per  # "how many km is that per week?", then "and over 46 working weeks?"
    else:
        return None
    target, count = found["period"].lower(), found["count"]
    if target == given:
        return f"{rate}*{count}"
    if (given, target) in CALENDAR_FACTORS:
        return f"{rate}*{CALENDAR_FACTORS[given, target]}*{count}"
    return None


_ASKED_PER = re.compile(
    rf"\b(?:per|a|an|each|every)\s+(?P<period>{_PERIOD})\b|\b(?P<adjective>daily|weekly|monthly|yearly|annually)\b",
    re.IGNORECASE,
)


def _result_period(question: str) -> str | None:
    """The period a question's own question sentence asks its figure per ("How many km is that per week?"
    -> week), or None when that sentence names none or several.

    Not :func:`_asked_period`, which takes any period named ("how many *minutes* to fill it?", "in 2
    *weeks*") and a rate's: a result is per a period only where it is asked per one ("per week", "weekly");
    read with ``_asked_period`` instead, 128 of the 839 questions of bench/data read otherwise."""
    asked = [sentence for sentence in re.findall(r"[^.?!]*\?", question) if sentence.strip()]
    sentence = asked[-1] if asked else re.split(r"[.!]\s+", question.strip())[-1]
    named = {
        (found["period"] or _ADJECTIVES[found["adjective"].lower()]).lower()
        for found in _ASKED_PER.finditer(sentence)
    }
    return named.pop() if len(named) == 1 else None


_REACH = re.compile(
    rf"\bhow\s+many\s+(?:more\s+)?(?P<period>{_PERIOD})s?\b.*?\b(?:to\s+(?:reach|hit|get\s+to|save|have|make|cover)"
    rf"|until|till|before)\b[^\d]*(?P<target>{DECIMAL})",
    re.IGNORECASE,
)


def periods_to_reach(messages: Sequence[BaseMessage]) -> str | None:
    """How many periods the previous per-period result takes to reach the follow-up's number ("how many
    weeks to reach 90 km?" after 4.5 km a week -> ``90/4.5``), or None."""
    previous = previous_question_and_result(messages)
    text = number_words_to_digits(messages[-1].text).replace(",", "")
    found = _REACH.search(text)
    if previous is None or found is None or len(numbers_in(text)) != 1:
        return None
    asked_before, result = previous
    if Fraction(result) == 0 or _result_period(asked_before) != found["period"].lower():
        return None
    return f"{found['target']}/{result}"
