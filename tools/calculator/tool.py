"""``calculate(expression) -> str`` and the LangChain ``calculator`` tool: the input checks, then
parse (``parser``), evaluate (``numbers``) and show (``formatting``), every failure a ``CalculatorError``."""

from __future__ import annotations

import decimal
import inspect
from typing import Annotated

from langchain_core.tools import tool

from tools.calculator.formatting import format_value
from tools.calculator.limits import MAX_EXPONENT, MAX_INPUT_CHARS, CalculatorError
from tools.calculator.numbers import CONSTANTS, FUNCTION_TABLE, Evaluator
from tools.calculator.parser import Parser, normalise, strip_trailing_equals, tokenize
from tools.calculator.values import PREC, context


def calculate(expression: str) -> str:
    """Evaluate ``expression`` exactly and safely; the result as text (format: ``tools.calculator.formatting``).

    Raises ``CalculatorError`` (a ``ValueError``) for syntax errors, unknown names, division by
    zero, math domain errors and anything over a bound, always within about one second.
    """
    if not isinstance(expression, str):
        raise CalculatorError("the expression must be a string")
    if len(expression) > MAX_INPUT_CHARS:
        raise CalculatorError(
            f"expression too long: {len(expression):,} characters (limit {MAX_INPUT_CHARS:,})"
        )
    normalised, positions = normalise(expression)
    text = strip_trailing_equals(normalised)
    if not text.strip():
        raise CalculatorError("empty expression")
    try:
        tree = Parser(tokenize(text, positions), FUNCTION_TABLE, CONSTANTS).parse()
        with decimal.localcontext(context(PREC)):
            return format_value(Evaluator().eval(tree))
    except CalculatorError:
        raise
    except ZeroDivisionError:  # includes decimal.DivisionByZero
        raise CalculatorError("division by zero") from None
    except (decimal.Overflow, OverflowError, MemoryError):
        raise CalculatorError(f"result too large (beyond 1e{MAX_EXPONENT})") from None
    except decimal.Underflow:
        raise CalculatorError(f"result too small (below 1e-{MAX_EXPONENT})") from None
    except decimal.InvalidOperation:
        raise CalculatorError("math domain error: the operation has no real result") from None
    except RecursionError:
        raise CalculatorError("expression too deeply nested") from None


@tool
def calculator(
    expression: Annotated[str, "One arithmetic expression, e.g. '(1.5e3 + 2^10) / 7' or 'sqrt(2)*pi'."],
) -> str:
    """Evaluate one arithmetic expression exactly and return the result. Use it for every calculation.

    Syntax: numbers (12, 0.5, 1e3, 2.5E-4), + - * /, // (floor division), % (modulo), ** or ^
    (power), parentheses, n! (factorial), constants pi and e. Functions: sqrt, cbrt, exp, ln,
    log(x) (natural) or log(x, base), log10, log2, sin, cos, tan, asin, acos, atan, atan2(y, x)
    (radians), sinh, cosh, tanh, degrees, radians, abs, round(x) or round(x, digits), floor, ceil,
    min, max, gcd, lcm, factorial, comb(n, k), perm(n, k), hypot, pow(x, y).
    No variables, units, % as percent, or thousands separators (commas separate arguments).
    Exact: 0.1+0.2 gives 0.3 and integers keep every digit; other results show 15 significant
    digits. On an error, the message says what to fix.
    """
    return calculate(expression)


# The description is the docstring as written, indentation included: send the model a clean one.
calculator.description = inspect.cleandoc(calculator.description)
