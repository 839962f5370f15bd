"""The text format of one training example: a plain transcript the base model continues.

::

    User: What is 12 times 12?
    Call: calculator(12*12)
    Result: 144
    User: And divided by 3?
    Call: calculator(144/3)

The ``prompt`` is everything up to and including the last ``Call:``; the ``target`` is the rest of that line
(`` calculator(144/3)`` and the newline), and the loss is computed on the target's tokens only. A call is
``calculator(<expression>)``, ``search_documents(<query>)``, ``web_search(<query>)`` or ``answer`` (reply
without a tool). Earlier turns of the conversation, and a tool's result within this turn, come before it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from graphs.planning.call_format import (
    ANSWER,
    CALL_PREFIX,
    RESULT_PREFIX,
    TOOLS,
    USER_PREFIX,
    parse_call,
    render_call,
    render_line,
)

__all__ = ["ANSWER", "CALL_PREFIX", "TOOLS", "Example", "Step", "parse_call", "render_call"]


@dataclass(frozen=True)
class Step:
    """One line of a transcript before the target: a question, a call, or a tool's result."""

    kind: str  # "user" | "call" | "result"
    text: str

    def render(self) -> str:
        """The line as the planner renders it (``graphs.planning.call_format.render_line``)."""
        prefix = {"user": USER_PREFIX, "call": CALL_PREFIX, "result": RESULT_PREFIX}[self.kind]
        return render_line(prefix, self.text)


@dataclass(frozen=True)
class Example:
    """One training or evaluation example: the transcript so far and the call that should follow."""

    kind: str
    """What it teaches: ``calculator``, ``search_documents``, ``web_search``, ``answer``, ``follow_up``,
    ``lookup_compute``."""
    template: str
    """The shape it was drawn from; the held-out split's shapes never occur in the training split."""
    steps: tuple[Step, ...]
    tool: str
    argument: str = ""
    answer: str = ""
    """For calculator calls: the exact answer (a fraction ``p/q`` or an integer), checked by the calculator."""
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def prompt(self) -> str:
        return "".join(step.render() for step in self.steps) + CALL_PREFIX

    @property
    def target(self) -> str:
        return f" {render_call(self.tool, self.argument)}\n"

    def to_record(self) -> dict[str, Any]:
        record = asdict(self)
        record["steps"] = [[step.kind, step.text] for step in self.steps]
        record["prompt"] = self.prompt
        record["target"] = self.target
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Example:
        return cls(
            kind=record["kind"],
            template=record["template"],
            steps=tuple(Step(kind, text) for kind, text in record["steps"]),
            tool=record["tool"],
            argument=record["argument"],
            answer=record["answer"],
            meta=record.get("meta", {}),
        )
