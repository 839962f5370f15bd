"""The embedded profile's planning (``graphs.planning``): the pure rules without a model, then the step
planner on the real GGUF (slow-marked)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import tool

from agent.models.local.chat_model import ChatLocalLlama, load_local_model
from agent.settings import Settings
from graphs.planning import is_local_spec, planner_for, planner_for_spec, rules
from graphs.planning.local import LocalPlanner, local_planner
from graphs.prompts import REFLECTION_REQUEST
from graphs.state import Critique
from tools.calculator import calculate, calculator

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
        ("what is 3/8 as a decimal", "3/8", "0.375"),
        ("Convert 7/20 to a percentage.", "7/20*100", "35"),
        ("What is the sum of all whole numbers from 1 to 209?", "(1+209)*(209-1+1)/2", "21945"),
        ("What percent of 80 is 20?", "20/80*100", "25"),
        ("20 is what percentage of 80?", "20/80*100", "25"),
        ("What percentage is 15 of 60?", "15/60*100", "25"),
        ("What is 18 as a percentage of 72?", "18/72*100", "25"),
        ("What's 3/8 of 240?", "3/8*240", "90"),
        ("what is two thirds of 90", "2/3*90", "60"),
        ("What is three and a half times 4?", "3.5*4", "14"),
    ],
)
def test_words_to_expression_builds_the_calculator_expression(
    question: str, expression: str, value: str
) -> None:
    found = rules.words_to_expression(question)
    assert found == rules.Arithmetic(expression=expression, pure=True)
    assert calculate(found.expression) == value


@pytest.mark.parametrize(("plural", "one"), [("loaves", "loaf"), ("shelves", "shelf"), ("children", "child")])
def test_irregular_plurals_are_read_as_their_singular(plural: str, one: str) -> None:
    assert rules.singular(plural) == one


@pytest.mark.parametrize(
    "question",
    ["Who won the 2022 world cup?", "Hello!", "What is the capital of France?", "Call me at 5 pm", "2024"],
)
def test_words_to_expression_finds_nothing_without_arithmetic(question: str) -> None:
    assert rules.words_to_expression(question) is None


@pytest.mark.parametrize(
    "question", ["latest news on the 3-2 win", "My notes say I worked 3 plus 4 hours, is that right?"]
)
def test_arithmetic_inside_other_text_is_not_the_fast_path(question: str) -> None:
    found = rules.words_to_expression(question)
    assert found is not None and found.pure is False


def test_pretty_expression_uses_reading_operators() -> None:
    assert rules.pretty_expression("12*12") == "12 × 12"
    assert rules.pretty_expression("(100-37)/2**3") == "(100 - 37) ÷ 2 ^ 3"
    assert rules.pretty_expression("-5+3") == "-5 + 3"


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
        ("What does my contract say about notice?", {"search_documents"}),
        # a word problem about the user's things states its own prices: nothing to look up
        ("My phone contract is 24 months at $35 a month and I've paid 8 months. How much is left?", set()),
        ("According to my notes the room is $95 a night. What do 3 nights cost?", {"search_documents"}),
    ],
)
def test_cue_phrases(question: str, intents: set[str]) -> None:
    assert rules.cue_intents(question) == intents


def test_time_words_are_only_a_weak_web_cue() -> None:
    assert rules.cue_intents("I'm tired today.") == set()
    assert rules.weak_cue_intents("I'm tired today.") == {"web_search"}


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

    decision = rules.IntentRouter(embed=fail).route("What is twelve times 12?")
    assert decision == rules.Decision("calculator", "fast_path", "12*12")


def test_router_needs_no_embeddings_for_one_clear_cue() -> None:
    def fail(texts: list[str]) -> list[list[float]]:
        raise AssertionError("a single clear cue must not embed")

    decision = rules.IntentRouter(embed=fail).route("What do my notes say about the budget?")
    assert (decision.intent, decision.reason) == ("search_documents", "cues")


def test_router_uses_cues_without_embeddings() -> None:
    router = rules.IntentRouter(embed=_bag_of_words)
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
    decision = rules.IntentRouter(embed=_bag_of_words).route("How is your day going, are you bored?")
    assert decision.reason == "embeddings"
    assert decision.intent == "answer"
    assert set(decision.scores or {}) == set(rules.INTENTS)


def test_router_degrades_to_cues_when_embeddings_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    import agent.embeddings.loading

    def broken() -> None:
        raise OSError("no model files")

    monkeypatch.setattr(agent.embeddings.loading, "local_embeddings", broken)
    decision = rules.IntentRouter().route("What are the latest headlines?")
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
    assert rules.search_query(question) == query


def test_expressions_must_use_the_questions_numbers() -> None:
    assert rules.grounded_in("11*6", "If a pizza costs 11 dollars, how much do 6 pizzas cost?")
    assert rules.grounded_in("4*24", "How many hours are in four days?")  # 24: a unit constant
    assert not rules.grounded_in("12*3", "Good morning!")
    assert not rules.grounded_in("17*3", "What is 5 plus 2?")


def test_no_prototype_is_a_benchmark_question() -> None:
    bench = Path(__file__).resolve().parent.parent / "bench" / "routing_questions.jsonl"
    questions = {json.loads(line)["question"].lower() for line in bench.read_text().splitlines() if line}
    prototypes = {text.lower() for texts in rules.PROTOTYPES.values() for text in texts}
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
    pairs = rules.pending_tool_results(messages)
    assert [(call["name"], result.text) for call, result in pairs] == [
        ("calculator", "4"),
        ("web_search", "r"),
    ]
    assert rules.pending_tool_results([*messages, AIMessage("done")]) == []


def test_a_revision_request_after_tool_results_is_answered_from_them() -> None:
    messages = [
        HumanMessage("What is 12 times 12?"),
        *_turn_with_results(("calculator", {"expression": "12*12"}, "144"))[1:],
        HumanMessage("A reviewer asked for a revision: quote the result."),
    ]
    assert [call["name"] for call, _ in rules.pending_tool_results(messages)] == ["calculator"]
    assert rules.question_of_turn(messages) == "What is 12 times 12?"
    new_turn = [*messages[:-1], AIMessage("12 × 12 = 144."), HumanMessage("And 3 times 3?")]
    assert rules.pending_tool_results(new_turn) == []
    assert rules.question_of_turn(new_turn) == "And 3 times 3?"


def test_calculator_results_are_quoted_and_sources_left_to_the_model() -> None:
    web = "Web results for 'x':\n[1] Title — https://a.example\n    snippet\n[2] Other — https://b.example"
    messages = _turn_with_results(
        ("calculator", {"expression": "12*12"}, "144"),
        ("search_documents", {"query": "q"}, "No passage in the knowledge base is relevant to this query."),
        ("web_search", {"query": "x"}, web),
    )
    sentences, for_model = rules.split_results(rules.pending_tool_results(messages))
    assert sentences == ["12 × 12 = 144.", "No passage in the knowledge base is relevant to this query."]
    assert [m.text for m in for_model] == [web]
    assert rules.source_numbers(web) == ["1", "2"]


def test_source_passages_keep_titles_and_snippets_without_addresses() -> None:
    web = "Web results for 'x' (untrusted):\n[1] Title one — https://a.example/x\n    Snippet one.\n[2] Two — https://b.example"
    docs = (
        "Excerpts (untrusted):\n\n[1] (source: notes/a.md) Dentist on March 14.\n\n[2] (source: b.pdf) Other."
    )
    assert rules.source_passages(web) == {"1": "Title one Snippet one.", "2": "Two"}
    assert rules.source_passages(docs) == {"1": "Dentist on March 14.", "2": "Other."}


def test_router_picks_the_passage_closest_to_the_question() -> None:
    router = rules.IntentRouter(embed=_bag_of_words)
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
    sentences, _ = rules.split_results(rules.pending_tool_results(messages))
    assert sentences == ["I could not calculate 1/0: division by zero."]


def test_the_embedded_model_gives_no_critique_and_the_graph_asks_for_none() -> None:
    from graphs.assistant import gives_critiques

    assert ChatLocalLlama.gives_critiques is False
    assert gives_critiques(ChatLocalLlama(model="/nowhere.gguf")) is False
    assert not hasattr(rules, "critique_by_rule")  # no rule that accepts any draft quoting a tool


def test_a_revision_request_after_the_results_counts_as_another_attempt() -> None:
    messages = _turn_with_results(("search_documents", {"query": "q"}, "[1] a\n\n[2] b"))
    assert rules.revision_attempt(messages) == 0
    assert rules.revision_attempt([*messages, HumanMessage("revise please")]) == 1
    assert rules.revision_attempt([HumanMessage("hi")]) == 0


def test_router_ranks_passages_by_meaning() -> None:
    router = rules.IntentRouter(embed=_bag_of_words)
    passages = {
        "1": "Sick leave is reported before ten.",
        "2": "Employees receive 28 vacation days per year.",
    }
    assert router.ranked("How many vacation days per year?", passages) == ["2", "1"]


# ------------------------------------------------------------------------------- choosing the planner


def test_the_local_spec_gets_the_local_planner_and_others_none() -> None:
    assert is_local_spec("local") and is_local_spec("local:/m/x.gguf") and is_local_spec(" LOCAL ")
    assert planner_for_spec("local") is local_planner
    assert planner_for_spec("openai:gpt-4o-mini") is None
    assert planner_for(Settings(_env_file=None, model="ollama:llama3.2")) is None  # type: ignore[call-arg]
    assert planner_for(Settings(_env_file=None, model="local")) is local_planner  # type: ignore[call-arg]


def test_the_local_planner_is_for_the_embedded_model_only() -> None:
    from langchain_core.language_models import FakeListChatModel

    assert local_planner(FakeListChatModel(responses=["x"]), [calculator]) is None
    assert isinstance(local_planner(ChatLocalLlama(model="/nowhere.gguf"), [calculator]), LocalPlanner)


def test_without_tools_the_model_answers_alone() -> None:
    assert LocalPlanner(ChatLocalLlama(model="/nowhere.gguf"), [])([HumanMessage("Hello!")]) is None


def test_the_configured_local_model_gets_its_planner_in_the_graph(monkeypatch: pytest.MonkeyPatch) -> None:
    import agent.models.loading
    import graphs.assistant

    model = ChatLocalLlama(model="/nowhere.gguf")
    monkeypatch.setattr(agent.models.loading, "load_model", lambda **_: model)
    built: list[object] = []

    def spy(chosen: object, tools: object) -> None:
        built.append(chosen)

    monkeypatch.setattr(graphs.assistant, "planner_for", lambda settings: spy)
    graphs.assistant.build_graph(tools=[calculator], settings=Settings(_env_file=None, model="local"))  # type: ignore[call-arg]
    assert built == [model]
    built.clear()
    graphs.assistant.build_graph(model, tools=[calculator], settings=Settings(_env_file=None, model="local"))  # type: ignore[call-arg]
    assert built == []  # a model passed in gets no planner unless one is passed


# ------------------------------------------------------------------------------ the real GGUF (slow)


@pytest.fixture(scope="session")
def local() -> ChatLocalLlama:
    model = load_local_model(None, Settings())
    assert isinstance(model, ChatLocalLlama)
    return model.model_copy(update={"temperature": 0.0})


@tool
def web_search(query: str) -> str:
    """Search the web for fresh facts and news."""
    return ""


@tool
def search_documents(query: str) -> str:
    """Search the user's own documents."""
    return ""


@pytest.mark.slow
def test_real_planner_calls_the_calculator_for_arithmetic(local: ChatLocalLlama) -> None:
    planner = LocalPlanner(local, [calculator, web_search, search_documents], routing="cues")
    prompt = [SystemMessage("You are helpful."), HumanMessage("What is 12 times 12?")]
    message = planner(prompt)
    assert message is not None
    (call,) = message.tool_calls
    assert call["name"] == "calculator"
    assert calculate(call["args"]["expression"]) == "144"
    assert message.response_metadata["finish_reason"] == "tool_calls"

    result = ToolMessage("144", tool_call_id=call["id"], name="calculator")
    answer = planner([HumanMessage("What is 12 times 12?"), message, result])
    assert answer is not None
    assert answer.tool_calls == [] and "144" in answer.text


@pytest.mark.slow
def test_real_planner_has_the_model_write_an_expression_for_a_word_problem(local: ChatLocalLlama) -> None:
    planner = LocalPlanner(local, [calculator], routing="cues")
    message = planner([HumanMessage("A pizza costs 11 dollars. How much do 6 pizzas cost?")])
    assert message is not None
    expression = message.tool_calls[0]["args"]["expression"]
    assert float(calculate(expression)) > 0  # a valid expression; its choice is the model's


@pytest.mark.slow
def test_real_planner_small_talk_is_the_models_reply(local: ChatLocalLlama) -> None:
    planner = LocalPlanner(local, [calculator, web_search, search_documents], routing="cues")
    message = planner([HumanMessage("Thanks a lot!")])
    assert message is not None
    assert message.tool_calls == [] and message.text
    assert message.response_metadata["route"] == "cues"


@pytest.mark.slow
def test_real_model_decodes_the_graphs_critique_schema_under_its_grammar_like_any_other(
    local: ChatLocalLlama,
) -> None:
    critic = local.with_structured_output(Critique)
    request = REFLECTION_REQUEST.format(
        question="12*12?", tool_results="[calculator] 144", draft="It is 144."
    )
    critique = critic.invoke([SystemMessage("Review the draft."), HumanMessage(request)])
    assert isinstance(critique, Critique)  # no hard-coded verdict: the grammar's, whatever the model says


@pytest.mark.parametrize(
    ("expression", "conversation", "shorter"),
    [
        ("798/8*798", "A train covers 798 km in 8 hours. Speed?", "798/8"),
        ("38*38", "38 km each way: the round trip?", None),  # nothing left to compute
        ("798/8", "A train covers 798 km in 8 hours. Speed?", "798/8"),  # no repeat: as it is
        ("(30-18)/30*100", "30 students, 18 are girls. What percentage are boys?", None),  # not cut
    ],
)
def test_a_repeated_tail_is_cut(expression: str, conversation: str, shorter: str | None) -> None:
    assert rules.without_repeated_tail(expression, conversation) == shorter
