"""Reading an expression: normalisation, tokens, the tree node types and the parser.

Nothing here evaluates text as code. A small tokenizer and precedence-climbing parser accept
exactly the calculator grammar below and build a tiny tree, which ``tools.calculator.numbers``
evaluates.

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

The constants and functions are the evaluator's; the parser is given them (``Parser(tokens,
functions, constants)``) to check names and argument counts as it reads.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from typing import Protocol

from tools.calculator.limits import MAX_DEPTH, MAX_DIGITS, CalculatorError
from tools.calculator.values import Value


class Signature(Protocol):
    """What the parser needs to know of a function: whether it takes that many arguments."""

    def check_arity(self, given: int) -> None: ...


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


def normalise(text: str) -> tuple[str, list[int]]:
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


def strip_trailing_equals(text: str) -> str:
    """Drop a trailing ``=`` or ``= ?`` (``12*12 =``), as models often write."""
    stripped = text.rstrip()
    if stripped.endswith("?") and stripped[:-1].rstrip().endswith("="):
        stripped = stripped[:-1].rstrip()
    return stripped[:-1] if stripped.endswith("=") else text


def tokenize(text: str, positions: list[int]) -> list[_Token]:
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
class Literal:
    value: Value


@dataclass(frozen=True, slots=True)
class Negate:
    operand: Node


@dataclass(frozen=True, slots=True)
class Chain:
    """A left-associative run such as ``a + b - c``: evaluated in a loop, so long sums do not
    nest (and cannot exhaust the stack)."""

    first: Node
    rest: tuple[tuple[str, Node], ...]


@dataclass(frozen=True, slots=True)
class Power:
    base: Node
    exponent: Node


@dataclass(frozen=True, slots=True)
class Factorial:
    operand: Node


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple[Node, ...]


Node = Literal | Negate | Chain | Power | Factorial | Call


class Parser:
    """Builds the tree of one expression; ``functions`` and ``constants`` are the names it accepts."""

    def __init__(
        self, tokens: list[_Token], functions: Mapping[str, Signature], constants: Mapping[str, Value]
    ) -> None:
        self._tokens = tokens
        self._functions = functions
        self._constants = constants
        self._index = 0
        self._depth = 0

    def parse(self) -> Node:
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

    def _sum(self) -> Node:
        first = self._term()
        rest: list[tuple[str, Node]] = []
        while self._peek().text in ("+", "-"):
            op = self._next().text
            rest.append((op, self._term()))
        return Chain(first, tuple(rest)) if rest else first

    def _term(self) -> Node:
        first = self._unary()
        rest: list[tuple[str, Node]] = []
        while self._peek().text in ("*", "/", "//", "%"):
            op = self._next().text
            if op == "%" and self._ends_percentage():
                raise self._percentage()
            rest.append((op, self._unary()))
        return Chain(first, tuple(rest)) if rest else first

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

    def _unary(self) -> Node:
        if self._peek().text in ("+", "-"):
            op = self._next().text
            with self._nested():
                operand = self._unary()
            return Negate(operand) if op == "-" else operand
        return self._power()

    def _power(self) -> Node:
        base = self._postfix()
        if self._peek().text == "**":
            self._next()
            with self._nested():
                return Power(base, self._unary())
        return base

    def _postfix(self) -> Node:
        node = self._primary()
        if self._peek().text == "!":
            self._next()
            node = Factorial(node)
        return node

    def _primary(self) -> Node:
        token = self._next()
        if token.kind == "number":
            return Literal(_parse_number(token))
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

    def _name(self, token: _Token) -> Node:
        name = token.text
        calls = self._peek().text == "("
        if name in self._constants:
            return Literal(self._constants[name])
        function = self._functions.get(name)
        if function is None:
            if calls:
                raise CalculatorError(
                    f"unknown function {token.shown!r}; available: {', '.join(self._functions)}"
                )
            raise CalculatorError(
                f"unknown name {token.shown!r} at position {token.pos}: only the constants pi and e "
                "are defined (no variables or units)"
            )
        if not calls:
            raise CalculatorError(f"{name} is a function: call it as {name}(...)")
        opening = self._next()
        args: list[Node] = []
        with self._nested():
            if self._peek().text != ")":
                args.append(self._sum())
                while self._peek().text == ",":
                    self._next()
                    args.append(self._sum())
        self._close(opening)
        function.check_arity(len(args))
        return Call(name, tuple(args))
