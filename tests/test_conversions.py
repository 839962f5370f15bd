"""Unit conversions the planner answers exactly (graphs.planning.conversions): "How many seconds are in an
hour?" is the calculator's, with the factors written out, and never a web search."""

from __future__ import annotations

import pytest
from langchain_core.messages import HumanMessage

from graphs.planning.conversions import (
    conversion_expression,
    follow_up_conversion,
    looked_up_conversion,
    temperature_expression,
)
from tools.calculator import calculate


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("How many seconds are in an hour?", "3600"),
        ("How many minutes are there in a day?", "1440"),
        ("how many hours in a week", "168"),
        ("How many days are in 3 weeks?", "21"),
        ("How many days are in three weeks?", "21"),
        ("How many centimetres are in 2.5 metres?", "250"),
        ("How many grams is 3 kilograms?", "3000"),
        ("How many inches are in a foot?", "12"),
        ("How many feet in a mile?", "5280"),
        ("How many seconds are there in 2 days?", "172800"),
        ("Convert 5 km to metres.", "5000"),
        ("How many millilitres are in 1.5 litres?", "1500"),
        ("What is 90 minutes in hours?", "1.5"),
        ("How many minutes is 3 hours?", "180"),
        ("How many hours are 45 minutes?", "0.75"),
        ("How many months are in 3 years?", "36"),
        ("How many years are in a century?", "100"),
        ("How many ounces are in 2 pounds?", "32"),
        ("How many kilograms are in 1.5 tonnes?", "1500"),
    ],
)
def test_a_conversion_is_computed_with_its_factors(question: str, value: str) -> None:
    expression = conversion_expression(question)
    assert expression is not None and calculate(expression) == value


@pytest.mark.parametrize(
    "question",
    [
        "How many hours did I work last week?",
        "How many days until Christmas?",
        "How many people are in a team of 5?",
        "How many metres of fencing do I need for a 12 by 7 garden?",
        "How many seconds are in a kilogram?",
        "How many days are in a year?",
        "How many pounds is 5 dollars?",
        "What is 2+2?",
        "",
    ],
)
def test_anything_else_is_no_conversion(question: str) -> None:
    assert conversion_expression(question) is None


def test_the_factors_are_shown_step_by_step() -> None:
    assert conversion_expression("How many seconds are in an hour?") == "60*60"
    assert conversion_expression("How many seconds are there in one week?") == "60*60*24*7"
    assert conversion_expression("How many minutes is 3 hours?") == "3*60"
    assert conversion_expression("What is 90 minutes in hours?") == "90/60"


def test_the_planner_sends_a_conversion_to_the_calculator_without_asking_any_model() -> None:
    from graphs.planning.local import LocalPlanner
    from tests.test_planning import web_search
    from tools.calculator import calculator

    class NoModel:
        def __getattr__(self, name: str) -> object:
            raise AssertionError(f"the model was asked for {name}")

    planner = LocalPlanner(NoModel(), [calculator, web_search])  # type: ignore[arg-type]
    step = planner.plan([HumanMessage("How many seconds are in an hour?")])
    assert (step.kind, step.tool_name, step.tool_args) == ("tool_call", "calculator", {"expression": "60*60"})


@pytest.mark.parametrize(
    ("first", "follow_up", "value"),
    [
        ("How many hours are in 5 days?", "And how many minutes is that?", "7200"),
        ("How many days are in 3 weeks?", "And in hours?", "504"),
        ("How many seconds are in an hour?", "What is that in minutes?", "60"),
        ("Convert 2 km to metres.", "and centimetres?", "200000"),
        ("How many grams is 4 kilograms?", "How many milligrams is that?", "4000000"),
    ],
)
def test_a_follow_up_converts_the_previous_conversion_on(first: str, follow_up: str, value: str) -> None:
    from tests.test_substitution import two_turns

    expression = conversion_expression(first)
    assert expression is not None
    result = calculate(expression)
    messages = two_turns(first, ("calculator", {"expression": expression}), result, follow_up)
    converted = follow_up_conversion(messages)
    assert converted is not None and converted.startswith(result) and calculate(converted) == value


@pytest.mark.parametrize(
    "follow_up", ["And divided by 3?", "What about London?", "And in 3 hours?", "kilograms?"]
)
def test_other_follow_ups_are_left_to_the_planner(follow_up: str) -> None:
    from tests.test_substitution import two_turns

    first = "How many hours are in 5 days?"
    messages = two_turns(first, ("calculator", {"expression": "5*24"}), "120", follow_up)
    assert follow_up_conversion(messages) is None
    assert follow_up_conversion([HumanMessage("And in minutes?")]) is None


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("A thermometer reads 20 degrees Celsius. What is that in degrees Fahrenheit?", "68"),
        ("What is 98.6 F in Celsius?", "37"),
        ("Convert 100°C to °F", "212"),
        ("What's -40 degrees Fahrenheit in Celsius?", "-40"),
    ],
)
def test_a_temperature_is_converted_with_the_offset(question: str, value: str) -> None:
    expression = conversion_expression(question)
    assert expression is not None and calculate(expression) == value


@pytest.mark.parametrize(
    "question", ["It was 20 degrees Celsius and 25 the next day. In Fahrenheit?", "What is 20 C in C?"]
)
def test_anything_else_is_no_temperature_conversion(question: str) -> None:
    assert temperature_expression(question) is None


@pytest.mark.parametrize(
    ("question", "passage", "value"),
    [
        (
            "Ilse Varga kept the Marrowstone light for how many months?",
            "Ilse Varga kept the light for 26 years.",
            "312",
        ),
        (
            "How many minutes does the ferry crossing take?",
            "The crossing takes 1.5 hours in calm weather.",
            "90",
        ),
    ],
)
def test_a_figure_looked_up_is_converted_to_the_unit_asked(question: str, passage: str, value: str) -> None:
    expression = looked_up_conversion(question, passage)
    assert expression is not None and calculate(expression) == value


@pytest.mark.parametrize(
    ("question", "passage"),
    [
        ("How many years did she keep the light?", "She kept the light for 26 years."),  # the unit asked
        ("How many months is 3 years?", "She kept the light for 26 years."),  # the question's own number
        ("How many months in all?", "She served 26 years and then 4 years more."),  # two amounts
        ("How many visitors came?", "The museum opened 26 years ago."),  # no unit of that kind
    ],
)
def test_anything_else_is_not_converted_after_a_look_up(question: str, passage: str) -> None:
    assert looked_up_conversion(question, passage) is None


@pytest.mark.parametrize(
    ("question", "expression", "value"),
    [
        ("Convert 5 km to miles", "5/1.609344", "3.10685596118667"),
        ("How many centimetres are in 3 feet?", "3*30.48", "91.44"),
        ("What is 10 pounds in kg?", "10*0.45359237", "4.5359237"),
        ("how many inches in 1 metre?", "1/0.0254", "39.3700787401575"),
    ],
)
def test_metric_and_imperial_units_convert_through_their_exact_definitions(
    question: str, expression: str, value: str
) -> None:
    assert conversion_expression(question) == expression
    assert calculate(expression) == value


def test_units_of_two_kinds_do_not_convert() -> None:
    assert conversion_expression("Convert 5 km to pounds") is None
    assert conversion_expression("How many litres are in 3 miles?") is None
