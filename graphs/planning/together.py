"""Work done together: two or more doers on one job, without a model.

"I can paint the fence in 6 hours, my friend can do it in 3 hours. Working together, how many hours?" is
``1/(1/6+1/3)``: rates add, times do not. "A 1500 litre pool, two hoses at once: 15 litres a minute and 10
litres a minute. How many minutes?" is ``1500/(15+10)``. The adapter multiplies them (``6*3``, ``1500/2*15*10``)
and the dimensional reading of :mod:`graphs.planning.dimensions` has no sum, so these are read here: a question
that says the doers work at once, asks for a time, and gives either each doer's time for the whole job or each
one's rate and the amount to do, all in the unit of time asked.

Written by hand because no library we have reads word problems.
"""

from __future__ import annotations

import re
from dataclasses import replace

from graphs.planning.quantities import Amount, Unit, amounts, asked_unit

_AT_ONCE = re.compile(
    r"\b(?:together|at\s+once|at\s+the\s+same\s+time|simultaneously|combined|in\s+parallel|both\s+(?:open|on|running|working))\b",
    re.I,
)
_FILLED = re.compile(r"\b(?:full|fill(?:ed)?\s+up|to\s+fill|filled)\b", re.I)
_AGAINST = re.compile(r"\b(?:leak\w*|drain\w*|empt(?:y|ies|ied)|los(?:e|es|t|ing)|spill\w*)\b", re.I)
"""A doer working against the others (a leak): its rate is taken off the rest."""


def together_expression(question: str) -> str | None:
    """The time the doers of ``question`` take together (see the module docstring), or None."""
    if not _AT_ONCE.search(question):
        return None
    asked = asked_unit(question)
    found = amounts(question)
    if asked is None or not found or [(dim, exp) for dim, exp, _ in asked.sizes] != [("time", 1)]:
        return None
    size = asked.sizes[0][2]
    durations = [amount for amount in found if _powers(amount.unit) == [("time", 1)]]
    if len(durations) == len(found) and 2 <= len(durations) <= 3 and not _AGAINST.search(question):
        if any(
            amount.unit.size_of("time") != (size or durations[0].unit.size_of("time")) for amount in durations
        ):
            return None  # in another unit than asked, or in two units
        return f"1/({'+'.join(f'1/{amount.written}' for amount in durations)})"
    counted = [amount for amount in found if _powers(amount.unit) != [("time", -1)] and _counts_doers(amount)]
    rest = [amount for amount in found if amount not in counted]
    work = [amount for amount in rest if ("time", -1) not in _powers(amount.unit)]
    rates = [amount for amount in rest if amount not in work]
    if len(work) == 2 and _FILLED.search(question) and _powers(work[0].unit) == _powers(work[1].unit):
        # "a 1200 L tank has 240 L in it ... until it's full": what is left to fill
        full, already = sorted(work, key=lambda amount: amount.value, reverse=True)
        work = [
            replace(full, written=f"({full.written}-{already.written})", exact=full.value - already.value)
        ]
        if full.unit.size_of(full.unit.sizes[0][0]) != already.unit.size_of(already.unit.sizes[0][0]):
            return None
    if len(work) != 1 or not 2 <= len(rates) <= 3:
        return None
    (job,) = work
    job = replace(
        job, unit=Unit(tuple(size for size in job.unit.sizes if size[1] > 0))
    )  # "holds 150 L" a bath
    against = [rate for rate in rates if _is_against(rate, question)]
    if len(against) == len(rates):
        return None
    for rate in rates:
        if (
            _powers(rate.unit) != sorted([*_powers(job.unit), ("time", -1)])
            or rate.unit.size_of("time") != size
        ):
            return None  # a rate of something else, or per another unit of time than asked
        if any(rate.unit.size_of(dim) != job.unit.size_of(dim) for dim, _ in _powers(job.unit)):
            return None  # litres a minute for a job in cubic metres
    combined = "".join(f"{'-' if rate in against else '+'}{rate.written}" for rate in rates).lstrip("+")
    return f"{job.written}/({combined})"


def _is_against(rate: Amount, question: str) -> bool:
    """Whether the clause giving ``rate`` says it works against the others ("leaks 3 L per minute")."""
    return bool(
        re.search(
            rf"{_AGAINST.pattern}\W+(?:at\s+|about\s+)?{re.escape(rate.written)}(?![\d.])", question, re.I
        )
    )


def _powers(unit: Unit) -> list[tuple[str, int]]:
    return sorted((dim, exp) for dim, exp, _ in unit.sizes)


def _counts_doers(amount: Amount) -> bool:
    """A count of the doers or a word read as one ("two hoses", "one does"): not the job or a rate."""
    return len(amount.unit.sizes) == 1 and amount.unit.sizes[0][1] == 1 and amount.unit.sizes[0][2] == 1
