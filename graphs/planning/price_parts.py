"""A sentence of a price document in parts, each with what it prices.

A search returns "Ticket: Adult (16–64); Weekday: $7.50; Weekend: $9.00", "City bike ...... £6 per hour,
£22 per day" or "Private lane hire: $38 per hour on weekdays, $46 per hour at weekends". Each part holds one
figure with the name of what it prices ("Adult Weekday: $7.50", "City bike: £22 per day", "Private lane hire:
$46 per hour at weekends"), so that :mod:`graphs.planning.looked_up` can choose the one the question names.

Written by hand because no library we have splits price lists into priced items.
"""

from __future__ import annotations

import re
from fractions import Fraction

from graphs.planning.quantities import CURRENCY_NAMES

MONEY_GIVEN = re.compile(
    rf"(?<!\bin\s)[$€£¥]|\d\s*(?:p|c)\b|(?<!\bin\s)\b(?:pounds?|cents?|pence|bucks|{CURRENCY_NAMES})\b", re.I
)
"""A price the question states; "in pounds" asks for one."""


def parts(sentence: str) -> list[str]:
    """The parts of ``sentence`` that each may hold one figure, each with the name of what it prices:

    - a table row's cells each with the row's first cell ("Ticket: Adult; Weekday: $7.50" -> "Adult
      Weekday: $7.50");
    - a price list's items ("City bike ...... £6 per hour, £22 per day Hybrid bike ...... £8 per hour") each
      clause with its item's name ("Hybrid bike £8 per hour");
    - a sentence's clauses each with what the sentence says before its first figure ("Lane hire: $38 per
      hour on weekdays, $46 per hour at weekends" -> "Lane hire: $46 per hour at weekends").

    Brackets ("(16–64)") and limits ("up to a maximum of €10 per day") are left out."""
    text = re.sub(r"\(([^()]*\bonly)\)", r" \1 ", sentence)  # "(children under 12 only)" says for whom
    text = _LIMITED.sub(" ", re.sub(r"\([^()]*\)", " ", text))
    if ";" in text:
        head, *cells = [cell.strip() for cell in text.split(";")]
        found = [f"{head.split(':', 1)[-1].strip()} {cell}" for cell in cells]
    elif re.search(
        r"\.{2,}", text
    ):  # a price list: "City bike ...... £6 per hour, £22 per day Hybrid bike ..."
        text = re.sub(r"\s*\.{2,}\s*", " ", text)
        found, name, end = [], "", 0
        for priced in _PRICED.finditer(text):
            between = text[end : priced.start()].strip(" ,;:")
            name = between if re.search(r"[A-Za-z]{2}", between) else name
            found.append(f"{name}: {priced[0]}" if name else priced[0])
            end = priced.end()
        found.append(text[end:])
    else:
        # "Bronze party: one game plus a meal, £14.50 per child": what comes before the first figure names it
        first_figure = re.search(r"[$€£]?\d", text)
        lead = text[: first_figure.start()] if first_figure else ""
        rest = text[len(lead) :]
        clauses = [
            clause.strip()
            for clause in re.split(r",(?!\d{3}(?!\d))|\band\b(?=\s*[$€£]\d)", rest)
            if clause.strip()
        ]
        found = [f"{lead}{clause}" for clause in clauses] or [text]
    found = [re.sub(r"\s+([.,;:])", r"\1", " ".join(part.split())) for part in found if part.strip()]
    return [part if MONEY_GIVEN.search(part) else _PRICE_WRITTEN.sub(r"$\1", part) for part in found]


def priced_figures(text: str) -> set[Fraction]:
    """The values of the figures in ``text`` that are prices or rates: written with a currency ("$38", "20p",
    "12 francs"), as a price list's amount ("Monthly: 146.00"), per something ("89 marks per hour", "8 hours
    a day") or after a word that prices ("costs 14 marks", "a fee of 30"). Limits ("minimum charge £1") are not among them (:func:`parts`)."""
    found = set()
    for part in parts(text):
        for figure in _FIGURE.finditer(part):
            after = figure["after"]
            before = part[: figure.start()]
            if (
                figure["currency"]
                or MONEY_GIVEN.match(after.strip())
                or _PER_SOMETHING.match(after)
                or _PRICE_WORD_BEFORE.search(before)
            ):
                found.add(Fraction(figure["number"].replace(",", "")))
    return found


_FIGURE = re.compile(
    r"(?<![\w.])(?P<currency>[$€£¥])?(?P<number>\d+(?:,\d{3})*(?:\.\d+)?)(?P<after>[^\d$€£¥]{0,24})"
)
_PRICE_WORD_BEFORE = re.compile(
    r"\b(?:costs?|costing|priced(?:\s+at)?|charged(?:\s+at)?|pays?|(?:fee|charge|fare|rate|price)s?(?:\s+(?:is|are|of))?)"
    r"\s*:?\s*$",
    re.I,
)
_PER_SOMETHING = re.compile(r"\s*(?:[A-Za-z]+\s+)?(?:(?:per|a|an|each|every)\s+[a-z]|/\s*[a-z])", re.I)

_PRICE_WRITTEN = re.compile(r"(?<![\w.$€£])(\d+\.\d\d)(?![\d.]|\s*(?:%|[a-zA-Z²³]))")
"""A figure with two decimals and no unit, in a price list: money ("Monthly: 146.00")."""


_LIMITED = re.compile(
    r"(?:,\s*)?\b(?:up\s+to\s+(?:a\s+)?maximum\s+of|maximum(?:\s+charge)?(?:\s+of)?|minimum(?:\s+charge)?(?:\s+of)?"
    r"|max\.?|min\.?|at\s+most|at\s+least|no\s+more\s+than|capped\s+at)\s*[$€£]?\d[\d.,]*[^,;.$€£]*",
    re.I,
)
"""A limit and its figure, to the end of its clause: "up to a maximum of €10 per day", "minimum charge £1",
"maximum 2 dogs per pitch"."""
_PRICED = re.compile(
    r"(?<![A-Za-z\d.])[$€£]?\d+(?:[.,]\d+)*(?![\d.,%])(?!\s*%)p?(?:\s*(?:per|a|an|each)\s+(?:\d+\s+)?\w+)*(?:\s+each)?",
    re.I,
)
"""A figure and what it is per: where the text of a price list item ends and the next item's name begins."""


def rate_of(context: str) -> str:
    """What the headings say every price under them is per ("Hourly rates" -> "per hour", "CATS (per pen,
    per night)" -> "per pen per night"), or ""."""
    found = [f"per {per}" for per in re.findall(r"\bper\s+([a-z]+)", context, re.I)]
    found += [f"per {_ADVERBS[word.lower()]}" for word in _ADVERB.findall(context)]
    return " ".join(dict.fromkeys(found))


_ADVERBS = {"hourly": "hour", "daily": "day", "nightly": "night", "weekly": "week", "monthly": "month"}
_ADVERB = re.compile(r"\b(hourly|daily|nightly|weekly|monthly)\b", re.I)
RATED = re.compile(r"\b(?:per|a|an|each|every)\s+[a-z]|/\s*[a-z]", re.I)
"""A price already said per something ("£6 per hour", "£3 a day", "£2/kg")."""


def money_limits(sentence: str) -> list[tuple[str, Fraction, str]]:
    """The money limits of a price sentence, each as ``("max" or "min", figure, what it is per)``: "up to a
    maximum of €10 per day" -> ``("max", 10, "day")``, "minimum charge £1" -> ``("min", 1, "")``; limits of
    counts ("maximum 2 dogs per pitch") are none."""
    found = []
    for limit in _LIMIT_FIGURE.finditer(sentence):
        after = limit["after"]
        pence = re.match(r"p\b", after.strip())
        if not (
            limit["currency"]
            or pence
            or MONEY_GIVEN.match(after.strip())
            or re.search(r"\.\d\d$", limit["number"])
        ):
            continue
        per = re.search(r"\bper\s+([a-z]+)", after, re.I)
        kind = "min" if re.match(r"min|at\s+least", limit["kind"], re.I) else "max"
        figure = Fraction(limit["number"]) / (100 if pence else 1)  # "50p" of a price in pounds
        found.append((kind, figure, per[1].lower() if per else ""))
    return found


_LIMIT_FIGURE = re.compile(
    r"\b(?P<kind>maximum|max\.?|minimum|min\.?|capped\s+at|at\s+most|no\s+more\s+than|at\s+least)"
    r"(?:\s+charge)?(?:\s+of)?\s*(?P<currency>[$€£])?(?P<number>\d+(?:\.\d+)?)(?P<after>[^,;.(]*)",
    re.I,
)
