"""The ``agent`` command line. Heavy imports (models, LangGraph, Chroma) happen inside commands, so
``agent --help`` stays instant."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer

from agent.cli.output import err, fail, friendly_errors, out

if TYPE_CHECKING:
    from agent.settings import Settings

app = typer.Typer(
    help="A LangGraph assistant with a calculator, web search and your documents.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
NO_ANSWER = "the model gave no answer: try again, rephrase the question, or choose another AGENT_MODEL"


@dataclass
class CliContext:
    """What every command gets from the top-level options."""

    settings: Settings
    debug: bool


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("langgraph-assistant")
        except PackageNotFoundError:  # pragma: no cover - run from a source tree without an install
            number = "unknown"
        sys.stdout.write(f"agent {number}\n")
        raise typer.Exit()


def read_question(question: str | None) -> str:
    """The question: the argument, or standard input for ``-`` or when no argument is given and input is piped."""
    if question == "-" or (question is None and not sys.stdin.isatty()):
        return sys.stdin.read().strip()
    if question is None:
        fail("give a question: agent ask QUESTION, or agent ask - to read it from standard input")
    return question


def cli_context(ctx: typer.Context) -> CliContext:
    """The shared context object set up by :func:`main`."""
    obj = ctx.find_root().obj
    assert isinstance(obj, CliContext)
    return obj


@app.callback()
def main(
    ctx: typer.Context,
    debug: Annotated[bool, typer.Option("--debug", help="Show full tracebacks on errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Read the settings once (environment variables AGENT_*, .env, and the user's config file)."""
    from pydantic import ValidationError

    from agent.settings import ConfigFileError, Settings, config_file

    try:
        settings = Settings()
    except ConfigFileError as error:
        fail(str(error))
    except ValidationError as error:
        problem = error.errors()[0]
        field = ".".join(str(part) for part in problem["loc"])
        name = field if field.isupper() else f"AGENT_{field.upper()}"
        where = f" (or {field} in {config_file()})" if config_file().is_file() else ""
        fail(f"setting {name}{where}: {problem['msg']}")
    from agent.redaction import redact_secrets_in_logs

    redact_secrets_in_logs(settings)
    ctx.obj = CliContext(settings=settings, debug=debug)


@app.command()
def ask(
    ctx: typer.Context,
    question: Annotated[
        str | None,
        typer.Argument(help="The question to ask; - (or nothing, with input piped) reads standard input."),
    ] = None,
    thread: Annotated[str | None, typer.Option("--thread", "-t", help="Continue this thread.")] = None,
    model: Annotated[
        str | None, typer.Option("--model", "-m", help="Model spec, e.g. openai:gpt-4o-mini.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Ask one question (one turn of a thread) and print the answer; exit status 1 when none was produced."""
    from agent.chat.session import InvalidQuestion, check_question, new_thread_id, open_assistant

    context = cli_context(ctx)
    question = read_question(question)
    try:
        check_question(question, context.settings.max_context_tokens)  # before the model is even loaded
    except InvalidQuestion as error:
        fail(str(error), as_json=as_json)
    thread_id = thread or new_thread_id()
    with (
        friendly_errors(context.settings, debug=context.debug, as_json=as_json),
        open_assistant(context.settings, model) as assistant,
    ):
        result = assistant.ask(question, thread_id)
    no_answer = not result.answer.strip()
    if as_json:
        payload = {
            "thread_id": thread_id,
            "answer": result.answer,
            "tool_calls": [{"name": c.name, "args": c.args, "ok": c.ok} for c in result.tool_calls],
            "reflection": result.reflection,
            "sources": [
                {
                    "n": source.get("n"),
                    "source": source.get("source") or source.get("url", ""),
                    "chunk_id": source.get("chunk_id", ""),
                    "text": source.get("text", ""),
                }
                for source in result.sources
            ],
            "model": assistant.model_spec,
        }
        if no_answer:
            payload["error"] = NO_ANSWER
        sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
        if no_answer:
            raise typer.Exit(1)
        return
    from agent.chat.render import print_turn

    print_turn(out, result)
    print_footer(thread_id, assistant.model_spec)
    if no_answer:
        fail(NO_ANSWER)


def print_footer(thread_id: str, model_spec: str) -> None:
    """Which thread and model answered (and, for the embedded model, how to use a stronger one)."""
    from agent.chat.session import EMBEDDED_MODEL_HINT

    err.print(f"[dim]thread {thread_id} · model {model_spec}[/]", highlight=False)
    if model_spec.startswith("local") and model_spec in {"local", "local:"}:
        err.print(f"[dim]{EMBEDDED_MODEL_HINT}[/]", highlight=False)


@app.command()
def chat(
    ctx: typer.Context,
    thread: Annotated[str | None, typer.Option("--thread", "-t", help="Continue this thread.")] = None,
    model: Annotated[str | None, typer.Option("--model", "-m", help="Model spec.")] = None,
    resume: Annotated[
        bool, typer.Option("--continue", "-c", help="Continue the most recently updated thread.")
    ] = False,
) -> None:
    """Talk with the assistant (type /help for commands, /exit or Ctrl-D to leave)."""
    from agent.chat.repl import run_chat

    context = cli_context(ctx)
    if thread and resume:
        fail("use --thread ID or --continue, not both")
    with friendly_errors(context.settings, debug=context.debug):
        thread_id = run_chat(
            context.settings,
            thread_id=thread,
            resume_latest=resume,
            model_spec=model,
            debug=context.debug,
            console=out,
            err_console=err,
        )
    err.print(
        f"thread {thread_id} saved; continue with: agent chat --thread {thread_id}", style="dim", markup=False
    )


def _register_subcommands() -> None:
    from agent.cli import eval, kb, models, threads

    for module in (kb, threads, eval, models):
        module.register(app)


_register_subcommands()
