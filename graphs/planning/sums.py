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

from graphs.planning.quantities import CURRENCY_SIGNS
from graphs.planning.rules import DECIMAL, expression_values, format_value, number_words_to_digits
from graphs.planning.unit_prices import PRODUCT, product_value

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


_STILL_NEEDED = re.compile(
    r"\bhow\s+many\s+more\b[^?.!]*\b(?:need|needs|needed|buy|get|make|bake|go|left|to\s+reach|until|before)\b"
    r"|\bhow\s+much\s+more\b[^?.!]*\b(?:need|needs|save|to\s+reach|until|before)\b",
    re.IGNORECASE,
)
_AT_A_RATE = re.compile(r"\b(?:per|each|every|an?\s+(?:day|week|month|year|hour|minute))\b|/", re.IGNORECASE)
_DIFFERENCE_ASKED = re.compile(
    r"\bhow\s+(?:many|much)\s+(?:\w+\s+){0,3}?(?:more|fewer|less|longer|shorter|older|younger|taller|heavier)\b"
    r"[^?.!]*\bthan\b|\bdifference\s+between\b|\bby\s+how\s+(?:much|many)\b|\bwin\s+by\b|\bwon\s+by\b",
    re.IGNORECASE,
)


def difference_asked(expression: str, question: str) -> str | None:
    """The larger number less the smaller for a question that asks how many more (or fewer) one has than the
    other, or how many more are still needed, when ``expression`` uses those two numbers in another way ("45+28"
    for "how many more cards does Ali have than Omar?", "24/24" for "I need two dozen and have 5: how many more
    do I need?"); None otherwise."""
    text = number_words_to_digits(question)
    numbers = [Fraction(number) for number in re.findall(rf"(?<![\d.]){DECIMAL}(?!\.?\d)", text)]
    # what is needed and what is had, nothing at a rate: any other line is wrong ("24/24")
    needed = _STILL_NEEDED.search(text) and not _AT_A_RATE.search(text)
    if len(set(numbers)) != 2 or not (_DIFFERENCE_ASKED.search(text) or needed):
        return None
    two_numbers = re.fullmatch(rf"\s*{DECIMAL}\s*[-+]\s*{DECIMAL}\s*", expression)
    if not needed and expression_values(expression) != set(numbers) and not two_numbers:
        return None
    larger, smaller = (format_value(value) for value in sorted(set(numbers), reverse=True))
    wanted = f"{larger}-{smaller}"
    return None if expression.replace(" ", "") == wanted else wanted


_SIGNED = re.compile(
    r"\b(?:temperatures?|degrees?|below|freez\w*|colder|warmer|loss|losses|net|change\s+in|overdr\w*|debts?|deficit"
    r"|negative|minus|elevation|sea\s+level|balance|profit|gain\w*|rise|fall|drop\w*|score)\b|°",
    re.IGNORECASE,
)
_BY_ZERO = re.compile(r"/\s*0+(?:\.0+)?(?![\d.])")
_TWO_TERMS = re.compile(r"\s*([^-+()]+?)\s*-\s*([^-+()]+?)\s*")


def difference_not_negative(expression: str, question: str) -> str | None:
    """``b-a`` for a line ``a-b`` that comes out below zero, where the question asks nothing that can be
    (an age, what is left, the change from a note: not a temperature, a balance or a loss); None otherwise.

    The adapter took the later number from the earlier one ("1948-2025" for an age in 2025, "43.5-50" for
    the change from $50, "350-500" for the pages left of 500), measured on problems written by others.
    """
    match = _TWO_TERMS.fullmatch(expression)
    if match is None or _SIGNED.search(question):
        return None
    if not all(PRODUCT.fullmatch(term) and not _BY_ZERO.search(term) for term in match.groups()):
        return None
    if product_value(match[1]) >= product_value(match[2]):
        return None
    return f"{match[2].strip()}-{match[1].strip()}"


_ADDING = re.compile(
    r"\b(?:deposit\w*|add|adds|added|receiv\w*|earn\w*|won|wins?|found|finds?|gain\w*|top(?:s|ped)?\s+up|put\s+in"
    r"|saved?|saves|got|gets|raised?|collect\w*|grew|grows?)\b",
    re.IGNORECASE,
)
_PAYING_ASKED = re.compile(
    r"\bhow\s+much\s+(?:does|did|do|will|would|should)\s+(?!it\b|that\b|this\b)\w+\s+(?:pay|spend|owe)\b",
    re.IGNORECASE,
)


def lone_amounts_added(expression: str, question: str) -> str | None:
    """``expression`` with a lone number it takes away added instead, where the question's clause that gives
    it adds ("then deposited £350") or, in a question asking what someone pays, prices one more thing bought
    ("and a pair of jeans for $42"), and takes nothing away; None when no term changes.

    The adapter wrote ``2000*(1-1/4)-350`` for £350 deposited and ``2*15.50-42-10`` for jeans bought with
    shirts, measured on problems written by others."""
    terms = _top_level_terms(expression.replace(" ", ""))
    if terms is None or len(terms) < 2:
        return None
    text = number_words_to_digits(question)
    paying = _PAYING_ASKED.search(text) is not None
    changed = False
    written = []
    for sign, term in terms:
        if sign == "-" and re.fullmatch(DECIMAL, term) and (clause := _clause_of(text, term)) is not None:
            priced = re.search(rf"\bfor\s*[{CURRENCY_SIGNS}]?\s*{re.escape(term)}\b", clause) is not None
            if not _TAKING_AWAY.search(clause) and (_ADDING.search(clause) or (paying and priced)):
                sign, changed = "+", True
        written.append(f"{sign}{term}")
    return "".join(written).lstrip("+") if changed else None


def _top_level_terms(expression: str) -> list[tuple[str, str]] | None:
    """The terms added and taken away outside parentheses ("2000*(1-1/4)-350" -> ``+2000*(1-1/4)``,
    ``-350``), or None for an expression of anything but numbers, operators and balanced parentheses."""
    if not re.fullmatch(r"[\d.*/+()-]+", expression):
        return None
    terms: list[tuple[str, str]] = []
    depth, start, sign = 0, 0, "+"
    for index, char in enumerate(expression):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return None
        if depth == 0 and char in "+-":
            if index > start:  # a sign at the start, or after another sign, begins the next term
                terms.append((sign, expression[start:index]))
            sign, start = char, index + 1
    if depth != 0 or start >= len(expression):
        return None
    terms.append((sign, expression[start:]))
    return terms
