"""Follow-ups that are plain arithmetic on the previous result: "Add 9 to that.", "What's the square root of
that?", "Double it.", "and 180 divided by 3?".

The reference ("that", "it", "the result", ...) is replaced by the previous turn's calculator result and the
sentence read by the exact arithmetic reader (:func:`graphs.planning.rules.words_to_expression`). The call is
made only when the sentence is then nothing but arithmetic (``pure``); anything else ("What is that in
euros?", "Is that right?") is left to the planner. The adapter wrote ``180**2`` for "the square root of that":
this layer needs no model and reads what the words say.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from langchain_core.messages import BaseMessage

from graphs.planning.rules import previous_calculator_result, words_to_expression

_REFERENCE = re.compile(
    r"\b(?:that|it|this|the\s+(?:result|answer|total|number|sum|amount))\b(?:\s+(?:number|result|amount))?",
    re.IGNORECASE,
)
_LEAD = re.compile(r"^(?:(?:and|so|ok(?:ay)?|now|then|next|also)\b[\s,]*)+", re.IGNORECASE)


def referenced_expression(messages: Sequence[BaseMessage]) -> str | None:
    """The arithmetic the follow-up asks of the previous result (``sqrt(180)`` for "What's the square root of
    that?" after 180), or None when it is not plain arithmetic on one reference to it."""
    previous = previous_calculator_result(messages)
    if previous is None or previous.startswith("-"):
        return None
    question = _LEAD.sub("", messages[-1].text.strip())
    if len(_REFERENCE.findall(question)) != 1:
        return None
    arithmetic = words_to_expression(_REFERENCE.sub(previous, question))
    if arithmetic is None or not arithmetic.pure or previous not in arithmetic.expression:
        return None
    return arithmetic.expression
