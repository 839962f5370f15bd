"""Computing: exact and inexact number helpers, operators, powers, the functions and constants, and
the evaluator over the parser's tree (with the time guard).

Numbers: every literal is an exact ``Fraction`` (``0.1`` is exactly 1/10), and ``+ - * / // %``,
integer powers, exact roots (``sqrt(16)``, ``8**(1/3)``), exact logarithms (``log2(8)``) and the
integer functions stay exact. Anything else (``sqrt(2)``, ``sin``, ``pi``...) is an inexact
``Decimal`` carried at 32 significant digits, so float artifacts never reach the 15 digits shown.
An inexact power is ``exp(y * ln(x))`` with ``ln(x)`` to 38 significant digits even when an exact
``x`` lies within 1e-9999 of 1 (``(1+1e-40)**1e40`` is e, not 1); an inexact ``x`` (known to 32
digits) is refused exponents of 1e15 and more, which would magnify its rounding into the digits shown.
Trigonometric functions reduce their argument with a 64-digit pi; an inexact argument that is a
multiple of pi to 15 significant digits gives exactly 0 (``sin(pi)``, ``cos(pi/2)``).
"""

from __future__ import annotations

import decimal
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from tools.calculator import limits
from tools.calculator.formatting import SHOWN_DIGITS, describe, render
from tools.calculator.limits import MAX_DIGITS, MAX_EXPONENT, MAX_FACTORIAL, CalculatorError
from tools.calculator.parser import Call, Chain, Factorial, Literal, Negate, Node, Power
from tools.calculator.values import PREC, Value, context

_TRIG_PREC = 64
_MAX_TRIG_ARG = Decimal("1e30")
_MAX_ROOT_INDEX = 100
_MAX_BITS = math.ceil(MAX_DIGITS * math.log2(10))
_PI = Decimal("3.141592653589793238462643383279502884197169399375105820974944592307816406286")
_SNAP = Decimal("1e-15")
_POWER_PREC = PREC + 6
"""Digits of ln(x) and y*ln(x) in an inexact power x**y: within the bounds |y*ln(x)| < 23,026, so
y*ln(x), hence exp() of it, is correct to 32 digits."""
_MAX_INEXACT_BASE_EXPONENT = Decimal(10) ** (PREC - SHOWN_DIGITS - 2)
"""An inexact base x (32 digits, relative error up to 5e-32) to the power y is off by about |y|*5e-32
relatively: from 1e15 on, that nears the 15 digits shown."""
_FAR_MAGNITUDE = Decimal(10) ** 15
"""Beyond 10**(±1e15) a result's size is described by its exponent's exponent."""


_E = context(_TRIG_PREC).exp(Decimal(1))
_LN10 = context(_POWER_PREC).ln(Decimal(10))
CONSTANTS: dict[str, Decimal] = {"pi": _PI, "e": _E}
"""The named constants, inexact."""


# --------------------------------------------------------------------------------------------
# Exact and inexact number helpers


def _exact(value: Fraction) -> Fraction:
    """Refuse exact results beyond MAX_DIGITS digits (a cheap bit-length check)."""
    if value.numerator.bit_length() > _MAX_BITS or value.denominator.bit_length() > _MAX_BITS:
        raise CalculatorError(f"result too large: more than {MAX_DIGITS:,} digits")
    return value


def _dec(value: Value) -> Decimal:
    """The value as a Decimal rounded to the current context's precision."""
    if isinstance(value, Decimal):
        return +value
    return Decimal(value.numerator) / Decimal(value.denominator)


def _shown(value: Value) -> Fraction:
    """The value as displayed: inexact values are first rounded to SHOWN_DIGITS digits, so that
    floor, ceil, round and integer arguments agree with what the model has seen."""
    if isinstance(value, Fraction):
        return value
    return Fraction(context(SHOWN_DIGITS).plus(value))


def _int_arg(function: str, value: Value) -> int:
    shown = _shown(value)
    if shown.denominator != 1:
        raise CalculatorError(f"{function}() needs integer arguments, got {describe(value)}")
    return shown.numerator


def _non_negative_int_arg(function: str, value: Value) -> int:
    number = _int_arg(function, value)
    if number < 0:
        raise CalculatorError(f"{function}() needs non-negative integers, got {describe(Fraction(number))}")
    return number


def _float_arg(value: Value) -> float:
    return float(_dec(value))  # beyond float range: ±inf, which atan and atan2 handle


def _from_float(result: float) -> Decimal:
    return +Decimal(result)


def _iroot(number: int, n: int) -> int:
    """floor(number ** (1/n)) for number >= 0, by Newton's method on integers."""
    if number < 2:
        return number
    if n == 2:
        return math.isqrt(number)
    guess = 1 << -(-number.bit_length() // n)  # at least the root
    while True:
        better = ((n - 1) * guess + number // guess ** (n - 1)) // n
        if better >= guess:
            return guess
        guess = better


def _exact_root(value: Fraction, n: int) -> Fraction | None:
    """The exact n-th root of a non-negative fraction, or None when it is irrational."""
    num, den = _iroot(value.numerator, n), _iroot(value.denominator, n)
    if num**n == value.numerator and den**n == value.denominator:
        return Fraction(num, den)
    return None


def _power_digits(base: Fraction, exponent: int) -> float:
    """About how many digits base**exponent has in numerator or denominator."""
    size = max(abs(base.numerator), base.denominator)
    return min(abs(exponent), 10**30) * math.log10(size)


# --------------------------------------------------------------------------------------------
# Operators


def _binary(op: str, left: Value, right: Value) -> Value:
    if op in ("/", "//", "%") and right == 0:
        raise CalculatorError("division by zero")
    if isinstance(left, Fraction) and isinstance(right, Fraction):
        if op == "+":
            return _exact(left + right)
        if op == "-":
            return _exact(left - right)
        if op == "*":
            return _exact(left * right)
        if op == "/":
            return _exact(left / right)
        if op == "//":
            return _exact(Fraction(left // right))
        return _exact(left % right)
    x, y = _dec(left), _dec(right)
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    if op == "/":
        return x / y
    # Floor division and remainder of the operands' exact values (as float // and % do): at 32
    # digits, x - y*floor(x/y) cancels badly for big quotients; Decimal's own // and % truncate.
    exact_x, exact_y = Fraction(x), Fraction(y)
    if op == "//":
        return _exact(Fraction(exact_x // exact_y))
    return _dec(exact_x % exact_y)


def _power(base: Value, exponent: Value) -> Value:
    if isinstance(base, Fraction) and isinstance(exponent, Fraction):
        exact = _exact_power(base, exponent)
        if exact is not None:
            return exact
    return _inexact_power(base, exponent)


def _exact_power(base: Fraction, exponent: Fraction) -> Fraction | None:
    """base**exponent when it is rational and small enough, else None (then it is inexact)."""
    if base == 0:
        if exponent < 0:
            raise CalculatorError("division by zero: 0 to a negative power")
        return Fraction(1) if exponent == 0 else Fraction(0)
    p, q = exponent.numerator, exponent.denominator
    if q > 1:
        if base < 0 and q % 2 == 0:
            raise CalculatorError("math domain error: even root of a negative number (no real result)")
        if q > _MAX_ROOT_INDEX:
            return None
        root = _exact_root(abs(base), q)
        if root is None:
            return None
        base = root if base > 0 else -root  # the real odd root of a negative number
    if _power_digits(base, p) > MAX_DIGITS:
        return None
    return _exact(base**p)


def _inexact_power(base: Value, exponent: Value) -> Value:
    """``exp(y * ln(x))``: ``ln(x)`` to _POWER_PREC digits even when an exact x is within 1e-9999 of 1."""
    if base == 0:
        if exponent < 0:
            raise CalculatorError("division by zero: 0 to a negative power")
        return Fraction(1) if exponent == 0 else Fraction(0)
    negate = False
    if base < 0:
        if isinstance(exponent, Fraction) and exponent.denominator % 2 == 1:
            negate = exponent.numerator % 2 == 1  # integer or odd-root exponent: a real result
        elif isinstance(exponent, Decimal) and exponent == exponent.to_integral_value():
            negate = int(exponent) % 2 == 1
        else:
            raise CalculatorError(
                "math domain error: a negative number to a non-integer power has no real result"
            )
        base = -base
    # A wide exponent range: y * ln(x) is computed before it is known to be in bounds.
    with decimal.localcontext(context(_POWER_PREC, 4 * MAX_EXPONENT)):
        y = _dec(exponent)
        log_result = y * _power_ln(base)
        magnitude = log_result / _LN10
    if magnitude > MAX_EXPONENT:
        raise CalculatorError(_too_large_power(magnitude))
    if magnitude < -MAX_EXPONENT:
        raise CalculatorError(_too_small_power(magnitude))
    if isinstance(base, Decimal) and abs(y) >= _MAX_INEXACT_BASE_EXPONENT:
        raise CalculatorError(
            f"cannot raise an inexact number (computed with pi, e, sqrt or another function, kept to "
            f"{PREC} significant digits) to a power as large as {describe(exponent)}: its rounding "
            "error would reach the digits shown; write the base exactly, with digits and fractions"
        )
    with decimal.localcontext() as ctx:
        ctx.prec = _POWER_PREC
        result = log_result.exp()
    return -result if negate else +result


def _power_ln(x: Value) -> Decimal:
    """ln(x) for x > 0 to _POWER_PREC significant digits, in the current (wide) context. An exact x
    is not rounded first: at 32 digits 1 + 1e-40 is 1, and its logarithm 0 instead of 1e-40."""
    if isinstance(x, Decimal):
        return x.ln()
    distance = _dec(x - 1)
    if distance == 0:
        return Decimal(0)
    if distance.adjusted() < -_POWER_PREC:
        return distance  # ln(1 + d) = d * (1 - d/2 + ...): d/2 is below the digits kept
    with decimal.localcontext() as ctx:
        ctx.prec += max(0, -distance.adjusted())  # x's digits up to those of x - 1, then 38 more
        return _dec(x).ln()


def _too_large_power(magnitude: Decimal) -> str:
    if magnitude > _FAR_MAGNITUDE:
        return f"exponent too large: the result would be far beyond 1e{MAX_EXPONENT}"
    return (
        f"exponent too large: the result would have about {int(magnitude) + 1:,} digits "
        f"(limit {MAX_DIGITS:,})"
    )


def _too_small_power(magnitude: Decimal) -> str:
    if magnitude < -_FAR_MAGNITUDE:
        size = render(context(3, 4 * MAX_EXPONENT).plus(magnitude))
        about = f"about 10**({size}), far"
    else:
        about = f"about 1e{magnitude:.0f},"
    return (
        f"exponent too large: the result would be {about} smaller than the smallest supported "
        f"1e-{MAX_EXPONENT}"
    )


# --------------------------------------------------------------------------------------------
# Functions


def _sqrt(x: Value) -> Value:
    if x < 0:
        raise CalculatorError("math domain error: sqrt of a negative number (no real result)")
    if isinstance(x, Fraction):
        root = _exact_root(x, 2)
        if root is not None:
            return root
    return _dec(x).sqrt()


def _cbrt(x: Value) -> Value:
    if isinstance(x, Fraction):
        root = _exact_root(abs(x), 3)
        if root is not None:
            return root if x >= 0 else -root
    magnitude = _dec(x).copy_abs() ** (Decimal(1) / 3)
    return magnitude if x >= 0 else -magnitude


def _exp(x: Value) -> Value:
    if x == 0:
        return Fraction(1)
    if x > MAX_EXPONENT * 3:  # e**x would overflow: refuse before Decimal computes anything
        raise CalculatorError(f"result too large: exp({describe(x)}) is beyond 1e{MAX_EXPONENT}")
    if x < -MAX_EXPONENT * 3:
        raise CalculatorError(f"result too small: exp({describe(x)}) is below 1e-{MAX_EXPONENT}")
    return _dec(x).exp()


def _check_log_arg(function: str, x: Value) -> None:
    if x <= 0:
        raise CalculatorError(f"math domain error: {function}() of a non-positive number")


def _exact_log(x: Value, base: Value, approx: Decimal) -> Value:
    """``approx`` = log(x, base); an exact integer instead when x is exactly base**k."""
    if isinstance(x, Fraction) and isinstance(base, Fraction):
        k = int(approx.to_integral_value())
        close = abs(approx - k) < Decimal("1e-20")
        if close and _power_digits(base, k) <= 2 * MAX_DIGITS and base**k == x:
            return Fraction(k)
    return approx


def _log(x: Value, base: Value | None = None) -> Value:
    _check_log_arg("log", x)
    if base is None:  # e is transcendental: ln of a rational other than 1 is never rational
        return Fraction(0) if x == 1 else _dec(x).ln()
    if base <= 0 or base == 1:
        raise CalculatorError("math domain error: the log base must be positive and not 1")
    return _exact_log(x, base, _dec(x).ln() / _dec(base).ln())


def _ln(x: Value) -> Value:
    return _log(x)


def _log10(x: Value) -> Value:
    _check_log_arg("log10", x)
    return _exact_log(x, Fraction(10), _dec(x).log10())


def _log2(x: Value) -> Value:
    _check_log_arg("log2", x)
    return _exact_log(x, Fraction(2), _dec(x).ln() / Decimal(2).ln())


def _sine(angle: Decimal, inexact: bool) -> Decimal:
    """sin(angle), ``angle`` at 64 digits: reduce by the nearest multiple of pi in Decimal, then
    take the float sine of the remainder (|r| <= pi/2, where float sine is accurate)."""
    if abs(angle) > _MAX_TRIG_ARG:
        raise CalculatorError("trigonometric argument too large (limit 1e30)")
    with decimal.localcontext() as ctx:
        ctx.prec = _TRIG_PREC
        turns = (angle / _PI).to_integral_value()
        remainder = angle - turns * _PI
    if inexact and abs(remainder) <= _SNAP * abs(angle):
        return Decimal(0)  # a multiple of pi to 15 digits: the rest is rounding noise
    result = math.sin(float(remainder))
    return _from_float(-result if int(turns) % 2 else result)


def _angle(x: Value) -> Decimal:
    with decimal.localcontext() as ctx:
        ctx.prec = _TRIG_PREC
        return _dec(x)


def _sin(x: Value) -> Value:
    if x == 0:
        return Fraction(0)
    return _sine(_angle(x), isinstance(x, Decimal))


def _cos(x: Value) -> Value:
    # cos(x) = sin(x + pi/2): keeps full relative accuracy near the zeros of cos.
    with decimal.localcontext() as ctx:
        ctx.prec = _TRIG_PREC
        shifted = _angle(x) + _PI / 2
    return _sine(shifted, isinstance(x, Decimal))


def _tan(x: Value) -> Value:
    cosine = _cos(x)
    if cosine == 0:
        raise CalculatorError("math domain error: tan() is undefined at pi/2 + k*pi")
    return _dec(_sin(x)) / _dec(cosine)


def _float_function(name: str, function: Callable[..., float]) -> Callable[..., Value]:
    def apply(*args: Value) -> Value:
        floats = [_float_arg(arg) for arg in args]
        try:
            return _from_float(function(*floats))
        except ValueError:
            raise CalculatorError(f"math domain error: {name}() is undefined there") from None

    return apply


def _asin_acos(name: str, function: Callable[[float], float]) -> Callable[[Value], Value]:
    apply = _float_function(name, function)

    def checked(x: Value) -> Value:
        if not -1 <= x <= 1:
            raise CalculatorError(f"math domain error: {name}() needs -1 <= x <= 1, got {describe(x)}")
        return apply(x)

    return checked


def _sinh(x: Value) -> Value:
    if x == 0:
        return Fraction(0)
    d = _dec(x)
    if abs(d) < Decimal("1e-15"):
        return d  # sinh(x) = x + x**3/6 + ...: the cube is below the digits kept
    grow = _dec(_exp(_abs(x)))
    magnitude = (grow - 1 / grow) / 2
    return magnitude if d > 0 else -magnitude


def _cosh(x: Value) -> Value:
    if x == 0:
        return Fraction(1)
    grow = _dec(_exp(_abs(x)))
    return (grow + 1 / grow) / 2


def _tanh(x: Value) -> Value:
    if x == 0:
        return Fraction(0)
    d = _dec(x)
    if abs(d) < Decimal("1e-15"):
        return d
    if abs(d) > 40:  # 1 - tanh(40) is below 1e-34
        return Decimal(1) if d > 0 else Decimal(-1)
    grow = _dec(_exp(2 * d))
    return (grow - 1) / (grow + 1)


def _degrees(x: Value) -> Value:
    return Fraction(0) if x == 0 else _dec(x) * 180 / _PI


def _radians(x: Value) -> Value:
    return Fraction(0) if x == 0 else _dec(x) * _PI / 180


def _abs(x: Value) -> Value:
    # Spelled out: typeshed types abs() of the Fraction | Decimal union as object.
    return -x if x < 0 else x


def _round(x: Value, digits: Value = Fraction(0)) -> Value:
    """Half away from zero (2.5 -> 3, -2.5 -> -3), as calculators do; exact result."""
    places = _int_arg("round", digits)
    if abs(places) > MAX_DIGITS:
        raise CalculatorError(f"round() digits must be within ±{MAX_DIGITS:,}")
    scale = Fraction(10) ** places
    scaled = _shown(x) * scale
    whole = math.floor(abs(scaled) + Fraction(1, 2))
    return _exact(Fraction(whole if scaled >= 0 else -whole) / scale)


def _floor(x: Value) -> Value:
    return _exact(Fraction(math.floor(_shown(x))))


def _ceil(x: Value) -> Value:
    return _exact(Fraction(math.ceil(_shown(x))))


def _min(*args: Value) -> Value:
    return min(args)


def _max(*args: Value) -> Value:
    return max(args)


def _gcd(*args: Value) -> Value:
    return Fraction(math.gcd(*(_int_arg("gcd", arg) for arg in args)))


def _lcm(*args: Value) -> Value:
    result = 1
    for arg in args:
        result = math.lcm(result, _int_arg("lcm", arg))
        _exact(Fraction(result))
    return Fraction(result)


def _factorial(x: Value) -> Value:
    n = _non_negative_int_arg("factorial", x)
    if n > MAX_FACTORIAL:
        raise CalculatorError(
            f"factorial argument too large: {describe(Fraction(n))} (limit {MAX_FACTORIAL:,})"
        )
    return Fraction(math.factorial(n))


def _choose_digits(n: int, k: int, ordered: bool) -> float:
    """About how many digits comb(n, k) (or perm(n, k) when ordered) has, before computing it."""
    if not ordered:
        k = min(k, n - k)
    if k <= 0:
        return 1.0
    if n <= 10**15:  # lgamma's absolute error stays far below one digit here
        drop = math.lgamma(n - k + 1) + (0.0 if ordered else math.lgamma(k + 1))
        return (math.lgamma(n + 1) - drop) / math.log(10)
    return k * math.log10(n)  # an upper bound, tight when k is small next to n


def _comb(n_value: Value, k_value: Value) -> Value:
    n, k = _non_negative_int_arg("comb", n_value), _non_negative_int_arg("comb", k_value)
    if k > n:
        return Fraction(0)
    digits = _choose_digits(n, k, ordered=False)
    if digits > MAX_DIGITS:
        raise CalculatorError(f"comb() result too large: about {digits:,.0f} digits (limit {MAX_DIGITS:,})")
    return Fraction(math.comb(n, k))


def _perm(n_value: Value, k_value: Value | None = None) -> Value:
    n = _non_negative_int_arg("perm", n_value)
    k = n if k_value is None else _non_negative_int_arg("perm", k_value)
    if k > n:
        return Fraction(0)
    digits = _choose_digits(n, k, ordered=True)
    if digits > MAX_DIGITS:
        raise CalculatorError(f"perm() result too large: about {digits:,.0f} digits (limit {MAX_DIGITS:,})")
    return Fraction(math.perm(n, k))


def _hypot(*args: Value) -> Value:
    total: Value = Fraction(0)
    for arg in args:
        total = _binary("+", total, _binary("*", arg, arg))
    return _sqrt(total)


def _pow(base: Value, exponent: Value) -> Value:
    return _power(base, exponent)


@dataclass(frozen=True, slots=True)
class _Function:
    name: str
    apply: Callable[..., Value]
    min_args: int
    max_args: int | None  # None: any number

    def check_arity(self, given: int) -> None:
        if self.min_args <= given and (self.max_args is None or given <= self.max_args):
            return
        raise CalculatorError(f"{self.name}() takes {self._describe()} ({given} given)")

    def _describe(self) -> str:
        plural = "argument" if self.min_args == 1 and self.max_args in (1, None) else "arguments"
        if self.max_args is None:
            return f"at least {self.min_args} {plural}"
        if self.max_args == self.min_args:
            return f"{self.min_args} {plural}"
        return f"{self.min_args} or {self.max_args} arguments"


FUNCTION_TABLE: dict[str, _Function] = {
    function.name: function
    for function in (
        _Function("sqrt", _sqrt, 1, 1),
        _Function("cbrt", _cbrt, 1, 1),
        _Function("exp", _exp, 1, 1),
        _Function("log", _log, 1, 2),
        _Function("ln", _ln, 1, 1),
        _Function("log10", _log10, 1, 1),
        _Function("log2", _log2, 1, 1),
        _Function("sin", _sin, 1, 1),
        _Function("cos", _cos, 1, 1),
        _Function("tan", _tan, 1, 1),
        _Function("asin", _asin_acos("asin", math.asin), 1, 1),
        _Function("acos", _asin_acos("acos", math.acos), 1, 1),
        _Function("atan", _float_function("atan", math.atan), 1, 1),
        _Function("atan2", _float_function("atan2", math.atan2), 2, 2),
        _Function("sinh", _sinh, 1, 1),
        _Function("cosh", _cosh, 1, 1),
        _Function("tanh", _tanh, 1, 1),
        _Function("degrees", _degrees, 1, 1),
        _Function("radians", _radians, 1, 1),
        _Function("abs", _abs, 1, 1),
        _Function("round", _round, 1, 2),
        _Function("floor", _floor, 1, 1),
        _Function("ceil", _ceil, 1, 1),
        _Function("min", _min, 1, None),
        _Function("max", _max, 1, None),
        _Function("gcd", _gcd, 1, None),
        _Function("lcm", _lcm, 1, None),
        _Function("factorial", _factorial, 1, 1),
        _Function("comb", _comb, 2, 2),
        _Function("perm", _perm, 1, 2),
        _Function("hypot", _hypot, 1, None),
        _Function("pow", _pow, 2, 2),
    )
}
"""The functions by name, for the parser (arity) and the evaluator (apply)."""
FUNCTIONS: tuple[str, ...] = tuple(FUNCTION_TABLE)
"""Names of the functions the calculator accepts (the tool's docstring lists them all)."""

# --------------------------------------------------------------------------------------------
# Evaluation


class Evaluator:
    """Walks the parser's tree. The time limits (``limits.TIME_LIMIT_S``, ``limits.WALL_LIMIT_S``,
    read from that module when the evaluator is made) are checked before and after every step."""

    def __init__(self) -> None:
        self._cpu_deadline = time.thread_time() + limits.TIME_LIMIT_S
        self._wall_deadline = time.monotonic() + limits.WALL_LIMIT_S

    def _tick(self) -> None:
        if time.thread_time() > self._cpu_deadline or time.monotonic() > self._wall_deadline:
            raise CalculatorError(f"calculation took too long (limit {limits.TIME_LIMIT_S} s): simplify it")

    def eval(self, node: Node) -> Value:
        self._tick()
        value = self._step(node)
        self._tick()
        return value

    def _step(self, node: Node) -> Value:
        match node:
            case Literal(value):
                return value
            case Negate(operand):
                return -self.eval(operand)
            case Chain(first, rest):
                value = self.eval(first)
                for op, operand in rest:
                    value = _binary(op, value, self.eval(operand))
                    self._tick()
                return value
            case Power(base, exponent):
                return _power(self.eval(base), self.eval(exponent))
            case Factorial(operand):
                return _factorial(self.eval(operand))
            case Call(name, args):
                values = [self.eval(arg) for arg in args]
                self._tick()
                return FUNCTION_TABLE[name].apply(*values)
        raise CalculatorError("unsupported expression")  # unreachable: the parser builds no other node
