"""The embedded profile's rules: which tool to call first, with which arguments, and how to answer.

A 270M *base* model cannot plan by itself (it picks the right first tool for 8 of 32 simple questions,
``bench/routing.py --routing model`` in docs/benchmarks.md), so the graph plans its steps
(:mod:`graphs.planning.local`), layered, cheapest and surest first:

1. **Fast path**: a question that is nothing but arithmetic ("what is twelve times 12?") goes to the
   calculator with an expression built by :func:`words_to_expression`, without a model call.
2. **Cues**: phrases that settle the intent on their own ("according to my notes", "latest news",
   "thanks!") score it directly.
3. **Embeddings**: the question is compared with prototype sentences per intent (written here, never the
   benchmark's questions) using the packaged MiniLM (``agent.embeddings.loading.local_embeddings``).
4. **The model**, only when none of the above decides (or the bound tools are not the built-in ones):
   its calibrated choice among the tool names, then the arguments under the tool's JSON-schema grammar
   (``ChatLocalLlama.rank_tools`` and ``tool_arguments``).

Everything here is pure and model-free except :class:`IntentRouter`, which uses the embeddings lazily.
"""

from __future__ import annotations

import ast
import logging
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from tools.calculator import CalculatorError, calculate

logger = logging.getLogger(__name__)

Intent = Literal["calculator", "web_search", "search_documents", "answer"]
INTENTS: tuple[Intent, ...] = ("calculator", "web_search", "search_documents", "answer")
ANSWER: Intent = "answer"

# --------------------------------------------------------------------------------------------------
# Words to arithmetic expression
# --------------------------------------------------------------------------------------------------
# Hand-written rather than a dependency (text2num, word2number): English cardinals and a few dozen
# arithmetic phrasings are all we need, and the project's dependency list is fixed.

_UNITS = {
    "zero": 0, "oh": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000, "trillion": 10**12}
_HALVES = {"half": 0.5, "quarter": 0.25}
_PARTS = {"halves": 2, "thirds": 3, "quarters": 4, "fifths": 5, "sixths": 6, "eighths": 8, "tenths": 10}


_NUMBER_WORDS = {*_UNITS, *_TENS, *_SCALES, "hundred", "dozen"}

_NUM = r"(-?\d+(?:\.\d+)?)"
_LIST = r"(-?\d+(?:\.\d+)?(?:\s*,\s*-?\d+(?:\.\d+)?)*\s*,?\s*(?:and|&)\s+-?\d+(?:\.\d+)?)"

# Words that may surround an arithmetic question without making it anything else.
_FILLER = frozenset(
    [
        "what",
        "whats",
        "is",
        "are",
        "was",
        "how",
        "much",
        "many",
        "calculate",
        "compute",
        "evaluate",
        "convert",
        "work",
        "out",
        "solve",
        "please",
        "pls",
        "can",
        "could",
        "would",
        "you",
        "tell",
        "me",
        "the",
        "answer",
        "to",
        "result",
        "of",
        "equals",
        "equal",
        "does",
        "do",
        "give",
        "i",
        "need",
        "quick",
        "question",
        "math",
        "maths",
        "value",
        "find",
        "get",
        "hey",
        "hi",
        "so",
        "ok",
        "okay",
        "now",
        "quickly",
        "exactly",
        "for",
        "us",
        "a",
        "an",
        "it",
        "this",
        "that",
        "be",
        "will",
        "number",
        "figure",
        "let's",
        "lets",
        "know",
        "want",
        "like",
        "help",
        "with",
        "simple",
        "sum",
        "total",
        "in",
    ]
)

# Phrase rewrites applied in order once numbers are digits. Each maps a phrasing to operators.
_REWRITES: tuple[tuple[str, str | Callable[[re.Match[str]], str]], ...] = (
    (r"\bnegative\s+" + _NUM, r"(-\1)"),
    (r"(?:the\s+)?square\s+root\s+of\s+" + _NUM, r"sqrt(\1)"),
    (_NUM + r"\s*(?:%|percent|per\s*cent)\s+of\s+" + _NUM, r"(\1*\2/100)"),
    (_NUM + r"\s+squared\b", r"(\1**2)"),
    (_NUM + r"\s+cubed\b", r"(\1**3)"),
    (
        _NUM
        + r"\s+(?:to\s+the\s+power\s+of|raised\s+to(?:\s+the\s+power\s+of)?|to\s+the)\s+"
        + _NUM
        + r"(?:\s*(?:st|nd|rd|th)?\s+power)?",
        r"(\1**\2)",
    ),
    # a part as a percentage of a whole: "what percent of 80 is 20", "20 is what percentage of 80"
    (r"\bwhat\s+(?:percent(?:age)?|per\s*cent|%)\s+of\s+" + _NUM + r"\s+is\s+" + _NUM, r"(\2/\1*100)"),
    (_NUM + r"\s+is\s+what\s+(?:percent(?:age)?|per\s*cent|%)\s+of\s+" + _NUM, r"(\1/\2*100)"),
    (r"\bwhat\s+(?:percent(?:age)?|per\s*cent|%)\s+is\s+" + _NUM + r"\s+of\s+" + _NUM, r"(\1/\2*100)"),
    (_NUM + r"\s+(?:as\s+a\s+|in\s+)(?:percent(?:age)?|per\s*cent)\s+of\s+" + _NUM, r"(\1/\2*100)"),
    # a fraction asked in another form: "3/8 as a decimal", "7/20 as a percentage"
    (
        _NUM + r"\s*/\s*" + _NUM + r"\s+(?:as|in|to|into)\s+(?:a\s+)?decimals?(?:\s+(?:form|number))?",
        r"(\1/\2)",
    ),
    (
        _NUM + r"\s*/\s*" + _NUM + r"\s+(?:as|in|to|into)\s+(?:a\s+)?(?:percent(?:age)?|per\s*cent|%)",
        r"(\1/\2*100)",
    ),
    (_NUM + r"\s*/\s*" + _NUM + r"\s+of\s+(?:an?\s+)?" + _NUM, r"(\1/\2*\3)"),  # "3/8 of 240"
    (
        _NUM + r"\s+(" + "|".join(_PARTS) + r")\s+of\s+(?:an?\s+)?" + _NUM,
        lambda m: f"({m[1]}/{_PARTS[m[2].lower()]}*{m[3]})",  # "two thirds of 90"
    ),
    (r"\bhalf\s+of\s+" + _NUM, r"(\1/2)"),
    (r"\b(?:a|one)\s+third\s+of\s+" + _NUM, r"(\1/3)"),
    (r"\b(?:a|one)\s+quarter\s+of\s+" + _NUM, r"(\1/4)"),
    (r"\b(?:double|twice)\s+" + _NUM, r"(2*\1)"),
    (r"\b(?:triple|thrice)\s+" + _NUM, r"(3*\1)"),
    (
        r"\b(?:the\s+)?sum\s+of\s+(?:all\s+)?(?:the\s+)?(?:whole\s+|natural\s+|positive\s+)?(?:numbers|integers)"
        r"\s+(?:from\s+)?" + _NUM + r"\s+(?:to|through|up\s+to|and)\s+" + _NUM,
        r"((\1+\2)*(\2-\1+1)/2)",
    ),
    (r"\b(?:the\s+)?(?:average|mean)\s+of\s+" + _LIST, lambda m: _join_list(m.group(1), "+", average=True)),
    (r"\b(?:the\s+)?sum\s+of\s+" + _LIST, lambda m: _join_list(m.group(1), "+")),
    (r"\badd(?:\s+up)?\s+" + _LIST, lambda m: _join_list(m.group(1), "+")),
    (r"\badd\s+" + _NUM + r"\s+to\s+" + _NUM, r"(\2+\1)"),
    (r"\b(?:the\s+)?product\s+of\s+" + _LIST, lambda m: _join_list(m.group(1), "*")),
    (r"\bmultiply\s+" + _LIST, lambda m: _join_list(m.group(1), "*")),
    (r"\bmultiply\s+" + _NUM + r"\s+(?:by|with)\s+" + _NUM, r"(\1*\2)"),
    (r"\b(?:subtract|take(?:\s+away)?|deduct)\s+" + _NUM + r"\s+from\s+" + _NUM, r"(\2-\1)"),
    (r"\b(?:the\s+)?difference\s+between\s+" + _NUM + r"\s+and\s+" + _NUM, r"(\1-\2)"),
    (r"\bdivide\s+" + _NUM + r"\s+(?:by|into)\s+" + _NUM, r"(\1/\2)"),
    (r"\b(?:the\s+)?quotient\s+of\s+" + _NUM + r"\s+(?:and|by)\s+" + _NUM, r"(\1/\2)"),
    (r"\b(?:the\s+)?remainder\s+(?:of|when)\s+" + _NUM + r"\s+(?:is\s+)?divided\s+by\s+" + _NUM, r"(\1%\2)"),
    (_NUM + r"\s+(?:mod|modulo)\s+" + _NUM, r"(\1%\2)"),
    (r"\b(?:multiplied\s+by|times)\b", "*"),
    (r"(?<=\d)\s*[x×]\s*(?=[\d(-])", "*"),
    (r"\bdivided\s+by\b|\bover\b|÷", "/"),
    (r"\b(?:plus|added\s+to|and\s+then\s+add)\b", "+"),
    (r"\b(?:minus|less)\b|−", "-"),
    (r"\^", "**"),
)
_COMPILED_REWRITES = tuple((re.compile(p, re.IGNORECASE), r) for p, r in _REWRITES)
_EXPRESSION_RUN = re.compile(r"(?:sqrt\(|[\d.+\-*/%()\s])+")
_ALLOWED_FUNCTIONS = frozenset({"sqrt"})
_ARITHMETIC_NODES = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.operator, ast.unaryop, ast.Name, ast.Load)


@dataclass(frozen=True)
class Arithmetic:
    """An arithmetic expression found in a question."""

    expression: str
    """Calculator syntax: digits, ``+ - * / % **``, parentheses and ``sqrt(...)``."""
    pure: bool
    """True when the question holds nothing else (only filler words around it): safe to skip the model."""


def _join_list(numbers: str, op: str, *, average: bool = False) -> str:
    items = [item for item in re.split(r"\s*(?:,|\band\b|&)\s*", numbers) if item.strip()]
    joined = op.join(item.strip() for item in items)
    return f"(({joined})/{len(items)})" if average else f"({joined})"


def _format_number(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)


def number_words_to_digits(text: str) -> str:
    """Replace English cardinals ("one hundred and twenty-five", "3 thousand", "two point five") by digits."""
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)  # 1,234 -> 1234
    # a code of letters then digits ("A4 paper", "MP3") is a name, not a number: one token
    tokens = re.findall(
        r"(?<![A-Za-z\d])(?![xX]\d)[A-Za-z]+\d[A-Za-z\d]*(?![\w.])|\d+(?:\.\d+)?|[A-Za-z]+(?:'[a-z]+)?|\*\*"
        r"|[^\sA-Za-z\d]",
        text.replace("-", " - "),
    )
    out: list[str] = []
    i = 0
    while i < len(tokens):
        if idiom := _one_idiom(tokens, i):  # "one-to-one tutoring", "a one-off fee": not the number 1
            out.append("".join(tokens[i : i + idiom]))
            i += idiom
            continue
        value, used = _read_number(tokens, i)
        if used:
            out.append(_format_number(value))
            i += used
        else:
            out.append(tokens[i])
            i += 1
    joined = " ".join(out)
    # "twenty - five" was a hyphenated word: _read_number consumed it; other " - " are minus signs.
    return re.sub(r"\s+([?.,!])", r"\1", joined)


def _one_idiom(tokens: list[str], start: int) -> int:
    """How many tokens from ``start`` spell "one-to-one", "one-on-one", "one-way", "one-off" or "one-time"
    (0: none)."""
    words = [token.lower() for token in tokens[start : start + 5]]
    if words[:3] in (["one", "-", "to"], ["one", "-", "on"]) and words[3:5] == ["-", "one"]:
        return 5
    return 3 if words[:2] == ["one", "-"] and words[2:3] in (["way"], ["off"], ["time"]) else 0


def _read_number(tokens: list[str], start: int) -> tuple[float, int]:
    """The number spelled from ``tokens[start]`` on, and how many tokens it used (0: none)."""
    total = 0.0
    current = 0.0
    seen = False
    last = ""  # category of the last number word: unit, teen, tens, hundred, scale, digit
    i = start
    while i < len(tokens):
        word = tokens[i].lower()
        nxt = tokens[i + 1].lower() if i + 1 < len(tokens) else ""
        if re.fullmatch(r"\d+(?:\.\d+)?", word) and not seen:
            current, last, seen = float(word), "digit", True
        elif word == "a" and not seen and nxt in {"hundred", "thousand", "million", "billion", "dozen"}:
            current, last, seen = 1.0, "unit", True
        elif (
            word in _UNITS
            and last in {"", "tens", "hundred", "scale"}
            and not (last == "tens" and _UNITS[word] >= 10)
        ):
            current += _UNITS[word]
            last, seen = ("teen" if _UNITS[word] >= 10 else "unit"), True
        elif word in _TENS and last in {"", "hundred", "scale"}:
            current += _TENS[word]
            last, seen = "tens", True
        elif word == "hundred" and last in {"unit", "teen", "tens", "digit"} and current < 100:
            current *= 100
            last = "hundred"
        elif word == "dozen" and seen and last in {"unit", "digit"}:
            current *= 12
            last = "scale"
        elif word in _SCALES and last in {"unit", "teen", "tens", "hundred", "digit"}:
            total += current * _SCALES[word]
            current, last = 0.0, "scale"
        elif word == "-" and last == "tens" and nxt in _UNITS and _UNITS[nxt] < 10:
            pass  # twenty-five
        elif word == "and" and last in {"hundred", "scale"} and (nxt in _UNITS or nxt in _TENS):
            pass  # one hundred and five
        elif word == "and" and seen and last in {"unit", "teen", "tens", "digit"} and nxt == "a":
            fraction = _HALVES.get(tokens[i + 2].lower() if i + 2 < len(tokens) else "")
            if fraction is None:
                break
            return total + current + fraction, i + 3 - start  # "three and a half"
        elif word == "point" and seen and last in {"unit", "teen", "tens", "digit"} and nxt in _UNITS:
            decimals = ""
            j = i + 1
            while j < len(tokens) and tokens[j].lower() in _UNITS and _UNITS[tokens[j].lower()] < 10:
                decimals += str(_UNITS[tokens[j].lower()])
                j += 1
            return total + current + float("0." + decimals), j - start
        else:
            break
        i += 1
    if not seen:
        return 0.0, 0
    while i > start and tokens[i - 1].lower() in {"and", "-"}:
        i -= 1
    return total + current, i - start


def is_arithmetic(expression: str) -> bool:
    """Whether ``expression`` parses as plain arithmetic (numbers, operators, sqrt). Parsed, never run."""
    try:
        tree = ast.parse(expression, mode="eval")
    except (SyntaxError, ValueError):
        return False
    has_operation = False
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp | ast.Call):
            has_operation = True
        if isinstance(node, ast.Call):
            if not (isinstance(node.func, ast.Name) and node.func.id in _ALLOWED_FUNCTIONS) or node.keywords:
                return False
        elif isinstance(node, ast.Constant):
            if not isinstance(node.value, int | float) or isinstance(node.value, bool):
                return False
        elif not isinstance(node, _ARITHMETIC_NODES) or (
            isinstance(node, ast.Name) and node.id not in _ALLOWED_FUNCTIONS
        ):
            return False
    return has_operation


def words_to_expression(question: str) -> Arithmetic | None:
    """The arithmetic in ``question`` as a calculator expression, or None when there is none.

    ``"What is twelve times 12?"`` -> ``Arithmetic("12*12", pure=True)``;
    ``"I bought 3 packs of 12 eggs, how many eggs times 2?"`` -> an expression, but ``pure=False``.
    """
    text = number_words_to_digits(question.strip())
    for pattern, replacement in _COMPILED_REWRITES:
        text = pattern.sub(replacement, text)
    best: tuple[str, int, int] | None = None
    for match in _EXPRESSION_RUN.finditer(text):
        candidate = match.group(0).strip()
        stripped = candidate.strip(" .")
        while stripped.count("(") > stripped.count(")") and stripped.startswith("("):
            stripped = stripped[1:].strip()
        if not re.search(r"\d", stripped) or not is_arithmetic(stripped):
            continue
        if best is None or len(stripped) > len(best[0]):
            best = (stripped, match.start(), match.end())
    if best is None:
        return None
    expression = _strip_outer_parentheses(re.sub(r"\s+", "", best[0]))
    rest = text[: best[1]] + " " + text[best[2] :]
    words = re.findall(r"[a-z']+", rest.lower())
    pure = all(word.replace("'", "") in _FILLER or word in _FILLER for word in words)
    return Arithmetic(expression=expression, pure=pure)


def _strip_outer_parentheses(expression: str) -> str:
    """``(2**10)`` -> ``2**10``; ``(1+2)*(3+4)`` stays as it is."""
    while expression.startswith("(") and expression.endswith(")"):
        depth = 0
        for index, char in enumerate(expression):
            depth += {"(": 1, ")": -1}.get(char, 0)
            if depth == 0 and index < len(expression) - 1:
                return expression
        expression = expression[1:-1]
    return expression


UNIT_CONSTANTS = frozenset(
    {"0.5", "1", "2", "3", "4", "7", "10", "12", "24", "52", "60", "100", "365", "1000", "3600"}
)
"""Numbers an expression may use without the question naming them (halves, weeks, hours, percent...)."""
_UNIT_VALUES = frozenset(Fraction(n) for n in UNIT_CONSTANTS)


def numbers_in(text: str) -> list[str]:
    """The quantities of ``text`` as digit strings, number words read as digits ("twelve" -> "12"); digits
    that are part of a name ("P4", "AX3", "F7") are no quantity."""
    in_names = Counter(re.findall(r"(?<=[^\W\d_])\d+|\d+(?=[^\W\d_])", text))
    quantities = []
    for number in re.findall(r"\d+(?:\.\d+)?", number_words_to_digits(text)):
        if in_names[number]:
            in_names[number] -= 1
        else:
            quantities.append(number)
    return quantities


def number_values(text: str) -> set[Fraction]:
    """The quantities ``text`` writes (:func:`numbers_in`), as values ("$1.80" and "1.8" are one)."""
    return {Fraction(n) for n in numbers_in(text)}


def expression_values(expression: str) -> set[Fraction]:
    """The numbers an expression writes, as values ("1.80" and "1.8" are one)."""
    return {Fraction(n) for n in re.findall(r"\d+(?:\.\d+)?", expression)}


_CONSTANT_CUES = {
    Fraction(n): re.compile(cue, re.IGNORECASE)
    for n, cue in {
        "0.5": r"\b(?:half|halve[sd]?)\b",
        "1": r".",
        "2": r"\b(?:double[sd]?|twice|two|half|halve[sd]?|pairs?|both|round[- ]?trips?|each\s+way|couple|twins?"
        r"|squared?|square\s+root|perimeter|rectangle|around|fenc\w*|border|frame|return|there\s+and\s+back)\b",
        "3": r"\b(?:triple[sd]?|thrice|thirds?|three|cubed?)\b",
        "4": r"\b(?:quarters?|four|perimeter|square|around|fenc\w*|border|frame)\b",
        "7": r"\b(?:weeks?|weekly)\b",
        "10": r"\b(?:ten|tenths?|decades?|mm|cm|millimet\w*|centimet\w*)\b",
        "12": r"\b(?:months?|monthly|years?|yearly|annual\w*|dozens?|inch\w*|foot|feet)\b",
        "24": r"\b(?:hours?|hourly|days?|daily)\b",
        "52": r"\b(?:weeks?|weekly|years?|yearly|annual\w*)\b",
        "60": r"\b(?:minutes?|mins?|hours?|hourly|seconds?|secs?)\b",
        "100": r"%|\b(?:percent\w*|per\s*cent|cents?|centimet\w*|cm|metres?|meters?)\b",
        "365": r"\b(?:days?|daily|years?|yearly|annual\w*)\b",
        "1000": r"\b(?:thousand|kilo\w*|km|kg|grams?|g|millilit\w*|ml|lit(?:re|er)s?|l|metres?|meters?|m|mm)\b",
        "3600": r"\b(?:hours?|seconds?)\b",
    }.items()
}
"""The words that explain a unit constant a calculation uses without the conversation writing it."""


def unexplained_numbers(expression: str, conversation: str) -> set[Fraction]:
    """The numbers of ``expression`` that ``conversation`` neither writes nor explains by a unit's word
    (``3`` in ``22.50*36*3`` for a weekly pay; ``1000`` is explained by "km")."""
    invented = expression_values(expression) - number_values(conversation)
    return {
        value
        for value in invented
        if value not in _CONSTANT_CUES or not _CONSTANT_CUES[value].search(conversation)
    }


_UNIT_WORDS = {
    unit: re.compile(words, re.IGNORECASE)
    for unit, words in {
        "second": r"\b(?:seconds?|secs?)\b",
        "minute": r"\b(?:minutes?|mins?)\b",
        "hour": r"\b(?:hours?|hourly|hrs?)\b",
        "day": r"\b(?:days?|daily)\b",
        "week": r"\b(?:weeks?|weekly)\b",
        "month": r"\b(?:months?|monthly)\b",
        "year": r"\b(?:years?|yearly|annual\w*)\b",
        "metre": r"\b(?:metres?|meters?|m)\b",
        "centimetre": r"\b(?:centimet\w*|cm)\b",
        "kilometre": r"\b(?:kilomet\w*|km)\b",
        "gram": r"\b(?:grams?|g)\b",
        "kilogram": r"\b(?:kilograms?|kilos?|kg)\b",
        "litre": r"\b(?:lit(?:re|er)s?|l)\b",
        "millilitre": r"\b(?:millilit\w*|ml)\b",
    }.items()
}
_CONVERSIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "7": (("day", "week"),),
    "12": (("month", "year"),),
    "24": (("hour", "day"),),
    "52": (("week", "year"),),
    "60": (("minute", "hour"), ("second", "minute")),
    "100": (("centimetre", "metre"),),
    "365": (("day", "year"),),
    "1000": (("metre", "kilometre"), ("gram", "kilogram"), ("millilitre", "litre")),
    "3600": (("second", "hour"),),
}
_WORD_CONSTANTS = {
    "0.5": r"\b(?:half|halve[sd]?)\b",
    "2": r"\b(?:double[sd]?|twice|half|halve[sd]?|pairs?|both|round[- ]?trips?|each\s+way|couple|twins?)\b",
    "3": r"\b(?:triple[sd]?|thrice|thirds?)\b",
    "4": r"\b(?:quarters?)\b",
    "12": r"\bdozens?\b",
    "100": r"%|\b(?:percent\w*|per\s*cent)\b",
    "1000": r"\bthousands?\b",
}


def explained_constants(text: str) -> set[Fraction]:
    """The constants ``text``'s words call for: a word's own (2 for "round trip", 100 for "%"), or the factor
    between two units it names both of (60 for "minutes" and "hours"; "each day" alone calls for none)."""
    named = {unit for unit, words in _UNIT_WORDS.items() if words.search(text)}
    constants = {
        Fraction(value) for value, pairs in _CONVERSIONS.items() if any({a, b} <= named for a, b in pairs)
    }
    return constants | {
        Fraction(value) for value, words in _WORD_CONSTANTS.items() if re.search(words, text, re.I)
    }


RELATING_CUES = re.compile(
    r"\b(?:twice|double|half|times|as\s+(?:many|much|far|long|old|tall|big)|more|less|fewer|each\s+other"
    r"|percent\w*|per\s*cent|fraction|share|ratio)\b|%",
    re.IGNORECASE,
)
"""Words that relate one quantity to another ("twice as far", "3 times as many", "what percentage"): a number
may then be written twice in the calculation ("4.5+4.5*2", "(30-18)/30*100")."""


def repeated_numbers(expression: str, conversation: str) -> set[Fraction]:
    """The numbers ``expression`` writes more often than ``conversation`` does (``38*38`` for one 38), unless
    the words ask for a power ("squared", "area of a square") or relate quantities (:data:`RELATING_CUES`)."""
    if re.search(r"\b(?:squared?|cubed?|power|area)\b", conversation, re.IGNORECASE) or RELATING_CUES.search(
        conversation
    ):
        return set()
    written = Counter(Fraction(n) for n in numbers_in(conversation))
    used = Counter(Fraction(n) for n in re.findall(r"\d+(?:\.\d+)?", expression))
    return {value for value, count in used.items() if written[value] and count > written[value]}


def without_repeated_tail(expression: str, conversation: str) -> str | None:
    """``expression`` less its last terms, as few as it takes to write no number more often than
    ``conversation`` does ("798/8*798" -> "798/8"); None when what is left computes nothing."""
    if "(" in expression:
        return None  # a repeat inside parentheses is no tail
    shorter = expression
    while repeated_numbers(shorter, conversation):
        cut = re.fullmatch(r"(.+?)\s*[-+*/]\s*\d+(?:\.\d+)?\s*", shorter)
        if cut is None:
            return None
        shorter = cut[1]
    return shorter if is_arithmetic(shorter) else None


def replaced_once(expression: str, number: str, replacement: str) -> str | None:
    """``expression`` with ``number`` (as written, never part of a longer one) replaced, when it is written there
    exactly once; None otherwise: which of two would a follow-up mean?"""
    pattern = rf"(?<![\d.]){re.escape(number)}(?![\d.])"
    if len(re.findall(pattern, expression)) != 1:
        return None
    return re.sub(pattern, replacement, expression)


def format_value(value: Fraction) -> str:
    """A value as an expression writes it: "2", "0.5", "1.609344" (exactly, when its decimals end)."""
    if value.denominator == 1:
        return str(value.numerator)
    places = next((places for places in range(1, 31) if (value * 10**places).denominator == 1), None)
    if places is None:
        return str(float(value))
    digits = str(abs(value.numerator) * 10**places // value.denominator).rjust(places + 1, "0")
    return f"{'-' if value < 0 else ''}{digits[:-places]}.{digits[-places:]}"


def grounded_in(expression: str, question: str) -> bool:
    """Whether every number in ``expression`` comes from ``question`` (or is a common unit constant).

    A small model asked for an expression when the question has no numbers invents some ("12*3" for
    "Good morning!"): such a call must not be made.
    """
    # compared as values: the question's "$1.80" is read as 1.8, and a call may write it either way
    numbers = expression_values(expression)
    given = number_values(question)
    return bool(numbers) and numbers <= given | _UNIT_VALUES and bool(given)


def combines(expression: str, question: str, passage: str) -> bool:
    """Whether ``expression`` uses a number of ``question`` and a number of ``passage`` (compared as values):
    a computation after a look-up combines the figure it looked up with the question's own quantity."""
    used = expression_values(expression)
    return bool(used & number_values(question)) and bool(used & number_values(passage))


SHARE_CUES = re.compile(
    r"\b(?:per|each|every|average|split|shared?|shares|divid\w*|how many\b.*\b(?:can|could)\b)", re.IGNORECASE
)
"""Words of a question that asks for a share or a rate ("per person", "split between", "how many can I buy")."""


_UNIT_FIGURE = re.compile(
    r"[$€£]?\d+(?:\.\d+)?\s*(?:[a-z]+\s+)?(?:per\s+[a-z]+|each|apiece|a\s+piece)\b", re.IGNORECASE
)
"""A figure given per unit ("1.80 per litre", "3 dollars each"): it describes a price or a rate, it does not
ask for a share."""


def figure_times_count(expression: str, question: str, passage: str) -> str | None:
    """``figure*count`` for a look-up's calculation that divides the figure looked up by the question's own
    count ("2.75/8" for 8 buns at 2.75 crowns each), when the question asks for no share or rate; None for any
    other expression.

    The adapter wrote the division for prices shown as a list item or a table row ("Cardamom bun: 2.75
    crowns"), measured on the two-step suite, the development look-ups and a fare table written as a user.
    A question of a number of things whose unit figure the documents give asks for the total; a share is
    asked for in words (:data:`SHARE_CUES`), and then the division stands.
    """
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)\s*", expression)
    if match is None or SHARE_CUES.search(_UNIT_FIGURE.sub(" ", question)):
        return None
    figure, count = match.groups()
    asked = number_values(question)
    if (
        Fraction(figure) in number_values(passage)
        and Fraction(figure) not in asked
        and Fraction(count) in asked
    ):
        return f"{figure}*{count}"
    return None


_ROUNDED = re.compile(r"(?P<way>ceil|floor)\((?P<inner>.*)\)")


def pretty_expression(expression: str) -> str:
    """``12*12`` -> ``12 × 12``, for answers people read."""
    text = re.sub(r"\*\*", "^", expression)
    text = re.sub(r"\s*([+\-*/%^])\s*", r" \1 ", text).replace("*", "×").replace("/", "÷")
    text = re.sub(r"\(\s*-\s*", "(-", text)
    text = re.sub(r"^\s*-\s*", "-", text)
    text = re.sub(r"\s*,\s*", ", ", text)  # min(3 × 6, 12)
    return re.sub(r"\s+", " ", text).strip()


# --------------------------------------------------------------------------------------------------
# Cues: phrases that settle an intent by themselves
# --------------------------------------------------------------------------------------------------

_DOC_NOUNS = (
    r"notes?|documents?|docs|files?|handbook|manual|guide|guidelines|policy|policies|report|reports|pdfs?"
    r"|papers?|slides|deck|contracts?|minutes|memo|spreadsheet|knowledge\s+base|uploads?|wiki|playbook"
    r"|readme|runbook|transcripts?|records|journal|diary|sources|library|thesis|book|syllabus"
    r"|(?:reading|shopping|to-?do|packing|task)\s+lists?|lists?|lease|spreadsheets?|worksheets?|lectures?"
)
_CUES: dict[Intent, tuple[re.Pattern[str], ...]] = {
    "search_documents": (
        re.compile(
            r"\b(?:the|this|that)\s+(?:\w+\s+)?(?:handbook|manual|playbook|runbook|syllabus|contract"
            r"|policy\s+document|attached|uploaded|ingested)\b",
            re.I,
        ),
        re.compile(r"\b(?:i|we)\s+(?:uploaded|ingested|shared|saved|added|gave\s+you|wrote\s+down)\b", re.I),
        # "what did I write down about...", "which recipe did we save": the same, asked
        re.compile(r"\bdid\s+(?:i|we)\s+(?:upload|ingest|share|save|add|write\s+down|note\s+down)\b", re.I),
        # "the spreadsheet I imported", "the notes we took": a document the user made or gave
        re.compile(
            rf"\b(?:{_DOC_NOUNS})\s+(?:that\s+)?(?:i|we)\s+(?:\w+ed|gave|sent|wrote|took|made|kept)\b", re.I
        ),
        re.compile(
            r"\b(?:in|from)\s+the\s+(?:\w+\s+)?(?:slides|spreadsheet|minutes|transcript|lease|syllabus)\b",
            re.I,
        ),
        re.compile(rf"\baccording\s+to\s+(?:my|our|the)\s+(?:\w+\s+)?(?:{_DOC_NOUNS})\b", re.I),
        re.compile(r"\b(?:in|from)\s+(?:my|our)\s+(?:files|documents|notes|knowledge\s+base)\b", re.I),
    ),
    "web_search": (
        re.compile(
            r"\b(?:latest|newest|news|headlines?|breaking|trending|upcoming|forecast|weather|stock\s+price"
            r"|share\s+price|exchange\s+rate|price\s+of|just\s+(?:announced|released|happened))\b",
            re.I,
        ),
        re.compile(
            r"\b(?:search|look\s+up|browse|check)\s+(?:the\s+)?(?:web|internet|online)\b|\bgoogle\b", re.I
        ),
    ),
    "answer": (
        re.compile(
            r"^\W*(?:hi|hello|hey|hiya|howdy|yo|greetings|good\s+(?:morning|afternoon|evening|night)"
            r"|thanks?|thank\s+you|thx|cheers|bye|goodbye|see\s+you|ok(?:ay)?|cool|great|nice|lol|haha)\b",
            re.I,
        ),
        re.compile(
            r"\b(?:how\s+are\s+you|how's\s+it\s+going|what's\s+up|who\s+are\s+you|what\s+are\s+you"
            r"|your\s+name|what\s+can\s+you\s+do|tell\s+me\s+a\s+joke|nice\s+to\s+meet|are\s+you\s+(?:a\s+)?"
            r"(?:bot|robot|human|real|ai))\b",
            re.I,
        ),
    ),
}


_WEAK_WEB_CUES = re.compile(
    r"\b(?:today|today's|tonight|yesterday|this\s+(?:week|weekend|morning|month|year)|right\s+now|currently"
    r"|current|at\s+the\s+moment|these\s+days|recent|recently|live|so\s+far\s+this|20[2-3]\d)\b",
    re.I,
)
"""Words about time: fresh facts often need them, but so does small talk ("I'm tired today")."""


def cue_intents(question: str) -> set[Intent]:
    """The intents whose cue phrases occur in ``question``. "My notes", "our contract" name the user's documents,
    except in a question that states its own prices to compute with ("My phone contract is 24 months at $35 a
    month and I've paid 8. How much is left to pay?")."""
    intents = {intent for intent, patterns in _CUES.items() if any(p.search(question) for p in patterns)}
    possessed = _POSSESSED_DOCUMENT.search(question)
    states_prices = len(numbers_in(question)) >= 2 and _PRICE_STATED.search(question)
    if possessed and not (states_prices and possessed["noun"].lower() in _THINGS_TOO):
        intents.add("search_documents")
    return intents


_POSSESSED_DOCUMENT = re.compile(rf"\b(?:my|our)\s+(?:own\s+)?(?:\w+\s+)?(?P<noun>{_DOC_NOUNS})\b", re.I)
""""My notes", "our phone contract": a document of the user's, or a thing a word problem is about."""
_THINGS_TOO = frozenset(
    {"contract", "contracts", "lease", "book", "report", "reports", "list", "lists", "journal", "diary", "records",
     "minutes", "deck", "library"}
)  # fmt: skip
"""Things of the user's that are not only documents: "my phone contract", "my book", "my shopping list"."""
_PRICE_STATED = re.compile(r"[$€£¥]\s*\d|\d\s*(?:dollars?|euros?|pounds?|bucks)\b", re.I)


def weak_cue_intents(question: str) -> set[Intent]:
    """Intents hinted at, less surely than by :func:`cue_intents`."""
    return {"web_search"} if _WEAK_WEB_CUES.search(question) else set()


# --------------------------------------------------------------------------------------------------
# Prototype sentences for embedding routing (deliberately not the benchmark's questions)
# --------------------------------------------------------------------------------------------------

PROTOTYPES: dict[Intent, tuple[str, ...]] = {
    "calculator": (
        "What is 7 times 8?",
        "Calculate 345 divided by 15.",
        "How much is two hundred plus three hundred and forty?",
        "What do you get if you multiply 19 by 23?",
        "Compute the square root of 81.",
        "What's 18 percent of 250?",
        "If I split 90 dollars among 4 people, how much does each pay?",
        "How many minutes are there in 6 hours?",
        "What is 3 to the power of 5?",
        "Add up 12, 45 and 7.",
        "Subtract 250 from 1000.",
        "A rectangle is 6 by 9 meters, what is its area?",
        "How much would 5 items at 3.50 each cost?",
        "What's the remainder when 100 is divided by 7?",
        "Convert 3 kilometers to meters.",
        "Work out 1,250 minus 375.",
    ),
    "web_search": (
        "What is the latest news about the economy?",
        "Who won the football match last night?",
        "What's the weather going to be like tomorrow in Paris?",
        "What is the current price of bitcoin?",
        "Did anything happen in the stock market today?",
        "Who is the current prime minister of Japan?",
        "When is the next election in Germany?",
        "What movies are showing in cinemas this weekend?",
        "Has the new phone been released yet?",
        "What are the results of yesterday's elections?",
        "Search the web for recent research on battery technology.",
        "What is the population of Canada now?",
        "What did the central bank decide about interest rates this month?",
        "Look up the opening hours of the British Museum.",
        "What are people saying about the new video game release?",
        "Is there a storm warning for Florida right now?",
        "What have researchers found out about the deep ocean?",
        "How far along is the construction of the new stadium?",
        "Which company bought the social network?",
        "Who is the head of the World Health Organization?",
        "What is the fastest land animal?",
        "How tall is the highest mountain in Africa?",
    ),
    "search_documents": (
        "What do my notes say about the project deadline?",
        "According to the handbook, how many vacation days do employees get?",
        "Find the section of my documents about onboarding.",
        "In the report I uploaded, what were the main conclusions?",
        "What does our policy say about expense reimbursements?",
        "Summarize what my meeting notes say about the budget.",
        "Which customer complaints are mentioned in my files?",
        "Check my documents for the warranty terms.",
        "What did I write about the trip to Lisbon in my journal?",
        "In the manual, how do I reset the device?",
        "What are the action items from the minutes I saved?",
        "Look through my knowledge base for the API rate limits.",
        "Per the contract I shared, when does the lease end?",
        "What does the employee guide say about remote work?",
        "Search my notes for the recipe ingredients.",
        "From the slides I ingested, what is the revenue target?",
    ),
    "answer": (
        "Hello there!",
        "Hi, how are you doing today?",
        "Thanks a lot, that was helpful.",
        "Good morning!",
        "Who are you?",
        "What can you help me with?",
        "Tell me a joke.",
        "Nice to meet you.",
        "Bye, talk to you later.",
        "How's your day going?",
        "You're awesome, thank you!",
        "What's your name?",
        "Can you chat with me for a bit?",
        "I'm feeling a bit bored.",
        "Okay, got it.",
        "Are you a robot?",
    ),
}

CUE_BONUS = 0.25
"""How much a cue phrase adds to an intent's embedding similarity (cosine, 0..1)."""
WEAK_CUE_BONUS = 0.1
"""What a weak cue adds."""
ARITHMETIC_BONUS = 0.2
"""What an arithmetic expression found in a question (not pure) adds to the calculator intent."""


@dataclass(frozen=True)
class Decision:
    """The router's choice for the first step of a turn."""

    intent: Intent | None
    """The intent, or None when the router cannot tell (the model decides)."""
    reason: str
    """``fast_path``, ``cues``, ``embeddings``, ``undecided``: for response metadata and the benchmark."""
    expression: str | None = None
    """The calculator expression, when one was found in the question."""
    scores: dict[str, float] | None = None


class IntentRouter:
    """Routes a question to an intent: fast path, cue phrases, then embeddings against :data:`PROTOTYPES`.

    ``embed`` maps texts to unit vectors; by default the packaged MiniLM through
    ``agent.embeddings.loading.local_embeddings`` (loaded on first use). When it cannot be loaded the router uses
    the cues alone and reports ``undecided`` otherwise.
    """

    def __init__(self, embed: Callable[[list[str]], list[list[float]]] | None = None) -> None:
        self._embed = embed
        self._lock = threading.Lock()
        self._prototype_vectors: dict[Intent, list[list[float]]] | None = None
        self._unavailable = False

    def _embedder(self) -> Callable[[list[str]], list[list[float]]] | None:
        if self._embed is None and not self._unavailable:
            try:
                from agent.embeddings.loading import local_embeddings

                self._embed = local_embeddings().embed_documents
            except Exception as error:  # any failure to load degrades to cues + model, never a crash
                logger.warning("intent routing without embeddings: %s", error)
                self._unavailable = True
        return self._embed

    def _similarities(self, question: str) -> dict[Intent, float] | None:
        embed = self._embedder()
        if embed is None:
            return None
        import numpy as np

        with self._lock:
            if self._prototype_vectors is None:
                flat = [(intent, text) for intent, texts in PROTOTYPES.items() for text in texts]
                vectors = embed([text for _, text in flat])
                grouped: dict[Intent, list[list[float]]] = {intent: [] for intent in PROTOTYPES}
                for (intent, _), vector in zip(flat, vectors, strict=True):
                    grouped[intent].append(vector)
                self._prototype_vectors = grouped
        query = np.asarray(embed([question])[0], dtype=np.float32)
        query /= np.linalg.norm(query) or 1.0
        scores: dict[Intent, float] = {}
        for intent, vectors in self._prototype_vectors.items():
            matrix = np.asarray(vectors, dtype=np.float32)
            matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
            sims = np.sort(matrix @ query)[::-1]
            scores[intent] = float(sims[:3].mean())  # mean of the 3 nearest prototypes: robust to one outlier
        return scores

    def most_similar(self, question: str, passages: dict[str, str]) -> str | None:
        """The key of the passage closest in meaning to ``question`` (None without embeddings)."""
        order = self.ranked(question, passages)
        return order[0] if order else None

    def similarities(self, question: str, texts: Sequence[str]) -> list[float] | None:
        """The closeness in meaning (cosine) of each of ``texts`` to ``question`` (None without embeddings)."""
        embed = self._embedder()
        if embed is None or not texts:
            return None if embed is None else []
        import numpy as np

        vectors = np.asarray(embed([question, *texts]), dtype=np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        return [float(value) for value in vectors[1:] @ vectors[0]]

    def ranked(self, question: str, passages: dict[str, str]) -> list[str] | None:
        """The keys of ``passages``, closest in meaning to ``question`` first (None without embeddings)."""
        embed = self._embedder()
        if embed is None or not passages:
            return None
        import numpy as np

        keys = list(passages)
        vectors = np.asarray(embed([question, *(passages[key] for key in keys)]), dtype=np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        order = np.argsort(-(vectors[1:] @ vectors[0]), kind="stable")
        return [keys[int(i)] for i in order]

    def route(self, question: str, *, use_embeddings: bool = True) -> Decision:
        """The intent for ``question``."""
        arithmetic = words_to_expression(question)
        expression = arithmetic.expression if arithmetic else None
        if arithmetic and arithmetic.pure:
            return Decision("calculator", "fast_path", expression)
        cues = cue_intents(question)
        if len(cues) == 1 and not arithmetic:  # one unambiguous cue: no need to embed anything
            return Decision(next(iter(cues)), "cues")
        weak = weak_cue_intents(question)
        similarities = self._similarities(question) if use_embeddings else None
        if similarities is None:
            cues = cues or weak
            if arithmetic:
                cues.add("calculator")
            if len(cues) == 1:
                return Decision(next(iter(cues)), "cues", expression)
            if not cues:
                return Decision(default_intent(question), "default", expression)
            return Decision(None, "undecided", expression)
        scores: dict[str, float] = {}
        for intent in INTENTS:
            score = similarities[intent] + (CUE_BONUS if intent in cues else 0.0)
            score += WEAK_CUE_BONUS if intent in weak else 0.0
            if intent == "calculator" and arithmetic:
                score += ARITHMETIC_BONUS
            scores[intent] = score
        best = max(INTENTS, key=lambda intent: scores[intent])
        return Decision(best, "embeddings", expression, scores)


_QUESTION_START = re.compile(
    r"^\W*(?:who|whom|whose|what|what's|which|when|where|why|how|is|are|was|were|do|does|did|can|could|will"
    r"|would|has|have|should|any)\b",
    re.I,
)


def default_intent(question: str) -> Intent:
    """The intent when nothing else decides (no cue, no embeddings): a question with numbers is arithmetic,
    another question needs fresh facts (a 270M model knows too little to answer it), and a statement is
    small talk. Better than the model's own choice, which is close to chance (see ``bench/routing.py``)."""
    if re.search(r"\d", number_words_to_digits(question)):
        return "calculator"
    if question.rstrip().endswith("?") or _QUESTION_START.search(question):
        return "web_search"
    return "answer"


_SHARED_ROUTER: IntentRouter | None = None
_SHARED_LOCK = threading.Lock()


def shared_router() -> IntentRouter:
    """The process-wide router over the packaged embeddings (prototypes are embedded once)."""
    global _SHARED_ROUTER
    with _SHARED_LOCK:
        if _SHARED_ROUTER is None:
            _SHARED_ROUTER = IntentRouter()
        return _SHARED_ROUTER


# --------------------------------------------------------------------------------------------------
# Arguments and answers from tool results
# --------------------------------------------------------------------------------------------------

_QUERY_PREFIXES = re.compile(
    r"^\s*(?:(?:hey|hi|ok(?:ay)?|so|please|quick\s+question)[,!.\s]+)*"
    r"(?:(?:can|could|would)\s+you\s+(?:please\s+)?|please\s+)?"
    r"(?:(?:search|check|look\s+(?:up|through|in|at)|find|google)\s+(?:the\s+(?:web|internet)\s+)?"
    r"(?:(?:my|our|the)\s+(?:\w+\s+)?(?:" + _DOC_NOUNS + r")\s+)?(?:for|about)?\s*)?"
    r"(?:according\s+to\s+(?:my|our|the)\s+(?:\w+\s+)?(?:" + _DOC_NOUNS + r")\s*,?\s*)?",
    re.I,
)


def search_query(question: str) -> str:
    """A search query from a question: the question minus requests to search and trailing punctuation."""
    query = _QUERY_PREFIXES.sub("", question).strip(" ?!.,\n\t")
    query = re.sub(r"\s+", " ", query)
    return query or question.strip()


def last_human_text(messages: Sequence[BaseMessage]) -> str:
    """The text of the latest human message ("" when there is none)."""
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            return message.text
    return ""


def previous_turn(messages: Sequence[BaseMessage]) -> tuple[str, Sequence[BaseMessage]] | None:
    """The previous turn's question and its messages (the question, its calls, results and answer), when
    the last message is a new question after it; None otherwise. What a follow-up is read against."""
    humans = [index for index, message in enumerate(messages) if isinstance(message, HumanMessage)]
    if len(humans) < 2 or humans[-1] != len(messages) - 1:
        return None
    return messages[humans[-2]].text, messages[humans[-2] : humans[-1]]


_PLURALS = {
    "people": "person",
    "persons": "person",
    "folks": "person",
    "heads": "person",
    "head": "person",
    "children": "child",
    "loaves": "loaf",
    "halves": "half",
    "shelves": "shelf",
    "leaves": "leaf",
    "knives": "knife",
    "lives": "life",
    "scarves": "scarf",
    "wolves": "wolf",
    "calves": "calf",
    "wives": "wife",
    "thieves": "thief",
    "hooves": "hoof",
}


def singular(word: str) -> str:
    """A noun's singular, lower-cased, for comparing the words after numbers ("boxes" -> "box", "days" ->
    "day", "people" -> "person"); a plain reading of English plurals, enough for units and counted things."""
    word = word.lower()
    if word in _PLURALS:
        return _PLURALS[word]
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    return word[:-1] if word.endswith("s") and not word.endswith("ss") and len(word) > 3 else word


PERCENT = re.compile(
    r"(?<![\d.])(?P<percent>\d+(?:,\d{3})*(?:\.\d+)?)\s*(?:%|percent\b|per\s*cent\b)", re.IGNORECASE
)
"""A percentage as written ("15%", "8 percent", "2.5 per cent"), its number in the group ``percent``."""

DECIMAL = r"\d+(?:\.\d+)?"
"""A number as calculations and questions write it in digits: "12", "3.40"."""
WRITTEN_NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?"
"""A number as people write it, thousands separators allowed: "2,400", "3.40"."""
ONE_OPERATION = re.compile(rf"\s*({DECIMAL})\s*([*/])\s*({DECIMAL})\s*")
"""A calculation that multiplies or divides two numbers: ``45*12``, ``180/12``."""


def without_thousands_separators(text: str) -> str:
    """``text`` with "8,500" written 8500, as the calculator reads it."""
    return re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", text)


def previous_calculator_result(messages: Sequence[BaseMessage]) -> str | None:
    """The number the previous turn's last calculator call gave, when the last message is a new question."""
    previous = previous_turn(messages)
    if previous is None:
        return None
    results = [m for m in previous[1] if isinstance(m, ToolMessage) and m.name == "calculator"]
    value = results[-1].text.strip() if results and not is_error(results[-1]) else ""
    return value if re.fullmatch(rf"-?{DECIMAL}", value) else None


def on_exact_previous_result(expression: str, messages: Sequence[BaseMessage]) -> str:
    """``expression`` with the previous turn's last calculator result, where it writes that result and the
    result was shown rounded (52000/12 as 4333.33333333333), written as the calculation that gave it: "if I get
    a 3% raise?" is ``(52000/12)*(1+3/100)``, exactly 4463.33..., not 4463.3333333333299."""
    previous = previous_turn(messages)
    shown = previous_calculator_result(messages)
    if previous is None or shown is None:
        return expression
    written = rf"(?<![\d.]){re.escape(shown)}(?![\d.])"
    if not re.search(written, expression):
        return expression  # the calculation need not be checked: the result is not used
    calls = [
        call
        for message in previous[1]
        if isinstance(message, AIMessage)
        for call in message.tool_calls
        if call["name"] == "calculator"
    ]
    calculation = next(iter(calls[-1]["args"].values()), None) if calls else None
    if not isinstance(calculation, str):
        return expression
    try:
        if calculate(f"({calculation})-({shown})") == "0":
            return expression  # shown exactly
    except CalculatorError:
        return expression
    return re.sub(written, f"({calculation})", expression)


def previous_question_and_result(messages: Sequence[BaseMessage]) -> tuple[str, str] | None:
    """The previous turn's question and the number its last calculator call gave, when that number is not
    negative (an amount a follow-up carries on: a price, a distance, a weekly figure); else None."""
    previous = previous_turn(messages)
    result = previous_calculator_result(messages)
    if previous is None or result is None or result.startswith("-"):
        return None
    return previous[0], result


def states_a_number_of(argument: str, question: str) -> bool:
    """Whether ``argument`` is a bare number that ``question`` states (in digits or words: "two dozen" is 24)."""
    return bool(re.fullmatch(DECIMAL, argument.strip())) and Fraction(argument) in number_values(question)


def pending_tool_results(messages: Sequence[BaseMessage]) -> list[tuple[dict[str, Any], ToolMessage]]:
    """The tool calls of the latest AI message, paired with their results, when the model must now answer
    from them: the transcript ends with the results, or with human messages right after them (a request
    to revise a draft that was taken back out). Empty otherwise.
    """
    end = len(messages)
    while end and isinstance(messages[end - 1], HumanMessage):
        end -= 1
    if not end or not isinstance(messages[end - 1], ToolMessage):
        return []
    results: dict[str, ToolMessage] = {}
    for message in reversed(messages[:end]):
        if isinstance(message, ToolMessage):
            results[message.tool_call_id] = message
        elif isinstance(message, AIMessage):
            calls: list[dict[str, Any]] = [dict(call) for call in message.tool_calls]
            return [(call, results[str(call["id"])]) for call in calls if call.get("id") in results]
        else:
            break
    return [({"name": m.name or "tool", "args": {}, "id": m.tool_call_id}, m) for m in results.values()]


def revision_attempt(messages: Sequence[BaseMessage]) -> int:
    """How many requests follow the turn's tool results (0 for a first draft): each one asked for another
    draft, which should then be drawn from other material (another passage, another sentence)."""
    end = len(messages)
    while end and isinstance(messages[end - 1], HumanMessage):
        end -= 1
    return len(messages) - end if end and isinstance(messages[end - 1], ToolMessage) else 0


def question_of_turn(messages: Sequence[BaseMessage]) -> str:
    """The human message that started the current turn: the last one before its tool calls, if any."""
    return last_human_text(conversation_of_turn(messages))


def conversation_of_turn(messages: Sequence[BaseMessage]) -> Sequence[BaseMessage]:
    """The messages up to the human message that started the current turn, that one included: what its
    first step saw."""
    end = len(messages)
    while end and isinstance(messages[end - 1], HumanMessage) and pending_tool_results(messages[:end]):
        end -= 1  # skip requests to revise that follow the turn's tool results
    while end and not isinstance(messages[end - 1], HumanMessage):
        end -= 1
    return messages[:end]


def turn_tool_results(messages: Sequence[BaseMessage]) -> list[tuple[dict[str, Any], ToolMessage]]:
    """Every tool call of the current turn paired with its result, in order (the steps before the pending
    results too); empty when the turn's latest step is not tool results."""
    end = len(messages)
    while end and isinstance(messages[end - 1], HumanMessage):
        end -= 1
    steps: list[list[tuple[dict[str, Any], ToolMessage]]] = []
    while end and isinstance(messages[end - 1], ToolMessage):
        step = pending_tool_results(messages[:end])
        if not step:
            break
        steps.insert(0, step)
        while end and isinstance(messages[end - 1], ToolMessage):
            end -= 1
        caller = messages[end - 1] if end else None
        if not (isinstance(caller, AIMessage) and caller.tool_calls):
            break
        end -= 1  # the message that called them
    return [pair for step in steps for pair in step]


WEB_TOOL = "web_search"
DOCUMENTS_TOOL = "search_documents"


def documents_fallback(messages: Sequence[BaseMessage], bound: Sequence[str]) -> str | None:
    """The query for ``search_documents`` when a web search of this turn just failed and the user's documents
    were not searched yet (None otherwise): with search offline (tests, many users' machines) a question the
    user's own documents can answer must still reach them. The query is the web search's."""
    pending = pending_tool_results(messages)
    if not pending or DOCUMENTS_TOOL not in bound:
        return None
    if any(call.get("name") == DOCUMENTS_TOOL for call, _ in turn_tool_results(messages)):
        return None
    failed = [call for call, result in pending if call.get("name") == WEB_TOOL and is_error(result)]
    if not failed or len(failed) != len(pending):
        return None
    query = str(failed[0].get("args", {}).get("query") or "").strip()
    return query or search_query(question_of_turn(messages))


def is_fallback_search(call: dict[str, Any], earlier: Sequence[tuple[dict[str, Any], ToolMessage]]) -> bool:
    """Whether ``call`` is the documents search :func:`documents_fallback` made after a failed web search."""
    return call.get("name") == DOCUMENTS_TOOL and any(
        c.get("name") == WEB_TOOL and is_error(r) for c, r in earlier
    )


def result_titles(results: Sequence[ToolMessage]) -> dict[str, str]:
    """The title of each numbered passage's document, where the tool kept one in its artifact (``title``)."""
    titles: dict[str, str] = {}
    for result in results:
        if isinstance(result.artifact, list):
            for item in result.artifact:
                if isinstance(item, dict) and "n" in item and isinstance(item.get("title"), str):
                    titles.setdefault(str(item["n"]), item["title"])
    return titles


def result_passages(results: Sequence[ToolMessage]) -> dict[str, str]:
    """The numbered passages of tool results (``{"1": text}``, in order): each passage's text as the tool
    kept it in its artifact (``[{"n", "text", ...}]``: lines, lists and tables intact), else as quoted in
    its content. Only passages the content numbers count: the model was shown those."""
    passages: dict[str, str] = {}
    for result in results:
        kept: dict[str, str] = {}
        if isinstance(result.artifact, list):
            for item in result.artifact:
                if isinstance(item, dict) and "n" in item and isinstance(item.get("text"), str):
                    kept[str(item["n"])] = item["text"]
        for number, text in source_passages(result.text).items():
            passages.setdefault(number, kept.get(number) or text)
    return passages


def is_error(result: ToolMessage) -> bool:
    """Whether a tool result says the tool could not do its job."""
    return result.status == "error" or result.text.lower().startswith(("error", "invalid", "unknown tool"))


def calculator_answer(expression: str, result: str) -> str:
    """The answer for a calculator result; it contains ``result`` verbatim."""
    if rounded := _ROUNDED.fullmatch(expression.strip()):  # "23 ÷ 2.2 rounded up is 11."
        way = "up" if rounded["way"] == "ceil" else "down"
        return f"{pretty_expression(rounded['inner'])} rounded {way} is {result.strip()}."
    shown = pretty_expression(expression)
    return f"{result.strip()}." if shown == result.strip() else f"{shown} = {result.strip()}."


SOURCE_NUMBER = re.compile(r"^\s*\[(\d+)\]", re.M)


FAILED_ACTIONS = {"web_search": "search the web", "search_documents": "search your documents"}
"""What the user was denied when a tool failed, in plain words (other tools: "use <name>")."""


def failure_reason(text: str) -> str:
    """The reason in a tool's error answer: its first line without ``Error:`` and without the advice to
    the model that may follow it ("Fix the arguments and call again...")."""
    first = text.strip().splitlines()[0] if text.strip() else ""
    first = re.sub(r"^\s*error\s*:\s*", "", first, flags=re.I).strip().rstrip(".")
    return first or "it did not say why"


def failure_sentence(call: dict[str, Any], result: ToolMessage) -> str:
    """What could not be done, in plain words for the user, with the tool's reason (never its advice)."""
    name = str(call.get("name") or result.name or "tool")
    reason = failure_reason(result.text)
    if name == "calculator":
        expression = str(call.get("args", {}).get("expression", "")).strip()
        return f"I could not calculate {expression or 'that'}: {reason}."
    action = FAILED_ACTIONS.get(name, f"use {name}")
    return f"I could not {action}, so I cannot check this: {reason}."


def failure_note(call: dict[str, Any], result: ToolMessage) -> str:
    """What could not be done and why, for an answer that goes on to say what another tool found ("I could
    not search the web: it is offline. Your documents say: ...")."""
    name = str(call.get("name") or result.name or "tool")
    return f"I could not {FAILED_ACTIONS.get(name, f'use {name}')}: {failure_reason(result.text)}."


def split_results(calls: Iterable[tuple[dict[str, Any], ToolMessage]]) -> tuple[list[str], list[ToolMessage]]:
    """Sentences written without the model, and the results the model must read to answer.

    Calculator results become sentences that quote them exactly (the 270M model garbles the numbers it
    copies); a tool that failed becomes a sentence saying in plain words what could not be done and why
    (:func:`failure_sentence`); so do messages without numbered sources ("no passage is relevant"):
    quoting them is more faithful than a small model's paraphrase. Results with numbered sources ``[n]``
    are left for the model.
    """
    sentences: list[str] = []
    for_model: list[ToolMessage] = []
    for call, result in calls:
        text = result.text.strip()
        if is_error(result):
            sentences.append(failure_sentence(call, result))
        elif call.get("name") == "calculator":
            expression = str(call.get("args", {}).get("expression", "")).strip()
            sentences.append(calculator_answer(expression, text))
        elif not SOURCE_NUMBER.search(text):
            sentences.append(text if text.endswith((".", "!", "?")) else f"{text}.")
        else:
            for_model.append(result)
    return sentences, for_model


def computed_after_lookup(turn: Sequence[tuple[dict[str, Any], ToolMessage]]) -> bool:
    """Whether a turn searched the user's documents and then computed with what it found, both without an
    error: its answer shows the calculation and cites the passage."""
    names = [call.get("name") for call, _ in turn]
    return names == [DOCUMENTS_TOOL, "calculator"] and not any(is_error(result) for _, result in turn)


def source_passages(text: str) -> dict[str, str]:
    """The text of each numbered source ``[n]`` in a tool result (title, snippet; URLs and paths left out)."""
    passages: dict[str, str] = {}
    current = None
    for line in text.splitlines():
        numbered = SOURCE_NUMBER.match(line)
        if numbered:
            current = numbered.group(1)
            line = line[numbered.end() :]
        if current is None:
            continue
        line = re.sub(r"\(source:[^)]*\)|</?passage>|https?://\S+|\s—\s*$", " ", line).strip(" —")
        passages[current] = f"{passages.get(current, '')} {line.strip()}".strip()
    return passages


def source_numbers(text: str) -> list[str]:
    """The source numbers ``[n]`` that start lines of a tool result, in order, without repeats."""
    return list(dict.fromkeys(SOURCE_NUMBER.findall(text)))
