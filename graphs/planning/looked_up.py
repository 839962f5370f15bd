"""A calculation from the figures of the user's documents and the question's own amounts, read without a model.

"How much to hire one lane for 2.5 hours on a tuesday?" gives the hours; the search finds "Private lane hire
(one lane): $38 per hour on weekdays, $46 per hour at weekends." The best sentences are split into parts, each
with what it prices (:mod:`graphs.planning.price_parts`); a part for a case the question does not name (the
weekend, for a Tuesday) is not read (:mod:`graphs.planning.price_cases`); the parts that name most of what the
question names compete, each read with the question's amounts and solved for the unit asked
(:func:`graphs.planning.dimensions.solved`): "$38 per hour" with "2.5 hours" asked in money is ``38*2.5``. One
reading is the calculation, with a discount or a charge the question asks for from another sentence; none or
several leave the question to the adapter, as before. A first question asking a price it does not give is
sent to the documents first (:func:`asks_a_price_not_given`).

Written by hand because no library we have reads which figure of a price list a question needs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from fractions import Fraction
from typing import NamedTuple

from langchain_core.messages import BaseMessage

from graphs.planning import rules
from graphs.planning.dimensions import solved
from graphs.planning.extractive import Ranking, shared_words, stems
from graphs.planning.price_cases import CASES, NOT_A, other_case, unmet_condition
from graphs.planning.price_parts import MONEY_GIVEN, RATED, money_limits, parts, priced_figures, rate_of
from graphs.planning.quantities import (
    DIMENSIONS,
    MONEY,
    Amount,
    Unit,
    amounts,
    asked_unit,
    percentage_changes,
)
from tools.calculator import CalculatorError, calculate


class Sentence(NamedTuple):
    """A sentence of the documents and the headings it sits under ("Season tickets (adult)")."""

    text: str
    context: str = ""


def sentences_of(ranking: Ranking) -> list[Sentence]:
    """The sentences of a ranked search result, best first, each with its headings."""
    return [Sentence(scored.unit.text, scored.unit.context) for scored in ranking.scored]


SENTENCES_READ = 5
"""How many of the best-ranked sentences are read: their parts that name most of what the question names
compete, and one reading among them is the calculation."""


def looked_up_expression(question: str, found: Sequence[Sentence | str]) -> str | None:
    """The calculation of ``question`` with one figure of the best of the ``found`` sentences (best first)
    that has one, or None (see the module docstring)."""
    sentences = [Sentence(item) if isinstance(item, str) else item for item in found]
    question = _ONE_AS_PRONOUN.sub("it", question)
    asked_amounts = own_amounts(question)
    if asked_amounts is None:
        return None
    texts = [sentence.text for sentence in sentences]
    if grouped := _grouped(question, asked_amounts, texts):
        return _with_change_asked(grouped, question, texts)
    candidates = [(part, context) for text, context in sentences[:SENTENCES_READ] for part in parts(text)]
    sentence_of = {part: text for text, _ in sentences[:SENTENCES_READ] for part in parts(text)}
    added = _added_extras(question)  # "including the unlock fee": read on its own, then added
    main = _NOT_COUNTED.sub(" ", _ADDED.sub(" ", question)) if added else question
    positive = NOT_A.sub(" ", _NOT_COUNTED.sub(" ", main))  # "not counting the deposit" names no deposit
    readings = {
        expression: (rules.expression_values(expression) <= rules.number_values(f"{part} {question}"), part)
        for part, context in _named_parts(candidates, positive)
        if not other_case(part, question)
        and not _extra_left_out(main, f"{part} {context}")
        and not any(extra <= stems(f"{part} {context}") for extra in added)
        and (expression := _expression(part, question, asked_amounts, context=context))
        and not re.search(r"[-+]", _CHANGE.sub("", expression))  # a price times amounts, nothing added
    }
    # "£28 per day" for 3 days before "£8 per hour" times 24 hours a day: units as the words name them
    as_named = [expression for expression, (written, _) in readings.items() if written] or list(readings)
    if len(as_named) != 1:
        return None
    (expression,) = as_named
    part = readings[expression][1]
    context = next(context for candidate, context in candidates if candidate == part)
    covered = _shared(question, f"{part} {context}")
    others = [
        other
        for other, where in candidates
        if not other_case(other, question) and not any(extra <= stems(f"{other} {where}") for extra in added)
    ]
    if any(_named_beyond(positive, other, covered) for other in others if MONEY_GIVEN.search(other)):
        return None  # the question names another priced thing too ("the plan and the AI add-on")
    fees = [_fee(extra, question, asked_amounts, candidates) for extra in added]
    if any(fee is None for fee in fees):
        return None
    changed = _with_change_asked(expression, question, texts, covered)
    if changed is None:
        return None
    limited = _within_limits(changed, sentence_of[part], asked_amounts)
    return "+".join([limited, *(fee for fee in fees if fee)]) if limited else None


def _within_limits(expression: str, sentence: str, asked_amounts: list[Amount]) -> str | None:
    """``expression`` held within the money limit its price's sentence sets where it passes it ("€2 per hour, up
    to a maximum of €10 per day" for 8 hours -> ``min(2*8,10)``; "20p per page, minimum charge £1" for 3 pages
    -> ``max(3*20/100,1)``). None for a limit per a period the question counts several of ("per day" for 3
    days): it holds for each, which one calculation of the total cannot say."""
    try:
        value = Fraction(calculate(expression))
    except (CalculatorError, ValueError):
        return expression
    for kind, figure, per in money_limits(sentence):
        size = _PERIODS.get(per)
        if size and any(
            amount.value > 1
            and any(
                dim == "time" and exp > 0 and unit_size >= size for dim, exp, unit_size in amount.unit.sizes
            )
            for amount in asked_amounts
        ):
            return None
        if kind == "max" and value > figure:
            return f"min({expression},{rules.format_value(figure)})"
        if kind == "min" and value < figure:
            return f"max({expression},{rules.format_value(figure)})"
    return expression


_PERIODS = {"hour": 3600, "day": 86400, "night": 86400, "week": 604800, "month": 2592000, "year": 31536000}
"""The sizes, in seconds, of the periods a limit may be per (a month as 30 days: only compared)."""


def own_amounts(question: str) -> list[Amount] | None:
    """The question's own amounts a figure looked up is computed with, or None: it has none ("if we hire one
    from the school" has none), or it asks for "the rest", a difference the words do not give."""
    question = _ONE_AS_PRONOUN.sub("it", question)
    found = amounts(question)
    return found if found and not _REST.search(question) else None


def _added_extras(question: str) -> list[frozenset[str]]:
    """The charges a question asks to add ("including the unlock fee", "deposit included", "plus VAT"), each
    as the stems that name it ({"unlock", "fee"})."""
    found = [
        frozenset(stems(extra)) for added in _ADDED.finditer(question) for extra in _EXTRAS.findall(added[0])
    ]
    return list(dict.fromkeys(found))


_FEE = r"(?:call-?out|unlock|booking|joining|registration|admin(?:istration)?|service|set-?up|cleaning|card)\s+fees?"
_EXTRAS = re.compile(
    rf"\b(?:deposits?|{_FEE}|insurance|waivers?|surcharges?|levy|bond|tax|vat|delivery|postage|shipping|tips?)\b",
    re.I,
)
"""Charges a question may ask to include besides the price."""
_ADDED = re.compile(
    r"(?<!\bnot\s)\b(?:including|incl\.?|inclusive\s+of|plus|with|and|add(?:ing)?)\s+(?:the\s+|a\s+|an\s+|any\s+)?"
    rf"(?:[\w-]+\s+){{0,2}}?{_EXTRAS.pattern}|{_EXTRAS.pattern}\s+included\b",
    re.I,
)


def _fee(
    extra: frozenset[str], question: str, asked_amounts: list[Amount], candidates: list[tuple[str, str]]
) -> str | None:
    """What the one part naming ``extra`` adds: its flat charge ("an unlock fee of £1" -> ``1``), or its
    charge per what the question counts ("£150 deposit per e-bike" for 4 e-bikes -> ``150*4``); None when no
    part or several give one."""
    found = set()
    for part, context in candidates:
        if not extra <= stems(f"{part} {context}") or other_case(part, question):
            continue
        priced = [amount for amount in amounts(part.rpartition(": ")[2]) or [] if not amount.change]
        if len(priced) == 1 and priced[0].unit.sizes == MONEY.sizes:
            found.add(priced[0].written)
        elif reading := _expression(
            part, question, [a for a in asked_amounts if _counted(a.unit)], context=context
        ):
            found.add(reading)
    return found.pop() if len(found) == 1 else None


def _extra_left_out(question: str, part: str) -> bool:
    """Whether the question asks for a charge the part is not about ("deposit included", "incl. call-out
    fee" of "E-bike £45 per day": one figure cannot answer it), or the part is about a charge the question
    leaves out ("not counting the deposit" of "Cello Deposit: £120")."""
    asked = {stem for word in _EXTRAS.findall(_NOT_COUNTED.sub(" ", question)) for stem in stems(word)}
    left_out = {
        stem for word in _EXTRAS.findall(" ".join(_NOT_COUNTED.findall(question))) for stem in stems(word)
    }
    return bool(asked - stems(part)) or bool(left_out & stems(part))


_ONE_AS_PRONOUN = re.compile(
    r"(?<!-)\bone\b(?!-)(?=\s+(?:from|of\s+(?:them|those|these|yours)|for\s+(?:me|us|him|her)|please|each)\b|\s*[?.,!]|$)",
    re.I,
)
_NOT_COUNTED = re.compile(
    r"\b(?:not\s+(?:counting|including|incl\.?)|excluding|excl\.?|without|leave\s+out|leaving\s+out|except|no)"
    r"\s+(?:the\s+|any\s+)?[\w-]+(?:\s+[\w-]+)?",
    re.I,
)
"""What a question leaves out: "not counting the deposit", "no breakfast", "without the call-out fee"."""


def _grouped(question: str, asked_amounts: list[Amount], sentences: Sequence[str]) -> str | None:
    """For a question counting two or more kinds of thing ("4 adults and 2 kids on a Saturday"), the sum of
    each count times the price of the one part of the best sentences that names it
    ("Adult Weekend: $9.00", "Child Weekend: $5.60" -> ``9*4+5.6*2``); None when a kind has none or several."""
    groups = [amount for amount in asked_amounts if _counted(amount.unit)]
    nouns = [amount.unit.sizes[0][0] for amount in groups]
    if len(groups) < 2 or len(set(nouns)) != len(nouns):
        return None
    others = [amount for amount in asked_amounts if not _counted(amount.unit)]
    candidates = [
        part
        for sentence in sentences[:SENTENCES_READ]
        for part in parts(sentence)
        if not other_case(part, question)
    ]
    terms = []
    for group, noun in zip(groups, nouns, strict=True):
        readings = {
            expression
            for part in candidates
            if _names(_PER_PHRASE.sub(" ", part), noun)
            and (expression := _term(part, question, group, others))
        }
        if len(readings) != 1:
            return None
        terms.append(readings.pop())
    return "+".join(terms)


_PER_PHRASE = re.compile(r"\bper\s+[a-z]+", re.I)
"""What a price is per ("per night"): a period or a unit, not the kind a price names ("Child: £5.60")."""


def _term(part: str, question: str, group: Amount, others: list[Amount]) -> str | None:
    """What ``group`` costs at the price of ``part``: for one of it ("and a city bike"), the price alone."""
    if group.value != 1 or others:
        return _expression(part, question, [group, *others], by_case=True)
    prices = [amount for amount in amounts(part) or [] if not amount.change]
    return prices[0].written if len(prices) == 1 and prices[0].unit.sizes in (MONEY.sizes, ()) else None


def _names(part: str, noun: str) -> bool:
    """Whether ``part`` names the counted ``noun``: by its word ("2 hybrids", "Hybrid bike") or its case
    ("3 kids", "Child (3–15)")."""
    if stems(noun) & stems(part):
        return True
    return any(
        re.search(in_question, noun, re.I) and re.search(in_part, part, re.I)
        for in_part, in_question in CASES
    )


def _named_beyond(question: str, text: str, covered: set[str]) -> set[str]:
    """The words of the question ``text`` names that the reading's part does not (``covered``), units of
    measure aside ("minutes" is no thing of its own)."""
    return {word for word in _shared(question, text) - covered if not _MEASURE_WORD.fullmatch(word)}


_MEASURE_WORD = re.compile(
    r"(?:minut|hour|day|night|week|month|year|second|time|km|kg|mile|metr|litr|gram|kilo)\w*", re.I
)


def _with_change_asked(
    expression: str, question: str, others: Sequence[str], covered: set[str] | None = None
) -> str | None:
    """``expression``, or where the question asks for a discount or surcharge it does not state ("once the
    group discount is applied"), times the one percentage change another of the best sentences gives for
    what the question names ("Groups of 6 or more receive 15% off" -> ``*(1-15/100)``); None when that
    sentence is not one. With ``covered`` (the words of the question the reading's part names), a
    percentage of a sentence naming something more of the question applies unasked ("three A1 posters
    with matt encapsulation" and "Matt encapsulation: add 40% to the poster price")."""
    asked = bool(_CHANGE_ASKED.search(question))
    if _CHANGE.search(expression) or not (asked or covered is not None):
        return expression
    found: set[str] = set()
    for sentence in others[:SENTENCES_READ]:
        # each percentage read with the words around it: "Groups of 6 or more ... 15% off" is 15% off
        changes = [
            change
            for window in re.findall(r"(?:\S+\s+){0,3}\d+(?:\.\d+)?\s*%[^.;,(]*", sentence)
            for change in percentage_changes(window, question=False) or []
        ]
        if not asked and unmet_condition(sentence, question):
            continue  # "10% off every Tuesday" for a Thursday, "students receive 15% off" for anyone
        named = (
            shared_words(question, sentence) if asked else _named_beyond(question, sentence, covered or set())
        )
        if changes and named:
            found.update(change.written for change in changes)
    if not found and not asked:
        return expression
    return f"{expression}*{found.pop()}" if len(found) == 1 else None


_CHANGE = re.compile(r"\(1[-+][\d.]+/100\)")
"""A percentage change as :mod:`graphs.planning.quantities` writes it: "(1-15/100)"."""
_TOTAL = re.compile(r"\bwhat(?:'s|\s+is|\s+will\s+be)\s+the\s+total\b|\btotal\s*\?", re.I)
"""A total asked of a question about prices: money."""
_FOR_ONE = re.compile(r"\bfor\s+(?:a|an)\s+(?P<period>hour|day|night|week|month|year)\b", re.I)
_CHANGE_ASKED = re.compile(
    r"\b(?:discount(?:ed)?|reduction|reduced|concession|surcharge|supplement)\b",
    re.I,
)
"""A question asking for a discount or surcharge to be applied."""
_REST = re.compile(r"\b(?:the\s+rest|remaining|remainder|outstanding|balance|short(?:fall)?)\b", re.I)


def asks_a_price_not_given(messages: Sequence[BaseMessage], question: str) -> bool:
    """Whether a first question asks what something costs ("how much to hire a lane for 2.5 hours?",
    "what's the price of 750 business cards?") and gives numbers but no price, nor a percentage: the
    calculator cannot answer it from the words; the price is to be looked up."""
    if rules.previous_turn(messages) or not rules.numbers_in(question) or "%" in question:
        return False
    if not _PRICE_ASKED.search(question) or MONEY_GIVEN.search(question):
        return False
    found = amounts(question)
    if found is None and re.search(r"\d\.\d\d\b|\bat\s+\d|\d\s+(?:a|an|per|each)\b", question):
        return False  # "at 3.40 each", "1200 a month": a price without its currency
    if any(all(exp < 0 for _, exp, _ in amount.unit.sizes) and not amount.change for amount in found or []):
        return False  # "rent is 1200 a month", "2.40 a kilo": a price as a rate
    asked = asked_unit(question)
    return asked is None or bool(dict(asked.powers).get("money"))  # not "how many litres do I need?"


def computes_with_a_price(expression: str, question: str, passage: str) -> bool:
    """Whether a calculation after a look-up uses a price or rate the passage gives (:func:`priced_figures`),
    when the question asks what something costs; True for a question asking anything else.

    The adapter's calculations after a look-up that ask a price were wrong where they used none: "10*2" (a 10%
    discount for 2 children), "36000*2009" (a count and a year), "12*12" (months); so were those below nothing.
    On the three development look-up sets (90 questions) this refused 18 calculations, all wrong, and no right
    one. The passage is quoted instead."""
    if not asks_a_price(question):
        return True
    if not rules.expression_values(expression) & priced_figures(passage):
        return False
    try:  # "3*6+6*15-185-210" for a Sunday's quote: a price is never below nothing
        return not calculate(expression).lstrip().startswith("-")
    except CalculatorError:
        return False


def asks_a_price(question: str) -> bool:
    """Whether ``question`` asks what something costs ("how much for 2 hybrids?", "what's the total?")."""
    return bool(_PRICE_ASKED.search(question) or _TOTAL.search(question) or _HOW_MUCH.search(question))


_HOW_MUCH = re.compile(
    r"\bhow\s+much\b(?!\s+(?:time|longer|\w+\s+(?:of|do|does|did|will|would|can|could|should|is\s+left)\b))",
    re.I,
)
""""How much" asking a price ("how much for 2 hybrids?"), not an amount of something ("how much compost do
I need?")."""

_PRICE_ASKED = re.compile(
    r"\b(?:cost|costs|price|prices|pay|charge|charged|fee|fees|fare|fares|hire|rent|rental|bill|spend"
    r"|come\s+to|comes\s+to|quote|admission|in\s+(?:pounds|dollars|euros))\b|\b(?:total|much)\s+in\s+[$€£]",
    re.I,
)


def _named_parts(found: list[tuple[str, str]], question: str) -> list[tuple[str, str]]:
    """Of the priced parts (with their headings), those that name most of what the question names: of "£50
    for city bikes" and "£150 for e-bikes", the second for "four e-bikes"; of "A0 poster £22.00" and "A1
    poster £14.00", the second for "three A1 posters"; none where no part names anything the question does.
    ``question`` without what it negates ("not counting the deposit" names no deposit)."""
    priced = [(part, context) for part, context in found if re.search(r"\d", part) and "%" not in part]
    together = [stems(f"{part} {context}") for part, context in priced]
    common = set.intersection(*together) if len(together) > 1 else set()
    named = {
        (part, context): len(_shared(question, f"{part} {context}") - common) for part, context in priced
    }
    best = max(named.values(), default=0)
    return [
        (part, context)
        for part, context in priced
        if named[part, context] == best and _shared(question, f"{part} {context}")
    ]


def _shared(question: str, text: str) -> set[str]:
    """The content words and codes ("A1", "MP3") of ``question`` that ``text`` also has."""
    codes = {code.lower() for code in _CODE.findall(question)} & {
        code.lower() for code in _CODE.findall(text)
    }
    return shared_words(question, text) | codes


_CODE = re.compile(r"\b[A-Za-z]+\d[A-Za-z\d]*\b")


def _expression(
    part: str, question: str, asked_amounts: list[Amount], *, by_case: bool = False, context: str = ""
) -> str | None:
    """:func:`graphs.planning.dimensions.solved` on the part's amounts and the question's, in the unit the
    question asks. A price the part gives for no counted thing is for each thing the question counts, where
    it counts one kind ("Hybrid bike £28 per day" for "2 hybrids for 3 days": £28 per day per hybrid), and a
    single thing ("one lane", "one day") is not an amount: the price asked is per that thing. ``by_case``: the
    part may name the counted thing by its case ("Child" for "2 kids"), as when each kind of a question has
    its own price (:func:`_grouped`); ``context``: the headings the part sits under, naming it too."""
    # "Two cats sharing a pen: $26.00": the name's numbers are no amounts
    name, _, priced = part.rpartition(": ")
    rate = rate_of(context) if not RATED.search(priced) else ""
    if rate or RATED.search(priced) or not rate_of(name):
        return _read(part, rate, question, asked_amounts, by_case=by_case, context=context)
    # "Cello Monthly hire: £22": as it stands ("Monthly: 146.00" for 12 tickets), else per month
    return _read(part, "", question, asked_amounts, by_case=by_case, context=context) or _read(
        part, rate_of(name), question, asked_amounts, by_case=by_case, context=context
    )


def _read(
    part: str,
    rate: str,
    question: str,
    asked_amounts: list[Amount],
    *,
    by_case: bool,
    context: str,
) -> str | None:
    """:func:`_expression` with the part's price said per ``rate`` ("per month")."""
    name, _, priced = part.rpartition(": ")
    given = amounts(f"{priced} {rate}" if rate else priced)
    asked = asked_unit(f"{priced}. {question}") or (
        MONEY if _PRICE_ASKED.search(question) or _TOTAL.search(question) else None
    )
    if not given or asked is None or not dict(asked.powers).get("money"):
        return None
    if not any(dict(amount.unit.powers).get("money") for amount in given):
        return None  # "Sleeps: 4": no price
    # "two cats" of "Two cats sharing a pen", "2 metres" of "Panes above 2 m": they name the item, not multiply
    asked_amounts = [amount for amount in asked_amounts if not (name and _written_in(amount, name))]
    # "for one day", "for a day": the price asked is per day
    for_a = _FOR_ONE.search(question)
    singles = [
        amount.unit
        for amount in [*asked_amounts, *(amounts(f"1 {for_a['period']}") or [] if for_a else [])]
        if amount.value == 1 and not amount.change and not _counted(amount.unit)
    ]
    for single in singles:
        asked = asked.over(single)
    counts = [amount for amount in asked_amounts if _counted(amount.unit)]
    found = [amount for amount in given + asked_amounts if amount.value != 1 or amount.change]
    prices = [amount for amount in given if dict(amount.unit.powers).get("money")]
    if len(counts) == 1 and counts[0].value != 1 and len(prices) == 1:
        (each,), (price,) = counts, prices
        noun = each.unit.powers[0][0]
        if (
            not any(exp < 0 and dim not in DIMENSIONS for dim, exp, _ in price.unit.sizes)
            and noun not in {dim for amount in given for dim, _ in amount.unit.powers}
            # "2 hybrids" of "Hybrid bike £28 per day", not of "City bike"; among kinds, "2 kids" of "Child"
            and (_names(part, noun) if by_case else stems(noun) & stems(f"{part} {context}"))
        ):
            per_each = replace(price, unit=price.unit.over(each.unit))
            found = [per_each if amount is price else amount for amount in found]
    if reading := solved(question, found, asked):
        return reading
    # "one pen" of a price per pen: the price asked is per that one thing
    for one in [amount for amount in asked_amounts if amount.value == 1 and _counted(amount.unit)]:
        if reading := solved(question, found, asked.over(one.unit)):
            return reading
    return None


def _written_in(amount: Amount, text: str) -> bool:
    """Whether ``text`` writes ``amount``'s number (in digits or words)."""
    return amount.value in rules.number_values(rules.number_words_to_digits(text))


def _counted(unit: Unit) -> bool:
    """Whether ``unit`` is a count of things ("3 lanes"), not a measure or a rate."""
    return len(unit.sizes) == 1 and unit.sizes[0][0] not in DIMENSIONS and unit.sizes[0][1] == 1
