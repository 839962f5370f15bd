"""Follow-ups that are plain arithmetic on the previous result ("Add 9 to that.")."""

from __future__ import annotations

import pytest

from graphs.planning.references import compared_expression, referenced_expression, shared_expression
from graphs.planning.rules import calculator_answer
from tests.test_trained_planner import previous_result
from tools.calculator import calculate


@pytest.mark.parametrize(
    ("follow_up", "value"),
    [
        ("What's the square root of that?", "12"),
        ("Add 9 to that.", "153"),
        ("Now subtract 44 from the result.", "100"),
        ("and that divided by 3?", "48"),
        ("Double it.", "288"),
        ("What is that squared?", "20736"),
    ],
)
def test_arithmetic_on_the_previous_result_is_read_exactly(follow_up: str, value: str) -> None:
    expression = referenced_expression(previous_result("What is 12 times 12?", "12*12", follow_up))
    assert expression is not None and calculate(expression) == value


@pytest.mark.parametrize(
    "follow_up",
    [
        "What is that in euros?",
        "Is that right?",
        "Add that to that.",  # two references
        "And divided by 3?",  # no reference word: the planner's
        "How much would 10 of them cost then?",
    ],
)
def test_anything_else_is_left_to_the_planner(follow_up: str) -> None:
    assert referenced_expression(previous_result("What is 12 times 12?", "12*12", follow_up)) is None


def test_a_calculator_answer_shows_the_calculation_unless_it_is_the_number_itself() -> None:
    assert calculator_answer("2*12", "24") == "2 × 12 = 24."
    assert calculator_answer("24", "24") == "24."  # "two dozen" -> calculator(24): not "24 = 24."


@pytest.mark.parametrize(
    ("first", "expression", "follow_up", "value"),
    [
        (
            "i save $45 a week. how much is that in a year?",
            "45*52",
            "how much more is that than 2000?",
            "340",
        ),
        ("8,500 steps a day for 30 days?", "8500*30", "how much more is that than 200,000?", "55000"),
        ("i save $45 a week. how much is that in a year?", "45*52", "How much less is it than 3000?", "660"),
    ],
)
def test_a_comparison_with_the_previous_result_is_a_difference(
    first: str, expression: str, follow_up: str, value: str
) -> None:
    difference = compared_expression(previous_result(first, expression, follow_up))
    assert difference is not None and calculate(difference) == value


@pytest.mark.parametrize(
    ("first", "expression", "follow_up", "value"),
    [
        (
            "how many cm is 3.75 m?",
            "3.75*100",
            "if I cut it into pieces 25 cm long, how many pieces do I get?",
            "15",
        ),
        (
            "How many grams is 2.4 kg?",
            "2.4*1000",
            "if I split it evenly into 6 bags, how much goes in each?",
            "400",
        ),
        (
            "phone plan 39 a month, for a whole year?",
            "39*12",
            "ok and how much is that per week, if a year has 52 weeks?",
            "9",
        ),
        (
            "gym: 60 a month and 99 to sign up, first year?",
            "60*12+99",
            "how much is that per week on average, using 52 weeks?",
            "15.75",
        ),
        ("The meal was 120 dollars.", "120", "how much per person if we are 4 people?", "30"),
        ("What's 25 times 12?", "25*12", "Share that between 3 of us.", "100"),
        (  # paying it off takes nothing off it
            "A bike is $450 plus 6% tax. What's the total?",
            "450*1.06",
            "If I pay it off in 6 equal monthly instalments, how much is each one?",
            "79.5",
        ),
    ],
)
def test_sharing_the_previous_result_divides_it(
    first: str, expression: str, follow_up: str, value: str
) -> None:
    share = shared_expression(previous_result(first, expression, follow_up))
    assert share is not None and calculate(share) == value


@pytest.mark.parametrize(
    "follow_up",
    [
        "per 5-day work week?",  # 5 counts days: a week of them multiplies
        "How much in 4 weeks at that rate per week?",
        "what if we split it with 2 more people?",  # a changed count: not a share of this result
        "Is that more than 200?",
        "What's 10% of that?",
        "Split it between 3 people and add 5 each.",  # two numbers
    ],
)
def test_anything_else_is_not_read_as_a_share_or_a_difference(follow_up: str) -> None:
    messages = previous_result("What is 12 times 12?", "12*12", follow_up)
    assert shared_expression(messages) is None
    assert compared_expression(messages) is None


@pytest.mark.parametrize(
    ("first", "expression", "follow_up", "value"),
    [
        ("How much is a 20% tip on a $45 meal?", "20/100*45", "and what's the total bill then?", "54"),
        ("What is 8% tax on 250?", "250*8/100", "So what do I pay in total?", "270"),
        ("A coat is $120 with 25% off. How much do I save?", "120*25/100", "And the sale price?", "90"),
        (
            "I put $5,000 in an account paying 4% simple interest per year. How much interest after 3 years?",
            "5000*4/100*3",
            "so what's the total balance then?",
            "5600",
        ),
    ],
)
def test_a_percentage_part_is_added_to_or_taken_off_the_whole(
    first: str, expression: str, follow_up: str, value: str
) -> None:
    from graphs.planning.references import percent_total
    from tests.test_substitution import conversation

    found = percent_total(conversation(first, expression, follow_up))
    assert found is not None and calculate(found) == value


@pytest.mark.parametrize(
    ("first", "expression", "follow_up"),
    [
        ("What is 45 plus 15% tip?", "45*1.15", "and the total?"),  # the result is the total already
        ("How much is a 20% tip on a $45 meal?", "20/100*45", "and for 3 people?"),  # a number of its own
        ("How much is a 20% tip on a $45 meal?", "20/100*45", "is that a lot?"),  # neither way said
        (
            "3 friends split a 15% tip on 60 and 80. How much each?",
            "15/100*(60+80)/3",
            "and the total?",
        ),  # no one whole
    ],
)
def test_anything_else_is_not_a_percentage_total(first: str, expression: str, follow_up: str) -> None:
    from graphs.planning.references import percent_total
    from tests.test_substitution import conversation

    assert percent_total(conversation(first, expression, follow_up)) is None


@pytest.mark.parametrize(
    ("first", "expression", "follow_up", "value"),
    [
        ("4 tickets at $72.50 each?", "4*72.5", "now add 8% tax on the whole thing", "313.2"),
        ("A sofa is $840 and delivery $60. Total?", "840+60", "and if I get 15% off the total?", "765"),
        ("My bill is $96 a month. Per year?", "96*12", "what if it goes up by 10%?", "1267.2"),
        ("Dinner for 4 came to $132.", "132", "with a 20% tip?", "158.4"),
        (  # the share asked of two
            "The raffle made $320.",
            "320",
            "If 25% goes to the hall and the rest to the food bank, how much goes to the food bank?",
            "240",
        ),
    ],
)
def test_a_follow_ups_one_percentage_changes_the_previous_result(
    first: str, expression: str, follow_up: str, value: str
) -> None:
    from graphs.planning.references import changed_by_percent

    found = changed_by_percent(previous_result(first, expression, follow_up))
    assert found is not None and calculate(found) == value


@pytest.mark.parametrize(
    "follow_up",
    [
        "what is 15% of that?",  # a part of it: referenced_expression's
        "and 10% off for 3 of us?",  # a number of its own
        "is 10% a lot?",  # no direction
    ],
)
def test_anything_else_is_not_a_percentage_change_of_the_result(follow_up: str) -> None:
    from graphs.planning.references import changed_by_percent

    assert changed_by_percent(previous_result("What is 12 times 12?", "12*12", follow_up)) is None


@pytest.mark.parametrize(
    ("follow_up", "expression"),
    [
        ("with a $2 booking fee on top?", "45+2"),
        ("plus $7.50 shipping?", "45+7.5"),
        ("and if we add a 5 dollar tip?", "45+5"),
        ("with a $2 booking fee per ticket?", None),  # per ticket: counted elsewhere
        ("and for 2 more adults?", None),  # no money
        ("plus 10%?", None),  # a percentage: changed_by_percent's
    ],
)
def test_a_sum_of_money_on_top_is_added_to_the_previous_result(
    follow_up: str, expression: str | None
) -> None:
    from graphs.planning.references import added_on_top

    assert (
        added_on_top(previous_result("2 adults at $12 and 3 kids at $7?", "2*12+3*7", follow_up))
        == expression
    )


@pytest.mark.parametrize(
    ("follow_up", "expression"),
    [
        ("we need $250 total, how much more do we need?", "250-168"),
        ("our goal is 200 tickets, how many more tickets do we need?", "200-168"),
        ("how many more weeks until it hits 250 cm?", None),  # weeks of growth, not cm
        ("we need $100, how much more?", None),  # already past it
        ("how much more is that than 100?", None),  # a comparison: compared_expression's
    ],
)
def test_what_is_still_needed_to_reach_a_goal(follow_up: str, expression: str | None) -> None:
    from graphs.planning.references import still_needed

    assert still_needed(previous_result("6 of us sold 14 at $2 each?", "6*14*2", follow_up)) == expression


@pytest.mark.parametrize(
    ("follow_up", "expression"),
    [
        ("notebooks come in packs of 10, how many packs do we need to buy?", "ceil(84/10)"),
        ("boxes of 10: how many full boxes can we fill?", "floor(84/10)"),
        ("in packs of 4, how many packs do we need?", "84/4"),  # whole already
        ("in packs of 10, how many packs?", None),  # neither up nor down said
    ],
)
def test_whole_packs_of_the_previous_result(follow_up: str, expression: str | None) -> None:
    messages = previous_result("28 students each need 3 notebooks. How many?", "28*3", follow_up)
    assert shared_expression(messages) == expression


@pytest.mark.parametrize(
    ("first", "expression", "follow_up", "value"),
    [
        (
            "A bus ride is $2.75. What do 30 rides cost?",
            "2.75*30",
            "A monthly pass is $70. How much would I save with it?",
            "12.5",
        ),
        (
            "Storage is $25 a month. How much for a year?",
            "25*12",
            "What's the difference if I pay $280 upfront?",
            "20",
        ),
    ],
)
def test_a_saving_against_one_sum_of_money(first: str, expression: str, follow_up: str, value: str) -> None:
    from graphs.planning.references import saved_against

    found = saved_against(previous_result(first, expression, follow_up))
    assert found is not None and calculate(found) == value


def test_a_price_for_everyone_is_added_once_per_person_counted_before() -> None:
    from graphs.planning.references import added_for_everyone
    from tests.test_substitution import conversation

    first = "Cinema tickets are $12.50 for adults and $7 for kids. How much for 2 adults and 3 kids?"
    follow_up = "We're also getting popcorn for everyone at $4.25 each. New total?"
    found = added_for_everyone(conversation(first, "12.5*2+7*3", follow_up))
    assert found == "46+(2+3)*4.25"
    assert calculate(found) == "67.25"
    kids_aged = "How much for 2 adults and 2 kids aged 7 and 9 at $10 a head?"
    assert added_for_everyone(conversation(kids_aged, "4*10", follow_up)) == "40+(2+2)*4.25"
    nobody = "What is 12 times 4?"
    assert added_for_everyone(conversation(nobody, "12*4", follow_up)) is None
    assert added_for_everyone(conversation(first, "12.5*2+7*3", "And popcorn at $4.25?")) is None


@pytest.mark.parametrize(
    ("first", "expression", "follow_up", "written"),
    [
        (
            "I'm 34 and my dad is 29 years older than me. How old is he?",
            "34+29",
            "How old will he be when I turn 50?",
            "63+(50-34)",
        ),
        (
            "Sam is 14. His grandpa is five times as old. How old is his grandpa?",
            "14*5",
            "How old was his grandpa when Sam was born?",
            "70-14",
        ),
        # a difference of ages found before is no age
        (
            "I am 30 and my mum is 58. How much older is she?",
            "58-30",
            "How old was she when I was born?",
            None,
        ),
        ("I'm 34 and my dad is 63. How old is he?", "63", "And in 5 years?", None),  # no "when"
    ],
)
def test_an_age_found_is_carried_to_when_someone_else_turns_an_age_or_was_born(
    first: str, expression: str, follow_up: str, written: str | None
) -> None:
    from graphs.planning.references import age_when
    from tests.test_substitution import conversation

    assert age_when(conversation(first, expression, follow_up)) == written


def test_a_rounded_result_is_computed_on_as_its_calculation() -> None:
    from tests.test_looked_up import rules_planner
    from tests.test_trained_planner import conversation

    messages = conversation(
        "My salary is $52,000 a year. What is that per month?",
        "52000/12",
        "if I get a 3% raise, what's the new monthly amount?",
    )
    step = rules_planner().plan(messages)
    assert step.tool_args == {"expression": "(52000/12)*(1+3/100)"}
    assert calculate(step.tool_args["expression"]) == "4463.33333333333"  # not 4463.3333333333299


def test_an_exact_result_is_computed_on_as_shown() -> None:
    from tests.test_looked_up import rules_planner
    from tests.test_trained_planner import conversation

    step = rules_planner().plan(conversation("What is 10 divided by 4?", "10/4", "Add 9 to that."))
    assert step.tool_args == {"expression": "2.5+9"}
