"""The eval's task suites and the rules that judge an answer.

Each task carries its question, what a right answer must show (``Expectation``) and a known solution
(the tool calls that solve it and a reference answer), so a scripted "oracle" can replay it in tests.
Generated suites (``arithmetic``, ``two_step``) draw their numbers from a seeded ``random.Random``, and
their answers are computed with ``fractions.Fraction``: the same seed always gives the same tasks and the
exact expected numbers. The ``documents`` and ``two_step`` questions are about the made-up documents in
``agent/evaluation/data`` (nothing a model could know beforehand).

Held out (``HELD_OUT_SUITES``): ``unseen_documents``, ``word_problems``, ``lookup_compute`` and ``follow_ups``
were written by hand before any planner was trained or tuned for them, in wordings of their own, about
documents of their own (``HELD_OUT_DOCUMENTS``). They are the measure of a planner on questions it never saw:
never use their questions, wordings, numbers or documents for training data, prompts, rules or tuning.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from graphs.turns import TurnResult


class Suite(StrEnum):
    """The suites, in the order they run."""

    arithmetic = "arithmetic"
    documents = "documents"
    tool_choice = "tool_choice"
    small_talk = "small_talk"
    two_step = "two_step"
    unseen_documents = "unseen_documents"
    failures = "failures"
    word_problems = "word_problems"
    lookup_compute = "lookup_compute"
    follow_ups = "follow_ups"


SUITES: tuple[str, ...] = tuple(suite.value for suite in Suite)

DEFAULT_SIZES = {
    "arithmetic": 10,
    "documents": 6,
    "tool_choice": 6,
    "small_talk": 6,
    "two_step": 6,
    "unseen_documents": 12,
    "failures": 3,
    "word_problems": 18,
    "lookup_compute": 9,
    "follow_ups": 10,
}
"""Tasks per suite when no ``limit`` is given."""

HELD_OUT_SUITES = frozenset({"unseen_documents", "word_problems", "lookup_compute", "follow_ups"})
"""Suites kept apart from any training or tuning: the held-out measure (module docstring)."""

HELD_OUT_DOCUMENTS = frozenset(
    {
        # unseen_documents (issue 13)
        "kestrel_ax3_router_faq.txt",
        "driftwood_sync_readme.md",
        "loomis_changelog.md",
        "ashgrove_clinic_visitors.html",
        # lookup_compute and follow_ups (issue 12)
        "brackenridge_travel_policy.md",
        "selkie_sound_ferry.txt",
        "juniper_hall_hire.html",
    }
)
"""Bundled documents (``agent/evaluation/data``) that only held-out suites ask about: training data must not be
written against them."""


@dataclass(frozen=True)
class ToolStep:
    """One tool call of a known solution."""

    tool: str
    args: dict[str, Any]


@dataclass(frozen=True)
class Expectation:
    """What a successful turn shows; every field that is set must hold."""

    number: Fraction | None = None
    """This exact number appears in the answer (1,250.50 and 1250.5 both count)."""
    fact: str | None = None
    """This phrase appears in the answer as whole words, ignoring case."""
    source: str | None = None
    """This bundled document (file name) was retrieved during the turn or is named in the answer."""
    first_tool: str | None = None
    """The first tool the model called."""
    no_tools: bool = False
    """No tool was called and the answer is not empty."""
    not_restated: bool = False
    """The answer does not repeat the question (a restatement states no fact)."""
    failed_tool: str | None = None
    """This tool was called and reported as failed (``ok`` false), and the answer tells the user in plain
    words that something could not be done, without the tool's instructions to the model."""


@dataclass(frozen=True)
class Turn:
    """A turn asked before a task's question on the same thread (a follow-up's context); it is not judged."""

    question: str
    solution: tuple[ToolStep, ...] = ()
    """Tool calls that answer it, in order (for scripted oracles)."""
    reference_answer: str = ""


@dataclass(frozen=True)
class Task:
    """One question of a suite with its success rule and a known solution."""

    id: str
    suite: str
    question: str
    expect: Expectation
    solution: tuple[ToolStep, ...] = ()
    """Tool calls that solve the task, in order (used by scripted oracles, never shown to a model)."""
    reference_answer: str = ""
    """An answer that passes ``judge`` once ``solution`` has run."""
    earlier: tuple[Turn, ...] = ()
    """Turns asked first, in order, on the same thread; only ``question``'s turn is judged (follow-ups)."""


@dataclass(frozen=True)
class Verdict:
    """Whether a turn passed its task's rule, and why not when it did not."""

    success: bool
    reason: str = "ok"


# ------------------------------------------------------------------------------------------ numbers

_NUMBER = re.compile(r"(?<![\w.])-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\d])")


def numbers_in(text: str) -> list[Fraction]:
    """Every number written in ``text``, exactly: "1,102.50" is 1102.5, "-3" is -3, "[2]" is 2."""
    return [Fraction(match.replace(",", "")) for match in _NUMBER.findall(text)]


def format_number(value: Fraction) -> str:
    """``value`` as plain decimal text ("42", "3.75"); raises ``ValueError`` if it does not terminate."""
    if value.denominator == 1:
        return str(value.numerator)
    for places in range(1, 31):
        scaled = value * 10**places
        if scaled.denominator == 1:
            sign = "-" if scaled < 0 else ""
            digits = str(abs(scaled.numerator)).rjust(places + 1, "0")
            return f"{sign}{digits[:-places]}.{digits[-places:]}".rstrip("0").rstrip(".")
    raise ValueError(f"{value} has no short decimal form")


ROUNDED_PLACES = 2
"""The fewest decimal places a rounded answer must show for a value that has no short decimal form."""


def _places(value: Fraction) -> int | None:
    """How many decimal places ``value`` is written with, or None when it has no short decimal form."""
    for places in range(31):
        if (value * 10**places).denominator == 1:
            return places
    return None


def holds_number(answer: str, expected: Fraction) -> bool:
    """Whether ``answer`` writes ``expected``: exactly, or, for a value with no short decimal form (625/6), as
    a decimal of at least :data:`ROUNDED_PLACES` places within one unit of its last place ("104.17",
    "104.166666666667")."""
    written = numbers_in(answer)
    if expected in written:
        return True
    if _places(expected) is not None:
        return False
    for number in written:
        places = _places(number)
        if (
            places is not None
            and places >= ROUNDED_PLACES
            and abs(number - expected) <= Fraction(1, 10**places)
        ):
            return True
    return False


def shown_number(value: Fraction) -> str:
    """``value`` for a verdict's reason: its decimal form, else the fraction ("625/6")."""
    return format_number(value) if _places(value) is not None else str(value)


# ------------------------------------------------------------------------------------------ judging


def _source_name(source: dict[str, Any]) -> str:
    return PurePath(str(source.get("url") or source.get("title") or "")).name


TOOL_INSTRUCTION_PHRASES = (
    "answer from what you know",
    "say that you could not",
    "call again",
    "call the tool again",
    "try other or fewer keywords",
    "add documents with",
)
"""Phrases a tool addresses to the model; an answer that contains one shows the user the tool's text."""

_SAYS_IT_COULD_NOT = re.compile(
    r"\b(?:could not|couldn't|cannot|can't|can not|was unable|am unable|not able|unavailable|failed)\b", re.I
)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def _restates(question: str, answer: str) -> bool:
    """Whether ``answer`` holds the question's words in order (all but a leading question word)."""
    words = _words(question)
    if words and words[0] in {
        "what",
        "which",
        "who",
        "when",
        "where",
        "how",
        "why",
        "is",
        "are",
        "does",
        "do",
    }:
        words = words[1:]
    if len(words) < 4:
        return False
    return f" {' '.join(words)} " in f" {' '.join(_words(answer))} "


def judge(task: Task, result: TurnResult) -> Verdict:
    """Check ``result`` against every rule of ``task.expect``; the reason names the first rule that failed."""
    expect = task.expect
    answer = result.answer
    names = [call.name for call in result.tool_calls]
    if expect.no_tools:
        if names:
            return Verdict(False, f"called {', '.join(names)} for small talk")
        if not answer.strip():
            return Verdict(False, "empty answer")
    if expect.first_tool is not None:
        if not names:
            return Verdict(False, f"no tool called, expected {expect.first_tool}")
        if names[0] != expect.first_tool:
            return Verdict(False, f"first tool {names[0]}, expected {expect.first_tool}")
    if expect.source is not None:
        retrieved = {_source_name(source) for source in result.sources}
        if expect.source not in retrieved and expect.source not in answer:
            return Verdict(False, f"{expect.source} not retrieved")
    if expect.failed_tool is not None:
        failed = [call for call in result.tool_calls if call.name == expect.failed_tool and not call.ok]
        if expect.failed_tool not in names:
            return Verdict(False, f"{expect.failed_tool} not called")
        if not failed:
            return Verdict(False, f"{expect.failed_tool} failed but was reported as ok")
        if any(phrase in answer.casefold() for phrase in TOOL_INSTRUCTION_PHRASES):
            return Verdict(False, "the answer repeats the tool's instructions")
        if not _SAYS_IT_COULD_NOT.search(answer):
            return Verdict(False, "the answer does not say what could not be done")
    if expect.not_restated and _restates(task.question, answer):
        return Verdict(False, "the answer restates the question")
    if expect.number is not None and not holds_number(answer, expect.number):
        return Verdict(False, f"{shown_number(expect.number)} not in the answer")
    if expect.fact is not None and not re.search(
        rf"(?<!\w){re.escape(expect.fact)}(?!\w)", answer, flags=re.IGNORECASE
    ):
        return Verdict(False, f"{expect.fact!r} not in the answer")
    return Verdict(True)


# -------------------------------------------------------------------------------------- arithmetic

Problem = tuple[str, str, Fraction]
"""(question, calculator expression, exact answer)."""


def _rolls(rng: random.Random) -> Problem:
    trays, per_tray = rng.randint(3, 9), rng.randint(12, 30)
    sold = rng.randint(5, trays * per_tray - 1)
    question = (
        f"A baker fills {trays} trays with {per_tray} rolls each and sells {sold} rolls. "
        "How many rolls are left?"
    )
    return question, f"{trays}*{per_tray} - {sold}", Fraction(trays * per_tray - sold)


def _speed(rng: random.Random) -> Problem:
    distance, hours = rng.randint(100, 900), rng.choice([2, 4, 5, 8])
    question = (
        f"A train covers {distance} km in {hours} hours at a steady pace. What is its average speed in km/h?"
    )
    return question, f"{distance}/{hours}", Fraction(distance, hours)


def _discount(rng: random.Random) -> Problem:
    price, off = rng.randint(20, 400), rng.choice([10, 15, 20, 25, 30, 35, 40])
    question = f"A jacket costs {price} dollars and is on sale at {off} percent off. What is the sale price in dollars?"
    return question, f"{price}*(100-{off})/100", Fraction(price * (100 - off), 100)


def _split_bill(rng: random.Random) -> Problem:
    friends, bill = rng.choice([2, 4, 5, 8]), rng.randint(41, 400)
    question = (
        f"{friends} friends split a restaurant bill of {bill} dollars equally. How much does each friend pay?"
    )
    return question, f"{bill}/{friends}", Fraction(bill, friends)


def _area(rng: random.Random) -> Problem:
    width = Fraction(rng.randint(3, 40)) + Fraction(rng.choice([0, 5]), 10)
    length = rng.randint(2, 30)
    shown = format_number(width)
    question = f"A garden bed measures {shown} m by {length} m. What is its area in square metres?"
    return question, f"{shown}*{length}", width * length


def _interest(rng: random.Random) -> Problem:
    principal, rate = 100 * rng.randint(5, 50), rng.randint(2, 9)
    question = (
        f"A savings account holds {principal} dollars and earns {rate} percent interest per year, "
        "compounded yearly. How much is in the account after 2 years?"
    )
    return question, f"{principal}*(1+{rate}/100)^2", principal * (1 + Fraction(rate, 100)) ** 2


def _tank(rng: random.Random) -> Problem:
    rate, litres = rng.choice([2, 4, 5, 8, 10, 16, 20, 25]), rng.randint(50, 2000)
    question = (
        f"A tank holds {litres} litres of water and drains at {rate} litres per minute. "
        "How many minutes does it take to empty?"
    )
    return question, f"{litres}/{rate}", Fraction(litres, rate)


def _series(rng: random.Random) -> Problem:
    n = rng.randint(20, 500)
    question = f"What is the sum of all whole numbers from 1 to {n}?"
    return question, f"{n}*({n}+1)/2", Fraction(n * (n + 1), 2)


def _bottles(rng: random.Random) -> Problem:
    pallets, crates, bottles = rng.randint(3, 12), rng.randint(8, 40), rng.choice([6, 12, 20, 24])
    question = (
        f"A warehouse has {pallets} pallets, each with {crates} crates of {bottles} bottles. "
        "How many bottles are there in all?"
    )
    return question, f"{pallets}*{crates}*{bottles}", Fraction(pallets * crates * bottles)


def _fahrenheit(rng: random.Random) -> Problem:
    celsius = 5 * rng.randint(1, 20)
    question = f"A thermometer reads {celsius} degrees Celsius. What is that in degrees Fahrenheit?"
    return question, f"{celsius}*9/5 + 32", Fraction(celsius * 9, 5) + 32


ARITHMETIC_TEMPLATES: tuple[Callable[[random.Random], Problem], ...] = (
    _rolls,
    _speed,
    _discount,
    _split_bill,
    _area,
    _interest,
    _tank,
    _series,
    _bottles,
    _fahrenheit,
)


def _draw(template: Callable[[random.Random], Problem], rng: random.Random) -> Problem:
    """A problem whose answer is not also a number of its question (else restating the question would pass)."""
    while True:
        question, expression, value = template(rng)
        if value not in numbers_in(question):
            return question, expression, value


def arithmetic_tasks(rng: random.Random, count: int) -> list[Task]:
    """``count`` word problems, one template after another, numbers drawn from ``rng``."""
    tasks = []
    for index in range(count):
        question, expression, value = _draw(ARITHMETIC_TEMPLATES[index % len(ARITHMETIC_TEMPLATES)], rng)
        tasks.append(
            Task(
                id=f"arithmetic-{index + 1:02d}",
                suite="arithmetic",
                question=question,
                expect=Expectation(number=value),
                solution=(ToolStep("calculator", {"expression": expression}),),
                reference_answer=f"The answer is {format_number(value)}.",
            )
        )
    return tasks


# -------------------------------------------------------------------------------------- documents

# (question, search query, document, fact that must appear: a whole number or a phrase)
_DOCUMENT_QUESTIONS: tuple[tuple[str, str, str, str], ...] = (
    (
        "What is the highest temperature the Tessellate P4 nozzle can run at?",
        "Tessellate P4 maximum nozzle temperature",
        "tessellate_p4_printer_manual.md",
        "285",
    ),
    (
        "What does error code F7 mean on the Tessellate P4 printer?",
        "Tessellate P4 error code F7",
        "tessellate_p4_printer_manual.md",
        "filament",
    ),
    (
        "How long is the grace period for late membership dues in the Quillfeather Housing Cooperative?",
        "Quillfeather late dues grace period",
        "quillfeather_cooperative_bylaws.md",
        "21",
    ),
    (
        "Who was the longest-serving keeper of the Marrowstone Point Lighthouse?",
        "Marrowstone lighthouse longest-serving keeper",
        "marrowstone_lighthouse_log.txt",
        "Ilse Varga",
    ),
    (
        "When does the last Orrin Valley tram leave Copperfield Square?",
        "last tram Copperfield Square",
        "orrin_valley_tramway.md",
        "23:40",
    ),
    (
        "How many items can a member of the Pinecrest Public Library borrow at once?",
        "Pinecrest library how many items borrow at once",
        "pinecrest_library_policy.md",
        "12",
    ),
)


def _expect_fact(fact: str) -> Expectation:
    return Expectation(number=Fraction(fact)) if fact.isdigit() else Expectation(fact=fact)


def document_tasks(count: int) -> list[Task]:
    """Questions over the bundled documents: the right document must be found and the fact stated."""
    tasks = []
    for index, (question, query, source, fact) in enumerate(_DOCUMENT_QUESTIONS[:count]):
        expect = _expect_fact(fact)
        tasks.append(
            Task(
                id=f"documents-{index + 1:02d}",
                suite="documents",
                question=question,
                expect=Expectation(number=expect.number, fact=expect.fact, source=source),
                solution=(ToolStep("search_documents", {"query": query}),),
                reference_answer=f"According to your documents: {fact} [1].",
            )
        )
    return tasks


# ------------------------------------------------------------------------------- unseen documents

# Written for issue 13 before any answer code changed, and never used to tune it: a README, a FAQ, a
# changelog and an HTML page (agent/evaluation/data), each fact stated in one sentence the question paraphrases.
# (question, search query, document, fact that must appear: a whole number or a phrase)
_UNSEEN_DOCUMENT_QUESTIONS: tuple[tuple[str, str, str, str], ...] = (
    (
        "How long do I hold the reset button to factory-reset a Kestrel AX3 router?",
        "Kestrel AX3 factory reset button",
        "kestrel_ax3_router_faq.txt",
        "12",
    ),
    (
        "What does a blinking amber light mean on the Kestrel AX3?",
        "Kestrel AX3 blinking amber light",
        "kestrel_ax3_router_faq.txt",
        "firmware update",
    ),
    (
        "How many devices can join the Kestrel AX3 guest network?",
        "Kestrel AX3 guest network devices",
        "kestrel_ax3_router_faq.txt",
        "20",
    ),
    (
        "Which TCP port do driftwood-sync peers use by default?",
        "driftwood-sync default port",
        "driftwood_sync_readme.md",
        "7341",
    ),
    (
        "Which file does driftwood-sync read its settings from?",
        "driftwood-sync settings file",
        "driftwood_sync_readme.md",
        "sync.toml",
    ),
    (
        "Under which license is driftwood-sync released?",
        "driftwood-sync license",
        "driftwood_sync_readme.md",
        "MPL-2.0",
    ),
    (
        "In which loomis version was render_all renamed?",
        "loomis render_all renamed",
        "loomis_changelog.md",
        "4.0.0",
    ),
    (
        "Which loomis release fixed the memory leak in the thumbnail cache?",
        "loomis thumbnail cache memory leak",
        "loomis_changelog.md",
        "4.1.3",
    ),
    (
        "What is the default JPEG quality in loomis since 4.1.0?",
        "loomis default JPEG quality",
        "loomis_changelog.md",
        "90",
    ),
    (
        "From what time can visitors come to the wards of Ashgrove Clinic?",
        "Ashgrove Clinic visiting hours",
        "ashgrove_clinic_visitors.html",
        "14:00",
    ),
    (
        "How much does an hour in the Ashgrove Clinic visitor car park cost?",
        "Ashgrove Clinic parking price",
        "ashgrove_clinic_visitors.html",
        "3 crowns",
    ),
    (
        "At what time does the Ashgrove Clinic cafeteria close?",
        "Ashgrove Clinic cafeteria closing time",
        "ashgrove_clinic_visitors.html",
        "19:30",
    ),
)


def unseen_document_tasks(count: int) -> list[Task]:
    """Questions over documents written for the measure only: the right document must be found and the
    fact stated (the answer must not restate the question)."""
    tasks = []
    for index, (question, query, source, fact) in enumerate(_UNSEEN_DOCUMENT_QUESTIONS[:count]):
        expect = _expect_fact(fact)
        tasks.append(
            Task(
                id=f"unseen_documents-{index + 1:02d}",
                suite="unseen_documents",
                question=question,
                expect=Expectation(number=expect.number, fact=expect.fact, source=source, not_restated=True),
                solution=(ToolStep("search_documents", {"query": query}),),
                reference_answer=f"Your documents say: {fact} [1].",
            )
        )
    return tasks


# --------------------------------------------------------------------------------------- failures

# Questions that need the web while web search cannot run (the eval's stand-in is offline).
_FAILURES: tuple[tuple[str, str], ...] = (
    ("What is the capital of France?", "capital of France"),
    ("Who won the most recent Tour de France?", "most recent Tour de France winner"),
    ("What is the current price of a barrel of Brent crude oil?", "Brent crude oil price"),
)


def failure_tasks(count: int) -> list[Task]:
    """A tool cannot do its job: it must be reported as failed, and the answer must say so plainly."""
    return [
        Task(
            id=f"failures-{index + 1:02d}",
            suite="failures",
            question=question,
            expect=Expectation(failed_tool="web_search"),
            solution=(ToolStep("web_search", {"query": query}),),
            reference_answer="I could not search the web (web search is offline), so I cannot check this.",
        )
        for index, (question, query) in enumerate(_FAILURES[:count])
    ]


# ------------------------------------------------------------------------------------- tool choice

_TOOL_CHOICE: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("What is 48 multiplied by 365?", "calculator", {"expression": "48*365"}),
    ("What is the square root of 7, to four decimal places?", "calculator", {"expression": "sqrt(7)"}),
    (
        "What do my documents say about error code F3 on the Tessellate P4?",
        "search_documents",
        {"query": "Tessellate P4 error code F3"},
    ),
    (
        "According to my files, how often does the Quillfeather cooperative board meet?",
        "search_documents",
        {"query": "Quillfeather board meetings"},
    ),
    (
        "What is the weather forecast for Lisbon this weekend?",
        "web_search",
        {"query": "Lisbon weather forecast"},
    ),
    ("What are today's top news headlines in Japan?", "web_search", {"query": "Japan top news today"}),
)


def tool_choice_tasks(count: int) -> list[Task]:
    """Questions whose first tool is labelled; only that choice is judged."""
    return [
        Task(
            id=f"tool_choice-{index + 1:02d}",
            suite="tool_choice",
            question=question,
            expect=Expectation(first_tool=tool),
            solution=(ToolStep(tool, args),),
            reference_answer="Here is what I found.",
        )
        for index, (question, tool, args) in enumerate(_TOOL_CHOICE[:count])
    ]


# --------------------------------------------------------------------------------------- small talk

_SMALL_TALK = (
    "Hi there!",
    "Thanks, that was really helpful.",
    "Good morning! How are you today?",
    "Nice to meet you.",
    "You have been a great help this week.",
    "See you tomorrow, bye!",
)


def small_talk_tasks(count: int) -> list[Task]:
    """Greetings and thanks: any tool call is a failure."""
    return [
        Task(
            id=f"small_talk-{index + 1:02d}",
            suite="small_talk",
            question=question,
            expect=Expectation(no_tools=True),
            reference_answer="Hello! Glad to help whenever you need me.",
        )
        for index, question in enumerate(_SMALL_TALK[:count])
    ]


# ---------------------------------------------------------------------------------------- two step

# (question with {n}/{k}/{d}, search query, figure in the documents, expression with {n}/{k}/{d})
_TWO_STEP: tuple[tuple[str, str, str, str], ...] = (
    (
        "How much do {n} day passes for the Orrin Valley Tramway cost in total, in crowns?",
        "Orrin Valley Tramway day pass price",
        "6",
        "6*{n}",
    ),
    (
        "What do {n} years of Quillfeather Housing Cooperative membership fees add up to, in crowns?",
        "Quillfeather membership fee per year",
        "35",
        "35*{n}",
    ),
    (
        "How many steps does a visitor climb going up the Marrowstone Point Lighthouse staircase {n} times?",
        "Marrowstone lighthouse staircase steps",
        "142",
        "142*{n}",
    ),
    (
        "How many printing hours do {n} brass nozzles last on a Tessellate P4, at the recommended "
        "replacement interval?",
        "Tessellate P4 nozzle replacement interval",
        "400",
        "400*{n}",
    ),
    (
        "I returned {k} Pinecrest Public Library books {d} days late. What is the total late fine in crowns?",
        "Pinecrest library late fine per day",
        "0.25",
        "0.25*{k}*{d}",
    ),
    (
        "How much do {n} cardamom buns from Halvorsen Bakery cost, in crowns?",
        "Halvorsen Bakery cardamom bun price",
        "2.75",
        "2.75*{n}",
    ),
)


def two_step_tasks(rng: random.Random, count: int) -> list[Task]:
    """Look a figure up in the documents, then compute with it; the exact result must be stated."""
    tasks = []
    for index in range(count):
        template, query, figure, expression = _TWO_STEP[index % len(_TWO_STEP)]

        def problem(rng: random.Random, template: str = template, expression: str = expression) -> Problem:
            # d stays below 20, so no single book reaches the 5-crown cap on late fines.
            values = {"n": rng.randint(3, 19), "k": rng.randint(2, 4), "d": rng.randint(2, 9)}
            filled = expression.format(**values)
            result = Fraction(1)
            for factor in filled.split("*"):
                result *= Fraction(factor)
            return template.format(**values), filled, result

        question, filled, result = _draw(problem, rng)
        tasks.append(
            Task(
                id=f"two_step-{index + 1:02d}",
                suite="two_step",
                question=question,
                expect=Expectation(number=result),
                solution=(
                    ToolStep("search_documents", {"query": query}),
                    ToolStep("calculator", {"expression": filled}),
                ),
                reference_answer=f"At {figure} each, that makes {format_number(result)} [1].",
            )
        )
    return tasks


# ================================================================================ held-out suites
#
# Written by hand for issue 12 (item 5) before any planner work, and never to be trained or tuned on
# (HELD_OUT_SUITES). Each expected number is computed below with Fraction arithmetic, independently of the
# calculator expression of the known solution; tests check that the two agree.

F = Fraction

# --------------------------------------------------------------------------------- word problems

# (question, calculator expression of a solution, exact answer)
_WORD_PROBLEMS: tuple[Problem, ...] = (
    (
        "Two dozen eggs cost 6.48 dollars at the market. How much is that per egg?",
        "6.48/24",
        F("6.48") / 24,
    ),
    (
        "Maya makes 86.40 a day and works 4 days a week. What does she earn in three weeks?",
        "86.40*4*3",
        F("86.40") * 4 * 3,
    ),
    (
        "One batch of bread takes 6.5 cups of flour. How much flour do I need for a batch and a half?",
        "6.5*1.5",
        F("6.5") * F(3, 2),
    ),
    (
        "I had 250 dollars. I spent a quarter of it on shoes and then 38 on dinner. How much do I have left?",
        "250 - 250/4 - 38",
        250 - F(250, 4) - 38,
    ),
    (
        "Sam cycles at a steady 18 km/h for 2 hours and 40 minutes. How far does he get, in km?",
        "18*(2 + 40/60)",
        18 * (2 + F(40, 60)),
    ),
    (
        "My train leaves at 08:50 and gets in at 13:15. How many minutes am I on board?",
        "(13*60 + 15) - (8*60 + 50)",
        F(13 * 60 + 15) - (8 * 60 + 50),
    ),
    (
        "A shirt is marked 40 dollars. The shop knocks 25% off, then adds 8% sales tax on the reduced price. "
        "What do I pay at the till?",
        "40*(1 - 0.25)*1.08",
        40 * (1 - F(1, 4)) * F(108, 100),
    ),
    (
        "Our car burns 6.5 litres per 100 km. How many litres will a 340 km drive take?",
        "6.5*340/100",
        F("6.5") * 340 / 100,
    ),
    ("How many seconds are there in one week?", "7*24*60*60", F(7 * 24 * 60 * 60)),
    (
        "A 5 kg sack of rice sells for 11.50. What does that come to per 100 grams?",
        "11.50/(5000/100)",
        F("11.50") / F(5000, 100),
    ),
    (
        "Three friends split a taxi fare of 47.70 plus a tip of one tenth of the fare. What does each of them "
        "pay?",
        "47.70*(1 + 1/10)/3",
        F("47.70") * (1 + F(1, 10)) / 3,
    ),
    (
        "A pool takes 45,000 litres and the hose delivers 12.5 litres a minute. How many hours until it is full?",
        "45000/12.5/60",
        F(45000) / F("12.5") / 60,
    ),
    (
        "In a class of 32, three eighths of the pupils walk to school and half of the others come by bus. "
        "How many come by bus?",
        "(32 - 32*3/8)/2",
        (32 - 32 * F(3, 8)) / 2,
    ),
    (
        "Every morning Lena runs 12 laps of a 400 m track, five mornings a week. How many kilometres is that "
        "a week?",
        "12*400*5/1000",
        F(12 * 400 * 5, 1000),
    ),
    (
        "A phone contract is 23.99 a month plus a one-off connection fee of 45. What does the first year cost "
        "altogether?",
        "23.99*12 + 45",
        F("23.99") * 12 + 45,
    ),
    (
        "Half a tank is 27 litres and petrol is 1.85 a litre. What does it cost to fill the tank from empty?",
        "27*2*1.85",
        27 * 2 * F("1.85"),
    ),
    (
        "Ana is paid 14 an hour, and time and a half for overtime. Last week she did 40 normal hours and 6 "
        "hours of overtime. What did she earn?",
        "14*40 + 14*1.5*6",
        14 * 40 + 14 * F(3, 2) * 6,
    ),
    (
        "We have three and a quarter kilos of honey to put into 250 g jars. How many jars can we fill?",
        "3.25*1000/250",
        F(13, 4) * 1000 / 250,
    ),
)


def word_problem_tasks(count: int) -> list[Task]:
    """Hand-worded multi-step problems (held out): the exact result must appear in the answer."""
    return [
        Task(
            id=f"word_problems-{index + 1:02d}",
            suite="word_problems",
            question=question,
            expect=Expectation(number=value),
            solution=(ToolStep("calculator", {"expression": expression}),),
            reference_answer=f"That comes to {format_number(value)}.",
        )
        for index, (question, expression, value) in enumerate(_WORD_PROBLEMS[:count])
    ]


# -------------------------------------------------------------------------------- lookup, compute

# (question, search query, document, calculator expression with the document's figures, exact answer)
_LOOKUP_COMPUTE: tuple[tuple[str, str, str, str, Fraction], ...] = (
    (
        "3 nights in London for a Brackenridge client visit: what is the most the hotel can be reimbursed?",
        "Brackenridge hotel cap London per night",
        "brackenridge_travel_policy.md",
        "3*165",
        3 * F(165),
    ),
    (
        "Brackenridge is sending me to Edinburgh for 5 nights. How much hotel can I claim at most?",
        "Brackenridge hotel cap Edinburgh per night",
        "brackenridge_travel_policy.md",
        "5*125",
        5 * F(125),
    ),
    (
        "What meal allowance does a Brackenridge surveyor get for a four-day site visit?",
        "Brackenridge meal allowance per day",
        "brackenridge_travel_policy.md",
        "4*32.50",
        4 * F("32.50"),
    ),
    (
        "I drove 212 miles there and back in my own car for Brackenridge. What can I claim for the mileage?",
        "Brackenridge mileage rate per mile",
        "brackenridge_travel_policy.md",
        "212*0.45",
        212 * F("0.45"),
    ),
    (
        "What do two adults with their car pay one way on the Selkie Sound ferry?",
        "Selkie Sound ferry fares adult car",
        "selkie_sound_ferry.txt",
        "2*7.80 + 24",
        2 * F("7.80") + 24,
    ),
    (
        "Two adults and three children cross Selkie Sound on foot. What is the one-way fare for all of them?",
        "Selkie Sound ferry fares adult child",
        "selkie_sound_ferry.txt",
        "2*7.80 + 3*3.90",
        2 * F("7.80") + 3 * F("3.90"),
    ),
    (
        "On a summer day, how many minutes in all does the Selkie ferry spend crossing?",
        "Selkie ferry crossing time crossings per day summer",
        "selkie_sound_ferry.txt",
        "14*35",
        F(14 * 35),
    ),
    (
        "A registered charity hires the main hall at Juniper Hall for 4 hours. What does the hall cost it "
        "after the discount?",
        "Juniper Hall main hall hourly charge charity discount",
        "juniper_hall_hire.html",
        "4*22*(1 - 0.15)",
        4 * 22 * (1 - F(15, 100)),
    ),
    (
        "We want Juniper Hall's main hall for 3 hours, with the kitchen. How much do we pay up front, "
        "deposit included?",
        "Juniper Hall charges main hall kitchen deposit",
        "juniper_hall_hire.html",
        "3*22 + 12 + 120",
        3 * 22 + F(12) + 120,
    ),
)


def lookup_compute_tasks(count: int) -> list[Task]:
    """A figure from a held-out document, then a computation (held out): the exact result must be stated."""
    return [
        Task(
            id=f"lookup_compute-{index + 1:02d}",
            suite="lookup_compute",
            question=question,
            expect=Expectation(number=value),
            solution=(
                ToolStep("search_documents", {"query": query}),
                ToolStep("calculator", {"expression": expression}),
            ),
            reference_answer=f"That makes {format_number(value)} [1].",
        )
        for index, (question, query, _source, expression, value) in enumerate(_LOOKUP_COMPUTE[:count])
    ]


# ------------------------------------------------------------------------------------- follow-ups

# (first question, its tool step, its reference answer, the follow-up, its expression, exact answer of the
# follow-up): the follow-up only makes sense with the first turn on the same thread.
_FOLLOW_UPS: tuple[tuple[str, ToolStep, str, str, str, Fraction], ...] = (
    (
        "What is 12 times 12?",
        ToolStep("calculator", {"expression": "12*12"}),
        "12 times 12 is 144.",
        "And divided by 3?",
        "144/3",
        F(12 * 12, 3),
    ),
    (
        "How many days are in 3 weeks?",
        ToolStep("calculator", {"expression": "3*7"}),
        "3 weeks have 21 days.",
        "And in hours?",
        "21*24",
        F(3 * 7 * 24),
    ),
    (
        "Pizzas are 14.50 each. How much for four of them?",
        ToolStep("calculator", {"expression": "14.50*4"}),
        "Four pizzas cost 58.",
        "What if I add a 15% tip on top of that?",
        "58*1.15",
        F("14.50") * 4 * F(115, 100),
    ),
    (
        "How many minutes are there in two and a half hours?",
        ToolStep("calculator", {"expression": "2.5*60"}),
        "Two and a half hours are 150 minutes.",
        "And how many seconds is that?",
        "150*60",
        F(5, 2) * 60 * 60,
    ),
    (
        "What's 15% of 240?",
        ToolStep("calculator", {"expression": "240*15/100"}),
        "15% of 240 is 36.",
        "Take that away from 240.",
        "240 - 36",
        240 - F(240 * 15, 100),
    ),
    (
        "I earn 18.75 an hour and work 36 hours a week. What's my weekly pay?",
        ToolStep("calculator", {"expression": "18.75*36"}),
        "Your weekly pay is 675.",
        "How much is that over a 52-week year?",
        "675*52",
        F("18.75") * 36 * 52,
    ),
    (
        "What is 2 to the power of 10?",
        ToolStep("calculator", {"expression": "2^10"}),
        "2 to the power of 10 is 1024.",
        "And the square root of that?",
        "sqrt(1024)",
        F(2**5),
    ),
    (
        "My rent is 1,150 a month. How much is that per year?",
        ToolStep("calculator", {"expression": "1150*12"}),
        "That is 13,800 a year.",
        "Split evenly between three flatmates?",
        "13800/3",
        F(1150 * 12, 3),
    ),
    (
        "How much is a quarter of 360?",
        ToolStep("calculator", {"expression": "360/4"}),
        "A quarter of 360 is 90.",
        "And three quarters?",
        "360*3/4",
        F(360 * 3, 4),
    ),
    (
        "What mileage rate does Brackenridge pay for driving your own car?",
        ToolStep("search_documents", {"query": "Brackenridge mileage rate per mile"}),
        "Brackenridge pays 0.45 pounds per mile [1].",
        "So how much do I get back for 120 miles?",
        "120*0.45",
        120 * F("0.45"),
    ),
)


def follow_up_tasks(count: int) -> list[Task]:
    """Two turns on one thread (held out): the second question depends on the first, and the second answer
    must hold the exact result."""
    return [
        Task(
            id=f"follow_ups-{index + 1:02d}",
            suite="follow_ups",
            question=follow_up,
            expect=Expectation(number=value),
            solution=(ToolStep("calculator", {"expression": expression}),),
            reference_answer=f"That gives {format_number(value)}.",
            earlier=(Turn(first, (first_step,), first_answer),),
        )
        for index, (first, first_step, first_answer, follow_up, expression, value) in enumerate(
            _FOLLOW_UPS[:count]
        )
    ]


# ------------------------------------------------------------------------------------------ building


def build_tasks(
    suites: Iterable[str] | None = None, *, seed: int = 0, limit: int | None = None
) -> list[Task]:
    """The tasks of ``suites`` (default: all, in ``SUITES`` order); the same arguments give the same tasks.

    Each generated suite draws from its own generator seeded with ``(seed, suite)``, so adding a suite to
    a run never changes another suite's numbers.
    """
    chosen = list(dict.fromkeys(suites or SUITES))
    unknown = [name for name in chosen if name not in SUITES]
    if unknown:
        raise ValueError(f"unknown suite {unknown[0]!r}: choose from {', '.join(SUITES)}")
    if limit is not None and limit < 1:
        raise ValueError("limit must be at least 1")
    tasks: list[Task] = []
    for suite in SUITES:
        if suite not in chosen:
            continue
        count = limit or DEFAULT_SIZES[suite]
        rng = random.Random(f"{seed}:{suite}")  # noqa: S311 - reproducible task numbers, not secrets
        if suite == "arithmetic":
            tasks += arithmetic_tasks(rng, count)
        elif suite == "documents":
            tasks += document_tasks(count)
        elif suite == "tool_choice":
            tasks += tool_choice_tasks(count)
        elif suite == "small_talk":
            tasks += small_talk_tasks(count)
        elif suite == "two_step":
            tasks += two_step_tasks(rng, count)
        elif suite == "unseen_documents":
            tasks += unseen_document_tasks(count)
        elif suite == "word_problems":
            tasks += word_problem_tasks(count)
        elif suite == "lookup_compute":
            tasks += lookup_compute_tasks(count)
        elif suite == "follow_ups":
            tasks += follow_up_tasks(count)
        else:
            tasks += failure_tasks(count)
    return tasks
