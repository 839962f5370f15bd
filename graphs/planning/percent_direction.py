"""The direction of a percentage in a word problem: a tip, a tax or a fee is added, a discount taken off.

The adapter writes the shape of a percentage change well (``64*(1+15/100)``, ``80-80*25/100``) and its sign
poorly: on the fresh problems of ``bench/data/fresh_dev_problems.jsonl`` it took a 15 % tip and a 10 % booking
fee *off* the bill. The sign is read here from the words of the clause that holds the percentage ("a 15% tip",
"25% off", "goes up by 5%") and the expression's sign is set to it. Only those two shapes are touched, and only
when the clause's words point one way and every clause with that percentage agrees: anything else is left as
the model wrote it.
"""

from __future__ import annotations

import re

from graphs.planning.rules import DECIMAL

_UP = re.compile(
    r"\b(?:tips?|gratuity|tax(?:es)?|vat|gst|fees?|surcharges?|service\s+charge|mark-?ups?|interest|raises?"
    r"|increas(?:e|es|ed|ing)|rises?|rose|risen|grow(?:s|n)?|grew|more|extra|on\s+top|plus|add(?:s|ed)?"
    r"|inflation|higher|up)\b",
    re.IGNORECASE,
)
_DOWN = re.compile(
    r"\b(?:off|discount(?:s|ed)?|sale|reduc(?:e|es|ed|tion)|decreas(?:e|es|ed|ing)|less|cheaper|drops?|dropped"
    r"|falls?|fell|lose|loses|lost|cuts?|markdown|down|lower|minus|deduct(?:s|ed)?|subtract(?:s|ed)?"
    r"|keeps?|kept|withh(?:olds?|eld))\b",
    re.IGNORECASE,
)
_EARNINGS = re.compile(
    r"\b(?:earn(?:s|ed|ings)?|salary|salaries|income|wages?|paycheck|pay\s+check|profits?|revenue)\b",
    re.IGNORECASE,
)
"""Words of earnings, from which a tax is taken ("I earn 3000 a month", then "And after 20% tax?"), where a
tax on a price is added."""
_TAX = re.compile(r"\btax(?:es)?\b", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"[.,;:!?]\s|[.;:!?]$|\b(?:and|then|but|after|before)\b", re.IGNORECASE)
_CHANGES = (
    re.compile(rf"\(1(?P<sign>[-+])(?P<percent>{DECIMAL})/100\)"),  # 64*(1+15/100)
    re.compile(
        rf"(?<![\d.])(?P<base>{DECIMAL})(?P<sign>[-+])(?P=base)\*(?P<percent>{DECIMAL})/100"
    ),  # 80-80*25/100
)


def about_earnings(question: str, conversation: str) -> bool:
    """Whether the question or the turns before it speak of earnings (then a tax is taken off)."""
    return bool(_EARNINGS.search(question) or _EARNINGS.search(conversation))


def percent_sign(percent: str, question: str, earnings: bool) -> str | None:
    """ "+" or "-" as every clause of ``question`` that writes ``percent`` % says; None when they say neither
    or both. ``earnings``: the conversation is about earnings, so a tax is taken off."""
    written = _written_percent(percent)
    signs = set()
    for clause in _CLAUSE_BREAK.split(question):
        if written.search(clause):
            if earnings:
                clause = _TAX.sub(" less ", clause)
            up, down = bool(_UP.search(clause)), bool(_DOWN.search(clause))
            signs.add("+" if up and not down else "-" if down and not up else "?")
    return signs.pop() if len(signs) == 1 and "?" not in signs else None


def _written_percent(percent: str) -> re.Pattern[str]:
    """``percent`` written as a percentage ("8%", "8 percent"), not as part of another number."""
    return re.compile(rf"(?<![\d.]){re.escape(percent)}\s*(?:%|percent\b)", re.IGNORECASE)


_TOTAL_ASKED = re.compile(
    r"\b(?:with|after|including|incl|total|altogether|in\s+all|pay|paying|new|final)\b", re.IGNORECASE
)
_AMOUNT_ASKED = re.compile(
    r"\bhow\s+(?:much|big)\s+(?:is|was|will|would|should)\s+(?:be\s+)?(?:the|my|our|a|that)\s+\w+"
    r"|\bwhat\s+(?:is|was|'s)\s+(?:the|my|our|a|that)\s+(?:\w+\s+)?(?:tip|tax|fee|discount|interest|raise)\b",
    re.IGNORECASE,
)
_AMOUNT_ONLY = re.compile(rf"(?P<base>{DECIMAL})\*(?P<percent>{DECIMAL})/100")


def with_change_applied(expression: str, question: str, conversation: str = "") -> str | None:
    """``x*(1±p/100)`` for an expression that computes only the change ``x*p/100`` where the question asks
    for the figure after it ("And with tax of 5% on that?" -> ``360*(1+5/100)``, not the tax alone); None
    when the question asks for the amount itself ("What is the tip?") or its direction is unclear."""
    match = _AMOUNT_ONLY.fullmatch(expression.strip())
    if match is None or _AMOUNT_ASKED.search(question) or not _TOTAL_ASKED.search(question):
        return None
    sign = percent_sign(match["percent"], question, about_earnings(question, conversation))
    return None if sign is None else f"{match['base']}*(1{sign}{match['percent']}/100)"


def percent_direction_fixed(expression: str, question: str, conversation: str = "") -> str | None:
    """``expression`` with each percentage change signed as ``question`` says; None when nothing changes.
    ``conversation``: the earlier turns too, which may say that the figure is earnings."""
    earnings = about_earnings(question, conversation)
    fixed = expression
    for shape in _CHANGES:

        def signed(match: re.Match[str]) -> str:
            sign = percent_sign(match["percent"], question, earnings)
            if sign is None or sign == match["sign"]:
                return match[0]
            start, end = match.span("sign")
            return match[0][: start - match.start()] + sign + match[0][end - match.start() :]

        fixed = shape.sub(signed, fixed)
    return fixed if fixed != expression else None


def bare_percentage_applied(expression: str, question: str, conversation: str = "") -> str | None:
    """``(x)*(1±p/100)`` for an expression that adds or takes off a bare ``p/100`` after the rest ("4*12.50*
    (1-20/100)+8/100" for "then 8% sales tax is added"), a percentage of nothing, signed as the words say
    (:func:`percent_sign`) or else as written; None for any other expression."""
    match = _BARE_PERCENTAGE.fullmatch(expression.replace(" ", ""))
    if match is None or match["rest"].count("(") != match["rest"].count(")"):
        return None
    if not _written_percent(match["percent"]).search(question):
        return None  # "plus 8/100" as the user wrote it
    sign = percent_sign(match["percent"], question, about_earnings(question, conversation)) or match["sign"]
    return f"({match['rest']})*(1{sign}{match['percent']}/100)"


_BARE_PERCENTAGE = re.compile(rf"(?P<rest>.*[\d)])(?P<sign>[-+])(?P<percent>{DECIMAL})/100")
