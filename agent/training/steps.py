"""A word problem's expression as a chain of one-operation calculator calls.

``9*17-73`` becomes ``calculator(9*17)`` → ``153``, then ``calculator(153-73)`` → ``80``: each call is one
operation on numbers of the question or results already shown, innermost first, left to right (the order a
story tells them). A 270M model trained on whole expressions learnt the expression *shapes* it saw and none
it did not (0/117 on held-out shapes, docs/benchmarks.md); one operation at a time, with each result on the
page, is the same small decision for every shape.

The expression is only parsed (``ast.parse``), never evaluated: each operation is computed by the project's
calculator (``compute``), and a number keeps the text the problem wrote (``86.40``, not ``86.4``).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass

OPERATORS: dict[type[ast.operator], str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.Pow: "**",
    ast.Mod: "%",
}


@dataclass(frozen=True)
class Leaf:
    text: str


@dataclass(frozen=True)
class Operation:
    operator: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Function:
    name: str
    argument: Node


Node = Leaf | Operation | Function


@dataclass(frozen=True)
class ChainStep:
    """One calculator call of a chain and the calculator's result."""

    call: str
    result: str


def parse(expression: str) -> Node:
    """The expression's tree of operations; ValueError for anything but numbers, names (``pi``), the
    operators above and one-argument functions (``sqrt``)."""
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError as error:
        raise ValueError(f"not an expression: {expression!r}") from error
    return _node(tree.body, expression)


def _node(node: ast.expr, source: str) -> Node:
    if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
        return Operation(OPERATORS[type(node.op)], _node(node.left, source), _node(node.right, source))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and len(node.args) == 1:
        return Function(node.func.id, _node(node.args[0], source))
    if isinstance(node, ast.Constant | ast.Name) or (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub)
        and isinstance(node.operand, ast.Constant)
    ):
        text = ast.get_source_segment(source, node)
        if text:
            return Leaf(text.replace(" ", ""))
    raise ValueError(f"unsupported part of {source!r}: {ast.dump(node)[:60]}")


def _operand(leaf: Leaf, *, first: bool, operator: str) -> str:
    """A number as an operand: a negative one in parentheses unless it starts a sum or product."""
    negative = leaf.text.startswith("-")
    return f"({leaf.text})" if negative and (not first or operator == "**") else leaf.text


def _reduce(node: Node, compute: Callable[[str], str]) -> tuple[Node, ChainStep] | None:
    """The tree with its first innermost operation replaced by its result, and that step; None for a leaf."""
    if isinstance(node, Leaf):
        return None
    if isinstance(node, Function):
        if isinstance(node.argument, Leaf):
            call = f"{node.name}({node.argument.text})"
            result = compute(call)
            return Leaf(result), ChainStep(call, result)
        inner = _reduce(node.argument, compute)
        assert inner is not None
        return Function(node.name, inner[0]), inner[1]
    for side in ("left", "right"):
        inner = _reduce(getattr(node, side), compute)
        if inner is not None:
            left, right = (inner[0], node.right) if side == "left" else (node.left, inner[0])
            return Operation(node.operator, left, right), inner[1]
    assert isinstance(node.left, Leaf) and isinstance(node.right, Leaf)
    call = (
        _operand(node.left, first=True, operator=node.operator)
        + node.operator
        + _operand(node.right, first=False, operator=node.operator)
    )
    result = compute(call)
    return Leaf(result), ChainStep(call, result)


def chain(expression: str, compute: Callable[[str], str]) -> list[ChainStep]:
    """The one-operation calls that compute ``expression`` with ``compute`` (the calculator), in order; a
    single operation is a chain of one. ``compute``'s errors propagate."""
    node = parse(expression)
    steps: list[ChainStep] = []
    while True:
        reduced = _reduce(node, compute)
        if reduced is None:
            return steps
        node, step = reduced
        steps.append(step)
