"""A percentage the question adds (a tip, a tax, a fee) or takes off (a discount), whichever sign the model wrote."""

from __future__ import annotations

import pytest

from graphs.planning.percent_direction import (
    bare_percentage_applied,
    percent_direction_fixed,
    with_change_applied,
)
from tools.calculator import calculate


@pytest.mark.parametrize(
    ("question", "written", "value"),
    [
        ("Dinner came to 64 dollars. What's the total if we leave a 15% tip?", "64*(1-15/100)", "73.6"),
        (
            "How much do I pay for 4 concert tickets at 45 each if there's a 10% booking fee on the total?",
            "4*45*(1-10/100)",
            "198",
        ),
        ("A jacket costs 80 but it's 25% off. Sale price?", "80*(1+25/100)", "60"),
        ("The TV was 500 and got a 20 percent discount. What do I pay now?", "500+500*20/100", "400"),
        ("My rent of 1000 goes up by 5% next year. What will I pay?", "1000*(1-5/100)", "1050"),
        ("Prices rose 10% on a 30 dollar meal. New price?", "30-30*10/100", "33"),
        # both directions, each percentage in its own clause
        ("A coat is 200 with 10% off, then 5% sales tax is added. Total?", "200*(1+10/100)*(1-5/100)", "189"),
        ("A 20% discount and then a 5% surcharge on 100?", "100*(1+20/100)*(1+5/100)", "84"),
        ("I earn 3000 a month. What do I keep after 20% tax?", "3000*(1+20/100)", "2400"),
        ("My salary is 50000. How much is left after taxes of 30%?", "50000+50000*30/100", "35000"),
        ("A meal costs 20 dollars. What do I pay after 10% tax?", "20*(1-10/100)", "22"),  # a price: added
        ("I change 300 dollars and the bureau keeps a 2% commission. What do I get?", "300*(1+2/100)", "294"),
    ],
)
def test_the_percentage_goes_the_way_the_question_says(question: str, written: str, value: str) -> None:
    fixed = percent_direction_fixed(written, question)
    assert fixed is not None and calculate(fixed) == value


@pytest.mark.parametrize(
    ("question", "written"),
    [
        (
            "Dinner came to 64 dollars. What's the total if we leave a 15% tip?",
            "64*(1+15/100)",
        ),  # right already
        ("A jacket costs 80 but it's 25% off. Sale price?", "80*(1-25/100)"),
        ("What is 15% of 240?", "240*15/100"),  # no sign to fix
        ("The price went from 80 to 100. By what percent did it change?", "(100-80)/80*100"),
        ("Is 15% off with a 15% fee on 200 a good deal?", "200*(1-15/100)*(1+15/100)"),  # which 15 is which?
        ("Sales grew 10%, what is 500 after that?", "500*(1+10/100)"),
    ],
)
def test_anything_else_is_left_as_written(question: str, written: str) -> None:
    assert percent_direction_fixed(written, question) is None


def test_earnings_named_in_an_earlier_turn_take_a_tax_off() -> None:
    earlier = "User: I earn 3000 a month. How much in a year?\nCall: calculator(3000*12)\nResult: 36000\n"
    fixed = percent_direction_fixed("36000*(1+20/100)", "And after 20% tax?", earlier)
    assert fixed is not None and calculate(fixed) == "28800"


@pytest.mark.parametrize(
    ("question", "written", "value"),
    [
        ("And with tax of 5% on that?", "360*5/100", "378"),
        ("What do I pay for a 64 dollar dinner with a 15% tip?", "64*15/100", "73.6"),
        ("A 80 dollar coat is 25% off. What is the new price?", "80*25/100", "60"),
    ],
)
def test_a_figure_asked_after_its_change_includes_the_change(question: str, written: str, value: str) -> None:
    applied = with_change_applied(written, question)
    assert applied is not None and calculate(applied) == value


@pytest.mark.parametrize(
    ("question", "written"),
    [
        ("What's a 15% tip on 64 dollars?", "64*15/100"),  # the tip itself
        ("How much is the tax if it is 8% of 250?", "250*8/100"),
        ("What is 15% of 240?", "240*15/100"),
        ("What is the tip with 15% on 64?", "64*15/100"),
    ],
)
def test_a_change_asked_for_itself_stands(question: str, written: str) -> None:
    assert with_change_applied(written, question) is None


@pytest.mark.parametrize(
    ("question", "written", "applied"),
    [
        (
            "4 items at $12.50 each, 20% off the total, then 8% sales tax gets added on the discounted price. final?",
            "4*12.50*(1-20/100)+8/100",
            "(4*12.50*(1-20/100))*(1+8/100)",
        ),
        ("A $60 jacket with 15% off: what do I pay?", "60-15/100", "(60)*(1-15/100)"),
        ("What is 4*12.50 plus 8/100?", "4*12.50+8/100", None),  # the user's own fraction
        ("A $60 jacket with 15% off, then 5% tax: total?", "60*(1-15/100)*(1+5/100)", None),  # nothing bare
    ],
)
def test_a_bare_percentage_added_applies_to_the_rest(
    question: str, written: str, applied: str | None
) -> None:
    assert bare_percentage_applied(written, question) == applied
