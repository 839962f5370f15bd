"""``tools.math``: the calculator's first import path, kept for callers; the code lives in tools.calculator.

``calculate(expression) -> str`` raises ``CalculatorError`` (a ``ValueError``) for any invalid input.
"""

from tools.calculator import CalculatorError, calculate, calculator

__all__ = ["CalculatorError", "calculate", "calculator"]
