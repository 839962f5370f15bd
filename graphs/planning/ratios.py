"""Amounts in a stated ratio: "2 parts juice to 3 parts lemonade. If I use 1.2 litres of juice, how many litres
of lemonade?" is ``1.2/2*3``; "The ratio of boys to girls is 3:4 and there are 12 boys. How many girls?" is
``12/3*4``, and "how many children in all?" ``12/3*(3+4)``.

The adapter wrote ``2/3*1.2`` and the dimensional reading (:mod:`graphs.planning.dimensions`) sets "3:4" aside as
a clock time. A question that states one ratio of two things, one amount of one of them and asks the other (or
both together) has one answer. Written by hand: no library we have reads ratios out of English sentences.
"""

from __future__ import annotations

import re

from graphs.planning.rules import DECIMAL, number_words_to_digits, numbers_in, singular

_NOUN = r"[a-z]+"
_STATED = (
    re.compile(  # "2 parts juice to 3 parts lemonade", "1 part cordial and 4 parts of water"
        rf"(?P<a>{DECIMAL})\s+parts?\s+(?:of\s+)?(?P<x>{_NOUN}(?:\s+(?!to\b|and\b|with\b|for\b){_NOUN})?)\s+(?:to|and|with|for\s+every)\s+"
        rf"(?P<b>{DECIMAL})\s+parts?\s+(?:of\s+)?(?P<y>{_NOUN})\b",
        re.IGNORECASE,
    ),
    re.compile(  # "the ratio of boys to girls is 3:4"
        rf"\bratio\s+of\s+(?P<x>{_NOUN})\s+(?:to|and)\s+(?P<y>{_NOUN})(?:\s+{_NOUN}){{0,3}}?\s+(?:is|was|are|of)\s+"
        rf"(?P<a>{DECIMAL})\s*(?::|to)\s*(?P<b>{DECIMAL})(?!\.?\d|\s*:\s*\d)",
        re.IGNORECASE,
    ),
    re.compile(  # "cement and sand in the ratio 1:3", "mix sand and cement in a ratio of 5 to 1"
        rf"\b(?P<x>{_NOUN})\s+(?:and|to)\s+(?P<y>{_NOUN})\s+(?:\w+\s+){{0,2}}?in\s+(?:the|a)\s+ratio\s+(?:of\s+)?"
        rf"(?P<a>{DECIMAL})\s*(?::|to)\s*(?P<b>{DECIMAL})(?!\.?\d|\s*:\s*\d)",
        re.IGNORECASE,
    ),
)
_AMOUNT_OF = re.compile(
    rf"(?<![\d.:])(?P<number>{DECIMAL})(?![\d.:])\s*(?:{_NOUN}\s+of\s+)?(?P<noun>{_NOUN})", re.I
)
_ASKED = re.compile(rf"\bhow\s+(?:many|much)\s+(?:{_NOUN}\s+of\s+)?(?P<noun>{_NOUN})", re.IGNORECASE)
_TOTAL_GIVEN = re.compile(
    rf"(?<![\d.:])(?P<number>{DECIMAL})\s*(?:{_NOUN}\s+)?(?:of\s+{_NOUN}\s+)?(?:in\s+total|altogether|in\s+all)\b",
    re.IGNORECASE,
)
"""The whole the parts make: "3 litres in total"."""
_TOGETHER = re.compile(r"\b(?:in\s+total|altogether|in\s+all|total|combined|together)\b", re.IGNORECASE)


def _words(side: str) -> list[str]:
    """The words naming one side of a ratio, singular: "lemon juice" -> ["lemon", "juice"]."""
    return [singular(word) for word in side.lower().split()]


def ratio_expression(question: str) -> str | None:
    """The other amount of a stated ratio (or both together) from one amount, as the module docstring says;
    None for any other question."""
    text = number_words_to_digits(question)
    stated = [found for pattern in _STATED for found in pattern.finditer(text)]
    asked = _ASKED.search(text)
    if len(stated) != 1 or asked is None:
        return None
    ratio = stated[0]
    sides = [(ratio["a"], _words(ratio["x"])), (ratio["b"], _words(ratio["y"]))]
    if set(sides[0][1]) & set(sides[1][1]):
        return None  # two sides one word names ("orange juice to apple juice"): which is which is unclear

    def side_of(noun: str) -> int | None:
        """The side of the ratio ``noun`` names ("juice" of "lemon juice"), 0 or 1, or None."""
        return next(
            (index for index, (_, named) in enumerate(sides) if singular(noun.lower()) in named), None
        )

    given = [
        found
        for found in _AMOUNT_OF.finditer(text)
        if not ratio.start() <= found.start() < ratio.end() and side_of(found["noun"]) is not None
    ]
    wanted = side_of(asked["noun"])
    if len(numbers_in(text)) != 3:
        return None  # the ratio's two numbers and one amount: nothing else counts
    if (
        not given
        and wanted is not None
        and (total := _TOTAL_GIVEN.search(text))
        and total.start() >= ratio.end()
    ):
        # "1 part lemon juice to 5 parts water. If I want 3 litres in total, how many litres of lemon juice?"
        return f"{total['number']}/({ratio['a']}+{ratio['b']})*{sides[wanted][0]}"
    if len(given) != 1:
        return None
    known = given[0]
    of_known = side_of(known["noun"])
    assert of_known is not None  # every amount given names a side
    if wanted is not None and wanted != of_known:
        return f"{known['number']}/{sides[of_known][0]}*{sides[wanted][0]}"
    if _TOGETHER.search(text[asked.start() :]):
        return f"{known['number']}/{sides[of_known][0]}*({ratio['a']}+{ratio['b']})"
    return None
