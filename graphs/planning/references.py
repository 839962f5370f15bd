"""Follow-ups that are plain arithmetic on the previous result: "Add 9 to that.", "What's the square root of
that?", "Double it.", "and 180 divided by 3?".

The reference ("that", "it", "the result", ...) is replaced by the previous turn's calculator result and the
sentence read by the exact arithmetic reader (:func:`graphs.planning.rules.words_to_expression`). The call is
made only when the sentence is then nothing but arithmetic (``pure``); anything else ("What is that in
euros?", "Is that right?") is left to the planner. The adapter wrote ``180**2`` for "the square root of that":
this layer needs no model and reads what the words say.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from fractions import Fraction

from langchain_core.messages import BaseMessage

from graphs.planning.dimensions import whole_count
from graphs.planning.quantities import CURRENCY_SIGNS, TIMES, percentage_changes
from graphs.planning.rules import (
    PERCENT,
    WRITTEN_NUMBER,
    number_words_to_digits,
    numbers_in,
    previous_calculator_result,
    previous_question_and_result,
    previous_turn,
    singular,
    words_to_expression,
)

_REFERENCE = re.compile(
    r"\b(?:that|it|this|the\s+(?:result|answer|total|number|sum|amount))\b(?:\s+(?:number|result|amount))?",
    re.IGNORECASE,
)
_LEAD = re.compile(r"^(?:(?:and|so|ok(?:ay)?|now|then|next|also)\b[\s,]*)+", re.IGNORECASE)


def referenced_expression(messages: Sequence[BaseMessage]) -> str | None:
    """The arithmetic the follow-up asks of the previous result (``sqrt(180)`` for "What's the square root of
    that?" after 180), or None when it is not plain arithmetic on one reference to it."""
    previous = previous_calculator_result(messages)
    if previous is None or previous.startswith("-"):
        return None
    question = _LEAD.sub("", messages[-1].text.strip())
    if len(_REFERENCE.findall(question)) != 1:
        return None
    arithmetic = words_to_expression(_REFERENCE.sub(previous, question))
    if arithmetic is None or not arithmetic.pure or previous not in arithmetic.expression:
        return None
    return arithmetic.expression


def repeated_expression(messages: Sequence[BaseMessage]) -> str | None:
    """The previous result doubled, halved or tripled a number of times ("now halve that 3 times" after 2048
    -> ``2048/2**3``), or None."""
    previous = previous_calculator_result(messages)
    found = _REPEATED.fullmatch(number_words_to_digits(_LEAD.sub("", messages[-1].text.strip())))
    if previous is None or previous.startswith("-") or found is None:
        return None
    factor = _FACTORS[found["operation"].lower()]
    count = found["count"] or TIMES[found["count2"].lower()]
    return f"{previous}/{factor[1:]}**{count}" if factor.startswith("/") else f"{previous}*{factor}**{count}"


_FACTORS = {"double": "2", "triple": "3", "quadruple": "4", "halve": "/2", "half": "/2"}
_REPEATED = re.compile(
    r"(?P<operation>double|triple|quadruple|halve|half)\s+(?:it|that|this|the\s+result)\s+"
    r"(?:(?P<count>\d+)\s+(?:more\s+)?times|(?P<count2>twice|thrice))(?:\s+(?:more|over|in\s+a\s+row))?\W*",
    re.IGNORECASE,
)


def at_the_same_rate(messages: Sequence[BaseMessage]) -> str | None:
    """The follow-up's one number at the percentage the previous turn found ("If we keep the same win rate
    over a 40-game season, how many wins is that?" after 75 (%) -> ``40*75/100``), or None."""
    before = previous_question_and_result(messages)
    text = messages[-1].text if messages else ""
    numbers = numbers_in(number_words_to_digits(text))
    if before is None or len(numbers) != 1 or not _SAME_RATE.search(text) or "%" in text:
        return None
    if not re.search(r"\bwhat\s+(?:percent(?:age)?|per\s*cent|%)", before[0], re.IGNORECASE):
        return None
    return f"{numbers[0].replace(',', '')}*{before[1]}/100"


_SAME_RATE = re.compile(
    r"\b(?:same|that)\s+(?:[a-z]+\s+)?(?:rate|percentage|percent|proportion|share|ratio)\b|\bat\s+that\s+rate\b",
    re.IGNORECASE,
)


def shared_from_leftovers(messages: Sequence[BaseMessage]) -> str | None:
    """How many more can have the follow-up's number each from what the previous turn left ("how many more kids
    could get 2 each from the leftovers?" after 8 -> ``8/2``; rounded down where it does not divide), or None."""
    before = previous_question_and_result(messages)
    text = number_words_to_digits(messages[-1].text) if messages else ""
    found = _EACH_FROM_LEFT.search(text)
    if before is None or found is None or len(numbers_in(text)) != 1 or not _LEFT_BEFORE.search(before[0]):
        return None
    share = found["each"].replace(",", "")
    if Fraction(share) == 0:
        return None
    whole = Fraction(before[1]) / Fraction(share)
    return f"{before[1]}/{share}" if whole.denominator == 1 else f"floor({before[1]}/{share})"


_EACH_FROM_LEFT = re.compile(
    rf"\bhow\s+many\s+(?:more\s+)?[a-z]+\b.*?\b(?P<each>{WRITTEN_NUMBER})\s+(?:[a-z]+\s+)?each\b.*?"
    r"\b(?:leftovers?|left\s*over|what'?s\s+left|the\s+rest|remaining|the\s+remainder)\b",
    re.IGNORECASE,
)
_LEFT_BEFORE = re.compile(r"\b(?:left(?:\s*over)?|leftovers?|remain\w*|spare)\b", re.IGNORECASE)


_MORE = frozenset(
    {"more", "bigger", "higher", "longer", "further", "farther", "greater", "larger", "heavier"}
)
_COMPARISON = re.compile(
    r"\b(?P<way>more|less|fewer|bigger|smaller|higher|lower|longer|shorter|further|farther|greater|larger"
    r"|heavier|lighter)\s+(?:[a-z]+\s+){0,2}?(?:is|are|was|would|will)\s+(?:that|it|this)(?:\s+be)?\s+"
    rf"than\s+[$€£]?(?P<number>{WRITTEN_NUMBER})\b",
    re.IGNORECASE,
)


def compared_expression(messages: Sequence[BaseMessage]) -> str | None:
    """The difference a follow-up asks between the previous result and its number ("how much more is that
    than 2000?" after 2340 -> ``2340-2000``; "how much less ..." -> ``2000-2340``), or None."""
    previous = previous_calculator_result(messages)
    text = messages[-1].text if messages else ""
    found = _COMPARISON.search(text)
    if previous is None or found is None or len(numbers_in(text)) != 1:
        return None
    number = found["number"].replace(",", "")
    return f"{previous}-{number}" if found["way"].lower() in _MORE else f"{number}-{previous}"


_SPLIT = re.compile(
    r"\b(?:split|share|shared|divide|divided|cut|spread|pack|packed|pour|poured|put)\b[^?.!]*?"
    rf"\b(?:into|between|among|amongst|across|in|by|over)\s+(?:\w+\s+)?{WRITTEN_NUMBER}\b",
    re.IGNORECASE,
)
_PIECES_OF = re.compile(
    rf"\b(?:pieces|parts|portions|bags|boxes|groups|batches|servings|lengths|strips|packs|packets|cartons|crates"
    rf"|rolls|tins|cans|trays|sets)\s+(?:of\s+{WRITTEN_NUMBER}"
    rf"|{WRITTEN_NUMBER}\s+[a-z]+\s+(?:long|each|big|wide))\b",
    re.IGNORECASE,
)
_INSTALMENTS = re.compile(
    rf"\b(?:in|over|into|across|with)\s+{WRITTEN_NUMBER}\s+(?:equal\s+|even\s+)?(?:\w+\s+)?"
    r"(?:payments|instal+ments|repayments)\b",
    re.IGNORECASE,
)
"""A sum paid off in equal parts: "in 12 equal monthly payments" each pays result/12."""
_PAID_OFF = re.compile(r"\b(?:pay|pays|paid|paying)\s+(?:\w+\s+)?off\b", re.IGNORECASE)
"""Paying a sum off, which takes nothing off it."""
_PER = re.compile(r"\b(?:per|a|each|every)\s+(?P<unit>[a-z]+)\b", re.IGNORECASE)
_CHANGED = re.compile(r"\b(?:more|fewer|less|extra|additional|than|instead|percent|off)\b|%", re.IGNORECASE)


def _per_counted_unit(text: str, number: str) -> bool:
    """Whether ``text`` asks for an amount per unit and then ``number`` counts that unit ("per week, using 52
    weeks": 52 weeks make the whole)."""
    after = re.search(rf"(?<![\d.,]){re.escape(number)}\s*-?\s*(?P<unit>[a-z]+)", text, re.IGNORECASE)
    if after is None:
        return False
    counted = singular(after["unit"])
    # the unit asked for comes first: "at that rate per week, in 4 weeks" multiplies, "per week, using 52
    # weeks" divides
    return any(singular(per["unit"]) == counted for per in _PER.finditer(text[: after.start()]))


def shared_expression(messages: Sequence[BaseMessage]) -> str | None:
    """The previous result divided by the follow-up's one number when the follow-up shares it out ("split it
    between 4", "cut it into pieces 25 cm long", "how much is that per week, using 52 weeks?"), or None.

    Into N parts each holds result/N, and into parts of size N there are result/N of them: both divide.
    "per 5-day week" is no share (5 counts days, not weeks): it is left to the planner."""
    previous = previous_calculator_result(messages)
    text = messages[-1].text if messages else ""
    numbers = re.findall(rf"(?<![\d.,]){WRITTEN_NUMBER}", text)
    if previous is None or len(numbers) != 1 or _CHANGED.search(_PAID_OFF.sub(" ", text)):
        return None
    number = numbers[0]
    share = f"{previous}/{number.replace(',', '')}"
    if _PIECES_OF.search(text) and _HOW_MANY.search(text):
        # "they come in packs of 10, how many packs do we need?": whole packs
        return whole_count(share, Fraction(previous) / Fraction(number.replace(",", "")), text)
    split = _SPLIT.search(text) or _PIECES_OF.search(text) or _INSTALMENTS.search(text)
    return share if split or _per_counted_unit(text, number) else None


_HOW_MANY = re.compile(r"\bhow\s+many\b", re.IGNORECASE)


_WITH_PART = re.compile(
    r"\b(?:total|altogether|in\s+all|all\s+in|overall|grand\s+total|including|with\s+(?:the\s+)?(?:tip|tax|vat"
    r"|interest|fee|gratuity|service))\b",
    re.IGNORECASE,
)
_WITHOUT_PART = re.compile(
    r"\b(?:after\s+(?:the\s+)?(?:discount|reduction|deduction|tax)|sale\s+price|discounted|left|remaining"
    r"|take[\s-]home|net)\b",
    re.IGNORECASE,
)


def percent_total(messages: Sequence[BaseMessage]) -> str | None:
    """The whole with the previous turn's percentage part added or taken off, as a follow-up with no number
    of its own asks ("what's the total bill then?" after a 15% tip on $64 -> ``64+9.6``; "so what's the total balance then?" after 4%
    simple interest on $5,000 for 3 years -> ``5000+600``; "and the price after
    the discount?" after 20% off 80 -> ``80-16``), or None."""
    previous = previous_question_and_result(messages)
    text = messages[-1].text
    if previous is None or numbers_in(text):
        return None
    asked_before, result = previous
    question = asked_before.replace(",", "")
    percents = PERCENT.findall(question)
    wholes = [number for number in numbers_in(question) if number not in percents]
    if len(percents) != 1 or not wholes:
        return None
    if (
        len(wholes) > 1
    ):  # "$5,000 at 4% simple interest: interest after 3 years?": the sum of money is the whole
        wholes = [
            number for number in wholes if re.search(rf"[{CURRENCY_SIGNS}]\s*{re.escape(number)}\b", question)
        ]
        if len(wholes) != 1:
            return None
    others = [
        Fraction(number) for number in numbers_in(question) if number not in percents and number != wholes[0]
    ]
    if Fraction(percents[0]) * Fraction(wholes[0]) / 100 * math.prod(others) != Fraction(result):
        return None  # the previous result is not the part: a total or a price already
    adds, takes = bool(_WITH_PART.search(text)), bool(_WITHOUT_PART.search(text))
    if adds == takes:
        return None
    return f"{wholes[0]}{'+' if adds else '-'}{result}"


def changed_by_percent(messages: Sequence[BaseMessage]) -> str | None:
    """The previous result changed by the follow-up's one percentage, where that is all the follow-up gives
    ("now add 8% tax on the whole thing" after 290 -> ``290*(1+8/100)``; "and if I get 15% off the total?"),
    or None. The direction is read as in a question (:func:`graphs.planning.quantities.percentage_changes`).

    A percentage the previous question already had is changed, not applied ("what about 20%?"): that is
    :mod:`graphs.planning.substitution`'s, asked before this."""
    before = previous_question_and_result(messages)
    text = messages[-1].text if messages else ""
    percents = PERCENT.findall(text.replace(",", ""))
    if before is None or len(percents) != 1 or numbers_in(text) != percents:
        return None
    previous = before[1]
    if _PART_OF.search(text):
        return None  # "what is 15% of that?": a part, read by referenced_expression
    changes = percentage_changes(text)
    if changes is None or len(changes) != 1:
        return None
    return f"{previous}*{changes[0].written}"


_PART_OF = re.compile(r"%\s*of\b|\bpercent\s+of\b|\bwhat\s+percent", re.IGNORECASE)


def added_on_top(messages: Sequence[BaseMessage]) -> str | None:
    """The previous result with the follow-up's one sum of money added, where it says it comes on top
    ("with a $2 booking fee on top?" after 45 -> ``45+2``; "plus $7 shipping?"), or None. A sum per
    something ("$2 per ticket") is left to the planner: what it is per is counted elsewhere."""
    before = previous_question_and_result(messages)
    text = messages[-1].text if messages else ""
    numbers = numbers_in(text)
    if before is None or len(numbers) != 1 or "%" in text:
        return None
    previous = before[1]
    if not (_ON_TOP.search(text) and _MONEY.search(text)) or _PER_THING.search(text):
        return None
    return f"{previous}+{numbers[0].replace(',', '')}"


_ON_TOP = re.compile(r"\b(?:on\s+top|plus|in\s+addition|add(?:ed|ing)?|extra)\b", re.IGNORECASE)
_MONEY = re.compile(
    r"[$€£]\s*\d|\d\s*(?:dollars?|euros?|pounds?|bucks)\b|\b(?:fee|charge|shipping|delivery|postage|tip)\b",
    re.IGNORECASE,
)
_PER_THING = re.compile(r"\b(?:per|each|every|a\s+(?:ticket|person|head|item|night|day|hour|month))\b", re.I)


def added_for_everyone(messages: Sequence[BaseMessage]) -> str | None:
    """The previous result with one price for each person the previous question counted, where the follow-up
    adds it "for everyone" ("popcorn for everyone at $4.25 each" after 2 adults and 3 kids came to 46 ->
    ``46+(2+3)*4.25``), or None."""
    before = previous_question_and_result(messages)
    text = messages[-1].text if messages else ""
    numbers = numbers_in(text)
    if before is None or len(numbers) != 1 or "%" in text or not _FOR_EVERYONE.search(text):
        return None
    if not (_MONEY.search(text) and _ON_TOP_OR_TOTAL.search(text)):
        return None
    people = [
        found["count"]
        for found in _PEOPLE_COUNTED.finditer(number_words_to_digits(before[0]))
        if not found["age"]  # "kids (ages 6 and 9)": no more people
    ]
    if not people:
        return None
    count = people[0] if len(people) == 1 else f"({'+'.join(people)})"
    return f"{before[1]}+{count}*{numbers[0].replace(',', '')}"


_FOR_EVERYONE = re.compile(
    r"\bfor\s+(?:everyone|everybody|all\s+of\s+(?:us|them)|each\s+of\s+(?:us|them)|each\s+person|every\s+person"
    r"|the\s+whole\s+(?:group|family|party))\b",
    re.I,
)
_ON_TOP_OR_TOTAL = re.compile(
    r"\b(?:total|altogether|in\s+all|also|too|as\s+well|on\s+top|plus|add\w*)\b", re.I
)
_PEOPLE_COUNTED = re.compile(
    r"(?<![\d.])(?P<count>\d+)\s+(?:(?P<age>years?\s+old|-year-old)|(?:adults?|kids?|child(?:ren)?|people|persons?"
    r"|students?|pupils?|guests?|seniors?|teens?|teenagers?|members?|friends?|players?|visitors?|passengers?))\b",
    re.I,
)
"""The people a question counts: "2 adults and 3 kids"."""


def age_when(messages: Sequence[BaseMessage]) -> str | None:
    """The age the previous turn found, at a time named by someone else's age ("I'm 34 and my dad is 29 years
    older: how old is he?", 63, then "How old will he be when I turn 50?" -> ``63+(50-34)``; "How old was his
    grandpa when Sam was born?" after Sam is 14 -> ``70-14``), or None."""
    before = previous_question_and_result(messages)
    text = messages[-1].text if messages else ""
    if before is None or not (asked := _AGE_WHEN.search(text)) or not _AGE_FOUND.search(before[0]):
        return None  # "how much older is she?" found a difference, not an age
    who = asked["who"].lower()
    ages = [
        found["age"]
        for found in _AGE_OF.finditer(number_words_to_digits(before[0]))
        if (found["who"].lower() in {"i'm", "i"} and who == "i") or found["who"].lower() == who
    ]
    if len(set(ages)) != 1:
        return None
    if asked["born"]:
        return f"{before[1]}-{ages[0]}"
    return f"{before[1]}+({asked['then']}-{ages[0]})"


def age_of_two_when(messages: Sequence[BaseMessage]) -> str | None:
    """An age at a time named by the other of two ages the previous question stated, whatever it asked ("My
    daughter is 9 and I'm 34. How much older am I?", then "how old will I be when she turns 18?" ->
    ``34+(18-9)``), or None."""
    previous = previous_turn(messages)
    asked = _AGE_OF_ONE_WHEN.search(messages[-1].text) if messages else None
    if previous is None or asked is None:
        return None
    stated = number_words_to_digits(previous[0])
    mine = _MY_AGE.findall(stated)
    if len(mine) != 1 or len(numbers_in(stated)) != 2 or _AGE_GAP.search(stated):
        return None  # "my dad is 29 years older": 29 is no age (age_when reads that one)
    (other,) = [number for number in numbers_in(stated) if number != mine[0]] or [mine[0]]
    me_asked = asked["subject"].lower() == "i"
    if me_asked == (asked["who"].lower() == "i"):
        return None  # "when I turn 50" of my own age is no question of two people
    start, reference = (mine[0], other) if me_asked else (other, mine[0])
    return f"{start}+({asked['then']}-{reference})"


_AGE_OF_ONE_WHEN = re.compile(
    r"\bhow\s+old\s+(?:will|would)\s+(?P<subject>I|he|she|you|[A-Z][a-z]+)\s+be\b.*?\bwhen\s+"
    r"(?P<who>I|he|she|[A-Z][a-z]+)\s+(?:turns?|is|reaches|will\s+be|'s)\s+(?P<then>\d+)\b",
    re.IGNORECASE,
)
_AGE_GAP = re.compile(r"\d\s*years?\s+(?:older|younger)", re.IGNORECASE)
_MY_AGE = re.compile(r"\bI(?:'m|\s+am)\s+(\d+)\b", re.IGNORECASE)


_AGE_FOUND = re.compile(r"\bhow\s+old\s+(?:is|was|will)\b", re.IGNORECASE)
_AGE_WHEN = re.compile(
    r"\bhow\s+old\s+(?:will|would|was|were|is)\b.*?\bwhen\s+(?P<who>I|[A-Z][a-z]+|he|she)\s+"
    r"(?:(?:turn|turns|am|is|reach|reaches|will\s+be|'m)\s+(?P<then>\d+)|(?P<born>was\s+born))\b",
    re.IGNORECASE,
)
_AGE_OF = re.compile(
    r"\b(?P<who>I'm|I|[A-Z][a-z]+)\s+(?:am\s+|is\s+|was\s+)?(?P<age>\d+)(?:\s+years?\s+old)?(?!\s*(?:%|years?\s+(?:older|younger)))\b"
)
"""Someone's age as a question states it: "I'm 34", "Sam is 14"."""


def saved_against(messages: Sequence[BaseMessage]) -> str | None:
    """The saving of one sum of money against the previous result, whichever is larger ("an annual plan for
    $399: how much would I save?" after 468 -> ``468-399``), or None."""
    before = previous_question_and_result(messages)
    text = messages[-1].text if messages else ""
    numbers = numbers_in(text)
    if before is None or len(numbers) != 1 or not (_SAVING.search(text) and _MONEY.search(text)):
        return None
    written = numbers[0].replace(",", "")
    if Fraction(before[1]) == Fraction(written) or _PER_THING.search(text) or "%" in text:
        return None
    larger, smaller = sorted((before[1], written), key=Fraction, reverse=True)
    return f"{larger}-{smaller}"


_SAVING = re.compile(r"\bhow\s+much\s+(?:\w+\s+){0,3}?(?:save|saving|saved|cheaper)\b|\bdifference\b", re.I)


def still_needed(messages: Sequence[BaseMessage]) -> str | None:
    """How much is still needed to reach the follow-up's one number from the previous result ("we need $250
    total, how much more do we need?" after 168 -> ``250-168``), or None. "How many more weeks until it
    hits 50 cm?" asks something other than the number's unit (weeks of growth): it is left to the planner."""
    before = previous_question_and_result(messages)
    text = messages[-1].text if messages else ""
    numbers = numbers_in(text)
    if len(numbers) > 1:  # "to reach 25000 for the two days combined": the days are no target
        numbers = re.findall(rf"(?<![\w.]){WRITTEN_NUMBER}(?![\w.])", text)
    if before is None or len(numbers) != 1 or "%" in text:
        return None
    previous = before[1]
    asked = _HOW_MUCH_MORE.search(text)
    if asked is None or not _GOAL.search(text):
        return None
    target = numbers[0].replace(",", "")
    if Fraction(target) <= Fraction(previous):
        return None
    noun = asked["noun"]
    if noun and not re.search(rf"{re.escape(target)}\s*{re.escape(singular(noun))}", text, re.I):
        return None  # "how many more weeks ... 50 cm"
    return f"{target}-{previous}"


_HOW_MUCH_MORE = re.compile(
    r"\bhow\s+(?:much|many)\s+(?:more|extra)(?:\s+(?!do\b|does\b|did\b|will\b|would\b|is\b|are\b|to\b)"
    r"(?P<noun>[a-z]+))?",
    re.IGNORECASE,
)
_GOAL = re.compile(
    r"\b(?:need|needs|needed|want|wants|goal|target|reach|hit|get\s+to|aim|aiming|save\s+up|raise)\b", re.I
)
