"""The embedded chat model: pure planning parts without a model, then the real GGUF (slow-marked)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import tool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from agent.models.local import planner
from agent.models.local.chat_model import ChatLocalLlama, _normalise_tool_choice, load_local_model
from agent.models.local.engine import REUSE_ALIGNMENT
from agent.models.local.grammar import describe_fields, json_schema_gbnf, matches_schema, schema_dict
from agent.models.local.transcript import Turn, messages_to_turns, render_plain, trim_turns
from agent.settings import Settings
from graphs.prompts import REFLECTION_REQUEST
from graphs.state import Critique
from tools.calculator import calculate, calculator


class Weather(BaseModel):
    """Get the weather forecast for a city."""

    city: str = Field(description="City name")
    unit: Literal["celsius", "fahrenheit"]
    days: int = Field(ge=1, le=7)


# ------------------------------------------------------------------------------ words to expression


@pytest.mark.parametrize(
    ("question", "expression", "value"),
    [
        ("What is 12 times 12?", "12*12", "144"),
        ("twelve times 12", "12*12", "144"),
        ("What is fifteen percent of 80?", "15*80/100", "12"),
        ("Calculate the square root of 144.", "sqrt(144)", "12"),
        ("what is 2 to the power of 10", "2**10", "1024"),
        ("Add 45 and 67", "45+67", "112"),
        ("Subtract 9 from 20.", "20-9", "11"),
        ("divide 100 by 4", "100/4", "25"),
        ("What is one hundred and twenty-five plus three?", "125+3", "128"),
        ("What is 3,450 minus 1,200?", "3450-1200", "2250"),
        ("How much is 3.5 times 2?", "3.5*2", "7"),
        ("What is two point five times four?", "2.5*4", "10"),
        ("What's the average of 4, 8 and 12?", "(4+8+12)/3", "8"),
        ("What is ten squared?", "10**2", "100"),
        ("What is half of 250?", "250/2", "125"),
        ("What is 17 mod 5?", "17%5", "2"),
        ("What is negative 5 plus 3?", "(-5)+3", "-2"),
        ("What is 6 x 7?", "6*7", "42"),
        ("compute 2^8", "2**8", "256"),
        ("What is 2**100?", "2**100", "1267650600228229401496703205376"),  # the README's example
        ("what is 3 ** 4 + 1", "3**4+1", "82"),
        ("calculate (3+4)*5", "(3+4)*5", "35"),
        ("What is a dozen times 3?", "12*3", "36"),
        ("What's the difference between 500 and 125?", "500-125", "375"),
    ],
)
def test_words_to_expression_builds_the_calculator_expression(
    question: str, expression: str, value: str
) -> None:
    found = planner.words_to_expression(question)
    assert found == planner.Arithmetic(expression=expression, pure=True)
    assert calculate(found.expression) == value


@pytest.mark.parametrize(
    "question",
    ["Who won the 2022 world cup?", "Hello!", "What is the capital of France?", "Call me at 5 pm", "2024"],
)
def test_words_to_expression_finds_nothing_without_arithmetic(question: str) -> None:
    assert planner.words_to_expression(question) is None


@pytest.mark.parametrize(
    "question", ["latest news on the 3-2 win", "My notes say I worked 3 plus 4 hours, is that right?"]
)
def test_arithmetic_inside_other_text_is_not_the_fast_path(question: str) -> None:
    found = planner.words_to_expression(question)
    assert found is not None and found.pure is False


def test_pretty_expression_uses_reading_operators() -> None:
    assert planner.pretty_expression("12*12") == "12 × 12"
    assert planner.pretty_expression("(100-37)/2**3") == "(100 - 37) ÷ 2 ^ 3"
    assert planner.pretty_expression("-5+3") == "-5 + 3"


# ------------------------------------------------------------------------------------------ routing


@pytest.mark.parametrize(
    ("question", "intents"),
    [
        ("According to my notes, when is the dentist?", {"search_documents"}),
        ("What does the handbook say about overtime?", {"search_documents"}),
        ("Search my documents for the invoice total", {"search_documents"}),
        ("What is the latest news about Mars?", {"web_search"}),
        ("search the web for the Python release date", {"web_search"}),
        ("Hello there!", {"answer"}),
        ("Thanks, how are you?", {"answer"}),
        ("What is the capital of Peru?", set()),
    ],
)
def test_cue_phrases(question: str, intents: set[str]) -> None:
    assert planner.cue_intents(question) == intents


def test_time_words_are_only_a_weak_web_cue() -> None:
    assert planner.cue_intents("I'm tired today.") == set()
    assert planner.weak_cue_intents("I'm tired today.") == {"web_search"}


def _bag_of_words(texts: list[str]) -> list[list[float]]:
    """A deterministic stand-in for MiniLM: word-hash counts over 64 dimensions."""
    vectors = []
    for text in texts:
        vector = [0.0] * 64
        for word in text.lower().replace("?", " ").replace(".", " ").split():
            vector[sum(map(ord, word)) % 64] += 1.0
        vectors.append(vector)
    return vectors


def test_router_fast_path_needs_no_embeddings() -> None:
    def fail(texts: list[str]) -> list[list[float]]:
        raise AssertionError("the fast path must not embed")

    decision = planner.IntentRouter(embed=fail).route("What is twelve times 12?")
    assert decision == planner.Decision("calculator", "fast_path", "12*12")


def test_router_needs_no_embeddings_for_one_clear_cue() -> None:
    def fail(texts: list[str]) -> list[list[float]]:
        raise AssertionError("a single clear cue must not embed")

    decision = planner.IntentRouter(embed=fail).route("What do my notes say about the budget?")
    assert (decision.intent, decision.reason) == ("search_documents", "cues")


def test_router_uses_cues_without_embeddings() -> None:
    router = planner.IntentRouter(embed=_bag_of_words)
    assert (
        router.route("According to my notes, who called?", use_embeddings=False).intent == "search_documents"
    )
    assert router.route("Who is the current pope?", use_embeddings=False).intent == "web_search"
    fallback = router.route("What is the capital of Peru?", use_embeddings=False)
    assert (fallback.intent, fallback.reason) == ("web_search", "default")
    assert router.route("That's funny!", use_embeddings=False).intent == "answer"
    assert (
        router.route("I bought 3 bags of 12 apples, how many apples?", use_embeddings=False).intent
        == "calculator"
    )
    both = router.route("Thanks! What's the latest news?", use_embeddings=False)
    assert (both.intent, both.reason) == (None, "undecided")


def test_router_scores_every_intent_with_embeddings() -> None:
    decision = planner.IntentRouter(embed=_bag_of_words).route("How is your day going, are you bored?")
    assert decision.reason == "embeddings"
    assert decision.intent == "answer"
    assert set(decision.scores or {}) == set(planner.INTENTS)


def test_router_degrades_to_cues_when_embeddings_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    import agent.embeddings.loading

    def broken() -> None:
        raise OSError("no model files")

    monkeypatch.setattr(agent.embeddings.loading, "local_embeddings", broken)
    decision = planner.IntentRouter().route("What are the latest headlines?")
    assert (decision.intent, decision.reason) == ("web_search", "cues")


@pytest.mark.parametrize(
    ("question", "query"),
    [
        ("According to my notes, when is the dentist appointment?", "when is the dentist appointment"),
        ("Can you search my documents for the invoice total?", "the invoice total"),
        ("search the web for python 3.14 release", "python 3.14 release"),
        ("What's the latest news about SpaceX?", "What's the latest news about SpaceX"),
    ],
)
def test_search_query_drops_the_request_to_search(question: str, query: str) -> None:
    assert planner.search_query(question) == query


def test_expressions_must_use_the_questions_numbers() -> None:
    assert planner.grounded_in("11*6", "If a pizza costs 11 dollars, how much do 6 pizzas cost?")
    assert planner.grounded_in("4*24", "How many hours are in four days?")  # 24: a unit constant
    assert not planner.grounded_in("12*3", "Good morning!")
    assert not planner.grounded_in("17*3", "What is 5 plus 2?")


def test_no_prototype_is_a_benchmark_question() -> None:
    bench = Path(__file__).resolve().parent.parent / "bench" / "routing_questions.jsonl"
    questions = {json.loads(line)["question"].lower() for line in bench.read_text().splitlines() if line}
    prototypes = {text.lower() for texts in planner.PROTOTYPES.values() for text in texts}
    assert len(questions) >= 80
    assert not questions & prototypes


# ------------------------------------------------------------------------- answers and reflection


def _turn_with_results(*results: tuple[str, dict[str, str], str]) -> list:
    calls = [{"name": name, "args": args, "id": f"c{i}"} for i, (name, args, _) in enumerate(results)]
    messages: list = [HumanMessage("question"), AIMessage("", tool_calls=calls)]
    messages += [
        ToolMessage(text, tool_call_id=f"c{i}", name=name) for i, (name, _, text) in enumerate(results)
    ]
    return messages


def test_pending_tool_results_pairs_calls_and_results() -> None:
    messages = _turn_with_results(
        ("calculator", {"expression": "2+2"}, "4"), ("web_search", {"query": "x"}, "r")
    )
    pairs = planner.pending_tool_results(messages)
    assert [(call["name"], result.text) for call, result in pairs] == [
        ("calculator", "4"),
        ("web_search", "r"),
    ]
    assert planner.pending_tool_results([*messages, AIMessage("done")]) == []


def test_a_revision_request_after_tool_results_is_answered_from_them() -> None:
    messages = [
        HumanMessage("What is 12 times 12?"),
        *_turn_with_results(("calculator", {"expression": "12*12"}, "144"))[1:],
        HumanMessage("A reviewer asked for a revision: quote the result."),
    ]
    assert [call["name"] for call, _ in planner.pending_tool_results(messages)] == ["calculator"]
    assert planner.question_of_turn(messages) == "What is 12 times 12?"
    new_turn = [*messages[:-1], AIMessage("12 × 12 = 144."), HumanMessage("And 3 times 3?")]
    assert planner.pending_tool_results(new_turn) == []
    assert planner.question_of_turn(new_turn) == "And 3 times 3?"


def test_calculator_results_are_quoted_and_sources_left_to_the_model() -> None:
    web = "Web results for 'x':\n[1] Title — https://a.example\n    snippet\n[2] Other — https://b.example"
    messages = _turn_with_results(
        ("calculator", {"expression": "12*12"}, "144"),
        ("search_documents", {"query": "q"}, "No passage in the knowledge base is relevant to this query."),
        ("web_search", {"query": "x"}, web),
    )
    sentences, for_model = planner.split_results(planner.pending_tool_results(messages))
    assert sentences == ["12 × 12 = 144.", "No passage in the knowledge base is relevant to this query."]
    assert [m.text for m in for_model] == [web]
    assert planner.source_numbers(web) == ["1", "2"]


def test_source_passages_keep_titles_and_snippets_without_addresses() -> None:
    web = "Web results for 'x' (untrusted):\n[1] Title one — https://a.example/x\n    Snippet one.\n[2] Two — https://b.example"
    docs = (
        "Excerpts (untrusted):\n\n[1] (source: notes/a.md) Dentist on March 14.\n\n[2] (source: b.pdf) Other."
    )
    assert planner.source_passages(web) == {"1": "Title one Snippet one.", "2": "Two"}
    assert planner.source_passages(docs) == {"1": "Dentist on March 14.", "2": "Other."}


def test_router_picks_the_passage_closest_to_the_question() -> None:
    router = planner.IntentRouter(embed=_bag_of_words)
    passages = {
        "1": "Sick leave is reported before ten.",
        "2": "Employees receive 28 vacation days per year.",
    }
    assert router.most_similar("How many vacation days per year?", passages) == "2"


def test_calculator_errors_are_reported() -> None:
    messages = _turn_with_results(
        ("calculator", {"expression": "1/0"}, "Error: division by zero\nFix the arguments and call again.")
    )
    messages[-1].status = "error"
    sentences, _ = planner.split_results(planner.pending_tool_results(messages))
    assert sentences == ["I could not calculate 1/0: division by zero."]


def test_the_embedded_model_gives_no_critique_and_the_graph_asks_for_none() -> None:
    from graphs.assistant import gives_critiques

    assert ChatLocalLlama.gives_critiques is False
    assert gives_critiques(ChatLocalLlama(model="/nowhere.gguf")) is False
    assert not hasattr(planner, "critique_by_rule")  # no rule that accepts any draft quoting a tool


def test_a_revision_request_after_the_results_counts_as_another_attempt() -> None:
    messages = _turn_with_results(("search_documents", {"query": "q"}, "[1] a\n\n[2] b"))
    assert planner.revision_attempt(messages) == 0
    assert planner.revision_attempt([*messages, HumanMessage("revise please")]) == 1
    assert planner.revision_attempt([HumanMessage("hi")]) == 0


def test_router_ranks_passages_by_meaning() -> None:
    router = planner.IntentRouter(embed=_bag_of_words)
    passages = {
        "1": "Sick leave is reported before ten.",
        "2": "Employees receive 28 vacation days per year.",
    }
    assert router.ranked("How many vacation days per year?", passages) == ["2", "1"]


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
    [Critique, Movie, {"type": "object", "properties": {"title": {"type": "string"}}, "required": ["title"]}],
)
def test_schema_dict_accepts_pydantic_typed_dict_and_json_schema(schema: object) -> None:
    properties = schema_dict(schema)["properties"]
    assert "title" in properties or "verdict" in properties


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
    assert _normalise_tool_choice(None, names) is None
    assert _normalise_tool_choice("auto", names) is None
    assert _normalise_tool_choice("any", names) == "required"
    assert _normalise_tool_choice("none", names) == "none"
    assert (
        _normalise_tool_choice({"type": "function", "function": {"name": "web_search"}}, names)
        == "web_search"
    )
    with pytest.raises(ValueError, match="names no bound tool"):
        _normalise_tool_choice("weather", names)


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
    return model.model_copy(update={"temperature": 0.0, "routing": "cues"})


@tool
def web_search(query: str) -> str:
    """Search the web for fresh facts and news."""
    return ""


@tool
def search_documents(query: str) -> str:
    """Search the user's own documents."""
    return ""


@pytest.mark.slow
def test_real_model_calls_the_calculator_for_arithmetic(local: ChatLocalLlama) -> None:
    bound = local.bind_tools([calculator, web_search, search_documents])
    prompt = [SystemMessage("You are helpful."), HumanMessage("What is 12 times 12?")]
    (chunk,) = list(bound.stream(prompt))
    (raw,) = chunk.tool_call_chunks
    args = json.loads(raw["args"] or "")  # the arguments as the model wrote them: JSON text
    assert raw["name"] == "calculator"
    assert calculate(args["expression"]) == "144"
    message = bound.invoke(prompt)
    assert [call["name"] for call in message.tool_calls] == ["calculator"]
    assert message.response_metadata["finish_reason"] == "tool_calls"

    result = ToolMessage("144", tool_call_id=message.tool_calls[0]["id"], name="calculator")
    answer = bound.invoke([HumanMessage("What is 12 times 12?"), message, result])
    assert answer.tool_calls == [] and "144" in answer.text


@pytest.mark.slow
def test_real_model_decodes_arguments_under_the_tool_schema(local: ChatLocalLlama) -> None:
    bound = local.bind_tools([Weather], tool_choice="Weather")
    message = bound.invoke("Will it rain in Paris over the next three days? Answer in celsius.")
    (call,) = message.tool_calls
    assert call["name"] == "Weather"
    Weather.model_validate(call["args"])  # raises if the grammar let anything invalid through
    assert message.response_metadata["route"] == "forced+grammar"


@pytest.mark.slow
def test_real_model_writes_an_expression_for_a_word_problem(local: ChatLocalLlama) -> None:
    bound = local.bind_tools([calculator], tool_choice="calculator")
    message = bound.invoke("A pizza costs 11 dollars. How much do 6 pizzas cost?")
    expression = message.tool_calls[0]["args"]["expression"]
    assert float(calculate(expression)) > 0  # a valid expression; its choice is the model's


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
    prompt = "List the numbers from one to fifty: 1, 2, 3, 4, 5,"
    message = local.invoke(prompt, max_tokens=120)
    assert message.response_metadata["finish_reason"] == "length"
    assert message.usage_metadata is not None and message.usage_metadata["output_tokens"] == 120
    assert "5, 6, 7, 8, 9, 10, 11," in message.text  # it goes on with the list rather than stopping
    pieces = [chunk.text for chunk in local.stream(prompt, max_tokens=120) if chunk.text]
    assert len(pieces) > 20 and "".join(pieces) == message.text


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
def test_real_model_decodes_a_critique_schema_under_its_grammar_like_any_other(local: ChatLocalLlama) -> None:
    critic = local.with_structured_output(Critique)
    request = REFLECTION_REQUEST.format(
        question="12*12?", tool_results="[calculator] 144", draft="It is 144."
    )
    critique = critic.invoke([SystemMessage("Review the draft."), HumanMessage(request)])
    assert isinstance(critique, Critique)  # no hard-coded verdict: the grammar's, whatever the model says


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
