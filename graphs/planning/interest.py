"""Interest on a sum of money, as the words state it: "I put $5,000 in an account paying 4% simple interest per
year. How much interest after 3 years?" -> ``5000*4/100*3``; "...how much will be in the account?" ->
``5000+5000*4/100*3``; "3% interest compounded once a year ... after 2 years?" -> ``2000*(1+3/100)**2``.

A rate of interest is a year's unless the words say otherwise, so a rate "per month" or compounded other than
yearly, a sum not clear (two candidates), no time, or an interest-free plan leaves the question to the other
readings. Written by hand because no library we have reads a savings question.
"""

from __future__ import annotations

import re
from fractions import Fraction

from graphs.planning.rules import DECIMAL, PERCENT, number_words_to_digits, numbers_in

_INTEREST = re.compile(r"\binterest\b(?![\s-]*free)", re.IGNORECASE)
_YEARLY = r"(?:per\s+(?:year|annum)|a\s+year|each\s+year|every\s+year|annually|yearly|annual|p\.?\s?a\.?)"
_COMPOUND = re.compile(r"\bcompound(?:ed|ing)?\b", re.IGNORECASE)
_COMPOUNDED_YEARLY = re.compile(rf"\bcompound(?:ed|ing)?\s+(?:once\s+)?{_YEARLY}", re.IGNORECASE)
_NOT_YEARLY = re.compile(
    r"%\s*(?:\w+\s+){0,3}?(?:per\s+month|a\s+month|monthly|per\s+week|a\s+week|weekly|per\s+day|daily)\b"
    r"|\bcompound(?:ed|ing)?\s+(?:monthly|quarterly|daily|weekly|semi|twice|every\s+month)",
    re.IGNORECASE,
)
_TIME = re.compile(rf"(?<![\d.])(?P<count>{DECIMAL})\s*(?:-\s*)?(?P<unit>years?|months?)\b", re.IGNORECASE)
_ONE_YEAR = re.compile(r"\b(?:in|after|for|over)\s+a\s+year\b|\b(?:one|a)\s+year'?s\b", re.IGNORECASE)
_INTEREST_ASKED = re.compile(
    r"\bhow\s+much\s+(?:\w+\s+){0,2}?interest\b|\bwhat\s+(?:is|was|'s|will\s+be)\s+the\s+interest\b|\binterest\s+(?:will|would|do|does|did)\b",
    re.IGNORECASE,
)
_PAYMENTS = re.compile(
    rf"\b(?:over|across|in|with)\s+(?:the\s+)?(?P<count>{DECIMAL})\s+(?:equal\s+)?(?:monthly\s+)?"
    r"(?:months|payments|instal+ments|repayments)\b",
    re.IGNORECASE,
)
"""How many payments a loan is paid back in: "over the 24 months", "in 12 equal monthly payments"."""
_EACH_PAYMENT_ASKED = re.compile(
    r"\b(?:each|every|per|a|the|monthly)\s+(?:monthly\s+)?(?:payment|instal+ment|repayment|month)\b",
    re.IGNORECASE,
)
_TOTAL_ASKED = re.compile(
    r"\b(?:in\s+(?:it|there|the\s+account|my\s+account|total)|total|balance|altogether|all\s+together|worth"
    r"|grow\s+to|be\s+in|have\s+in|pay\s+back|repay|owe\s+in\s+all|(?:will|would)\s+(?:i|we|you|they|she|he)\s+have)\b",
    re.IGNORECASE,
)


def interest_expression(question: str) -> str | None:
    """The interest, or the sum with its interest, that ``question`` asks (see the module docstring), or None."""
    text = number_words_to_digits(question)
    rates = PERCENT.findall(text)
    if not _INTEREST.search(text) or len(rates) != 1 or _NOT_YEARLY.search(text):
        return None
    compound = bool(_COMPOUND.search(text))
    if compound and not _COMPOUNDED_YEARLY.search(text):
        return None
    payments = _PAYMENTS.search(text) if _EACH_PAYMENT_ASKED.search(asked_part(text)) else None
    if payments:  # "paid back in equal monthly payments over the 24 months": the loan's total over 24
        text = f"{text[: payments.start()]} {text[payments.end() :]}"
    times = list(_TIME.finditer(text))
    if len(times) > 1:
        return None
    if times:
        count, unit = times[0]["count"], times[0]["unit"].lower()
        years = count if unit.startswith("year") else f"{count}/12"
    elif _ONE_YEAR.search(text):
        years = "1"
    else:
        return None
    (rate,) = rates
    rest = PERCENT.sub(" ", text)
    rest = _TIME.sub(" ", rest)
    sums = numbers_in(rest)
    if len(sums) != 1:
        return None
    principal = sums[0].replace(",", "")
    if compound and "/" in years:
        return None
    interest = (
        f"{principal}*(1+{rate}/100)**{years}-{principal}" if compound else f"{principal}*{rate}/100*{years}"
    )
    if payments and not Fraction(payments["count"]):
        return None  # paid back in no payments
    if payments:
        total = f"({principal}*(1+{rate}/100)**{years})" if compound else f"({principal}+{interest})"
        return f"{total}/{payments['count']}"
    if _INTEREST_ASKED.search(text) and not re.search(r"\btotal\b|\bbalance\b", asked_part(text), re.I):
        return interest
    if _TOTAL_ASKED.search(asked_part(text)):
        return f"{principal}*(1+{rate}/100)**{years}" if compound else f"{principal}+{interest}"
    return None


def asked_part(text: str) -> str:
    """The text from its last "how"/"what" on: the question asked, not what it states."""
    found = list(re.finditer(r"\b(?:how|what)\b", text, re.IGNORECASE))
    return text[found[-1].start() :] if found else text
