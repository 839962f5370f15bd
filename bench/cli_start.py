"""Command-line start time: ``agent --help`` in fresh processes, beside the bare interpreter's start.

Each command runs once unmeasured (to load files into the page cache), then N times; reported are the median
wall time (and its minimum) and the median CPU time (user + system), which other processes competing for the
cores do not inflate.

    .venv/bin/python -m bench.cli_start [--runs 10]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

RUNS = 10
QUICK_RUNS = 5
REPO = Path(__file__).resolve().parents[1]


def agent_command() -> list[str]:
    """The installed ``agent`` script next to this interpreter, else ``python -m agent``."""
    script = Path(sys.executable).with_name("agent")
    if script.exists():
        return [str(script)]
    found = shutil.which("agent")
    return [found] if found else [sys.executable, "-m", "agent"]


COMMANDS: dict[str, list[str]] = {
    "python -c pass (floor)": [sys.executable, "-c", "pass"],
    "agent --help": [*agent_command(), "--help"],
}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timings(command: Sequence[str], runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds (user + system) of each of ``runs`` fresh runs of ``command``, after one unmeasured
    run. CPU time is what the command itself costs; wall time also counts waiting for a busy core."""
    subprocess.run(command, cwd=REPO, capture_output=True, check=True)
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), _children_cpu()
        subprocess.run(command, cwd=REPO, capture_output=True, check=True)
        wall.append(time.perf_counter() - start)
        cpu.append(_children_cpu() - start_cpu)
    return wall, cpu


def run(quick: bool = False, runs: int | None = None) -> list[dict[str, Any]]:
    """Bench rows for ``python -m bench``."""
    count = runs or (QUICK_RUNS if quick else RUNS)
    rows = []
    for name, command in COMMANDS.items():
        wall, cpu = timings(command, count)
        rows.append(
            {
                "bench": "cli_start",
                "metric": f"{name}: wall, median",
                "value": round(1000 * statistics.median(wall)),
                "unit": "ms",
                "note": f"min {1000 * min(wall):.0f} ms, {count} fresh processes",
            }
        )
        rows.append(
            {
                "bench": "cli_start",
                "metric": f"{name}: CPU, median",
                "value": round(1000 * statistics.median(cpu)),
                "unit": "ms",
                "note": "user + system",
            }
        )
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args(argv)
    for row in run(runs=args.runs):
        print(f"{row['metric']:<36} {row['value']:>6} {row['unit']}  {row['note']}")


if __name__ == "__main__":
    main()
