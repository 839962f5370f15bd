"""The amounts of a word problem and the unit it asks for, read from its words.

Every number is read with its unit: a measure (g, km, litres, m², hours; exact sizes in the dimension's base
unit), money ($, €, cents), a counted thing ("6 loaves", "3 of us"), a rate of them ("450 g per loaf", "8 L
per 100 km", "a kilo of beans is €24", "3 pizzas, 8 slices each", "boxes of 12 pens", "4 km in 50 minutes"),
an amount in two units ("2 hours 30 minutes") or a percentage as the change it makes ("35% off"). The question's
own unit is read too ("how many grams", "cost per cup", "in km/h", "how much each"). A number with no unit this
reading knows makes the whole question unread (None): :mod:`graphs.planning.dimensions` then leaves it alone.

Written by hand because no library we have reads units from English sentences (``pint`` parses "450 g", not
"450 g of flour per loaf").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from fractions import Fraction

from graphs.planning.percent_direction import about_earnings, percent_sign
from graphs.planning.rules import DECIMAL, PERCENT, number_words_to_digits, singular

Powers = tuple[tuple[str, int], ...]

CURRENCY_NAMES = r"dollars?|euros?|quid|crowns?|francs?|pesos?|rupees?|yen|yuan"
"""Money named in words (a spelling of :data:`MONEY`'s unit; "bucks" and "pounds" each reader adds as it
reads them: "pounds" may be a weight)."""
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
    "second": ("time", 1, Fraction(1), r"seconds?|secs?|s(?=\s*[?.!,)]|\s*$)"),
    "minute": ("time", 1, Fraction(60), r"minutes?|mins?"),
    "hour": ("time", 1, Fraction(3600), r"hours?|hrs?|h"),
    "day": ("time", 1, Fraction(86400), r"days?"),
    "week": ("time", 1, Fraction(604800), r"weeks?"),
    "month": ("month", 1, Fraction(1), r"months?"),
    "year": ("month", 1, Fraction(12), r"years?"),
    "cent": ("money", 1, Fraction(1, 100), r"cents?|pence|p"),
    "dollar": (
        "money",
        1,
        Fraction(1),
        rf"bucks?|{CURRENCY_NAMES}",
    ),
}
_MEASURE = re.compile(rf"(?:{'|'.join(spelling for *_, spelling in _MEASURES.values())})(?![\w²³])", re.I)
CURRENCY_SIGNS = "$€£¥"
_PEOPLE = {
    "us", "you", "them", "people", "person", "friend", "friends", "guests", "guest", "roommate", "roommates",
    "flatmate", "flatmates", "housemate", "housemates", "colleague", "colleagues", "coworker", "coworkers",
}  # fmt: skip
_MODIFIERS = {
    "more", "extra", "equal", "whole", "full", "single", "separate", "identical", "different", "new", "old",
    "other", "small", "large", "big", "same", "total", "additional", "empty", "similar", "spare",
}  # fmt: skip
_NOT_NOUNS = {
    "and", "or", "of", "to", "in", "on", "at", "for", "by", "with", "from", "into", "per", "a", "an", "the",
    "each", "every", "is", "are", "was", "were", "be", "it", "that", "this", "than", "then", "so", "if",
    "but", "times", "x", "long", "wide", "high", "deep", "tall", "away", "off", "left", "more", "less",
    "how", "what", "which", "i", "we", "he", "she", "they", "my", "our", "your", "their", "his", "her",
    "plus", "minus", "also", "too", "all", "both", "apiece", "today", "yesterday", "tonight", "tomorrow",
}  # fmt: skip
_DOES = (
    r"(?:needs?|gets?|has|have|had|takes?|took|wants?|eats?|ate|uses?|used|buys?|bought|sells?|sold|pays?|paid"
    r"|makes?|made|brings?|brought|receives?|received|earns?|earned|spends?|spent|raised?|collected|gave|gives?"
    r"|adds?|added|contributes?|contributed|chips\s+in|puts\s+in)"
)
"""What each of a group does with the amount after it: "28 students and each needs 3 notebooks"."""
_EACH_DOES = re.compile(
    rf"\b(?:each(?:\s+(?:one|of\s+(?:them|us|those|these)))?|everyone|everybody)\s+{_DOES}(?:\s+an?)?\s*$",
    re.I,
)


@dataclass(frozen=True)
class Unit:
    """A unit: its powers of dimensions, and the size of each dimension's unit in that dimension's base."""

    sizes: tuple[tuple[str, int, Fraction], ...]  # (dimension, exponent, size of the unit written)

    @property
    def powers(self) -> Powers:
        return summed([(dim, exp) for dim, exp, _ in self.sizes])

    @property
    def size(self) -> Fraction:
        """The unit's size in its dimensions' base units (a kilogram per litre: 1000 g per 1/1000 m³)."""
        size = Fraction(1)
        for _, exp, of_one in self.sizes:
            # each size is of the whole unit (a litre is 1/1000 m³, not (1/1000 m)³): it scales once
            size *= of_one if exp > 0 else 1 / of_one
        return size

    def size_of(self, dimension: str) -> Fraction | None:
        """The size of the unit's first part in ``dimension`` (a km/h: 1000 in length, 3600 in time), or None."""
        return next((size for dim, _, size in self.sizes if dim == dimension), None)

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
    asked: bool = False
    """Written in the question's own sentence ("how much do *12* apples cost?"), not in what it states."""

    @property
    def value(self) -> Fraction:
        return Fraction(self.written) if self.exact is None else self.exact


def measure(word: str) -> Unit | None:
    """The unit of measure ``word`` spells ("km", "weeks"), or None."""
    for dimension, exponent, size, spelling in _MEASURES.values():
        if re.fullmatch(spelling, word, re.I):
            return Unit(((dimension, exponent, size),))
    return None


def _noun_unit(text: str) -> tuple[Unit, int] | None:
    """The unit that ``text`` starts with (a measure, money or a counted thing) and where it ends."""
    if match := re.match(rf"\s*({_MEASURE.pattern})", text, re.I):
        unit = measure(match[1])
        assert unit is not None
        return unit, match.end()
    match = re.match(
        r"\s*(?:of\s+)?(?:(?:" + "|".join(_MODIFIERS) + r")\s+)?(?:[a-z]+\d[a-z\d]*\s+)?([a-z]+)\b",
        text,
        re.I,
    )  # "3 A1 posters": a code names the kind
    if match is None or match[1].lower() in _NOT_NOUNS:
        return None
    word, end = match[1].lower(), match.end()
    if measured := measure(word):
        return measured, end  # "12 more weeks", "5 extra hours": a measure after a modifier
    head = re.match(r"(?:\s+(?P<between>[a-z]+)(?<!s)\b)?\s+([a-z]+s)\b", text[end:], re.I)
    if (
        head
        and not word.endswith("s")
        and head[2].lower() not in _NOT_NOUNS
        and (head["between"] or "of").lower() not in _NOT_NOUNS - {"of"}  # not "lb and apples"
    ):
        # "14 tomato plants", "7 mock exam papers": the head noun is the last
        word, end = head[2].lower(), end + head.end()
        if measured := measure(word):
            return measured, end  # "40 regular hours": the measure the head noun names
    noun = "person" if word in _PEOPLE else singular(word)
    if noun in DIMENSIONS:
        noun = f"{noun} counted"  # "30 lengths of a pool" count lengths; the dimension is another thing
    if (paid := _PAID_EVERY.match(text[:end])) and (period := _noun_unit(_EVERY[paid[1].lower()])):
        return period[0], end  # "12 equal monthly payments": 12 months
    return Unit(((noun, 1, Fraction(1)),)), end


_PAID_EVERY = re.compile(
    r"\s*(?:equal\s+)?(monthly|weekly|yearly|annual)\s+(?:re)?(?:payments?|instal?lments?)\s*$", re.I
)
"""Payments counted by their period: "12 equal monthly payments" are 12 months of them."""
_EVERY = {"monthly": "month", "weekly": "week", "yearly": "year", "annual": "year"}
_RATE = re.compile(
    rf"\s*(?:of(?:\s+(?!and\b|or\b)[a-z]+){{1,3}}?\s+)?(?:(?:per|an?|each|every)\b|/)\s*(?P<per>{DECIMAL})?\s*(?=[a-z])",
    re.I,
)
_TIMES_A = re.compile(
    rf"(?:\s+of(?:\s+[a-z]+){{1,2}}?)?\s+(?P<times>twice|thrice|{DECIMAL}\s+times)\s+(?:a|an|per|each|every)\s+"
    r"(?P<period>day|week|month|year|hour|night)\b",
    re.I,
)
"""How often an amount recurs: "250 g of kibble *twice a day*", "2 tablets 3 times a day"."""
TIMES = {"twice": "2", "thrice": "3"}
"""The numbers the words for a repetition say."""
_TEAM = re.compile(r"\b(?:team|group|family|class|crew|party|squad|club|band)\s+of\s*$", re.I)
"""A group counted in people: "a team of 6"."""
_NAMED_RATE = re.compile(
    r"\s*(?:(?!(?:per|each|every|an?|for|of|and|or|plus)\b)[a-z-]+\s+){1,2}?(?=(?:per|each|every)\s+[a-z])",
    re.I,
)
"""The name of a charge between its sum and what it is per: "$7.50 *booking fee* per ticket"."""
_PER_AGAIN = re.compile(r"\s*per\s+(?=[a-z])", re.I)
_BEFORE_RATE = re.compile(
    r"\b(?:an?|one|each|every|per)\s+(?:[a-z]+\s+){0,2}?(?P<noun>(?!(?:that|which|who|i|we|you|they)\b)[a-z]+)"
    r"(?:\s+(?:i|we|you|they|she|he)\s+[a-z]+)?(?:\s+of(?:\s+[a-z]+){1,5}?)?"
    r"\s+(?:is|are|costs?|makes|needs|takes|holds|weighs|covers|uses|gives|does|runs|sells\s+for|="
    r"|(?:is|are|gets?)\s+(?:cut|split|divided|sliced)\s+into)\s*$",
    re.I,
)


DENOMINATORS = {
    "half": 2,
    "third": 3,
    "quarter": 4,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "eighth": 8,
    "tenth": 10,
}
"""The parts a whole is cut into, by name: "a third" is 1/3."""
_FRACTION_OFF = re.compile(
    r"\b(?:an?|one)\s+(?P<part>half|third|quarter|fifth|tenth)\s+off\b|\b(?P<half>half)[\s-]+(?:price|off)\b",
    re.I,
)
"""A fraction taken off a price: "a third off", "half price"."""


def _fraction_off(found: re.Match[str]) -> Amount:
    """The change a fraction off makes: "a third off" -> ``(1-1/3)``."""
    part = DENOMINATORS[(found["part"] or found["half"]).lower()]
    return Amount(f"(1-1/{part})", Unit(()), exact=1 - Fraction(1, part), change=True)


def amounts(question: str) -> list[Amount] | None:
    """Every number of ``question`` with its unit, or None when one has no unit this reading knows."""
    text = _normalised(question)
    text = re.sub(r"\s+([²³])", r"\1", text)  # "54 m ²", as the number reader spaced it
    text = _FRACTION_OF_ONE.sub(lambda found: f"{_FRACTION_WORDS[found['fraction'].lower()]} ", text)
    text = re.sub(r"\(\s*[^()]*=[^()]*\)", " ", text)  # "(1 inch = 2.54 cm)": a definition, known already
    fractions_off = [_fraction_off(found) for found in _FRACTION_OFF.finditer(text)]
    text = _FRACTION_OFF.sub(" ", text)
    if re.search(r"\d\s*:\s*\d", text) or _WORDED_SHARE.search(text):
        return None  # a clock time; "a quarter of it", "twice as many": amounts written as words
    changes = percentage_changes(text)
    if changes is None or (changes and fractions_off):
        return None
    changes += fractions_off
    text = PERCENT.sub(" ", text)
    found: list[Amount] = []
    last_count: Unit | None = None
    consumed = 0  # the end of the last rate read: "8 L/100 km" is one amount, not two
    per_one: Unit | None = None  # "one litre of paint covers 12 m²": what the next amount is per
    # the last plain measure, where it ends, and whether its unit is one word: a list may go on
    listed: tuple[Unit, int, bool] | None = None
    asking = [found.start() for found in re.finditer(r"\b(?:how|what)\b", text, re.I)]
    asked_from = asking[-1] if asking else len(text)  # "If 3 apples cost $2, how much do *12* apples cost?"
    for match in re.finditer(
        rf"(?P<sign>[{CURRENCY_SIGNS}]\s*)?(?<![\w.])(?P<number>{DECIMAL})(?!\.?\d)", text
    ):
        if match.start() < consumed or (
            match.start() >= asked_from and re.search(r"\b(?:per|those|these)\s*$", text[: match.start()])
        ):
            # within a rate read; "what is the price per 100 ml?": the unit asked, not an amount; "for those 3
            # days": the days stated before
            continue
        # "a 260-mile trip" is 260 miles (spaced as long as it was written: offsets into ``rest`` stay true)
        rest = re.sub(
            r"^\s*-\s*(?=[a-z])", lambda hyphen: " " * len(hyphen[0]), text[match.end() :], flags=re.I
        )
        in_list = listed is not None and _LISTED_NEXT.fullmatch(text[listed[1] : match.start()])
        named = None if match["sign"] else _noun_unit(rest)
        if match["sign"]:
            unit, end = MONEY, 0
        elif named and not (
            in_list
            and listed
            and named[0] == listed[0]
            and _plain_unit(rest, named[1])  # "6 overtime hours", "3 hours of overtime": another kind
            and listed[2]
            and not _COMPARED.search(text)
        ):
            unit, end = named
        elif in_list and listed and not _COMPARED.search(text) and not re.match(r"\s+of\b", rest):
            # "7.5 hours on Monday, 8 on Tuesday and 6.25 on Wednesday", "7.5 hours Monday, 8 hours Tuesday":
            # one sum of hours
            previous = found.pop()
            total = previous.value + Fraction(match["number"])
            written = (
                f"{previous.written[:-1] if previous.written.startswith('(') else '(' + previous.written}"
            )
            found.append(replace(previous, written=f"{written}+{match['number']})", exact=total))
            listed = (
                listed[0],
                match.end() + (named[1] if named else 0),
                _one_word(rest, named[1] if named else 0),
            )
            continue
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
        if unit.sizes and (often := _TIMES_A.match(after)) and (period := measure(often["period"])):
            # "250 g of kibble twice a day": (250*2) g a day
            times = TIMES.get(often["times"].lower()) or often["times"].split()[0]
            exact = (exact if exact is not None else Fraction(number)) * Fraction(times)
            number, unit = f"({number}*{times})", unit.over(period)
            consumed = match.end() + end + often.end()
            after = after[often.end() :]
        counted_rate = False
        if unit == MONEY and (named_fee := _NAMED_RATE.match(after)):
            after = after[named_fee.end() :]  # "a $7.50 booking fee per ticket": the fee is per ticket
            end += named_fee.end()
        rate = _RATE.match(after)
        if (
            rate
            and re.match(r"\s*each\b", after, re.I)
            and (
                _noun_unit(after[rate.end() :]) is None
                or re.match(rf"\s*{_DOES}\b", after[rate.end() :], re.I)
            )
        ):
            rate = None  # "$65 each plus a fee", "6 each sold": each of what came before, not per "plus"
        if rate:
            per = Fraction(rate["per"]) if rate["per"] else Fraction(1)
            if not per:
                return None  # "per 0 sheets": not a rate
            over = _noun_unit(after[rate.end() :])
            if over is None:
                return None
            unit = unit.over(over[0])
            consumed = match.end() + end + rate.end() + over[1]
            counted_rate = over[0].sizes[0][0] not in DIMENSIONS
            # "£2 per dog per night", "£35 per person per day": a rate over two things
            if (again := _PER_AGAIN.match(text, consumed)) and (second := _noun_unit(text[again.end() :])):
                unit, consumed = unit.over(second[0]), again.end() + second[1]
        elif re.match(rf"\s*each\s+{_DOES}\b", after, re.I) and match["sign"] is None:
            # "a team of 6 each sold 14 tickets": 6 people, and what follows is each one's
            unit = unit if unit.sizes else Unit((("person", 1, Fraction(1)),))
            holder = _TEAM.search(text[: match.start()])
            if not unit.sizes or (unit.sizes[0][0] != "person" and holder is None):
                return None
            unit = Unit((("person", 1, Fraction(1)),)) if holder else unit
        elif re.match(r"\s*(?:each|apiece|a\s+piece)\b", after, re.I):
            subject = _SUBJECT.search(text[: match.start()])
            # "raffle tickets at $2 each" after "14 raffle tickets": each ticket, as the words say
            each = (_noun_unit(subject[1]) if subject else None) or last_count
            if each is None:
                return None  # "$65 each": each of what the words do not say
            unit = unit.over(each if isinstance(each, Unit) else each[0])  # "3 pizzas, 8 slices each"
            counted_rate = True
        elif (within := _WITHIN.match(after)) and not re.match(
            rf"\s*(?:and\s+)?{DECIMAL}", after[within.end() :]
        ):
            time = measure(within["unit"])  # "270 km in 3 hours": a rate, per 3 hours
            assert time is not None
            unit, per = unit.over(time), Fraction(within["amount"])
            if not per:
                return None
            consumed = match.end() + end + within.end()
        elif re.match(r"\s*/", after):
            return None
        elif (unit == MONEY or (not unit.sizes and _after_a_price_for_kind(found))) and (
            kind := _priced_for_kind(after, text)
        ):
            # "$12 for adults", where "2 adults" are counted; "and 7 for kids" after it is a price too
            unit, counted_rate = MONEY.over(kind), True
        elif unit == MONEY and _SALARY_BEFORE.search(text[: match.start()]):
            unit = unit.over(_period_of("annual"))  # "my salary was $52,000": a salary is a year's pay
        packed = None if unit.sizes else _PACKED_IN.search(text[: match.start()])
        if packed and (contents := _noun_unit(packed["noun"])):
            unit = contents[0]  # "pencils come in boxes of 12": 12 pencils a box
        if (
            (holder := _HOLDER.search(text[: match.start()]))
            and (held := _noun_unit(holder[1] or holder[2]))
            # "glasses of 250 ml each" is per glass once
            and not {(dim, -exp, size) for dim, exp, size in held[0].sizes} <= set(unit.sizes)
        ):
            unit, counted_rate = unit.over(held[0]), True  # "3 boxes of 12 pens", "pieces of 80 cm"
        if per_one is not None:
            unit, per_one, counted_rate = unit.over(per_one), None, True
        if not counted_rate and last_count is not None and _EACH_DOES.search(text[: match.start()]):
            unit, counted_rate = unit.over(last_count), True  # "28 students and each needs 3 notebooks"
        if not counted_rate and (before := _BEFORE_RATE.search(text[: match.start()])):
            over = _noun_unit(before["noun"])
            if over is None:
                return None
            unit = unit.over(over[0])  # "a kilo of beans is €24", "each plant needs 1.5 litres"
        elif not counted_rate and _STRIDE.search(text[: match.start()]):
            # "my stride is about 0.75 m": a step's length
            unit = unit.over(Unit((("step", 1, Fraction(1)),)))
        if not unit.sizes:
            return None
        if unit.sizes[0][0] not in DIMENSIONS and unit.sizes[0][1] == 1:
            last_count = Unit(unit.sizes[:1])  # "a class of 30 pupils": pupils, each of them what follows
        if len(unit.sizes) == 1 and unit.sizes[0][:2] in _REPEATS:
            # "two coats are needed": everything is done twice, a factor and not a count of things
            value = exact if exact is not None else Fraction(number)
            if value != 1:  # "for one coat" changes nothing
                found.append(Amount(number, Unit(()), exact=value, change=True))
            continue
        found.append(Amount(number, unit, per, exact, asked=match.start() >= asked_from))
        plain_measure = len(unit.sizes) == 1 and unit.sizes[0][1] == 1 and unit.sizes[0][0] != "person"
        plain = plain_measure and per == 1 and exact is None
        listed = (unit, match.end() + end, _one_word(rest, end)) if plain else None
    return found + changes


def _one_word(after: str, end: int) -> bool:
    """Whether an amount's unit, ``after[:end]`` in the text after its number, is one word: not "overtime
    hours"."""
    return len(after[:end].split()) == 1


def _plain_unit(after: str, end: int) -> bool:
    """Whether an amount's unit is one word alone, neither "overtime hours" nor "hours of overtime"."""
    return _one_word(after, end) and not re.match(r"\s+of\b", after[end:], re.I)


_LISTED_NEXT = re.compile(
    r"(?:\s+(?:(?:on|in|at|for|by)\s+[A-Za-z]+|[A-Z][a-z]+|yesterday|today|tonight|(?:last|this)\s+[a-z]+))?"
    r"\s*(?:,\s*(?:and\s+)?|\s+and\s+)"
    r"(?:(?:on|in|at|by)\s+[A-Z][a-z]+\s+)?"
)
"""Between a measured amount and a number that lists another of it: " on Monday, ", " Monday, ", " and "."""
_COMPARED = re.compile(
    r"\b(?:more|less|fewer|than|difference|longer|shorter|further|farther|compared?|versus|vs|between|average|mean|most|least)\b",
    re.I,
)
"""Amounts listed to be compared or averaged, not added."""


def _normalised(question: str) -> str:
    """``question`` as the readings read it: numbers in digits without thousands separators, "each one" as
    each, and the money sign a bill left out."""
    return _with_money_sign(number_words_to_digits(_EACH_ONE.sub("each", question)))


def _with_money_sign(text: str) -> str:
    """``text`` with a money sign before a bare number that a bill or a price states ("dinner bill came to
    64.50" is $64.50): the sign the writer left out."""
    return _BILLED.sub(lambda found: f"{found[0][: -len(found['number'])]}${found['number']}", text)


_BILLED = re.compile(
    rf"\b(?:bill|check|tab|total|price|cost|fare|rent)\s+(?:came\s+to|comes\s+to|is|was|of)\s+(?P<number>{DECIMAL})"
    r"(?!\.?\d)(?!\s*(?:%|per\s*cent|(?!(?:and|for|but|so|plus|with|before|after|in|at|on|each|total)\b)[a-z]))",
    re.IGNORECASE,
)
"""A bare number a bill or a price states: "the bill came to 64.50", "rent is 950"."""
_REPEATS = frozenset({("coat", 1), ("layer", 1)})
"""Counts that say how many times all of it is done: "two coats" of paint."""
_STRIDE = re.compile(
    r"\b(?:stride|step\s+length|steps?\s+(?:is|are)\s+(?:each\s+)?)\s*(?:is|of)?\s*(?:about|around|roughly)?\s*$",
    re.I,
)
"""The length of one step, named before it: "my stride is about 0.75 m"."""
_EACH_ONE = re.compile(r"\beach\s+one\b(?!\s+of\b)", re.IGNORECASE)
""""How much does each one pay?": each, not an amount of one."""
_FRACTION_WORDS = {
    "half": "0.5",
    "a quarter": "0.25",
    "one quarter": "0.25",
    "3 quarters": "0.75",
    "3 - quarters": "0.75",
}
_FRACTION_OF_ONE = re.compile(
    r"\b(?P<fraction>half|(?:a|one)\s+quarter|3\s+quarters|3\s+-\s+quarters)\s+(?:of\s+)?an?\s+(?=[a-z])",
    re.I,
)
"""A worded fraction of one unit, an amount: "half a kilo", "three-quarters of a cup" (the number reader wrote
"3 - quarters"), "a quarter of an hour"."""
_WORDED_SHARE = re.compile(
    r"\b(?:half|halves|thirds?|quarters?|fifths?|sixths?|eighths?|tenths?"
    r"|(?:twice|thrice)(?!\s+(?:a|an|per|each|every)\s+(?:day|week|month|year|hour|night)\b)"
    r"|(?:double|triple)(?!\s+(?!the\b|that\b|this\b|it\b|what\b|as\b|its\b|my\b|our\b|your\b|their\b|his\b|her\b)[a-z]))\b",
    re.I,
)  # "double what each pays", not "three double duvets"
_PART_ASKED = re.compile(
    r"\bhow\s+much\s+(?:is|was|will|would|do|does|did)\s+(?:the|my|our|i|we|you)\s+(?:\w+\s+)?"
    r"(?:tip|tax|fee|discount|interest|raise|save|saving|commission)\b|\bof\s+(?:the|my|a|his|her|their)\b"
    r"|\bof\s+[{CURRENCY_SIGNS}]?\d|\bwhat\s+percent",
    re.I,
)


_PART_NAMED = re.compile(
    r"\bhow\s+(?:much|many\s+(?:dollars|pounds|euros|bucks))\s+(?:is|was|will|would)\s+(?:the|my|our)\s+"
    r"(?:tip|tax|discount|saving|commission|deposit|raise)(?![-\w])\s*(?:be\s*)?\?",
    re.I,
)
"""The part a percentage is of something, asked by name at the question's end ("how much is the tip?")."""


_OWNER = r"(?:the\s+|my\s+|our\s+|his\s+|her\s+)?"
"""A determiner before a share's name: "to *the* school", "for *my* brother"."""
_TWO_SHARES = re.compile(
    rf"%\s+(?:of\s+(?:it|that|this|the\s+\w+)\s+)?(?:goes|go|went|is|are|was|were|will\s+go|gets|get)\s+"
    rf"(?:to|for|on|into)\s+{_OWNER}(?P<first>[a-z]+(?:\s+[a-z]+){{0,2}}?)"
    r"\s*(?:[,.;]|\band\b).*?\bthe\s+(?:rest|remainder|remaining|balance)\b\s*(?:\w+\s+)?(?:to|for|on|into)\s+"
    rf"{_OWNER}(?P<second>[a-z]+(?:\s+[a-z]+){{0,2}}?)\s*(?:[,.;?!]|$)",
    re.IGNORECASE,
)
_SHARE_ASKED = re.compile(
    rf"\bhow\s+much\b[^?.!]*?\b(?:to|for|on|into)\s+{_OWNER}"
    r"(?P<noun>[a-z]+(?:\s+[a-z]+){0,2}?)\W*$",
    re.IGNORECASE,
)


def _share_of_two(text: str, percent: str) -> Amount | None:
    """The share asked of two ("40% goes to the school and the rest to charity, how much goes to charity?":
    ``(1-40/100)`` of the whole), or None where the question is not of that shape."""
    shares, asked = _TWO_SHARES.search(text), _SHARE_ASKED.search(text)
    if shares is None or asked is None:
        return None
    noun = asked["noun"].lower()
    if noun == shares["second"].lower() != shares["first"].lower():
        return Amount(f"(1-{percent}/100)", Unit(()), exact=1 - Fraction(percent) / 100, change=True)
    if noun == shares["first"].lower() != shares["second"].lower():
        return Amount(f"{percent}/100", Unit(()), exact=Fraction(percent) / 100, change=True)
    return None


def percentage_changes(text: str, *, question: bool = True) -> list[Amount] | None:
    """Each percentage of ``text`` as the change it makes ("35% off" -> ``(1-35/100)``, "8% tax" ->
    ``(1+8/100)``), or None when its direction is not clear
    (:func:`graphs.planning.percent_direction.percent_sign`) or, in a ``question``, one is a part asked
    ("the tip", "12% of my pay"); a document's "groups of 6 receive 15% off" asks nothing."""
    percents = [found["percent"] for found in PERCENT.finditer(text)]
    if len(percents) == 1 and question and (share := _share_of_two(text, percents[0])) is not None:
        return [share]
    if len(percents) == 1 and question and _PART_NAMED.search(text):
        # "$60 with 15% off: how many dollars is the discount?" asks the part: ``60*15/100``
        part = Fraction(percents[0]) / 100
        return [Amount(f"{percents[0]}/100", Unit(()), exact=part, change=True)]
    if percents and question and _PART_ASKED.search(text):
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
    rf"\b([a-z]+s)\s+(?:are|cost|sell\s+for|go\s+for|at)\s*(?:about\s+|only\s+|just\s+)?[{CURRENCY_SIGNS}]?\s*$",
    re.I,
)
"""The plural noun whose price the amount after it is: "Concert tickets are $65 each"."""
_WITHIN = re.compile(
    rf"\s+in\s+(?P<amount>{DECIMAL})\s*(?P<unit>(?:hours?|hrs?|minutes?|mins?|seconds?|secs?|days?|weeks?))\b",
    re.I,
)
_FOR_KIND = re.compile(r"\s*(?:each\s+)?for\s+(?:each\s+|every\s+|an?\s+)?(?P<noun>[a-z]+)\b", re.I)


def _priced_for_kind(after: str, text: str) -> Unit | None:
    """The kind a price is for ("$12 for adults"), where the question counts that kind ("2 adults"); else
    None ("$40 for dinner" is a sum of money)."""
    found = _FOR_KIND.match(after)
    if found is None or found["noun"].lower() in _NOT_NOUNS:
        return None
    kind = "person" if found["noun"].lower() in _PEOPLE else singular(found["noun"].lower())
    counted = (
        _noun_unit(counted["noun"])
        for counted in re.finditer(rf"(?<![\d.]){DECIMAL}\s+(?P<noun>[a-z]+)", text, re.I)
    )
    return (
        Unit(((kind, 1, Fraction(1)),))
        if any(unit is not None and unit[0].sizes == ((kind, 1, Fraction(1)),) for unit in counted)
        else None
    )


def _after_a_price_for_kind(found: list[Amount]) -> bool:
    """Whether the last amount read is a price for a kind counted ("12 dollars for adults"): a bare number
    listed after it with "for" names the price for another kind ("and 7 for kids")."""
    if not found or len(found[-1].unit.sizes) != 2:
        return False
    (money, _, _), (kind, power, _) = found[-1].unit.sizes
    return money == "money" and power == -1 and kind not in DIMENSIONS


_PACKED_IN = re.compile(
    r"\b(?P<noun>[a-z]+s)\s+(?:come|are\s+sold|are\s+packed|are\s+packaged|are\s+supplied|come\s+packed)\s+"
    r"(?:only\s+)?in\s+[a-z]+s\s+of\s*$",
    re.IGNORECASE,
)
"""What a pack holds, named before it: "Pencils come in boxes of 12"."""
_HOLDER = re.compile(
    r"\b(?!(?:"
    + "|".join(sorted(_NOT_NOUNS))
    + r")\b)([a-z]+s)\s+of\s*$|\b(laps|lengths|circuits|loops)\s+of\s+an?\s*$",
    re.I,
)
"""A plural noun and "of" just before an amount: what the amount is per ("boxes of 12 pens")."""
_ONE_GIVES = re.compile(
    r"\s*(?:of(?:\s+[a-z]+){1,3}?\s+)?(?:is|costs?|makes|covers|holds|weighs|gives|feeds|serves|lasts|has|contains)\b",
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
        or dim not in DIMENSIONS
        or factor <= 1
        or factor.denominator != 1
    ):
        return None
    exact = Fraction(number) * factor + Fraction(found["part"])
    return f"({number}*{factor}+{found['part']})", named[0], found.end() + named[1], exact


DIMENSIONS = {dimension for dimension, *_ in _MEASURES.values()}
_MONEY_ASKED = re.compile(
    r"\b(?:cost|costs|price|pay|paid|spend|spent|charge|bill|budget|earn|take\s+home|how\s+much\s+money)\b"
    rf"|[{CURRENCY_SIGNS}]\s*\?",
    re.I,
)
_ASKED_NOUN = re.compile(
    r"\bhow\s+(?:many|much)\s+(?:(?:more|whole|full|total|good|usable|undamaged|unbroken|working|remaining)\s+)?"
    r"(?P<noun>(?:square\s+|cubic\s+)?[a-z²³]+)",
    re.I,
)
_ASKED_IN = re.compile(
    rf"\((?P<paren>[a-z²³ ]+)\)|\b(?:in|to|into)\s+(?P<unit>{_MEASURE.pattern})(?:\s*(?:/|per)\s*(?P<over>{_MEASURE.pattern}))?",
    re.I,
)
_ASKED_PER = re.compile(
    r"(?:\b(?:per|each|every)|^\s*an?|\b(?:is|'s)\s+(?:that|it|this)\s+an?(?=\s+[a-z]+\W*$))\s+"
    r"(?P<amount>\d+(?:\.\d+)?\s*)?(?P<noun>[a-z²³]+)\b",
    re.I,
)
_ASKED_EACH = re.compile(
    r"\beach\s*(?:one\b|person\b|of\s+(?:us|them)\b)?\s*(?:[?.!]|pay|get|owe|gets|$)", re.I
)
_HOW = re.compile(r"\bhow\s+(long|far|heavy|tall|high|wide|deep)\b", re.I)
_HOW_DIMENSIONS = {
    "long": "time",  # or a length, where the question gives no time ("how long is the fence?")
    "far": "length",
    "heavy": "mass",
    "tall": "length",
    "high": "length",
    "wide": "length",
    "deep": "length",
}
_NOT_ASKED_NOUNS = (
    r"(?:do|does|did|will|would|is|are|was|were|has|have|had|can|could|should|goes|go|went|gets|got|comes"
    r"|came|money|much|many|it|that|this|i|we|you|he|she|they|each|altogether|together|overall|total|in|for"
    r"|left|now|then|so|a|an|the|of|per)\b"
)
_MONEY_WRITTEN = (
    rf"[{CURRENCY_SIGNS}]|\b(?:bucks|cents?|pence|{CURRENCY_NAMES})\b"
    r"|\d\s*p\b"
)
EACH = "each"
"""The counted thing of "how much each": whichever one the question shares out."""
MONEY = Unit((("money", 1, Fraction(1)),))


def asked_sentence(text: str) -> str:
    """The sentence of ``text`` that asks (the last with a question mark, "how" or "what"; else the last)."""
    sentences = [part for part in re.split(r"(?<=[.?!])\s+", text.strip()) if part]
    if not sentences:
        return ""
    return next(
        (part for part in reversed(sentences) if "?" in part or re.search(r"\bhow\b|\bwhat", part, re.I)),
        sentences[-1],
    )


def asked_unit(question: str) -> Unit | None:
    """The unit the question asks its answer in ("how many grams", "cost per cup", "in km", "how much
    each": money over :data:`EACH`), or None when its question does not name one this reading knows."""
    text = _normalised(question)
    asked = asked_sentence(text)
    if not asked:
        return None
    unit: Unit | None = None
    tail = asked
    if (found := _ASKED_IN.search(asked)) and (found["paren"] or found["unit"]):
        unit = measure((found["paren"] or found["unit"]).strip())
        over = measure(found["over"]) if found["over"] else None
        unit = unit.over(over) if unit is not None and over is not None else unit
        if over is not None:
            tail = asked[found.end() :]  # "in minutes per km": the "per km" is read, not read again
    if noun := _ASKED_NOUN.search(asked):
        named = _noun_unit(noun["noun"])
        if named and not re.match(_NOT_ASKED_NOUNS, noun["noun"], re.I):
            unit = unit or _measured_as(noun["noun"], asked, text) or named[0]
            tail = asked[noun.end() :]
        else:
            tail = asked[noun.start("noun") :]
    if unit is None and (how := _HOW.search(asked)):
        unit = Unit(((_HOW_DIMENSIONS[how[1].lower()], 1, Fraction(0)),))  # the size: the question's own
    if unit is None and (
        _MONEY_ASKED.search(asked)
        or (
            re.search(r"\bhow\s+much\b|\btotal\b|\baltogether\b|\bin\s+all\b", asked, re.I)
            and re.search(_MONEY_WRITTEN, text, re.I)
        )
    ):
        unit = MONEY
    periodic = _PERIODIC_MONEY.search(asked)
    if unit is None and periodic:
        unit = MONEY
    if unit is None:
        return None
    if unit == MONEY and periodic:
        return unit.over(_period_of(periodic["period"]))  # "what's my new monthly pay?": money a month
    if unit == MONEY and re.search(r"\bsalary\b", asked, re.I) and not _PERIOD_NAMED.search(asked):
        return unit.over(_period_of("annual"))  # "what is my new salary?": a year's pay
    if _ASKED_EACH.search(tail):
        return unit.over(Unit(((EACH, 1, Fraction(1)),)))
    if per := _ASKED_PER.search(tail):
        denominator = _noun_unit(per["noun"])
        if denominator is None or (per["amount"] and len(denominator[0].sizes) != 1):
            return None
        if per["amount"]:  # "the price per 100 ml": per a unit 100 times a millilitre
            ((dimension, exponent, size),) = denominator[0].sizes
            denominator = (Unit(((dimension, exponent, size * Fraction(per["amount"])),)), denominator[1])
        unit = unit.over(denominator[0])
    return unit


_PERIODIC_MONEY = re.compile(
    r"\b(?P<period>monthly|weekly|yearly|annual|daily)\s+(?:take-home\s+|gross\s+|net\s+)?"
    r"(?:pay|salary|income|wages?|earnings|rent|cost|bill|payments?|instal?lments?|fee|budget)\b",
    re.I,
)
"""Money asked or given per a period the adjective names: "my monthly pay", "the weekly cost"."""
_SALARY_BEFORE = re.compile(r"\bsalary\s+(?:is|was|of|has\s+been|will\s+be)\s+(?:now\s+|just\s+)?$", re.I)
_ADJECTIVE_PERIODS = {
    "monthly": "month",
    "weekly": "week",
    "yearly": "year",
    "annual": "year",
    "daily": "day",
}


def _period_of(adjective: str) -> Unit:
    """The unit of the period "monthly" or "annual" names."""
    unit = measure(_ADJECTIVE_PERIODS[adjective.lower()])
    assert unit is not None
    return unit


_PERIOD_NAMED = re.compile(
    r"\b(?:per|each|every)\s+(?:second|minute|hour|day|week|month|year)\b"
    r"|\b(?:an?|one)\s+(?:second|day|month|year)\b"
    r"|(?<!\bin\s)(?<!\bover\s)(?<!\bfor\s)\b(?:an?|one)\s+(?:minute|hour|week)\b",
    re.I,
)
"""A period the question asks per or over that the amounts may not count ("in a week" they do: 7 days)."""


def _measured_as(noun: str, asked: str, text: str) -> Unit | None:
    """The measure "how much <noun>" asks where the question measures that noun ("how much flour for 6
    loaves?" of "250 g of flour per loaf": grams), or None."""
    if not re.search(rf"\bhow\s+much\s+{re.escape(noun)}\b", asked, re.I) or _PERIOD_NAMED.search(asked):
        return None  # "how much milk in a week?": a period the amounts do not count, left to the model
    measures = {
        found[1].lower()
        for found in re.finditer(
            rf"\d\s*({_MEASURE.pattern})\s+(?:of\s+)?(?:[a-z]+\s+)?{re.escape(noun)}\b", text, re.I
        )
    }
    return measure(measures.pop()) if len(measures) == 1 else None


def summed(powers: list[tuple[str, int]]) -> Powers:
    """The exponents of each dimension added, the ones that cancel left out, sorted."""
    totals: dict[str, int] = {}
    for dim, exp in powers:
        totals[dim] = totals.get(dim, 0) + exp
    return tuple(sorted((dim, exp) for dim, exp in totals.items() if exp))
