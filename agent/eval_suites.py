"""The eval's task suites and the rules that judge an answer.

Each task carries its question, what a right answer must show (``Expectation``) and a known solution
(the tool calls that solve it and a reference answer), so a scripted "oracle" can replay it in tests.
Generated suites (``arithmetic``, ``two_step``) draw their numbers from a seeded ``random.Random``, and
their answers are computed with ``fractions.Fraction``: the same seed always gives the same tasks and the
exact expected numbers. The ``documents`` and ``two_step`` questions are about the made-up documents in
``agent/eval_data`` (nothing a model could know beforehand).
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


SUITES: tuple[str, ...] = tuple(suite.value for suite in Suite)

DEFAULT_SIZES = {
    "arithmetic": 10,
    "documents": 6,
    "tool_choice": 6,
    "small_talk": 6,
    "two_step": 6,
    "unseen_documents": 12,
    "failures": 3,
}
"""Tasks per suite when no ``limit`` is given."""


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
    if expect.number is not None and expect.number not in numbers_in(answer):
        return Verdict(False, f"{format_number(expect.number)} not in the answer")
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
# changelog and an HTML page (agent/eval_data), each fact stated in one sentence the question paraphrases.
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
        else:
            tasks += failure_tasks(count)
    return tasks
