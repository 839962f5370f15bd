"""The eval harness: run task suites through our graph (and, side by side, ``langchain.agents.create_agent``)
with the same model and tools, and measure success, tool calls, model calls, tokens and wall time.

Every task runs on a fresh thread of an in-memory checkpointer (a follow-up's earlier turns first, on the same
thread). The knowledge base is private to the run:
the bundled documents (``agent/evaluation/data``) are ingested once into a temporary Chroma directory. Web
search is replaced by an offline stand-in with the real tool's name and description, so a run never
depends on the network and the same seed gives the same tasks and the same tool results.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import HumanMessage
from langchain_core.tools import BaseTool
from langgraph.errors import GraphRecursionError

from agent.evaluation.suites import Task, judge
from agent.settings import Settings
from graphs.planning import PlannerFactory, planner_for_spec
from graphs.turns import turn_result

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.outputs import LLMResult

Framework = Literal["ours", "create_agent"]
FRAMEWORKS: tuple[Framework, ...] = ("ours", "create_agent")

EVAL_COLLECTION = "eval"
OFFLINE_SEARCH_REASON = "web search is offline during this evaluation"


# ------------------------------------------------------------------------------------------- counting


class UsageCounter(BaseCallbackHandler):
    """Counts chat-model calls and sums their ``usage_metadata`` tokens: the planner's calls and, for
    models whose structured output is a model call, reflection's too (revised drafts included, which a
    count of the transcript's AIMessages would miss)."""

    def __init__(self) -> None:
        self.model_calls = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self._lock = threading.Lock()

    def on_chat_model_start(self, serialized: dict[str, Any], messages: Any, **kwargs: Any) -> None:
        with self._lock:
            self.model_calls += 1

    def on_llm_start(self, serialized: dict[str, Any], prompts: list[str], **kwargs: Any) -> None:
        with self._lock:
            self.model_calls += 1

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        for generations in response.generations:
            for generation in generations:
                usage = getattr(getattr(generation, "message", None), "usage_metadata", None)
                if usage:
                    with self._lock:
                        self.prompt_tokens += int(usage.get("input_tokens", 0))
                        self.completion_tokens += int(usage.get("output_tokens", 0))


# -------------------------------------------------------------------------------------------- results


@dataclass(frozen=True)
class TaskRun:
    """One task run through one framework."""

    framework: str
    suite: str
    task: str
    question: str
    success: bool
    reason: str
    answer: str
    tools: list[str]
    """Names of the tools called, in order."""
    tool_calls: int
    model_calls: int
    prompt_tokens: int
    completion_tokens: int
    seconds: float
    error: str | None = None


@dataclass(frozen=True)
class SuiteSummary:
    """A suite's totals for one framework."""

    framework: str
    suite: str
    tasks: int
    passed: int
    tool_calls: int
    model_calls: int
    prompt_tokens: int
    completion_tokens: int
    seconds: float
    errors: int

    @property
    def success_rate(self) -> float:
        return self.passed / self.tasks if self.tasks else 0.0


@dataclass(frozen=True)
class KnowledgeBaseInfo:
    """The run's private knowledge base."""

    documents: int
    chunks: int
    seconds: float


@dataclass
class EvalReport:
    """Everything a run measured; ``to_json`` is what ``agent eval --json`` prints."""

    model: str
    seed: int
    frameworks: list[str]
    tasks: list[TaskRun] = field(default_factory=list)
    knowledge_base: KnowledgeBaseInfo | None = None

    @property
    def suites(self) -> list[SuiteSummary]:
        return summarize(self.tasks)

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "seed": self.seed,
            "frameworks": self.frameworks,
            "knowledge_base": asdict(self.knowledge_base) if self.knowledge_base else None,
            "tasks": [asdict(run) for run in self.tasks],
            "suites": [{**asdict(s), "success_rate": round(s.success_rate, 4)} for s in self.suites],
        }


def summarize(runs: Sequence[TaskRun]) -> list[SuiteSummary]:
    """Per (framework, suite) totals, in the order the runs first appear."""
    groups: dict[tuple[str, str], list[TaskRun]] = {}
    for run in runs:
        groups.setdefault((run.framework, run.suite), []).append(run)
    return [
        SuiteSummary(
            framework=framework,
            suite=suite,
            tasks=len(group),
            passed=sum(run.success for run in group),
            tool_calls=sum(run.tool_calls for run in group),
            model_calls=sum(run.model_calls for run in group),
            prompt_tokens=sum(run.prompt_tokens for run in group),
            completion_tokens=sum(run.completion_tokens for run in group),
            seconds=round(sum(run.seconds for run in group), 4),
            errors=sum(run.error is not None for run in group),
        )
        for (framework, suite), group in groups.items()
    ]


# ------------------------------------------------------------------------------------ the environment


def eval_settings(settings: Settings, home: Path) -> Settings:
    """The user's settings (model, reflection, budgets) with a private home and embedded knowledge base,
    and no approval interrupts (nobody is there to approve)."""
    return settings.model_copy(
        update={
            "home": home,
            "chroma_url": None,
            "collection": EVAL_COLLECTION,
            "search": "off",
            "approve_tools": [],
        }
    )


def offline_web_search() -> BaseTool:
    """A ``web_search`` with the real tool's name, description and arguments that always fails as the real
    one does when it cannot run (an error answer with the reason): choosing it is judged, its results cannot
    differ between runs."""
    from tools.failures import ToolFailed
    from tools.web_search.tool import Source, web_search_tool

    def offline(query: str) -> tuple[str, list[Source]]:
        raise ToolFailed(OFFLINE_SEARCH_REASON)

    return web_search_tool(offline)


def bundled_documents() -> list[str]:
    """File names of the documents the retrieval suites ask about."""
    folder = resources.files("agent.evaluation") / "data"
    return sorted(
        entry.name for entry in folder.iterdir() if entry.is_file() and not entry.name.startswith(".")
    )


@dataclass
class EvalEnvironment:
    """The tools and settings every framework of a run shares."""

    settings: Settings
    tools: list[BaseTool]
    knowledge_base: KnowledgeBaseInfo


RETRIEVAL_SUITES = frozenset(
    {"documents", "tool_choice", "two_step", "unseen_documents", "lookup_compute", "follow_ups"}
)
"""Suites with questions about the bundled documents: a run including one builds the knowledge base."""


def needs_documents(tasks: Sequence[Task]) -> bool:
    """Whether any task asks about the bundled documents."""
    return any(task.suite in RETRIEVAL_SUITES for task in tasks)


@contextmanager
def eval_environment(
    settings: Settings, *, documents: bool = True, folder: Path | None = None
) -> Iterator[EvalEnvironment]:
    """A temporary home with the tools over it, removed afterwards. With ``documents`` the bundled documents
    (or the files of ``folder``) are ingested first; without, the knowledge base stays empty
    (``search_documents`` says so), which saves embedding them for runs that never ask about them."""
    from tools.calculator import calculator
    from tools.knowledge_base.ingest import ingest
    from tools.knowledge_base.retrieval import make_search_documents

    home = Path(tempfile.mkdtemp(prefix="agent-eval-"))
    try:
        run_settings = eval_settings(settings, home)
        info = KnowledgeBaseInfo(documents=0, chunks=0, seconds=0.0)
        if documents:
            ingested = home / "documents"
            ingested.mkdir()
            copied = (
                [(path.name, path.read_bytes()) for path in sorted(folder.iterdir()) if path.is_file()]
                if folder is not None
                else [
                    (name, (resources.files("agent.evaluation") / "data" / name).read_bytes())
                    for name in bundled_documents()
                ]
            )
            # Copied so that sources are short, stable paths whatever the install location.
            for name, content in copied:
                (ingested / name).write_bytes(content)
            start = time.perf_counter()
            report = ingest([ingested], run_settings)
            seconds = round(time.perf_counter() - start, 3)
            info = KnowledgeBaseInfo(documents=len(report.files), chunks=report.chunks_added, seconds=seconds)
        tools = [calculator, offline_web_search(), make_search_documents(run_settings)]
        yield EvalEnvironment(settings=run_settings, tools=tools, knowledge_base=info)
    finally:
        shutil.rmtree(home, ignore_errors=True)


# ---------------------------------------------------------------------------------------------- running


def build_agent(
    framework: str,
    model: BaseChatModel,
    tools: Sequence[BaseTool],
    settings: Settings,
    planner: PlannerFactory | None = None,
) -> Any:
    """The compiled graph of ``framework`` with an in-memory checkpointer; ``planner`` for ours (the step
    planner of the model's profile, ``graphs.planning.planner_for_spec``)."""
    from langgraph.checkpoint.memory import InMemorySaver

    if framework == "ours":
        from graphs.assistant import build_graph

        return build_graph(
            model, tools=tools, checkpointer=InMemorySaver(), settings=settings, planner=planner
        )
    if framework == "create_agent":
        from langchain.agents import create_agent

        return create_agent(model, list(tools), checkpointer=InMemorySaver())
    raise ValueError(f"unknown framework {framework!r}: choose from {', '.join(FRAMEWORKS)}")


def recursion_limit(framework: str, settings: Settings) -> int:
    """Graph steps allowed per task. Ours stops itself after ``max_steps`` model calls, so its limit only
    guards against a bug; ``create_agent`` has no step budget of its own, so the recursion limit gives it the
    same one: ``max_steps`` model calls and the tool steps between them."""
    return 4 * settings.max_steps + 10 if framework == "ours" else 2 * settings.max_steps - 1


def run_task(agent: Any, task: Task, framework: str, settings: Settings) -> TaskRun:
    """Ask ``task.question`` on a fresh thread of ``agent`` and judge the turn; an exception fails the task.

    A follow-up task's earlier turns are asked first on the same thread. Only the judged turn is measured
    (tools, model calls, tokens, seconds); ``question`` in the result shows the whole conversation.
    """
    counter = UsageCounter()
    thread = {"thread_id": f"eval-{framework}-{task.id}-{uuid.uuid4().hex[:8]}"}
    limit = recursion_limit(framework, settings)
    config = {"configurable": thread, "callbacks": [counter], "recursion_limit": limit}
    start = time.perf_counter()
    error: str | None = None
    try:
        for turn in task.earlier:
            agent.invoke(
                {"messages": [HumanMessage(turn.question)]},
                {"configurable": thread, "recursion_limit": limit},
            )
        start = time.perf_counter()
        state = agent.invoke({"messages": [HumanMessage(task.question)]}, config)
    except GraphRecursionError:
        state, error = (
            {},
            f"GraphRecursionError: no answer within {settings.max_steps} model calls (AGENT_MAX_STEPS)",
        )
    except Exception as exc:
        from agent.errors import describe_error

        state, error = {}, f"{type(exc).__name__}: {describe_error(exc, settings)}"
    seconds = time.perf_counter() - start
    result = turn_result(state)
    verdict = judge(task, result)
    return TaskRun(
        framework=framework,
        suite=task.suite,
        task=task.id,
        question=" → ".join([*(turn.question for turn in task.earlier), task.question]),
        success=verdict.success and error is None,
        reason=f"error: {error}" if error else verdict.reason,
        answer=result.answer,
        tools=[call.name for call in result.tool_calls],
        tool_calls=len(result.tool_calls),
        model_calls=counter.model_calls,
        prompt_tokens=counter.prompt_tokens,
        completion_tokens=counter.completion_tokens,
        seconds=round(seconds, 4),
        error=error,
    )


def run_eval(
    model: BaseChatModel,
    tasks: Sequence[Task],
    *,
    settings: Settings | None = None,
    frameworks: Sequence[str] = ("ours",),
    model_spec: str = "",
    seed: int = 0,
    progress: Callable[[TaskRun], None] | None = None,
    environment: EvalEnvironment | None = None,
) -> EvalReport:
    """Run every task through every framework with the same ``model`` and tools.

    The frameworks take turns task by task, the order flipping each task, so that a machine slowing down
    (or a server warming up) mid-run weighs on all of them alike. ``environment``: one from
    :func:`eval_environment` to share between runs (default: a fresh one for this run).
    """
    for name in frameworks:
        if name not in FRAMEWORKS:
            raise ValueError(f"unknown framework {name!r}: choose from {', '.join(FRAMEWORKS)}")
    report = EvalReport(model=model_spec, seed=seed, frameworks=list(frameworks))
    with ExitStack() as stack:
        env = environment or stack.enter_context(
            eval_environment(settings or Settings(), documents=needs_documents(tasks))
        )
        report.knowledge_base = env.knowledge_base
        planner = planner_for_spec(model_spec or env.settings.model_spec, env.settings)
        agents = {name: build_agent(name, model, env.tools, env.settings, planner) for name in frameworks}
        for index, task in enumerate(tasks):
            order = list(frameworks) if index % 2 == 0 else list(reversed(frameworks))
            runs = {name: run_task(agents[name], task, name, env.settings) for name in order}
            for name in frameworks:  # reported in a fixed order whatever order they ran in
                report.tasks.append(runs[name])
                if progress:
                    progress(runs[name])
    return report
