"""A fraction of one amount, written in words: "I had $240 and spent a third of it on concert tickets. How much did
the tickets cost?" is ``240/3``, and "how much do I have left?" ``240*(1-1/3)``.

The dimensional reading (:mod:`graphs.planning.dimensions`) sets amounts written as words aside, and the adapter
took the part for what is left (``240*(1-1/3)`` for the tickets). A question with one amount and one fraction
of it asks either the part or what is left; its words say which. Written by hand: no library we have reads
fractions out of English sentences.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from fractions import Fraction

from langchain_core.messages import BaseMessage

from graphs.planning.quantities import DENOMINATORS, amounts
from graphs.planning.rules import number_words_to_digits, numbers_in, previous_calculator_result

_OF_WHOLE = (
    r"\s+of\s+(?:it|them|that|this|the\s+\w+|her\s+\w+|his\s+\w+|my\s+\w+|our\s+\w+|their\s+\w+"
    r"|what\s+(?:i|we|you|he|she|they)\s+\w+(?:\s+in)?)\b"
)
"""What a fraction is of: "of it", "of the cake", "of her savings"."""
_FRACTION = re.compile(
    r"\b(?P<count>an?|one|two|three|four)\s+(?P<part>half|halves|thirds?|quarters?|fourths?|fifths?|sixths?|eighths?"
    rf"|tenths?){_OF_WHOLE}|\b(?P<half>half){_OF_WHOLE}",
    re.IGNORECASE,
)
_COUNTS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4}
_LEFT_ASKED = re.compile(
    r"\b(?:left|remain\w*|the\s+rest|still|now|leftover|over)\b",
    re.IGNORECASE,
)
_TAKES = re.compile(
    r"\b(?:spent|spends?|ate|eats?|gave|gives?|used|uses?|sold|sells?|paid|pays?|lost|loses?|donated|donates?"
    r"|put|puts|saved|saves?|drank|drinks?|read|reads?|painted|cut|took|takes?)\b",
    re.IGNORECASE,
)

_TAKEN = re.compile(
    r"\b(?:eaten|broken|sold|used|given|lost|damaged|spoiled|spoilt|taken|stolen|spent|dented|rotten|burnt|burned"
    r"|get\s+eaten|are\s+gone|go\s+bad|went\s+bad|die|died|fail|failed)\b",
    re.IGNORECASE,
)
"""A part gone, in the passive: "a quarter of them get eaten", "half of them are broken"."""


def fraction_of_amount(question: str) -> str | None:
    """The part a worded fraction takes of the question's one amount, or what is left of it, as the module
    docstring says; None for any other question."""
    found = list(_FRACTION.finditer(question))
    if len(found) != 1 or not _TAKES.search(question[: found[0].start()].rsplit(".", 1)[-1]):
        return None  # one fraction, taken by a verb just before it: "spent a third of it"
    totals = numbers_in(number_words_to_digits(_FRACTION.sub(" ", question)))  # "two thirds" is no amount
    if len(totals) != 1:
        return None
    return _part_or_rest(found[0], totals[0].replace(",", ""), question)


def fraction_of_result(messages: Sequence[BaseMessage]) -> str | None:
    """The part a worded fraction of a follow-up takes of the previous result, or what is left of it ("if a
    quarter of them get eaten by slugs, how many are left?" after 84 plants: ``84*(1-1/4)``), or None."""
    previous = previous_calculator_result(messages)
    text = messages[-1].text if messages else ""
    found = list(_FRACTION.finditer(text))
    if previous is None or previous.startswith("-") or len(found) != 1:
        return None
    if numbers_in(number_words_to_digits(_FRACTION.sub(" ", text))):
        return None
    asked = re.split(r"(?<=[.!?])\s+", text.strip())[-1]
    share = _share(found[0])
    if Fraction(share) >= 1:
        return None
    if _MATCHES.search(text) and _TOTAL_ASKED.search(asked):
        # "my employer matches half of what I put in: how much goes in in total?" after 4608: 4608*(1+1/2)
        return f"{previous}*(1+{share})"
    if _COVERS.search(text):
        # "The school is covering a third of that. How much do the parents pay?" after 486: the rest
        return f"{previous}*(1-{share})"
    if not (_TAKES.search(text) or _TAKEN.search(text)):
        return None
    return _part_or_rest(found[0], previous, text)


def _share(fraction: re.Match[str]) -> str:
    """A worded fraction as a calculation: "a third" -> ``1/3``, "half" -> ``1/2``."""
    if fraction["half"]:
        return "1/2"
    count = _COUNTS[fraction["count"].lower()]
    return f"{count}/{DENOMINATORS[fraction['part'].lower().rstrip('s').replace('halve', 'half')]}"


_MATCHES = re.compile(r"\b(?:match(?:es|ed|ing)?|adds?|adding|contribut\w+|tops?\s+up)\b", re.IGNORECASE)
_COVERS = re.compile(r"\b(?:cover(?:s|ed|ing)?|pays?\s+for|paying\s+for|subsidi[sz]\w+)\b", re.IGNORECASE)
_TOTAL_ASKED = re.compile(r"\b(?:total|altogether|in\s+all|combined|goes\s+in)\b", re.IGNORECASE)


def _part_or_rest(fraction: re.Match[str], total: str, question: str) -> str | None:
    """The ``fraction`` of ``total``, or what is left of it where the asking sentence asks what is left."""
    part = _share(fraction)
    count, denominator = part.split("/")
    if int(count) >= int(denominator):
        return None
    asked = re.split(r"(?<=[.!?])\s+", question.strip())[-1]
    if _LEFT_ASKED.search(asked):
        return f"{total}*(1-{part})"
    return f"{total}*{part}" if count != "1" else f"{total}/{denominator}"


def to_fill(question: str) -> str | None:
    """What filling a container the rest of the way takes, where the question says how full it is ("My tank
    holds 55 litres and it's a quarter full. Fuel is $1.60 per litre. How much to fill it up?" ->
    ``55*(1-1/4)*1.6``; without a price, the litres), or None."""
    full = _FULL.search(question)
    if full is None or not _FILL_ASKED.search(question):
        return None
    share = f"{full['percent']}/100" if full["percent"] else _share(full)
    if Fraction(share) >= 1:
        return None
    found = amounts(question[: full.start()] + " " + question[full.end() :]) or []
    volumes = [amount for amount in found if dict(amount.unit.powers) == {"length": 3} and not amount.change]
    prices = [amount for amount in found if dict(amount.unit.powers) == {"money": 1, "length": -3}]
    if len(volumes) != 1 or len(found) != len(volumes) + len(prices) or len(prices) > 1:
        return None
    (capacity,) = volumes
    rest = f"{capacity.written}*(1-{share})"
    if not prices:
        return rest
    (price,) = prices
    if price.unit.size_of("length") != capacity.unit.size_of("length") or price.per != 1:
        return None
    return f"{rest}*{price.written}"


_FULL = re.compile(
    r"\b(?:(?P<half>half)|(?P<count>an?|one|two|three)\s*-?\s*(?P<part>thirds?|quarters?|fourths?|fifths?|eighths?)"
    r"|(?P<percent>\d+(?:\.\d+)?)\s*%)\s+full\b",
    re.IGNORECASE,
)
_FILL_ASKED = re.compile(r"\bfill\b|\btop\s+(?:it\s+)?up\b", re.IGNORECASE)
