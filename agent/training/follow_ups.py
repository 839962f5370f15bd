"""Follow-ups that only make sense with the previous turn: "What is 12 times 12?" then "And divided by 3?".

The earlier turn is rendered with its call and the calculator's real result; the follow-up's call must
compute on that result (``144/3``). Each shape maps the previous result's text to an expression and the exact
answer; ``HELD_OUT_FOLLOW_UPS`` shapes are kept out of the training split.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from agent.training.wordings import FRACTIONS, say

F = Fraction


@dataclass(frozen=True)
class FollowUp:
    """A follow-up question and how it computes on the previous result."""

    question: str
    expression: str
    answer: Fraction


FollowUpShape = Callable[[random.Random, str], FollowUp]
"""(rng, previous result as the calculator printed it) -> the follow-up."""


def divide(rng: random.Random, previous: str) -> FollowUp:
    n = rng.choice((2, 3, 4, 5, 6, 8, 10, 12))
    q = rng.choice(
        (
            "And divided by {n}?",
            "Now divide that by {n}.",
            "What if I split that {n} ways?",
            "Divide the result by {n}.",
            "and over {n}?",
        )
    ).format(n=say(n, rng))
    return FollowUp(q, f"{previous}/{n}", F(previous) / n)


def multiply(rng: random.Random, previous: str) -> FollowUp:
    n = rng.randint(2, 30)
    q = rng.choice(
        (
            "And times {n}?",
            "Multiply that by {n}.",
            "Now {n} times that.",
            "What about that times {n}?",
            "and multiplied by {n}?",
        )
    ).format(n=say(n, rng))
    return FollowUp(q, f"{previous}*{n}", F(previous) * n)


def add(rng: random.Random, previous: str) -> FollowUp:
    n = rng.randint(2, 500)
    q = rng.choice(
        ("Plus {n}?", "Add {n} to that.", "And if I add {n}?", "Now add {n}.", "what's that plus {n}")
    ).format(n=say(n, rng))
    return FollowUp(q, f"{previous}+{n}", F(previous) + n)


def subtract(rng: random.Random, previous: str) -> FollowUp:
    n = rng.randint(2, 200)
    q = rng.choice(
        (
            "Minus {n}?",
            "Take away {n}.",
            "Subtract {n} from that.",
            "And {n} less?",
            "Now remove {n} from the result.",
        )
    ).format(n=say(n, rng))
    return FollowUp(q, f"{previous}-{n}", F(previous) - n)


def double(rng: random.Random, previous: str) -> FollowUp:
    q = rng.choice(("Double it.", "And twice that?", "What's double that?", "Now double the result."))
    return FollowUp(q, f"{previous}*2", F(previous) * 2)


def fraction_of_it(rng: random.Random, previous: str) -> FollowUp:
    phrase, value, written = rng.choice(FRACTIONS[:2] + FRACTIONS[3:5])
    q = rng.choice(("And {f} of that?", "What is {f} of it?", "Take {f} of the result.")).format(f=phrase)
    return FollowUp(q, f"{previous}*{written}", F(previous) * value)


def percent_of_it(rng: random.Random, previous: str) -> FollowUp:
    p = rng.choice((5, 10, 15, 20, 25, 50))
    q = rng.choice(("What's {p}% of that?", "And {p} percent of it?", "Give me {p}% of the result.")).format(
        p=p
    )
    return FollowUp(q, f"{previous}*{p}/100", F(previous) * p / 100)


def squared(rng: random.Random, previous: str) -> FollowUp:
    q = rng.choice(("Now square it.", "And that squared?", "What's the square of that?"))
    return FollowUp(q, f"{previous}**2", F(previous) ** 2)


def increase_by_percent(rng: random.Random, previous: str) -> FollowUp:
    p = rng.choice((10, 20, 25, 50))
    q = rng.choice(("And if it goes up by {p}%?", "Add {p} percent to that.")).format(p=p)
    return FollowUp(q, f"{previous}*(1+{p}/100)", F(previous) * (1 + F(p, 100)))


def minus_percent(rng: random.Random, previous: str) -> FollowUp:
    p = rng.choice((10, 20, 25, 50))
    q = rng.choice(("Take {p}% off that.", "And with {p} percent knocked off?")).format(p=p)
    return FollowUp(q, f"{previous}*(1-{p}/100)", F(previous) * (1 - F(p, 100)))


def per_person(rng: random.Random, previous: str) -> FollowUp:
    n = rng.randint(2, 9)
    q = rng.choice(("Shared by {n} people, how much each?", "And per head for {n} of us?")).format(
        n=say(n, rng)
    )
    return FollowUp(q, f"{previous}/{n}", F(previous) / n)


# ------------------------------------------------------------------------------ phrased by a small grammar

_LEADS = ("", "", "And ", "Now ", "OK, now ", "Then ", "Great. Now ", "Next, ", "Alright, ", "Cool, ")
_REFERENCES = ("that", "it", "the result", "this", "the answer", "that number", "the total")


@dataclass(frozen=True)
class _Operation:
    """One operation on the previous result: its wordings (``{r}`` is the result, ``{n}`` the operand as
    said), its expression and exact value."""

    wordings: tuple[str, ...]
    expression: str
    answer: Fraction
    operand: int = 0


def _operation(rng: random.Random, previous: str) -> _Operation:
    value = F(previous)
    kind = rng.randrange(9)
    if kind == 0:
        n = rng.randint(2, 900)
        wordings: tuple[str, ...] = (
            "add {n} to {r}",
            "plus {n}",
            "increase {r} by {n}",
            "add another {n}",
            "what is {r} plus {n}",
        )
        return _Operation(wordings, f"{previous}+{n}", value + n, n)
    if kind == 1:
        n = rng.randint(2, 400)
        wordings = (
            "subtract {n} from {r}",
            "minus {n}",
            "take {n} away",
            "reduce {r} by {n}",
            "what is {r} minus {n}",
        )
        return _Operation(wordings, f"{previous}-{n}", value - n, n)
    if kind == 2:
        n = rng.randint(2, 60)
        wordings = (
            "multiply {r} by {n}",
            "times {n}",
            "multiply by {n}",
            "what is {r} times {n}",
            "{n} times {r}",
        )
        return _Operation(wordings, f"{previous}*{n}", value * n, n)
    if kind == 3:
        n = rng.choice((2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 16, 20, 25, 100))
        wordings = (
            "divide {r} by {n}",
            "divided by {n}",
            "cut {r} into {n} equal parts",
            "what is {r} over {n}",
        )
        return _Operation(wordings, f"{previous}/{n}", value / n, n)
    if kind == 4:
        wordings = (
            "square {r}",
            "multiply {r} by itself",
            "what is {r} squared",
            "raise {r} to the power of two",
        )
        return _Operation(wordings, f"{previous}**2", value**2)
    if kind == 5:
        wordings = ("cube {r}", "what is {r} cubed", "raise {r} to the third power")
        return _Operation(wordings, f"{previous}**3", value**3)
    if kind == 6:
        p = rng.randint(1, 95)
        wordings = (
            f"take {p}% of {{r}}",
            f"what is {p} percent of {{r}}",
            f"find {p}% of {{r}}",
            f"{p}% of {{r}}",
        )
        return _Operation(wordings, f"{previous}*{p}/100", value * p / 100)
    if kind == 7:
        k, verb = rng.choice(((2, "double"), (3, "triple"), (4, "quadruple")))
        wordings = (f"{verb} {{r}}", f"{verb} it", f"make {{r}} {k} times bigger")
        return _Operation(wordings, f"{previous}*{k}", value * k)
    phrase, part, written = rng.choice(FRACTIONS)
    wordings = (f"take {phrase} of {{r}}", f"what is {phrase} of {{r}}", f"{phrase} of {{r}}")
    return _Operation(wordings, f"{previous}*{written}", value * part)


def phrased(rng: random.Random, previous: str) -> FollowUp:
    """One operation on the previous result, worded by recombining a lead ("OK, now"), the operation's
    phrase and a reference to the result ("the answer"), as an order or a question."""
    operation = _operation(rng, previous)
    body = rng.choice(operation.wordings).format(r=rng.choice(_REFERENCES), n=say(operation.operand, rng))
    lead = rng.choice(_LEADS)
    sentence = lead + (body if lead else body[0].upper() + body[1:])
    end = "?" if body.startswith("what") or rng.random() < 0.3 else rng.choice((".", "", "!"))
    return FollowUp(sentence + end, operation.expression, operation.answer)


TRAIN_FOLLOW_UPS: dict[str, FollowUpShape] = {
    shape.__name__: shape
    for shape in (
        divide,
        multiply,
        add,
        subtract,
        double,
        fraction_of_it,
        percent_of_it,
        squared,
        increase_by_percent,
        phrased,
    )
}
FOLLOW_UP_WEIGHTS = {"phrased": 6}
"""Shapes drawn more often than the others: the phrased grammar holds many wordings of every operation."""
HELD_OUT_FOLLOW_UPS: dict[str, FollowUpShape] = {
    shape.__name__: shape for shape in (minus_percent, per_person)
}
