"""``python -m bench`` (what ``make bench`` runs): every benchmark in ``bench/``, one after another.

A bench module either defines ``run(quick: bool) -> list[dict]``, rows of ``{"bench", "metric", "value",
"unit", "note"}`` that this command runs in-process and prints as one table, or only a ``main()`` behind
``if __name__ == "__main__"``, which runs as ``python -m bench.<name>`` in its own process with its output
printed as it comes. A failing bench is reported and the others still run; the exit status is then 1.

    .venv/bin/python -m bench [--quick] [--only NAME]... [--skip NAME]... [--json] [--list]
"""

from __future__ import annotations

import argparse
import ast
import json
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent

ORDER = ("overhead", "cli_start", "memory", "kb", "embeddings", "routing", "local_speed", "calculator")
"""The order benches run in; modules not listed follow alphabetically. Names listed but missing are shown
as not available (yet)."""

QUICK_ARGS: dict[str, list[str]] = {
    "memory": ["--turns", "10", "100"],
    "kb": ["--sizes", "1000", "--queries", "50"],
    "embeddings": ["--repeat", "1", "--reps", "1"],
    "routing": ["--limit", "20"],
    "local_speed": ["--reps", "2"],
    "calculator": ["--repeat", "50"],
    "bfcl": ["--limit", "3", "--case-timeout", "30"],
}
"""With ``--quick``, arguments for ``main()``-only benches that make them short (their own flags)."""


@dataclass
class Outcome:
    """What one bench produced."""

    name: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    output: str = ""
    seconds: float = 0.0
    error: str | None = None


def discover() -> list[str]:
    """Bench module names present in ``bench/``, in run order."""
    present = {path.stem for path in BENCH_DIR.glob("*.py") if not path.stem.startswith("_")}
    return [name for name in ORDER if name in present] + sorted(present - set(ORDER))


def has_run(name: str) -> bool:
    """Whether ``bench/<name>.py`` defines a top-level ``run`` (read from the source: importing a bench may
    load a model)."""
    tree = ast.parse((BENCH_DIR / f"{name}.py").read_text(encoding="utf-8"))
    return any(isinstance(node, ast.FunctionDef) and node.name == "run" for node in tree.body)


def run_in_process(name: str, quick: bool) -> Outcome:
    import importlib

    start = time.perf_counter()
    try:
        rows = importlib.import_module(f"bench.{name}").run(quick=quick)
    except Exception as exc:
        return Outcome(name, seconds=time.perf_counter() - start, error=f"{type(exc).__name__}: {exc}")
    return Outcome(name, rows=list(rows), seconds=time.perf_counter() - start)


def run_subprocess(name: str, quick: bool, capture: bool) -> Outcome:
    command = [sys.executable, "-m", f"bench.{name}", *(QUICK_ARGS.get(name, []) if quick else [])]
    if not capture:
        print(f"\n── {name}: {' '.join(['python', *command[1:]])}", flush=True)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, capture_output=capture, text=True, check=False)
    outcome = Outcome(name, output=done.stdout or "", seconds=time.perf_counter() - start)
    if done.returncode != 0:
        tail = (done.stderr or "").strip().splitlines()[-1:] if capture else []
        outcome.error = f"exit status {done.returncode}" + (f": {tail[0]}" if tail else "")
    return outcome


def print_table(outcomes: Sequence[Outcome]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Benchmarks", title_justify="left")
    for column in ("bench", "metric", "value", "unit", "note"):
        table.add_column(column, justify="right" if column == "value" else "left")
    for outcome in outcomes:
        for row in outcome.rows:
            table.add_row(*(str(row.get(key, "")) for key in ("bench", "metric", "value", "unit", "note")))
        if outcome.error:
            table.add_row(outcome.name, "failed", "-", "", outcome.error, style="red")
    Console().print(table)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer turns, runs and sizes")
    parser.add_argument("--only", action="append", default=[], metavar="NAME", help="run only these")
    parser.add_argument("--skip", action="append", default=[], metavar="NAME", help="leave these out")
    parser.add_argument("--json", action="store_true", help="print one JSON object at the end")
    parser.add_argument("--list", action="store_true", help="list the benches and exit")
    args = parser.parse_args(argv)

    available = discover()
    if args.list:
        for name in available:
            print(f"{name:<12} {'run(quick)' if has_run(name) else 'main() in a subprocess'}")
        for name in ORDER:
            if name not in available:
                print(f"{name:<12} not available yet")
        return 0
    unknown = [name for name in args.only + args.skip if name not in available]
    if unknown:
        parser.error(f"no bench named {unknown[0]!r}; available: {', '.join(available)}")
    names = [n for n in available if (not args.only or n in args.only) and n not in args.skip]

    in_process = [n for n in names if has_run(n)]
    outcomes = [run_in_process(name, args.quick) for name in in_process]
    if not args.json:
        print_table(outcomes)
    outcomes += [run_subprocess(n, args.quick, capture=args.json) for n in names if n not in in_process]
    missing = [name for name in ORDER if name not in available]

    if args.json:
        payload = {
            "quick": args.quick,
            "python": sys.version.split()[0],
            "benches": [vars(outcome) for outcome in outcomes],
            "not_available": missing,
        }
        print(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        failed = [o for o in outcomes if o.error and o.name not in in_process]
        for outcome in failed:
            print(f"\n{outcome.name} failed: {outcome.error}", file=sys.stderr)
        if missing:
            print(f"\nnot available yet: {', '.join(missing)}")
    return 1 if any(outcome.error for outcome in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
