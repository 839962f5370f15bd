"""Measure the first call: base model few-shot against base + adapter zero-shot, with llama.cpp.

A generated call is right when its tool is the expected one and, for the calculator, when the real
calculator's result on the generated expression equals the example's exact answer (so ``144/3`` and
``(144)/3`` both count). Document and web queries are judged by tool only; exact query matches are counted
apart. Splits: ``heldout`` (shapes never trained on), ``seen_test`` (new draws from trained shapes), and the
project's hand-worded held-out suites (``agent.evaluation.suites``: word_problems, lookup_compute, follow_ups)
as a planner-only check of the first call: for lookup_compute the first call must be ``search_documents``;
for the others its result must be the task's exact number. The suites are read here only to be scored.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path, PurePath
from typing import Any

from agent.training.build import read_jsonl, verified
from agent.training.examples import ANSWER, CALL_PREFIX, Example, Step, parse_call, render_call

FEW_SHOT = """\
User: What is 15 times 4?
Call: calculator(15*4)

User: Tom buys 3 pens at $2.50 each and pays with $10. How much change does he get?
Call: calculator(10-3*2.50)

User: What is 7 plus 5?
Call: calculator(7+5)
Result: 12
User: And times 3?
Call: calculator(12*3)

User: What does the Alder Club handbook say about the guest policy?
Call: search_documents(Alder Club handbook guest policy)

User: What's the weather in Rome today?
Call: web_search(weather in Rome today)

User: Thanks, see you later!
Call: answer

"""
"""The base model's prompt prefix: one example per kind of call, in the training format."""

MAX_CALL_TOKENS = 48


@dataclass(frozen=True)
class Case:
    """One scored prompt."""

    split: str
    kind: str
    prompt: str
    tool: str
    argument: str = ""
    answer: Fraction | None = None
    template: str = ""


def cases_from_examples(split: str, examples: list[Example]) -> list[Case]:
    return [
        Case(
            split, e.kind, e.prompt, e.tool, e.argument, Fraction(e.answer) if e.answer else None, e.template
        )
        for e in examples
    ]


def hand_worded_cases() -> list[Case]:
    """The project's held-out hand-worded suites as first-call cases (see the module docstring)."""
    from agent.evaluation.suites import build_tasks
    from tools.calculator import CalculatorError, calculate

    cases = []
    for task in build_tasks(["word_problems", "lookup_compute", "follow_ups"]):
        steps: list[Step] = []
        for turn in task.earlier:
            steps.append(Step("user", turn.question))
            for tool_step in turn.solution:
                argument = next(iter(tool_step.args.values()), "")
                steps.append(Step("call", render_call(tool_step.tool, str(argument))))
                result = turn.reference_answer
                if tool_step.tool == "calculator":
                    with contextlib.suppress(CalculatorError):
                        result = calculate(str(argument))
                steps.append(Step("result", result))
        steps.append(Step("user", task.question))
        prompt = "".join(step.render() for step in steps) + CALL_PREFIX
        first = task.solution[0]
        answer = task.expect.number if first.tool == "calculator" else None
        cases.append(Case(f"suite:{task.suite}", task.suite, prompt, first.tool, "", answer))
    return cases


RESULT_CHARS = 400
"""How much of the first passage a look-up's result line shows (training results are one sentence)."""


def lookup_two_step_rows(generate: Generator, search: Any) -> list[dict[str, Any]]:
    """The hand-worded ``lookup_compute`` suite, both steps: the generated query runs on the real knowledge
    base (``search``: the eval's ``search_documents`` over the bundled documents), its first passage becomes
    the result line, and the next generated call must compute the task's exact number."""
    from agent.evaluation.suites import build_tasks

    rows = []
    for task in build_tasks(["lookup_compute"]):
        prompt = f"User: {task.question}\n{CALL_PREFIX}"
        first = generate(prompt)
        call = parse_call(first)
        right, second = False, ""
        if call is not None and call[0] == "search_documents":
            message = search.invoke(
                {"type": "tool_call", "name": "search_documents", "args": {"query": call[1]}, "id": "lookup"}
            )
            hits = message.artifact or []
            passage = " ".join(hits[0]["text"].split())[:RESULT_CHARS] if hits else str(message.content)
            source = PurePath(hits[0]["source"]).name if hits else "documents"
            follow = f"{prompt} {first.strip()}\n{Step('result', f'[1] {source}: {passage}').render()}{CALL_PREFIX}"
            second = generate(follow)
            then = parse_call(second)
            right = (
                then is not None
                and then[0] == "calculator"
                and task.expect.number is not None
                and verified(then[1], task.expect.number) is not None
            )
        rows.append(
            {
                "split": "suite:lookup_compute_two_steps",
                "kind": "lookup_compute",
                "template": "",
                "expected": "search_documents, then calculator",
                "generated": f"{first.strip()} | {second.strip()}",
                "tool_right": call is not None and call[0] == "search_documents",
                "right": right,
                "query_exact": False,
            }
        )
    return rows


def score(case: Case, generated: str) -> dict[str, Any]:
    call = parse_call(generated)
    tool_right = call is not None and call[0] == case.tool
    right = tool_right
    if tool_right and call is not None and case.tool == "calculator" and case.answer is not None:
        right = verified(call[1], case.answer) is not None
    return {
        "split": case.split,
        "kind": case.kind,
        "template": case.template,
        "expected": render_call(case.tool, case.argument),
        "generated": generated.strip(),
        "tool_right": tool_right,
        "right": right,
        "query_exact": tool_right and call is not None and case.tool != ANSWER and call[1] == case.argument,
    }


class Generator:
    """Greedy continuation of a prompt up to the end of the call line."""

    def __init__(self, threads: int, adapter: Path | None, prefix: str) -> None:
        import llama_cpp

        from agent.models.llama_build import safe_model_load
        from agent.models.local.chat_model import packaged_model_path

        with safe_model_load():
            self.llm = llama_cpp.Llama(
                model_path=str(packaged_model_path()),
                lora_path=str(adapter) if adapter else None,
                n_ctx=1024,
                n_threads=threads,
                n_threads_batch=threads,
                verbose=False,
            )
        self.prefix = prefix

    def __call__(self, prompt: str) -> str:
        tokens = self.llm.tokenize((self.prefix + prompt).encode("utf-8"), add_bos=True, special=False)
        response: Any = self.llm.create_completion(
            tokens, max_tokens=MAX_CALL_TOKENS, temperature=0.0, stop=["\n"]
        )
        return str(response["choices"][0]["text"])


def adapter_check(adapter: Path, examples: list[Example], *, threads: int = 2) -> list[dict[str, Any]]:
    """Greedy calls on (training) examples without and with the adapter, zero-shot: the adapter should change
    the base model's output and produce the target."""
    base, tuned = Generator(threads, None, ""), Generator(threads, adapter, "")
    rows = []
    for example in examples:
        rows.append(
            {
                "prompt": example.prompt,
                "target": example.target.strip(),
                "base": base(example.prompt).strip(),
                "adapter": tuned(example.prompt).strip(),
            }
        )
    return rows


def summarise(rows: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """``{split/kind: {"right": "k/n", "tool": "k/n"}}`` plus a total per split."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[f"{row['split']}/{row['kind']}"].append(row)
        groups[f"{row['split']}/ALL"].append(row)
        if row["split"] == "heldout" and row["kind"] == "calculator":
            groups[f"heldout/calculator:{row['template']}"].append(row)
    return {
        key: {
            "right": f"{sum(r['right'] for r in group)}/{len(group)}",
            "tool": f"{sum(r['tool_right'] for r in group)}/{len(group)}",
            "query_exact": f"{sum(r['query_exact'] for r in group)}/{len(group)}",
        }
        for key, group in sorted(groups.items())
    }


def evaluate(
    data: Path,
    adapter: Path | None,
    *,
    limit: int = 0,
    threads: int = 2,
    out: Path | None = None,
    base: bool = True,
    documents: bool = False,
) -> dict[str, Any]:
    """Score the base model (few-shot, unless ``base`` is False) and, given ``adapter``, base + adapter
    (zero-shot); print and return, and write the per-example rows to ``out``. With ``documents``, the
    hand-worded look-ups also run both steps over the real knowledge base (``lookup_two_step_rows``)."""
    cases: list[Case] = []
    for split in ("heldout", "seen_test"):
        examples = read_jsonl(data / f"{split}.jsonl")
        cases += cases_from_examples(split, examples[:limit] if limit else examples)
    cases += hand_worded_cases()
    with ExitStack() as stack:
        search = stack.enter_context(_knowledge_base()) if documents else None
        return _run(cases, adapter, threads=threads, out=out, base=base, search=search)


@contextmanager
def _knowledge_base() -> Iterator[Any]:
    """The eval's ``search_documents`` over the bundled documents (ingested into a temporary directory)."""
    from agent.evaluation.runner import eval_environment
    from agent.settings import Settings

    with eval_environment(Settings(), documents=True) as environment:
        yield next(tool for tool in environment.tools if tool.name == "search_documents")


def _run(
    cases: list[Case],
    adapter: Path | None,
    *,
    threads: int,
    out: Path | None,
    base: bool,
    search: Any,
) -> dict[str, Any]:
    runs: dict[str, Any] = {}
    configurations: list[tuple[str, Path | None, str]] = [("base_few_shot", None, FEW_SHOT)] if base else []
    if adapter is not None:
        configurations.append(("adapter_zero_shot", adapter, ""))
    for name, lora, prefix in configurations:
        generate = Generator(threads, lora, prefix)
        started = time.monotonic()
        rows = [score(case, generate(case.prompt)) for case in cases]
        if search is not None:
            rows += lookup_two_step_rows(generate, search)
        seconds = time.monotonic() - started
        runs[name] = {"summary": summarise(rows), "seconds": round(seconds, 1), "rows": rows}
        print(
            json.dumps({name: runs[name]["summary"], "seconds": runs[name]["seconds"]}, indent=1), flush=True
        )
    if out is not None:
        out.write_text(json.dumps(runs, indent=1) + "\n", encoding="utf-8")
    return runs
