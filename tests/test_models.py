"""Model specs to chat models, and strict tool schemas only on OpenAI's own API."""

from __future__ import annotations

import pytest
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI

from agent.models.loading import OLLAMA_BASE_URL, ModelConfigError, load_model
from agent.settings import Settings
from graphs.assistant import bind_tools


@tool
def calculator(expression: str) -> str:
    """Evaluate."""
    return expression


def test_openai_spec_with_a_key() -> None:
    model = load_model("openai:gpt-4o-mini", Settings(_env_file=None, OPENAI_API_KEY="sk-x"))
    assert isinstance(model, ChatOpenAI)
    assert (model.model_name, model.openai_api_base) == ("gpt-4o-mini", None)


def test_openai_spec_on_a_compatible_server_needs_no_key() -> None:
    model = load_model("openai:qwen", Settings(_env_file=None, base_url="http://127.0.0.1:8000/v1"))
    assert isinstance(model, ChatOpenAI)
    assert model.openai_api_base == "http://127.0.0.1:8000/v1"


def test_ollama_spec_is_the_openai_compatible_endpoint() -> None:
    model = load_model("ollama:llama3.1", Settings(_env_file=None))
    assert isinstance(model, ChatOpenAI)
    assert (model.model_name, model.openai_api_base) == ("llama3.1", OLLAMA_BASE_URL)


def test_default_spec_follows_the_key() -> None:
    assert Settings(_env_file=None).model_spec == "local"
    assert Settings(_env_file=None, OPENAI_API_KEY="sk-x").model_spec == "openai:gpt-4o-mini"
    assert Settings(_env_file=None, OPENAI_API_KEY="sk-x", model="local").model_spec == "local"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("openai:gpt-4o-mini", "OPENAI_API_KEY"),
        ("openai:", "names no model"),
        ("gpt-4o", "unknown model spec"),
    ],
)
def test_unusable_specs_name_the_setting(spec: str, message: str) -> None:
    with pytest.raises(ModelConfigError, match=message):
        load_model(spec, Settings(_env_file=None))


def test_api_key_never_shows_in_settings_repr() -> None:
    assert "sk-secret" not in repr(Settings(_env_file=None, OPENAI_API_KEY="sk-secret"))


def test_strict_tool_schemas_only_on_openais_own_api() -> None:
    hosted = bind_tools(ChatOpenAI(model="gpt-4o-mini", api_key="sk-x"), [calculator])
    served = bind_tools(
        ChatOpenAI(model="qwen", api_key="x", base_url="http://127.0.0.1:8000/v1"), [calculator]
    )
    assert hosted.kwargs["tools"][0]["function"]["strict"] is True  # type: ignore[attr-defined]
    assert "strict" not in served.kwargs["tools"][0]["function"]  # type: ignore[attr-defined]
