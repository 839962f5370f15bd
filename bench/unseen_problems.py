"""The whole assistant on word problems and follow-ups written by hand, none of them seen by the data builder.

``bench/data/unseen_problems.jsonl`` holds 30 word problems and 10 two-turn follow-ups, written on 2026-11-27
before the story grammar of ``agent/training/stories.py`` (commit 7ec3b19 predates it). Each runs through the
assistant as a user meets it (``agent.evaluation.runner.run_eval``: the graph, the planner, the tools, a
fresh thread per task) and passes when the final answer holds the exact number, as ``agent eval`` judges.

Usage::

    .venv/bin/python bench/unseen_problems.py                  # the embedded default, as shipped
    .venv/bin/python bench/unseen_problems.py --json /tmp/unseen.json
    .venv/bin/python bench/unseen_problems.py --data bench/data/dev_problems.jsonl   # the set to tune on

``bench/data/dev_problems.jsonl`` (24 word problems, 8 follow-ups, written on 2026-11-27 before that day's
planner and training-data changes) is the set to tune on; this file's default set and ``agent eval``'s held-out suites report.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agent.evaluation.suites import Expectation, Task, Turn  # noqa: E402

DATA = ROOT / "bench" / "data" / "unseen_problems.jsonl"


def unseen_tasks(path: Path = DATA) -> list[Task]:
    """The file's records as evaluation tasks: the last turn is judged, the earlier ones are its context."""
    tasks = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        *earlier, question = record["turns"]
        tasks.append(
            Task(
                id=record["id"],
                suite=record["kind"],
                question=question,
                expect=Expectation(number=Fraction(record["answer"])),
                earlier=tuple(Turn(text) for text in earlier),
            )
        )
    return tasks


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", default="local", help="model spec (default: the embedded model)")
    parser.add_argument("--json", type=Path, help="write every task's run here")
    parser.add_argument("--data", type=Path, default=DATA, help=f"the tasks (default: {DATA.name})")
    parser.add_argument(
        "--documents",
        type=Path,
        help="a folder of documents the tasks ask about, ingested first (look-up sets: bench/data/lookup_*)",
    )
    args = parser.parse_args()
    if args.documents is not None and not args.documents.is_dir():
        parser.error(f"--documents: {args.documents} is not a folder")

    from agent.evaluation.runner import eval_environment, needs_documents, run_eval
    from agent.models.loading import load_model
    from agent.settings import Settings

    settings = Settings()
    tasks = unseen_tasks(args.data)
    # without a folder, the bundled documents where a task asks about them (dev_problems' look-ups)
    documents = args.documents is not None or needs_documents(tasks)
    with eval_environment(settings, documents=documents, folder=args.documents) as env:
        report = run_eval(
            load_model(args.model, settings), tasks, settings=settings, model_spec=args.model, environment=env
        )
    passed: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for run in report.tasks:
        total[run.suite] += 1
        passed[run.suite] += run.success
        mark = "ok " if run.success else "-- "
        print(f"{mark}{run.task}  {','.join(run.tools) or '-':<22} {run.answer[:110]!r}")
    for suite in total:
        print(f"{suite}: {passed[suite]}/{total[suite]}")
    if args.json:
        args.json.write_text(
            json.dumps(report.to_json(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
