"""Questions that need a tool other than the calculator, or none: document look-ups, web searches, small
talk, and look-ups whose figure is then computed with.

The documents asked about are made up here (organisations and topics of this module), never the project's
bundled evaluation documents, so that a question about those stays unseen. Each generator returns
``(question, query)`` or, for chains, the question, the query, a result line and the calculator expression
with its exact answer. ``HELD_OUT_*`` wordings and chain shapes are kept out of the training split.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from agent.training.wordings import PEOPLE, decimal_text, money, number_words, say

F = Fraction

_ORGS = (
    "Fenwick Rowing Club",
    "Harrowgate Dental",
    "Pellmore Council",
    "Quarry Lane Gym",
    "Sorrel & Finch",
    "Brindle Hostel",
    "Oakhurst School",
    "Vantor Labs",
    "Wexley Pottery Studio",
    "Calder Bike Hire",
    "Ilsworth Museum",
    "Tamsin Works",
    "Nordby Community Garden",
    "Rookery Choir",
    "Ashby Climbing Wall",
)
_DOCS = (
    "handbook",
    "price list",
    "FAQ",
    "policy",
    "rules",
    "guide",
    "terms",
    "newsletter",
    "brochure",
    "manual",
)
_TOPICS = (
    "opening hours",
    "membership fee",
    "cancellation rules",
    "refund policy",
    "day pass price",
    "late fee",
    "parking",
    "guest policy",
    "holiday closures",
    "deposit",
    "age limit",
    "locker rental",
    "annual dues",
    "contact email",
    "booking deadline",
    "group discount",
    "pet policy",
    "dress code",
)

DOC_WORDINGS = (
    "According to the {org} {doc}, what is the {topic}?",
    "What does the {org} {doc} say about the {topic}?",
    "Look up the {topic} in the {org} {doc}.",
    "In my documents, what's the {topic} for {org}?",
    "Check the {org} {doc}: {topic}?",
    "Can you find the {topic} in the {doc} from {org}?",
    "What is {org}'s {topic}?",
    "Search my files for the {org} {topic}.",
)
HELD_OUT_DOC_WORDINGS = (
    "I uploaded the {org} {doc}. Remind me of the {topic}.",
    "From the {doc} I saved, what did {org} set as the {topic}?",
)

_CITIES = (
    "Lisbon",
    "Osaka",
    "Nairobi",
    "Toronto",
    "Krakow",
    "Lima",
    "Hanoi",
    "Oslo",
    "Perth",
    "Tunis",
    "Cork",
    "Bogota",
    "Seville",
    "Dakar",
    "Busan",
    "Tbilisi",
    "Quito",
    "Graz",
    "Adelaide",
    "Leeds",
)
_SUBJECTS = (
    "the new iPhone",
    "the Champions League",
    "coffee prices",
    "the eclipse",
    "train strikes",
    "the Nobel prize",
    "wildfires in Canada",
    "the stock market",
    "AI regulation",
    "the Olympics",
    "the Mars sample mission",
    "electric ferries",
    "the chess world championship",
    "bird flu",
    "the housing market",
    "solar panel prices",
    "the Tour de France",
    "interest rates",
)
WEB_WORDINGS = (
    ("What's the weather in {city} today?", "weather in {city} today"),
    ("Will it rain in {city} tomorrow?", "{city} rain forecast tomorrow"),
    ("What's the latest news about {subject}?", "{subject} latest news"),
    ("Search the web for {subject}.", "{subject}"),
    ("Who won the match in {city} last night?", "{city} match result last night"),
    ("What is the current exchange rate of the euro to the yen?", "euro to yen exchange rate"),
    ("Any news on {subject} this week?", "{subject} news this week"),
    ("What time is sunset in {city} today?", "sunset time {city} today"),
    ("Look online: what's happening with {subject}?", "{subject}"),
    ("Google {subject} for me.", "{subject}"),
    ("What are people saying about {subject} today?", "{subject} today"),
    ("Is there a storm warning for {city}?", "{city} storm warning"),
    ("Find recent articles on {subject}.", "{subject} recent articles"),
    ("What's the temperature in {city} right now?", "{city} temperature now"),
)
HELD_OUT_WEB_WORDINGS = (
    ("How are {subject} doing right now, according to the news?", "{subject} news"),
    ("Is it windy in {city} at the moment?", "{city} wind now"),
)

SMALL_TALK = (
    "Hi!",
    "Hello there",
    "Good morning!",
    "Hey, how are you?",
    "Thanks a lot!",
    "Thank you, that helps.",
    "Who are you?",
    "What can you do?",
    "Good night",
    "Tell me a joke.",
    "You're great.",
    "Bye for now!",
    "How's it going?",
    "Nice to meet you, I'm {name}.",
    "Cheers, {name} here.",
    "ok thanks",
    "Sorry, my mistake.",
    "Can you help me?",
    "That's all, thanks.",
    "lol",
    "I'm bored.",
    "Good evening!",
)
HELD_OUT_SMALL_TALK = ("Howdy, partner!", "Much appreciated, see you tomorrow.", "What's your name?")


def document_question(rng: random.Random, wordings: tuple[str, ...]) -> tuple[str, str]:
    org, doc, topic = rng.choice(_ORGS), rng.choice(_DOCS), rng.choice(_TOPICS)
    return rng.choice(wordings).format(org=org, doc=doc, topic=topic), f"{org} {doc} {topic}"


_FIGURES = (
    "{money}",
    "{n} days",
    "{n} years",
    "{n} people",
    "{n} pm on Fridays",
    "on request",
    "at the desk",
)


def document_fact(rng: random.Random, wordings: tuple[str, ...]) -> tuple[str, str, str]:
    """A document question, its query, and a result line that answers it as it stands: the reply quotes it,
    with no computation, even when the passage holds figures."""
    org, doc, topic = rng.choice(_ORGS), rng.choice(_DOCS), rng.choice(_TOPICS)
    question = rng.choice(wordings).format(org=org, doc=doc, topic=topic)
    price = decimal_text(rng, 2, 90) if rng.random() < 0.5 else str(rng.randint(2, 90))
    figure = rng.choice(_FIGURES).format(money=money(price, rng), n=rng.randint(2, 30))
    sentence = rng.choice(("The {t} is {f}.", "Our {t}: {f}.", "The {t} is set at {f}.")).format(
        t=topic, f=figure
    )
    return question, f"{org} {doc} {topic}", _result(org, doc, sentence[0].upper() + sentence[1:], rng)


def web_question(rng: random.Random, wordings: tuple[tuple[str, str], ...]) -> tuple[str, str]:
    question, query = rng.choice(wordings)
    fields = {"city": rng.choice(_CITIES), "subject": rng.choice(_SUBJECTS)}
    return question.format(**fields), query.format(**fields)


_OPENERS = ("", "", "", "Oh, ", "Well, ", "Hey. ", "Hmm, ", "OK. ")
_CLOSERS = ("", "", "", " :)", " Thanks.", "!", " Bye.", " 🙂")


def small_talk(rng: random.Random, wordings: tuple[str, ...]) -> str:
    """A line of small talk, varied by an opener and a closer so that few lines make many examples."""
    line = rng.choice(wordings).format(name=rng.choice(PEOPLE))
    return f"{rng.choice(_OPENERS)}{line}{rng.choice(_CLOSERS)}".strip()


# ------------------------------------------------------------------------------ look up, then compute


@dataclass(frozen=True)
class Chain:
    """A look-up whose result is then computed with."""

    question: str
    query: str
    result: str
    expression: str
    answer: Fraction


ChainTemplate = Callable[[random.Random], Chain]

_FEES = (
    ("day pass", "day"),
    ("locker", "week"),
    ("court hire", "hour"),
    ("bike rental", "day"),
    ("room booking", "hour"),
    ("class", "session"),
    ("parking permit", "month"),
    ("kayak hire", "hour"),
)


def _fee(rng: random.Random) -> tuple[str, str, str, str, Fraction]:
    org = rng.choice(_ORGS)
    item, unit = rng.choice(_FEES)
    price_text = decimal_text(rng, 2, 90) if rng.random() < 0.5 else str(rng.randint(2, 90))
    return org, item, unit, price_text, F(price_text)


_DISTRACTORS = (
    "Open {a} to {b} on weekdays.",
    "Founded in 19{a}.",
    "Call extension {a}{b} for help.",
    "Groups of more than {a} must book ahead.",
    "Lost cards cost {a} to replace.",
    "Children under {a} go free.",
    "Room {a} is on the {b}nd floor.",
)


def _result(org: str, doc: str, sentence: str, rng: random.Random) -> str:
    """A result line: the sentence with the figure, among up to two others with figures of their own."""
    others = [
        d.format(a=rng.randint(2, 20), b=rng.randint(2, 9))
        for d in rng.sample(_DISTRACTORS, rng.randint(0, 2))
    ]
    others.insert(rng.randint(0, len(others)), sentence)
    return f"[1] {org} {doc}: {' '.join(others)}"


def fee_times_count(rng: random.Random) -> Chain:
    org, item, unit, price_text, price = _fee(rng)
    n = rng.randint(2, 14)
    question = rng.choice(
        (
            "Using the {org} price list, what do {n} {unit}s of {item} cost?",
            "How much would {n} {unit}s of {item} at {org} come to?",
            "{org} charges for {item} by the {unit}. What's the cost for {n} {unit}s?",
        )
    ).format(org=org, item=item, unit=unit, n=say(n, rng))
    doc = rng.choice(("price list", "fees", "rates"))
    result = _result(org, doc, f"The {item} costs {money(price_text, rng)} per {unit}.", rng)
    return Chain(question, f"{org} {item} price", result, f"{price_text}*{n}", price * n)


def fee_for_group(rng: random.Random) -> Chain:
    org, item, unit, price_text, price = _fee(rng)
    people, units = rng.randint(2, 9), rng.randint(1, 6)
    question = rng.choice(
        (
            "We are {p} people wanting the {item} at {org} for {u} {unit}s each. What is the total?",
            "At {org}, what's the {item} for {p} of us, {u} {unit}s each?",
        )
    ).format(org=org, item=item, unit=unit, p=say(people, rng), u=say(units, rng))
    result = _result(
        org, "price list", f"{item.capitalize()}: {money(price_text, rng)} per person per {unit}.", rng
    )
    return Chain(
        question, f"{org} {item} price", result, f"{price_text}*{people}*{units}", price * people * units
    )


def allowance_left(rng: random.Random) -> Chain:
    org = rng.choice(_ORGS)
    allowance = rng.randint(5, 60) * 10
    spent_text = decimal_text(rng, 1, allowance - 1)
    question = rng.choice(
        (
            "I've spent {s} on equipment. Per the {org} policy, how much of my allowance is left?",
            "How much of the {org} equipment allowance remains after spending {s}?",
        )
    ).format(org=org, s=money(spent_text, rng, "$"))
    result = _result(org, "policy", f"Each member has an equipment allowance of ${allowance} a year.", rng)
    return Chain(
        question, f"{org} equipment allowance", result, f"{allowance}-{spent_text}", allowance - F(spent_text)
    )


def member_discount(rng: random.Random) -> Chain:
    org, item, unit, price_text, price = _fee(rng)
    p = rng.choice((10, 15, 20, 25, 30))
    question = rng.choice(
        (
            "What does a member pay for the {item} at {org}?",
            "With the {org} member discount, how much is the {item}?",
        )
    ).format(org=org, item=item)
    result = _result(
        org, "rules", f"The {item} is {money(price_text, rng)} per {unit}; members get {p}% off.", rng
    )
    return Chain(
        question,
        f"{org} {item} member discount",
        result,
        f"{price_text}*(1-{p}/100)",
        price * (1 - F(p, 100)),
    )


def weekly_hours(rng: random.Random) -> Chain:
    org = rng.choice(_ORGS)
    hours, days = rng.randint(4, 12), rng.randint(3, 7)
    question = rng.choice(
        (
            "How many hours a week is {org} open?",
            "Add up {org}'s opening hours for a whole week.",
        )
    ).format(org=org)
    result = _result(org, "guide", f"We are open {hours} hours a day, {number_words(days)} days a week.", rng)
    return Chain(question, f"{org} opening hours", result, f"{hours}*{days}", F(hours * days))


def split_deposit(rng: random.Random) -> Chain:
    org = rng.choice(_ORGS)
    deposit = rng.randint(4, 80) * 10
    people = rng.randint(2, 8)
    question = rng.choice(
        (
            "If {p} of us share the {org} deposit, how much does each pay?",
            "Split the {org} booking deposit between {p} friends: each share?",
        )
    ).format(org=org, p=say(people, rng))
    result = _result(org, "terms", f"A deposit of {money(deposit, rng)} is due when booking.", rng)
    return Chain(question, f"{org} deposit", result, f"{deposit}/{people}", F(deposit, people))


def rate_then_compute(rng: random.Random) -> Chain:
    """A rate the documents give (per hour, per night, each), then one of several computations on it with
    the question's numbers: so many units, plus a one-off fee, out of a budget, or with a discount."""
    org, item, unit, price_text, price = _fee(rng)
    n = rng.randint(2, 12)
    fact = rng.choice(
        (
            "The {item} costs {p} per {unit}.",
            "{Item}: {p} a {unit}.",
            "We charge {p} per {unit} for the {item}.",
            "The {item} is {p} for each {unit}.",
        )
    ).format(item=item, Item=item.capitalize(), unit=unit, p=money(price_text, rng))
    kind = rng.randrange(4)
    fields = {"org": org, "item": item, "unit": unit, "n": say(n, rng)}
    if kind == 0:
        wordings: tuple[str, ...] = (
            "My {org} bill: {n} {unit}s of {item}. How much is it?",
            "What would {n} {unit}s of the {item} at {org} cost me?",
            "Per the {org} rates, how much is the {item} for {n} {unit}s?",
        )
        expression, answer = f"{price_text}*{n}", price * n
    elif kind == 1:
        fee = rng.randint(2, 40)
        fields["f"] = money(fee, rng, "$")
        wordings = (
            "At {org}, {n} {unit}s of {item} plus a {f} booking fee: what's the total?",
            "How much for the {item} at {org} for {n} {unit}s, with the {f} card fee on top?",
        )
        expression, answer = f"{price_text}*{n}+{fee}", price * n + fee
    elif kind == 2:
        budget = int(price * n) + rng.randint(5, 200)
        fields["b"] = money(budget, rng, "$")
        wordings = (
            "I have {b}. After {n} {unit}s of {item} at {org}, how much will I have left?",
            "With a budget of {b}, what remains after paying {org} for {n} {unit}s of {item}?",
        )
        expression, answer = f"{budget}-{price_text}*{n}", budget - price * n
    else:
        d = rng.choice((5, 10, 15, 20, 25, 40))
        fields["d"] = str(d)
        wordings = (
            "With my {d}% {org} discount, what do {n} {unit}s of {item} cost?",
            "{org} gives me {d}% off. How much are {n} {unit}s of the {item}?",
        )
        expression, answer = f"{price_text}*{n}*(1-{d}/100)", price * n * (1 - F(d, 100))
    question = rng.choice(wordings).format(**fields)
    result = _result(org, rng.choice(("price list", "rates", "fees", "handbook")), fact, rng)
    return Chain(question, f"{org} {item} price", result, expression, answer)


TRAIN_CHAINS: dict[str, ChainTemplate] = {
    chain.__name__: chain
    for chain in (fee_times_count, allowance_left, member_discount, weekly_hours, rate_then_compute)
}
HELD_OUT_CHAINS: dict[str, ChainTemplate] = {
    chain.__name__: chain for chain in (fee_for_group, split_deposit)
}
