"""How often the exact look-up reading (``graphs/planning/looked_up.py``) fires on a look-up set, and how often
it is right: its precision, apart from the rest of the assistant.

Each first turn of a set is searched in the set's documents as the assistant searches them (the same tool, the
same query, the sentences ranked as the planner ranks them); the reading runs over those sentences, and each
calculation it makes is checked against the set's answer with the calculator. Follow-ups are skipped. A wrong
fire costs an answer the adapter might have got right, so this number matters as much as the end-to-end one
(``bench/unseen_problems.py --documents``).

Usage::

    .venv/bin/python bench/looked_up_fires.py bench/data/lookup_dev            # counts and each fire
    .venv/bin/python bench/looked_up_fires.py bench/data/lookup_heldout --quiet  # counts only (held-out sets)
"""

from __future__ import annotations

import argparse
import json
import sys
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("folder", type=Path, help="a look-up set: documents/ and problems.jsonl")
    parser.add_argument("--quiet", action="store_true", help="print the counts only, not each fire")
    args = parser.parse_args()
    if not (args.folder / "documents").is_dir() or not (args.folder / "problems.jsonl").is_file():
        parser.error(f"{args.folder} holds no documents/ folder and problems.jsonl")

    from agent.evaluation.runner import eval_environment
    from agent.settings import Settings
    from graphs.planning import extractive, rules
    from graphs.planning.looked_up import looked_up_expression, sentences_of
    from tools.calculator import calculate

    records = [
        json.loads(line)
        for line in (args.folder / "problems.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    router = rules.shared_router()
    fires = right = 0
    with eval_environment(Settings(), folder=args.folder / "documents") as env:
        search = next(tool for tool in env.tools if tool.name == rules.DOCUMENTS_TOOL)
        for record in records:
            if len(record["turns"]) != 1:
                continue
            question = record["turns"][0]
            call = {"name": rules.DOCUMENTS_TOOL, "args": {"query": rules.search_query(question)}, "id": "s1"}
            result = search.invoke({**call, "type": "tool_call"})
            ranking = extractive.ranking(
                question,
                rules.result_passages([result]),
                router.similarities,
                titles=rules.result_titles([result]),
            )
            expression = looked_up_expression(question, sentences_of(ranking))
            if expression is None:
                continue
            fires += 1
            value = calculate(expression)
            ok = Fraction(value) == Fraction(record["answer"])
            right += ok
            if not args.quiet:
                print(
                    f"{'ok ' if ok else '-- '}{record['id']}  {expression} = {value}  (answer {record['answer']})"
                )
    print(f"fired {fires}, right {right}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
