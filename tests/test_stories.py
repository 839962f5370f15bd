"""The story grammar (agent.training.stories): every story's expression is right, and the grammar draws many
more expression shapes than the hand-written templates hold."""

from __future__ import annotations

import random

import pytest

from agent.training.build import verified
from agent.training.problems import HELD_OUT, TRAIN_TEMPLATES, skeleton
from agent.training.stories import STORY_TEMPLATES, STORY_WEIGHTS, Quantity, count_story


@pytest.mark.parametrize("name", sorted(STORY_TEMPLATES))
def test_the_calculator_agrees_with_every_story_of_a_kind(name: str) -> None:
    rng = random.Random(f"test:{name}")
    for _ in range(300):
        problem = STORY_TEMPLATES[name](rng)
        assert verified(problem.expression, problem.answer) is not None, (
            problem.question,
            problem.expression,
        )
        assert not problem.question[0].islower() and problem.question.endswith("?"), problem.question


def test_count_stories_hold_far_more_shapes_than_the_templates() -> None:
    rng = random.Random(7)
    shapes = {skeleton(count_story(rng).expression) for _ in range(2000)}
    assert len(shapes) >= 3 * len(TRAIN_TEMPLATES)


def test_story_kinds_are_weighted_and_apart_from_the_held_out_templates() -> None:
    assert set(STORY_WEIGHTS) == set(STORY_TEMPLATES)
    assert not set(STORY_TEMPLATES) & (set(HELD_OUT) | set(TRAIN_TEMPLATES))


def test_quantities_bracket_only_where_precedence_needs_it() -> None:
    total = Quantity.of("12").plus(Quantity.of("30"))
    assert total.times(Quantity.of("3")).expression == "(12+30)*3"
    assert Quantity.of("5").times(Quantity.of("4")).minus(total).expression == "5*4-(12+30)"
    assert Quantity.of("90").over(total).expression == "90/(12+30)"
    assert Quantity.of("90").minus(Quantity.of("2").times(Quantity.of("7"))).expression == "90-2*7"
