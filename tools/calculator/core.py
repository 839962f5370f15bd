"""Exact, safe arithmetic for the model: ``calculate()`` and the ``calculator`` tool.

Nothing here evaluates text as code. A small tokenizer and precedence-climbing parser accept
exactly the calculator grammar below and build a tiny tree, which an evaluator walks.

Why a hand-written parser rather than ``ast.parse``: Python's grammar is far larger than ours
(every other node type would have to be refused), ``n!`` and exact decimal literals would need
token-level rewriting before ``ast`` anyway, and CPython's syntax errors point at the wrong things
for calculator input ("Perhaps you forgot a comma?"). Our parser names the offending token and
its position, and counts nesting depth itself. Libraries such as simpleeval or asteval evaluate
with floats and Python semantics, which is exactly what we must not do.

Grammar, loosest binding first (Python's precedence, plus ``^`` and postfix ``!``)::

    sum     := term (("+" | "-") term)*
    term    := unary (("*" | "/" | "//" | "%") unary)*
    unary   := ("+" | "-") unary | power
    power   := postfix (("**" | "^") unary)?          right-associative; -2**2 == -4
    postfix := primary "!"?                            2^3! == 2^(3!), -3! == -(3!)
    primary := NUMBER | CONSTANT | FUNCTION "(" [sum ("," sum)*] ")" | "(" sum ")"

Names are case-insensitive; ``×·⋅∗`` mean ``*``, ``÷∕`` mean ``/``, ``−`` and the dashes ``‐‑‒–—``
mean ``-``, ``π`` is ``pi``, superscript digits are powers (``2³`` is ``2**3``, ``10⁻³`` is
``10**-3``), and any other character whose Unicode compatibility form (NFKC) is one character is
read as that character (fullwidth ``＋２``, subscript ``log₂``, no-break spaces); a trailing ``=`` or
``= ?`` is ignored. ``//`` and ``%`` follow Python (floor division; the remainder takes the divisor's
sign): ``%`` is never a percentage, and ``50%`` is refused with the division to write instead, as
are thousands separators (``1.234.567``, ``1 000 000``) with the plain number.

Numbers: every literal is an exact ``Fraction`` (``0.1`` is exactly 1/10), and ``+ - * / // %``,
integer powers, exact roots (``sqrt(16)``, ``8**(1/3)``), exact logarithms (``log2(8)``) and the
integer functions stay exact. Anything else (``sqrt(2)``, ``sin``, ``pi``...) is an inexact
``Decimal`` carried at 32 significant digits, so float artifacts never reach the 15 digits shown.
An inexact power is ``exp(y * ln(x))`` with ``ln(x)`` to 38 significant digits even when an exact
``x`` lies within 1e-9999 of 1 (``(1+1e-40)**1e40`` is e, not 1); an inexact ``x`` (known to 32
digits) is refused exponents of 1e15 and more, which would magnify its rounding into the digits shown.
Trigonometric functions reduce their argument with a 64-digit pi; an inexact argument that is a
multiple of pi to 15 significant digits gives exactly 0 (``sin(pi)``, ``cos(pi/2)``).

Output format (pinned by the tests):

- exact integers: every digit, no ``.0``, no separators (``2**100``, ``30!``);
- exact values whose decimal expansion terminates within 50 significant digits: that expansion
  in full (``1/8`` -> ``0.125``, ``0.1+0.2`` -> ``0.3``);
- everything else (``1/3``, ``sqrt(2)``, ``2**-1000``): rounded half-even to 15 significant
  digits, trailing zeros dropped (``0.333333333333333``, ``1.4142135623731``);
- positional notation when ``-4 <= exponent < max(15, digits shown)``, otherwise Python's
  ``%g`` style scientific notation (``1.23456789012346e+30``, ``1e-05``).

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

import decimal
import inspect
import math
import re
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Annotated

from langchain_core.tools import ToolException, tool

__all__ = ["FUNCTIONS", "MAX_DIGITS", "MAX_INPUT_CHARS", "CalculatorError", "calculate", "calculator"]

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
"""Largest n for n! (3000! has 9,131 digits)."""
MAX_EXACT_DISPLAY_DIGITS = 50
"""A terminating decimal with more significant digits than this is shown to 15 digits instead."""
SHOWN_DIGITS = 15
"""Significant digits shown for inexact and non-terminating results."""
TIME_LIMIT_S = 0.5
"""CPU-time budget of one evaluation (this thread's), checked between steps."""
WALL_LIMIT_S = 2.0
"""Wall-clock backstop for one evaluation, checked between steps."""

_PREC = 32
_TRIG_PREC = 64
_MAX_TRIG_ARG = Decimal("1e30")
_MAX_ROOT_INDEX = 100
_MAX_BITS = math.ceil(MAX_DIGITS * math.log2(10))
_PI = Decimal("3.141592653589793238462643383279502884197169399375105820974944592307816406286")
_SNAP = Decimal("1e-15")
_POWER_PREC = _PREC + 6
"""Digits of ln(x) and y*ln(x) in an inexact power x**y: within the bounds |y*ln(x)| < 23,026, so
y*ln(x), hence exp() of it, is correct to 32 digits."""
_MAX_INEXACT_BASE_EXPONENT = Decimal(10) ** (_PREC - SHOWN_DIGITS - 2)
"""An inexact base x (32 digits, relative error up to 5e-32) to the power y is off by about |y|*5e-32
relatively: from 1e15 on, that nears the 15 digits shown."""
_FAR_MAGNITUDE = Decimal(10) ** 15
"""Beyond 10**(±1e15) a result's size is described by its exponent's exponent."""


class CalculatorError(ToolException, ValueError):
    """Invalid, unsafe or out-of-bounds input. The message says what to change."""


Value = Fraction | Decimal
"""Fraction: exact. Decimal: inexact, carried at 32 significant digits."""


def _context(prec: int, limit: int = MAX_EXPONENT) -> decimal.Context:
    """A decimal context whose overflow, underflow and invalid operations raise."""
    return decimal.Context(
        prec=prec,
        rounding=decimal.ROUND_HALF_EVEN,
        Emax=limit,
        Emin=-limit,
        traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow, decimal.Underflow],
    )


_E = _context(_TRIG_PREC).exp(Decimal(1))
_LN10 = _context(_POWER_PREC).ln(Decimal(10))
_CONSTANTS: dict[str, Decimal] = {"pi": _PI, "e": _E}


# --------------------------------------------------------------------------------------------
# Tokens


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "number", "name", "op" or "end"
    text: str  # normalised: lower-case names, "^" -> "**", "×" -> "*", ...
    pos: int  # 1-based position in the input
    raw: str  # as typed, for messages

    @property
    def shown(self) -> str:
        """The token as typed, clipped so that a 999-digit number does not flood a message."""
        return _clip(self.raw)


def _clip(text: str) -> str:
    return text if len(text) <= 24 else text[:20] + "..."


_TOKEN_RE = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*|π)
  | (?P<op>\*\*|//|[-+*/%^(),!×·⋅∗÷∕−])
    """,
    re.VERBOSE,
)
_OP_ALIASES = {"^": "**", "×": "*", "·": "*", "⋅": "*", "∗": "*", "÷": "/", "∕": "/", "−": "-"}
_DASHES = "‐‑‒–—"  # hyphen, non-breaking hyphen, figure dash, en dash, em dash: minus signs
_SUPERSCRIPT_RE = re.compile("[⁺⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+")
_SUPERSCRIPTS = str.maketrans("⁺⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "+-0123456789")
_GROUPED_RE = re.compile(
    r"(?<![\w.])[0-9]{1,3}(?:(?P<dots>(?:\.[0-9]{3}){2,})|(?:[ '’][0-9]{3})+(?:\.[0-9]+)?)(?![\w.])"
)
"""A number with thousands separators: ``1.234.567`` (two dots or more: ``1.234`` is a decimal),
``1 000 000``, ``1'000'000``. Never valid syntax, so matching it only changes the message."""
_CHARACTER_HINTS = {
    "√": "write sqrt(x)",
    "∛": "write cbrt(x)",
    "∞": "infinity is not a number here",
    "≠": "comparisons are not supported",
    "≤": "comparisons are not supported",
    "≥": "comparisons are not supported",
}


def _normalise(text: str) -> tuple[str, list[int]]:
    """The text the tokenizer reads, and for each of its characters the 1-based position typed.

    Superscripts become powers (``x²`` -> ``x**2``), dashes become ``-``, and a character whose
    NFKC form is a single character becomes that (fullwidth ``＋`` -> ``+``, ``₂`` -> ``2``); others
    stay as typed (``½`` would become ``1⁄2``, which misreads ``1½``), to be named in the error.
    """
    if text.isascii():
        return text, list(range(1, len(text) + 1))
    pieces: list[str] = []
    positions: list[int] = []
    index = 0
    while index < len(text):
        superscript = _SUPERSCRIPT_RE.match(text, index)
        if superscript is not None:
            piece = "**" + superscript.group().translate(_SUPERSCRIPTS)
            end = superscript.end()
        else:
            char = text[index]
            folded = unicodedata.normalize("NFKC", char)
            piece = "-" if char in _DASHES else folded if len(folded) == 1 else char
            end = index + 1
        pieces.append(piece)
        positions.extend([index + 1] * len(piece))
        index = end
    return "".join(pieces), positions


def _unexpected_character(char: str, pos: int) -> CalculatorError:
    hint = ""
    if char == "=":
        hint = " (comparisons and assignments are not supported)"
    elif char in "'\"":
        hint = " (text is not supported, only numbers)"
    elif not char.isascii():
        name = unicodedata.name(char, f"U+{ord(char):04X}")
        folded = unicodedata.normalize("NFKC", char)
        if "⁄" in folded:  # a vulgar fraction such as ½
            advice = f"write {folded.replace('⁄', '/')}"
        else:
            advice = _CHARACTER_HINTS.get(char, "use digits, + - * / ** ( ) and function names")
        hint = f" ({name}): {advice}"
    return CalculatorError(f"unexpected character {char!r} at position {pos}{hint}")


def _check_grouping(text: str, positions: list[int]) -> None:
    """Refuse thousands separators, naming the number to write instead."""
    grouped = _GROUPED_RE.search(text)
    if grouped is None:
        return
    typed = grouped.group()
    plain = typed.replace(".", "") if grouped["dots"] else re.sub("[ '’]", "", typed)
    also = "" if grouped["dots"] else " (or * to multiply)"
    raise CalculatorError(
        f"thousands separators are not supported: write {_clip(plain)} instead of {_clip(typed)!r} "
        f"at position {positions[grouped.start()]}{also}"
    )


def _strip_trailing_equals(text: str) -> str:
    """Drop a trailing ``=`` or ``= ?`` (``12*12 =``), as models often write."""
    stripped = text.rstrip()
    if stripped.endswith("?") and stripped[:-1].rstrip().endswith("="):
        stripped = stripped[:-1].rstrip()
    return stripped[:-1] if stripped.endswith("=") else text


def _tokenize(text: str, positions: list[int]) -> list[_Token]:
    """Tokens of the normalised ``text``; ``positions`` maps its characters to those typed."""
    _check_grouping(text, positions)
    tokens: list[_Token] = []
    depth = 0
    pos = 0
    while pos < len(text):
        match = _TOKEN_RE.match(text, pos)
        if match is None:
            raise _unexpected_character(text[pos], positions[pos])
        kind = match.lastgroup or ""
        raw = match.group()
        if kind != "space":
            norm = raw.lower() if kind == "name" else _OP_ALIASES.get(raw, raw)
            if norm == "π":
                norm = "pi"
            if norm == "(":
                depth += 1
                if depth > MAX_DEPTH:
                    raise CalculatorError(f"expression too deeply nested (more than {MAX_DEPTH} levels)")
            elif norm == ")":
                depth -= 1
            tokens.append(_Token(kind, norm, positions[pos], raw))
        pos = match.end()
    tokens.append(_Token("end", "", positions[len(text) - 1] + 1 if text else 1, ""))
    return tokens


_NUMBER_RE = re.compile(r"(?P<int>[0-9]*)(?:\.(?P<frac>[0-9]*))?(?:[eE](?P<exp>[+-]?[0-9]+))?")


def _parse_number(token: _Token) -> Fraction:
    """The exact value of a literal; refuses literals beyond MAX_DIGITS before building them."""
    match = _NUMBER_RE.fullmatch(token.text)
    if match is None:  # the tokenizer only produces matching text
        raise CalculatorError(f"invalid number {token.shown!r} at position {token.pos}")
    frac = match["frac"] or ""
    digits = ((match["int"] or "") + frac).lstrip("0")
    if not digits:
        return Fraction(0)
    exponent = int(match["exp"] or "0") - len(frac)
    if len(digits) + exponent > MAX_DIGITS:
        raise CalculatorError(f"number too large: {token.shown!r} has more than {MAX_DIGITS:,} digits")
    if -exponent > MAX_DIGITS:
        raise CalculatorError(f"number too small: {token.shown!r} has more than {MAX_DIGITS:,} decimals")
    if exponent >= 0:
        return Fraction(int(digits) * 10**exponent)
    return Fraction(int(digits), 10**-exponent)


# --------------------------------------------------------------------------------------------
# Tree and parser


@dataclass(frozen=True, slots=True)
class _Literal:
    value: Value


@dataclass(frozen=True, slots=True)
class _Negate:
    operand: _Node


@dataclass(frozen=True, slots=True)
class _Chain:
    """A left-associative run such as ``a + b - c``: evaluated in a loop, so long sums do not
    nest (and cannot exhaust the stack)."""

    first: _Node
    rest: tuple[tuple[str, _Node], ...]


@dataclass(frozen=True, slots=True)
class _Power:
    base: _Node
    exponent: _Node


@dataclass(frozen=True, slots=True)
class _Factorial:
    operand: _Node


@dataclass(frozen=True, slots=True)
class _Call:
    name: str
    args: tuple[_Node, ...]


_Node = _Literal | _Negate | _Chain | _Power | _Factorial | _Call


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self._tokens = tokens
        self._index = 0
        self._depth = 0

    def parse(self) -> _Node:
        node = self._sum()
        token = self._peek()
        if token.kind != "end":
            raise self._after_operand(token)
        return node

    # Helpers

    def _peek(self) -> _Token:
        return self._tokens[self._index]

    def _next(self) -> _Token:
        token = self._tokens[self._index]
        self._index += 1
        return token

    @contextmanager
    def _nested(self) -> Iterator[None]:
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise CalculatorError(f"expression too deeply nested (more than {MAX_DEPTH} levels)")
        try:
            yield
        finally:
            self._depth -= 1

    @staticmethod
    def _expected_operand(token: _Token) -> CalculatorError:
        if token.kind == "end":
            return CalculatorError("incomplete expression: a number, name or '(' is missing at the end")
        if token.text == "!":
            return CalculatorError(
                f"unexpected '!' at position {token.pos}: '!' follows a number as factorial; "
                "'!=' and '!!' are not supported"
            )
        return CalculatorError(
            f"unexpected token {token.shown!r} at position {token.pos}: expected a number, name or '('"
        )

    @staticmethod
    def _after_operand(token: _Token) -> CalculatorError:
        if token.kind in ("number", "name") or token.text == "(":
            hint = "write * to multiply"
            if token.text.startswith("."):  # 1.2.3
                hint = "a number has at most one decimal point; " + hint
            return CalculatorError(
                f"missing operator before {token.shown!r} at position {token.pos} ({hint})"
            )
        if token.text == ")":
            return CalculatorError(f"unmatched ')' at position {token.pos}")
        if token.text == ",":
            return CalculatorError(
                f"unexpected ',' at position {token.pos}: commas only separate function arguments "
                "(write 1234567, not 1,234,567)"
            )
        if token.text == "!":
            return CalculatorError(
                f"unexpected '!' at position {token.pos}: double factorial '!!' is not supported"
            )
        return CalculatorError(f"unexpected token {token.shown!r} at position {token.pos}")

    # Grammar rules

    def _sum(self) -> _Node:
        first = self._term()
        rest: list[tuple[str, _Node]] = []
        while self._peek().text in ("+", "-"):
            op = self._next().text
            rest.append((op, self._term()))
        return _Chain(first, tuple(rest)) if rest else first

    def _term(self) -> _Node:
        first = self._unary()
        rest: list[tuple[str, _Node]] = []
        while self._peek().text in ("*", "/", "//", "%"):
            op = self._next().text
            if op == "%" and self._ends_percentage():
                raise self._percentage()
            rest.append((op, self._unary()))
        return _Chain(first, tuple(rest)) if rest else first

    def _ends_percentage(self) -> bool:
        """After a '%': no operand follows (``50%``, ``(50%)``, ``50% * 80``, ``50% of 80``)."""
        token = self._peek()
        if token.kind == "name":
            return token.text == "of"
        return token.kind != "number" and token.text not in ("(", "+", "-")

    def _percentage(self) -> CalculatorError:
        percent = self._tokens[self._index - 1]
        before = self._tokens[self._index - 2]
        number = before.shown if before.kind == "number" else "x"
        return CalculatorError(
            f"'%' at position {percent.pos} is the remainder operator (7 % 3 is 1), not a percentage: "
            f"write {number}/100 for {number}% (15% of 80 is 80*15/100)"
        )

    def _unary(self) -> _Node:
        if self._peek().text in ("+", "-"):
            op = self._next().text
            with self._nested():
                operand = self._unary()
            return _Negate(operand) if op == "-" else operand
        return self._power()

    def _power(self) -> _Node:
        base = self._postfix()
        if self._peek().text == "**":
            self._next()
            with self._nested():
                return _Power(base, self._unary())
        return base

    def _postfix(self) -> _Node:
        node = self._primary()
        if self._peek().text == "!":
            self._next()
            node = _Factorial(node)
        return node

    def _primary(self) -> _Node:
        token = self._next()
        if token.kind == "number":
            return _Literal(_parse_number(token))
        if token.kind == "name":
            return self._name(token)
        if token.text == "(":
            with self._nested():
                node = self._sum()
            self._close(token)
            return node
        raise self._expected_operand(token)

    def _close(self, opening: _Token) -> None:
        token = self._next()
        if token.text == ")":
            return
        if token.kind == "end":
            raise CalculatorError(f"missing ')' to close the '(' at position {opening.pos}")
        raise self._after_operand(token)

    def _name(self, token: _Token) -> _Node:
        name = token.text
        calls = self._peek().text == "("
        if name in _CONSTANTS:
            return _Literal(_CONSTANTS[name])
        function = _FUNCTIONS.get(name)
        if function is None:
            if calls:
                raise CalculatorError(f"unknown function {token.shown!r}; available: {', '.join(_FUNCTIONS)}")
            raise CalculatorError(
                f"unknown name {token.shown!r} at position {token.pos}: only the constants pi and e "
                "are defined (no variables or units)"
            )
        if not calls:
            raise CalculatorError(f"{name} is a function: call it as {name}(...)")
        opening = self._next()
        args: list[_Node] = []
        with self._nested():
            if self._peek().text != ")":
                args.append(self._sum())
                while self._peek().text == ",":
                    self._next()
                    args.append(self._sum())
        self._close(opening)
        function.check_arity(len(args))
        return _Call(name, tuple(args))


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
    return Fraction(_context(SHOWN_DIGITS).plus(value))


def _int_arg(function: str, value: Value) -> int:
    shown = _shown(value)
    if shown.denominator != 1:
        raise CalculatorError(f"{function}() needs integer arguments, got {_describe(value)}")
    return shown.numerator


def _non_negative_int_arg(function: str, value: Value) -> int:
    number = _int_arg(function, value)
    if number < 0:
        raise CalculatorError(f"{function}() needs non-negative integers, got {_describe(Fraction(number))}")
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
    with decimal.localcontext(_context(_POWER_PREC, 4 * MAX_EXPONENT)):
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
            f"{_PREC} significant digits) to a power as large as {_describe(exponent)}: its rounding "
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
        size = _render(_context(3, 4 * MAX_EXPONENT).plus(magnitude))
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
        raise CalculatorError(f"result too large: exp({_describe(x)}) is beyond 1e{MAX_EXPONENT}")
    if x < -MAX_EXPONENT * 3:
        raise CalculatorError(f"result too small: exp({_describe(x)}) is below 1e-{MAX_EXPONENT}")
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
            raise CalculatorError(f"math domain error: {name}() needs -1 <= x <= 1, got {_describe(x)}")
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
            f"factorial argument too large: {_describe(Fraction(n))} (limit {MAX_FACTORIAL:,})"
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


_FUNCTIONS: dict[str, _Function] = {
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
FUNCTIONS: tuple[str, ...] = tuple(_FUNCTIONS)
"""Names of the functions the calculator accepts (the tool's docstring lists them all)."""


# --------------------------------------------------------------------------------------------
# Evaluation


class _Evaluator:
    def __init__(self) -> None:
        self._cpu_deadline = time.thread_time() + TIME_LIMIT_S
        self._wall_deadline = time.monotonic() + WALL_LIMIT_S

    def _tick(self) -> None:
        if time.thread_time() > self._cpu_deadline or time.monotonic() > self._wall_deadline:
            raise CalculatorError(f"calculation took too long (limit {TIME_LIMIT_S} s): simplify it")

    def eval(self, node: _Node) -> Value:
        self._tick()
        value = self._step(node)
        self._tick()
        return value

    def _step(self, node: _Node) -> Value:
        match node:
            case _Literal(value):
                return value
            case _Negate(operand):
                return -self.eval(operand)
            case _Chain(first, rest):
                value = self.eval(first)
                for op, operand in rest:
                    value = _binary(op, value, self.eval(operand))
                    self._tick()
                return value
            case _Power(base, exponent):
                return _power(self.eval(base), self.eval(exponent))
            case _Factorial(operand):
                return _factorial(self.eval(operand))
            case _Call(name, args):
                values = [self.eval(arg) for arg in args]
                self._tick()
                return _FUNCTIONS[name].apply(*values)
        raise CalculatorError("unsupported expression")  # unreachable: the parser builds no other node


# --------------------------------------------------------------------------------------------
# Formatting


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


def _render(number: Decimal) -> str:
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


def _format(value: Value) -> str:
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return _int_to_str(value.numerator)
        exact = _terminating(value)
        if exact is not None and _significant_digits(exact) <= MAX_EXACT_DISPLAY_DIGITS:
            return _render(exact)
        # Exact values reach 1e±(MAX_DIGITS + 1): a wider exponent range than evaluation's.
        context = _context(SHOWN_DIGITS, 2 * MAX_EXPONENT)
        return _render(context.divide(Decimal(value.numerator), Decimal(value.denominator)))
    return _render(_context(SHOWN_DIGITS).plus(value))


def _describe(value: Value) -> str:
    """A number for an error message: big integers abbreviated to 6 significant digits."""
    if isinstance(value, Fraction) and value.denominator == 1 and value.numerator.bit_length() > 64:
        return _render(_context(6, 2 * MAX_EXPONENT).plus(Decimal(value.numerator)))
    return _format(value)


# --------------------------------------------------------------------------------------------
# Public API


def calculate(expression: str) -> str:
    """Evaluate ``expression`` exactly and safely; the result as text (format: module docstring).

    Raises ``CalculatorError`` (a ``ValueError``) for syntax errors, unknown names, division by
    zero, math domain errors and anything over a bound, always within about one second.
    """
    if not isinstance(expression, str):
        raise CalculatorError("the expression must be a string")
    if len(expression) > MAX_INPUT_CHARS:
        raise CalculatorError(
            f"expression too long: {len(expression):,} characters (limit {MAX_INPUT_CHARS:,})"
        )
    normalised, positions = _normalise(expression)
    text = _strip_trailing_equals(normalised)
    if not text.strip():
        raise CalculatorError("empty expression")
    try:
        tree = _Parser(_tokenize(text, positions)).parse()
        with decimal.localcontext(_context(_PREC)):
            return _format(_Evaluator().eval(tree))
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
