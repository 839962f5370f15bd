"""``agent eval``: run the task suites and show success, calls, tokens and time per suite and per task,
optionally beside ``langchain.agents.create_agent`` with the same model and tools.

``agent/cli/main.py`` mounts it with ``register(app)``. The harness, LangGraph and the model are imported inside
the command, so ``agent --help`` stays fast.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from agent.cli.context import context_settings, progress_bar
from agent.cli.output import err, fail, out
from agent.evaluation.suites import Suite

if TYPE_CHECKING:
    from agent.evaluation.runner import EvalReport, TaskRun


QUESTION_WIDTH = 36
REASON_WIDTH = 28
TOOL_ABBREVIATIONS = {"calculator": "calc", "search_documents": "docs", "web_search": "web"}
"""Short tool names for the task table (the JSON keeps the full names)."""


class Baseline(StrEnum):
    """Frameworks that can run beside ours."""

    create_agent = "create_agent"


def register(app: typer.Typer) -> None:
    """Add the ``eval`` command to ``app``."""
    app.command("eval")(eval_command)


def eval_command(
    ctx: typer.Context,
    model: Annotated[
        str | None, typer.Option("--model", "-m", help="Model spec (default: AGENT_MODEL), e.g. local.")
    ] = None,
    suite: Annotated[
        list[Suite] | None,
        typer.Option("--suite", "-s", help="Suite to run (repeat for several; default: all)."),
    ] = None,
    baseline: Annotated[
        Baseline | None,
        typer.Option("--baseline", help="Also run the tasks through this framework, side by side."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")] = False,
    limit: Annotated[int | None, typer.Option("--limit", "-n", min=1, help="Tasks per suite.")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the generated tasks.")] = 0,
) -> None:
    """Run the evaluation suites and report success, tool calls, model calls, tokens and time."""
    from agent.errors import describe_error
    from agent.evaluation.runner import run_eval
    from agent.evaluation.suites import build_tasks
    from agent.models.loading import load_model

    settings = context_settings(ctx)
    spec = model or settings.model_spec
    tasks = build_tasks([s.value for s in suite or []] or None, seed=seed, limit=limit)
    frameworks = ["ours"] + ([baseline.value] if baseline else [])
    try:
        chat_model = load_model(spec, settings)
    except Exception as exc:
        fail(describe_error(exc, settings))

    try:
        with _progress(len(tasks) * len(frameworks)) as advance:
            report = run_eval(
                chat_model,
                tasks,
                settings=settings,
                frameworks=frameworks,
                model_spec=spec,
                seed=seed,
                progress=advance,
            )
    except Exception as exc:  # setting up the run (the knowledge base); task failures are in the report
        fail(describe_error(exc, settings))
    if as_json:
        typer.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        out.print(task_table(report))
        out.print(suite_table(report))
        print_errors(report)
        kb = report.knowledge_base
        if kb and kb.documents:
            note = f"knowledge base: {kb.documents} documents, {kb.chunks} chunks, ingested in {kb.seconds:.1f} s"
            err.print(Text(note, style="dim"))
    errors = [run.error for run in report.tasks if run.error]
    if errors and len(errors) == len(report.tasks):
        fail("every task failed with an error" + (f"; the first: {errors[0]}" if as_json else ""))


@contextmanager
def _progress(total: int) -> Iterator[Callable[[TaskRun], None]]:
    """A progress bar on stderr while tasks run (none when stderr is not a terminal)."""
    with progress_bar(err) as bar:
        task = bar.add_task("Evaluating", total=total)

        def advance(run: TaskRun) -> None:
            bar.update(task, advance=1, description=f"{run.framework} {run.task}")

        yield advance


# ------------------------------------------------------------------------------------------- tables


def _mark(run: TaskRun) -> Text:
    if run.success:
        return Text("✓", style="green")
    reason = "error (below)" if run.error else run.reason
    return Text(f"✗ {reason}", style="red")


def task_table(report: EvalReport) -> Table:
    """One row per task and framework, the frameworks of a task next to each other: verdict, tools called,
    model calls, seconds (tokens: the suite table and ``--json``)."""
    table = Table(title=f"Tasks · model {report.model} · seed {report.seed}", title_justify="left")
    table.add_column("task", no_wrap=True)
    table.add_column("question", min_width=10, max_width=QUESTION_WIDTH)
    table.add_column("framework", no_wrap=True)
    table.add_column("result", min_width=6, max_width=REASON_WIDTH)
    table.add_column("tools")
    table.add_column("calls", justify="right")
    table.add_column("s", justify="right")
    runs: dict[str, dict[str, TaskRun]] = {}
    for run in report.tasks:
        runs.setdefault(run.task, {})[run.framework] = run
    for task_id, by_framework in runs.items():
        for position, framework in enumerate(report.frameworks):
            run = by_framework[framework]
            tools = ", ".join(TOOL_ABBREVIATIONS.get(name, name) for name in run.tools)
            table.add_row(
                task_id if position == 0 else "",
                run.question if position == 0 else "",
                framework,
                _mark(run),
                tools or "-",
                str(run.model_calls),
                f"{run.seconds:.2f}",
                end_section=position == len(report.frameworks) - 1 and len(report.frameworks) > 1,
            )
    return table


def print_errors(report: EvalReport) -> None:
    """The distinct errors of the run, one line each with the first task that met it."""
    seen: dict[str, str] = {}
    for run in report.tasks:
        if run.error and run.error not in seen:
            seen[run.error] = f"{run.framework} {run.task}"
    for error, where in seen.items():
        err.print(Text(f"{where}: {error}", style="red"), soft_wrap=True)


def suite_table(report: EvalReport) -> Table:
    """One row per suite and framework (and totals): passed/tasks, tool calls, model calls, tokens, seconds."""
    table = Table(title="Suites", title_justify="left")
    table.add_column("suite", no_wrap=True)
    table.add_column("framework", no_wrap=True)
    table.add_column("passed", justify="right", no_wrap=True)
    table.add_column("tool calls", justify="right")
    table.add_column("model calls", justify="right")
    table.add_column("tokens in", justify="right")
    table.add_column("tokens out", justify="right")
    table.add_column("s", justify="right")
    summaries = report.suites
    names = [*dict.fromkeys(s.suite for s in summaries), "total"]
    for suite_name in names:
        for position, framework in enumerate(report.frameworks):
            group = [s for s in summaries if s.framework == framework and suite_name in {s.suite, "total"}]
            tasks = sum(s.tasks for s in group)
            passed = sum(s.passed for s in group)
            table.add_row(
                Text(suite_name, style="bold" if suite_name == "total" else "") if position == 0 else "",
                framework,
                f"{passed}/{tasks} ({100 * passed / tasks:.0f}%)" if tasks else "-",
                str(sum(s.tool_calls for s in group)),
                str(sum(s.model_calls for s in group)),
                str(sum(s.prompt_tokens for s in group)),
                str(sum(s.completion_tokens for s in group)),
                f"{sum(s.seconds for s in group):.2f}",
                end_section=position == len(report.frameworks) - 1 and suite_name != "total",
            )
    return table
