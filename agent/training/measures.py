"""Word problems about two quantities set against each other: comparisons, unit prices, rates "per 100",
wages, packing, ages, rectangles and speeds.

The story grammar (:mod:`agent.training.stories`) changes one count through events; the mistakes left after
training on it were about *which way* an operation goes when a question relates two quantities (measured on
``bench/data/dev_problems.jsonl``): "how many boxes for 600 crayons, 24 to a box" written ``24*600``, "how
many more than" written as a sum, "15 apples at $0.60" written ``0.60/15``, "6 litres per 100 km on 450 km"
written ``6*100/450``. Each kind below draws both directions of its relation (the price of many from one, and
of one from many; how many more, and how many in all) so the wording, not the order of the numbers, decides
the expression. The expression lists the numbers in the order the computation needs, as a person writes it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from fractions import Fraction

from agent.training.problems import Problem
from agent.training.wordings import PEOPLE, decimal_text, digits, money, say

F = Fraction

_ITEMS = (
    ("stickers", "album"),
    ("marbles", "jar"),
    ("cards", "box"),
    ("stamps", "book"),
    ("shells", "bucket"),
    ("coins", "purse"),
    ("books", "shelf"),
    ("photos", "album"),
)
_GOODS = (
    ("apples", "each", 1, 2),
    ("notebooks", "each", 1, 6),
    ("tickets", "each", 5, 40),
    ("sandwiches", "each", 3, 9),
    ("pens", "each", 1, 4),
    ("t-shirts", "each", 8, 25),
    ("bus fares", "each", 1, 5),
    ("muffins", "each", 1, 4),
    ("candles", "each", 2, 12),
    ("plants", "each", 3, 20),
)
_PACKS = (
    ("crayons", "box", "boxes"),
    ("eggs", "carton", "cartons"),
    ("bottles", "crate", "crates"),
    ("chairs", "row", "rows"),
    ("students", "bus", "buses"),
    ("cupcakes", "tray", "trays"),
    ("books", "shelf", "shelves"),
    ("photos", "page", "pages"),
)


def _price_text(value: Fraction, like: str) -> str:
    """A total as a price tag shows it: with two decimals when the unit price ``like`` has any."""
    return f"{float(value):.2f}" if "." in like and value.denominator != 1 else digits(value)


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:]


def compare_story(rng: random.Random) -> Problem:
    """Two people's counts and the question how many more or fewer, how many in all, or how many times as
    many: ``45-28``, ``45+28``, ``84/12``."""
    a_name, b_name = rng.sample(PEOPLE, 2)
    item, _ = rng.choice(_ITEMS)
    kind = rng.randrange(5)
    if kind == 4:
        b, k = rng.randint(2, 40), rng.randint(2, 9)
        a = b * k
    else:
        a, b = sorted(rng.sample(range(4, 600), 2), reverse=True)
    given = rng.choice(
        (
            "{A} has {a} {i} and {B} has {b}.",
            "{A} has {a} {i}. {B} has {b} {i}.",
            "{B} has {b} {i} and {A} has {a}.",
            "{A} collected {a} {i}, while {B} collected {b}.",
        )
    ).format(A=a_name, B=b_name, a=say(a, rng), b=say(b, rng), i=item)
    if kind in (0, 1):
        question = rng.choice(
            (
                "How many more {i} does {A} have than {B}?",
                "How many fewer {i} does {B} have than {A}?",
                "How many more does {B} need to have as many as {A}?",
                "What is the difference between their numbers of {i}?",
                "By how many {i} does {A} lead?",
            )
        )
        expression, value = f"{a}-{b}", F(a - b)
    elif kind in (2, 3):
        question = rng.choice(
            (
                "How many {i} do they have altogether?",
                "How many {i} do they have in total?",
                "If they put them together, how many {i} are there?",
            )
        )
        expression, value = f"{a}+{b}", F(a + b)
        if given.startswith(b_name):
            expression = f"{b}+{a}"
    else:
        question = rng.choice(
            (
                "How many times as many {i} does {A} have as {B}?",
                "{A}'s collection is how many times the size of {B}'s?",
            )
        )
        expression, value = f"{a}/{b}", F(a, b)
    text = given + " " + question.format(A=a_name, B=b_name, i=item)
    return Problem(text, expression, value)


def unit_price_story(rng: random.Random) -> Problem:
    """A price for one and a count (the cost of many), a total for many (the price of one), or a budget
    and a price (how many one can buy): ``0.60*15``, ``4.20/6``, ``30/2.50``."""
    who = rng.choice(PEOPLE)
    goods, _, low, high = rng.choice(_GOODS)
    price = decimal_text(rng, low, high) if rng.random() < 0.5 else str(rng.randint(low, high))
    k = rng.randint(2, 24)
    total = _price_text(F(price) * k, price)
    kind = rng.randrange(3)
    if kind == 0:
        text, count_first = rng.choice(
            (
                ("{G} cost {p} each. How much do {k} {g} cost?", False),
                ("One of the {g} costs {p}. What do {k} of them cost?", False),
                ("{w} buys {k} {g} at {p} each. How much does {w} pay?", True),
                ("{w} needs {k} {g}, and they are {p} apiece. What is the total cost?", True),
                ("At {p} for one, how much are {k} {g}?", False),
            )
        )
        expression = f"{k}*{price}" if count_first else f"{price}*{k}"
        value = F(price) * k
    elif kind == 1:
        text = rng.choice(
            (
                "A pack of {k} {g} costs {t}. How much does one cost?",
                "{w} paid {t} for {k} {g}. What did each one cost?",
                "{k} {g} cost {t} in total. What is the price of one?",
            )
        )
        expression, value = f"{total}/{k}", F(total) / k
    else:
        text = rng.choice(
            (
                "{w} has {t} to spend. {G} cost {p} each. How many can {w} buy?",
                "With {t}, how many {g} at {p} each can {w} buy?",
                "{G} are {p} each. How many can you get for {t}?",
            )
        )
        expression, value = f"{total}/{price}", F(k)
    currency = rng.choice(("$", "€", "£"))
    fields = {
        "w": who,
        "g": goods,
        "G": _sentence(goods),
        "k": say(k, rng),
        "p": money(price, rng, currency),
        "t": money(total, rng, currency),
    }
    return Problem(_sentence(text.format(**fields)), expression, value)


def per_hundred_story(rng: random.Random) -> Problem:
    """A rate given per 100 (or per 1,000) of something, applied to an amount: ``6*450/100``."""
    base = rng.choice((100, 100, 100, 1000))
    r = rng.randint(2, 12) if base == 100 else rng.randint(2, 40)
    amount = rng.randint(2, 40) * (base // 4 if rng.random() < 0.5 else base // 10)
    wording = rng.choice(
        (
            "A car uses {r} litres of fuel per {b} km. How many litres does it need for a {d} km trip?",
            "A van burns {r} litres of diesel every {b} km. How much diesel does a {d} km drive take?",
            "Shipping costs ${r} per {b} grams. What does it cost to ship a {d} gram parcel?",
            "A printer uses {r} ml of ink for every {b} pages. How much ink do {d} pages take?",
            "A recipe needs {r} g of sugar per {b} g of flour. How much sugar goes with {d} g of flour?",
            "The fee is {r} dollars per {b} dollars borrowed. What is the fee on {d} dollars?",
        )
    )
    text = wording.format(r=say(r, rng), b=f"{base:,}" if base >= 1000 else base, d=say(amount, rng))
    return Problem(text, f"{r}*{amount}/{base}", F(r * amount, base))


def wage_story(rng: random.Random) -> Problem:
    """Pay per hour, hours per week, and weeks: ``18*35``, ``18*35*4``, or the hours a sum takes: ``540/18``."""
    who = rng.choice(PEOPLE)
    rate = decimal_text(rng, 9, 40) if rng.random() < 0.35 else str(rng.randint(9, 45))
    hours = rng.randint(4, 45)
    kind = rng.randrange(3)
    r = money(rate, rng, "$")
    if kind == 0:
        text = rng.choice(
            (
                "{w} earns {r} per hour and works {h} hours a week. How much does {w} earn in a week?",
                "{w} is paid {r} an hour for a {h}-hour week. What is the weekly pay?",
                "{w} works {h} hours each week at {r} per hour. How much is that each week?",
            )
        )
        expression = f"{hours}*{rate}" if text.startswith("{w} works") else f"{rate}*{hours}"
        value = F(rate) * hours
    elif kind == 1:
        weeks = rng.randint(2, 12)
        text = rng.choice(
            (
                "{w} earns {r} an hour and works {h} hours every week. How much does {w} earn in {k} weeks?",
                "At {r} per hour and {h} hours a week, what does {w} make over {k} weeks?",
            )
        )
        expression, value = f"{rate}*{hours}*{weeks}", F(rate) * hours * weeks
        return Problem(text.format(w=who, r=r, h=say(hours, rng), k=say(weeks, rng)), expression, value)
    else:
        total = _price_text(F(rate) * hours, rate)
        text = rng.choice(
            (
                "{w} earns {r} an hour. How many hours must {w} work to earn {t}?",
                "At {r} per hour, how long does it take {w} to make {t}?",
            )
        )
        expression, value = f"{total}/{rate}", F(hours)
        return Problem(text.format(w=who, r=r, t=money(total, rng, "$")), expression, value)
    return Problem(text.format(w=who, r=r, h=say(hours, rng)), expression, value)


def pack_story(rng: random.Random) -> Problem:
    """So many to a container: the containers needed for a total (``600/24``) or the total in so many
    containers (``24*25``)."""
    item, one, many = rng.choice(_PACKS)
    k, m = rng.randint(2, 36), rng.randint(2, 40)
    n = k * m
    if rng.random() < 0.6:
        text = rng.choice(
            (
                "A {o} holds {k} {i}. How many {s} are needed for {n} {i}?",
                "{n} {i} are packed {k} to a {o}. How many {s} does that fill?",
                "There are {n} {i}, and each {o} takes {k}. How many {s} are used?",
                "How many {s} of {k} can be filled with {n} {i}?",
            )
        )
        expression, value = f"{n}/{k}", F(m)
    else:
        text = rng.choice(
            (
                "A {o} holds {k} {i}. How many {i} fit in {m} {s}?",
                "There are {m} {s} with {k} {i} in each. How many {i} is that?",
            )
        )
        expression, value = f"{m}*{k}" if text.startswith("There") else f"{k}*{m}", F(n)
    fields = {"o": one, "s": many, "i": item, "k": say(k, rng), "m": say(m, rng), "n": say(n, rng)}
    return Problem(_sentence(text.format(**fields)), expression, value)


def age_story(rng: random.Random) -> Problem:
    """Ages: so many times as old, years older or younger, in or ago some years, the sum of two ages."""
    a_name, b_name = rng.sample(PEOPLE, 2)
    a = rng.randint(3, 40)
    kind = rng.randrange(5)
    if kind == 0:
        k = rng.randint(2, 4)
        text = f"{a_name} is {say(a, rng)} years old. {b_name} is {say(k, rng)} times as old. How old is {b_name}?"
        return Problem(text, f"{a}*{k}", F(a * k))
    d = rng.randint(2, 30)
    if kind == 1:
        older = rng.random() < 0.5
        relation = "older" if older else "younger"
        if not older and d >= a:
            a += d
        text = (
            f"{a_name} is {say(a, rng)}. {b_name} is {say(d, rng)} years {relation} than {a_name}. "
            f"How old is {b_name}?"
        )
        return Problem(text, f"{a}+{d}" if older else f"{a}-{d}", F(a + d if older else a - d))
    if kind == 2:
        text = f"{a_name} is {say(a, rng)} years old now. How old will {a_name} be in {say(d, rng)} years?"
        return Problem(text, f"{a}+{d}", F(a + d))
    if kind == 3:
        b = rng.randint(3, 70)
        text = f"{a_name} is {say(a, rng)} and {b_name} is {say(b, rng)}. What is the sum of their ages?"
        return Problem(text, f"{a}+{b}", F(a + b))
    born = rng.randint(1950, 2020)
    now = rng.randint(born + 1, 2030)
    text = f"{a_name} was born in {born}. How old is {a_name} in {now}?"
    return Problem(text, f"{now}-{born}", F(now - born))


def rectangle_story(rng: random.Random) -> Problem:
    """Perimeters and areas of rectangles and squares, and a fence priced by the metre: ``2*(12+7)``."""
    length, width = rng.randint(3, 60), rng.randint(2, 40)
    thing = rng.choice(("garden", "room", "field", "yard", "playground", "rug"))
    unit = rng.choice(("metres", "m", "feet"))
    kind = rng.randrange(5)
    if kind == 0:
        text = f"A {thing} is {length} {unit} long and {width} {unit} wide. What is its perimeter?"
        return Problem(text, f"2*({length}+{width})", F(2 * (length + width)))
    if kind == 1:
        text = f"A rectangular {thing} measures {length} {unit} by {width} {unit}. What is its area?"
        return Problem(text, f"{length}*{width}", F(length * width))
    if kind == 2:
        text = f"A square {thing} has sides of {length} {unit}. What is its perimeter?"
        return Problem(text, f"4*{length}", F(4 * length))
    if kind == 3:
        text = f"A square {thing} is {length} {unit} on each side. What is its area?"
        return Problem(text, f"{length}*{length}", F(length * length))
    price = rng.randint(2, 30)
    text = (
        f"A {thing} is {length} {unit} long and {width} {unit} wide. Fencing costs ${price} per metre. "
        "How much does it cost to fence all the way around?"
    )
    return Problem(text, f"2*({length}+{width})*{price}", F(2 * (length + width) * price))


def speed_story(rng: random.Random) -> Problem:
    """Distance from speed and time (``80*4.5``), or time from distance and speed (``360/80``)."""
    speed = rng.randint(3, 24) * 5
    hours = str(rng.randint(2, 9)) if rng.random() < 0.6 else f"{rng.randint(1, 8)}.5"
    unit = rng.choice(("km", "miles"))
    vehicle = rng.choice(("A train", "A car", "A bus", "A cyclist", "A ship", "A truck"))
    distance = digits(F(hours) * speed)
    if rng.random() < 0.6:
        text = rng.choice(
            (
                "{v} travels at {s} {u} per hour. How far does it go in {t} hours?",
                "{v} moves at {s} {u} an hour for {t} hours. How many {u} does it cover?",
            )
        ).format(v=vehicle, s=speed, u=unit, t=hours)
        return Problem(text, f"{speed}*{hours}", F(hours) * speed)
    text = rng.choice(
        (
            "{v} travels at {s} {u} per hour. How many hours does a {d} {u} journey take?",
            "How long does it take to go {d} {u} at {s} {u} an hour?",
        )
    ).format(v=vehicle, s=speed, u=unit, d=distance)
    return Problem(text, f"{distance}/{speed}", F(hours))


MEASURE_TEMPLATES: dict[str, Callable[[random.Random], Problem]] = {
    story.__name__: story
    for story in (
        compare_story,
        unit_price_story,
        per_hundred_story,
        wage_story,
        pack_story,
        age_story,
        rectangle_story,
        speed_story,
    )
}
"""Drawn as training templates beside the story grammar's."""

MEASURE_WEIGHTS = {
    "compare_story": 3,
    "unit_price_story": 3,
    "per_hundred_story": 2,
    "wage_story": 2,
    "pack_story": 2,
    "age_story": 2,
    "rectangle_story": 2,
    "speed_story": 2,
}
"""How often each kind is drawn against one hand-written template (weight 1)."""
