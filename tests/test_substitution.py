"""Follow-ups that ask the previous calculation again with one number changed ("What about 20%?")."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from graphs.planning.substitution import (
    average_with_another,
    changed_count_expression,
    more_doers_expression,
    substituted_expression,
)
from tools.calculator import calculate


def two_turns(first: str, call: tuple[str, dict[str, str]], result: str, follow_up: str) -> list[BaseMessage]:
    """A first turn that made one tool call and answered with its result, then a follow-up question."""
    name, args = call
    return [
        HumanMessage(first),
        AIMessage("", tool_calls=[{"name": name, "args": args, "id": "c1", "type": "tool_call"}]),
        ToolMessage(result, tool_call_id="c1", name=name),
        AIMessage(f"{result}."),
        HumanMessage(follow_up),
    ]


def conversation(first: str, expression: str, follow_up: str) -> list[BaseMessage]:
    return two_turns(first, ("calculator", {"expression": expression}), calculate(expression), follow_up)


@pytest.mark.parametrize(
    ("first", "expression", "follow_up", "value"),
    [
        ("What is 15% of 240?", "240*15/100", "What about 20%?", "48"),
        ("How much is a 12 percent tip on 85 dollars?", "85*12/100", "And what about 18 percent?", "15.3"),
        ("A car drives at 60 km/h for 3 hours. How far does it go?", "60*3", "What about 5 hours?", "300"),
        ("If 4 friends share 120 dollars, how much does each get?", "120/4", "how about 5 friends", "24"),
        ("What is 15% of 240?", "240*15/100", "What about 300?", "45"),  # the number without a mark
        ("How many hours are in 5 days?", "5*24", "OK, what about 8 days instead?", "192"),
        ("What does $1,200 earn at 3% for a year?", "1200*3/100", "what about $2,500?", "75"),
        # "what if ...", "make it ...", "and with ...", "instead of ..."
        (
            "I pay 18 dollars a week for bus fare. How much is that over 4 weeks?",
            "18*4",
            "What if it were 22 a week instead?",
            "88",
        ),
        (
            "I worked 8 hours at 15 an hour. How much did I earn?",
            "8*15",
            "What if I worked 10 hours instead?",
            "150",
        ),
        ("Rent is 900 and we are 3 people. How much each?", "900/3", "What if it was 4 instead of 3?", "225"),
        ("What is 15% of 240?", "240*15/100", "Make it 25%.", "60"),
        ("If 4 friends share 120 dollars, how much does each get?", "120/4", "And with 6 friends?", "20"),
        ("What is 15% of 240?", "240*15/100", "ok, and if it were 30 percent?", "72"),
        # "and N%?", "and of N?": the mark, or the preposition before the number replaced
        ("what's 18% of 240?", "240*18/100", "and 25%?", "60"),
        ("what's 15% of 80?", "80*15/100", "and of 130?", "19.5"),
        ("How far is 3 hours at 60 km/h?", "3*60", "and for 5 hours?", "300"),
        # "instead of M" names the number wherever the expression writes it
        ("what's 1000 minus 37% of 1000", "1000-1000*37/100", "what if it was 2500 instead of 1000", "1575"),
    ],
)
def test_the_follow_ups_number_replaces_the_one_with_the_same_mark(
    first: str, expression: str, follow_up: str, value: str
) -> None:
    changed = substituted_expression(conversation(first, expression, follow_up))
    assert changed is not None and calculate(changed) == value


@pytest.mark.parametrize(
    ("first", "expression", "follow_up"),
    [
        ("What is 15% of 240?", "240*15/100", "And half of that?"),  # computes on the result: not this layer
        ("What is 15% of 240?", "240*15/100", "What about London?"),
        ("What is 15% of 240?", "240*15/100", "What about 5 apples?"),  # no number of that kind before
        ("What is 12 times 12?", "12*12", "What about 13?"),  # 12 is written twice: which one?
        ("Add 3 hours to 4 hours", "3+4", "What about 5 hours?"),  # two numbers have the mark
        ("What is 15% of 240?", "240*0.15", "What about 20%?"),  # 15 is not written in the expression
        (
            "I have 5 apples and eat 2. How many are left?",
            "5-2",
            "What if I buy 3 more apples?",
        ),  # adds, no swap
        (
            "Rent is 900 and we are 3 people. How much each?",
            "900/3",
            "What if it was 4 instead of 5?",
        ),  # no 5
        ("What is 15% of 240?", "240*15/100", "What if it were 20% of 300?"),  # two numbers change
        ("What is 15% of 240?", "240*15/100", "20?"),
        ("What is 12 times 12?", "12*12", "and 13 times?"),  # 12 is written twice
    ],
)
def test_any_other_follow_up_is_left_to_the_planner(first: str, expression: str, follow_up: str) -> None:
    assert substituted_expression(conversation(first, expression, follow_up)) is None


@pytest.mark.parametrize(
    ("first", "expression", "follow_up", "value"),
    [
        ("A ticket costs $16. How much are 5 tickets?", "16*5", "What if I buy 2 more?", "112"),
        (
            "I bought 3 notebooks at $4.50 each, how much did I spend?",
            "3*4.50",
            "I also bought 2 more. new total?",
            "22.5",
        ),
        (
            "we're 6 people renting a cabin for $870. how much each?",
            "870/6",
            "ok what about with 3 more people",
            "96.6666666666667",
        ),
        ("I have 5 apples and eat 2. How many are left?", "5-2", "What if I buy 3 more apples?", "6"),
        (
            "We are 8 people and each pays 12 dollars. What's the total?",
            "8*12",
            "and with 2 fewer people?",
            "72",
        ),
        (
            "I got 34 out of 40 on a quiz, what percent is that?",
            "34/40*100",
            "what if I'd gotten 3 more right?",
            "92.5",
        ),
    ],
)
def test_a_count_grows_or_shrinks_as_the_follow_up_says(
    first: str, expression: str, follow_up: str, value: str
) -> None:
    changed = changed_count_expression(conversation(first, expression, follow_up))
    assert changed is not None and calculate(changed) == value


@pytest.mark.parametrize(
    ("first", "expression", "follow_up"),
    [
        (
            "A ticket costs $16. How much are 5 tickets?",
            "16*5",
            "How much is 2 more than that?",
        ),  # a comparison
        ("A ticket costs $16. How much are 5 tickets?", "16*5", "What if I buy 2 more pizzas?"),  # no pizzas
        ("A ticket costs $16. How much are 5 tickets?", "16*5", "2 more tickets at $20?"),  # two numbers
        ("3 boxes of 12 eggs: how many eggs?", "3*12", "And 2 more?"),  # two counts
        ("What is 15% of 240?", "240*15/100", "And 5 more?"),  # no count
    ],
)
def test_a_count_is_changed_only_when_it_is_clear(first: str, expression: str, follow_up: str) -> None:
    assert changed_count_expression(conversation(first, expression, follow_up)) is None


def test_only_a_follow_up_to_a_calculation_is_changed() -> None:
    search = ("web_search", {"query": "tallest tower"})
    messages = two_turns("How tall is the tallest tower in 2024?", search, "828 m", "What about 2025?")
    assert substituted_expression(messages) is None
    assert substituted_expression([HumanMessage("What about 20%?")]) is None


def test_the_planner_changes_the_number_without_asking_any_model() -> None:
    from graphs.planning.local import SUBSTITUTION_ROUTE, LocalPlanner
    from tests.test_planning import web_search
    from tools.calculator import calculator

    class NoModel:
        def __getattr__(self, name: str) -> object:
            raise AssertionError(f"the model was asked for {name}")

    planner = LocalPlanner(NoModel(), [calculator, web_search])  # type: ignore[arg-type]
    step = planner.plan(conversation("What is 15% of 240?", "240*15/100", "What about 20%?"))
    assert (step.kind, step.route, step.tool_args) == (
        "tool_call",
        SUBSTITUTION_ROUTE,
        {"expression": "240*20/100"},
    )


def test_another_number_joins_an_average() -> None:
    messages = conversation(
        "what's the average of 72, 85, 91 and 64?", "(72+85+91+64)/4", "and if I add a fifth score of 98?"
    )
    assert average_with_another(messages) == "(72+85+91+64+98)/5"
    assert average_with_another(conversation("What is 12 times 12?", "12*12", "and if I add 3?")) is None
    assert average_with_another(conversation("avg of 1, 2?", "(1+2)/2", "what about 5?")) is None  # no adding


def test_a_number_of_an_earlier_calculation_is_changed_through_the_chain() -> None:
    first = conversation("I earn 2,400 a month. How much is that in a year?", "2400*12", "and per week?")
    messages = [
        *first,
        AIMessage(
            "",
            tool_calls=[
                {"name": "calculator", "args": {"expression": "28800/52"}, "id": "c2", "type": "tool_call"}
            ],
        ),
        ToolMessage(calculate("28800/52"), tool_call_id="c2", name="calculator"),
        AIMessage("553.846153846154."),
        HumanMessage("what if it was 3000 instead of 2400"),
    ]
    changed = substituted_expression(messages)
    assert changed == "(3000*12)/52"
    messages[-1] = HumanMessage(
        "what if I earned 3000 a month instead"
    )  # the first question's "2,400 a month"
    assert substituted_expression(messages) == "(3000*12)/52"
    messages[-1] = HumanMessage("what if it was 3000 instead of 2500")  # no calculation writes 2500
    assert substituted_expression(messages) is None


@pytest.mark.parametrize("follow_up", ["what if beans went up to €30/kg?", "And €30?"])
def test_a_price_in_euros_or_pounds_is_replaced_as_a_dollar_one_is(follow_up: str) -> None:
    messages = conversation(
        "a kilo of coffee beans is €24 and I use 18 g per cup. cost per cup?", "24*18/1000", follow_up
    )
    assert substituted_expression(messages) == "30*18/1000"


@pytest.mark.parametrize(
    ("first", "expression", "follow_up", "written"),
    [
        (
            "printer does 24 pages per minute. how many minutes for 1080 pages?",
            "1080/24",
            "and if i run two of them at the same time?",
            "1080/(24*2)",
        ),
        (
            "A printer prints 18 pages per minute. How many pages in 25 minutes?",
            "18*25",
            "what if 3 printers work together?",
            "(18*3)*25",
        ),
        (
            "A printer prints 18 pages per minute. How many in 25 minutes?",
            "18*25",
            "and 3 ovens at once?",
            None,
        ),
        ("What is 6 times 7?", "6*7", "and 2 of them together?", None),  # no rate
        ("A pump moves 40 litres a minute. How long for 600 litres?", "600/40", "and for 900 litres?", None),
    ],
)
def test_things_run_at_once_multiply_the_rate(
    first: str, expression: str, follow_up: str, written: str | None
) -> None:
    assert more_doers_expression(conversation(first, expression, follow_up)) == written
