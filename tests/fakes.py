"""One scripted fake chat model for graph tests: it plays back AIMessages (tool calls and invalid tool calls
included), records every prompt it was sent, and supports ``bind_tools`` and ``with_structured_output``.

Built on langchain-core's ``GenericFakeChatModel``, as LangGraph's own tests are
(``libs/langgraph/tests/fake_chat.py``): it reads each reply from its ``messages`` iterator, which here plays
the script. Streaming is ours: the text word by word, then a last chunk with the tool calls."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, ToolCall
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable, RunnableLambda
from pydantic import BaseModel, Field, PrivateAttr

Step = AIMessage | str | Exception | Callable[[list[BaseMessage]], AIMessage]


def call(tool_name: str, /, **args: Any) -> ToolCall:
    """A tool call with a fresh id."""
    return ToolCall(name=tool_name, args=args, id=f"call_{uuid.uuid4().hex[:12]}", type="tool_call")


def tool_calls(*calls: ToolCall, content: str = "") -> AIMessage:
    """A model message that calls tools."""
    return AIMessage(content=content, tool_calls=list(calls))


class _Playback(Iterator[AIMessage]):
    """The script as the iterator ``GenericFakeChatModel`` reads: each step becomes the AIMessage it plays
    (a function of the prompt is called with the last one recorded; an exception is raised). Running out of
    script is an error, so a test cannot silently loop."""

    def __init__(self, steps: list[Any], prompts: list[list[BaseMessage]]) -> None:
        self._steps = steps
        self._prompts = prompts
        self._position = 0

    def __next__(self) -> AIMessage:
        if self._position >= len(self._steps):
            raise AssertionError(f"scripted model ran out of script after {self._position} calls")
        step = self._steps[self._position]
        self._position += 1
        if isinstance(step, Exception):
            raise step
        if isinstance(step, str):
            return AIMessage(content=step, id=_new_id())
        message = step(self._prompts[-1]) if callable(step) and not isinstance(step, AIMessage) else step
        return message.model_copy(update={"id": message.id or _new_id()})


class ScriptedChatModel(GenericFakeChatModel):
    """Plays back ``script`` one step per call: an AIMessage, a string (an answer), an exception (raised), or a
    function of the prompt. ``critiques`` are played back by ``with_structured_output``. Running out of script
    is an error, so a test cannot silently loop."""

    script: list[Any] = Field(default_factory=list)
    """Steps (see ``Step``), one per planner call."""
    critiques: list[Any] = Field(default_factory=list)
    messages: Iterator[AIMessage | str] = Field(default_factory=lambda: iter(()), exclude=True)
    """Set from ``script`` (``GenericFakeChatModel`` reads its replies here)."""
    name_of_model: str = "scripted"
    _critique_position: int = PrivateAttr(default=0)
    prompts: list[list[BaseMessage]] = Field(default_factory=list)
    """Every prompt the model was sent (planner calls), in order."""
    critic_prompts: list[list[BaseMessage]] = Field(default_factory=list)
    bound_tools: list[str] = Field(default_factory=list)
    """Names of the tools bound by the last ``bind_tools`` call."""

    def model_post_init(self, context: Any, /) -> None:
        super().model_post_init(context)
        self.messages = _Playback(self.script, self.prompts)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    @property
    def calls(self) -> int:
        """How many planner calls were made."""
        return len(self.prompts)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.prompts.append(list(messages))
        return super()._generate(messages, stop, run_manager, **kwargs)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        message = self._generate(messages, stop, run_manager, **kwargs).generations[0].message
        if not isinstance(message, AIMessage):
            raise TypeError(f"a scripted step must be an AIMessage, got {type(message).__name__}")
        # Word by word, each with its leading space (GenericFakeChatModel yields words and spaces as separate
        # tokens; the REPL's tests pin these), then a last chunk with the tool calls, which it does not stream.
        words = message.text.split(" ") if message.text else []
        for index, word in enumerate(words):
            piece = word if index == 0 else " " + word
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece, id=message.id))
            if run_manager:
                run_manager.on_llm_new_token(piece, chunk=chunk)
            yield chunk
        calls = [(c["name"], json.dumps(c["args"]), c["id"]) for c in message.tool_calls]
        calls += [(c["name"], c["args"], c["id"]) for c in message.invalid_tool_calls]
        yield ChatGenerationChunk(
            message=AIMessageChunk(
                content="",
                id=message.id,
                tool_call_chunks=[
                    {"name": name, "args": args, "id": id_, "index": index, "type": "tool_call_chunk"}
                    for index, (name, args, id_) in enumerate(calls)
                ],
                chunk_position="last",
            )
        )

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Runnable[Any, BaseMessage]:
        self.bound_tools = [getattr(tool, "name", str(tool)) for tool in tools]
        return self

    def with_structured_output(self, schema: Any, **kwargs: Any) -> Runnable[Any, Any]:
        def critique(messages: Any) -> Any:
            self.critic_prompts.append(list(messages))
            if self._critique_position >= len(self.critiques):
                raise AssertionError("scripted model ran out of critiques")
            item = self.critiques[self._critique_position]
            self._critique_position += 1
            if isinstance(item, Exception):
                raise item
            return (
                schema.model_validate(item)
                if isinstance(item, dict) and isinstance(schema, type) and issubclass(schema, BaseModel)
                else item
            )

        return RunnableLambda(critique)


def _new_id() -> str:
    # Unique across processes: a thread continued by another process must not reuse an id.
    return f"ai_{uuid.uuid4().hex}"
