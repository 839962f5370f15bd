"""Calculator micro-benchmark: per-call latency of typical and worst-case expressions, and import time.

Typical expressions are what models send; the worst cases are the most expensive inputs the bounds
still allow (or refuse), so the printed maximum is the calculator's real worst latency.

    .venv/bin/python bench/calculator.py [--repeat 200]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tools.calculator import CalculatorError, calculate  # noqa: E402

TYPICAL = [
    "12*12",
    "0.1 + 0.2",
    "(1500 * 1.07**10) / 12",
    "sqrt(2) * pi",
    "sin(radians(30)) + cos(pi/3)",
    "log(1000, 10) + ln(e)",
    "comb(52, 5)",
    "round(1234.5678 * 0.15, 2)",
    "2^64 - 1",
    "25!",
]

WORST = [
    "3000!",
    "10**9999",
    "(1/3)**9000 + (1/7)**5000",
    "comb(33000, 2000)",
    "1.0001**10000",
    "+".join(["(1/3)**9000"] * 60),
    "9**9**9**9",
    "10**100000",
    "3000! * 3000!",
    "-" * 999 + "1",
    "sqrt(" * 50 + "2" + ")" * 50,
]


def _time_call(expression: str, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        with contextlib.suppress(CalculatorError):
            calculate(expression)
        samples.append(time.perf_counter() - started)
    return samples


def _import_seconds() -> float:
    code = "import time; t = time.perf_counter(); import tools.calculator; print(time.perf_counter() - t)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    return float(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()

    print(f"{'expression':48} {'median µs':>10} {'max µs':>10}")
    for group, expressions, repeat in (("typical", TYPICAL, args.repeat), ("worst", WORST, 5)):
        print(f"-- {group}")
        for expression in expressions:
            samples = _time_call(expression, repeat)
            label = expression if len(expression) <= 46 else expression[:43] + "..."
            print(f"{label:48} {statistics.median(samples) * 1e6:10.0f} {max(samples) * 1e6:10.0f}")
    print(f"cold import of tools.calculator (with langchain_core): {_import_seconds():.2f} s")


if __name__ == "__main__":
    main()
