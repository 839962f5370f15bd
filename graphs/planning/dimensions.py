"""Amounts and their units: a calculation must come out in the unit the question asks for.

"A bread recipe needs 450 g of flour per loaf. How many grams of flour do I need for 6 loaves?" asks for
grams. 450 g per loaf times 6 loaves is grams; the adapter's ``450/6`` is grams per loaf. With the amounts and
the asked unit read (:mod:`graphs.planning.quantities`), the unit of a product or quotient is the product or
quotient of the units, so among the ways to multiply and divide all of a question's amounts, usually one gives
the unit asked for: dimensional analysis, as a physicist checks a formula. Where exactly one value has the
asked unit, that is the calculation (:func:`dimensional_expression`), in the exact layer before the adapter;
a second value, or a question the reading does not fully understand, stands.

Written by hand because no library we have solves for a unit among English amounts; the factors between units
are exact (an inch is 2.54 cm by definition).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import replace
from fractions import Fraction

from langchain_core.messages import AIMessage, BaseMessage

from graphs.planning.periods import CALENDAR_FACTORS
from graphs.planning.quantities import (
    DIMENSIONS,
    EACH,
    MONEY,
    Amount,
    Powers,
    Unit,
    amounts,
    asked_sentence,
    asked_unit,
    measure,
    summed,
)
from graphs.planning.restated import restated_question
from graphs.planning.rules import (
    expression_values,
    format_value,
    number_words_to_digits,
    numbers_in,
    previous_calculator_result,
    previous_question_and_result,
    previous_turn,
)


def dimensional_expression(question: str) -> str | None:
    """The one product and quotient of all the question's amounts that has the unit asked, written out with
    the factors between units (``24*5/1000`` for €24 a kilo and 5 g a cup), or None: no amounts or no asked
    unit read, a value of that unit not unique, or none at all.

    Two readings follow when no product has the unit asked: the unit per a period that a rate of the
    question runs over ("$20 an hour, 38 hours a week: how much do I earn?" is dollars a week), and a
    starting amount with a product added or taken away as the words say ("$1,250 saved, and $85 put away
    every month: how much after 9 months?" -> ``1250+85*9``)."""
    found = amounts(question)
    asked = asked_unit(question)
    if found and len(found) == 1 and asked is None and (total := _listed_total(question, found[0])):
        return total  # "8,400 steps yesterday and 11,250 today: how many is that altogether?"
    if not found or asked is None:
        return None
    found = [amount for amount in found if not _one_named(amount, found)]
    return solved(question, found + _one_period_asked(question, found), asked)


def _listed_total(question: str, amount: Amount) -> str | None:
    """The sum of a list of one measure (``(5+3)``, read as one amount), where the question asks it in total;
    else None."""
    listed = (
        amount.written.startswith("(") and "+" in amount.written and amount.per == 1 and not amount.change
    )
    return amount.written[1:-1] if listed and _TOGETHER.search(asked_sentence(question)) else None


def _one_named(amount: Amount, found: list[Amount]) -> bool:
    """Whether ``amount`` is a single thing the question asks about that nothing counts: "how many days will
    *one bag* last?" of "a bag holds 60 cups" (the rate is per bag already), "how many litres for *one coat*?"
    (no other amount is of coats). "How much does one yogurt cost?" of "3 yogurts for $2" counts yogurts."""
    if not (amount.asked and amount.value == 1 and len(amount.unit.sizes) == 1):
        return False
    noun, exponent, _ = amount.unit.sizes[0]
    if noun in DIMENSIONS or exponent != 1:
        return False
    return not any(
        dim == noun and exp > 0 for other in found if other is not amount for dim, exp, _ in other.unit.sizes
    )


def _one_period_asked(question: str, found: list[Amount]) -> list[Amount]:
    """The length of the one period a question asks over, in the smaller period its one rate runs per ("5.5
    km every day. How far in a week?": 7 days), where the calendar fixes it and nothing else counts time;
    else nothing. An hour's rate over a day is left out: a day's work is not 24 hours."""
    asked = _IN_ONE_PERIOD.search(asked_sentence(question) or "")
    if asked is None:
        return []
    period = asked["period"].lower()
    dimension = _measured(period).sizes[0][0]  # months and years are measured apart from time
    if any(dim in {dimension, "time"} and exp > 0 for a in found for dim, exp, _ in a.unit.sizes):
        return []
    rates = {size for a in found for dim, exp, size in a.unit.sizes if dim == dimension and exp < 0}
    if len(rates) != 1:
        return []
    (rate,) = rates
    for smaller, larger in _CALENDAR:
        if larger == period and _measured(smaller).size == rate:
            return [Amount(str(CALENDAR_FACTORS[smaller, larger]), Unit(((dimension, 1, rate),)))]
    return []


def _measured(period: str) -> Unit:
    unit = measure(period)
    assert unit is not None
    return unit


_IN_ONE_PERIOD = re.compile(
    r"\b(?:in|over|for|during|across)\s+(?:an?|one|the\s+whole|a\s+whole|the\s+first|the\s+whole\s+first)\s+"
    r"(?P<period>week|hour|minute|year)\b",
    re.I,
)
_CALENDAR = (("day", "week"), ("minute", "hour"), ("second", "minute"), ("month", "year"))
"""The periods of :data:`graphs.planning.periods.CALENDAR_FACTORS` a rate is carried over: per day over a week,
per minute over an hour, per second over a minute, per month over a year (not per day over a year: leap
years)."""


def dimensional_follow_up(messages: Sequence[BaseMessage]) -> str | None:
    """The same reading for a follow-up, its previous result one of the amounts in the unit the previous
    question asked ("gas is $3.60 a gallon, what does the trip cost?" after 12.5 gallons -> ``12.5*3.6``;
    "and 750 g of ham at $22/kg?" after a cost -> ``750*22/1000``), or None. A follow-up that names no unit
    asks in the previous question's."""
    previous = previous_question_and_result(messages)
    if previous is None:
        return None
    asked_before, result = previous
    before = asked_unit(asked_before)
    question = _AT_THAT_PRICE.sub(" ", messages[-1].text)  # "at that price each": each is the price's
    found = amounts(question)
    if not found and before is None and (carried := _carried_unit(messages)):
        asked_before, before = carried  # "and if I watch it 4 times?" carried the minutes asked before on
    if before is None or (EACH, -1) in before.powers:
        return None
    if not found:
        return _result_converted(question, asked_before, result, before)
    named = asked_unit(question)
    asked = named or Unit(tuple(size for size in before.sizes if size[1] > 0))
    if named is None and (per := _PER_ASKED.search(question)) and (over := measure(per["unit"])):
        asked = asked.over(over)  # "what's that per hour?" of a pay: money per hour
    if not asked.sizes:
        return None
    sized = _sized(before, asked_before)
    if sized is not None and (left_out := _left_out_of_result(question, result, sized, found)):
        return solved(question, left_out, asked)  # "we'll leave a 3 m gap for the gate": (39-3)*18.4
    if sized is not None and (rest := _rest_of_whole(question, asked_before, result, sized)):
        return solved(question, [rest, *found], asked)  # "to fill it the rest of the way": (60-45) litres
    if sized is not None and (left := _left_of_new_whole(question, result, sized, found, asked)):
        return left  # "I only have a 1 kg bag. How many grams will be left?" after 625 g: 1*1000-625
    if sized is not None and (converted := _by_factor_given(question, result, sized, found, asked)):
        return converted  # "how many miles is that? use 1 mile = 1.6 km" after 216 km: 216/1.6
    if sized is not None and _UNTIL.search(question) and len(found) == 1:
        # "how many more weeks until it hits 50 cm?" after 32 cm: at the rate the previous question gave
        rates = [
            amount
            for amount in amounts(asked_before) or []
            if any(exp < 0 for _, exp, _ in amount.unit.sizes)
        ]
        found = [*found, *rates] if len(rates) == 1 else found
    until = (
        solved(question, [Amount(result, sized), *found], asked)
        if sized is not None and _UNTIL.search(question) and len(found) == 2
        else None
    )
    if until:
        return until  # "how many weeks to get back up to $3,200 if I save $90 a week?" after 2570: from it on
    per_result = sized is not None and any(
        (dim, -exp, size) in sized.sizes
        for amount in found
        for dim, exp, size in amount.unit.sizes
        if exp < 0
    )  # "my stride is 0.75 m" after 42000 steps: per step of the result, not a length alone
    if not _TOGETHER.search(question) and not per_result and (alone := solved(question, found, asked)):
        return alone  # the same question again about other amounts: "and 750 g of ham at $22/kg?"
    return solved(question, [Amount(result, sized), *found], asked) if sized is not None else None


def _left_out_of_result(question: str, result: str, sized: Unit, found: list[Amount]) -> list[Amount] | None:
    """The follow-up's amounts with its one amount of the previous result's unit taken off that result, where
    the words leave it out ("Fencing is €18.40 a metre and we'll leave a 3 m gap for the gate" after 39 m:
    ``(39-3)`` metres at €18.40); else None."""
    if not _LEAVES_OUT.search(question):
        return None
    same = [amount for amount in found if amount.unit == sized and not amount.change and amount.per == 1]
    if len(same) != 1 or len(found) < 2:
        return None
    (gap,) = same
    value = Fraction(result) - gap.value
    if value <= 0:
        return None
    rest = [amount for amount in found if amount is not gap]
    return [Amount(f"({result}-{gap.written})", sized, exact=value), *rest]


def _rest_of_whole(question: str, asked_before: str, result: str, sized: Unit) -> Amount | None:
    """What is left of the previous question's one whole once its result is taken, where the follow-up asks
    for the rest ("The tank holds 60 litres and is three quarters full: how many litres are in it?", 45,
    then "to fill it the rest of the way at 1.85 a litre?" -> ``(60-45)`` litres); else None."""
    if not _REST_ASKED.search(question) or any(exp < 0 for _, exp, _ in sized.sizes):
        return None  # a speed or a price has no rest
    value = Fraction(result)
    larger = [
        number for number in numbers_in(number_words_to_digits(asked_before)) if Fraction(number) > value
    ]
    if len(larger) != 1:
        return None
    (whole,) = larger
    return Amount(f"({whole}-{result})", sized, exact=Fraction(whole) - value)


def _left_of_new_whole(
    question: str, result: str, sized: Unit, found: list[Amount], asked: Unit
) -> str | None:
    """What is left of the follow-up's one whole once the previous result is taken from it ("I only have a
    1 kg bag. How many grams will be left?" after 625 g of flour: ``1*1000-625``), in the unit asked; None
    when the follow-up asks no rest, gives other amounts, or the whole is smaller than the result."""
    if not _LEFT_ASKED.search(question) or len(found) != 1 or asked.powers != sized.powers:
        return None
    (whole,) = found
    if whole.unit.powers != sized.powers or whole.change or whole.per != 1:
        return None
    taken = Fraction(result) * sized.size
    if whole.value * whole.unit.size < taken:
        return None
    expression, _ = _written([whole], [whole.unit], (1,), asked)
    used = _written([Amount(result, sized)], [sized], (1,), asked)[0]
    return f"{expression}-{used}"


_LEFT_ASKED = re.compile(r"\b(?:left(?:\s+over)?|leftover|remain|remains|remaining)\b", re.I)
"""A follow-up asking what is left of a whole it names: "How many grams will be left?"."""


def _by_factor_given(question: str, result: str, sized: Unit, found: list[Amount], asked: Unit) -> str | None:
    """The previous result converted with the factor the follow-up gives ("how many miles is that? use 1
    mile = 1.6 km" after 216 km: ``216/1.6``, not the exact 1.609344 km a mile), or None. The user's
    factor is what they asked to be used, so it stands in for the exact one."""
    equation = _FACTOR_GIVEN.search(question)
    if equation is None or len(found) != 2 or asked.powers != sized.powers:
        return None
    one, other = found
    if (
        one.value != 1
        or not other.value
        or one.unit.powers != sized.powers
        or other.unit.powers != sized.powers
    ):
        return None
    # a result in the unit of the "1" is multiplied by the other number; one in the other unit divided by it
    operations = {one.unit.size: "*", other.unit.size: "/"}
    if len(operations) != 2 or {sized.size, asked.size} != set(operations):
        return None
    return f"{result}{operations[sized.size]}{other.written}"


_FACTOR_GIVEN = re.compile(
    r"\b(?:1|one|an?)\s+[a-z]+\s*(?:=|is(?:\s+(?:about|roughly|around))?|equals)\s*\d", re.I
)
"""A follow-up stating the factor between two units: "use 1 mile = 1.6 km", "if an inch is 2.5 cm"."""


_REST_ASKED = re.compile(
    r"\b(?:the\s+rest(?:\s+of\s+the\s+way)?|the\s+remaining(?!\s+\d)|what(?:'s|\s+is)\s+left\s+to|top\s+it\s+up|fill\s+it\s+up)\b",
    re.I,
)
"""A follow-up asking about the rest of a whole: "fill it the rest of the way", "top it up"."""
_LEAVES_OUT = re.compile(
    r"\b(?:gap|gaps|leave|leaving|except|excluding|without|minus|not\s+counting|take\s+off|subtract|less)\b",
    re.I,
)
"""A follow-up leaving part of the previous result out: "leave a 3 m gap", "not counting the 2 hours"."""
_AT_THAT_PRICE = re.compile(r"\bat\s+(?:that|this|the\s+same)\s+(?:price|rate|cost)(?:\s+each)?\b", re.I)
_PER_ASKED = re.compile(r"\b(?:per|an?|each)\s+(?P<unit>[a-z]+)\W*$", re.I)


def _sized(unit: Unit, question: str) -> Unit | None:
    """``unit`` with each part of no size ("how far": some length) in the smallest unit of its dimension that
    ``question`` used (225 for "90 km/h ... how far in 2.5 hours" is in km), or None where it used none."""
    sizes = []
    for dimension, power, size in unit.sizes:
        if size == 0:
            used = _sizes_of(amounts(question) or [], dimension)
            if not used:
                return None
            size = min(used)
        sizes.append((dimension, power, size))
    return Unit(tuple(sizes))


def _result_converted(question: str, asked_before: str, result: str, before: Unit) -> str | None:
    """The previous result in the unit a follow-up without amounts of its own asks it in ("how many hours is
    that?" after 240 for "how long do I cook it, 40 min per kg plus 20 min": ``240/60``), or None. "How long"
    asked before is in the smallest unit of time that question used."""
    asked = asked_unit(question)
    if asked is None or len(asked.sizes) != 1 or not _THAT.search(question):
        return None
    ((dimension, power, size),) = asked.sizes
    earlier = [earlier for dim, exp, earlier in before.sizes if (dim, exp) == (dimension, power)]
    if len(earlier) != 1 or size == 0:
        return None
    sized = _sized(Unit(((dimension, power, earlier[0]),)), asked_before)
    if sized is None or sized.size_of(dimension) == size:
        return None
    return solved(question, [Amount(result, sized)], asked)


_THAT = re.compile(r"\b(?:that|it|this)\b|^\W*(?:(?:and|so|ok|now)\s+)?(?:in|into)\s+[a-z]+\W*$", re.I)
"""A follow-up asking about the previous result ("how many hours is that?", "in kg?")."""


def _carried_unit(messages: Sequence[BaseMessage]) -> tuple[str, Unit] | None:
    """The question, and the unit it asked, of a result that the follow-ups since carried on without naming a
    unit ("A movie is 2 hours 15 minutes long. How many minutes is that?", then "and if I watch it 4 times?":
    ``135*4`` is in minutes); None when a turn between computed without the result before it."""
    conversation = list(messages)
    for _ in range(_CARRIED_TURNS):
        previous = previous_turn(conversation)
        if previous is None:
            return None
        question, turn = previous
        start = len(conversation) - 1 - len(turn)
        # "ok what about for 10 servings" asked what its question restated asks: "How much flour ... for 10 servings?"
        question = restated_question(conversation[: start + 1]) or question
        if (unit := asked_unit(question)) is not None:
            return question, unit
        calls = [
            call["args"]
            for message in turn
            if isinstance(message, AIMessage)
            for call in message.tool_calls
            if call["name"] == "calculator"
        ]
        earlier = previous_calculator_result(conversation[: start + 1])
        expression = str(next(iter(calls[-1].values()), "")) if calls else ""
        if earlier is None or Fraction(earlier) not in expression_values(expression):
            return None
        conversation = conversation[: start + 1]
    return None


_CARRIED_TURNS = 4
"""How many follow-ups back a result's unit is looked for."""


_TOGETHER = re.compile(
    r"\b(?:total|altogether|together|also|too|in\s+all|plus|both|overall|combined)\b", re.I
)


def solved(question: str, found: list[Amount], asked: Unit) -> str | None:
    """The calculation of ``found`` into the ``asked`` unit, ``question``'s words deciding between readings
    (see :func:`dimensional_expression`), or None."""
    if any(size == 0 for _, _, size in asked.sizes):  # "how long": in the question's smallest unit of time
        dimension = asked.sizes[0][0]
        sizes = _sizes_of(found, dimension)
        if not sizes and dimension == "time":  # "how long is the fence?": a length
            dimension, sizes = "length", _sizes_of(found, "length")
        if not sizes:
            return None
        asked = Unit(((dimension, 1, min(sizes)),))
    if not 1 <= len(found) <= 6 or any(amount.value in (0, 1) for amount in found):
        return None  # "How much does one yogurt cost?": a "one" that says per what, not an amount
    found = _prices_of_one_thing_added(found)
    money = any(dim == "money" for dim, _ in asked.powers)
    if any(_bare(amount) for amount in found) and not money:
        return None
    units = _without_lone_ones(
        [_as_money(amount.unit) if _bare(amount) else amount.unit for amount in found], asked
    )
    if len(found) == 1:
        # one amount asked in another unit of its kind: "convert 5 feet 9 inches to centimetres"
        (amount,), (unit,) = found, units
        if unit == asked and (total := _listed_total(question, amount)):
            return total  # "5 km on Monday and 3 km on Tuesday: how far in total?"
        if unit.powers != asked.powers or amount.change or (unit.size == asked.size and amount.per == 1):
            return None
        return _written(found, units, (1,), asked)[0]
    if kinds := (
        _priced_kinds(found, units, asked)
        or _until_reached(question, found, units, asked)
        or _rest_of_like(question, found, units, asked)
        or _sum_shared(question, found, units, asked)
        or _rates_compared(question, found, units, asked)
    ):
        return kinds
    targets = _targets(asked, units)
    stated = _SPENT_ASKED.sub(" ", question)
    takes_only = _TAKES.search(stated) and not (_ADDS.search(stated) or _COMPARES.search(question))
    if takes_only and (several := _several_taken(found, units, targets)):
        return several  # "$3,200; I take out $450 for rent and $180 for groceries: how much is left?"
    # units by name first ("38 hours a week" is hours per week), then by dimension (kilograms and grams meet)
    for within, named in itertools.product((targets, _per_period(targets, units)), (True, False)):
        candidates = _products(found, units, within, named=named)
        if len(candidates) > 1 and all(dim != "time" for unit in (asked, *units) for dim, _, _ in unit.sizes):
            # "3 apples cost $2: how much do 12 apples cost?" is 2*12/3, not 2*3/12: what the question asks
            # about multiplies (not where a time is given or asked: "8 pipes fill it in 6 hours: in 4?")
            candidates = _products(found, units, within, named=named, asked_multiplies=True)
        if len(candidates) == 1:
            ((value, expression),) = candidates.items()
            return _whole(expression, value, asked, question)
        if candidates:
            return None
    return _start_and_change(question, found, units, targets)


def _sum_shared(question: str, found: list[Amount], units: list[Unit], asked: Unit) -> str | None:
    """A sum of money shared by the people counted, asked per person ("Three of us share a cabin at $135 a night
    for 4 nights plus a $60 cleaning fee: how much does each pay?" -> ``(135*4+60)/3``), or None."""
    people = [index for index, unit in enumerate(units) if unit.sizes == (("person", 1, Fraction(1)),)]
    if asked.powers != MONEY.over(Unit(((EACH, 1, Fraction(1)),))).powers or len(people) != 1:
        return None
    others = [amount for index, amount in enumerate(found) if index != people[0]]
    plain = [amount for amount in others if amount.unit == MONEY and amount.per == 1 and not amount.change]
    own = [amount for amount in others if amount.unit == MONEY.over(units[people[0]]) and amount.per == 1]
    if plain and own and len(plain) + len(own) == len(others):
        # "share a $96 bill equally and each adds a $4 tip": the bill shared, then each one's own
        shared = "+".join(amount.written for amount in plain)
        shared = f"({shared})" if len(plain) > 1 else shared
        return f"{shared}/{found[people[0]].written}+{'+'.join(amount.written for amount in own)}"
    if len(others) > 1 and len(plain) == len(others):
        # "splitting a $135 cabin rental and $48 worth of groceries": the sums of money add up
        return f"({'+'.join(amount.written for amount in others)})/{found[people[0]].written}"
    total = solved(question, others, MONEY)
    if total is None or not re.search(r"[-+]", total):
        return None  # a product alone is read as one: "$84 between 4 of us" is 84/4
    return f"({total})/{found[people[0]].written}"


def _rates_compared(question: str, found: list[Amount], units: list[Unit], asked: Unit) -> str | None:
    """The difference between a rate given and the same rate the other amounts make, where a saving or a
    difference per thing is asked ("A box of 12 pens costs $7.80, or 75 cents each singly: how much do I save
    per pen buying the box?" -> ``0.75-7.8/12``), or None."""
    if not _RATE_DIFFERENCE_ASKED.search(question) or not any(exp < 0 for _, exp, _ in asked.sizes):
        return None
    given = [index for index, unit in enumerate(units) if unit.powers == asked.powers]
    if len(given) != 1 or len(found) < 3:
        return None
    rate = found[given[0]]
    others = [
        (amount, unit)
        for index, (amount, unit) in enumerate(zip(found, units, strict=True))
        if index != given[0]
    ]
    made = _products([amount for amount, _ in others], [unit for _, unit in others], [asked])
    if len(made) != 1:
        return None
    ((value, expression),) = made.items()
    given_written, given_value = _written([rate], [units[given[0]]], (1,), asked)
    if given_value == value:
        return None
    return f"{given_written}-{expression}" if given_value > value else f"{expression}-{given_written}"


_RATE_DIFFERENCE_ASKED = re.compile(
    r"\b(?:save|saving|cheaper|dearer|more\s+expensive|less\s+expensive|difference)\b.*\bper\b"
    r"|\bper\s+\w+\b.*\b(?:save|saving|cheaper|difference)\b",
    re.I,
)


def _until_reached(question: str, found: list[Amount], units: list[Unit], asked: Unit) -> str | None:
    """The periods a rate takes from a start to a goal in the same unit ("$1,200 bike, $360 saved, $70 a week:
    how many weeks until I have enough?" -> ``(1200-360)/70``; a pool of 900 L with 180 L in it, filled at 12 L
    a minute), or None."""
    if len(found) != 3 or not _UNTIL.search(question) or any(a.change or a.per != 1 for a in found):
        return None
    rates = [index for index, unit in enumerate(units) if any(exp < 0 for _, exp, _ in unit.sizes)]
    if len(rates) != 1:
        return None
    rate, rate_unit = found[rates[0]], units[rates[0]]
    ends = [
        (amount, unit)
        for index, (amount, unit) in enumerate(zip(found, units, strict=True))
        if index != rates[0]
    ]
    (first, first_unit), (second, second_unit) = ends
    over = Unit(tuple((dim, -exp, size) for dim, exp, size in rate_unit.sizes if exp < 0))  # per what
    if first_unit != second_unit or rate_unit != first_unit.over(over) or asked != over:
        return None
    larger, smaller = (first, second) if first.value > second.value else (second, first)
    return f"({larger.written}-{smaller.written})/{rate.written}"


def _rest_of_like(question: str, found: list[Amount], units: list[Unit], asked: Unit) -> str | None:
    """The rest of a whole that part is done of, computed on as the other amounts say ("24 months at $35 a month
    and I've already paid 8 months: how much do I still have to pay?" -> ``(24-8)*35``; "his book has 400 pages
    and he has already read 150; 25 pages a day: how many more days?" -> ``(400-150)/25``), or None."""
    if len(found) < 3 or not _DONE_SO_FAR.search(question):
        return None
    plain = [
        index
        for index, (amount, unit) in enumerate(zip(found, units, strict=True))
        if amount.per == 1 and not amount.change and all(exp > 0 for _, exp, _ in unit.sizes)
    ]
    pairs = [(a, b) for a in plain for b in plain if a < b and units[a] == units[b]]
    if len(pairs) != 1:
        return None
    first, second = pairs[0]
    whole, done = sorted((found[first], found[second]), key=lambda amount: -amount.value)
    if whole.value == done.value:
        return None
    rest = Amount(f"({whole.written}-{done.written})", units[first], exact=whole.value - done.value)
    others = [amount for index, amount in enumerate(found) if index not in (first, second)]
    return solved(question, [rest, *others], asked)


_DONE_SO_FAR = re.compile(
    r"\b(?:already|so\s+far|still|remaining|the\s+rest|left\s+to|to\s+go)\b", re.IGNORECASE
)
"""A whole with part of it done: "I've already paid 8 months", "how much do I still have to pay?"."""
_UNTIL = re.compile(
    r"\b(?:until|till|before|to\s+reach|to\s+have|to\s+save\s+up|to\s+afford|enough|to\s+fill|is\s+full"
    r"|to\s+get\s+(?:back\s+)?(?:up\s+)?to)\b",
    re.I,
)


def _priced_kinds(found: list[Amount], units: list[Unit], asked: Unit) -> str | None:
    """Each kind's price times its count, added, with any sums of money as they stand ("$18 per student and
    $25 per adult: 32 students and 4 adults" -> ``18*32+25*4``); None unless every amount is one of those and
    two kinds or more are priced."""
    if asked != MONEY or any(amount.change or amount.per != 1 for amount in found):
        return None
    prices = {
        kind: amount
        for amount, unit in zip(found, units, strict=True)
        if len(unit.sizes) == 2 and unit.sizes[0] == MONEY.sizes[0]
        for kind, exponent, size in unit.sizes[1:]
        if exponent == -1 and size == 1 and kind not in DIMENSIONS
    }
    counts = {
        unit.sizes[0][0]: amount for amount, unit in zip(found, units, strict=True) if _counts_a_kind(unit)
    }
    sums = [amount for amount, unit in zip(found, units, strict=True) if unit == MONEY]
    if len(prices) < 2 or set(prices) != set(counts) or len(prices) + len(counts) + len(sums) != len(found):
        return None
    return "+".join(
        [f"{price.written}*{counts[kind].written}" for kind, price in prices.items()]
        + [amount.written for amount in sums]
    )


def _counts_a_kind(unit: Unit) -> bool:
    return (
        len(unit.sizes) == 1 and unit.sizes[0][1:] == (1, Fraction(1)) and unit.sizes[0][0] not in DIMENSIONS
    )


def _prices_of_one_thing_added(found: list[Amount]) -> list[Amount]:
    """``found`` with the prices per one same thing added into one ("$65 each plus a $7.50 booking fee per
    ticket" -> ``(65+7.5)`` per ticket): each is paid for every one of them."""
    priced: dict[tuple, list[Amount]] = {}
    for amount in found:
        powers = dict(amount.unit.powers)
        if powers.get("money") == 1 and len(powers) == 2 and not amount.change and amount.per == 1:
            priced.setdefault(amount.unit.sizes, []).append(amount)
    merged = []
    for amount in found:
        same = priced.get(amount.unit.sizes, [])
        if len(same) < 2:
            merged.append(amount)
        elif amount is same[0]:
            total = sum((other.value for other in same), Fraction(0))
            written = "(" + "+".join(other.written for other in same) + ")"
            merged.append(replace(amount, written=written, exact=total))
    return merged


def _sizes_of(found: list[Amount], dimension: str) -> list[Fraction]:
    """The sizes of the units of ``dimension`` itself (a km, not a litre's cube of length) the amounts use."""
    return [
        size for amount in found for dim, exp, size in amount.unit.sizes if dim == dimension and abs(exp) == 1
    ]


_ROUNDS_DOWN = re.compile(r"\b(?:can|could|afford|fill|make|possible)\b", re.I)
_ROUNDS_UP = re.compile(r"\b(?:need|needed|buy|required|order|rent|hire|have\s+to|must|at\s+least)\b", re.I)


def _whole(expression: str, value: Fraction, asked: Unit, question: str) -> str | None:
    """``expression``, or where it counts things that come whole (boxes, buses) and is not whole, rounded as
    the question says: up for what is needed ("how many boxes do I need"), down for what can be had ("how
    many tickets can I buy"); None when it does not say."""
    counted = [dim for dim, exp in asked.powers if dim not in DIMENSIONS and dim not in _KITCHEN_MEASURES]
    if value.denominator == 1 or len(asked.powers) != 1 or not counted:
        return expression
    return whole_count(expression, value, question)


_KITCHEN_MEASURES = frozenset({"cup", "tablespoon", "teaspoon", "tbsp", "tsp", "spoon", "spoonful"})
"""Things counted that measure, in parts too: "1.875 cups of sugar" is an answer, not a count to round."""


def whole_count(expression: str, value: Fraction, question: str) -> str | None:
    """``expression`` of a count of things that come whole, rounded as ``question`` says where ``value`` is
    not whole: up for what is needed ("how many boxes do I need"), down for what can be had ("how many
    tickets can I buy"); None when it does not say."""
    if value.denominator == 1:
        return expression
    down, up = bool(_ROUNDS_DOWN.search(question)), bool(_ROUNDS_UP.search(question))
    if down == up:
        return None
    return f"{'floor' if down else 'ceil'}({expression})"


def _without_lone_ones(units: list[Unit], asked: Unit) -> list[Unit]:
    """``units`` without a counted thing that only one rate is per and nothing else counts: "A jacket is $80
    with 35% off: sale price?" is $80 for the one jacket the question is about."""
    named = [dim for unit in units for dim, _, _ in unit.sizes] + [dim for dim, _, _ in asked.sizes]
    lone = {
        dim
        for unit in units
        for dim, exp, _ in unit.sizes
        if exp == -1 and dim not in DIMENSIONS and named.count(dim) == 1
    }
    return [Unit(tuple(size for size in unit.sizes if size[0] not in lone)) for unit in units]


def _targets(asked: Unit, units: list[Unit]) -> list[Unit]:
    """The asked unit, or for "how much each" that unit per each counted thing of the question."""
    if (EACH, -1) not in asked.powers:
        return [asked]
    counted = {dim for unit in units for dim, exp in unit.powers if exp > 0 and dim not in DIMENSIONS}
    return [
        Unit(tuple((noun if dim == EACH else dim, exp, size) for dim, exp, size in asked.sizes))
        for noun in sorted(counted)
    ]


def _per_period(targets: list[Unit], units: list[Unit]) -> list[Unit]:
    """Each target per each period a rate of the question is given over (a week, a month)."""
    periods = {
        (dim, size) for unit in units for dim, exp, size in unit.sizes if exp < 0 and dim in {"time", "month"}
    }
    return [
        target.over(Unit(((dim, 1, size),)))
        for target in targets
        for dim, size in sorted(periods)
        if dim not in dict(target.powers)  # a speed asked is not per a further hour
    ]


def _products(
    found: list[Amount],
    units: list[Unit],
    targets: list[Unit],
    *,
    named: bool = False,
    asked_multiplies: bool = False,
) -> dict[Fraction, str]:
    """Every value, with its expression, that multiplying and dividing all ``found`` gives in a target unit;
    ``named``: units compared by name (hours and weeks differ), not only by dimension (both are time);
    ``asked_multiplies``: only the ways in which the amounts of the asking sentence multiply."""
    candidates: dict[Fraction, str] = {}
    powers = {_powers(target, named): target for target in targets}
    fixed = [amount.change or (asked_multiplies and amount.asked) for amount in found]
    for signs in itertools.product(*[(1,) if one else (1, -1) for one in fixed]):
        total = summed(
            [
                (dim, exp * sign)
                for unit, sign in zip(units, signs, strict=True)
                for dim, exp in _powers(unit, named)
            ]
        )
        if total in powers and 1 in signs:
            expression, value = _written(found, units, signs, powers[total])
            candidates.setdefault(value, expression)
    return candidates


_ADDS = re.compile(
    r"\b(?:grows?|growing|put(?:s|ting)?\s+(?:away|aside|in)|saves?|deposits?|adds?|gains?|increases?|rises?"
    r"|plus|extra|another|more|total|altogether|in\s+all|earns?)\b",
    re.I,
)
_SPENT_ASKED = re.compile(
    r"\bhow\s+much\s+(?:money\s+)?(?:did|do|does|will|would)\s+(?:\w+\s+){1,2}?(?:spend|pay)\b", re.I
)
_TAKES = re.compile(
    r"\b(?:spends?|spent|uses?|used|loses?|lost|leaks?|taken?\s+out|takes?\s+out|pays?\s+off|eats?|drinks?"
    r"|sells?|sold|gives?\s+away|left|remain\w*|minus|less|fewer|off|shrinks?|drops?|falls?|decreases?|withdraw\w*"
    r"|(?:were|was|are|is|got|get)\s+(?:damaged|broken|spoiled|spoilt|stolen|lost|returned|rotten|dented|faulty))\b",
    re.I,
)


_COMPARES = re.compile(
    r"\bhow\s+(?:many|much)\s+(?:more|less|fewer|longer|shorter)\b|\bthan\b"
    r"|\bhow\s+much\s+(?:\w+\s+){0,2}?(?:save|saving)\b",
    re.I,
)
"""A difference asked ("how many more litres to fill it?"): neither a start nor a change."""


def _start_and_change(
    question: str, found: list[Amount], units: list[Unit], targets: list[Unit]
) -> str | None:
    """One amount in the asked unit as it stands, and the product of the others added to it or taken from
    it as the question's verbs say; None when that is not one reading."""
    # "how much did she spend?" asks the whole spent: the things bought add up
    spent_asked = _SPENT_ASKED.search(question)
    stated = _SPENT_ASKED.sub(" ", question)
    adds, takes = bool(_ADDS.search(stated) or spent_asked), bool(_TAKES.search(stated))
    if adds == takes or _COMPARES.search(question):
        return None
    readings: dict[Fraction, str] = {}
    for index, (start, unit) in enumerate(zip(found, units, strict=True)):
        target = next((t for t in targets if t.powers == unit.powers), None)
        if target is None or start.per != 1 or start.change:
            continue
        scale = unit.size / target.size  # "3 kg" of a question asked in grams: 3*1000
        begin = start.value * scale
        written = start.written + (f"*{scale.numerator}" if scale.numerator != 1 else "")
        written += f"/{scale.denominator}" if scale.denominator != 1 else ""
        rest = [
            (amount, other)
            for position, (amount, other) in enumerate(zip(found, units, strict=True))
            if position != index
        ]
        if not rest:
            continue
        change = _products([amount for amount, _ in rest], [other for _, other in rest], [target])
        if len(change) != 1:
            continue
        ((value, expression),) = change.items()
        if adds:
            readings.setdefault(begin + value, f"{written}+{expression}")
        elif begin >= value:  # what is left is not negative: the start, less the change
            readings.setdefault(begin - value, f"{written}-{expression}")
        else:  # "$18.50 an hour for 32 hours, but $45 gets taken out"
            readings.setdefault(value - begin, f"{expression}-{written}")
    return next(iter(readings.values())) if len(readings) == 1 else None


def _several_taken(found: list[Amount], units: list[Unit], targets: list[Unit]) -> str | None:
    """The first amount less the others, where all are plain amounts of the unit asked and the first is at
    least their sum ("has $3,200 ... take out $450 for rent and $180 for groceries" -> ``3200-450-180``), or
    None."""
    if len(found) < 3 or any(amount.change or amount.per != 1 or amount.asked for amount in found):
        return None
    target = next((t for t in targets if t.powers == units[0].powers), None)
    if target is None or any(unit != units[0] for unit in units):
        return None
    start, *taken = found
    if start.value < sum(amount.value for amount in taken):
        return None
    scale = units[0].size / target.size
    written = "-".join(amount.written for amount in found)
    return written if scale == 1 else f"({written})*{format_value(scale)}"


def _powers(unit: Unit, named: bool) -> Powers:
    if not named:
        return unit.powers
    return summed([(f"{dim}:{size}", exp) for dim, exp, size in unit.sizes])


def _bare(amount: Amount) -> bool:
    """An amount written without a unit of its own, only a rate's ("2.40 a kilo"): a price."""
    return not amount.change and all(exp < 0 for _, exp, _ in amount.unit.sizes)


def _as_money(unit: Unit) -> Unit:
    return Unit(MONEY.sizes + unit.sizes)


def _written(
    amounts_: list[Amount], units: list[Unit], signs: tuple[int, ...], asked: Unit
) -> tuple[str, Fraction]:
    """The amounts multiplied (sign 1) and divided (-1) as written, then the one factor that converts the
    result to the unit asked (``24*18/1000`` for €24 a kilo and 18 g a cup), and the value."""
    multiplied: list[str] = []
    divided: list[str] = []
    written = Fraction(1)
    exact = Fraction(1)
    for amount, unit, sign in zip(amounts_, units, signs, strict=True):
        term = amount.written if amount.per == 1 else f"{amount.written}/{format_value(amount.per)}"
        worth = amount.value / amount.per
        written *= worth if sign == 1 else 1 / worth
        exact *= worth * unit.size if sign == 1 else 1 / (worth * unit.size)
        if sign == 1:
            multiplied.append(term)
        else:
            divided.append(term if amount.per == 1 else f"({term})")
    exact /= asked.size
    factor = exact / written
    if factor.numerator != 1:
        multiplied.append(str(factor.numerator))
    if factor.denominator != 1:
        divided.append(str(factor.denominator))
    # what multiplies first, then what divides: "5*1000/200", not "1/200*5*1000"
    expression = "*".join(multiplied) + "".join(f"/{term}" for term in divided)
    return expression, exact
