"""Which season a date falls in, as a price document defines its seasons.

"3 nights in a double room in mid July" is priced "Off-peak: £112; Peak: £138", and the document says elsewhere
"Peak: 1 April – 31 October". A question that names a month or a date and no season is asked again with the
season its date falls in ("... in mid July (peak)"), so that the reading of :mod:`graphs.planning.looked_up`
can choose the price for it. The definitions are read from the search that found the prices, or from a second
search for them (:func:`season_query`).

Written by hand because no library we have reads a document's season definitions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"


class Season(NamedTuple):
    """A pair of seasons a price list tells apart: the season's name and how a document names it, and the same
    for the other season of the pair (the rest of the year)."""

    name: str
    pattern: str
    other_name: str
    other_pattern: str


SEASONS = (
    Season("peak", r"(?<!off-)(?<!off )\bpeak\b", "off-peak", r"\boff-?peak\b|\boff-season\b"),
    Season("high season", r"\bhigh\s+season\b", "low season", r"\blow\s+season\b"),
)


_WHEN = {"early": 5, "beginning": 3, "start": 3, "mid": 15, "middle": 15, "late": 25, "end": 28}
_DATE = re.compile(
    rf"\b(?:(?P<when>early|beginning|start|mid|middle|late|end)(?:-|\s+of\s+(?:the\s+month\s+of\s+)?|\s+)?)?"
    rf"(?:(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?)?(?P<month>{_MONTH})\b(?:\s+(?P<after>\d{{1,2}})(?:st|nd|rd|th)?\b)?",
    re.I,
)
_RANGE = re.compile(
    rf"(?:(?P<day1>\d{{1,2}})\s+)?(?P<month1>{_MONTH})\b(?:\s+\d{{4}})?\s*(?:–|-|—|to|until|till|through)\s*"
    rf"(?:(?P<day2>\d{{1,2}})\s+)?(?P<month2>{_MONTH})\b",
    re.I,
)


def asked_date(question: str) -> tuple[int, int | None] | None:
    """The month (1-12) and day, if said, of the one date a question names ("mid July" -> (7, 15), "1
    August" -> (8, 1), "in February" -> (2, None)); None for none or several. "May" as a verb is no month."""
    found = [
        match
        for match in _DATE.finditer(question)
        if match["month"].lower() != "may"
        or match["day"]
        or match["when"]
        or re.search(r"\b(?:in|during|of|for|this|next|last)\s+$", question[: match.start()], re.I)
    ]
    if len(found) != 1:
        return None
    (match,) = found
    day = match["day"] or match["after"]
    return _month(match["month"]), int(day) if day else _WHEN.get((match["when"] or "").lower())


def unnamed_season(question: str, texts: Iterable[str]) -> Season | None:
    """The season pair (:data:`SEASONS`) the ``texts`` (the sentences read for a price) tell apart, when the
    question names a date and neither season of the pair; else None."""
    read = list(texts)
    for season in SEASONS:
        if re.search(season.pattern, question, re.I) or re.search(season.other_pattern, question, re.I):
            continue
        if any(re.search(season.pattern, text, re.I) for text in read) and any(
            re.search(season.other_pattern, text, re.I) for text in read
        ):
            return season if asked_date(question) else None
    return None


def dated(question: str, season: Season, definitions: Iterable[str]) -> str | None:
    """``question`` with the season its date falls in, as ``definitions`` say ("... in mid July (peak)"), or
    None when they do not say."""
    date = asked_date(question)
    within = season_of(date, season, definitions) if date else None
    if within is None:
        return None
    return f"{question.rstrip()} ({season.name if within else season.other_name})"


def season_query(season: Season) -> str:
    """The query of a second search for the dates of ``season`` ("When is peak season?")."""
    return f"When is {season.name}?" if season.name.endswith("season") else f"When is {season.name} season?"


SEASON_QUERY = re.compile(r"^When is (?:peak|high) season\?$")
"""The queries :func:`season_query` writes: a search of the turn made for season dates."""


def season_of(date: tuple[int, int | None], season: Season, definitions: Iterable[str]) -> bool | None:
    """Whether ``date`` falls in the season (True), in the other season of the pair (False), or None when the
    ``definitions`` (sentences of the document) do not say, or a date without its day falls in a month the
    season starts or ends in part of the way ("20 July – 2 September" for "July")."""
    named, other = season.pattern, season.other_pattern
    verdicts = set()
    for text in definitions:
        for clause in re.split(r"[;.]\s+|\n", text):
            inside_named = re.search(named, clause, re.I)
            inside_other = re.search(other, clause, re.I)
            if bool(inside_named) == bool(inside_other):
                continue  # a clause naming both or neither says nothing of one of them alone
            for span in _RANGE.finditer(clause):
                within = _within(date, span)
                if within is not None:
                    verdicts.add(within if inside_named else not within)
    return verdicts.pop() if len(verdicts) == 1 else None


def _within(date: tuple[int, int | None], span: re.Match[str]) -> bool | None:
    month, day = date
    start = (_month(span["month1"]), int(span["day1"] or 1))
    end = (_month(span["month2"]), int(span["day2"] or 31))
    if day is None:
        if month in {start[0], end[0]} and (start[1] > 1 or end[1] < 28):
            return None
        day = 15
    point, first, last = month * 100 + day, start[0] * 100 + start[1], end[0] * 100 + end[1]
    return first <= point <= last if first <= last else point >= first or point <= last  # "1 Nov – 28 Feb"


def _month(name: str) -> int:
    return next(number for number, month in enumerate(MONTHS, start=1) if month.startswith(name.lower()[:3]))
