"""How results are shown: the output format of ``calculate``, and numbers in error messages.

Output format (pinned by the tests):

- exact integers: every digit, no ``.0``, no separators (``2**100``, ``30!``);
- exact values whose decimal expansion terminates within 50 significant digits: that expansion
  in full (``1/8`` -> ``0.125``, ``0.1+0.2`` -> ``0.3``);
- everything else (``1/3``, ``sqrt(2)``, ``2**-1000``): rounded half-even to 15 significant
  digits, trailing zeros dropped (``0.333333333333333``, ``1.4142135623731``);
- positional notation when ``-4 <= exponent < max(15, digits shown)``, otherwise Python's
  ``%g`` style scientific notation (``1.23456789012346e+30``, ``1e-05``).
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

from tools.calculator.limits import MAX_EXPONENT, CalculatorError
from tools.calculator.values import Value, context

MAX_EXACT_DISPLAY_DIGITS = 50
"""A terminating decimal with more significant digits than this is shown to 15 digits instead."""
SHOWN_DIGITS = 15
"""Significant digits shown for inexact and non-terminating results."""


def _int_to_str(number: int) -> str:
    # str(int) refuses more than 4,300 digits (sys.int_max_str_digits); Decimal has no such limit
    # and converting from int is exact.
    return str(Decimal(number))


def _terminating(value: Fraction) -> Decimal | None:
    """The exact decimal expansion of ``value`` if it terminates, else None."""
    den = value.denominator
    twos = (den & -den).bit_length() - 1
    rest = den >> twos
    fives = math.ceil(rest.bit_length() / math.log2(5)) + 1  # at least the power of 5 in rest
    if pow(5, fives, rest) != 0:  # rest divides 5**fives only if it has no other prime factor
        return None
    places = max(twos, fives)
    scaled = Decimal(value.numerator * 10**places // den)  # exact: den divides 10**places
    sign, digits, _ = scaled.as_tuple()
    return Decimal((sign, digits, -places))  # built from its digits: no context, no rounding


def render(number: Decimal) -> str:
    """Positional when -4 <= exponent < max(15, digits), else ``%g``-style scientific."""
    sign, digit_tuple, exponent = number.as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0")
    if not digits:
        return "0"
    if not isinstance(exponent, int):  # NaN or infinity: never produced under our traps
        raise CalculatorError("result is not a finite number")
    exponent += len(digit_tuple) - len(digits)
    adjusted = exponent + len(digits) - 1
    if -4 <= adjusted < max(SHOWN_DIGITS, len(digits)):
        if exponent >= 0:
            body = digits + "0" * exponent
        elif adjusted >= 0:
            body = f"{digits[: adjusted + 1]}.{digits[adjusted + 1 :]}"
        else:
            body = "0." + "0" * (-adjusted - 1) + digits
    else:
        mantissa = digits[0] + (f".{digits[1:]}" if len(digits) > 1 else "")
        body = f"{mantissa}e{'-' if adjusted < 0 else '+'}{abs(adjusted):02d}"
    return f"-{body}" if sign else body


def _significant_digits(number: Decimal) -> int:
    return len("".join(map(str, number.as_tuple().digits)).strip("0"))


def format_value(value: Value) -> str:
    """The result as ``calculate`` returns it (the format in the module docstring)."""
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return _int_to_str(value.numerator)
        exact = _terminating(value)
        if exact is not None and _significant_digits(exact) <= MAX_EXACT_DISPLAY_DIGITS:
            return render(exact)
        # Exact values reach 1e±(MAX_DIGITS + 1): a wider exponent range than evaluation's.
        wide = context(SHOWN_DIGITS, 2 * MAX_EXPONENT)
        return render(wide.divide(Decimal(value.numerator), Decimal(value.denominator)))
    return render(context(SHOWN_DIGITS).plus(value))


def describe(value: Value) -> str:
    """A number for an error message: big integers abbreviated to 6 significant digits."""
    if isinstance(value, Fraction) and value.denominator == 1 and value.numerator.bit_length() > 64:
        return render(context(6, 2 * MAX_EXPONENT).plus(Decimal(value.numerator)))
    return format_value(value)
