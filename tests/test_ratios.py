"""Amounts in a stated ratio, the way round a rectangle and a worded fraction of an amount, read without a model."""

from __future__ import annotations

import pytest

from graphs.planning.fractions_of import fraction_of_amount
from graphs.planning.perimeters import perimeter_expression
from graphs.planning.ratios import ratio_expression
from tools.calculator import calculate


@pytest.mark.parametrize(
    ("question", "expression", "value"),
    [
        (
            "The dressing is 3 parts oil to 1 part vinegar. How many ml of oil go with 50 ml of vinegar?",
            "50/1*3",
            "150",
        ),
        (
            "The ratio of cats to dogs at the shelter is 2:5. There are 14 cats. How many dogs are there?",
            "14/2*5",
            "35",
        ),
        (
            "The ratio of red to blue beads is 3:4 and there are 12 red beads. How many beads in total?",
            "12/3*(3+4)",
            "28",
        ),
        ("Mix sand and cement in the ratio 4:1. How much sand for 7 kg of cement?", "7/1*4", "28"),
    ],
)
def test_the_other_amount_of_a_ratio(question: str, expression: str, value: str) -> None:
    found = ratio_expression(question)
    assert found == expression
    assert calculate(found) == value


@pytest.mark.parametrize(
    "question",
    [
        "The ratio of cats to dogs is 2:3:4 and there are 8 cats. How many dogs?",  # three parts
        "Mix 2 parts red with 3 parts blue. How many litres of blue for 6 litres of red and 2 more?",  # 4 numbers
        "The ratio of boys to girls is 3:4. How many girls?",  # no amount of either
        "My flight leaves at 10:30. How many minutes until 11:15?",
    ],
)
def test_anything_else_is_no_ratio(question: str) -> None:
    assert ratio_expression(question) is None


@pytest.mark.parametrize(
    ("question", "expression", "value"),
    [
        ("A vegetable plot is 9 m by 4.5 m. What is its perimeter?", "2*(9+4.5)", "27"),
        ("The pitch is 100 m long and 60 m wide. How far is one run all the way round?", "2*(100+60)", "320"),
        (
            "A paddock is 50 yards by 30 yards and fencing costs $7 per yard. How much to fence it all?",
            "2*(50+30)*7",
            "1120",
        ),
    ],
)
def test_the_way_round_a_rectangle(question: str, expression: str, value: str) -> None:
    found = perimeter_expression(question)
    assert found == expression
    assert calculate(found) == value


@pytest.mark.parametrize(
    "question",
    [
        "A room is 4 m by 3 m. What is its area?",
        "A rug is 2 m by 80 cm. What is its perimeter?",  # two units
        "A circular pond is 3 m by 3 m across. What is its perimeter?",
    ],
)
def test_anything_else_is_no_perimeter(question: str) -> None:
    assert perimeter_expression(question) is None


@pytest.mark.parametrize(
    ("question", "expression", "value"),
    [
        ("Jo had $180 and spent a quarter of it on a jacket. How much did the jacket cost?", "180/4", "45"),
        ("Jo had $180 and spent a quarter of it on a jacket. How much money is left?", "180*(1-1/4)", "135"),
        (
            "Our class collected 60 cans and gave three quarters of them to the shelter. How many went to the shelter?",
            "60*3/4",
            "45",
        ),
        ("A cake has 16 pieces and the kids ate half of it. How many pieces remain?", "16*(1-1/2)", "8"),
        (
            "Ravi had 80 stamps and sold a fifth of them. How many stamps does he have now?",
            "80*(1-1/5)",
            "64",
        ),
    ],
)
def test_a_worded_fraction_of_one_amount(question: str, expression: str, value: str) -> None:
    found = fraction_of_amount(question)
    assert found == expression
    assert calculate(found) == value


@pytest.mark.parametrize(
    "question",
    [
        "I earn $3000 and spend a quarter of it on rent and $200 on food. How much is left?",  # two amounts
        "Half of the 36 cupcakes are chocolate. How many are chocolate?",  # no verb takes the fraction
        "I spent a third of my savings. How much is left?",  # no amount
    ],
)
def test_anything_else_is_no_fraction_of_an_amount(question: str) -> None:
    assert fraction_of_amount(question) is None


@pytest.mark.parametrize(
    ("question", "expression"),
    [
        (
            "I'm making lemonade with 1 part lemon juice to 5 parts water. If I want 3 litres in total, "
            "how many litres of lemon juice do I need?",
            "3/(1+5)*1",
        ),
        (
            "Mix 2 parts orange juice to 3 parts lemonade. For 1.2 litres of orange juice, how much lemonade?",
            "1.2/2*3",
        ),
        ("Mix 1 part cordial to 1 part water. For 500 ml of cordial, how much water?", "500/1*1"),
    ],
)
def test_sides_named_in_two_words_and_a_total_given(question: str, expression: str) -> None:
    assert ratio_expression(question) == expression
