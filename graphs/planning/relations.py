"""Relations word problems state in so many words, read exactly where the adapter's line misses them:

- "Anna has 3 times as many stickers as Ben. Ben has 14. How many do they have together?" is ``14*3+14``
  (the adapter wrote ``3*14``, leaving out Ben's own);
- "Emma is 8. Her mother is 4 times as old. How old will her mother be in 5 years?" is ``8*4+5`` (it wrote
  ``8*4*5``); "... 5 years ago?" takes them off;
- "A phone costs $600. Kevin pays $150 up front and the rest in 6 equal monthly payments." is ``(600-150)/6``
  (it wrote ``600-150*6``: the parentheses left out);
- "I got 45 out of 60 on the test. What percentage is that?" is ``45/60*100`` (it wrote ``(45-60)/60*100``).

Each reads only its own wording and a line of the same numbers; anything else stands.
"""

from __future__ import annotations

import re
from fractions import Fraction

from graphs.planning.rules import (
    DECIMAL,
    expression_values,
    format_value,
    number_values,
    number_words_to_digits,
    numbers_in,
)

_TIMES_AS = re.compile(
    rf"(?P<times>{DECIMAL}|twice|double|three|four|five)\s+times\s+as\b|\btwice\s+as\b", re.I
)
_TOGETHER = re.compile(
    r"\b(?:together|altogether|in\s+total|combined|in\s+all|both\s+of\s+them|between\s+them"
    r"|(?:over|on|across|in)\s+(?:the\s+|both\s+)?(?:two|2|both)\s+\w+)\b",
    re.I,
)


def times_as_many_together(expression: str, question: str) -> str | None:
    """``m*n+m`` for "n times as many as" someone with m, asked together, when the line uses those two numbers
    in another way (``n*m``; ``4.5/2*2`` for 4.5 km and twice as far)."""
    relation = _TIMES_AS.search(question)
    if relation is None or not _TOGETHER.search(question):
        return None
    times = (
        Fraction(2) if relation["times"] is None or relation["times"].lower() in {"twice", "double"} else None
    )
    if times is None:
        written = relation["times"].lower()
        times = Fraction({"three": 3, "four": 4, "five": 5}.get(written, 0) or written)
    numbers = number_values(question) | {times}  # "twice" is no number the question writes
    if len(numbers) != 2 or expression_values(expression) != numbers:
        return None
    base = format_value(next(number for number in numbers if number != times))
    wanted = f"{base}*{format_value(times)}+{base}"
    return None if expression.replace(" ", "") == wanted else wanted


_YEARS_ON = re.compile(rf"\bin\s+(?P<years>{DECIMAL})\s+years?\b|\b(?P<ago>{DECIMAL})\s+years?\s+ago\b", re.I)
_AGE_ASKED = re.compile(r"\bhow\s+old\b", re.I)


def age_in_years(expression: str, question: str) -> str | None:
    """An age asked some years on (or ago) adds (or takes off) those years where the line multiplies by
    them (``8*4*5`` -> ``8*4+5``)."""
    when = _YEARS_ON.search(question)
    if when is None or not _AGE_ASKED.search(question):
        return None
    years = when["years"] or when["ago"]
    sign = "+" if when["years"] else "-"
    if Fraction(years) not in expression_values(expression) and re.fullmatch(r"[\d.*/]+", expression):
        return f"{expression}{sign}{years}"  # "3*12" for the mother's age now, asked in 5 years
    match = re.fullmatch(rf"(?P<head>.+?)\s*[*/]\s*{re.escape(years)}\s*", expression)
    if match is None or "+" in match["head"] or "-" in match["head"]:
        return None
    return f"{match['head']}{sign}{years}"


_REST_SHARED = re.compile(
    r"\b(?:the\s+rest|the\s+remainder|what(?:'s|\s+is)\s+left|the\s+remaining|the\s+balance)\b[^.?!]*?"
    rf"\b(?P<count>{DECIMAL})\s+(?:equal|even|monthly|weekly|installments?|instalments?|payments?|parts?|ways?"
    r"|people|friends|months?|weeks?)",
    re.I,
)


def rest_shared(expression: str, question: str) -> str | None:
    """``(total-part)/n`` for a total less a part, the rest shared in n (``600-150*6`` -> ``(600-150)/6``)."""
    shared = _REST_SHARED.search(question)
    match = re.fullmatch(rf"\s*({DECIMAL})\s*-\s*({DECIMAL})\s*[*/]\s*({DECIMAL})\s*", expression)
    if shared is None or match is None or Fraction(match[3]) != Fraction(shared["count"]):
        return None
    return f"({match[1]}-{match[2]})/{match[3]}"


_SHARE_ASKED = re.compile(r"\bwhat\s+(?:percent(?:age)?|per\s*cent|%)\s+of\b", re.I)
_CHANGE_ASKED = re.compile(
    r"\b(?:increase|decrease|more|less|fewer|change|up|down|grew|grow|rose|rise|fell|fall|drop\w*|off|higher|lower"
    r"|bigger|smaller|cheaper|profit|markup|mark-up)\b",
    re.I,
)
_PERCENT_GIVEN = re.compile(r"\d\s*%|\d\s*percent", re.I)
_OUT_OF = re.compile(
    rf"(?P<part>{DECIMAL})\s+(?:out\s+of|of\s+(?:the|their|its|our|my|his|her|your)|from)\s+(?P<whole>{DECIMAL})\b",
    re.I,
)
_PERCENT_ASKED = re.compile(r"\bpercent(?:age)?\b|\bper\s*cent\b|%", re.I)


def share_as_percentage(expression: str, question: str) -> str | None:
    """``part/whole*100`` for "45 out of 60 ... what percentage is that?" when the line uses those two numbers
    in another way (the adapter wrote ``(45-60)/60*100``); None otherwise."""
    found = _OUT_OF.search(question)
    numbers = number_values(question)
    if not _PERCENT_ASKED.search(question) or len(numbers) != 2 or _PERCENT_GIVEN.search(question):
        return None
    if found is not None:
        part, whole = found["part"], found["whole"]
    elif _SHARE_ASKED.search(question) and not _CHANGE_ASKED.search(question):
        # "played 24 games and won 18: what percentage of games did we win?": a share is the smaller of the whole
        part, whole = (format_value(value) for value in sorted(numbers))
    else:
        return None
    used = {Fraction(n) for n in re.findall(DECIMAL, expression)} - {Fraction(100)}
    wanted = f"{part}/{whole}*100"
    if used != {Fraction(part), Fraction(whole)} or expression.replace(" ", "") == wanted:
        return None
    return wanted


def combined_share(question: str) -> str | None:
    """The share of several scores taken together, as a percentage ("18 out of 20 on quiz one and 27 out of 30 on
    quiz two: what percentage of all the questions did I get right?" -> ``(18+27)/(20+30)*100``), or None."""
    text = number_words_to_digits(question)
    scores = [found for found in _OUT_OF.finditer(text) if re.search(r"out\s+of", found[0], re.I)]
    if len(scores) < 2 or not _PERCENT_ASKED.search(text) or not _ALL_OF_THEM.search(text):
        return None
    if len(numbers_in(_LABELS.sub(" ", text))) != 2 * len(scores):
        return None  # another number would count too ("quiz 2" names one)
    if not sum(Fraction(found["whole"]) for found in scores):
        return None  # out of nothing
    parts = "+".join(found["part"] for found in scores)
    wholes = "+".join(found["whole"] for found in scores)
    return f"({parts})/({wholes})*100"


_ALL_OF_THEM = re.compile(r"\b(?:all|overall|total|combined|altogether|in\s+all|together|both)\b", re.I)
"""A share asked of the scores together, not of each."""
_LABELS = re.compile(r"\b(?:quiz|test|exam|game|round|match|stage|part|level|paper)\s+\d+\b", re.I)
"""A number that names a thing, not an amount: "quiz 1" (the number reader wrote "quiz one" so)."""
