"""Whether a decoded tool call's arguments come from the request, and whether a further call in the same
answer asks for another part of it ("the weather in Paris and in Rome": two calls).

A small model asked for arguments writes some, whether the request holds them or not; asked for "the next
call", it writes one, since a list once begun goes on. What decides whether a call is made is not the
model but these checks on what it wrote: every required value must be written in the request
(:func:`takes_values_from`), and a further call of a tool already called must set a parameter that an
earlier call set to a value of the request that no earlier call used (:func:`another_part`: "stage 3 in
hard mode" after "stage 7 in easy mode"). A call that only reshuffles values already used, or adds an
optional detail to the same call, is not another part of the request.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)?(?:\.\d+)?(?:[eE][-+]?\d+)?")
"""A number written with digits; a unit may follow it ("5C", "100m"), a letter may not come before ("v2")."""
SMALL_NUMBERS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen"
)
NUMBER_WORDS = {word: float(value) for value, word in enumerate(SMALL_NUMBERS.split())} | {
    "twenty": 20.0,
    "thirty": 30.0,
    "forty": 40.0,
    "fifty": 50.0,
    "hundred": 100.0,
    "thousand": 1000.0,
    "dozen": 12.0,
}
"""Numbers a request may write in words ("for three days", "a dozen eggs")."""


def _plain(text: str) -> str:
    """Lower case, quotes dropped, runs of whitespace as one space: how values are found in a request."""
    return " ".join(text.lower().replace('"', " ").replace("'", " ").split())


def numbers_in(text: str) -> list[float]:
    """The numbers written in ``text``: with digits ("1,200", "3.5", "-2", "1e-9", "5C"), then in words
    ("three", "a dozen")."""
    values = []
    for match in NUMBER.finditer(text):
        written = match.group().replace(",", "")
        if any(ch.isdigit() for ch in written):
            values.append(float(written))
    values += [NUMBER_WORDS[word] for word in re.findall(r"[a-z]+", text.lower()) if word in NUMBER_WORDS]
    return values


def grounded(value: Any, request: str) -> bool:
    """Whether ``value`` (an argument, or part of one) is written in ``request``.

    Numbers must be among the request's numbers (a percentage may be given as its fraction); strings must
    appear in it, ignoring case, quotes and spacing; lists and objects must be grounded throughout.
    Booleans carry no evidence either way and count as grounded.
    """
    if isinstance(value, bool):
        return True
    if isinstance(value, int | float):
        return any(
            math.isclose(value, number, rel_tol=1e-9) or math.isclose(value * 100, number, rel_tol=1e-9)
            for number in numbers_in(request)
        )
    if isinstance(value, str):
        plain = _plain(value)
        return bool(plain) and plain in _plain(request)
    if isinstance(value, list):
        return bool(value) and all(grounded(item, request) for item in value)
    if isinstance(value, dict):
        return bool(value) and all(grounded(item, request) for item in value.values())
    return False


def _leaves(value: Any) -> Iterator[Any]:
    """The scalar values inside an argument (strings normalised, booleans left out)."""
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    elif isinstance(value, str):
        yield _plain(value)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield float(value)


def takes_values_from(args: Mapping[str, Any], schema: Mapping[str, Any], request: str) -> bool:
    """Whether every required argument of a call is written in the request (or is one of its enum's)."""
    properties = schema.get("properties", {})
    for name in schema.get("required", []):
        if name not in args:
            return False
        allowed = properties.get(name, {}).get("enum")
        if allowed is not None and args[name] in allowed:
            continue
        if not grounded(args[name], request):
            return False
    return True


def another_part(args: Mapping[str, Any], earlier: Sequence[Mapping[str, Any]], request: str) -> bool:
    """Whether a further call of a tool (``args``) asks for a part of ``request`` that its ``earlier``
    calls did not: some parameter an earlier call set is set to a value from the request that no earlier
    call used anywhere."""
    if any(dict(args) == dict(call) for call in earlier):
        return False
    used = {leaf for call in earlier for leaf in _leaves(dict(call))}
    for name, value in args.items():
        if not any(name in call for call in earlier) or not grounded(value, request):
            continue
        if any(leaf not in used for leaf in _leaves(value)):
            return True
    return False


def without_values(request: str, calls: Sequence[Mapping[str, Any]], mark: str = "___") -> str:
    """``request`` with the values that ``calls`` used replaced by ``mark``: what is left to ask for.

    Shown the whole request and asked for "the next call", a base model writes the first call again; shown
    the request with the first call's values struck out, it writes the call for what remains ("stage 7 in
    easy mode and stage 3 in hard mode" -> "stage ___ in ___ mode and stage 3 in hard mode").
    """
    numbers = {leaf for call in calls for leaf in _leaves(dict(call)) if isinstance(leaf, float)}
    texts = sorted(
        {leaf for call in calls for leaf in _leaves(dict(call)) if isinstance(leaf, str) and leaf},
        key=len,
        reverse=True,
    )

    def strike_number(match: re.Match[str]) -> str:
        written = match.group().replace(",", "")
        if any(ch.isdigit() for ch in written) and float(written) in numbers:
            return mark
        return match.group()

    left = NUMBER.sub(strike_number, request)
    for text in texts:
        left = re.sub(re.escape(text).replace(r"\ ", r"\s+"), mark, left, flags=re.IGNORECASE)
    return left


def without_invented(args: Mapping[str, Any], schema: Mapping[str, Any], request: str) -> dict[str, Any]:
    """``args`` without the optional arguments whose values the request does not write: left out, the
    tool's defaults apply, where a small model's guess ("pressure": 1259666754) would be wrong. Booleans
    and members of an enum stay (a choice among the schema's own values, not an invented one)."""
    required = set(schema.get("required", []))
    properties = schema.get("properties", {})
    kept = {}
    for name, value in args.items():
        allowed = properties.get(name, {}).get("enum")
        chosen = isinstance(value, bool) or (allowed is not None and value in allowed)
        if name in required or chosen or grounded(value, request):
            kept[name] = value
    return kept
