"""A purchase of several things at their prices: "A shirt costs 25 dollars and jeans cost 40. I buy 2 shirts and 1
pair of jeans. Total?" is ``25*2+40*1``.

The adapter paired the numbers wrongly (``25/40+2*1``; ``11*7+2*3`` for 2 adults and 3 children at $11 and $7),
measured on word problems written by hand. The question is read as prices, each named with a thing ("a shirt
costs 25", "$11 for adults", "apples at 0.60 each"), and counts of those things ("2 shirts", "3 children",
"1 pair of jeans"). When every number of the question is one or the other, every count's thing has its one
price and the question asks what it all costs, the total is the sum of price times count. Anything else
(a number that is neither, a thing without a price, change from a note) is left to the adapter.
"""

from __future__ import annotations

import re
from fractions import Fraction

from graphs.planning.rules import DECIMAL, number_words_to_digits, singular

_PRICE_AFTER_THING = re.compile(
    rf"\b(?P<thing>[a-z]+)\s+(?:costs?|is|are|sells?\s+for|goes\s+for|priced\s+at)\s+[$€£]?\s*(?P<price>{DECIMAL})",
    re.I,
)
_PRICE_FOR_THING = re.compile(
    rf"[$€£]\s*(?P<price>{DECIMAL})\s+(?:for|per|a|each)\s+(?:an?\s+|one\s+|each\s+)?(?P<thing>[a-z]+)", re.I
)
_THING_AT_PRICE = re.compile(
    rf"\b(?P<thing>[a-z]+)\s+(?:at|for)\s+[$€£]?\s*(?P<price>{DECIMAL})\s+each\b", re.I
)
_COUNT = re.compile(
    rf"(?<![\d.$€£])(?P<count>{DECIMAL})\s+(?:(?:pairs?|packs?|bags?|boxes?)\s+of\s+)?(?P<thing>[a-z]+)", re.I
)
_TOTAL_ASKED = re.compile(r"\b(?:total|altogether|in\s+all|how\s+much|cost|pay|spend|spent|bill)\b", re.I)
_NOT_THINGS = frozenset(
    {"dollar", "euro", "pound", "buck", "crown", "each", "a", "an", "and", "for", "at", "per"}
)


def purchase_total(question: str) -> str | None:
    """``price*count+...`` for a purchase of counted things at their named prices, or None."""
    text = number_words_to_digits(question).replace(",", "")
    if not _TOTAL_ASKED.search(text):
        return None
    prices: dict[str, str] = {}
    priced_at: set[int] = set()
    prices_end = 0
    # "$11 for adults" names the thing more closely than "a ticket costs $11 for adults": read first
    for pattern in (_PRICE_FOR_THING, _THING_AT_PRICE, _PRICE_AFTER_THING):
        for found in pattern.finditer(text):
            thing = singular(found["thing"])
            if found.start("price") in priced_at:
                continue
            if thing in _NOT_THINGS or prices.get(thing, found["price"]) != found["price"]:
                return None
            prices[thing] = found["price"]
            priced_at.add(found.start("price"))
            prices_end = max(prices_end, found.end())
    counts = [
        (found["count"], singular(found["thing"]))
        for found in _COUNT.finditer(text)
        if found.start("count") not in priced_at and singular(found["thing"]) not in _NOT_THINGS
    ]
    written_counts = len(counts)
    for thing in set(prices) - {thing for _, thing in counts}:  # "two coffees and a muffin": one muffin
        if re.search(rf"\b(?:a|an|one)\s+(?:[a-z]+\s+)?{re.escape(thing)}\b", text[prices_end:], re.I):
            counts.append(("1", thing))
    numbers = re.findall(rf"(?<![\d.]){DECIMAL}", text)
    if len(prices) < 2 or len(counts) != len(prices) or len(numbers) != len(prices) + written_counts:
        return None
    if {thing for _, thing in counts} != set(prices) or any(Fraction(c) == 0 for c, _ in counts):
        return None
    return "+".join(f"{prices[thing]}*{count}" for count, thing in counts)
