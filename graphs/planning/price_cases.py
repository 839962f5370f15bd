"""Cases a price list tells apart (weekday or weekend, adult or child, student, member, peak or off-peak), and
whether a question names them.

"$38 per hour on weekdays, $46 per hour at weekends" holds two prices; a question about a Tuesday is about the
first. A part of a document naming a case the question does not name is about someone or something else
(:func:`other_case`); a follow-up naming the other case of a pair asks the question again for it
(:func:`case_changed`).

Written by hand because no library we have reads for whom or when a price applies.
"""

from __future__ import annotations

import re

from graphs.planning import rules

CASES: tuple[tuple[str, str], ...] = (
    (
        r"\bweekdays?\b|\bmon(?:day)?\s*(?:-|–|to)\s*fri(?:day)?\b",
        r"\bmondays?\b|\btuesdays?\b|\bwednesdays?\b|\bthursdays?\b|\bfridays?\b|\bweekdays?\b",
    ),
    (
        r"\bweekends?\b|\bsaturdays?\b|\bsundays?\b",
        r"\bweekends?\b|\bsaturdays?\b|\bsundays?\b",
    ),
    (r"\badults?\b", r"\badults?\b|\bgrown[- ]?ups?\b"),
    (r"\bchild(?:ren)?\b|\bkids?\b", r"\bchild(?:ren)?\b|\bkids?\b|\bsons?\b|\bdaughters?\b"),
    (r"\bseniors?\b|\bpensioners?\b|\bconcessions?\b", r"\bseniors?\b|\bpensioners?\b|\bconcessions?\b"),
    (r"\bstudents?\b", r"\bstudents?\b"),
    (r"\bnon-?members?\b", r"\bnon-?members?\b|\bnot\s+(?:a\s+)?members?\b"),
    (r"\boff-?peak\b", r"\boff-?peak\b"),
    (r"(?<!off-)(?<!off )\bpeak\b", r"(?<!off-)(?<!off )\bpeak\b"),
    (r"\bhigh\s+season\b", r"\bhigh\s+season\b"),
    (r"\blow\s+season\b", r"\blow\s+season\b"),
)
"""Cases a price list tells apart: how a part of a sentence names one (first), and how a question does. A part
naming a case the question does not is about someone or something else."""
EITHER: tuple[tuple[int, int], ...] = ((0, 1), (7, 8), (9, 10))
"""Cases of :data:`CASES` that exclude each other: a weekday or the weekend, off-peak or peak, high or low
season."""


def case_changed(question: str, follow_up: str) -> str | None:
    """``question`` asked again for the case a follow-up names in place of the one it named ("and on a
    Saturday instead?" after "how much is a court for 3 hours on a Tuesday?" -> "... on a Saturday?"), or
    None: the follow-up brings a number of its own, or names no such case."""
    if rules.numbers_in(follow_up):
        return None
    for first, second in EITHER:
        for old, new in ((first, second), (second, first)):
            named = re.search(CASES[new][1], follow_up, re.I)
            if named and re.search(CASES[old][1], question, re.I):
                return re.sub(CASES[old][1], named[0], question, flags=re.I)
    return None


def carried_on(question: str, follow_up: str) -> str | None:
    """``question`` asked again with what a short follow-up changes or adds: the other case it names ("and on
    a Saturday instead?", :func:`case_changed`), else both together ("How much is the Team plan for 6
    people? What if we add priority support?"); None for a follow-up that is a question of its own."""
    if not _CARRIES_ON.search(follow_up) or len(follow_up.split()) > _SHORT:
        return None
    return case_changed(question, follow_up) or f"{question.rstrip()} {follow_up.strip()}"


_CARRIES_ON = re.compile(
    r"^\W*(?:(?:and|but|so|ok(?:ay)?)\W+)?(?:what\s+if|how\s+about|what\s+about|and\s+if|if\s+(?:we|i)|with|plus"
    r"|add(?:ing)?|and\s+(?:for|on|at|in|with|during))\b|\b(?:instead|also|as\s+well)\b",
    re.I,
)
"""How a follow-up that changes or adds to the question before opens or says so ("what if we add...", "and on
a Saturday?", "... instead?"); "ok thanks" does not."""
_SHORT = 16
"""Words at most in a follow-up that carries the question before on: a longer one says all it asks."""


def other_case(part: str, question: str) -> bool:
    """Whether ``part`` names a case of :data:`CASES` that ``question`` does not name: a price for children,
    for weekends or for students is not the price of a question that does not say so."""
    asked = NOT_A.sub(" ", question)  # "I'm not a student" names no student
    return any(
        re.search(in_part, part, re.I) and not re.search(in_question, asked, re.I)
        for in_part, in_question in CASES
    )


NOT_A = re.compile(r"\b(?:not|no)\s+(?:an?\s+)?\w+", re.I)
"""A negated mention: "I'm not a student" names no student."""


def unmet_condition(sentence: str, question: str) -> bool:
    """Whether ``sentence`` names a day or a case (:data:`CASES`) that ``question`` does not name."""
    days = {day.lower() for day in _DAY.findall(sentence)} - {day.lower() for day in _DAY.findall(question)}
    return bool(days) or other_case(sentence, question)


_DAY = re.compile(r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)days?\b", re.I)
