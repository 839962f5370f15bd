"""Follow-ups that ask a share between results the conversation named: "what percent of the revenue is the
profit?" after "What was the revenue?" (23000) and "What's the profit?" (13250) -> ``13250/23000*100``.

Each earlier calculation is named by what its question asked ("What was *the revenue*?"), and each sum a
follow-up states by what it is ("My yearly income is $54,000"). The follow-up's "what percent of A is B" takes
A and B by those names; a side it names by "it" or "that" is the sum it states, where it states one, else the
previous result, and a side it leaves out is the previous result ("My yearly income is $54,000. What percent
of it would go to rent then?" after the year's rent: ``16848/54000*100``). A name found for no result, or for
two, leaves the follow-up to the planner.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from langchain_core.messages import BaseMessage

from graphs.planning.rules import WRITTEN_NUMBER, singular
from graphs.planning.substitution import calculations

_SHARE = re.compile(
    r"\bwhat\s+(?:percent(?:age)?|per\s*cent|%|share|fraction)\s+of\s+(?P<whole>[\w\s'$€£,.]+?)\s+"
    r"(?:is|was|are|were|would|will|goes|went|does|did)\b(?P<part>[^?.!]*)",
    re.IGNORECASE,
)
_ASKED_NAME = re.compile(
    r"\b(?:what|how\s+much)\s*(?:'s|\s+is|\s+was|\s+are|\s+were|\s+will\s+be|\s+would\s+be)\s+"
    r"(?:the|our|my|your|their|his|her)\s+(?:total\s+)?(?P<name>[a-z]+)\b",
    re.IGNORECASE,
)
"""What a question asks, by name: "What was the revenue?", "What's the profit?"."""
_STATED = re.compile(
    rf"\b(?:my|our|the|his|her|their)\s+(?:[a-z]+\s+)?(?P<name>[a-z]+)\s+(?:is|are|was|were|came\s+to)\s+"
    rf"(?:about\s+|around\s+)?[$€£]?(?P<number>{WRITTEN_NUMBER})\b",
    re.IGNORECASE,
)
"""A sum a follow-up states by name: "My yearly income is $54,000", "Expenses were $9,750"."""
_REFERENCE = re.compile(r"^\s*(?:it|that|this|the\s+(?:result|total|answer))\s*$", re.IGNORECASE)


def share_of_named(messages: Sequence[BaseMessage]) -> str | None:
    """``part/whole*100`` of the results and sums the follow-up names (see the module docstring), or None."""
    text = messages[-1].text if messages else ""
    asked = _SHARE.search(text)
    chain = calculations(messages)
    if asked is None or not chain:
        return None
    named: dict[str, set[str]] = {}
    for question, _, result in chain:
        for found in _ASKED_NAME.finditer(question):
            named.setdefault(singular(found["name"].lower()), set()).add(result)
    stated = [
        (singular(found["name"].lower()), found["number"].replace(",", ""))
        for found in _STATED.finditer(text)
    ]
    for name, number in stated:
        named.setdefault(name, set()).add(number)
    latest = chain[-1][2]
    whole = _side(asked["whole"], named, stated, latest)
    part = _side(asked["part"], named, [], None) or (latest if whole != latest else None)
    if whole is None or part is None or whole == part:
        return None
    return f"{part}/{whole}*100"


def _side(
    words: str, named: dict[str, set[str]], stated: list[tuple[str, str]], latest: str | None
) -> str | None:
    """The number a side of the share names: by a name of one result or sum, by "it" the one sum stated (else
    the latest result), or None."""
    if _REFERENCE.match(words):
        return stated[0][1] if len(stated) == 1 else latest
    found = {
        number for word in re.findall(r"[a-z]+", words.lower()) for number in named.get(singular(word), set())
    }
    return found.pop() if len(found) == 1 else None
