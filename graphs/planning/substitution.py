"""Follow-ups that ask the previous computation again with one number changed: "What is 15% of 240?", then
"What about 20%?" -> the previous expression with 20 in place of 15.

The follow-ups the adapter was trained on compute on the previous *result* ("And half of that?"); asked
"What about 20%?", it computed on the result too (``36*20/100``). Which number the new one replaces is read
from what follows each number in the previous question: the same mark ("%", "percent") or the same word
("5 hours" after "3 hours", "5 friends" after "4 friends"). The substitution is exact, so this layer needs no
model; when the mark matches no number of the previous question, or more than one, or the number is not
written once in the previous expression, it leaves the follow-up to the planner.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from langchain_core.messages import AIMessage, BaseMessage

from graphs.planning.rules import previous_turn

_NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?"
_FOLLOW_UP = re.compile(
    rf"(?:and|so|ok(?:ay)?|then)?,?\s*(?:what|how)\s+about\s+(?:with\s+|for\s+)?(?P<currency>\$)?"
    rf"(?P<number>{_NUMBER})\s*(?P<mark>%|percent\b|[a-z]+)?(?:\s+instead)?\s*[?.!]*",
    re.IGNORECASE,
)
_MARKED_NUMBER = re.compile(
    rf"(?P<currency>\$)?(?P<number>{_NUMBER})\s*(?P<mark>%|percent\b|[a-z]+)?", re.IGNORECASE
)


def _mark(currency: str | None, mark: str | None) -> str:
    """What identifies a number's role: "%" for a percentage, "$" for money, else the word after it,
    singular ("hours" and "hour" are one mark)."""
    if currency:
        return "$"
    if not mark:
        return ""
    word = mark.lower()
    if word in {"%", "percent"}:
        return "%"
    return word[:-1] if word.endswith("s") and len(word) > 3 else word


def _previous_calculation(messages: Sequence[BaseMessage]) -> tuple[str, str] | None:
    """The previous turn's question and its one calculator expression, when the last message is a new
    question after it."""
    previous = previous_turn(messages)
    if previous is None:
        return None
    question, turn = previous
    calls = [call for message in turn if isinstance(message, AIMessage) for call in message.tool_calls]
    if len(calls) != 1 or calls[0]["name"] != "calculator":
        return None
    expression = next(iter(calls[0]["args"].values()), None)
    return (question, expression) if isinstance(expression, str) else None


def substituted_expression(messages: Sequence[BaseMessage]) -> str | None:
    """The previous calculator expression with the follow-up's number in place of the one it replaces
    ("What about 20%?" after "What is 15% of 240?", ``240*15/100`` -> ``240*20/100``); None otherwise."""
    match = _FOLLOW_UP.fullmatch(messages[-1].text.strip()) if messages else None
    previous = _previous_calculation(messages) if match else None
    if match is None or previous is None:
        return None
    question, expression = previous
    wanted = _mark(match["currency"], match["mark"])
    replaced = {
        found["number"].replace(",", "")
        for found in _MARKED_NUMBER.finditer(question)
        if _mark(found["currency"], found["mark"]) == wanted
    }
    if len(replaced) != 1:
        return None  # no number, or several, have the follow-up's mark: which one it replaces is a guess
    (old,) = replaced
    pattern = rf"(?<![\d.]){re.escape(old)}(?![\d.])"
    if len(re.findall(pattern, expression)) != 1:
        return None
    return re.sub(pattern, match["number"].replace(",", ""), expression)
