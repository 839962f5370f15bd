"""Amounts and their units: a calculation must come out in the unit the question asks for.

"A bread recipe needs 450 g of flour per loaf. How many grams of flour do I need for 6 loaves?" asks for
grams. 450 g per loaf times 6 loaves is grams; the adapter's ``450/6`` is grams per loaf. Every amount of a
word problem carries a unit: a measure (g, km, litres, hours), money ($, €, cents), a rate of them ("450 g
per loaf", "8 L per 100 km", "a kilo of beans is €24") or a count of things ("6 loaves", "3 of us"). The unit
of a product or quotient is the product or quotient of the units, so among the ways to multiply and divide
all of a question's amounts, usually one gives the unit asked for: dimensional analysis, as a physicist checks
a formula. Where the adapter's line gives a different value and exactly one value has the asked unit, that
one is the calculation (:func:`dimensional_expression`); anything else, and every question this reading does
not fully understand (a number with no unit, a percentage, a clock time, a sum), stands.

Written by hand because no library we have reads units from English sentences (``pint`` parses "450 g", not
"450 g of flour per loaf"); the factors between units are exact (an inch is 2.54 cm by definition).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from langchain_core.messages import BaseMessage

from graphs.planning.percent_direction import about_earnings, percent_sign
from graphs.planning.rules import (
    DECIMAL,
    format_value,
    number_words_to_digits,
    previous_calculator_result,
    previous_turn,
    singular,
)

Powers = tuple[tuple[str, int], ...]
"""A unit as its dimensions and their exponents, sorted: km per litre is ``(("length", -2),)``."""

_MEASURES: dict[str, tuple[str, int, Fraction, str]] = {
    # name: (dimension, exponent, size in the dimension's base unit, spellings)
    "millimetre": ("length", 1, Fraction(1, 1000), r"millimet(?:re|er)s?|mm"),
    "centimetre": ("length", 1, Fraction(1, 100), r"centimet(?:re|er)s?|cm"),
    "kilometre": ("length", 1, Fraction(1000), r"kilomet(?:re|er)s?|kms?"),
    "square metre": ("length", 2, Fraction(1), r"square\s+met(?:re|er)s?|sq\.?\s*m|m²|m2"),
    "cubic metre": ("length", 3, Fraction(1), r"cubic\s+met(?:re|er)s?|m³|m3"),
    "metre": ("length", 1, Fraction(1), r"met(?:re|er)s?|m"),
    "inch": ("length", 1, Fraction(254, 10000), r"inch(?:es)?|in\."),
    "foot": ("length", 1, Fraction(3048, 10000), r"feet|foot|ft"),
    "mile": ("length", 1, Fraction(1609344, 1000), r"miles?|mi"),
    "millilitre": ("length", 3, Fraction(1, 10**6), r"millilit(?:re|er)s?|ml"),
    "litre": ("length", 3, Fraction(1, 1000), r"lit(?:re|er)s?|l"),
    "gallon": ("length", 3, Fraction(3785411784, 10**12), r"gallons?|gal"),
    "milligram": ("mass", 1, Fraction(1, 1000), r"milligrams?|mg"),
    "kilogram": ("mass", 1, Fraction(1000), r"kilograms?|kilos?|kgs?"),
    "gram": ("mass", 1, Fraction(1), r"grams?|g"),
    "tonne": ("mass", 1, Fraction(10**6), r"tonnes?"),
    "second": ("time", 1, Fraction(1), r"seconds?|secs?"),
    "minute": ("time", 1, Fraction(60), r"minutes?|mins?"),
    "hour": ("time", 1, Fraction(3600), r"hours?|hrs?|h"),
    "day": ("time", 1, Fraction(86400), r"days?"),
    "week": ("time", 1, Fraction(604800), r"weeks?"),
    "month": ("month", 1, Fraction(1), r"months?"),
    "year": ("month", 1, Fraction(12), r"years?"),
    "cent": ("money", 1, Fraction(1, 100), r"cents?|pence"),
    "dollar": ("money", 1, Fraction(1), r"dollars?|bucks?|euros?|quid"),
}
_MEASURE = re.compile(rf"(?:{'|'.join(spelling for *_, spelling in _MEASURES.values())})(?![\w²³])", re.I)
_CURRENCY = "$€£¥"
_PEOPLE = {"us", "you", "them", "people", "person", "friend", "friends", "guests", "guest"}
_MODIFIERS = {
    "more", "extra", "equal", "whole", "full", "single", "separate", "identical", "different", "new", "old",
    "other", "small", "large", "big", "same", "total", "additional", "empty", "similar", "spare",
}  # fmt: skip
_NOT_NOUNS = {
    "and", "or", "of", "to", "in", "on", "at", "for", "by", "with", "from", "into", "per", "a", "an", "the",
    "each", "every", "is", "are", "was", "were", "be", "it", "that", "this", "than", "then", "so", "if",
    "but", "times", "x", "long", "wide", "high", "deep", "tall", "away", "off", "left", "more", "less",
    "how", "what", "which", "i", "we", "he", "she", "they", "my", "our", "your", "their", "his", "her",
}  # fmt: skip


@dataclass(frozen=True)
class Unit:
    """A unit: its powers of dimensions, and the size of each dimension's unit in that dimension's base."""

    sizes: tuple[tuple[str, int, Fraction], ...]  # (dimension, exponent, size of the unit written)

    @property
    def powers(self) -> Powers:
        return _summed([(dim, exp) for dim, exp, _ in self.sizes])

    def over(self, other: Unit) -> Unit:
        return Unit(self.sizes + tuple((dim, -exp, size) for dim, exp, size in other.sizes))


@dataclass(frozen=True)
class Amount:
    """An amount of the question: the number as written, what it is per (8 L per *100* km) and its unit."""

    written: str
    unit: Unit
    per: Fraction = Fraction(1)
    exact: Fraction | None = None
    """The value of what is written, where that is not a plain number ("(2*60+30)" minutes: 150)."""
    change: bool = False
    """A percentage change ("(1-35/100)" for 35% off): it multiplies, it never divides."""

    @property
    def value(self) -> Fraction:
        return Fraction(self.written) if self.exact is None else self.exact


def _measure(word: str) -> Unit | None:
    for dimension, exponent, size, spelling in _MEASURES.values():
        if re.fullmatch(spelling, word, re.I):
            return Unit(((dimension, exponent, size),))
    return None


def _noun_unit(text: str) -> tuple[Unit, int] | None:
    """The unit that ``text`` starts with (a measure, money or a counted thing) and where it ends."""
    if match := re.match(rf"\s*({_MEASURE.pattern})", text, re.I):
        unit = _measure(match[1])
        assert unit is not None
        return unit, match.end()
    match = re.match(r"\s*(?:of\s+)?(?:(?:" + "|".join(_MODIFIERS) + r")\s+)?([a-z]+)\b", text, re.I)
    if match is None or match[1].lower() in _NOT_NOUNS:
        return None
    word, end = match[1].lower(), match.end()
    head = re.match(r"\s+([a-z]+s)\b", text[end:], re.I)
    if head and not word.endswith("s") and head[1].lower() not in _NOT_NOUNS:
        word, end = head[1].lower(), end + head.end()  # "14 tomato plants": the head noun is the last
    noun = "person" if word in _PEOPLE else singular(word)
    return Unit(((noun, 1, Fraction(1)),)), end
    return None


_RATE = re.compile(
    rf"\s*(?:of(?:\s+[a-z]+){{1,3}}?\s+)?(?:(?:per|an?|each|every)\b|/)\s*(?P<per>{DECIMAL})?\s*(?=[a-z])",
    re.I,
)
_BEFORE_RATE = re.compile(
    r"\b(?:an?|one|each|every|per)\s+(?:[a-z]+\s+){0,2}?(?P<noun>[a-z]+)(?:\s+of(?:\s+[a-z]+){1,3}?)?"
    r"\s+(?:is|are|costs?|makes|needs|takes|holds|weighs|covers|uses|gives|does|runs|sells\s+for|=)\s*$",
    re.I,
)


def amounts(question: str) -> list[Amount] | None:
    """Every number of ``question`` with its unit, or None when one has no unit this reading knows."""
    text = number_words_to_digits(question)
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    text = re.sub(r"\s+([²³])", r"\1", text)  # "54 m ²", as the number reader spaced it
    text = re.sub(r"\(\s*[^()]*=[^()]*\)", " ", text)  # "(1 inch = 2.54 cm)": a definition, known already
    if re.search(r"\d\s*:\s*\d", text) or _WORDED_SHARE.search(text):
        return None  # a clock time; "a quarter of it", "twice as many": amounts written as words
    changes = _percentage_changes(text)
    if changes is None:
        return None
    text = _PERCENT.sub(" ", text)
    found: list[Amount] = []
    last_count: Unit | None = None
    consumed = 0  # the end of the last rate read: "8 L/100 km" is one amount, not two
    per_one: Unit | None = None  # "one litre of paint covers 12 m²": what the next amount is per
    for match in re.finditer(rf"(?P<sign>[{_CURRENCY}]\s*)?(?<![\d.])(?P<number>{DECIMAL})(?!\.?\d)", text):
        if match.start() < consumed:
            continue
        rest = text[match.end() :]
        if match["sign"]:
            unit, end = Unit((("money", 1, Fraction(1)),)), 0
        elif named := _noun_unit(rest):
            unit, end = named
        else:
            unit, end = Unit(()), 0  # a bare number: money, when a rate or the question says so
        per = Fraction(1)
        after = rest[end:]
        if match["number"] == "1" and end and _ONE_GIVES.match(after):
            per_one, consumed = unit, match.end() + end
            continue
        if compound := _compound(match["number"], unit, after):
            number, unit, length, exact = compound  # "2 hours 30 minutes" -> (2*60+30) minutes
            consumed = match.end() + end + length
            after = after[length:]
        else:
            number, exact = match["number"], None
        counted_rate = False
        if rate := _RATE.match(after):
            per = Fraction(rate["per"]) if rate["per"] else Fraction(1)
            over = _noun_unit(after[rate.end() :])
            if over is None:
                return None
            unit = unit.over(over[0])
            consumed = match.end() + end + rate.end() + over[1]
            counted_rate = over[0].sizes[0][0] not in _DIMENSIONS
        elif re.match(r"\s*(?:each|apiece|a\s+piece)\b", after, re.I):
            subject = _SUBJECT.search(text[: match.start()])
            each = last_count or (_noun_unit(subject[1]) if subject else None)
            if each is None:
                return None  # "$65 each": each of what the words do not say
            unit = unit.over(each if isinstance(each, Unit) else each[0])  # "3 pizzas, 8 slices each"
            counted_rate = True
        elif (within := _WITHIN.match(after)) and not re.match(
            rf"\s*(?:and\s+)?{DECIMAL}", after[within.end() :]
        ):
            time = _measure(within["unit"])  # "270 km in 3 hours": a rate, per 3 hours
            assert time is not None
            unit, per = unit.over(time), Fraction(within["amount"])
            consumed = match.end() + end + within.end()
        elif re.match(r"\s*/", after):
            return None
        if (holder := _HOLDER.search(text[: match.start()])) and (held := _noun_unit(holder[1])):
            unit, counted_rate = unit.over(held[0]), True  # "3 boxes of 12 pens", "pieces of 80 cm"
        if per_one is not None:
            unit, per_one, counted_rate = unit.over(per_one), None, True
        if not counted_rate and (before := _BEFORE_RATE.search(text[: match.start()])):
            over = _noun_unit(before["noun"])
            if over is None:
                return None
            unit = unit.over(over[0])  # "a kilo of beans is €24", "each plant needs 1.5 litres"
        if not unit.sizes:
            return None
        if len(unit.sizes) == 1 and unit.sizes[0][0] not in _DIMENSIONS:
            last_count = unit
        found.append(Amount(number, unit, per, exact))
    return found + changes


_WORDED_SHARE = re.compile(
    r"\b(?:half|halves|thirds?|quarters?|fifths?|sixths?|eighths?|tenths?|twice|double|triple|thrice)\b", re.I
)
_PERCENT = re.compile(rf"(?<![\d.])(?P<percent>{DECIMAL})\s*(?:%|percent\b|per\s*cent\b)", re.I)
_PART_ASKED = re.compile(
    r"\bhow\s+much\s+(?:is|was|will|would|do|does|did)\s+(?:the|my|our|i|we|you)\s+(?:\w+\s+)?"
    r"(?:tip|tax|fee|discount|interest|raise|save|saving|commission)\b|\bof\s+(?:the|my|a|his|her|their)\b"
    r"|\bof\s+[{_CURRENCY}]?\d|\bwhat\s+percent",
    re.I,
)


def _percentage_changes(text: str) -> list[Amount] | None:
    """Each percentage of ``text`` as the change it makes ("35% off" -> ``(1-35/100)``, "8% tax" ->
    ``(1+8/100)``), or None when one is a part asked ("the tip", "12% of my pay") or its direction is not
    clear (:func:`graphs.planning.percent_direction.percent_sign`)."""
    percents = [found["percent"] for found in _PERCENT.finditer(text)]
    if percents and _PART_ASKED.search(text):
        return None
    changes = []
    for percent in percents:
        sign = percent_sign(percent, text, about_earnings(text, ""))
        if sign is None:
            return None
        factor = 1 + Fraction(percent) / 100 if sign == "+" else 1 - Fraction(percent) / 100
        changes.append(Amount(f"(1{sign}{percent}/100)", Unit(()), exact=factor, change=True))
    return changes


_SUBJECT = re.compile(
    rf"\b([a-z]+s)\s+(?:are|cost|sell\s+for|go\s+for|at)\s*(?:about\s+|only\s+|just\s+)?[{_CURRENCY}]?\s*$",
    re.I,
)
"""The plural noun whose price the amount after it is: "Concert tickets are $65 each"."""
_WITHIN = re.compile(
    rf"\s+in\s+(?P<amount>{DECIMAL})\s*(?P<unit>(?:hours?|hrs?|minutes?|mins?|seconds?|secs?|days?|weeks?))\b",
    re.I,
)
_HOLDER = re.compile(r"\b(?!(?:" + "|".join(sorted(_NOT_NOUNS)) + r")\b)([a-z]+s)\s+of\s*$", re.I)
"""A plural noun and "of" just before an amount: what the amount is per ("boxes of 12 pens")."""
_ONE_GIVES = re.compile(
    r"\s*(?:of(?:\s+[a-z]+){1,3}?\s+)?(?:is|costs?|makes|covers|holds|weighs|gives|feeds|serves|lasts)\b",
    re.I,
)


def _compound(number: str, unit: Unit, after: str) -> tuple[str, Unit, int, Fraction] | None:
    """An amount written in two units of one kind ("2 hours 30 minutes", "5 feet 9 inches") as one in the
    smaller, with how much of ``after`` the second part takes; None for anything else."""
    found = re.match(rf"\s*(?:and\s+)?(?P<part>{DECIMAL})(?!\.?\d)", after)
    if found is None or len(unit.sizes) != 1:
        return None
    named = _noun_unit(after[found.end() :])
    if named is None or len(named[0].sizes) != 1:
        return None
    (dim, exp, size), (other_dim, other_exp, other_size) = unit.sizes[0], named[0].sizes[0]
    factor = size / other_size
    if (
        (dim, exp) != (other_dim, other_exp)
        or dim not in _DIMENSIONS
        or factor <= 1
        or factor.denominator != 1
    ):
        return None
    exact = Fraction(number) * factor + Fraction(found["part"])
    return f"({number}*{factor}+{found['part']})", named[0], found.end() + named[1], exact


_DIMENSIONS = {dimension for dimension, *_ in _MEASURES.values()}
_MONEY_ASKED = re.compile(
    r"\b(?:cost|costs|price|pay|paid|spend|spent|charge|bill|budget|earn|take\s+home|how\s+much\s+money)\b"
    rf"|[{_CURRENCY}]\s*\?",
    re.I,
)
_ASKED_NOUN = re.compile(
    r"\bhow\s+(?:many|much)\s+(?:(?:more|whole|full|total)\s+)?(?P<noun>(?:square\s+|cubic\s+)?[a-z²³]+)",
    re.I,
)
_ASKED_IN = re.compile(
    rf"\((?P<paren>[a-z²³ ]+)\)|\b(?:in|to|into)\s+(?P<unit>{_MEASURE.pattern})(?:\s*(?:/|per)\s*(?P<over>{_MEASURE.pattern}))?",
    re.I,
)
_ASKED_PER = re.compile(
    r"(?:\b(?:per|each|every)|^\s*an?)\s+(?P<amount>\d+(?:\.\d+)?\s*)?(?P<noun>[a-z²³]+)\b", re.I
)
_ASKED_EACH = re.compile(
    r"\beach\s*(?:one\b|person\b|of\s+(?:us|them)\b)?\s*(?:[?.!]|pay|get|owe|gets|$)", re.I
)
_HOW = re.compile(r"\bhow\s+(long|far|heavy|tall|high|wide|deep)\b", re.I)
_HOW_DIMENSIONS = {"far": "length", "heavy": "mass", "tall": "length", "high": "length", "wide": "length"}
_HOW_DIMENSIONS |= {
    "long": "time",
    "deep": "length",
}  # "how long": a time, or a length where no time is given
_NOT_ASKED_NOUNS = (
    r"(?:do|does|did|will|would|is|are|can|could|should|money|much|many|it|that|this|i|we|you|each)\b"
)
_MONEY_WRITTEN = rf"[{_CURRENCY}]|\b(?:dollars?|euros?|bucks|cents?|pence|quid)\b"
EACH = Unit((("each", -1, Fraction(1)),))
"""The unit of "how much each": per whichever counted thing the question shares out."""


def asked_unit(question: str) -> Unit | None:
    """The unit the question asks its answer in ("how many grams", "cost per cup", "in km", "how much
    each": money over :data:`EACH`), or None when its question does not name one this reading knows."""
    text = number_words_to_digits(question)
    sentences = [part for part in re.split(r"(?<=[.?!])\s+", text.strip()) if part]
    if not sentences:
        return None
    asked = next(
        (part for part in reversed(sentences) if "?" in part or re.search(r"\bhow\b|\bwhat", part, re.I)),
        sentences[-1],
    )
    unit: Unit | None = None
    tail = asked
    if (found := _ASKED_IN.search(asked)) and (found["paren"] or found["unit"]):
        unit = _measure((found["paren"] or found["unit"]).strip())
        over = _measure(found["over"]) if found["over"] else None
        unit = unit.over(over) if unit is not None and over is not None else unit
    if noun := _ASKED_NOUN.search(asked):
        named = _noun_unit(noun["noun"])
        if named and not re.match(_NOT_ASKED_NOUNS, noun["noun"], re.I):
            unit = unit or named[0]
            tail = asked[noun.end() :]
        else:
            tail = asked[noun.start("noun") :]
    if unit is None and (how := _HOW.search(asked)):
        unit = Unit(((_HOW_DIMENSIONS[how[1].lower()], 1, Fraction(0)),))  # the size: the question's own
    if unit is None and (
        _MONEY_ASKED.search(asked)
        or (re.search(r"\bhow\s+much\b", asked, re.I) and re.search(_MONEY_WRITTEN, text, re.I))
    ):
        unit = Unit((("money", 1, Fraction(1)),))
    if unit is None:
        return None
    if _ASKED_EACH.search(tail):
        return unit.over(Unit(((EACH.sizes[0][0], 1, Fraction(1)),)))
    if per := _ASKED_PER.search(tail):
        denominator = _noun_unit(per["noun"])
        if per["amount"] or denominator is None:
            return None  # "per 100 g": not read
        unit = unit.over(denominator[0])
    return unit


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
    if not found or asked is None:
        return None
    return _solved(question, found, asked)


def dimensional_follow_up(messages: Sequence[BaseMessage]) -> str | None:
    """The same reading for a follow-up, its previous result one of the amounts in the unit the previous
    question asked ("gas is $3.60 a gallon, what does the trip cost?" after 12.5 gallons -> ``12.5*3.6``;
    "and 750 g of ham at $22/kg?" after a cost -> ``750*22/1000``), or None. A follow-up that names no unit
    asks in the previous question's."""
    previous = previous_turn(messages)
    result = previous_calculator_result(messages)
    if previous is None or result is None or result.startswith("-") or not messages:
        return None
    before = asked_unit(previous[0])
    question = messages[-1].text
    found = amounts(question)
    if before is None or (EACH.sizes[0][0], -1) in before.powers or not found:
        return None
    asked = asked_unit(question) or Unit(tuple(size for size in before.sizes if size[1] > 0))
    if not asked.sizes:
        return None
    if not _TOGETHER.search(question) and (alone := _solved(question, found, asked)):
        return alone  # the same question again about other amounts: "and 750 g of ham at $22/kg?"
    return _solved(question, [Amount(result, before), *found], asked)


_TOGETHER = re.compile(
    r"\b(?:total|altogether|together|also|too|in\s+all|plus|both|overall|combined)\b", re.I
)


def _solved(question: str, found: list[Amount], asked: Unit) -> str | None:
    if any(size == 0 for _, _, size in asked.sizes):  # "how long": in the question's smallest unit of time
        sizes = [
            size
            for unit in (a.unit for a in found)
            for dim, exp, size in unit.sizes
            if dim == asked.sizes[0][0]
        ]
        if not sizes and asked.sizes[0][0] == "time" and _HOW.search(question):  # "how long is the fence?"
            sizes = [size for a in found for dim, _, size in a.unit.sizes if dim == "length"]
            asked = Unit((("length", 1, Fraction(0)),))
        if not sizes:
            return None
        asked = Unit(((asked.sizes[0][0], 1, min(sizes)),))
    if not 1 <= len(found) <= 6 or any(amount.value == 1 for amount in found):
        return None  # "How much does one yogurt cost?": a "one" that says per what, not an amount
    money = any(dim == "money" for dim, _ in asked.powers)
    if any(_bare(amount) for amount in found) and not money:
        return None
    units = _without_lone_ones(
        [_as_money(amount.unit) if _bare(amount) else amount.unit for amount in found], asked
    )
    if len(found) == 1:
        # one amount asked in another unit of its kind: "convert 5 feet 9 inches to centimetres"
        (amount,), (unit,) = found, units
        if unit.powers != asked.powers or amount.change or (_size(unit) == _size(asked) and amount.per == 1):
            return None
        return _written(found, units, (1,), asked)[0]
    targets = _targets(asked, units)
    # units by name first ("38 hours a week" is hours per week), then by dimension (kilograms and grams meet)
    for within, named in itertools.product((targets, _per_period(targets, units)), (True, False)):
        candidates = _products(found, units, within, named=named)
        if len(candidates) == 1:
            ((value, expression),) = candidates.items()
            return _whole(expression, value, asked, question)
        if candidates:
            return None
    return _start_and_change(question, found, units, targets)


_ROUNDS_DOWN = re.compile(r"\b(?:can|could|afford|fill|make|possible)\b", re.I)
_ROUNDS_UP = re.compile(r"\b(?:need|needed|buy|required|order|rent|hire|have\s+to|must|at\s+least)\b", re.I)


def _whole(expression: str, value: Fraction, asked: Unit, question: str) -> str | None:
    """``expression``, or where it counts things that come whole (boxes, buses) and is not whole, rounded as
    the question says: up for what is needed ("how many boxes do I need"), down for what can be had ("how
    many tickets can I buy"); None when it does not say."""
    counted = [dim for dim, exp in asked.powers if dim not in _DIMENSIONS]
    if value.denominator == 1 or len(asked.powers) != 1 or not counted:
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
        if exp == -1 and dim not in _DIMENSIONS and named.count(dim) == 1
    }
    return [Unit(tuple(size for size in unit.sizes if size[0] not in lone)) for unit in units]


def _targets(asked: Unit, units: list[Unit]) -> list[Unit]:
    """The asked unit, or for "how much each" that unit per each counted thing of the question."""
    each = EACH.sizes[0][0]
    if (each, -1) not in asked.powers:
        return [asked]
    counted = {dim for unit in units for dim, exp in unit.powers if exp > 0 and dim not in _DIMENSIONS}
    return [
        Unit(tuple((noun if dim == each else dim, exp, size) for dim, exp, size in asked.sizes))
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
    found: list[Amount], units: list[Unit], targets: list[Unit], *, named: bool = False
) -> dict[Fraction, str]:
    """Every value, with its expression, that multiplying and dividing all ``found`` gives in a target unit;
    ``named``: units compared by name (hours and weeks differ), not only by dimension (both are time)."""
    candidates: dict[Fraction, str] = {}
    powers = {_powers(target, named): target for target in targets}
    for signs in itertools.product(*[(1,) if amount.change else (1, -1) for amount in found]):
        total = _summed(
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
_TAKES = re.compile(
    r"\b(?:spends?|spent|uses?|used|loses?|lost|leaks?|taken?\s+out|takes?\s+out|pays?\s+off|eats?|drinks?"
    r"|sells?|sold|gives?\s+away|left|remain\w*|minus|less|fewer|off|shrinks?|drops?|falls?|decreases?|withdraw\w*)\b",
    re.I,
)


_COMPARES = re.compile(r"\bhow\s+(?:many|much)\s+(?:more|less|fewer|longer|shorter)\b|\bthan\b", re.I)
"""A difference asked ("how many more litres to fill it?"): neither a start nor a change."""


def _start_and_change(
    question: str, found: list[Amount], units: list[Unit], targets: list[Unit]
) -> str | None:
    """One amount in the asked unit as it stands, and the product of the others added to it or taken from
    it as the question's verbs say; None when that is not one reading."""
    adds, takes = bool(_ADDS.search(question)), bool(_TAKES.search(question))
    if adds == takes or _COMPARES.search(question):
        return None
    readings: dict[Fraction, str] = {}
    for index, (start, unit) in enumerate(zip(found, units, strict=True)):
        target = next((t for t in targets if t.powers == unit.powers), None)
        if target is None or start.per != 1 or start.change:
            continue
        scale = _size(unit) / _size(target)  # "3 kg" of a question asked in grams: 3*1000
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


def _powers(unit: Unit, named: bool) -> Powers:
    if not named:
        return unit.powers
    return _summed([(f"{dim}:{size}", exp) for dim, exp, size in unit.sizes])


def _bare(amount: Amount) -> bool:
    """An amount written without a unit of its own, only a rate's ("2.40 a kilo"): a price."""
    return not amount.change and all(exp < 0 for _, exp, _ in amount.unit.sizes)


def _as_money(unit: Unit) -> Unit:
    return Unit((("money", 1, Fraction(1)), *unit.sizes))


def _summed(powers: list[tuple[str, int]]) -> Powers:
    totals: dict[str, int] = {}
    for dim, exp in powers:
        totals[dim] = totals.get(dim, 0) + exp
    return tuple(sorted((dim, exp) for dim, exp in totals.items() if exp))


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
        exact *= worth * _size(unit) if sign == 1 else 1 / (worth * _size(unit))
        if sign == 1:
            multiplied.append(term)
        else:
            divided.append(term if amount.per == 1 else f"({term})")
    exact /= _size(asked)
    factor = exact / written
    if factor.numerator != 1:
        multiplied.append(str(factor.numerator))
    if factor.denominator != 1:
        divided.append(str(factor.denominator))
    # what multiplies first, then what divides: "5*1000/200", not "1/200*5*1000"
    expression = "*".join(multiplied) + "".join(f"/{term}" for term in divided)
    return expression, exact


def _size(unit: Unit) -> Fraction:
    """The unit's size in its dimensions' base units (a kilogram per litre: 1000 g per 1/1000 m³)."""
    size = Fraction(1)
    for _, exp, of_one in unit.sizes:
        size *= of_one**exp
    return size
