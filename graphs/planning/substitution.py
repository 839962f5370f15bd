"""Follow-ups that ask the previous computation again with one number changed: "What is 15% of 240?", then
"What about 20%?" -> the previous expression with 20 in place of 15.

The follow-ups the adapter was trained on compute on the previous *result* ("And half of that?"); asked
"What about 20%?", it computed on the result too (``36*20/100``), and asked "What if it were 22 a week
instead?" after 18 dollars a week for 4 weeks, it wrote ``72*22``. The forms read here: "what/how about N",
"what if <a few words> N", "make it N", "(and) with N", each optionally ending in "instead (of M)".

Which number the new one replaces is M when the follow-up names it; else it is read from the words that follow
each number in the previous question: the follow-up's words ("%", "hours", "a week") must begin the words after
exactly one number there ("3 hours at", "18 dollars a week": currency words are skipped, plurals are singular).
The substitution is exact, so this layer needs no model; when the words match no number of the previous
question, or more than one, or the number is not written once in the previous expression, it leaves the
follow-up to the planner.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from graphs.planning.quantities import amounts
from graphs.planning.rules import (
    DOCUMENTS_TOOL,
    WRITTEN_NUMBER,
    number_words_to_digits,
    previous_turn,
    replaced_once,
    singular,
)

_FOLLOW_UP = re.compile(
    r"(?P<lead>(?:(?:and|so|ok(?:ay)?|then|now|but|well|hmm)\b[\s,]*)*)"
    r"(?:(?:what|how)\s+about\s+(?:with\s+|for\s+|if\s+)?"
    r"|(?:what\s+)?if\s+(?:[a-z']+\s+){0,4}?"
    r"|make\s+it\s+|(?:try\s+(?:it\s+)?)?with\s+|try\s+"
    r"|(?P<preposition>of|for|at|on|in)\s+|)"
    rf"(?P<currency>[$€£])?(?P<number>{WRITTEN_NUMBER})(?P<rest>(?:\s*%|\s+[a-z]+){{0,3}}?)"
    rf"(?:\s*/\s*(?:kg|kilo|litre|liter|l|lb|hour|h|month|week|day|year))?"
    rf"(?:\s+instead(?:\s+of\s+[$€£]?(?P<old>{WRITTEN_NUMBER})\s*(?:%|percent)?)?)?\s*[?.!]*",
    re.IGNORECASE,
)
_MARKED_NUMBER = re.compile(
    rf"(?P<currency>[$€£])?(?P<number>{WRITTEN_NUMBER})(?P<rest>(?:\s*%|\s+[a-z]+){{0,3}})", re.IGNORECASE
)
_CURRENCY_WORDS = frozenset({"dollar", "euro", "pound", "buck", "usd", "eur", "gbp", "crown", "franc", "yen"})
MARK_WORDS = 2
"""How many words after a number tell its role ("a week" after "18 dollars"; "%" and "of" after "15")."""


def _marks(currency: str | None, rest: str) -> list[str]:
    """The words that tell a number's role: "$" for money, "%" for a percentage, then the words after it,
    singular and without currency words ("18 dollars a week" -> ["a", "week"])."""
    words = [singular(word) for word in re.findall(r"%|[a-z]+", rest.lower())]
    marks = ["$"] if currency else []
    marks += ["%" if word in {"%", "percent"} else word for word in words if word not in _CURRENCY_WORDS]
    return marks[:MARK_WORDS]


def _previous_calculation(messages: Sequence[BaseMessage]) -> tuple[str, str] | None:
    """The previous turn's question and its one calculator expression, when the last message is a new
    question after it."""
    previous = previous_turn(messages)
    if previous is None:
        return None
    question, turn = previous
    expression = _turn_expression(turn)
    return (question, expression) if expression is not None else None


def _turn_expression(turn: Sequence[BaseMessage]) -> str | None:
    """The one calculator expression of a turn whose tool calls are that calculation alone, or searches of
    the documents and then it ("12*3" with the $12 an hour found for "3 hours")."""
    calls = [call for message in turn if isinstance(message, AIMessage) for call in message.tool_calls]
    if not calls or calls[-1]["name"] != "calculator":
        return None
    if any(call["name"] != DOCUMENTS_TOOL for call in calls[:-1]):
        return None
    expression = next(iter(calls[-1]["args"].values()), None)
    return expression if isinstance(expression, str) else None


def _word_before(text: str, position: int) -> str:
    found = re.search(r"([a-z]+)\W*$", text[:position], re.IGNORECASE)
    return found[1].lower() if found else ""


def _replaced_number(
    question: str, currency: str | None, rest: str, preposition: str | None = None
) -> str | None:
    """The one number of ``question`` whose following words begin with the follow-up's (both none: a number
    without a mark, "What about 300?" after "...of 240?"); for a follow-up of a preposition and a number alone
    ("and of 130?"), the one number after that preposition ("15% of 80"); None when none or several do."""
    wanted = _marks(currency, rest)
    replaced = set()
    for found in _MARKED_NUMBER.finditer(question):
        if preposition and not wanted:
            matches = _word_before(question, found.start()) == preposition.lower()
        else:
            marks = _marks(found["currency"], found["rest"])
            matches = marks[: len(wanted)] == wanted and (bool(wanted) or not marks)
        if matches:
            replaced.add(found["number"].replace(",", ""))
    return replaced.pop() if len(replaced) == 1 else None  # several: which one it replaces is a guess


def substituted_expression(messages: Sequence[BaseMessage]) -> str | None:
    """The previous calculator expression with the follow-up's number in place of the one it replaces
    ("What about 20%?" after "What is 15% of 240?", ``240*15/100`` -> ``240*20/100``); None otherwise."""
    match = _FOLLOW_UP.fullmatch(messages[-1].text.strip()) if messages else None
    previous = _previous_calculation(messages) if match else None
    if match is None or previous is None:
        return None
    bare = not re.search(r"[a-z%]", match.group(0)[: match.start("number")] + match["rest"], re.IGNORECASE)
    if bare and not match["currency"]:
        return None  # "7?" alone says nothing of which number it replaces
    question, expression = previous
    return _changed(match, question, expression) or _through_the_chain(messages, match)


def _changed(match: re.Match[str], question: str, expression: str) -> str | None:
    """``expression`` (of ``question``) with the follow-up's number in place of the one it replaces, or None
    when it writes no such number (or writes it more than once and the follow-up does not name it)."""
    old = match["old"] or _replaced_number(question, match["currency"], match["rest"], match["preposition"])
    if old is None:
        return None
    pattern = rf"(?<![\d.]){re.escape(old.replace(',', ''))}(?![\d.])"
    written = len(re.findall(pattern, expression))
    if written == 0 or (written > 1 and not match["old"]):  # "instead of 1000" names it wherever it is
        return None
    return re.sub(pattern, match["number"].replace(",", ""), expression)


def calculations(messages: Sequence[BaseMessage]) -> list[tuple[str, str, str]]:
    """The earlier turns' calculations, latest last, as (question, expression, result): the unbroken run of
    turns that each made one calculator call, back from the last message's question."""
    humans = [index for index, message in enumerate(messages) if isinstance(message, HumanMessage)]
    chain: list[tuple[str, str, str]] = []
    for start, end in reversed(list(itertools.pairwise(humans))):
        turn = messages[start:end]
        results = [m for m in turn if isinstance(m, ToolMessage) and m.name == "calculator"]
        expression = _turn_expression(turn)
        if expression is None or len(results) != 1:
            break
        chain.insert(0, (messages[start].text, expression, results[0].text.strip()))
    return chain


def _through_the_chain(messages: Sequence[BaseMessage], match: re.Match[str]) -> str | None:
    """The chain of calculations again with the follow-up's number changed in the latest one that has the
    number it replaces, each later one computing on the one before ("what if it was 3000 instead of 2400"
    after ``2400*12`` then ``28800/52`` -> ``(3000*12)/52``); None when no calculation has it or a later one
    does not use the result before it."""
    chain = calculations(messages)
    for index in range(len(chain) - 2, -1, -1):  # the latest was tried on its own
        question, expression, result = chain[index]
        if (changed := _changed(match, question, expression)) is None:
            continue
        for _, later, later_result in chain[index + 1 :]:
            link = rf"(?<![\d.]){re.escape(result)}(?![\d.])"
            if len(re.findall(link, later)) != 1:
                return None
            changed, result = re.sub(link, f"({changed})", later), later_result
        return changed
    return None


_CHANGED_COUNT = re.compile(
    rf"(?<![\d.,])(?P<number>{WRITTEN_NUMBER})\s+(?P<change>more|extra|additional|fewer|less)\b(?!\s+than\b)"
    r"(?:\s+(?P<noun>[a-z]+))?",
    re.IGNORECASE,
)
_NOT_NOUNS = frozenset(
    {
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "and",
        "or",
        "then",
        "now",
        "please",
        "too",
        "as",
        "well",
        "instead",
    }
)


def _counted_number(question: str, noun: str | None) -> str | None:
    """The number of ``question`` that counts ``noun`` ("5 tickets" for "tickets"), or without a noun its one
    count: a number with words after it that is neither money nor a percentage ("3 notebooks at $4.50")."""
    counts = set()
    for found in _MARKED_NUMBER.finditer(question):
        words = re.findall(r"%|[a-z]+", found["rest"].lower())
        marks = _marks(found["currency"], found["rest"])
        if (
            found["currency"]
            or not marks
            or marks[0] in {"$", "%"}
            or (words and singular(words[0]) in _CURRENCY_WORDS)
        ):
            continue
        if noun is None or marks[0] == noun:
            counts.add(found["number"].replace(",", ""))
    return counts.pop() if len(counts) == 1 else None


def changed_count_expression(messages: Sequence[BaseMessage]) -> str | None:
    """The previous calculation with a count grown or shrunk as the follow-up says ("What if I buy 2 more?"
    after ``16*5`` for 5 tickets at $16 -> ``16*(5+2)``; "what about with 3 more people" after ``870/6``
    -> ``870/(6+3)``); None when the follow-up says more than that, or the count is not clear."""
    text = messages[-1].text.strip() if messages else ""
    found = list(_CHANGED_COUNT.finditer(text))
    if len(found) != 1 or len(re.findall(r"\d+(?:[.,]\d+)*", text)) != 1:
        return None
    previous = _previous_calculation(messages)
    if previous is None:
        return None
    question, expression = previous
    change = found[0]
    noun = change["noun"] and change["noun"].lower()
    scored = _OUT_OF.search(question) if noun in _SCORED else None
    # "what if I'd gotten 3 more right?" of "34 out of 40": the score grows
    old = (
        scored["score"]
        if scored
        else _counted_number(question, None if noun is None or noun in _NOT_NOUNS else singular(noun))
    )
    if old is None:
        return None
    sign = "-" if change["change"].lower() in {"fewer", "less"} else "+"
    return replaced_once(expression, old, f"({old}{sign}{change['number'].replace(',', '')})")


def changed_count_bought(messages: Sequence[BaseMessage]) -> str | None:
    """The previous calculation with its one count replaced by the number a follow-up buys instead ("what if I
    only buy 3?" after ``(65+7.5)*4`` for 4 tickets -> ``(65+7.5)*3``), or None."""
    text = number_words_to_digits(messages[-1].text.strip()) if messages else ""
    found = _BOUGHT.search(text)
    previous = _previous_calculation(messages) if found else None
    if found is None or previous is None or len(re.findall(r"\d+(?:\.\d+)?", text)) != 1:
        return None
    question, expression = previous
    old = _counted_number(question, None)
    if old is None or old == found["number"]:
        return None
    return replaced_once(expression, old, found["number"])


_BOUGHT = re.compile(
    r"^\W*(?:(?:and|so|ok(?:ay)?|but)\b[\s,]*)*(?:what|how)\s+(?:if|about\s+if)\s+(?:i|we|you|they)\s+"
    r"(?:only\s+|just\s+)?(?:buy|buys|get|order|take|book|bring|invite|need|want|hire|rent)\s+"
    r"(?:only\s+|just\s+)?(?P<number>\d+)\s*(?:instead)?\W*$",
    re.IGNORECASE,
)
"""A follow-up buying another number of the same things: "what if I only buy 3?"."""


_SCORED = frozenset({"right", "correct"})
_OUT_OF = re.compile(r"(?<![\d.])(?P<score>\d+(?:\.\d+)?)\s+out\s+of\s+\d+", re.I)


_ANOTHER = re.compile(
    r"\b(?:add|adding|another|also|extra|more|include|including|plus|fifth|sixth|next|new)\b", re.I
)
_AVERAGE = re.compile(
    rf"\(\s*(?P<terms>{WRITTEN_NUMBER}(?:\s*\+\s*{WRITTEN_NUMBER})+)\s*\)\s*/\s*(?P<count>\d+)"
)


def average_with_another(messages: Sequence[BaseMessage]) -> str | None:
    """The previous average with the follow-up's one number among the rest ("and if I add a fifth score of
    98?" after ``(72+85+91+64)/4`` -> ``(72+85+91+64+98)/5``); None otherwise."""
    text = messages[-1].text if messages else ""
    numbers = re.findall(rf"(?<![\d.,]){WRITTEN_NUMBER}", text)
    previous = _previous_calculation(messages) if len(numbers) == 1 and _ANOTHER.search(text) else None
    average = _AVERAGE.fullmatch(previous[1].replace(" ", "")) if previous else None
    if average is None:
        return None
    terms = re.split(r"\s*\+\s*", average["terms"])
    if len(terms) != int(average["count"]):
        return None
    return f"({'+'.join([*terms, numbers[0].replace(',', '')])})/{len(terms) + 1}"


def more_doers_expression(messages: Sequence[BaseMessage]) -> str | None:
    """The previous calculation with its rate times the number of things a follow-up runs at once ("and if I
    run two of them at the same time?" after ``1080/24`` for a printer's 24 pages per minute ->
    ``1080/(24*2)``); None when the follow-up says more than that or the previous question gives no one rate
    over time."""
    text = number_words_to_digits(messages[-1].text) if messages else ""
    found = _AT_ONCE.search(text) and _HOW_MANY_AT_ONCE.search(text)
    previous = _previous_calculation(messages) if found else None
    if not found or previous is None or len(re.findall(r"\d+(?:\.\d+)?", text)) != 1:
        return None
    question, expression = previous
    counted = found["noun"] and singular(found["noun"])
    if counted and counted not in {singular(word) for word in re.findall(r"[a-z]+", question.lower())}:
        return None  # "two ovens" of a question about printers
    rates = [
        amount.written
        for amount in amounts(question) or []
        if any(dim == "time" and exp == -1 for dim, exp, _ in amount.unit.sizes)
    ]
    if len(rates) != 1:
        return None
    return replaced_once(expression, rates[0], f"({rates[0]}*{found['number']})")


_AT_ONCE = re.compile(r"\b(?:at\s+the\s+same\s+time|at\s+once|simultaneously|in\s+parallel|together)\b", re.I)
_HOW_MANY_AT_ONCE = re.compile(r"\b(?P<number>\d+)\s+(?:of\s+(?:them|those|these)|(?P<noun>[a-z]+s))\b", re.I)
