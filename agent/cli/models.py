"""``agent models``: the model that is configured, where it is served, and whether it answers.

Reachability is one ``GET <server>/models`` (OpenAI's API, a compatible server at ``AGENT_BASE_URL``, Ollama at
``OLLAMA_HOST``), bounded by ``AGENT_MODEL_TIMEOUT`` and at most 5 s; nothing is generated. For other
providers only the package is checked. URLs are shown with their secrets masked.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from agent.cli.context import context_settings
from agent.cli.output import out

if TYPE_CHECKING:
    from agent.settings import Settings

PROBE_TIMEOUT = 5.0
MAX_LISTED = 10


@dataclass
class ModelStatus:
    """One configured model and what was found out about it."""

    spec: str
    provider: str
    where: str
    reachable: bool | None
    """True: the server answered; False: it did not (``detail`` says why); None: not checked."""
    detail: str = ""
    served: list[str] = field(default_factory=list)
    """Model names the server lists (at most ten)."""


def _probe(url: str, key: str | None, settings: Settings) -> tuple[bool, str, list[str]]:
    import httpx

    from agent.redaction import without_secrets

    headers = {"Authorization": f"Bearer {key}"} if key else {}
    try:
        response = httpx.get(
            f"{url.rstrip('/')}/models", headers=headers, timeout=min(settings.model_timeout, PROBE_TIMEOUT)
        )
    except httpx.HTTPError as error:
        return False, without_secrets(f"not reachable ({type(error).__name__})", settings), []
    if response.status_code != 200:
        return False, f"answered HTTP {response.status_code}", []
    try:
        data = response.json().get("data", [])
        names = [str(item.get("id")) for item in data if isinstance(item, dict) and item.get("id")]
    except (ValueError, AttributeError):
        names = []
    return True, "reachable", names[:MAX_LISTED]


def model_status(settings: Settings, spec: str | None = None) -> ModelStatus:
    """What is known of the model ``spec`` (default: the configured one)."""
    from agent.memory.checkpointers import public_url
    from agent.models.loading import ollama_url

    spec = (spec or settings.model_spec).strip()
    provider, _, name = spec.partition(":")
    if provider == "local":
        from agent.models.local.chat_model import packaged_model_path

        path = name or str(packaged_model_path())
        found = importlib.util.find_spec("llama_cpp") is not None
        return ModelStatus(spec, "local", path, found, "embedded" if found else "llama-cpp-python is missing")
    if provider == "openai":
        base = (settings.base_url or "").strip() or None
        key = settings.openai_api_key.get_secret_value().strip() if settings.openai_api_key else ""
        where = public_url(base) if base else "the OpenAI API"
        if base is None and not key:
            return ModelStatus(spec, provider, where, False, "OPENAI_API_KEY is not set")
        ok, detail, served = _probe(base or "https://api.openai.com/v1", key or None, settings)
        return ModelStatus(spec, provider, where, ok, detail, served)
    if provider == "ollama":
        url = ollama_url(settings)
        ok, detail, served = _probe(f"{url}/v1", None, settings)
        return ModelStatus(spec, provider, public_url(url), ok, detail, served)
    package = f"langchain_{provider.replace('-', '_')}"
    installed = importlib.util.find_spec(package) is not None
    detail = "installed; not checked" if installed else f"pip install {package.replace('_', '-')}"
    return ModelStatus(spec, provider, "its provider's API", None if installed else False, detail)


def models_command(
    ctx: typer.Context,
    spec: Annotated[str | None, typer.Argument(help="A model spec to check (default: AGENT_MODEL).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Show the configured model, where it is served, and whether it is reachable."""
    settings = context_settings(ctx)
    status = model_status(settings, spec)
    if as_json:
        sys.stdout.write(json.dumps(asdict(status), ensure_ascii=False) + "\n")
    else:
        table = Table(show_header=True, header_style="bold")
        for column in ("model", "where", "status", "served there"):
            table.add_column(column)
        style = {True: "green", False: "red", None: "yellow"}[status.reachable]
        table.add_row(
            Text(status.spec),
            Text(status.where),
            Text(status.detail, style=style),
            Text(", ".join(status.served)),
        )
        out.print(table)
    if status.reachable is False:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``models`` to ``app``."""
    app.command("models")(models_command)
