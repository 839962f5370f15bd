"""Development set for answers from the knowledge base: does the answer state the fact, with its [n]?

    .venv/bin/python -m bench.kb_answers                 # every question, the embedded model
    .venv/bin/python -m bench.kb_answers --limit 5 --json
    .venv/bin/python -m bench.kb_answers --data bench/data/docs_dev   # a set of its own (see below)

The documents are real files from a Debian system's ``/usr/share/doc`` (FAQ, READMEs, a changelog, HTML
pages of a manual), copied to ``tests/data/kb_dev``; the questions below were written for this set only.
They are what sentence selection (``graphs.planning.extractive``) and routing are tuned on; the held-out measure is
``agent eval --suite unseen_documents``, which is never tuned on. Each question is judged by the eval's own
rules (``agent.evaluation.suites.judge``): the right file retrieved, the fact in the answer, no restatement of
the question. Web search is the eval's offline stand-in, so a question routed to the web must still reach
the documents.

``--data FOLDER`` runs a set written apart, as a folder of ``documents/`` and ``questions.jsonl`` (one JSON
object a line: ``id``, ``question``, ``document``, ``fact``): ``bench/data/docs_dev`` (tuned on) and
``bench/data/docs_heldout`` (held out: its totals only), each 30 questions over 10 other files of
``/usr/share/doc``, written by people who saw no code.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path

from agent.evaluation.runner import (
    EVAL_COLLECTION,
    EvalEnvironment,
    KnowledgeBaseInfo,
    eval_settings,
    offline_web_search,
)
from agent.evaluation.suites import Expectation, Task
from agent.settings import Settings

DOCUMENTS = Path(__file__).resolve().parent.parent / "tests" / "data" / "kb_dev"

# (question, document, fact that must appear: a whole number or a phrase)
QUESTIONS: tuple[tuple[str, str, str], ...] = (
    ("How long does the bc timetest step take to complete?", "bc_readme.txt", "10 minutes"),
    ("Who is the author of GNU bc?", "bc_readme.txt", "Philip A. Nelson"),
    (
        "According to my notes, what does the --with-editline option of bc use?",
        "bc_readme.txt",
        "BSD editline",
    ),
    ("Which uid is reserved for the mysql user?", "base_passwd_readme.txt", "64001"),
    ("Which range of uids and gids does Debian reserve for future use?", "base_passwd_readme.txt", "0-99"),
    ("What is the next uid/gid allocation in base-passwd?", "base_passwd_readme.txt", "64070"),
    (
        "In my documents, is the root account ever removed by update-passwd?",
        "base_passwd_readme.txt",
        "never removed",
    ),
    ("How long after upload do unstable packages reach testing?", "base_files_faq.txt", "ten days"),
    (
        "What is a better way than /etc/debian_version to know which distribution I am running?",
        "base_files_faq.txt",
        "sources.list",
    ),
    ("Since which base-files version is /etc/profile upgraded automatically?", "base_files_faq.txt", "6.10"),
    (
        "Which Debian bug did dropping the transitional cscope-el package close?",
        "cscope_changelog.txt",
        "878380",
    ),
    ("Which Standards-Version did cscope 15.9-1 bump to?", "cscope_changelog.txt", "4.2.1"),
    (
        "Which environment variable sets the directory libffi uses for closure files?",
        "libffi_memory_usage.html",
        "LIBFFI_TMPDIR",
    ),
    (
        "Does libffi support bit fields in structures?",
        "libffi_missing_features.html",
        "no support for bit fields",
    ),
    ("What version of the DejaVu fonts do my documents describe?", "dejavu_fonts_readme.md", "2.37"),
    ("Which fonts are the DejaVu fonts based on?", "dejavu_fonts_readme.md", "Bitstream Vera"),
    ("Who should bugs in e2fsprogs be reported to?", "e2fsprogs_readme.txt", "Ted Ts'o"),
    (
        "Which keyring holds the keys of releases that are no longer supported?",
        "debian_archive_keyring_readme.txt",
        "debian-archive-removed-keys.gpg",
    ),
)


def set_questions(folder: Path) -> tuple[tuple[str, str, str, str], ...]:
    """The (id, question, document, fact) of a set's ``questions.jsonl``; ValueError naming the line that is
    not a JSON object with those four keys."""
    path = folder / "questions.jsonl"
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            questions.append((record["id"], record["question"], record["document"], record["fact"]))
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(
                f"{path}:{number}: not an object with id, question, document and fact ({error})"
            ) from None
    return tuple(questions)


def dev_tasks(limit: int | None = None, questions: Sequence[tuple[str, str, str, str]] = ()) -> list[Task]:
    """The questions as eval tasks (the ``unseen_documents`` rules: source, fact, no restatement): the
    ``questions`` of a set, or this file's own."""
    questions = questions or [
        (f"kb_dev-{index + 1:02d}", *question) for index, question in enumerate(QUESTIONS)
    ]
    tasks = []
    for identifier, question, source, fact in questions[:limit]:
        number = Fraction(fact) if fact.isdigit() else None
        tasks.append(
            Task(
                id=identifier,
                suite="kb_dev",
                question=question,
                expect=Expectation(
                    number=number, fact=None if number else fact, source=source, not_restated=True
                ),
            )
        )
    return tasks


@contextmanager
def dev_environment(settings: Settings, documents: Path = DOCUMENTS) -> Iterator[EvalEnvironment]:
    """The eval's tools (offline web search included) over a private knowledge base of ``documents``."""
    from tools.calculator import calculator
    from tools.knowledge_base.ingest import ingest
    from tools.knowledge_base.retrieval import make_search_documents

    home = Path(tempfile.mkdtemp(prefix="agent-kb-dev-"))
    try:
        run_settings = eval_settings(settings, home)
        start = time.perf_counter()
        report = ingest([documents], run_settings, EVAL_COLLECTION)
        info = KnowledgeBaseInfo(
            documents=len(report.files), chunks=report.chunks_added, seconds=time.perf_counter() - start
        )
        tools = [calculator, offline_web_search(), make_search_documents(run_settings)]
        yield EvalEnvironment(settings=run_settings, tools=tools, knowledge_base=info)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="local", help="model spec (default: local)")
    parser.add_argument("--limit", type=int, default=None, help="first N questions only")
    parser.add_argument("--json", action="store_true", help="one JSON object")
    parser.add_argument(
        "--data", type=Path, default=None, help="a set's folder: documents/ and questions.jsonl"
    )
    args = parser.parse_args()
    if args.data and not ((args.data / "documents").is_dir() and (args.data / "questions.jsonl").is_file()):
        parser.error(f"{args.data} holds no documents/ folder and questions.jsonl")
    try:
        questions = set_questions(args.data) if args.data else ()
    except ValueError as error:
        parser.error(str(error))
    documents = args.data / "documents" if args.data else DOCUMENTS

    from agent.evaluation.runner import run_eval
    from agent.models.loading import load_model

    settings = Settings()
    model = load_model(args.model, settings)
    with dev_environment(settings, documents) as env:
        report = run_eval(model, dev_tasks(args.limit, questions), environment=env, model_spec=args.model)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
        return
    for run in report.tasks:
        mark = "ok  " if run.success else "FAIL"
        print(f"{mark} {run.task} [{','.join(run.tools)}] {run.question}\n     -> {run.answer}")
        if not run.success:
            print(f"     ({run.reason})")
    [summary] = report.suites
    print(f"\n{summary.passed}/{summary.tasks} passed, {summary.seconds:.0f} s")


if __name__ == "__main__":
    main()
