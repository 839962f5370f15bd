"""The Berkeley Function Calling Leaderboard (BFCL) on the embedded model, scored by BFCL's own checker.

An external benchmark nobody here wrote (issue 12, item 4). The data (``bfcl_eval/data/BFCL_v4_*.json``),
the answers (``possible_answer/``) and the official AST checker (``eval_checker/ast_eval/ast_checker.py``)
come from the ``bfcl-eval`` wheel. Its declared dependencies (numpy==1.26.4, every provider SDK) conflict
with ours, so the wheel is downloaded with ``pip download --no-deps`` and unpacked into a cache instead of
being installed. Importing the checker needs two small stand-ins, put in ``sys.modules`` here and never
written into the package: ``bfcl_eval.constants.model_config`` (which imports every provider's handler;
the checker only asks it whether a model's function names had their dots turned into underscores) and the
Java/JavaScript parsers (tree-sitter grammars, imported by ``model_handler.utils``; the Python categories
never parse Java or JavaScript).

Each case runs as BFCL's OpenAI function-calling handler runs it: the language hint is appended to every
function's description, the functions are converted to OpenAI tools (``convert_to_tool`` with
``GORILLA_TO_OPENAPI``: dots in names become underscores, BFCL's types become JSON-schema types), the
case's messages are sent with no system prompt of ours, and the answer becomes
``[{name: arguments_json}, ...]`` when it has tool calls, its text otherwise, which the handler's
``decode_ast`` then decodes. ``irrelevance`` passes when nothing decodes to a call; the other categories go
through ``ast_checker``.

Two models on the same packaged GGUF (Gemma 3 270M base):

- ours: ``ChatLocalLlama`` (``load_local_model(None, Settings())``) with ``bind_tools`` on the case's tools;
- baseline: llama-cpp-python's own ``chat_format="chatml-function-calling"``, ``tool_choice="auto"``.

Usage::

    .venv/bin/python bench/bfcl.py [--limit 25] [--categories simple_python multiple ...]
        [--models ours baseline] [--cache DIR] [--json]
"""

from __future__ import annotations

import argparse
import copy
import importlib
import json
import re
import subprocess
import sys
import time
import types
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WHEEL_VERSION = "2026.3.23"
"""The ``bfcl-eval`` release whose data and checker are used (the newest at the time of writing)."""
DEFAULT_CACHE = Path.home() / ".cache" / "langgraph-assistant" / "bfcl"
CATEGORIES = ("simple_python", "multiple", "parallel", "parallel_multiple", "irrelevance")
ALIASES = {"simple": "simple_python", "parallel-multiple": "parallel_multiple"}
MODEL_NAME = "langgraph-assistant"
"""The name the checker is given; our stand-in model_config says its function names had dots replaced."""
PYTHON_HINT = " Note that the provided function is in Python 3 syntax."
"""What BFCL appends to every function description of a Python category (``utils._get_language_specific_hint``)."""

GORILLA_TO_OPENAPI = {
    "integer": "integer",
    "number": "number",
    "float": "number",
    "string": "string",
    "boolean": "boolean",
    "bool": "boolean",
    "array": "array",
    "list": "array",
    "dict": "object",
    "object": "object",
    "tuple": "array",
    "any": "string",
    "byte": "integer",
    "short": "integer",
    "long": "integer",
    "double": "number",
    "char": "string",
    "ArrayList": "array",
    "Array": "array",
    "HashMap": "object",
    "Hashtable": "object",
    "Queue": "array",
    "Stack": "array",
    "Any": "string",
    "String": "string",
    "Bigint": "integer",
}
"""``bfcl_eval.constants.type_mappings.GORILLA_TO_OPENAPI``, copied so that the conversion is testable
without the wheel (``tests/test_bfcl_bench.py`` checks it against the wheel's when that is cached)."""


# -- tool conversion and output format (pure: no wheel, no model)
def _cast_to_openai_type(properties: dict[str, Any]) -> dict[str, Any]:
    """``model_handler.utils._cast_to_openai_type`` with ``GORILLA_TO_OPENAPI``, the same cases handled."""
    for key, value in properties.items():
        if "type" not in value:
            value["type"] = "string"
        else:
            if value["type"] == "float":
                value["format"] = "float"
                value["description"] += " This is a float type value."
            value["type"] = GORILLA_TO_OPENAPI.get(value["type"], "string")
        if value["type"] in ("array", "object"):
            if "properties" in value:
                value["properties"] = _cast_to_openai_type(value["properties"])
            elif "items" in value:
                items = value["items"]
                items["type"] = GORILLA_TO_OPENAPI[items["type"]]
                if items["type"] == "array" and "items" in items:
                    items["items"]["type"] = GORILLA_TO_OPENAPI[items["items"]["type"]]
                elif items["type"] == "object" and "properties" in items:
                    items["properties"] = _cast_to_openai_type(items["properties"])
        properties[key] = value
    return properties


def openai_tools(functions: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """A case's functions as BFCL's OpenAI function-calling handler sends them.

    The Python hint is appended to each description (``_func_doc_language_specific_pre_processing``), then
    ``convert_to_tool(functions, GORILLA_TO_OPENAPI, ModelStyle.OPENAI_COMPLETIONS)``: dots in names become
    underscores, parameters become a JSON-schema object, each wrapped as ``{"type": "function", ...}``.
    The case's own functions are not changed.
    """
    tools = []
    for function in copy.deepcopy(list(functions)):
        function["description"] = function["description"] + PYTHON_HINT
        function["name"] = re.sub(r"\.", "_", function["name"])
        function["parameters"]["type"] = "object"
        function["parameters"]["properties"] = _cast_to_openai_type(function["parameters"]["properties"])
        tools.append({"type": "function", "function": function})
    return tools


def model_output(tool_calls: Sequence[tuple[str, Any]], content: Any) -> list[dict[str, str]] | Any:
    """What BFCL's OpenAI handler records (``_parse_query_response_FC``): ``[{name: arguments_json}, ...]``
    when the answer has tool calls, the answer's text when it has none.

    ``tool_calls`` holds ``(name, arguments)`` pairs; arguments already a JSON string stay as they are.
    """
    if not tool_calls:
        return content
    return [{name: args if isinstance(args, str) else json.dumps(args)} for name, args in tool_calls]


def decode_ast(result: Any) -> list[dict[str, Any]]:
    """``OpenAICompletionsHandler.decode_ast`` for a function-calling model: JSON arguments to dicts.

    Text (no tool calls) does not decode: the handler fails on it (``str`` has no ``keys``), which BFCL
    counts as no call (irrelevance passes) or as a decoding failure (the other categories).
    """
    if not isinstance(result, list):
        raise TypeError(f"not a list of function calls: {type(result).__name__}")
    decoded = []
    for invoked in result:
        name = next(iter(invoked.keys()))
        decoded.append({name: json.loads(invoked[name])})
    return decoded


def ours_tool_calls(message: Any) -> list[tuple[str, Any]]:
    """A LangChain ``AIMessage``'s tool calls (valid and invalid ones) as ``(name, arguments)`` pairs."""
    calls: list[tuple[str, Any]] = [(call["name"], call["args"]) for call in message.tool_calls]
    calls += [(call.get("name") or "", call.get("args") or "") for call in message.invalid_tool_calls]
    return calls


def baseline_tool_calls(response: dict[str, Any]) -> tuple[list[tuple[str, Any]], Any]:
    """An OpenAI-style chat completion's tool calls as ``(name, arguments)`` pairs, and its text."""
    message = response["choices"][0]["message"]
    calls = [
        (call["function"]["name"], call["function"]["arguments"]) for call in message.get("tool_calls") or []
    ]
    return calls, message.get("content")


# -- the wheel: download, unpack, import
def ensure_wheel(cache: Path, version: str = WHEEL_VERSION) -> Path:
    """The unpacked ``bfcl-eval`` wheel under ``cache`` (downloaded once, never installed): its root."""
    target = cache / version
    if (target / "bfcl_eval" / "eval_checker" / "ast_eval" / "ast_checker.py").is_file():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    wheels = sorted(cache.glob(f"bfcl_eval-{version}-*.whl"))
    if not wheels:
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(cache)]
        done = subprocess.run([*command, f"bfcl-eval=={version}"], check=False)
        if done.returncode != 0:
            raise SystemExit(
                f"could not download bfcl-eval=={version} (pip download exited {done.returncode})"
            )
        wheels = sorted(cache.glob(f"bfcl_eval-{version}-*.whl"))
    if not wheels:
        raise SystemExit(f"no bfcl_eval-{version} wheel in {cache}")
    partial = cache / f"{version}.partial"
    with zipfile.ZipFile(wheels[-1]) as wheel:
        wheel.extractall(partial)
    partial.rename(target)
    return target


def _stub(name: str, **attributes: Any) -> None:
    module = types.ModuleType(name)
    module.__dict__.update(attributes)
    sys.modules[name] = module


def _unavailable(language: str) -> Callable[..., Any]:
    def parse(source_code: str) -> Any:
        raise NotImplementedError(f"{language} parsing is not available here (tree-sitter is stubbed out)")

    return parse


@dataclass
class Bfcl:
    """The parts of the unpacked wheel the benchmark uses."""

    root: Path
    ast_checker: Callable[..., dict[str, Any]]
    python: Any
    """``bfcl_eval.constants.enums.Language.PYTHON``."""
    is_empty_output: Callable[[Any], bool]
    is_function_calling_format_output: Callable[[Any], bool]
    convert_to_tool: Callable[..., list[dict[str, Any]]]
    language_hint: Callable[[list[dict[str, Any]], str], list[dict[str, Any]]]
    openai_style: Any
    gorilla_to_openapi: dict[str, str]

    def cases(self, category: str, limit: int | None, offset: int = 0) -> list[dict[str, Any]]:
        """``limit`` cases of a category from the ``offset``-th, each with its ``ground_truth`` (none for
        irrelevance)."""
        data = self.root / "bfcl_eval" / "data"
        cases = _jsonl(data / f"BFCL_v4_{category}.json", None if limit is None else offset + limit)[offset:]
        answers_path = data / "possible_answer" / f"BFCL_v4_{category}.json"
        if answers_path.is_file():
            answers = {answer["id"]: answer["ground_truth"] for answer in _jsonl(answers_path, None)}
            for case in cases:
                case["ground_truth"] = answers[case["id"]]
        return cases

    def score(self, case: dict[str, Any], category: str, result: Any) -> tuple[bool, str]:
        """Whether BFCL's evaluation counts ``result`` (a :func:`model_output`) right, and why not."""
        try:
            decoded = decode_ast(result)
        except Exception as error:  # BFCL counts any decoding failure the same way
            if category == "irrelevance":
                return True, ""
            return False, f"ast_decoder:decoder_failed ({type(error).__name__})"
        if category == "irrelevance":
            called = not self.is_empty_output(decoded)
            return (False, "irrelevance_error:decoder_success") if called else (True, "")
        if not self.is_function_calling_format_output(decoded):
            return False, "ast_decoder:decoder_wrong_output_format"
        verdict = self.ast_checker(
            case["function"], decoded, case["ground_truth"], self.python, category, MODEL_NAME
        )
        return bool(verdict["valid"]), "" if verdict["valid"] else str(verdict.get("error_type", ""))


def _jsonl(path: Path, limit: int | None) -> list[dict[str, Any]]:
    rows = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                rows.append(json.loads(line))
                if limit is not None and len(rows) >= limit:
                    break
    return rows


def load_bfcl(root: Path) -> Bfcl:
    """Import the checker (and what it needs) from an unpacked wheel, with the two stand-ins."""
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    _stub(
        "bfcl_eval.constants.model_config",
        MODEL_CONFIG_MAPPING={MODEL_NAME: types.SimpleNamespace(underscore_to_dot=True)},
    )
    _stub("bfcl_eval.model_handler.parser.java_parser", parse_java_function_call=_unavailable("Java"))
    _stub(
        "bfcl_eval.model_handler.parser.js_parser", parse_javascript_function_call=_unavailable("JavaScript")
    )
    checker = importlib.import_module("bfcl_eval.eval_checker.ast_eval.ast_checker")
    enums = importlib.import_module("bfcl_eval.constants.enums")
    utils = importlib.import_module("bfcl_eval.utils")
    handler_utils = importlib.import_module("bfcl_eval.model_handler.utils")
    return Bfcl(
        root=root,
        ast_checker=checker.ast_checker,
        python=enums.Language.PYTHON,
        is_empty_output=utils.is_empty_output,
        is_function_calling_format_output=utils.is_function_calling_format_output,
        convert_to_tool=handler_utils.convert_to_tool,
        language_hint=utils._func_doc_language_specific_pre_processing,
        openai_style=enums.ModelStyle.OPENAI_COMPLETIONS,
        gorilla_to_openapi=importlib.import_module("bfcl_eval.constants.type_mappings").GORILLA_TO_OPENAPI,
    )


# -- the two models
def _langchain_messages(question: Sequence[dict[str, str]]) -> list[Any]:
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

    kinds = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}
    return [kinds[message["role"]](content=message["content"]) for message in question]


def make_ours(case_timeout: float) -> Callable[[list[dict[str, str]], list[dict[str, Any]]], Any]:
    """``ChatLocalLlama`` as the assistant loads it. Its generations are bounded by its own token limits, so
    ``case_timeout`` is not applied (a slow case is timed, not cut)."""
    from agent.models.local.chat_model import load_local_model
    from agent.settings import Settings

    model = load_local_model(None, Settings())

    def ask(question: list[dict[str, str]], tools: list[dict[str, Any]]) -> Any:
        message = model.bind_tools(tools).invoke(_langchain_messages(question))
        return model_output(ours_tool_calls(message), message.content)

    return ask


def make_baseline(case_timeout: float) -> Callable[[list[dict[str, str]], list[dict[str, Any]]], Any]:
    """llama-cpp-python's ``chatml-function-calling``. It generates a call's arguments under the schema's
    grammar with ``max_tokens=None``, which with Gemma's 262k-token vocabulary can run for many minutes
    (one case took more than five on the busy machine); every generation of a case therefore stops at
    ``case_timeout`` seconds (a stopping criterion added to its ``create_completion`` calls), and a case cut
    short that way is a failure."""
    import functools

    import llama_cpp

    from agent.models.llama_build import safe_model_load
    from agent.models.local.chat_model import DEFAULT_N_CTX, packaged_model_path
    from agent.models.local.engine import default_threads

    threads = default_threads()
    with safe_model_load():
        llm = llama_cpp.Llama(
            model_path=str(packaged_model_path()),
            chat_format="chatml-function-calling",
            n_ctx=DEFAULT_N_CTX,
            n_threads=threads,
            n_threads_batch=threads,
            seed=0,
            verbose=False,
        )

    deadline = [0.0]
    past_deadline = llama_cpp.StoppingCriteriaList([lambda tokens, logits: time.monotonic() > deadline[0]])
    llm.create_completion = functools.partial(llm.create_completion, stopping_criteria=past_deadline)  # type: ignore[method-assign]

    def ask(question: list[dict[str, str]], tools: list[dict[str, Any]]) -> Any:
        deadline[0] = time.monotonic() + case_timeout
        try:
            response = llm.create_chat_completion(
                messages=question,  # type: ignore[arg-type]
                tools=tools,  # type: ignore[arg-type]
                tool_choice="auto",
                temperature=0.001,  # BFCL's default temperature
                max_tokens=256,
            )
        finally:
            if time.monotonic() > deadline[0]:
                raise CaseTimeout(f"cut after {case_timeout:g} s")
        calls, content = baseline_tool_calls(response)  # type: ignore[arg-type]
        return model_output(calls, content)

    return ask


class CaseTimeout(Exception):
    """A case ran past ``--case-timeout``: a failure in every category (irrelevance included)."""


MODELS = {"ours": make_ours, "baseline": make_baseline}


# -- the run
@dataclass
class Tally:
    passed: int = 0
    total: int = 0
    seconds: float = 0.0
    failures: dict[str, int] = field(default_factory=dict)

    @property
    def percent(self) -> float:
        return 100.0 * self.passed / self.total if self.total else 0.0

    def cell(self) -> str:
        return f"{self.percent:.0f}% ({self.total})" if self.total else "-"


def evaluate(
    bfcl: Bfcl,
    categories: Sequence[str],
    models: Sequence[str],
    limit: int,
    verbose: bool,
    case_timeout: float,
    offset: int = 0,
) -> dict[str, Any]:
    asks = {name: MODELS[name](case_timeout) for name in models}
    tallies: dict[str, dict[str, Tally]] = {
        name: {category: Tally() for category in categories} for name in models
    }
    details: list[dict[str, Any]] = []
    for category in categories:  # case by case, both models on each: a run cut short still compares them
        for case in bfcl.cases(category, limit, offset):
            tools = openai_tools(case["function"])
            for name, ask in asks.items():
                tally = tallies[name][category]
                started = time.perf_counter()
                timed_out = False
                try:
                    result = ask(case["question"][0], tools)
                except CaseTimeout as error:
                    result, timed_out = f"timeout: {error}", True
                except Exception as error:  # a crash on one case is that case's failure
                    result = f"error: {type(error).__name__}: {error}"
                seconds = time.perf_counter() - started
                tally.seconds += seconds
                passed, why = (False, "timeout") if timed_out else bfcl.score(case, category, result)
                tally.total += 1
                tally.passed += passed
                if not passed:
                    tally.failures[why] = tally.failures.get(why, 0) + 1
                details.append(
                    {"model": name, "id": case["id"], "passed": passed, "why": why, "output": result}
                )
                if verbose:
                    verdict = "ok" if passed else f"FAIL {why}"
                    print(
                        f"{name:8} {case['id']:24} {seconds:5.1f} s  {verdict}", file=sys.stderr, flush=True
                    )
    return {"tallies": tallies, "details": details}


def table(tallies: dict[str, dict[str, Tally]], categories: Sequence[str]) -> str:
    names = {"ours": "ours % (N)", "baseline": "llama.cpp chatml-function-calling % (N)"}
    header = ["category", *(names[name] for name in tallies)]
    rows = [[category, *(tallies[name][category].cell() for name in tallies)] for category in categories]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in [header, *rows]
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=25, help="first N cases of each category (default 25)")
    parser.add_argument(
        "--offset",
        type=int,
        default=0,
        help="skip the first N cases of each category (default 0): tune on later cases, report on the first",
    )
    parser.add_argument("--categories", nargs="+", default=list(CATEGORIES), metavar="CATEGORY")
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    parser.add_argument(
        "--cache", type=Path, default=DEFAULT_CACHE, help=f"wheel cache (default {DEFAULT_CACHE})"
    )
    parser.add_argument(
        "--case-timeout",
        type=float,
        default=60.0,
        help="baseline: seconds per case before it is cut (default 60)",
    )
    parser.add_argument("--json", action="store_true", help="print the results (and every case) as JSON")
    parser.add_argument("--verbose", action="store_true", help="one line per case on stderr")
    args = parser.parse_args(argv)
    categories = [ALIASES.get(category, category) for category in args.categories]
    unknown = sorted(set(categories) - set(CATEGORIES))
    if unknown:
        parser.error(f"unknown categories {unknown}; choose from {list(CATEGORIES)}")
    bfcl = load_bfcl(ensure_wheel(args.cache))
    result = evaluate(bfcl, categories, args.models, args.limit, args.verbose, args.case_timeout, args.offset)
    tallies = result["tallies"]
    if args.json:
        summary = {
            name: {
                category: {
                    "passed": tally.passed,
                    "total": tally.total,
                    "percent": round(tally.percent, 1),
                    "seconds": round(tally.seconds, 1),
                    "failures": tally.failures,
                }
                for category, tally in by_category.items()
            }
            for name, by_category in tallies.items()
        }
        print(
            json.dumps({"bfcl_eval": WHEEL_VERSION, "summary": summary, "cases": result["details"]}, indent=1)
        )
        return 0
    print(
        f"BFCL (bfcl-eval {WHEEL_VERSION}, official AST checker), cases {args.offset + 1}-"
        f"{args.offset + args.limit} of each category"
    )
    print(table(tallies, categories))
    for name, by_category in tallies.items():
        for category, tally in by_category.items():
            if tally.failures:
                print(f"{name} {category} failures: {tally.failures} ({tally.seconds:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
