"""The two kinds of value (exact ``Fraction``, inexact 32-digit ``Decimal``) and the decimal context
they are computed in."""

from __future__ import annotations

import decimal
from decimal import Decimal
from fractions import Fraction

from tools.calculator.limits import MAX_EXPONENT

Value = Fraction | Decimal
"""Fraction: exact. Decimal: inexact, carried at 32 significant digits."""
PREC = 32
"""Significant digits of an inexact value."""


def context(prec: int, limit: int = MAX_EXPONENT) -> decimal.Context:
    """A decimal context whose overflow, underflow and invalid operations raise."""
    return decimal.Context(
        prec=prec,
        rounding=decimal.ROUND_HALF_EVEN,
        Emax=limit,
        Emin=-limit,
        traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow, decimal.Underflow],
    )
