"""Deterministic checks of a draft answer: the first part of reflection, for every model.

Pure functions of the question, the turn's tool results and the draft; no model is asked. A draft fails when

- it states a number that is neither in the question nor in a tool result (the calculator's results and
  expressions included): a number the model computed in its head or made up;
- it cites a passage ``[n]`` that no tool returned in this turn;
- it restates the question instead of answering it.

Each problem is one sentence of feedback that says what to fix; the reflection node turns any problem into a
revise verdict before (and instead of) asking the model for its critique.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from fractions import Fraction

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from graphs.turns import text_of

_CITATION = re.compile(r"\[(\d{1,3})\]")
_NUMBER = re.compile(r"(?<![\w.,:/])\d+(?:[.,:/]\d+)*(?![\w])")
_PLAIN = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_PASSAGE_NUMBER = re.compile(r'^\s*(?:\[(\d{1,3})\]|<passage n="(\d{1,3})")', re.M)
_WORD = re.compile(r"\w+")
_QUESTION_WORDS = frozenset(
    [
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "is",
        "are",
        "was",
        "were",
        "do",
        "does",
        "did",
        "can",
        "could",
        "will",
        "would",
    ]
)
SMALL_NUMBERS = 10
"""Whole numbers up to this are never questioned: counts and ordinals people write as words ("two")."""
RESTATEMENT_EXTRA_WORDS = 4
"""A draft holding the question's words in order is a restatement unless it adds more words than this."""


def _value(token: str) -> Fraction | None:
    if not _PLAIN.fullmatch(token):
        return None
    return Fraction(token.replace(",", ""))


def _decimals(token: str) -> int:
    return len(token.split(".", 1)[1]) if "." in token and _PLAIN.fullmatch(token) else 0


def numbers_of(text: str) -> list[str]:
    """The numbers written in ``text`` as tokens ("1,250.50", "4.1.3", "14:00"), citation markers left out."""
    return _NUMBER.findall(_CITATION.sub(" ", text))


def untraced_numbers(draft: str, sources: Iterable[str]) -> list[str]:
    """Numbers of ``draft`` found in none of ``sources`` (the question, tool results, tool arguments).

    A number is traced when the same token appears in a source, or the same value ("1250.5" for
    "1,250.50"), or a source's value rounded to the draft's decimals ("3.33" for 3.3333333).
    """
    tokens: set[str] = set()
    values: set[Fraction] = set()
    for source in sources:
        for token in numbers_of(source):
            tokens.add(token)
            if (value := _value(token)) is not None:
                values.add(value)
    untraced: list[str] = []
    for token in numbers_of(draft):
        value = _value(token)
        if token in tokens or (value is not None and (value in values or value <= SMALL_NUMBERS)):
            continue
        if (
            value is not None
            and _decimals(token)
            and any(round(v, _decimals(token)) == value for v in values)
        ):
            continue
        if token not in untraced:
            untraced.append(token)
    return untraced


def cited_numbers(draft: str) -> list[int]:
    """The passage numbers ``[n]`` the draft cites, in order, without repeats."""
    return list(dict.fromkeys(int(n) for n in _CITATION.findall(draft)))


def returned_passages(results: Iterable[ToolMessage]) -> set[int]:
    """The passage numbers the turn's successful tool results returned: their artifacts' ``n``, or else the
    numbers that start a passage in their text (``[n]`` or ``<passage n="…">``)."""
    numbers: set[int] = set()
    for result in results:
        if result.status == "error":
            continue
        artifact = result.artifact
        if isinstance(artifact, list) and any(isinstance(item, dict) and "n" in item for item in artifact):
            numbers.update(int(item["n"]) for item in artifact if isinstance(item, dict) and "n" in item)
            continue
        for bracket, tag in _PASSAGE_NUMBER.findall(text_of(result)):
            numbers.add(int(bracket or tag))
    return numbers


def restates_question(draft: str, question: str) -> bool:
    """Whether ``draft`` is the question said again: it holds the question's words in order (a leading
    question word aside) and adds at most ``RESTATEMENT_EXTRA_WORDS`` others, or it is itself a question
    made of the question's words."""
    asked = [w for w in _WORD.findall(_CITATION.sub(" ", question).casefold())]
    if asked and asked[0] in _QUESTION_WORDS:
        asked = asked[1:]
    said = _WORD.findall(_CITATION.sub(" ", draft).casefold())
    if len(asked) < 3 or not said:
        return False
    if f" {' '.join(asked)} " in f" {' '.join(said)} ":
        return len(said) - len(asked) <= RESTATEMENT_EXTRA_WORDS or draft.rstrip().endswith("?")
    overlap = sum(word in set(asked) | _QUESTION_WORDS for word in said) / len(said)
    return draft.rstrip().endswith("?") and overlap >= 0.8


def draft_problems(question: str, draft: str, turn: Sequence[BaseMessage]) -> list[str]:
    """What is wrong with ``draft`` as an answer to ``question`` given the turn's messages (empty: nothing
    the checks can see). Each problem is one sentence of feedback saying what to fix."""
    results = [m for m in turn if isinstance(m, ToolMessage)]
    arguments = [
        " ".join(str(value) for value in call["args"].values())
        for m in turn
        if isinstance(m, AIMessage)
        for call in m.tool_calls
    ]
    problems: list[str] = []
    if restates_question(draft, question):
        problems.append(
            "The draft repeats the question instead of answering it: state the fact that answers it "
            "(from the passage that says it, with its [n])."
        )
    # An expression's numbers one by one too: "80/100" in ``15*80/100`` is a date-like token otherwise.
    operands = [" ".join(_PLAIN.findall(argument)) for argument in arguments]
    untraced = untraced_numbers(draft, [question, *(text_of(r) for r in results), *arguments, *operands])
    if untraced:
        problems.append(
            f"The draft states {', '.join(untraced)}, which is in neither the question nor a tool result: "
            "compute numbers with the calculator or quote them from a result, or leave them out."
        )
    returned = returned_passages(results)
    unknown = [n for n in cited_numbers(draft) if n not in returned]
    if unknown:
        cited = ", ".join(f"[{n}]" for n in unknown)
        there = ", ".join(f"[{n}]" for n in sorted(returned)) if returned else "no passage"
        problems.append(
            f"The draft cites {cited}, but this turn returned {there}: cite only returned passages."
        )
    return problems


def question_of(turn: Sequence[BaseMessage]) -> str:
    """The question that opened ``turn`` (its first user message)."""
    return next((text_of(m) for m in turn if isinstance(m, HumanMessage)), "")
