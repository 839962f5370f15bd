"""Build the training data: draw examples from the templates, keep only calls the real tools confirm, and
write the splits as JSONL.

Toolformer-style filtering: every calculator call in an example (the target, and any call rendered earlier in
the transcript) is executed with the project's calculator (``tools.calculator.calculate``) and the example is
kept only when the result equals the answer computed independently with fractions. Document and web queries
are kept by shape (the documents are made up, and the web is not called while building data).

Splits (``write_splits``):

- ``train.jsonl``: drawn from the training templates and wordings only;
- ``heldout.jsonl``: drawn from templates, wordings and follow-up shapes that training never sees;
- ``seen_test.jsonl``: new draws from the *training* templates, none of them identical to a training prompt
  (how well the model learnt the shapes it saw);
- ``stats.json``: counts per split and kind, and how many candidates the filter dropped.

The same seed writes the same bytes: every generator is a ``random.Random`` seeded from ``(seed, split,
kind)``, and records are written with sorted keys.
"""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from agent.training.examples import ANSWER, Example, Step, render_call
from agent.training.follow_ups import FOLLOW_UP_WEIGHTS, HELD_OUT_FOLLOW_UPS, TRAIN_FOLLOW_UPS, FollowUpShape
from agent.training.problems import HELD_OUT, TRAIN_TEMPLATES, WEIGHTS, Template, skeleton
from agent.training.routing import (
    DOC_WORDINGS,
    HELD_OUT_CHAINS,
    HELD_OUT_DOC_WORDINGS,
    HELD_OUT_SMALL_TALK,
    HELD_OUT_WEB_WORDINGS,
    SMALL_TALK,
    TRAIN_CHAINS,
    WEB_WORDINGS,
    ChainTemplate,
    document_fact,
    document_question,
    small_talk,
    web_question,
)
from agent.training.stories import STORY_TEMPLATES, STORY_WEIGHTS
from tools.calculator import CalculatorError, calculate, limits

FIRST_TURN_TEMPLATES = ("arithmetic", "percent_of", "split_bill", "two_item_total", "wage", "used_up")
"""Training templates whose results start a follow-up conversation."""

MAX_RESULT_CHARS = 12
"""A follow-up starts only from a short result, one a person would type again."""


def result_matches(text: str, answer: Fraction) -> bool:
    """Whether the calculator's output ``text`` is ``answer``: exactly, or to its 15 shown digits."""
    try:
        value = Fraction(text)
    except (ValueError, ZeroDivisionError):
        return False
    if value == answer:
        return True
    return answer != 0 and abs((value - answer) / answer) < Fraction(1, 10**13)


@contextmanager
def without_time_limits() -> Iterator[None]:
    """The calculator with its time limits lifted (its bounds on sizes stay): which calls the filter keeps
    must not depend on how busy the machine is, or one seed would give other data under load."""
    saved = limits.TIME_LIMIT_S, limits.WALL_LIMIT_S
    limits.TIME_LIMIT_S = limits.WALL_LIMIT_S = math.inf
    try:
        yield
    finally:
        limits.TIME_LIMIT_S, limits.WALL_LIMIT_S = saved


def verified(expression: str, answer: Fraction) -> str | None:
    """The calculator's result for ``expression`` when it equals ``answer``, else None (the filter)."""
    try:
        with without_time_limits():
            text = calculate(expression)
    except CalculatorError:
        return None
    return text if result_matches(text, answer) else None


@dataclass(frozen=True)
class Sizes:
    """How many examples of each kind one split draws."""

    calculator: int
    follow_up: int
    lookup: int
    search_documents: int
    web_search: int
    answer: int
    answer_after_result: int
    answer_after_lookup: int


TRAIN_SIZES = Sizes(4500, 800, 700, 350, 300, 350, 150, 300)
HELD_OUT_SIZES = Sizes(240, 60, 60, 30, 30, 30, 0, 30)
SEEN_TEST_CALCULATOR = 150


@dataclass(frozen=True)
class Sources:
    """The templates and wordings one split draws from."""

    problems: dict[str, Template]
    follow_ups: dict[str, FollowUpShape]
    chains: dict[str, ChainTemplate]
    doc_wordings: tuple[str, ...]
    web_wordings: tuple[tuple[str, str], ...]
    small_talk: tuple[str, ...]


TRAIN_SOURCES = Sources(
    {**TRAIN_TEMPLATES, **STORY_TEMPLATES},
    TRAIN_FOLLOW_UPS,
    TRAIN_CHAINS,
    DOC_WORDINGS,
    WEB_WORDINGS,
    SMALL_TALK,
)
HELD_OUT_SOURCES = Sources(
    HELD_OUT,
    HELD_OUT_FOLLOW_UPS,
    HELD_OUT_CHAINS,
    HELD_OUT_DOC_WORDINGS,
    HELD_OUT_WEB_WORDINGS,
    HELD_OUT_SMALL_TALK,
)


@dataclass
class Filtered:
    """What the filter kept and dropped, per kind."""

    kept: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)


def _rng(seed: int, split: str, kind: str) -> random.Random:
    return random.Random(f"{seed}:{split}:{kind}")  # noqa: S311 - reproducible data, not secrets


def _draw(
    rng: random.Random,
    count: int,
    make: Callable[[random.Random], Example | None],
    log: Filtered,
    kind: str,
    attempts: int = 4,
) -> Iterator[Example]:
    """Up to ``count`` examples from ``make``, a dropped candidate counted and replaced by a new draw."""
    made = 0
    for _ in range(count * attempts):
        if made == count:
            return
        example = make(rng)
        if example is None:
            log.dropped[kind] += 1
            continue
        log.kept[kind] += 1
        made += 1
        yield example


def calculator_examples(sources: Sources, rng: random.Random, count: int, log: Filtered) -> Iterator[Example]:
    weights = WEIGHTS | STORY_WEIGHTS
    names = [name for name in sorted(sources.problems) for _ in range(weights.get(name, 1))]

    def make(rng: random.Random) -> Example | None:
        name = rng.choice(names)
        problem = sources.problems[name](rng)
        result = verified(problem.expression, problem.answer)
        if result is None:
            return None
        return Example(
            "calculator",
            name,
            (Step("user", problem.question),),
            "calculator",
            problem.expression,
            str(problem.answer),
            {"result": result},
        )

    yield from _draw(rng, count, make, log, "calculator")


def answer_after_result(sources: Sources, rng: random.Random, count: int, log: Filtered) -> Iterator[Example]:
    names = sorted(sources.problems)

    def make(rng: random.Random) -> Example | None:
        name = rng.choice(names)
        problem = sources.problems[name](rng)
        result = verified(problem.expression, problem.answer)
        if result is None:
            return None
        steps = (
            Step("user", problem.question),
            Step("call", render_call("calculator", problem.expression)),
            Step("result", result),
        )
        return Example("answer_after_result", name, steps, ANSWER)

    yield from _draw(rng, count, make, log, "answer_after_result")


def follow_up_examples(sources: Sources, rng: random.Random, count: int, log: Filtered) -> Iterator[Example]:
    shapes = [name for name in sorted(sources.follow_ups) for _ in range(FOLLOW_UP_WEIGHTS.get(name, 1))]

    def make(rng: random.Random) -> Example | None:
        first = TRAIN_TEMPLATES[rng.choice(FIRST_TURN_TEMPLATES)](rng)
        previous = verified(first.expression, first.answer)
        if previous is None or len(previous) > MAX_RESULT_CHARS or Fraction(previous) != first.answer:
            return None
        name = rng.choice(shapes)
        follow = sources.follow_ups[name](rng, previous)
        result = verified(follow.expression, follow.answer)
        if result is None:
            return None
        steps = (
            Step("user", first.question),
            Step("call", render_call("calculator", first.expression)),
            Step("result", previous),
            Step("user", follow.question),
        )
        return Example(
            "follow_up", name, steps, "calculator", follow.expression, str(follow.answer), {"result": result}
        )

    yield from _draw(rng, count, make, log, "follow_up")


def lookup_examples(sources: Sources, rng: random.Random, count: int, log: Filtered) -> Iterator[Example]:
    """Two examples per chain: the look-up, then (given its result) the computation."""
    names = sorted(sources.chains)

    def make(rng: random.Random) -> Example | None:
        name = rng.choice(names)
        chain = sources.chains[name](rng)
        result = verified(chain.expression, chain.answer)
        if result is None:
            return None
        return Example(
            "lookup_compute",
            name,
            (
                Step("user", chain.question),
                Step("call", render_call("search_documents", chain.query)),
                Step("result", chain.result),
            ),
            "calculator",
            chain.expression,
            str(chain.answer),
            {"result": result, "query": chain.query},
        )

    for example in _draw(rng, count, make, log, "lookup_compute"):
        yield Example(
            "lookup_search", example.template, example.steps[:1], "search_documents", example.meta["query"]
        )
        yield example


def routing_examples(sources: Sources, rng: random.Random, sizes: Sizes, log: Filtered) -> Iterator[Example]:
    for _ in range(sizes.search_documents):
        question, query = document_question(rng, sources.doc_wordings)
        log.kept["search_documents"] += 1
        yield Example("search_documents", "documents", (Step("user", question),), "search_documents", query)
    for _ in range(sizes.web_search):
        question, query = web_question(rng, sources.web_wordings)
        log.kept["web_search"] += 1
        yield Example("web_search", "web", (Step("user", question),), "web_search", query)
    for _ in range(sizes.answer):
        log.kept["answer"] += 1
        yield Example("answer", "small_talk", (Step("user", small_talk(rng, sources.small_talk)),), ANSWER)
    for _ in range(sizes.answer_after_lookup):  # the passage answers as it stands: no computation follows
        question, query, result = document_fact(rng, sources.doc_wordings)
        log.kept["answer_after_lookup"] += 1
        steps = (
            Step("user", question),
            Step("call", render_call("search_documents", query)),
            Step("result", result),
        )
        yield Example("answer_after_lookup", "documents", steps, ANSWER)


def build_split(seed: int, split: str, sources: Sources, sizes: Sizes, log: Filtered) -> list[Example]:
    """One split's examples, shuffled, without duplicate prompts."""
    examples = [
        *calculator_examples(sources, _rng(seed, split, "calculator"), sizes.calculator, log),
        *follow_up_examples(sources, _rng(seed, split, "follow_up"), sizes.follow_up, log),
        *lookup_examples(sources, _rng(seed, split, "lookup"), sizes.lookup, log),
        *routing_examples(sources, _rng(seed, split, "routing"), sizes, log),
        *answer_after_result(
            sources, _rng(seed, split, "answer_after_result"), sizes.answer_after_result, log
        ),
    ]
    unique = list({example.prompt: example for example in examples}.values())
    _rng(seed, split, "shuffle").shuffle(unique)
    return unique


def seen_test_split(seed: int, train: list[Example], log: Filtered) -> list[Example]:
    """New calculator problems from the training templates, none with a training prompt."""
    trained = {example.prompt for example in train}
    drawn = calculator_examples(
        TRAIN_SOURCES, _rng(seed, "seen_test", "calculator"), SEEN_TEST_CALCULATOR * 2, log
    )
    fresh = [example for example in drawn if example.prompt not in trained]
    return fresh[:SEEN_TEST_CALCULATOR]


def _skeletons_seen(train: list[Example], heldout: list[Example]) -> dict[str, list[str]]:
    """For each held-out calculator template, its expression shapes that also occur in training (whose
    *wording* is new but whose arithmetic shape is not)."""
    trained = {skeleton(e.argument) for e in train if e.tool == "calculator"}
    seen: dict[str, set[str]] = {}
    for example in heldout:
        if example.tool == "calculator":
            shapes = seen.setdefault(example.template, set())
            if skeleton(example.argument) in trained:
                shapes.add(skeleton(example.argument))
    return {template: sorted(shapes) for template, shapes in sorted(seen.items())}


def write_jsonl(path: Path, examples: list[Example]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for example in examples:
            out.write(json.dumps(example.to_record(), sort_keys=True, ensure_ascii=False) + "\n")


def read_jsonl(path: Path) -> list[Example]:
    with path.open(encoding="utf-8") as lines:
        return [Example.from_record(json.loads(line)) for line in lines if line.strip()]


def write_splits(seed: int, out: Path) -> dict[str, object]:
    """Build every split for ``seed`` into directory ``out``; the statistics written to ``stats.json``."""
    out.mkdir(parents=True, exist_ok=True)
    logs = {name: Filtered() for name in ("train", "heldout", "seen_test")}
    train = build_split(seed, "train", TRAIN_SOURCES, TRAIN_SIZES, logs["train"])
    heldout = build_split(seed, "heldout", HELD_OUT_SOURCES, HELD_OUT_SIZES, logs["heldout"])
    seen = seen_test_split(seed, train, logs["seen_test"])
    splits = {"train": train, "heldout": heldout, "seen_test": seen}
    for name, examples in splits.items():
        write_jsonl(out / f"{name}.jsonl", examples)
    stats: dict[str, object] = {
        "seed": seed,
        "examples": {name: len(examples) for name, examples in splits.items()},
        "kinds": {
            name: dict(sorted(Counter(e.kind for e in examples).items())) for name, examples in splits.items()
        },
        "templates": {name: sorted({e.template for e in examples}) for name, examples in splits.items()},
        "heldout_skeletons_seen_in_train": _skeletons_seen(train, heldout),
        "filter_dropped": {name: dict(sorted(log.dropped.items())) for name, log in logs.items()},
    }
    (out / "stats.json").write_text(json.dumps(stats, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return stats
