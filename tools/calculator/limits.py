"""The bounds of one calculation, and ``CalculatorError``, raised for anything invalid or beyond them.

Bounds: 1,000 characters, 50 nesting levels, 10,000 digits in any exact number (checked after
every operator and function, and before powers, factorials, comb and perm are computed), inexact
magnitudes within 1e±10000, factorial arguments up to 3,000, and a time guard before and after every
step: 0.5 s of the calling thread's CPU time (so a busy machine does not fail a correct calculation)
with a 2 s wall-clock backstop. Every step is bounded by the limits above (the slowest allowed ones
take milliseconds), and so is the formatting of the result. Every failure is a ``CalculatorError``:
both a ``ValueError`` (the ``calculate`` contract) and a LangChain ``ToolException`` (so the tool's
error text reaches the model as it is).
"""

from __future__ import annotations

from langchain_core.tools import ToolException

MAX_INPUT_CHARS = 1_000
"""Longest expression accepted."""
MAX_DEPTH = 50
"""Deepest nesting of parentheses, calls, unary signs and exponents. Python frames per level stay
well under the interpreter's recursion limit."""
MAX_DIGITS = 10_000
"""Most decimal digits in the numerator or denominator of an exact value."""
MAX_EXPONENT = MAX_DIGITS
"""Inexact values must lie within 10**-MAX_EXPONENT .. 10**MAX_EXPONENT."""
MAX_FACTORIAL = 3_000
"""Significant digits shown for inexact and non-terminating results."""
TIME_LIMIT_S = 0.5
"""CPU-time budget of one evaluation (this thread's), checked between steps."""
WALL_LIMIT_S = 2.0
"""Wall-clock backstop for one evaluation, checked between steps."""


class CalculatorError(ToolException, ValueError):
    """Invalid, unsafe or out-of-bounds input. The message says what to change."""
