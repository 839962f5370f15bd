"""Follow-ups that ask the previous question again with one part changed, restated and read as a question."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from graphs.planning.restated import asked_anew, restated_question
from tests.test_looked_up import rules_planner
from tests.test_trained_planner import previous_result
from tools.calculator import calculate


@pytest.mark.parametrize(
    ("first", "expression", "follow_up", "restated"),
    [
        (
            "I run 5.5 km every day. How far do I run in a week?",
            "5.5*7",
            "and in a 30-day month?",
            "I run 5.5 km every day. How far do I run in a 30-day month?",
        ),
        (
            "A recipe needs 250 g of flour for 4 servings. How much flour is that per serving?",
            "250/4",
            "ok what about for 10 servings",
            "A recipe needs 250 g of flour for 4 servings. How much flour is that for 10 servings?",
        ),
        (
            "A phone costs $600 and I pay it off in 12 equal monthly payments. How much per month?",
            "600/12",
            "what if I pay it off over 15 months instead?",
            "A phone costs $600 and I pay it off in 15 equal monthly payments. How much per month?",
        ),
    ],
)
def test_the_previous_question_is_restated_with_the_change(
    first: str, expression: str, follow_up: str, restated: str
) -> None:
    assert restated_question(previous_result(first, expression, follow_up)) == restated


@pytest.mark.parametrize(
    ("first", "expression", "follow_up", "value"),
    [
        ("I run 5.5 km every day. How far do I run in a week?", "5.5*7", "and in a 30-day month?", "165"),
        (
            "A recipe needs 250 g of flour for 4 servings. How much flour is that per serving?",
            "250/4",
            "ok what about for 10 servings",
            "625",
        ),
        (
            "A phone costs $600 and I pay it off in 12 equal monthly payments. How much per month?",
            "600/12",
            "what if I pay it off over 15 months instead?",
            "40",
        ),
    ],
)
def test_the_restated_question_is_solved_as_a_first_question(
    first: str, expression: str, follow_up: str, value: str
) -> None:
    step = rules_planner().plan(previous_result(first, expression, follow_up))
    assert step.tool_name == "calculator"
    assert calculate(step.tool_args["expression"]) == value


@pytest.mark.parametrize(
    ("first", "expression", "follow_up"),
    [
        ("How many hours are in 5 days?", "5*24", "And in minutes?"),  # a conversion of the result
        ("What is 15% of 240?", "240*15/100", "What about 20%?"),  # a percentage: substitution's
        ("I save $45 a week. How much in a year?", "45*52", "what if I save 2 more dollars a week?"),
        ("A ticket is $12. How much for 3 tickets?", "12*3", "and in euros?"),  # no scope with a number
        ("What is 6 times 7?", "6*7", "and in 3 weeks?"),  # the question ends in no scope
        # two amounts of the follow-up's unit in the question: which one changes is a guess
        (
            "I work 6 hours on Monday and 4 hours on Tuesday. How many hours?",
            "6+4",
            "what if 5 hours instead?",
        ),
    ],
)
def test_other_follow_ups_are_not_restated(first: str, expression: str, follow_up: str) -> None:
    assert restated_question(previous_result(first, expression, follow_up)) is None


def test_a_follow_up_of_a_follow_up_is_not_a_whole_question() -> None:
    call = {"name": "calculator", "args": {"expression": "42*2"}, "id": "c2", "type": "tool_call"}
    messages = [
        *previous_result("I run 6 km a day. How far in a week?", "6*7", "and twice that in a week?")[:-1],
        HumanMessage("and twice that in a week?"),
        AIMessage("", tool_calls=[call]),
        ToolMessage("84", tool_call_id="c2", name="calculator"),
        AIMessage("84."),
        HumanMessage("and in a 30-day month?"),
    ]
    assert restated_question(messages) is None


def test_a_follow_up_after_a_restated_one_carries_its_unit() -> None:
    from tests.test_trained_planner import conversation

    messages = conversation(
        "A recipe needs 250 g of flour for 4 servings. How much flour is that per serving?",
        "250/4",
        "ok what about for 10 servings",
        "250*10/4",
        "in kg?",
    )
    step = rules_planner().plan(messages)
    assert step.tool_args == {"expression": "625/1000"}


@pytest.mark.parametrize(
    ("first", "expression", "follow_up", "value"),
    [
        (
            "I put $5,000 in a savings account paying 4% simple interest per year. How much interest do I earn in"
            " one year?",
            "5000*4/100*1",
            "and after 3 years how much is in the account in total",
            "5600",
        ),
        (
            "Our garden is 12 m by 8 m. What's the perimeter?",
            "2*(12+8)",
            "Fencing costs $15 per metre. How much to fence the whole perimeter?",
            "600",
        ),
        (  # "3 times that many" is 1350 pages; "would it take" refers to nothing
            "A printer prints 18 pages per minute. How many pages in 25 minutes?",
            "18*25",
            "how many minutes would it take to print 3 times that many?",
            "75",
        ),
    ],
)
def test_a_follow_up_asking_anew_of_what_the_previous_question_stated(
    first: str, expression: str, follow_up: str, value: str
) -> None:
    step = rules_planner().plan(previous_result(first, expression, follow_up))
    assert calculate(step.tool_args["expression"]) == value


def test_a_follow_up_referring_to_the_result_is_not_asked_anew() -> None:
    messages = previous_result(
        "I earn $20 an hour. How much in a 40-hour week?", "20*40", "how much is that a year?"
    )
    assert asked_anew(messages) is None
    messages = previous_result("What is 6 times 7?", "6*7", "how much is 3 times 4?")  # nothing stated before
    assert asked_anew(messages) is None
