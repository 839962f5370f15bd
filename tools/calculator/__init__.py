"""The `calculator` tool: exact arithmetic on a hand-written parser (sympy's parser evals its input)."""

from tools.calculator.core import CalculatorError, calculate, calculator

__all__ = ["CalculatorError", "calculate", "calculator"]
