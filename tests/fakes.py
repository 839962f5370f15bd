"""One scripted fake chat model for graph tests: it plays back AIMessages (tool calls and invalid tool calls
included), records every prompt it was sent, and supports ``bind_tools`` and ``with_structured_output``."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, ToolCall
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable, RunnableLambda
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

Step = AIMessage | str | Exception | Callable[[list[BaseMessage]], AIMessage]


def call(tool_name: str, /, **args: Any) -> ToolCall:
    """A tool call with a fresh id."""
    return ToolCall(name=tool_name, args=args, id=f"call_{uuid.uuid4().hex[:12]}", type="tool_call")


def tool_calls(*calls: ToolCall, content: str = "") -> AIMessage:
    """A model message that calls tools."""
    return AIMessage(content=content, tool_calls=list(calls))


class ScriptedChatModel(BaseChatModel):
    """Plays back ``script`` one step per call: an AIMessage, a string (an answer), an exception (raised), or a
    function of the prompt. ``critiques`` are played back by ``with_structured_output``. Running out of script
    is an error, so a test cannot silently loop."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    script: list[Any] = Field(default_factory=list)
    """Steps (see ``Step``), one per planner call."""
    critiques: list[Any] = Field(default_factory=list)
    name_of_model: str = "scripted"
    _position: int = PrivateAttr(default=0)
    _critique_position: int = PrivateAttr(default=0)
    prompts: list[list[BaseMessage]] = Field(default_factory=list)
    """Every prompt the model was sent (planner calls), in order."""
    critic_prompts: list[list[BaseMessage]] = Field(default_factory=list)
    bound_tools: list[str] = Field(default_factory=list)
    """Names of the tools bound by the last ``bind_tools`` call."""

    @property
    def _llm_type(self) -> str:
        return "scripted"

    @property
    def calls(self) -> int:
        """How many planner calls were made."""
        return len(self.prompts)

    def _next(self, messages: list[BaseMessage]) -> AIMessage:
        self.prompts.append(list(messages))
        if self._position >= len(self.script):
            raise AssertionError(f"scripted model ran out of script after {self._position} calls")
        step = self.script[self._position]
        self._position += 1
        if isinstance(step, Exception):
            raise step
        if isinstance(step, str):
            return AIMessage(content=step, id=_new_id())
        message = step(messages) if callable(step) and not isinstance(step, AIMessage) else step
        return message.model_copy(update={"id": message.id or _new_id()})

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self._next(messages))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        message = self._next(messages)
        words = message.text.split(" ") if message.text else []
        for index, word in enumerate(words):
            piece = word if index == 0 else " " + word
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece, id=message.id))
            if run_manager:
                run_manager.on_llm_new_token(piece, chunk=chunk)
            yield chunk
        yield ChatGenerationChunk(
            message=AIMessageChunk(
                content="",
                id=message.id,
                tool_call_chunks=[
                    *(
                        {
                            "name": c["name"],
                            "args": _json(c["args"]),
                            "id": c["id"],
                            "index": i,
                            "type": "tool_call_chunk",
                        }
                        for i, c in enumerate(message.tool_calls)
                    ),
                    *(
                        {
                            "name": c["name"],
                            "args": c["args"],
                            "id": c["id"],
                            "index": len(message.tool_calls) + i,
                            "type": "tool_call_chunk",
                        }
                        for i, c in enumerate(message.invalid_tool_calls)
                    ),
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


def _json(args: dict[str, Any]) -> str:
    import json

    return json.dumps(args)
