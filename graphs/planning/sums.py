"""Groups counted together: "4 rows of 9 tomato plants and 3 rows of 7 pepper plants" is ``4*9+3*7``.

The adapter wrote the second group's product with a minus (``4*9-3*7-5``, ``3*4.25-1*1.80`` for 3
notebooks at 4.25 and a pen for 1.80, ``8*2-3*3+5*1`` for points scored), measured on word problems written by
someone else. A product subtracted from a product is added instead when the clause of the question that
gives it says nothing of taking away (no "sold", "died", "gave", "used" ...): the groups of a list are counted
together. A number alone ("- 5" for "5 of them died") and anything the words take away stand.

And a difference asked of two numbers ("How many more cards does Ali have than Omar?") is the larger less the
smaller: the adapter added them (``45+28``).
"""

from __future__ import annotations

import re
from fractions import Fraction

from graphs.planning.rules import DECIMAL, number_words_to_digits

_TAKING_AWAY = re.compile(
    r"\b(?:died|dead|dies|broke|broken|breaks?|damaged|lost|loses?|spent|spends?|sold|sells?|gave|gives?|given"
    r"|ate|eats?|eaten|used|uses?|paid|pays?|off|minus|less|fewer|left|remov\w*|took|takes?|taken|withdr\w*"
    r"|subtract\w*|discount\w*|refund\w*|return\w*|missing|stolen|burn\w*|drank|drinks?|rotten|fell|falls?"
    r"|leak\w*|away|owes?|owed|cost\w*|bought|buys?|donat\w*|lend|lent|borrow\w*|shar\w*|without|except|not)\b",
    re.IGNORECASE,
)
_TERM = re.compile(r"([-+]?)([^-+]+)")
_CLAUSE_END = re.compile(r"[,.;:!?]|\b(?:and|but|while|then|plus)\b", re.IGNORECASE)


def _clause_of(question: str, number: str) -> str | None:
    """The clause of ``question`` (between commas, "and", "but" ...) that first writes ``number``'s value."""
    found = next(
        (
            m
            for m in re.finditer(rf"(?<![\d.]){DECIMAL}(?!\.?\d)", question)
            if Fraction(m[0]) == Fraction(number)
        ),
        None,
    )  # compared as values: the question's "1.80" reads "1.8" once its number words are digits
    if found is None:
        return None
    starts = [m.end() for m in _CLAUSE_END.finditer(question, 0, found.start())]
    end = _CLAUSE_END.search(question, found.end())
    return question[starts[-1] if starts else 0 : end.start() if end else len(question)]


def sum_of_groups_fixed(expression: str, question: str) -> str | None:
    """``expression`` with each product subtracted from a product added instead where the question's clause
    takes nothing away; None when no term changes (or the expression has parentheses)."""
    if "(" in expression or not re.fullmatch(r"[\d.*/+-]+", expression.replace(" ", "")):
        return None
    text = number_words_to_digits(question)
    terms = _TERM.findall(expression.replace(" ", ""))
    if len(terms) < 2 or "*" not in terms[0][1]:
        return None
    changed = False
    written = [f"{terms[0][0]}{terms[0][1]}"]
    for sign, term in terms[1:]:
        if sign == "-" and "*" in term:
            clauses = (_clause_of(text, number) for number in re.split(r"[*/]", term))
            clause = next((found for found in clauses if found is not None), None)  # "1*1.80" for "a pen"
            if clause is not None and not _TAKING_AWAY.search(clause):
                sign, changed = "+", True
        written.append(f"{sign}{term}")
    return "".join(written) if changed else None


_DIFFERENCE_ASKED = re.compile(
    r"\bhow\s+(?:many|much)\s+(?:\w+\s+){0,3}?(?:more|fewer|less|longer|shorter|older|younger|taller|heavier)\b"
    r"[^?.!]*\bthan\b|\bdifference\s+between\b|\bby\s+how\s+(?:much|many)\b|\bwin\s+by\b|\bwon\s+by\b",
    re.IGNORECASE,
)


def difference_asked(expression: str, question: str) -> str | None:
    """The larger number less the smaller for a question that asks how many more (or fewer) one has than the
    other, when ``expression`` adds those two numbers or takes the larger from the smaller ("45+28" for "how
    many more cards does Ali have than Omar?"); None otherwise."""
    match = re.fullmatch(rf"\s*({DECIMAL})\s*([-+])\s*({DECIMAL})\s*", expression)
    if match is None or not _DIFFERENCE_ASKED.search(question):
        return None
    left, operator, right = match.groups()
    if operator == "-" and Fraction(left) >= Fraction(right):
        return None  # as asked already
    larger, smaller = (left, right) if Fraction(left) >= Fraction(right) else (right, left)
    return f"{larger}-{smaller}"
