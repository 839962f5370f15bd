"""The `calculator` tool: exact arithmetic on a hand-written parser (sympy's parser evals its input).

Nothing here evaluates text as code. The modules, each importing only those below it:

- ``tool``: ``calculate(expression) -> str`` and the LangChain ``calculator`` tool;
- ``numbers``: exact and inexact arithmetic, the functions and constants, the evaluator;
- ``parser`` (the grammar) and ``formatting`` (the output format);
- ``values``: the value types and decimal context; ``limits``: the bounds and ``CalculatorError``.
"""

from tools.calculator.formatting import MAX_EXACT_DISPLAY_DIGITS, SHOWN_DIGITS
from tools.calculator.limits import (
    MAX_DEPTH,
    MAX_DIGITS,
    MAX_EXPONENT,
    MAX_FACTORIAL,
    MAX_INPUT_CHARS,
    TIME_LIMIT_S,
    WALL_LIMIT_S,
    CalculatorError,
)
from tools.calculator.numbers import FUNCTIONS
from tools.calculator.tool import calculate, calculator

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_DIGITS",
    "MAX_EXACT_DISPLAY_DIGITS",
    "MAX_EXPONENT",
    "MAX_FACTORIAL",
    "MAX_INPUT_CHARS",
    "SHOWN_DIGITS",
    "TIME_LIMIT_S",
    "WALL_LIMIT_S",
    "CalculatorError",
    "calculate",
    "calculator",
]
