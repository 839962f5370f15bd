"""Follow-ups that ask the previous question again with one part of it changed, restated as a whole question.

"I run 5.5 km every day. How far do I run in a week?", then "and in a 30-day month?": the follow-up is the
previous question with another scope, "How far do I run in a 30-day month?"; "A phone costs $600 and I pay it
off in 12 equal monthly payments. How much per month?", then "what if I pay it off over 15 months instead?":
the previous question with 15 months in place of its 12. Written out again, the question is read by the same
exact readings as a first question (:func:`restated_question` gives the text; the planner reads it), so a
follow-up is solved as its question would be, not as arithmetic on a result that is in another unit (the
adapter wrote ``38.5*30`` for the month, a week's distance times 30 days).

The previous question is restated only when its turn made one calculation, and not on an earlier result (a
follow-up of a follow-up is not a whole question), and only when the change is one of two plain forms: a scope phrase
("in a 30-day month", "for 10 servings", "per 5-day week") in place of the asked sentence's last one, or one
amount in place of the one amount of the previous question with its unit. A follow-up that asks a question
of its own about what the previous one stated, without referring to its result, is read with those statements
(:func:`asked_anew`): "and after 3 years how much is in the account in total?" of a sum at 4% a year.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from fractions import Fraction

from langchain_core.messages import AIMessage, BaseMessage

from graphs.planning.quantities import amounts, asked_sentence
from graphs.planning.rules import (
    expression_values,
    format_value,
    number_words_to_digits,
    numbers_in,
    previous_calculator_result,
    previous_turn,
)

_LEAD = r"^\W*(?:(?:and|so|ok(?:ay)?|then|now|but|well|hmm)\b[\s,]*)*(?:(?:what|how)\s+about\s+)?"
_SCOPE_WORDS = r"(?:in|for|over|per|during|within|each|every)"
_SCOPE = re.compile(
    rf"{_LEAD}(?P<scope>{_SCOPE_WORDS}\s+(?:[\w.,-]+\s+){{0,3}}[\w-]+)(?:\s+instead)?\W*$", re.IGNORECASE
)
"""A follow-up that is a scope phrase alone: "and in a 30-day month?", "ok what about for 10 servings"."""
_ASKED_SCOPE = re.compile(rf"\b{_SCOPE_WORDS}\s+(?:[\w.,-]+\s+){{0,3}}[\w-]+(?=\W*$)", re.IGNORECASE)
"""The scope phrase that ends an asked sentence: "How far do I run *in a week*?"."""
_CHANGE_ASKED = re.compile(
    r"\binstead\b|^\W*(?:(?:and|so|ok(?:ay)?|but)\b[\s,]*)*(?:what|how)\s+(?:if|about)\b", re.IGNORECASE
)
"""A follow-up that changes a given of the previous question: "what if ... 15 months instead?"."""
_OTHER_CHANGE = re.compile(
    r"\b(?:more|less|fewer|extra|another|add|adding|also|too|plus|minus|discount|tax|tip|fee|percent|times"
    r"|twice|half|double|triple|each|per)\b|%|\d\S*\s+off\b",
    re.IGNORECASE,
)
"""Words that ask for more than a number put in place of another ("2 more", "10% off", "per person")."""
MAX_SCOPE_WORDS = 5


def restated_question(messages: Sequence[BaseMessage]) -> str | None:
    """The previous question with the follow-up's change made in it, or None (see the module docstring)."""
    previous = _whole_previous_question(messages)
    if previous is None:
        return None
    follow_up = messages[-1].text.strip()
    return _with_scope(previous, follow_up) or _with_amount(previous, follow_up)


def asked_anew(messages: Sequence[BaseMessage]) -> str | None:
    """What the previous question stated, with the follow-up asking in place of its own asking sentence ("I put
    $5,000 in an account paying 4% simple interest per year." and "and after 3 years how much is in the
    account in total?"), or None: where the follow-up asks nothing of its own, refers to the result ("that",
    "it"), or the previous question stated nothing before asking."""
    previous = _whole_previous_question(messages)
    follow_up = messages[-1].text.strip() if messages else ""
    if previous is None:
        return None
    asked = asked_sentence(previous)
    if (times := _TIMES_THAT_MANY.search(follow_up)) and (counted := _COUNTED_ASKED.search(asked)):
        # "to print 3 times that many?" after 450 pages: "to print 1350 pages"
        result = previous_calculator_result(messages)
        factor = _TIMES_WORDS.get(times["times"].lower(), times["times"])
        if result is None or not re.fullmatch(r"\d+(?:\.\d+)?", factor):
            return None
        many = format_value(Fraction(result) * Fraction(factor))
        follow_up = f"{follow_up[: times.start()]}{many} {counted['noun']}{follow_up[times.end() :]}"
    if not _ASKS.search(follow_up) or _REFERS.search(follow_up):
        return None
    stated = previous[: previous.rindex(asked)].strip() if asked else ""
    if not stated or not numbers_in(number_words_to_digits(stated)):
        return None
    return f"{stated} {follow_up}"


_TIMES_THAT_MANY = re.compile(
    r"\b(?P<times>\d+(?:\.\d+)?|twice|double|triple|half)\s+(?:times\s+)?(?:that|as)\s+(?:many|much)\b",
    re.IGNORECASE,
)
_TIMES_WORDS = {"twice": "2", "double": "2", "triple": "3", "half": "0.5"}
_COUNTED_ASKED = re.compile(r"\bhow\s+many\s+(?P<noun>[a-z]+)\b", re.IGNORECASE)
_ASKS = re.compile(r"\b(?:how|what|which)\b", re.IGNORECASE)
_REFERS = re.compile(  # "would it take" names nothing before
    r"\b(?:that|it(?!\s+(?:take|takes|took|cost|costs|be)\b)|this|these|those|them|they|the\s+(?:result|answer|same))\b"
    r"|\binstead\b",
    re.IGNORECASE,
)


def _whole_previous_question(messages: Sequence[BaseMessage]) -> str | None:
    """The previous question, where its turn made one calculation and not on an earlier result (a whole
    question, not a follow-up itself)."""
    previous = previous_turn(messages)
    if previous is None:
        return None
    question, turn = previous
    calls = [call for message in turn if isinstance(message, AIMessage) for call in message.tool_calls]
    if len(calls) != 1 or calls[0]["name"] != "calculator":
        return None
    expression = next(iter(calls[0]["args"].values()), None)
    if not isinstance(expression, str):
        return None
    earlier = previous_calculator_result(messages[: len(messages) - len(turn)])
    if earlier is not None and Fraction(earlier) in expression_values(expression):
        return None  # it computed on a result before it: a follow-up itself
    return question


def _with_scope(question: str, follow_up: str) -> str | None:
    """``question`` with the follow-up's scope phrase in place of its asked sentence's last one ("in a week"
    -> "in a 30-day month"), or None when the follow-up is not a scope phrase or the question ends in none."""
    scope = _SCOPE.match(follow_up)
    asked = asked_sentence(question)
    if scope is None or not asked or len(scope["scope"].split()) > MAX_SCOPE_WORDS:
        return None
    if not numbers_in(number_words_to_digits(scope["scope"])) and not re.match(
        r"(?:per|each|every)\b", scope["scope"], re.IGNORECASE
    ):
        return None  # "and in euros?" is a conversion of the result, not another scope
    endings = list(_ASKED_SCOPE.finditer(asked))
    if not endings:
        return None
    ending = endings[-1]
    start = question.rindex(asked) + ending.start()
    end = question.rindex(asked) + ending.end()
    return f"{question[:start]}{scope['scope']}{question[end:]}"


def _with_amount(question: str, follow_up: str) -> str | None:
    """``question`` with the follow-up's one amount in place of the one amount of the question with its unit
    ("over 15 months" for "in 12 equal monthly payments"), or None."""
    if not _CHANGE_ASKED.search(follow_up) or _OTHER_CHANGE.search(follow_up):
        return None
    new = amounts(follow_up) or []
    if len(new) != 1 or len(numbers_in(number_words_to_digits(follow_up))) != 1:
        return None
    (amount,) = new
    if not amount.unit.sizes or amount.change:
        return None
    same = [
        old for old in amounts(question) or [] if old.unit.powers == amount.unit.powers and not old.change
    ]
    if len(same) != 1 or same[0].written == amount.written:
        return None
    written = rf"(?<![\d.,]){re.escape(same[0].written)}(?![\d.,]*\d)"
    if len(re.findall(written, question)) != 1:
        return None
    return re.sub(written, amount.written, question)
