"""Word problems relating two quantities (agent.training.measures) and unit conversions over two turns
(agent.training.follow_ups.conversion_turns): every expression is right, and the wording, not the order of the
numbers in the question, decides which way an operation goes."""

from __future__ import annotations

import random
import re
from fractions import Fraction

import pytest

from agent.training.build import TRAIN_SOURCES, verified
from agent.training.follow_ups import conversion_turns
from agent.training.measures import MEASURE_TEMPLATES, MEASURE_WEIGHTS, compare_story, pack_story
from agent.training.problems import HELD_OUT, TRAIN_TEMPLATES
from agent.training.stories import STORY_TEMPLATES


@pytest.mark.parametrize("name", sorted(MEASURE_TEMPLATES))
def test_the_calculator_agrees_with_every_problem_of_a_kind(name: str) -> None:
    rng = random.Random(f"test:{name}")
    for _ in range(300):
        problem = MEASURE_TEMPLATES[name](rng)
        assert verified(problem.expression, problem.answer) is not None, (
            problem.question,
            problem.expression,
        )
        assert not problem.question[0].islower() and problem.question.endswith("?"), problem.question


def test_measure_kinds_are_weighted_trained_on_and_apart_from_other_templates() -> None:
    assert set(MEASURE_WEIGHTS) == set(MEASURE_TEMPLATES)
    assert not set(MEASURE_TEMPLATES) & (set(HELD_OUT) | set(TRAIN_TEMPLATES) | set(STORY_TEMPLATES))
    assert set(MEASURE_TEMPLATES) <= set(TRAIN_SOURCES.problems)


def test_how_many_more_subtracts_the_smaller_count_whichever_is_named_first() -> None:
    rng = random.Random(3)
    seen = 0
    for _ in range(400):
        problem = compare_story(rng)
        if "more" in problem.question.split(".")[-1] or "fewer" in problem.question:
            left, right = (int(n) for n in problem.expression.split("-"))
            assert left > right and problem.answer == left - right
            seen += 1
    assert seen > 50


def test_containers_needed_for_a_total_divide_the_total_by_the_size() -> None:
    rng = random.Random(5)
    for _ in range(200):
        problem = pack_story(rng)
        if re.search(r"needed|filled|fill\?|used\?", problem.question):
            total, size = problem.expression.split("/")
            assert int(total) > int(size) and problem.answer == Fraction(int(total), int(size))


def test_a_unit_conversion_follow_up_converts_the_previous_result_on() -> None:
    rng = random.Random(11)
    for _ in range(100):
        question, expression, answer, shape = conversion_turns(rng)
        previous = verified(expression, answer)
        assert previous is not None and question[0].isupper()
        follow = shape(rng, previous)
        assert follow.expression.startswith(previous + "*")
        assert verified(follow.expression, follow.answer) is not None
    rng = random.Random(0)
    question, expression, answer, shape = conversion_turns(rng)
    assert (question, expression, answer) == ("How many feet are there in thirty yards?", "30*3", 90)
    assert shape(rng, "90").expression == "90*12"  # feet, then inches
