"""The reflection critic: the model asked for a ``Critique`` with a structured-output method its server takes.

OpenAI-compatible servers support different methods (their documentation, and what we tested, are listed in
the README): vLLM, Ollama, LM Studio and llama.cpp's C++ server take ``response_format: json_schema``;
llama-cpp-python's server rejects it and takes forced tool calls (``function_calling``, with a
``*-function-calling`` chat format) and ``json_object`` (``json_mode``). With ``AGENT_STRUCTURED_OUTPUT=auto`` a
ChatOpenAI model tries json_schema, then function_calling, then json_mode: a method the server rejects for good
(``agent.models.errors.is_rejection``) is dropped for the rest of the process, so only the first reflection pays
for the probe. Any other model uses its own default method. Whatever still fails is the reflection node's to
absorb: a failed critique never costs the user the draft.
"""

from __future__ import annotations

import sys
import threading
from typing import TYPE_CHECKING, Any

from langchain_core.messages import BaseMessage, SystemMessage
from langchain_core.runnables import Runnable, RunnableLambda

from agent.models.errors import is_rejection
from agent.settings import StructuredOutputMethod
from graphs.prompts import CRITIQUE_JSON_FORMAT
from graphs.state import Critique

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

FALLBACK_ORDER: tuple[str, ...] = ("json_schema", "function_calling", "json_mode")
# Servers reject a method with these statuses, not with a missing key or model (those are worth saying).
_NOT_A_METHOD_PROBLEM = {401, 403, 404}


def _is_openai_compatible(model: BaseChatModel) -> bool:
    module = sys.modules.get("langchain_openai")
    return module is not None and isinstance(model, module.ChatOpenAI)


class MethodFallback:
    """Invokes the first structured-output method that the server has not rejected yet."""

    def __init__(self, critics: list[tuple[str, Runnable[Any, Any]]]) -> None:
        self._critics = critics
        self._lock = threading.Lock()

    @property
    def method(self) -> str:
        """The method the next call uses."""
        return self._critics[0][0]

    def _drop(self, method: str) -> bool:
        with self._lock:
            if len(self._critics) > 1 and self._critics[0][0] == method:
                self._critics.pop(0)
            return self._critics[0][0] != method

    def invoke(self, messages: Any) -> Any:
        while True:
            method, critic = self._critics[0]
            try:
                return critic.invoke(messages)
            except Exception as error:
                status = getattr(error, "status_code", None)
                if not is_rejection(error) or status in _NOT_A_METHOD_PROBLEM or not self._drop(method):
                    raise

    async def ainvoke(self, messages: Any) -> Any:
        while True:
            method, critic = self._critics[0]
            try:
                return await critic.ainvoke(messages)
            except Exception as error:
                status = getattr(error, "status_code", None)
                if not is_rejection(error) or status in _NOT_A_METHOD_PROBLEM or not self._drop(method):
                    raise


def _with_format(messages: list[BaseMessage]) -> list[BaseMessage]:
    return [*messages, SystemMessage(CRITIQUE_JSON_FORMAT)]


def _structured(model: BaseChatModel, method: str) -> Runnable[Any, Any]:
    critic = model.with_structured_output(Critique, method=method)
    # json_mode constrains the reply to JSON, not to our fields: the prompt has to name them.
    return RunnableLambda(_with_format) | critic if method == "json_mode" else critic


def make_critic(model: BaseChatModel, method: StructuredOutputMethod = "auto") -> Runnable[Any, Any] | None:
    """``model`` asked for a ``Critique``; None when the model has no structured output at all."""
    try:
        if method != "auto":
            return _structured(model, method)
        if not _is_openai_compatible(model):
            return model.with_structured_output(Critique)
        fallback = MethodFallback([(name, _structured(model, name)) for name in FALLBACK_ORDER])
    except NotImplementedError:
        return None
    return RunnableLambda(fallback.invoke, afunc=fallback.ainvoke, name="critic")
