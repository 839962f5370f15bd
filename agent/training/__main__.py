"""``python -m agent.training build-data | train | evaluate``: the reproducible pipeline of issue 12.

Imports are lazy: ``build-data`` needs no torch, ``evaluate`` needs only llama-cpp-python.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m agent.training", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    build = commands.add_parser("build-data", help="write train/heldout/seen_test JSONL for a seed")
    build.add_argument("--seed", type=int, default=0)
    build.add_argument("--out", type=Path, required=True)

    train = commands.add_parser(
        "train", help="LoRA fine-tune of the packaged GGUF, exported as a llama.cpp adapter"
    )
    train.add_argument("--data", type=Path, required=True, help="a build-data directory")
    train.add_argument("--out", type=Path, required=True, help="the adapter GGUF to write")
    train.add_argument(
        "--minutes", type=float, default=30.0, help="training time budget (model load excluded)"
    )
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--threads", type=int, default=2)
    train.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (0: time only)")
    train.add_argument("--precision", choices=("auto", "bf16", "fp32"), default="auto")

    evaluate = commands.add_parser("evaluate", help="first-call exact match: base few-shot vs base + adapter")
    evaluate.add_argument("--adapter", type=Path, default=None)
    evaluate.add_argument("--data", type=Path, required=True, help="a build-data directory")
    evaluate.add_argument("--limit", type=int, default=0, help="examples per split (0: all)")
    evaluate.add_argument("--threads", type=int, default=2)
    evaluate.add_argument("--out", type=Path, default=None, help="write the per-example results as JSON")
    evaluate.add_argument("--no-base", action="store_true", help="score only base + adapter")
    evaluate.add_argument(
        "--documents",
        action="store_true",
        help="also run lookup_compute's two steps on the real knowledge base",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "build-data":
        from agent.training.build import write_splits

        print(json.dumps(write_splits(args.seed, args.out)["examples"]))
        return 0
    if args.command == "train":
        from agent.training.train import TrainConfig, train

        config = TrainConfig(
            minutes=args.minutes,
            seed=args.seed,
            threads=args.threads,
            max_steps=args.max_steps,
            precision=args.precision,
        )
        train(args.data, args.out, config)
        return 0
    from agent.training.evaluate import evaluate

    evaluate(
        args.data,
        args.adapter,
        limit=args.limit,
        threads=args.threads,
        out=args.out,
        base=not args.no_base,
        documents=args.documents,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
