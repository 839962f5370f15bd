"""Two amounts of one kind in different units: the larger is converted to the smaller before they combine."""

from __future__ import annotations

import pytest

from graphs.planning.units import mixed_units_fixed
from tools.calculator import calculate


@pytest.mark.parametrize(
    ("question", "written", "value"),
    [
        ("I've got 5 kg of rice and eat 200 g a day. How many days will it last?", "5/200", "25"),
        ("I have 2 m of ribbon and cut off 35 cm. How much is left?", "2-35", "165"),
        ("A 1.5 litre bottle fills glasses of 250 ml. How many glasses?", "1.5/250", "6"),
        ("The film is 2 hours and the ads take 15 minutes. How long in all?", "2+15", "135"),
    ],
)
def test_the_larger_unit_is_converted_to_the_smaller(question: str, written: str, value: str) -> None:
    fixed = mixed_units_fixed(written, question)
    assert fixed is not None and calculate(fixed) == value


@pytest.mark.parametrize(
    ("question", "written"),
    [
        (
            "I've got 5 kg of rice and eat 200 g a day. How many days will it last?",
            "5*1000/200",
        ),  # right already
        ("I ran 5 km in 30 minutes. How fast?", "5/30"),  # two kinds: not this rule's
        ("I have 3 kg of apples and 2 kg of pears. How much fruit?", "3+2"),  # one unit
        ("I have 2 m of ribbon and cut off 35 cm twice. How much is left?", "2-35-35"),  # 35 written twice
    ],
)
def test_anything_else_stands(question: str, written: str) -> None:
    assert mixed_units_fixed(written, question) is None
