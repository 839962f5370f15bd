"""Word problems, each mapped to ONE calculator expression, in many shapes (templates) and wordings.

A template draws its numbers from a seeded ``random.Random``, words the question one of several ways
(numbers in digits or words, decimals as written on a price tag, "two weeks" for 14 days) and returns the
calculator expression a careful person would type, with the numbers in the order the question gives them,
and the exact answer computed separately with ``fractions.Fraction``. The expression is only kept when the
real calculator agrees with that answer (``agent.training.build``).

``HELD_OUT`` names the templates whose *shapes* are never trained on: they measure whether the model learnt
to translate problems or only the shapes it saw. They were written for this module, not taken from the
project's hand-worded eval suites (``agent.evaluation.suites``), which stay unseen.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from agent.training.wordings import (
    DURATIONS_IN_DAYS,
    DURATIONS_IN_MONTHS,
    FRACTIONS,
    MULTIPLES,
    PEOPLE,
    decimal_text,
    digits,
    money,
    say,
)


@dataclass(frozen=True)
class Problem:
    """A question, the one calculator expression that answers it, and the exact answer."""

    question: str
    expression: str
    answer: Fraction


Template = Callable[[random.Random], Problem]
F = Fraction


def _price(rng: random.Random, low: int = 2, high: int = 60) -> tuple[str, Fraction]:
    """A price as written (``"86.40"`` or ``"12"``) and its exact value."""
    text = decimal_text(rng, low, high) if rng.random() < 0.5 else str(rng.randint(low, high))
    return text, F(text)


def _pick(rng: random.Random, wordings: tuple[str, ...], **fields: object) -> str:
    return rng.choice(wordings).format(**fields)


# ------------------------------------------------------------------------------ plain arithmetic


_BINARY = (
    (
        "+",
        ("{a} plus {b}", "{a} + {b}", "the sum of {a} and {b}", "{a} added to {b}", "{a} and {b} together"),
    ),
    ("-", ("{a} minus {b}", "{a} - {b}", "{b} subtracted from {a}", "{a} take away {b}", "{a} less {b}")),
    ("*", ("{a} times {b}", "{a} multiplied by {b}", "{a} x {b}", "the product of {a} and {b}", "{a} * {b}")),
    (
        "/",
        (
            "{a} divided by {b}",
            "{a} / {b}",
            "{a} over {b}",
            "the quotient of {a} and {b}",
            "{a} split by {b}",
        ),
    ),
)
_ASK = (
    "What is {q}?",
    "What's {q}?",
    "Calculate {q}.",
    "How much is {q}?",
    "Compute {q}",
    "{q}?",
    "Can you work out {q}?",
    "please find {q}",
    "Quick one: {q}?",
    "what do you get for {q}",
)


def arithmetic(rng: random.Random) -> Problem:
    op, wordings = rng.choice(_BINARY)
    a = rng.randint(2, 999)
    b = rng.randint(2, 99)
    a_text = decimal_text(rng, 1, 300, places=rng.choice((1, 2))) if rng.random() < 0.3 else str(a)
    if op == "/" and rng.random() < 0.6:  # a whole quotient most of the time
        a_text = str(b * rng.randint(2, 60))
    va = F(a_text)
    answer = {"+": va + b, "-": va - b, "*": va * b, "/": va / b}[op]
    question = rng.choice(wordings).format(
        a=say(a_text if "." in a_text else int(a_text), rng), b=say(b, rng)
    )
    return Problem(_pick(rng, _ASK, q=question), f"{a_text}{op}{b}", answer)


def powers(rng: random.Random) -> Problem:
    kind = rng.randrange(4)
    if kind == 0:
        n = rng.randint(2, 40)
        q = _pick(rng, ("{n} squared", "the square of {n}", "{n} to the power of two"), n=say(n, rng))
        return Problem(_pick(rng, _ASK, q=q), f"{n}**2", F(n * n))
    if kind == 1:
        n = rng.randint(2, 15)
        q = _pick(rng, ("{n} cubed", "the cube of {n}", "{n} to the third power"), n=say(n, rng))
        return Problem(_pick(rng, _ASK, q=q), f"{n}**3", F(n**3))
    if kind == 2:
        base, exp = rng.randint(2, 9), rng.randint(5, 120)
        q = _pick(rng, ("{b} to the power of {e}", "{b}**{e}", "{b}^{e}", "{b} raised to {e}"), b=base, e=exp)
        return Problem(_pick(rng, _ASK, q=q), f"{base}**{exp}", F(base**exp))
    root = rng.randint(2, 40)
    q = _pick(rng, ("the square root of {n}", "sqrt({n})", "the root of {n}"), n=root * root)
    return Problem(_pick(rng, _ASK, q=q), f"sqrt({root * root})", F(root))


def percent_of(rng: random.Random) -> Problem:
    p = rng.choice((5, 10, 12, 15, 20, 25, 30, 40, 50, 75, 8, 18))
    x = rng.randint(20, 2000)
    q = _pick(
        rng,
        (
            "What is {p}% of {x}?",
            "{p} percent of {x}?",
            "How much is {p}% of {x}?",
            "Find {p} per cent of {x}.",
            "what's {p}% of {x}",
        ),
        p=p,
        x=say(x, rng),
    )
    return Problem(q, f"{x}*{p}/100", F(x * p, 100))


def fraction_of(rng: random.Random) -> Problem:
    phrase, value, written = rng.choice(FRACTIONS)
    x = rng.randint(2, 300) * 12
    q = _pick(
        rng,
        ("What is {f} of {x}?", "How much is {f} of {x}?", "{F} of {x} is how much?", "Take {f} of {x}."),
        f=phrase,
        F=phrase.capitalize(),
        x=say(x, rng),
    )
    return Problem(q, f"{x}*{written}", x * value)


def grouped(rng: random.Random) -> Problem:
    a, b, c = rng.randint(2, 90), rng.randint(2, 90), rng.randint(2, 20)
    q = _pick(
        rng,
        (
            "Add {a} and {b}, then multiply by {c}.",
            "What is {a} plus {b}, times {c}?",
            "Take the sum of {a} and {b} and multiply it by {c}.",
            "({a} + {b}) * {c}?",
        ),
        a=say(a, rng),
        b=say(b, rng),
        c=say(c, rng),
    )
    return Problem(q, f"({a}+{b})*{c}", F((a + b) * c))


# ------------------------------------------------------------------------------ money


def change_from_payment(rng: random.Random) -> Problem:
    n = rng.randint(2, 9)
    price_text, price = _price(rng, 1, 15)
    paid = rng.choice((50, 100, 200))
    who, item = rng.choice(PEOPLE), rng.choice(("notebooks", "coffees", "tickets", "sandwiches", "pens"))
    q = _pick(
        rng,
        (
            "{w} buys {n} {i} at {p} each and pays with {b}. How much change does {w} get?",
            "{n} {i} cost {p} apiece. If I hand over {b}, what change do I get back?",
            "I paid {b} for {n} {i} priced {p} each. What's my change?",
        ),
        w=who,
        n=say(n, rng),
        i=item,
        p=money(price_text, rng, "$"),
        b=money(paid, rng, "$"),
    )
    return Problem(q, f"{paid}-{n}*{price_text}", paid - n * price)


def two_item_total(rng: random.Random) -> Problem:
    n1, n2 = rng.randint(2, 12), rng.randint(2, 12)
    (p1t, p1), (p2t, p2) = _price(rng), _price(rng)
    a, b = rng.sample(("adult tickets", "child tickets", "apples", "mangoes", "chairs", "lamps", "shirts"), 2)
    q = _pick(
        rng,
        (
            "What do {n1} {a} at {p1} and {n2} {b} at {p2} cost altogether?",
            "I need {n1} {a} ({p1} each) and {n2} {b} ({p2} each). What's the total?",
            "{n1} {a} cost {p1} each and {n2} {b} cost {p2} each. How much for all of them?",
        ),
        n1=say(n1, rng),
        n2=say(n2, rng),
        a=a,
        b=b,
        p1=money(p1t, rng, "$"),
        p2=money(p2t, rng, "$"),
    )
    return Problem(q, f"{n1}*{p1t}+{n2}*{p2t}", n1 * p1 + n2 * p2)


def split_bill(rng: random.Random) -> Problem:
    n = rng.randint(2, 12)
    total_text, total = _price(rng, 20, 400)
    q = _pick(
        rng,
        (
            "{n} friends share a bill of {t} equally. How much does each pay?",
            "Split {t} evenly between {n} people: how much each?",
            "We owe {t} in total and there are {n} of us. What's each person's share?",
        ),
        n=say(n, rng),
        t=money(total_text, rng),
    )
    return Problem(q, f"{total_text}/{n}", total / n)


def split_with_tip(rng: random.Random) -> Problem:
    n = rng.randint(2, 8)
    total = rng.randint(4, 60) * 10
    tip = rng.choice((10, 15, 20))
    q = _pick(
        rng,
        (
            "Dinner costs {t} and we add a {p}% tip. Split between {n}, what does each of us pay?",
            "A {t} bill plus {p}% tip, shared by {n} people. How much per person?",
        ),
        t=money(total, rng),
        p=tip,
        n=say(n, rng),
    )
    return Problem(q, f"{total}*(1+{tip}/100)/{n}", F(total) * (1 + F(tip, 100)) / n)


def sale_price(rng: random.Random) -> Problem:
    p = rng.choice((10, 15, 20, 25, 30, 40, 50, 60, 70))
    price_text, price = _price(rng, 10, 500)
    item = rng.choice(("jacket", "bike", "phone", "sofa", "kettle", "tent"))
    q = _pick(
        rng,
        (
            "A {i} costs {x} and is {p}% off. What is the sale price?",
            "The {i} is {x}, with a {p} percent discount. What do I pay?",
            "{p}% off a {x} {i}: what's the new price?",
        ),
        i=item,
        x=money(price_text, rng),
        p=p,
    )
    return Problem(q, f"{price_text}*(1-{p}/100)", price * (1 - F(p, 100)))


def raise_salary(rng: random.Random) -> Problem:
    salary = rng.randint(20, 90) * 1000
    p = rng.choice((2, 3, 4, 5, 6, 8, 10, 12))
    q = _pick(
        rng,
        (
            "{w} earns {s} a year and gets a {p}% raise. What is the new salary?",
            "A salary of {s} goes up by {p} percent. What is it now?",
        ),
        w=rng.choice(PEOPLE),
        s=money(say(salary, rng, words=False), rng),
        p=p,
    )
    return Problem(q, f"{salary}*(1+{p}/100)", salary * (1 + F(p, 100)))


def unit_price(rng: random.Random) -> Problem:
    n = rng.choice((2, 3, 4, 5, 6, 8, 10))
    m = rng.randint(2, 30)
    each = F(rng.randint(5, 400), 10)
    total = each * n
    q = _pick(
        rng,
        (
            "{n} bottles cost {t}. How much do {m} bottles cost?",
            "If {n} bags of rice cost {t}, what would {m} bags cost?",
            "A pack of {n} costs {t}. What is the price of {m} at the same rate?",
        ),
        n=say(n, rng),
        t=money(digits(total), rng),
        m=say(m, rng),
    )
    return Problem(q, f"{digits(total)}/{n}*{m}", total / n * m)


def simple_interest(rng: random.Random) -> Problem:
    principal = rng.randint(1, 50) * 500
    rate = rng.choice((2, 3, 4, 5, 6, 7))
    years = rng.randint(2, 10)
    q = _pick(
        rng,
        (
            "How much simple interest does {x} earn at {r}% a year over {y} years?",
            "Simple interest on {x} at {r} percent per year for {y} years?",
        ),
        x=money(principal, rng),
        r=rate,
        y=say(years, rng),
    )
    return Problem(q, f"{principal}*{rate}/100*{years}", F(principal * rate * years, 100))


def compound_growth(rng: random.Random) -> Problem:
    principal = rng.randint(1, 20) * 1000
    rate = rng.choice((2, 3, 4, 5, 10))
    years = rng.randint(2, 6)
    q = _pick(
        rng,
        (
            "{x} grows {r}% a year, compounded. How much after {y} years?",
            "If I invest {x} at {r}% compound interest, what do I have after {y} years?",
        ),
        x=money(principal, rng),
        r=rate,
        y=say(years, rng),
    )
    return Problem(q, f"{principal}*(1+{rate}/100)**{years}", principal * (1 + F(rate, 100)) ** years)


def subscription(rng: random.Random) -> Problem:
    phrase, months = rng.choice(DURATIONS_IN_MONTHS)
    fee_text, fee = _price(rng, 3, 40)
    q = _pick(
        rng,
        (
            "A subscription costs {f} a month. How much is that for {d}?",
            "I pay {f} monthly for my phone. What does {d} cost me?",
            "At {f} per month, what do I spend in {d}?",
        ),
        f=money(fee_text, rng),
        d=phrase,
    )
    return Problem(q, f"{fee_text}*{months}", fee * months)


def savings_per_day(rng: random.Random) -> Problem:
    phrase, days = rng.choice(DURATIONS_IN_DAYS)
    amount_text, amount = _price(rng, 2, 30)
    q = _pick(
        rng,
        (
            "{w} saves {a} a day for {d}. How much is saved?",
            "If I put aside {a} every day for {d}, how much do I have?",
        ),
        w=rng.choice(PEOPLE),
        a=money(amount_text, rng),
        d=phrase,
    )
    return Problem(q, f"{amount_text}*{days}", amount * days)


def wage(rng: random.Random) -> Problem:
    rate_text, rate = _price(rng, 9, 45)
    hours, days = rng.randint(2, 10), rng.randint(2, 6)
    q = _pick(
        rng,
        (
            "{w} earns {r} an hour and works {h} hours a day for {d} days. How much is that?",
            "Paid {r} per hour, {h} hours a day, {d} days: what are the total earnings?",
        ),
        w=rng.choice(PEOPLE),
        r=money(rate_text, rng),
        h=say(hours, rng),
        d=say(days, rng),
    )
    return Problem(q, f"{rate_text}*{hours}*{days}", rate * hours * days)


# ------------------------------------------------------------------------------ quantities


def used_up(rng: random.Random) -> Problem:
    start = rng.randint(50, 900)
    a, b = rng.randint(1, start // 3), rng.randint(1, start // 3)
    thing = rng.choice(("stickers", "litres of paint", "marbles", "sheets of paper", "screws"))
    q = _pick(
        rng,
        (
            "{w} has {s} {t}, uses {a} on Monday and {b} on Tuesday. How many are left?",
            "There were {s} {t}. {a} were used, then another {b}. What remains?",
            "Starting with {s} {t}, I give away {a} and lose {b}. How many do I still have?",
        ),
        w=rng.choice(PEOPLE),
        s=say(start, rng),
        t=thing,
        a=say(a, rng),
        b=say(b, rng),
    )
    return Problem(q, f"{start}-{a}-{b}", F(start - a - b))


def boxes_given_away(rng: random.Random) -> Problem:
    boxes = rng.randint(4, 30)
    per = rng.randint(3, 48)
    away = rng.randint(1, boxes - 1)
    if rng.random() < 0.4:
        phrase, per = rng.choice(MULTIPLES)
        per_text = phrase
    else:
        per_text = say(per, rng)
    q = _pick(
        rng,
        (
            "A shop has {b} crates with {p} eggs in each and gives away {a} crates. How many eggs are left?",
            "{b} cartons hold {p} cans each; {a} cartons are sold. How many cans remain?",
        ),
        b=say(boxes, rng),
        p=per_text,
        a=say(away, rng),
    )
    return Problem(q, f"({boxes}-{away})*{per}", F((boxes - away) * per))


def average(rng: random.Random) -> Problem:
    count = rng.randint(3, 5)
    scores = [rng.randint(40, 100) for _ in range(count)]
    listed = ", ".join(str(s) for s in scores[:-1]) + f" and {scores[-1]}"
    q = _pick(
        rng,
        (
            "What is the average of {l}?",
            "Find the mean of {l}.",
            "My test scores were {l}. What's my average?",
        ),
        l=listed,
    )
    return Problem(q, f"({'+'.join(map(str, scores))})/{count}", F(sum(scores), count))


def speed_distance(rng: random.Random) -> Problem:
    speed, hours = rng.randint(20, 120), rng.choice(("2", "3", "4", "1.5", "2.5", "5", "6"))
    q = _pick(
        rng,
        (
            "A car drives at {s} km/h for {h} hours. How far does it go?",
            "At {s} miles per hour, how many miles in {h} hours?",
            "A train travels {h} hours at {s} km per hour. What distance is that?",
        ),
        s=say(speed, rng),
        h=hours if "." in hours else say(int(hours), rng),
    )
    return Problem(q, f"{speed}*{hours}", speed * F(hours))


def travel_time(rng: random.Random) -> Problem:
    speed = rng.randint(4, 24) * 5
    hours = rng.randint(2, 9)
    q = _pick(
        rng,
        (
            "How long does a {d} km trip take at {s} km/h?",
            "A cyclist covers {d} km at {s} km per hour. How many hours is that?",
        ),
        d=say(speed * hours, rng),
        s=say(speed, rng),
    )
    return Problem(q, f"{speed * hours}/{speed}", F(hours))


def rectangle_area(rng: random.Random) -> Problem:
    length, width = rng.choice(("4", "5.5", "6", "12", "7.25", "9")), rng.randint(2, 15)
    q = _pick(
        rng,
        (
            "A room is {l} m long and {w} m wide. What is its area?",
            "What is the area of a {l} by {w} metre garden?",
        ),
        l=length,
        w=say(width, rng),
    )
    return Problem(q, f"{length}*{width}", F(length) * width)


def rectangle_perimeter(rng: random.Random) -> Problem:
    length, width = rng.randint(3, 80), rng.randint(2, 60)
    q = _pick(
        rng,
        (
            "How much fence goes round a {l} m by {w} m field?",
            "What is the perimeter of a rectangle {l} cm long and {w} cm wide?",
        ),
        l=say(length, rng),
        w=say(width, rng),
    )
    return Problem(q, f"2*({length}+{width})", F(2 * (length + width)))


def fuel_use(rng: random.Random) -> Problem:
    per100 = rng.choice(("5", "6.5", "7", "8.2", "4.8", "9"))
    distance = rng.randint(1, 30) * 20
    q = _pick(
        rng,
        (
            "My car uses {l} litres per 100 km. How much fuel for {d} km?",
            "At {l} L/100km, how many litres does a {d} km drive need?",
        ),
        l=per100,
        d=say(distance, rng),
    )
    return Problem(q, f"{per100}*{distance}/100", F(per100) * distance / 100)


def celsius(rng: random.Random) -> Problem:
    c = rng.randint(-20, 45)
    q = _pick(rng, ("What is {c} degrees Celsius in Fahrenheit?", "Convert {c}°C to °F."), c=c)
    return Problem(q, f"{c}*9/5+32", F(c) * 9 / 5 + 32)


def reading_days(rng: random.Random) -> Problem:
    per_day = rng.randint(5, 60)
    days = rng.randint(3, 30)
    q = _pick(
        rng,
        (
            "A book has {n} pages. Reading {p} pages a day, how many days to finish?",
            "I read {p} pages daily. How long for a {n}-page novel?",
        ),
        n=say(per_day * days, rng),
        p=say(per_day, rng),
    )
    return Problem(q, f"{per_day * days}/{per_day}", F(days))


def recipe_scale(rng: random.Random) -> Problem:
    serves = rng.choice((2, 4, 6, 8))
    wanted = rng.randint(2, 24)
    amount = rng.choice(("200", "250", "1.5", "3", "120", "0.5"))
    q = _pick(
        rng,
        (
            "A recipe for {s} people needs {a} cups of flour. How much for {t} people?",
            "{a} kg of potatoes feed {s}. How many kg for {t} guests?",
        ),
        s=say(serves, rng),
        a=amount,
        t=say(wanted, rng),
    )
    return Problem(q, f"{amount}/{serves}*{wanted}", F(amount) / serves * wanted)


def difference(rng: random.Random) -> Problem:
    a, b = sorted(rng.sample(range(100, 2500), 2), reverse=True)
    q = _pick(
        rng,
        (
            "{x} is {a} cm tall and {y} is {b} cm. How much taller is {x}?",
            "One bridge is {a} m long and another {b} m. What's the difference?",
        ),
        x=rng.choice(PEOPLE),
        y=rng.choice(PEOPLE),
        a=a,
        b=b,
    )
    return Problem(q, f"{a}-{b}", F(a - b))


def minutes_total(rng: random.Random) -> Problem:
    hours, minutes = rng.randint(1, 9), rng.randint(1, 59)
    q = _pick(
        rng,
        (
            "How many minutes are {h} hours and {m} minutes?",
            "The film runs {h} h {m} min. How long is that in minutes?",
        ),
        h=say(hours, rng),
        m=say(minutes, rng),
    )
    return Problem(q, f"{hours}*60+{minutes}", F(hours * 60 + minutes))


def print_time(rng: random.Random) -> Problem:
    rate = rng.randint(5, 40)
    pages = rate * rng.randint(2, 30)
    q = _pick(
        rng,
        (
            "A printer prints {r} pages a minute. How many minutes for {p} pages?",
            "At {r} pages per minute, how long does a {p}-page job take?",
        ),
        r=say(rate, rng),
        p=say(pages, rng),
    )
    return Problem(q, f"{pages}/{rate}", F(pages, rate))


def percent_change(rng: random.Random) -> Problem:
    old = rng.randint(2, 50) * 20
    new = old + rng.choice((-1, 1)) * old * rng.choice((5, 10, 15, 20, 25, 40, 50)) // 100
    q = _pick(
        rng,
        (
            "A price went from {a} to {b}. By what percent did it change?",
            "Visitors rose from {a} to {b}. What is the percentage change?",
        ),
        a=old,
        b=new,
    )
    return Problem(q, f"({new}-{old})/{old}*100", F(new - old, old) * 100)


def ratio_share(rng: random.Random) -> Problem:
    a, b = rng.randint(1, 5), rng.randint(1, 5)
    total = (a + b) * rng.randint(5, 200)
    q = _pick(
        rng,
        (
            "Split {t} in the ratio {a}:{b}. How big is the first share?",
            "{x} and {y} share {t} in the ratio {a} to {b}. How much does {x} get?",
        ),
        t=money(total, rng),
        a=a,
        b=b,
        x=rng.choice(PEOPLE),
        y=rng.choice(PEOPLE),
    )
    return Problem(q, f"{total}*{a}/({a}+{b})", F(total * a, a + b))


def unit_conversion(rng: random.Random) -> Problem:
    kind = rng.randrange(5)
    if kind == 0:
        n = rng.randint(2, 30)
        return Problem(
            _pick(rng, ("How many hours are in {n} days?", "{n} days is how many hours?"), n=say(n, rng)),
            f"{n}*24",
            F(n * 24),
        )
    if kind == 1:
        phrase, days = rng.choice(DURATIONS_IN_DAYS)
        q = _pick(
            rng,
            ("How many hours are there in {d}?", "{D} is how many hours?"),
            d=phrase,
            D=phrase.capitalize(),
        )
        return Problem(q, f"{days}*24", F(days * 24))
    if kind == 2:
        km = rng.choice(("2", "3.5", "12", "0.75", "42.195", "7"))
        return Problem(
            _pick(rng, ("How many metres is {k} km?", "Convert {k} kilometres to metres."), k=km),
            f"{km}*1000",
            F(km) * 1000,
        )
    if kind == 3:
        n = rng.randint(2, 90)
        return Problem(
            _pick(rng, ("How many seconds are in {n} minutes?", "{n} minutes in seconds?"), n=say(n, rng)),
            f"{n}*60",
            F(n * 60),
        )
    grams = rng.randint(2, 90) * 50
    return Problem(
        _pick(rng, ("How many kilograms is {g} grams?", "Convert {g} g to kg."), g=grams),
        f"{grams}/1000",
        F(grams, 1000),
    )


def shared_fee(rng: random.Random) -> Problem:
    n = rng.randint(2, 12)
    each_text, each = _price(rng, 5, 40)
    fee = rng.randint(5, 60)
    q = _pick(
        rng,
        (
            "{n} people each pay {e} for a tour, plus a booking fee of {f}. What is the total?",
            "Tickets are {e} each for {n} of us and there's a {f} fee on top. Total?",
        ),
        n=say(n, rng),
        e=money(each_text, rng, "$"),
        f=money(fee, rng, "$"),
    )
    return Problem(q, f"{n}*{each_text}+{fee}", n * each + fee)


def coupon(rng: random.Random) -> Problem:
    k = rng.randint(2, 10)
    price_text, price = _price(rng, 4, 50)
    off = rng.randint(2, 10)
    q = _pick(
        rng,
        (
            "I buy {k} shirts at {p} each and use a {c} coupon on the total. What do I pay?",
            "{k} books cost {p} each; a voucher takes {c} off. How much is left to pay?",
        ),
        k=say(k, rng),
        p=money(price_text, rng, "€"),
        c=money(off, rng, "€"),
    )
    return Problem(q, f"{k}*{price_text}-{off}", k * price - off)


def budget_left(rng: random.Random) -> Problem:
    budget = rng.randint(10, 50) * 20
    a, b = rng.randint(1, 6), rng.randint(1, 6)
    (pa_text, pa), (pb_text, pb) = _price(rng, 3, 40), _price(rng, 3, 40)
    q = _pick(
        rng,
        (
            "With a budget of {x}, I buy {a} chairs at {pa} and {b} tables at {pb}. How much is left?",
            "{w} has {x} and spends it on {a} games at {pa} each and {b} books at {pb} each. What remains?",
        ),
        x=money(budget, rng, "$"),
        a=say(a, rng),
        b=say(b, rng),
        pa=money(pa_text, rng, "$"),
        pb=money(pb_text, rng, "$"),
        w=rng.choice(PEOPLE),
    )
    return Problem(q, f"{budget}-{a}*{pa_text}-{b}*{pb_text}", budget - a * pa - b * pb)


def circle(rng: random.Random) -> Problem:
    r = rng.choice(("3", "4", "5", "7", "2.5", "10", "12", "1.5"))
    if rng.random() < 0.5:
        q = _pick(
            rng,
            ("What is the area of a circle with radius {r} cm?", "Area of a round table of radius {r} m?"),
            r=r,
        )
        return Problem(q, f"pi*{r}**2", F(math.pi) * F(r) ** 2)
    q = _pick(
        rng,
        ("What is the circumference of a circle of radius {r}?", "How far round is a wheel of radius {r} m?"),
        r=r,
    )
    return Problem(q, f"2*pi*{r}", 2 * F(math.pi) * F(r))


def yearly_pay(rng: random.Random) -> Problem:
    rate_text, rate = _price(rng, 10, 40)
    hours = rng.choice((20, 25, 30, 35, 37.5, 40))
    hours_text = str(hours)
    q = _pick(
        rng,
        (
            "Paid {r} an hour for {h} hours a week, what is that over 52 weeks?",
            "{w} earns {r} hourly and works {h} hours each week. Yearly pay (52 weeks)?",
        ),
        r=money(rate_text, rng),
        h=hours_text,
        w=rng.choice(PEOPLE),
    )
    return Problem(q, f"{rate_text}*{hours_text}*52", rate * F(hours_text) * 52)


# ------------------------------------------------------------------------------ recombined stories

_THINGS = ("stamps", "seeds", "cards", "bricks", "coins", "shells", "beads", "buttons", "stickers", "nails")
_CONTAINERS = ("boxes", "bags", "jars", "packs", "tins", "crates")


def story_chain(rng: random.Random) -> Problem:
    """A made-up story of two to four steps, recombined from small events (paraphrase by recombination):
    each event extends the expression, with parentheses when a product or quotient follows a sum."""
    who, thing = rng.choice(PEOPLE), rng.choice(_THINGS)
    if rng.random() < 0.4:
        groups, size = rng.randint(2, 12), rng.randint(3, 25)
        holder = rng.choice(_CONTAINERS)
        sentences = [f"{who} has {say(groups, rng)} {holder} of {say(size, rng)} {thing}."]
        expression, value, low = f"{groups}*{size}", F(groups * size), False
    else:
        start = rng.randint(10, 400)
        sentences = [
            rng.choice(
                ("{w} has {n} {t}.", "{w} starts with {n} {t}.", "There are {n} {t} in {w}'s drawer.")
            ).format(w=who, n=say(start, rng), t=thing)
        ]
        expression, value, low = str(start), F(start), False
    for _ in range(rng.randint(1, 3)):
        event = rng.randrange(6)
        if event == 0:
            n = rng.randint(2, 90)
            sentences.append(
                rng.choice(
                    ("Then {w} finds {n} more.", "A friend gives {w} {n} more.", "{w} buys another {n}.")
                ).format(w=who, n=say(n, rng))
            )
            expression, value, low = f"{expression}+{n}", value + n, True
        elif event == 1 and value > 3:
            n = rng.randint(1, int(value) - 1) if value == int(value) else 1
            sentences.append(
                rng.choice(
                    ("{w} gives away {n}.", "{n} get lost.", "{w} sells {n} of them.", "{w} uses {n}.")
                ).format(w=who, n=say(n, rng))
            )
            expression, value, low = f"{expression}-{n}", value - n, True
        elif event == 2:
            n, word = rng.choice(((2, "doubles"), (3, "triples"), (4, "quadruples")))
            sentences.append(f"Then {who} {word} the collection.")
            expression = f"({expression})*{n}" if low else f"{expression}*{n}"
            value, low = value * n, False
        elif event == 3 and value == int(value) and value > 4:
            divisors = [d for d in range(2, 10) if int(value) % d == 0]
            if not divisors:
                continue
            n = rng.choice(divisors)
            sentences.append(
                rng.choice(
                    (
                        "{w} shares them equally among {n} friends. How many does each get?",
                        "They are split into {n} equal piles; one pile is kept.",
                    )
                ).format(w=who, n=say(n, rng))
            )
            expression = f"({expression})/{n}" if low else f"{expression}/{n}"
            value, low = value / n, False
            break
        elif event == 4:
            k, m = rng.randint(2, 9), rng.randint(2, 20)
            sentences.append(f"{who} buys {say(k, rng)} {rng.choice(_CONTAINERS)} of {say(m, rng)} more.")
            expression, value, low = f"{expression}+{k}*{m}", value + k * m, True
        elif event == 5 and value > 40:
            k, m = rng.randint(2, 5), rng.randint(2, 8)
            if k * m >= value:
                continue
            sentences.append(f"{who} sells {say(k, rng)} {rng.choice(_CONTAINERS)} of {say(m, rng)}.")
            expression, value, low = f"{expression}-{k}*{m}", value - k * m, True
    if not sentences[-1].endswith("?"):
        sentences.append(
            rng.choice(
                (
                    "How many {t} now?",
                    "How many are left?",
                    "How many {t} does {w} have?",
                    "What is the count at the end?",
                )
            ).format(t=thing, w=who)
        )
    return Problem(" ".join(sentences), expression, value)


# ------------------------------------------------------------------------------ held-out shapes


def change_after_discount(rng: random.Random) -> Problem:
    price = rng.randint(3, 40) * 5
    p = rng.choice((10, 20, 25, 50))
    paid = rng.choice((200, 250, 300))
    q = _pick(
        rng,
        (
            "A coat priced {x} is {p}% off. {w} pays with {b}. How much change comes back?",
            "With {p}% off a {x} lamp, what change do I get from {b}?",
        ),
        x=money(price, rng, "$"),
        p=p,
        w=rng.choice(PEOPLE),
        b=money(paid, rng, "$"),
    )
    return Problem(q, f"{paid}-{price}*(1-{p}/100)", paid - price * (1 - F(p, 100)))


def resale_profit(rng: random.Random) -> Problem:
    n = rng.randint(5, 60)
    cost, sell = sorted(rng.sample(range(2, 40), 2))
    q = _pick(
        rng,
        (
            "A stall buys {n} scarves at {c} each and sells all of them for {s} each. What is the profit?",
            "Bought {n} mugs for {c} apiece, sold each at {s}. How much did I make?",
        ),
        n=say(n, rng),
        c=money(cost, rng, "$"),
        s=money(sell, rng, "$"),
    )
    return Problem(q, f"{n}*({sell}-{cost})", F(n * (sell - cost)))


def tiling_cost(rng: random.Random) -> Problem:
    length, width = rng.randint(2, 12), rng.randint(2, 9)
    per_text, per = _price(rng, 8, 60)
    q = _pick(
        rng,
        (
            "Tiles cost {p} per square metre. What does it cost to tile a {l} m by {w} m floor?",
            "Carpet is {p} a square metre; the room is {l} metres by {w}. Total cost?",
        ),
        p=money(per_text, rng),
        l=say(length, rng),
        w=say(width, rng),
    )
    return Problem(q, f"{length}*{width}*{per_text}", length * width * per)


def leaking_tank(rng: random.Random) -> Problem:
    rate, hours = rng.randint(2, 25), rng.randint(2, 12)
    volume = rate * hours + rng.randint(10, 500)
    q = _pick(
        rng,
        (
            "A tank holds {v} litres and leaks {r} litres an hour. How much is left after {h} hours?",
            "A pool loses {r} L per hour from {v} L. What remains after {h} hours?",
        ),
        v=say(volume, rng),
        r=say(rate, rng),
        h=say(hours, rng),
    )
    return Problem(q, f"{volume}-{rate}*{hours}", F(volume - rate * hours))


def savings_share(rng: random.Random) -> Problem:
    phrase, value, written = rng.choice(FRACTIONS[:2] + FRACTIONS[4:5])
    income = rng.randint(10, 60) * 100
    months = rng.randint(2, 12)
    q = _pick(
        rng,
        (
            "{w} earns {x} a month and saves {f} of it. How much is saved in {m} months?",
            "Putting away {f} of a {x} monthly pay, what do I save over {m} months?",
        ),
        w=rng.choice(PEOPLE),
        x=money(income, rng),
        f=phrase,
        m=say(months, rng),
    )
    return Problem(q, f"{income}*{written}*{months}", income * value * months)


def average_speed(rng: random.Random) -> Problem:
    h1, h2 = rng.randint(1, 4), rng.randint(1, 4)
    s = rng.randint(6, 20) * 5
    d1, d2 = s * h1 + rng.randint(0, 20), s * h2
    q = _pick(
        rng,
        (
            "A bus goes {a} km in {x} hours, then {b} km in {y} hours. What is its average speed?",
            "I rode {a} km in {x} h and {b} km in {y} h. Average speed overall?",
        ),
        a=d1,
        x=say(h1, rng),
        b=d2,
        y=say(h2, rng),
    )
    return Problem(q, f"({d1}+{d2})/({h1}+{h2})", F(d1 + d2, h1 + h2))


def groups_supplies(rng: random.Random) -> Problem:
    size, groups, each = rng.randint(2, 6), rng.randint(3, 12), rng.randint(2, 9)
    q = _pick(
        rng,
        (
            "{n} pupils work in groups of {g}, and each group gets {k} markers. How many markers?",
            "Split {n} hikers into teams of {g}; every team needs {k} maps. How many maps in all?",
        ),
        n=say(size * groups, rng),
        g=say(size, rng),
        k=say(each, rng),
    )
    return Problem(q, f"{size * groups}/{size}*{each}", F(groups * each))


def up_then_down(rng: random.Random) -> Problem:
    price = rng.randint(2, 80) * 10
    up, down = rng.choice((10, 20, 25, 50)), rng.choice((10, 20, 25, 50))
    q = _pick(
        rng,
        (
            "A price of {x} rises {u}% and then falls {d}%. What is it now?",
            "Rent of {x} goes up {u} percent, then down {d} percent. New rent?",
        ),
        x=money(price, rng),
        u=up,
        d=down,
    )
    return Problem(q, f"{price}*(1+{up}/100)*(1-{down}/100)", price * (1 + F(up, 100)) * (1 - F(down, 100)))


TRAIN_TEMPLATES: dict[str, Template] = {
    template.__name__: template
    for template in (
        arithmetic,
        powers,
        percent_of,
        fraction_of,
        grouped,
        change_from_payment,
        two_item_total,
        split_bill,
        split_with_tip,
        sale_price,
        raise_salary,
        unit_price,
        simple_interest,
        compound_growth,
        subscription,
        savings_per_day,
        wage,
        used_up,
        boxes_given_away,
        average,
        speed_distance,
        travel_time,
        rectangle_area,
        rectangle_perimeter,
        fuel_use,
        celsius,
        reading_days,
        recipe_scale,
        difference,
        minutes_total,
        story_chain,
        print_time,
        percent_change,
        ratio_share,
        unit_conversion,
        shared_fee,
        coupon,
        budget_left,
        circle,
        yearly_pay,
    )
}
"""Shapes the model is trained on."""

HELD_OUT: dict[str, Template] = {
    template.__name__: template
    for template in (
        change_after_discount,
        resale_profit,
        tiling_cost,
        leaking_tank,
        savings_share,
        average_speed,
        groups_supplies,
        up_then_down,
    )
}
"""Shapes never trained on: the held-out split (module docstring)."""

WEIGHTS = {"story_chain": 5}
"""Templates drawn more often than the others (the recombined stories hold many shapes)."""

_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def skeleton(expression: str) -> str:
    """The expression's shape: every number replaced by ``n`` (``(74+140)/(1+2)`` -> ``(n+n)/(n+n)``)."""
    return _NUMBER.sub("n", expression.replace(" ", ""))
