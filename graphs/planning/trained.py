"""The planner's trained call writer: the packaged model with the LoRA adapter built by ``agent/training``.

The adapter (``planner_adapter.gguf``, made by ``python -m agent.training train``: docs/benchmarks.md) taught
the 270M base model one thing: given a conversation in the format of :mod:`graphs.planning.call_format`
(``User:``, ``Call:``, ``Result:`` lines), write the next call line. It writes the whole calculator
expression for a word problem (``calculator(9*17-73)``), carries the previous turn's result into a follow-up
(``calculator(144/3)``), and picks the tool for a question. :class:`TrainedCalls` prompts it with the
conversation so far and parses its line; the local planner decides what to do with it
(:mod:`graphs.planning.local`).

The adapter fits the packaged GGUF only; another model file gets no trained calls.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path, PurePath

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from agent.models.local.chat_model import ChatLocalLlama, packaged_model_location
from agent.models.local.engine import Engine, engine_for
from graphs.planning.call_format import (
    CALL_PREFIX,
    RESULT_PREFIX,
    TOOLS,
    USER_PREFIX,
    parse_call,
    render_call,
    render_line,
)
from graphs.turns import written_by_graph

logger = logging.getLogger(__name__)

ADAPTER_PATH = Path(__file__).with_name("planner_adapter.gguf")
ADAPTER_N_CTX = 1024
"""Context of the adapter's engine: the training examples are a few short lines."""
CALL_MAX_TOKENS = 48
RESULT_CHARS = 400
"""How much of a tool result a ``Result:`` line shows (training results are a number or one sentence)."""
HISTORY_TURNS = 3
"""Earlier turns shown before the question: a follow-up needs the previous one or two."""

COMBINING_LINE_GBNF = """
root  ::= " calculator(" pair ("/100")? ")\n"
pair  ::= asked op found | found op asked
op    ::= [-+*/]
asked ::= {asked}
found ::= {found}
"""
"""A calculator call line that combines one number of the question with one of the passage looked up (and
may take a percentage of that: ``400*15/100``); training expressions have no spaces."""


EXPRESSION_LINE_GBNF = """
root   ::= " calculator(" expr ")\n"
expr   ::= term (op term){{0,5}}
term   ::= number | "(" expr ")"
op     ::= [-+*/]
number ::= {numbers}
"""
"""A calculator call line of arithmetic on the given numbers only (each as often as needed)."""


def expression_line_grammar(numbers: Iterable[str]) -> str:
    """:data:`EXPRESSION_LINE_GBNF` over ``numbers``."""
    return EXPRESSION_LINE_GBNF.format(numbers=_alternatives(numbers))


def _alternatives(numbers: Iterable[str]) -> str:
    """Digit strings as GBNF alternatives, the longest first ("3.40" before "3")."""
    written = sorted({n for n in numbers if re.fullmatch(r"\d+(?:\.\d+)?", n)}, key=lambda n: (-len(n), n))
    if not written:
        raise ValueError("a calculator line needs numbers on both sides")
    return " | ".join(f'"{n}"' for n in written)


def combining_line_grammar(asked: Iterable[str], found: Iterable[str]) -> str:
    """:data:`COMBINING_LINE_GBNF` with the question's numbers ``asked`` and the passage's ``found``."""
    return COMBINING_LINE_GBNF.format(asked=_alternatives(asked), found=_alternatives(found))


def digest_path(adapter: Path) -> Path:
    """The adapter's recorded SHA-256 (written beside it by ``agent.training``'s export)."""
    return adapter.with_name(adapter.name + ".sha256")


def record_digest(adapter: Path) -> None:
    digest_path(adapter).write_text(hashlib.sha256(adapter.read_bytes()).hexdigest() + "\n")


def intact(adapter: Path) -> bool:
    """Whether ``adapter`` is the file its export wrote. Checked before llama.cpp loads it: llama.cpp crashes
    the whole process (a segmentation fault, measured) on a truncated or damaged adapter, where a check
    costs ~20 ms once per process."""
    try:
        recorded = digest_path(adapter).read_text().strip()
        return hashlib.sha256(adapter.read_bytes()).hexdigest() == recorded
    except OSError:
        return False


@dataclass(frozen=True)
class Call:
    """One call line the adapter wrote: a tool and its one argument, or ``answer``."""

    tool: str
    argument: str
    prompt: str = ""
    """The conversation it continued (:func:`transcript`): what its numbers may come from."""


def transcript(
    messages: Sequence[BaseMessage], *, turns: int = HISTORY_TURNS, shown: Mapping[str, str] | None = None
) -> str:
    """The conversation in the training format, up to and including the final ``Call:``: the user's messages,
    the calls of our three tools with their results; answers and anything else are left out, as in training.
    ``shown``: the ``Result:`` text of some results, by tool call id, in place of :func:`result_line`'s."""
    shown = shown or {}
    lines: list[list[str]] = []
    for message in messages:
        if isinstance(message, HumanMessage):
            lines.append([render_line(USER_PREFIX, message.text)])
        elif not lines:
            continue
        elif isinstance(message, AIMessage) and not written_by_graph(message):
            for call in message.tool_calls:
                if call["name"] in TOOLS and len(call["args"]) == 1:
                    argument = str(next(iter(call["args"].values())))
                    lines[-1].append(render_line(CALL_PREFIX, render_call(call["name"], argument)))
        elif isinstance(message, ToolMessage) and message.name in TOOLS:
            text = shown.get(message.tool_call_id) or result_line(message)
            lines[-1].append(render_line(RESULT_PREFIX, text[:RESULT_CHARS]))
    return "".join(line for turn in lines[-turns:] for line in turn) + CALL_PREFIX


def result_line(result: ToolMessage) -> str:
    """A tool result as training showed one: a calculator's value, or a search's first passage as
    ``[1] source: text`` (the tool's own text starts with a notice that it is quoted data)."""
    hits = result.artifact if isinstance(result.artifact, list) else []
    first = hits[0] if hits and isinstance(hits[0], dict) else None
    if first is not None and first.get("text"):
        return f"[1] {_source_name(first)}: {first['text']}"
    return result.text


def passage_line(result: ToolMessage, number: str, text: str) -> str:
    """``text``, taken from the search result's passage ``[number]``, as a ``Result:`` line shows a passage
    in training: ``[1] source: text`` (training results hold one passage, always numbered 1)."""
    hits = result.artifact if isinstance(result.artifact, list) else []
    hit = next((h for h in hits if isinstance(h, dict) and str(h.get("n")) == number), None)
    return f"[1] {_source_name(hit) if hit else ''}: {text}"


def _source_name(hit: dict) -> str:
    """A passage's document as the knowledge base names it: its file name (else its title)."""
    return PurePath(str(hit.get("source") or hit.get("title") or "")).name


class TrainedCalls:
    """Next call lines from the packaged model with the planner's adapter, greedy."""

    def __init__(self, model: ChatLocalLlama, adapter: Path = ADAPTER_PATH) -> None:
        self.model = model
        self.adapter = adapter
        self._engine: Engine | None = None
        self.unavailable = False
        """Set when the adapter could not be loaded: the planner's rules alone from then on."""

    @property
    def engine(self) -> Engine:
        """A second llama.cpp engine, with the adapter applied (loaded on first use): the model's own engine
        stays the base model, which writes the answers."""
        if self._engine is None:
            if not intact(self.adapter):
                raise ValueError(
                    f"{self.adapter.name} does not match its recorded SHA-256 (damaged or missing)"
                )
            self._engine = engine_for(
                self.model.model_path, ADAPTER_N_CTX, self.model.n_threads, lora_path=str(self.adapter)
            )
        return self._engine

    def loaded_engine(self) -> Engine | None:
        """:attr:`engine`, or None (logged once) when the adapter cannot be loaded."""
        if self.unavailable:
            return None
        try:
            return self.engine
        except (ValueError, OSError, RuntimeError) as error:  # a damaged file, or llama.cpp's load errors
            logger.warning(
                "the planner's adapter %s could not be loaded (%s): rules alone", self.adapter, error
            )
            self.unavailable = True
            return None

    def next_call(
        self,
        messages: Sequence[BaseMessage],
        *,
        argument_for: Sequence[str] = TOOLS,
        shown: Mapping[str, str] | None = None,
    ) -> Call | None:
        """The call the adapter writes after ``messages``, or None when its line is not a call.

        One greedy line, as in training, streamed: it stops as soon as the tool's name is known when the tool
        is not in ``argument_for`` (such a call gets "" as its argument): a search's query the planner takes
        from the question costs no decoding then. (Decoding the name and then, from a new prompt, the argument
        gave another expression in 4 of 99 held-out examples: a different tokenization of the line.)
        """
        engine = self.loaded_engine()
        if engine is None:
            return None
        prompt = transcript(messages, shown=shown)
        tokens = engine.fit(engine.tokenize(prompt), ADAPTER_N_CTX - CALL_MAX_TOKENS - 1)
        line = ""
        with closing(
            engine.stream(tokens, max_tokens=CALL_MAX_TOKENS, temperature=0.0, stop=["\n"])
        ) as pieces:
            for piece, _ in pieces:
                line += piece
                name, bracket, _ = line.strip().partition("(")
                if bracket and name in TOOLS and name not in argument_for:
                    return Call(name, "", prompt)
        parsed = parse_call(line)
        logger.debug("trained call after %r: %r", prompt[-200:], line)
        return Call(*parsed, prompt) if parsed else None

    def grounded_calculator_call(
        self, prompt: str, asked: Iterable[str], found: Iterable[str]
    ) -> Call | None:
        """The calculator line the adapter writes after ``prompt`` when it must combine a number of the
        question (``asked``) with one of the passage looked up (``found``): greedy under a grammar
        (``Engine.constrained``), so no other number is written and neither side is left out.

        Asked after a look-up when the free line leaves out the figure looked up or the question's quantity:
        "3*3" for 3 nozzles of 400 hours. Under a grammar of the allowed numbers only, it wrote "3*3" again
        for 3 apple turnovers at 3.40 (the "3" of "3.40" was a number of its own); one number from each
        side keeps the adapter's choices wherever they were allowed ("200*6" for "2*6")."""
        engine = self.loaded_engine()
        if engine is None:
            return None
        try:
            grammar = combining_line_grammar(asked, found)
            completion = engine.constrained(prompt, grammar, max_tokens=CALL_MAX_TOKENS, repeat_penalty=1.0)
        except ValueError as error:  # no numbers on a side, or a grammar llama.cpp refuses
            logger.debug("no grounded calculator line: %s", error)
            return None
        parsed = parse_call(completion.text)
        logger.debug("grounded calculator call after %r: %r", prompt[-200:], completion.text)
        return Call(*parsed, prompt) if parsed else None

    def calculator_call_over(self, prompt: str, numbers: Iterable[str]) -> Call | None:
        """The calculator line the adapter writes after ``prompt`` with ``numbers`` only: greedy under
        :func:`expression_line_grammar`. Asked when its free line used a number nothing in the conversation
        explains (``22.50*36*3`` for a weekly pay, ``1000/270`` for 270 km in 3 hours)."""
        engine = self.loaded_engine()
        if engine is None:
            return None
        try:
            grammar = expression_line_grammar(numbers)
            completion = engine.constrained(prompt, grammar, max_tokens=CALL_MAX_TOKENS, repeat_penalty=1.0)
        except ValueError as error:
            logger.debug("no calculator line over %s: %s", list(numbers), error)
            return None
        parsed = parse_call(completion.text)
        logger.debug("calculator call over %s after %r: %r", list(numbers), prompt[-200:], completion.text)
        return Call(*parsed, prompt) if parsed else None


def trained_calls_for(model: ChatLocalLlama) -> TrainedCalls | None:
    """Trained calls for ``model`` when the adapter is packaged and the model is the packaged GGUF it was
    trained on; None otherwise (the planner's rules alone)."""
    if not ADAPTER_PATH.is_file():
        return None
    try:
        packaged = packaged_model_location().resolve()
    except ImportError:
        return None
    return TrainedCalls(model) if Path(model.model_path).resolve() == packaged else None
