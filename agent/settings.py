"""Typed settings, read once from the environment (prefix ``AGENT_``), ``.env`` and the user's config file,
then passed in.

Nodes and tools never read ``os.environ`` themselves: they get a ``Settings`` object.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Annotated, Literal

from platformdirs import user_config_dir, user_data_dir
from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

ReflectionMode = Literal["auto", "always", "off"]
SearchBackend = Literal["ddgs", "tavily", "searxng", "off"]
StructuredOutputMethod = Literal["auto", "json_schema", "function_calling", "json_mode"]


APP_NAME = "langgraph-assistant"
CONFIG_FILE_VARIABLE = "AGENT_CONFIG"


def _default_home() -> Path:
    return Path(user_data_dir(APP_NAME, appauthor=False))


class ConfigFileError(ValueError):
    """The user's config file exists but cannot be read as TOML; the message names the file."""


def config_file() -> Path:
    """The user's config file: ``$AGENT_CONFIG``, else ``config.toml`` in the user config directory
    (``~/.config/langgraph-assistant/config.toml`` on Linux). Its keys are the settings' names
    (``model = "openai:gpt-4o-mini"``, ``search = "off"``); the environment and ``.env`` take precedence."""
    named = os.environ.get(CONFIG_FILE_VARIABLE)
    return (
        Path(named).expanduser()
        if named
        else Path(user_config_dir(APP_NAME, appauthor=False)) / "config.toml"
    )


class Settings(BaseSettings):
    """Everything a user can configure. Each field is read from ``AGENT_<NAME>`` unless noted."""

    model_config = SettingsConfigDict(
        env_prefix="AGENT_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    home: Path = Field(default_factory=_default_home)
    """Where memory, the knowledge base and REPL history live (default: the user's data directory)."""

    model: str | None = None
    """Model spec: ``provider:model`` as ``init_chat_model`` reads it (``openai:<model>``, ``ollama:<model>``,
    ``anthropic:<model>``, ... for any installed provider package), ``local`` or ``local:/path/model.gguf``.
    Unset: ``openai:gpt-4o-mini`` when ``OPENAI_API_KEY`` is set, else ``local``."""

    model_timeout: float = Field(default=30.0, gt=0, allow_inf_nan=False)
    """Seconds a model server may take to answer a request (or between two streamed pieces); a server that
    never answers fails the turn within about twice this (one retry)."""

    structured_output: StructuredOutputMethod = "auto"
    """How the reflection critic asks for its verdict: ``json_schema``, ``function_calling``, ``json_mode``, or
    ``auto`` (the model's default; on OpenAI-compatible servers json_schema, then function_calling, then
    json_mode, each tried once the server rejects the one before)."""

    local_adapter: bool = True
    """The embedded model's planner uses its trained adapter (``graphs/planning/trained.py``) for the first
    call of a turn; off: the planner's rules alone (``AGENT_LOCAL_ADAPTER=false``)."""

    local_threads: int | None = Field(default=None, ge=1)
    """Threads for the embedded model (``local``); unset: all cores. Fewer can be faster on a busy machine."""

    base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("AGENT_BASE_URL", "OPENAI_BASE_URL")
    )
    """Base URL of an OpenAI-compatible server (vLLM, Ollama, LM Studio, llama.cpp server), for ``openai:``."""

    ollama_host: str | None = Field(default=None, validation_alias="OLLAMA_HOST")
    """Ollama's address for ``ollama:`` specs (Ollama's own variable); unset: ``http://localhost:11434``.
    ``AGENT_BASE_URL`` is never used for ``ollama:``: it names the server of ``openai:`` specs."""

    openai_api_key: SecretStr | None = Field(default=None, validation_alias="OPENAI_API_KEY")
    """The OpenAI (or compatible server's) API key; never logged or checkpointed."""

    memory: str | None = None
    """Checkpointer URL: ``sqlite:///path``, ``postgresql://...`` or ``memory``. Unset: ``sqlite:///<home>/memory.db``."""

    search: SearchBackend = "ddgs"
    """Web search backend."""

    searxng_url: str | None = None
    """Base URL of a SearXNG instance (for ``AGENT_SEARCH=searxng``)."""

    tavily_api_key: SecretStr | None = Field(default=None, validation_alias="TAVILY_API_KEY")
    """Tavily API key (for ``AGENT_SEARCH=tavily``)."""

    search_timeout: float = Field(default=10.0, gt=0, allow_inf_nan=False)
    """Seconds before a web search gives up."""

    chroma_url: str | None = None
    """A Chroma server (``http://host:8000``); unset: an embedded store under ``home``."""

    collection: str = Field(default="documents", min_length=1)
    """The default knowledge-base collection."""

    embeddings: str = Field(default="local", min_length=1)
    """Embedding model: ``local`` (packaged all-MiniLM-L6-v2) or ``openai:<model>``."""

    reflection: ReflectionMode = "auto"
    """``always`` checks every answer, ``off`` never, ``auto`` only answers that used tools or state numbers."""

    max_reflections: int = Field(default=1, ge=0)
    """How many times reflection may send a draft back per turn."""

    max_steps: int = Field(default=25, ge=1)
    """Model calls allowed per turn before the agent stops with a short closing answer."""

    max_context_tokens: int = Field(default=8000, ge=256)
    """Upper bound on what the planner is sent: a summary of older turns plus recent turns."""

    tool_timeout: float = Field(default=30.0, gt=0, allow_inf_nan=False)
    """Seconds a tool may run before its call is answered with a timeout error."""

    approve_tools: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """Tools that need a human's approval before they run (comma-separated)."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Arguments, then the environment, then ``.env``, then the user's config file (``config_file()``)."""
        path = config_file()
        sources = [init_settings, env_settings, dotenv_settings, file_secret_settings]
        if path.is_file():
            try:
                sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
            except (OSError, tomllib.TOMLDecodeError) as error:
                raise ConfigFileError(
                    f"cannot read the config file {path}: {error} (fix it, or set {CONFIG_FILE_VARIABLE} "
                    "to another file)"
                ) from None
        return tuple(sources)

    @field_validator("approve_tools", mode="before")
    @classmethod
    def _split_comma_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [name.strip() for name in value.split(",") if name.strip()]
        return value

    @property
    def memory_url(self) -> str:
        """The checkpointer URL in force."""
        return self.memory or f"sqlite:///{self.home / 'memory.db'}"

    @property
    def model_spec(self) -> str:
        """The model spec in force."""
        if self.model:
            return self.model
        return "openai:gpt-4o-mini" if self.openai_api_key else "local"
