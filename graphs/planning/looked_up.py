"""A calculation from one figure of the user's documents and the question's own amounts, read without a model.

"How much to hire one lane for 2.5 hours on a tuesday?" gives the hours; the search finds "Private lane hire
(one lane): $38 per hour on weekdays, $46 per hour at weekends." Each part of the sentences that answer, read
with the question (:func:`graphs.planning.dimensions.dimensional_expression`), either gives exactly one
calculation in the unit asked or none: "$38 per hour" with "2.5 hours" asked in money is ``38*2.5``. A part
about another case than the question's ("at weekends" for a Tuesday, "child" for adults) is not read, nor a
limit ("up to a maximum of €10 per day", "minimum charge £1"). The best-ranked sentence with a reading decides;
two different readings there are no answer (None), and the adapter is asked as before.

Written by hand because no library we have reads which figure of a price list a question needs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import NamedTuple

from langchain_core.messages import BaseMessage

from graphs.planning import rules
from graphs.planning.dimensions import solved
from graphs.planning.extractive import shared_words, stems
from graphs.planning.quantities import (
    DIMENSIONS,
    MONEY,
    Amount,
    Unit,
    amounts,
    asked_unit,
    percentage_changes,
)


class Sentence(NamedTuple):
    """A sentence of the documents and the headings it sits under ("Season tickets (adult)")."""

    text: str
    context: str = ""


SENTENCES_READ = 5
"""How many of the best-ranked sentences are read: their parts that name most of what the question names
compete, and one reading among them is the calculation."""

_CASES: tuple[tuple[str, str], ...] = (
    (
        r"\bweekdays?\b|\bmon(?:day)?\s*(?:-|–|to)\s*fri(?:day)?\b",
        r"\bmondays?\b|\btuesdays?\b|\bwednesdays?\b|\bthursdays?\b|\bfridays?\b|\bweekdays?\b",
    ),
    (
        r"\bweekends?\b|\bsaturdays?\b|\bsundays?\b",
        r"\bweekends?\b|\bsaturdays?\b|\bsundays?\b",
    ),
    (r"\badults?\b", r"\badults?\b|\bgrown[- ]?ups?\b"),
    (r"\bchild(?:ren)?\b|\bkids?\b", r"\bchild(?:ren)?\b|\bkids?\b|\bsons?\b|\bdaughters?\b"),
    (r"\bseniors?\b|\bpensioners?\b|\bconcessions?\b", r"\bseniors?\b|\bpensioners?\b|\bconcessions?\b"),
    (r"\bstudents?\b", r"\bstudents?\b"),
    (r"\bnon-?members?\b", r"\bnon-?members?\b|\bnot\s+(?:a\s+)?members?\b"),
    (r"\boff-?peak\b", r"\boff-?peak\b"),
    (r"(?<!off-)(?<!off )\bpeak\b", r"(?<!off-)(?<!off )\bpeak\b"),
)
"""Cases a price list tells apart: how a part of a sentence names one (first), and how a question does. A part
naming a case the question does not is about someone or something else."""
_EITHER: tuple[tuple[int, int], ...] = ((0, 1), (7, 8))
"""Cases of :data:`_CASES` that exclude each other: a weekday or the weekend, off-peak or peak."""


def case_changed(question: str, follow_up: str) -> str | None:
    """``question`` asked again for the case a follow-up names in place of the one it named ("and on a
    Saturday instead?" after "how much is a court for 3 hours on a Tuesday?" -> "... on a Saturday?"), or
    None: the follow-up brings a number of its own, or names no such case."""
    if rules.numbers_in(follow_up):
        return None
    for first, second in _EITHER:
        for old, new in ((first, second), (second, first)):
            named = re.search(_CASES[new][1], follow_up, re.I)
            if named and re.search(_CASES[old][1], question, re.I):
                return re.sub(_CASES[old][1], named[0], question, flags=re.I)
    return None


def looked_up_expression(question: str, found: Sequence[Sentence | str]) -> str | None:
    """The calculation of ``question`` with one figure of the best of the ``found`` sentences (best first)
    that has one, or None (see the module docstring)."""
    sentences = [Sentence(item) if isinstance(item, str) else item for item in found]
    question = _ONE_AS_PRONOUN.sub("it", question)  # "if we hire one from the school": no amount
    asked_amounts = amounts(question)
    if not asked_amounts or _REST.search(question):
        return None  # nothing of the question's own to compute with, or "the rest": a difference not given
    texts = [sentence.text for sentence in sentences]
    if grouped := _grouped(question, asked_amounts, texts):
        return _with_change_asked(grouped, question, texts)
    candidates = [(part, context) for text, context in sentences[:SENTENCES_READ] for part in parts(text)]
    added = _added_extras(question)  # "including the unlock fee": read on its own, then added
    main = _NOT_COUNTED.sub(" ", _ADDED.sub(" ", question)) if added else question
    readings = {
        expression: (rules.expression_values(expression) <= rules.number_values(f"{part} {question}"), part)
        for part, context in _named_parts(candidates, main)
        if not _other_case(part, question)
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
    others = [(other, where) for other, where in candidates if not _other_case(other, question)]
    others = [
        (other, where)
        for other, where in others
        if not any(extra <= stems(f"{other} {where}") for extra in added)
    ]
    positive = _NOT_A.sub(" ", _NOT_COUNTED.sub(" ", main))  # "not counting the deposit" names no deposit
    if any(_named_beyond(positive, other, covered) for other, _ in others if _MONEY_GIVEN.search(other)):
        return None  # the question names another priced thing too ("the plan and the AI add-on")
    fees = [_fee(extra, question, asked_amounts, candidates) for extra in added]
    if any(fee is None for fee in fees):
        return None
    changed = _with_change_asked(expression, question, texts, covered)
    return "+".join([changed, *(fee for fee in fees if fee)]) if changed else None


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
        if not extra <= stems(f"{part} {context}") or _other_case(part, question):
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
        if not _other_case(part, question)
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
        for in_part, in_question in _CASES
    )


def _unmet_condition(sentence: str, question: str) -> bool:
    """Whether ``sentence`` names a day or a case (:data:`_CASES`) that ``question`` does not name."""
    days = {day.lower() for day in _DAY.findall(sentence)} - {day.lower() for day in _DAY.findall(question)}
    return bool(days) or _other_case(sentence, question)


_DAY = re.compile(r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)days?\b", re.I)


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
        named = (
            shared_words(question, sentence) if asked else _named_beyond(question, sentence, covered or set())
        )
        if not asked and _unmet_condition(sentence, question):
            continue  # "10% off every Tuesday" for a Thursday, "students receive 15% off" for anyone
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
    if not _PRICE_ASKED.search(question) or _MONEY_GIVEN.search(question):
        return False
    found = amounts(question)
    if found is None and re.search(r"\d\.\d\d\b|\bat\s+\d|\d\s+(?:a|an|per|each)\b", question):
        return False  # "at 3.40 each", "1200 a month": a price without its currency
    if any(all(exp < 0 for _, exp, _ in amount.unit.sizes) and not amount.change for amount in found or []):
        return False  # "rent is 1200 a month", "2.40 a kilo": a price as a rate
    asked = asked_unit(question)
    return asked is None or bool(dict(asked.powers).get("money"))  # not "how many litres do I need?"


_PRICE_ASKED = re.compile(
    r"\b(?:cost|costs|price|prices|pay|charge|charged|fee|fees|fare|fares|hire|rent|rental|bill|spend"
    r"|come\s+to|comes\s+to|quote|admission|in\s+(?:pounds|dollars|euros))\b|\b(?:total|much)\s+in\s+[$€£]",
    re.I,
)
_MONEY_GIVEN = re.compile(
    r"(?<!\bin\s)[$€£¥]|\d\s*(?:p|c)\b|(?<!\bin\s)\b(?:dollars?|euros?|pounds?|cents?|pence|quid|bucks|crowns?|francs?|pesos?|rupees?|yen|yuan)\b",
    re.I,
)
"""A price the question states; "in pounds" asks for one."""


def _named_parts(found: list[tuple[str, str]], question: str) -> list[tuple[str, str]]:
    """Of the priced parts (with their headings), those that name most of what the question names: of "£50
    for city bikes" and "£150 for e-bikes", the second for "four e-bikes"; of "A0 poster £22.00" and "A1
    poster £14.00", the second for "three A1 posters"; none where no part names anything the question does."""
    priced = [(part, context) for part, context in found if re.search(r"\d", part) and "%" not in part]
    together = [stems(f"{part} {context}") for part, context in priced]
    common = set.intersection(*together) if len(together) > 1 else set()
    question = _NOT_A.sub(" ", _NOT_COUNTED.sub(" ", question))  # "not counting the deposit" names none
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
    name, _, priced = part.rpartition(
        ": "
    )  # "Two cats sharing a pen: $26.00": the name's numbers are no amounts
    rate = _rate_of(context) if not _RATED.search(priced) else ""
    if rate or _RATED.search(priced) or not _rate_of(name):
        return _read(part, priced, rate, question, asked_amounts, by_case=by_case, context=context)
    # "Cello Monthly hire: £22": as it stands ("Monthly: 146.00" for 12 tickets), else per month
    return _read(part, priced, "", question, asked_amounts, by_case=by_case, context=context) or _read(
        part, priced, _rate_of(name), question, asked_amounts, by_case=by_case, context=context
    )


def _read(
    part: str,
    priced: str,
    rate: str,
    question: str,
    asked_amounts: list[Amount],
    *,
    by_case: bool,
    context: str,
) -> str | None:
    """:func:`_expression` with the price read as ``priced`` said per ``rate`` ("per month")."""
    given = amounts(f"{priced} {rate}" if rate else priced)
    asked = asked_unit(f"{priced}. {question}") or (
        MONEY if _PRICE_ASKED.search(question) or _TOTAL.search(question) else None
    )
    if not given or asked is None or not dict(asked.powers).get("money"):
        return None
    if not any(dict(amount.unit.powers).get("money") for amount in given):
        return None  # "Sleeps: 4": no price
    named = stems(part.rsplit(": ", 1)[0]) if ": " in part else set()
    # "two cats" of "Two cats sharing a pen", "2 metres" of "Panes above 2 m": they name the item, not multiply
    asked_amounts = [
        amount for amount in asked_amounts if not (named and _written_in(amount, part.rsplit(": ", 1)[0]))
    ]
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


def _rate_of(context: str) -> str:
    """What the headings say every price under them is per ("Hourly rates" -> "per hour", "CATS (per pen,
    per night)" -> "per pen per night"), or ""."""
    found = [f"per {per}" for per in re.findall(r"\bper\s+([a-z]+)", context, re.I)]
    found += [f"per {_ADVERBS[word.lower()]}" for word in _ADVERB.findall(context)]
    return " ".join(dict.fromkeys(found))


_ADVERBS = {"hourly": "hour", "daily": "day", "nightly": "night", "weekly": "week", "monthly": "month"}
_ADVERB = re.compile(r"\b(hourly|daily|nightly|weekly|monthly)\b", re.I)
_RATED = re.compile(r"\b(?:per|a|an|each|every)\s+[a-z]|/\s*[a-z]", re.I)
"""A price already said per something ("£6 per hour", "£3 a day", "£2/kg")."""


def _counted(unit: Unit) -> bool:
    """Whether ``unit`` is a count of things ("3 lanes"), not a measure or a rate."""
    return len(unit.sizes) == 1 and unit.sizes[0][0] not in DIMENSIONS and unit.sizes[0][1] == 1


def parts(sentence: str) -> list[str]:
    """The parts of ``sentence`` that each may hold one figure, each with the name of what it prices:

    - a table row's cells each with the row's first cell ("Ticket: Adult; Weekday: $7.50" -> "Adult
      Weekday: $7.50");
    - a price list's items ("City bike ...... £6 per hour, £22 per day Hybrid bike ...... £8 per hour") each
      clause with its item's name ("Hybrid bike £8 per hour");
    - a sentence's clauses each with what the sentence says before its first figure ("Lane hire: $38 per
      hour on weekdays, $46 per hour at weekends" -> "Lane hire: $46 per hour at weekends").

    Brackets ("(16–64)") and limits ("up to a maximum of €10 per day") are left out."""
    text = re.sub(r"\(([^()]*\bonly)\)", r" \1 ", sentence)  # "(children under 12 only)" says for whom
    text = _LIMITED.sub(" ", re.sub(r"\([^()]*\)", " ", text))
    if ";" in text:
        head, *cells = [cell.strip() for cell in text.split(";")]
        found = [f"{head.split(':', 1)[-1].strip()} {cell}" for cell in cells]
    elif re.search(
        r"\.{2,}", text
    ):  # a price list: "City bike ...... £6 per hour, £22 per day Hybrid bike ..."
        text = re.sub(r"\s*\.{2,}\s*", " ", text)
        found, name, end = [], "", 0
        for priced in _PRICED.finditer(text):
            between = text[end : priced.start()].strip(" ,;:")
            name = between if re.search(r"[A-Za-z]{2}", between) else name
            found.append(f"{name}: {priced[0]}" if name else priced[0])
            end = priced.end()
        found.append(text[end:])
    else:
        # "Bronze party: one game plus a meal, £14.50 per child": what comes before the first figure names it
        first_figure = re.search(r"[$€£]?\d", text)
        lead = text[: first_figure.start()] if first_figure else ""
        rest = text[len(lead) :]
        clauses = [clause.strip() for clause in re.split(r",|\band\b(?=\s*[$€£]\d)", rest) if clause.strip()]
        found = [f"{lead}{clause}" for clause in clauses] or [text]
    found = [re.sub(r"\s+([.,;:])", r"\1", " ".join(part.split())) for part in found if part.strip()]
    return [part if _MONEY_GIVEN.search(part) else _PRICE_WRITTEN.sub(r"$\1", part) for part in found]


_PRICE_WRITTEN = re.compile(r"(?<![\w.$€£])(\d+\.\d\d)(?![\d.]|\s*(?:%|[a-zA-Z²³]))")
"""A figure with two decimals and no unit, in a price list: money ("Monthly: 146.00")."""


_LIMITED = re.compile(
    r"(?:,\s*)?\b(?:up\s+to\s+(?:a\s+)?maximum\s+of|maximum(?:\s+charge)?(?:\s+of)?|minimum(?:\s+charge)?(?:\s+of)?"
    r"|max\.?|min\.?|at\s+most|at\s+least|no\s+more\s+than|capped\s+at)\s*[$€£]?\d[\d.,]*[^,;.$€£]*",
    re.I,
)
"""A limit and its figure, to the end of its clause: "up to a maximum of €10 per day", "minimum charge £1",
"maximum 2 dogs per pitch"."""
_PRICED = re.compile(
    r"(?<![A-Za-z\d.])[$€£]?\d+(?:[.,]\d+)*(?![\d.,%])(?!\s*%)p?(?:\s*(?:per|a|an|each)\s+(?:\d+\s+)?\w+)*(?:\s+each)?",
    re.I,
)
"""A figure and what it is per: where the text of a price list item ends and the next item's name begins."""


def _last_name(text: str) -> str:
    """The name of the item whose leader dots follow ``text``: what comes after its last priced figure
    ("£95 per week *Hybrid bike*", "80p per sheet *Lamination A3*"), or all of it."""
    found = list(_PRICED.finditer(text))
    return text[found[-1].end() :].strip() if found else text.strip()


def _other_case(part: str, question: str) -> bool:
    """Whether ``part`` names a case of :data:`_CASES` that ``question`` does not name: a price for children,
    for weekends or for students is not the price of a question that does not say so."""
    asked = _NOT_A.sub(" ", question)  # "I'm not a student" names no student
    return any(
        re.search(in_part, part, re.I) and not re.search(in_question, asked, re.I)
        for in_part, in_question in _CASES
    )


_NOT_A = re.compile(r"\b(?:not|no)\s+(?:an?\s+)?\w+", re.I)
