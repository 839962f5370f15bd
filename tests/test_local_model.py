"""The embedded chat model, a plain LangChain chat model: transcripts, grammars and loading without a model,
then the real GGUF (slow-marked), then LangChain's standard suite. Its planning for the graph is tested in
tests/test_planning.py."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import tool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from agent.models.local.chat_model import ChatLocalLlama, load_local_model, normalise_tool_choice
from agent.models.local.engine import REUSE_ALIGNMENT
from agent.models.local.grammar import describe_fields, json_schema_gbnf, matches_schema, schema_dict
from agent.models.local.transcript import Turn, messages_to_turns, render_plain, trim_turns
from agent.settings import Settings
from tools.calculator import calculator


class Weather(BaseModel):
    """Get the weather forecast for a city."""

    city: str = Field(description="City name")
    unit: Literal["celsius", "fahrenheit"]
    days: int = Field(ge=1, le=7)


# -------------------------------------------------------------------------- transcripts and trimming


def _words(text: str) -> int:
    return len(text.split())


def test_messages_become_a_plain_transcript() -> None:
    messages = [
        SystemMessage("Be brief."),
        HumanMessage("What is 2+2?"),
        AIMessage("", tool_calls=[{"name": "calculator", "args": {"expression": "2+2"}, "id": "c1"}]),
        ToolMessage("4", tool_call_id="c1", name="calculator"),
    ]
    assert render_plain(messages_to_turns(messages)) == (
        "Be brief.\n\n"
        "User: What is 2+2?\n"
        'Assistant: [called calculator({"expression": "2+2"})]\n'
        "Tool result (calculator): 4\n"
        "Assistant:"
    )


def test_trimming_keeps_what_fits_untouched() -> None:
    turns = [Turn("system", "s"), Turn("user", "hello there")]
    assert trim_turns(turns, 100, _words) == turns


def test_trimming_drops_oldest_exchanges_first_and_keeps_the_question() -> None:
    turns = [
        Turn("system", "system prompt"),
        Turn("user", "old " * 50),
        Turn("assistant", "", calls=True),
        Turn("tool", "old result " * 40, name="web_search"),
        Turn("assistant", "old answer " * 20),
        Turn("user", "recent question " * 5),
        Turn("assistant", "recent answer"),
        Turn("user", "the question"),
        Turn("assistant", "", calls=True),
        Turn("tool", "fresh result", name="calculator"),
    ]
    kept = trim_turns(turns, 60, _words)
    assert [turn.text for turn in kept] == [
        "system prompt",
        "recent question " * 5,
        "recent answer",
        "the question",
        "",
        "fresh result",
    ]


def test_trimming_shortens_what_cannot_be_dropped() -> None:
    turns = [
        Turn("system", "be nice"),
        Turn("user", " ".join(f"q{i}" for i in range(500))),
        Turn("assistant", "", calls=True),
        Turn("tool", " ".join(f"r{i}" for i in range(2000)), name="web_search"),
    ]
    kept = trim_turns(turns, 300, _words)
    assert sum(_words(turn.text) + 6 for turn in kept) <= 300
    assert kept[0].text == "be nice"
    assert kept[1].text.startswith("q0 q1") and kept[1].text.endswith("q499")  # head and tail of the question
    assert kept[3].text.startswith("r0 r1") and kept[3].text.endswith("[…]")


def test_instruct_models_use_their_own_chat_template(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    template = (
        "{% for m in messages %}<start_of_turn>{{ m.role }}\n{{ m.content }}<end_of_turn>\n{% endfor %}"
        "{% if add_generation_prompt %}<start_of_turn>model\n{% endif %}"
    )

    class Stub:
        chat_template = template

    monkeypatch.setattr(ChatLocalLlama, "engine", property(lambda self: Stub()))
    model = ChatLocalLlama(model=str(tmp_path / "it.gguf"))
    turns = messages_to_turns([HumanMessage("Hi"), ToolMessage("4", tool_call_id="c", name="calculator")])
    assert model._format(turns, "Assistant:") == (
        "<start_of_turn>user\nHi<end_of_turn>\n"
        "<start_of_turn>user\nTool result (calculator): 4<end_of_turn>\n"
        "<start_of_turn>model\n"
    )
    plain = model.model_copy(update={"chat_format": "plain"})
    assert plain._format(turns, "Assistant:").startswith("User: Hi\n")


# ------------------------------------------------------------------------------ schemas and grammars


def test_tool_schema_grammar_names_every_argument() -> None:
    grammar = json_schema_gbnf(schema_dict(convert_to_openai_tool(calculator)))
    assert 'root ::= "{" space expression-kv "}" space' in grammar
    assert '"\\"expression\\""' in grammar


def test_grammar_for_enums_and_integers() -> None:
    class Booking(BaseModel):
        city: str
        nights: int = Field(ge=1)
        room: Literal["single", "double"]

    grammar = json_schema_gbnf(schema_dict(Booking))
    assert '"\\"single\\""' in grammar and '"\\"double\\""' in grammar
    assert "nights-kv" in grammar


class Movie(TypedDict):
    title: str
    year: int


@pytest.mark.parametrize(
    "schema",
    [Weather, Movie, {"type": "object", "properties": {"title": {"type": "string"}}, "required": ["title"]}],
)
def test_schema_dict_accepts_pydantic_typed_dict_and_json_schema(schema: object) -> None:
    properties = schema_dict(schema)["properties"]
    assert "title" in properties or "city" in properties


def test_grammar_strings_are_never_empty_nor_endless() -> None:
    grammar = json_schema_gbnf({"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]})
    assert 'string ::= "\\"" char{1,200} "\\"" space' in grammar


def test_fields_are_described_for_the_prompt() -> None:
    assert describe_fields(schema_dict(Weather)) == (
        "city (string): City name; unit (one of celsius/fahrenheit); days (integer)"
    )


def test_small_integer_ranges_become_enums_in_the_grammar() -> None:
    class Stay(BaseModel):
        nights: int = Field(ge=1, le=3)

    grammar = json_schema_gbnf(schema_dict(Stay))
    assert '"1" | "2" | "3"' in grammar


def test_decoded_documents_are_checked_against_the_whole_schema() -> None:
    schema = schema_dict(Weather)
    assert matches_schema({"city": "Paris", "unit": "celsius", "days": 3}, schema)
    assert not matches_schema({"city": "Paris", "unit": "celsius", "days": 10**15}, schema)
    assert not matches_schema({"city": "Paris", "unit": "kelvin", "days": 3}, schema)


def test_tool_choice_forms() -> None:
    names = ["calculator", "web_search"]
    assert normalise_tool_choice(None, names) is None
    assert normalise_tool_choice("auto", names) is None
    assert normalise_tool_choice("any", names) == "required"
    assert normalise_tool_choice("none", names) == "none"
    assert (
        normalise_tool_choice({"type": "function", "function": {"name": "web_search"}}, names) == "web_search"
    )
    with pytest.raises(ValueError, match="names no bound tool"):
        normalise_tool_choice("weather", names)


# ------------------------------------------------------------------------------------ a plain model


LOCAL_SOURCES = sorted((Path(__file__).resolve().parent.parent / "agent" / "models" / "local").glob("*.py"))


@pytest.mark.parametrize("path", LOCAL_SOURCES, ids=lambda path: path.name)
def test_the_embedded_model_imports_nothing_from_the_layers_above_it(path: Path) -> None:
    import ast

    imported = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
    above = ("graphs", "tools", "agent.chat", "agent.cli", "agent.evaluation", "agent.threads")
    assert not {name for name in imported if name.split(".")[0] in above or name.startswith(above)}


@pytest.mark.parametrize("path", LOCAL_SOURCES, ids=lambda path: path.name)
def test_the_embedded_model_knows_no_tool_of_the_graph_nor_its_review(path: Path) -> None:
    source = path.read_text(encoding="utf-8").casefold()  # code, prompts and docstrings alike
    for word in ("search_documents", "calculator", "web_search", "verdict", "reflection_request"):
        assert word not in source, f"{path.name} mentions {word!r}"


# ------------------------------------------------------------------------------------------ loading


def test_missing_model_file_is_one_clear_line(tmp_path: Path) -> None:
    missing = tmp_path / "nope.gguf"
    with pytest.raises(FileNotFoundError) as raised:
        load_local_model(str(missing), Settings())
    message = str(raised.value)
    assert str(missing) in message and "AGENT_MODEL" in message and "\n" not in message


def test_model_is_not_loaded_until_first_use(tmp_path: Path) -> None:
    model = ChatLocalLlama(model=str(tmp_path / "later.gguf"))
    assert model.model_name == "later.gguf"
    with pytest.raises(FileNotFoundError, match=r"later\.gguf"):
        model.invoke("hi")


def test_bind_tools_rejects_an_unknown_forced_tool(tmp_path: Path) -> None:
    model = ChatLocalLlama(model=str(tmp_path / "m.gguf"))
    with pytest.raises(ValueError, match="names no bound tool"):
        model.bind_tools([calculator], tool_choice="weather")


# ------------------------------------------------------------------------------ the real GGUF (slow)


@pytest.fixture(scope="session")
def local() -> ChatLocalLlama:
    model = load_local_model(None, Settings())
    assert isinstance(model, ChatLocalLlama)
    return model.model_copy(update={"temperature": 0.0})


@tool
def stock_price(symbol: str) -> str:
    """Latest price of a stock, by its ticker symbol."""
    return ""


@pytest.mark.slow
def test_real_model_calls_any_bound_tool_with_arguments_its_schema_accepts(local: ChatLocalLlama) -> None:
    bound = local.bind_tools([Weather, stock_price])
    prompt = [SystemMessage("You are helpful."), HumanMessage("What is the price of AAPL stock now?")]
    message = bound.invoke(prompt)
    assert message.response_metadata["route"].startswith("model")  # the model's own choice, no rules
    schemas = {
        "Weather": schema_dict(Weather),
        "stock_price": schema_dict(convert_to_openai_tool(stock_price)),
    }
    for call in message.tool_calls:
        assert matches_schema(call["args"], schemas[call["name"]])
    if message.tool_calls:
        result = ToolMessage("AAPL: 231.40 USD", tool_call_id=message.tool_calls[0]["id"], name="stock_price")
        answer = bound.invoke([*prompt, message, result], max_tokens=24)
        assert answer.tool_calls == [] and answer.response_metadata["route"] == "tool_results"


@pytest.mark.slow
def test_real_model_decodes_arguments_under_the_tool_schema(local: ChatLocalLlama) -> None:
    bound = local.bind_tools([Weather], tool_choice="Weather")
    message = bound.invoke("Will it rain in Paris over the next three days? Answer in celsius.")
    (call,) = message.tool_calls
    assert call["name"] == "Weather"
    Weather.model_validate(call["args"])  # raises if the grammar let anything invalid through
    assert message.response_metadata["route"] == "forced+grammar"


@pytest.mark.slow
def test_real_model_streams_tokens(local: ChatLocalLlama) -> None:
    chunks = list(local.stream("Tell me a short story about a cat."))
    texts = [chunk.text for chunk in chunks if chunk.text]
    assert len(texts) >= 3
    last = chunks[-1]
    assert last.usage_metadata is not None
    assert last.usage_metadata["output_tokens"] >= len(texts) - 1
    assert last.usage_metadata["input_tokens"] > 5
    assert last.response_metadata["model_name"] == "gemma-3-270m-q4_k_m.gguf"


@pytest.mark.slow
def test_real_model_streams_asynchronously_and_concurrently(local: ChatLocalLlama) -> None:
    import asyncio

    async def run() -> tuple[list[str], list[str]]:
        pieces = [chunk.text async for chunk in local.astream("Tell me about the sea.", max_tokens=12)]
        answers = await asyncio.gather(*(local.ainvoke(q, max_tokens=8) for q in ("Hello!", "Good night!")))
        return pieces, [answer.text for answer in answers]

    pieces, answers = asyncio.run(run())
    assert "".join(pieces) == local.invoke("Tell me about the sea.", max_tokens=12).text
    assert len(answers) == 2 and all(answers)


@pytest.mark.slow
def test_real_model_gives_the_same_greedy_text_whatever_it_evaluated_before(local: ChatLocalLlama) -> None:
    question = "Tell me about the sea."
    fresh = local.invoke(question, max_tokens=16).text
    local.invoke("Tell me about the mountains and the sea.", max_tokens=4)  # a cache that shares a prefix
    after_other = local.invoke(question, max_tokens=16).text
    streamed = "".join(chunk.text for chunk in local.stream(question, max_tokens=16))
    local.bind_tools([calculator]).invoke("What is 7 times 6?")  # grammar decoding on the same engine
    after_tools = local.invoke(question, max_tokens=16).text
    assert fresh and fresh == after_other == streamed == after_tools


@pytest.mark.slow
def test_real_engine_reuses_a_cached_prefix_only_where_the_logits_stay_exact(local: ChatLocalLlama) -> None:
    import numpy as np

    engine = local.engine
    shared = engine.tokenize(
        "User: Tell me about the sea, the rivers and the lakes.\nAssistant: The sea is " * 6
    )
    first = shared + engine.tokenize(" deep and wide.", bos=False)
    second = shared + engine.tokenize(" salty, and full of fish that swim in schools.", bos=False)
    with engine.lock:
        engine.llm.reset()
        fresh = engine._eval(second)
        engine.llm.reset()
        engine._eval(first)
        engine._reuse_aligned_prefix(second)
        kept = engine.llm.n_tokens
        reused = engine._eval(second)
    assert kept > 0 and kept % REUSE_ALIGNMENT == 0 and kept <= len(shared)
    assert np.array_equal(reused, fresh)  # an unaligned reuse differs by up to ~1 in a logit on this CPU


@pytest.mark.slow
def test_real_model_writes_a_long_answer_up_to_its_token_bound(local: ChatLocalLlama) -> None:
    # Greedy text differs by CPU (on an AVX2-only EPYC the model repeats the list and ends after ~23 tokens; on
    # AVX-512 machines it counted on past 120), so the bound is set below where any of them stopped.
    prompt = "List the numbers from one to fifty: 1, 2, 3, 4, 5,"
    message = local.invoke(prompt, max_tokens=16)
    assert message.response_metadata["finish_reason"] == "length"
    assert message.usage_metadata is not None and message.usage_metadata["output_tokens"] == 16
    assert re.search(r"\d+, \d+", message.text)  # it writes the list, cut at the bound
    pieces = [chunk.text for chunk in local.stream(prompt, max_tokens=16) if chunk.text]
    assert len(pieces) > 8 and "".join(pieces) == message.text


@pytest.mark.slow
def test_real_model_never_writes_the_next_turn(local: ChatLocalLlama) -> None:
    for prompt in ("Count from 1 to 100, separated by commas.", "Write the alphabet twice: A B C D E F G"):
        text = local.invoke(prompt, max_tokens=120).text
        assert "Assistant:" not in text and "User:" not in text


@pytest.mark.slow
def test_real_model_honours_a_stop_sequence(local: ChatLocalLlama) -> None:
    prompt = "Describe a sunny day at the beach."
    free = local.invoke(prompt, max_tokens=24)  # greedy: the same text every time
    words = free.text.split()
    assert len(words) >= 4
    stop = f" {words[3]}"
    stopped = local.invoke(prompt, stop=[stop], max_tokens=24)
    assert stopped.text == free.text[: free.text.index(stop)].rstrip()
    assert stopped.response_metadata["finish_reason"] == "stop"


@pytest.mark.slow
def test_real_model_fills_other_schemas_under_their_grammar(local: ChatLocalLlama) -> None:
    class Person(BaseModel):
        name: str = Field(max_length=40)
        age: int

    raw = local.with_structured_output(Person, include_raw=True).invoke("Alice is 31 years old.")
    assert isinstance(raw, dict)
    assert raw["parsing_error"] is None
    assert isinstance(raw["parsed"], Person)
    assert raw["raw"].response_metadata["route"] == "grammar"


@pytest.mark.slow
def test_real_model_survives_a_prompt_longer_than_its_context(local: ChatLocalLlama) -> None:
    small = local.model_copy(update={"n_ctx": 512, "max_tokens": 16})
    history: list = [SystemMessage("You are a helpful assistant.")]
    for i in range(30):
        history += [
            HumanMessage(f"Tell me fact number {i} about oceans. " * 8),
            AIMessage("Oceans are deep. " * 10),
        ]
    history.append(HumanMessage("And what about rivers?"))
    message = small.invoke(history)
    assert message.usage_metadata is not None
    assert message.usage_metadata["input_tokens"] <= 512 - 16


# ---------------------------------------------------------------------- LangChain's standard suite

try:  # langchain-tests is not a declared dependency yet: run the suite where it is installed
    from langchain_tests.unit_tests import ChatModelUnitTests
except ImportError:  # pragma: no cover
    ChatModelUnitTests = None  # type: ignore[misc,assignment]

if ChatModelUnitTests is not None:

    class TestChatLocalLlamaStandard(ChatModelUnitTests):
        """LangChain's unit tests for chat models (construction, tools, structured output): no model load."""

        @property
        def chat_model_class(self) -> type[ChatLocalLlama]:
            return ChatLocalLlama

        @property
        def chat_model_params(self) -> dict:
            return {"model": "/models/not-loaded-in-unit-tests.gguf"}

        @property
        def has_tool_choice(self) -> bool:
            return True

        @property
        def returns_usage_metadata(self) -> bool:
            return True


@tool
def get_weather(city: str) -> str:
    """Current weather for a city."""
    return ""


@pytest.mark.slow
@pytest.mark.parametrize(
    ("request_text", "calls"),
    [
        ("What is the weather in Paris and in Rome?", [("get_weather", "Paris"), ("get_weather", "Rome")]),
        ("What are AAPL and MSFT trading at?", [("stock_price", "AAPL"), ("stock_price", "MSFT")]),
        (
            "Get me the price of TSLA stock and the weather in Austin.",
            [("get_weather", "Austin"), ("stock_price", "TSLA")],
        ),
        ("What is the weather in Lisbon?", [("get_weather", "Lisbon")]),
        ("Tell me a joke about cats.", []),  # no value of the request fits a tool: answered
    ],
)
def test_real_model_makes_one_call_per_part_of_the_request(
    local: ChatLocalLlama, request_text: str, calls: list[tuple[str, str]]
) -> None:
    message = local.bind_tools([get_weather, stock_price]).invoke(request_text)
    made = sorted((call["name"], next(iter(call["args"].values()))) for call in message.tool_calls)
    assert made == sorted(calls)
    assert len({call["id"] for call in message.tool_calls}) == len(calls)
    assert bool(message.content) is not bool(calls)
