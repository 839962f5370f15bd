"""One clear line for the errors users meet, naming the setting that fixes them."""

from __future__ import annotations

from agent.settings import Settings


def describe_error(error: BaseException, settings: Settings) -> str:
    """A one-line explanation of ``error`` for the terminal; never includes secrets."""
    try:
        import openai
    except ImportError:  # pragma: no cover - openai comes with langchain-openai
        openai = None  # type: ignore[assignment]
    if openai is not None:
        where = settings.base_url or "the OpenAI API"
        if isinstance(error, openai.AuthenticationError):
            return f"{where} rejected the API key: check OPENAI_API_KEY"
        if isinstance(error, openai.APITimeoutError):
            return f"the model at {where} timed out: try again, or check AGENT_BASE_URL"
        if isinstance(error, openai.APIConnectionError):
            return f"cannot reach the model at {where}: check AGENT_BASE_URL (is the server running?)"
        if isinstance(error, openai.RateLimitError):
            return f"{where} is rate limiting requests: wait a moment and try again"
        if isinstance(error, openai.NotFoundError):
            return f"{where} does not know the model {settings.model_spec!r}: check AGENT_MODEL"
        if isinstance(error, openai.APIStatusError):
            return f"the model at {where} answered HTTP {error.status_code}: try again later"
    message = str(error).splitlines()[0] if str(error) else type(error).__name__
    return message
