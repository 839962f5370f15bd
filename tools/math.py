"""``tools.math.calculate``, the calculator core's public name (DESIGN.md contracts); it lives in tools.calculator."""

from tools.calculator import CalculatorError, calculate, calculator

__all__ = ["CalculatorError", "calculate", "calculator"]
