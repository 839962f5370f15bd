"""One clear line for the errors users meet, naming the setting that fixes them, with the server's reason."""

from __future__ import annotations

from agent.memory.checkpointers import public_url
from agent.models.errors import server_reason, status_of
from agent.redaction import without_secrets
from agent.settings import Settings


def describe_error(error: BaseException, settings: Settings) -> str:
    """A one-line explanation of ``error`` for the terminal; never includes secrets."""
    return without_secrets(_describe(error, settings), settings)


def _where(settings: Settings) -> str:
    if settings.model_spec.startswith("ollama:"):
        from agent.models.loading import ollama_url

        return f"Ollama at {public_url(ollama_url(settings))}"
    return f"the model at {public_url(settings.base_url.strip())}" if settings.base_url else "the OpenAI API"


def _describe(error: BaseException, settings: Settings) -> str:
    try:
        import openai
    except ImportError:  # pragma: no cover - openai comes with langchain-openai
        openai = None  # type: ignore[assignment]
    if openai is not None and isinstance(error, openai.OpenAIError):
        where = _where(settings)
        reason = server_reason(error)
        because = f": {reason}" if reason else ""
        if isinstance(error, openai.AuthenticationError):
            return f"{where} rejected the API key: check OPENAI_API_KEY"
        if isinstance(error, openai.APITimeoutError):
            return (
                f"{where} did not answer within AGENT_MODEL_TIMEOUT={settings.model_timeout:g} s (tried twice): "
                "is the server overloaded? Raise AGENT_MODEL_TIMEOUT or check AGENT_BASE_URL"
            )
        if isinstance(error, openai.APIConnectionError):
            return f"cannot reach {where}: check AGENT_BASE_URL (is the server running?)"
        if isinstance(error, openai.RateLimitError):
            return f"{where} is rate limiting requests{because}: wait a moment and try again"
        if isinstance(error, openai.NotFoundError):
            return f"{where} does not know the model {settings.model_spec!r}{because}: check AGENT_MODEL"
        status = status_of(error)
        if status is not None:
            from agent.models.errors import is_rejection

            if is_rejection(error):
                return f"{where} refused the request (HTTP {status}){because or ': no reason given'}"
            return f"{where} failed (HTTP {status}){because}: try again later"
    message = str(error).splitlines()[0] if str(error) else type(error).__name__
    return message
