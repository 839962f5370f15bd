"""The planner's trained call writer (``graphs.planning.trained``): the transcript it is prompted with, what
the local planner does with its call lines, and (slow) the packaged adapter on questions the rules fail."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage

from agent.models.local.chat_model import ChatLocalLlama, load_local_model
from agent.settings import Settings
from graphs.planning import extractive, rules
from graphs.planning.call_format import parse_call, render_call
from graphs.planning.local import LocalPlanner, local_planner
from graphs.planning.rules import combines, figure_times_count, grounded_in, numbers_in
from graphs.planning.trained import (
    ADAPTER_PATH,
    Call,
    TrainedCalls,
    combining_line_grammar,
    digest_path,
    intact,
    passage_line,
    result_line,
    transcript,
)
from graphs.turns import STOPPED_KEY
from tests.test_planning import search_documents, web_search
from tools.calculator import calculate, calculator


def follow_up() -> list[BaseMessage]:
    call = {"name": "calculator", "args": {"expression": "12*12"}, "id": "c1", "type": "tool_call"}
    return [
        SystemMessage("You are helpful."),
        HumanMessage("What is 12 times 12?"),
        AIMessage("", tool_calls=[call]),
        ToolMessage("144", tool_call_id="c1", name="calculator"),
        AIMessage("12 × 12 = 144."),
        HumanMessage("And divided\nby 3?"),
    ]


def test_the_transcript_is_the_training_format_without_answers_or_system_text() -> None:
    assert transcript(follow_up()) == (
        "User: What is 12 times 12?\nCall: calculator(12*12)\nResult: 144\nUser: And divided by 3?\nCall:"
    )


def test_the_transcript_keeps_the_last_turns_and_leaves_out_closing_answers_and_other_tools() -> None:
    other = {"name": "lookup_weather", "args": {"city": "Oslo"}, "id": "w1", "type": "tool_call"}
    messages: list[BaseMessage] = []
    for turn in range(5):
        messages.append(HumanMessage(f"q{turn}"))
    messages += [
        AIMessage("", tool_calls=[other]),
        ToolMessage("rain", tool_call_id="w1", name="lookup_weather"),
        AIMessage("stopped", response_metadata={STOPPED_KEY: True}),
        HumanMessage("last"),
    ]
    assert transcript(messages, turns=2) == "User: q4\nUser: last\nCall:"


def test_call_lines_parse_back() -> None:
    assert parse_call(" " + render_call("calculator", "144/3")) == ("calculator", "144/3")
    assert parse_call(" answer\n") == ("answer", "")
    assert parse_call(" rm(-rf)") is None
    assert parse_call(" calculator") is None


class ScriptedCalls(TrainedCalls):
    """Call lines given in advance; fails the test when asked for one it was not given."""

    def __init__(self, *calls: Call | None, grounded: Sequence[Call] = ()) -> None:
        super().__init__(ChatLocalLlama(model="/nowhere.gguf"))
        self.calls = list(calls)
        self.grounded = list(grounded)
        """Lines for ``grounded_calculator_call`` and ``calculator_call_over``: none given, they write none."""
        self.prompts: list[str] = []
        self.allowed: list[tuple[set[str], set[str]]] = []
        self.over: list[set[str]] = []

    def next_call(
        self, messages: Sequence[BaseMessage], *, shown: Mapping[str, str] | None = None, **_: object
    ) -> Call | None:
        self.prompts.append(transcript(messages, shown=shown))
        assert self.calls, "the planner asked the adapter for a call it should not need"
        call = self.calls.pop(0)
        return None if call is None else replace(call, prompt=self.prompts[-1])

    def grounded_calculator_call(
        self, prompt: str, asked: Iterable[str], found: Iterable[str]
    ) -> Call | None:
        self.allowed.append((set(asked), set(found)))
        return replace(self.grounded.pop(0), prompt=prompt) if self.grounded else None

    def calculator_call_over(self, prompt: str, numbers: Iterable[str]) -> Call | None:
        self.over.append(set(numbers))
        return replace(self.grounded.pop(0), prompt=prompt) if self.grounded else None


def planner(
    *calls: Call | None, tools: Sequence = (calculator, web_search, search_documents)
) -> LocalPlanner:
    return LocalPlanner(
        ChatLocalLlama(model="/nowhere.gguf"), list(tools), routing="cues", trained=ScriptedCalls(*calls)
    )


def test_a_follow_up_computes_on_the_previous_result() -> None:
    # "And divided by 3?" is read without a model now (graphs.planning.references): a wording no rule reads
    step = planner(Call("calculator", "144*3")).plan([*follow_up()[:-1], HumanMessage("And 3 times then?")])
    assert (step.kind, step.route, step.tool_name, step.tool_args) == (
        "tool_call",
        "trained",
        "calculator",
        {"expression": "144*3"},
    )


def test_a_calculator_call_with_numbers_the_conversation_lacks_is_left_to_the_rules() -> None:
    invented = planner(Call("calculator", "9*73"))
    assert invented.trained_step([HumanMessage("A baker makes 9 trays of 17 rolls.")], "x") is None
    not_arithmetic = planner(Call("calculator", "F7"))
    assert not_arithmetic.trained_step([HumanMessage("What does error F7 mean?")], "x") is None
    in_words = planner(Call("calculator", "9*17"))
    step = in_words.trained_step([HumanMessage("A baker makes nine trays of 17 rolls.")], "x")
    assert step is not None and step.tool_args == {"expression": "9*17"}


def test_a_question_that_is_only_arithmetic_never_asks_the_adapter() -> None:
    step = planner().plan([HumanMessage("What is 2**100?")])
    assert (step.tool_name, step.tool_args, step.route) == (
        "calculator",
        {"expression": "2**100"},
        "fast_path",
    )


def test_searches_take_the_question_as_their_query_and_answers_are_small_talk() -> None:
    question = [HumanMessage("Look up the refund policy")]
    step = planner(Call("search_documents", "")).plan(question)
    assert (step.tool_name, step.route) == ("search_documents", "trained")
    assert step.tool_args == {"query": "the refund policy"}
    chat = planner(Call("answer", "")).plan([HumanMessage("Thanks, that helps!")])
    assert (chat.kind, chat.route) == ("generate", "trained")


def test_a_question_naming_the_users_own_documents_is_the_rules_cue_not_the_adapters() -> None:
    step = planner().plan([HumanMessage("According to my notes, when is the standup?")])
    assert (step.tool_name, step.route) == ("search_documents", "cues")


def test_a_tool_that_is_not_bound_or_a_line_that_is_no_call_falls_back_to_the_rules() -> None:
    only_calculator = planner(Call("web_search", "weather in Oslo"), tools=[calculator])
    assert only_calculator.trained_step([HumanMessage("Weather in Oslo tomorrow?")], "x") is None
    assert planner(None).trained_step([HumanMessage("Weather in Oslo tomorrow?")], "x") is None


def test_the_adapter_is_packaged_and_used_for_the_packaged_model_only(tmp_path) -> None:
    assert ADAPTER_PATH.is_file() and 1_000_000 < ADAPTER_PATH.stat().st_size < 20_000_000
    assert intact(ADAPTER_PATH)
    other = local_planner(ChatLocalLlama(model=str(tmp_path / "other.gguf")), [calculator])
    assert other is not None and other.trained is None


@pytest.fixture(scope="module")
def local() -> ChatLocalLlama:
    model = load_local_model(None, Settings(_env_file=None))  # type: ignore[call-arg]
    assert isinstance(model, ChatLocalLlama)
    return model


@pytest.mark.slow
@pytest.mark.parametrize(
    ("earlier", "question", "answer"),
    [
        ((), "A baker makes 9 trays of 17 rolls and sells 73 of them. How many rolls are left?", "80"),
        # "And divided by 3?" is read without a model now (graphs.planning.references)
        ((("What is 12 times 12?", "12*12", "144"),), "And what's a third?", "48"),
    ],
)
def test_the_packaged_adapter_writes_the_call_the_rules_cannot(
    local: ChatLocalLlama, earlier: tuple, question: str, answer: str
) -> None:
    messages: list[BaseMessage] = [
        message
        for index, (asked, expression, result) in enumerate(earlier)
        for message in calculated_turn(asked, expression, result, index)
    ]
    messages.append(HumanMessage(question))
    local_planner_ = local_planner(local, [calculator, web_search, search_documents])
    assert local_planner_ is not None and local_planner_.trained is not None
    step = local_planner_.plan(messages)
    assert (step.tool_name, step.route) == ("calculator", "trained")
    assert calculate(step.tool_args["expression"]) == answer


@pytest.mark.slow
def test_a_follow_up_is_answered_from_the_previous_turns_result_through_the_graph(
    local: ChatLocalLlama,
) -> None:
    """The user's view: the rules alone computed ``3/3`` for this follow-up (issue 12)."""
    from langgraph.checkpoint.memory import InMemorySaver

    from graphs.assistant import build_graph

    graph = build_graph(local, tools=[calculator], checkpointer=InMemorySaver(), planner=local_planner)
    config = {"configurable": {"thread_id": "follow-up"}}
    first = graph.invoke({"messages": [HumanMessage("What is 12 times 12?")]}, config)
    assert "144" in first["messages"][-1].text
    second = graph.invoke({"messages": [HumanMessage("And divided by 3?")]}, config)
    calls = [c for m in second["messages"][4:] if isinstance(m, AIMessage) for c in m.tool_calls]
    assert [c["args"]["expression"] for c in calls] == ["144/3"]
    assert "48" in second["messages"][-1].text


def test_a_search_result_is_shown_as_training_showed_one() -> None:
    hit = {"n": 1, "source": "/docs/tramway.md", "title": "Tramway", "text": "A day pass costs 6 crowns."}
    result = ToolMessage(
        "Excerpts (quoted data) ...", tool_call_id="s1", name="search_documents", artifact=[hit]
    )
    assert result_line(result) == "[1] tramway.md: A day pass costs 6 crowns."
    assert result_line(ToolMessage("144", tool_call_id="c1", name="calculator")) == "144"
    unnumbered = ToolMessage(
        "Excerpts", tool_call_id="s2", name="search_documents", artifact=[{**hit, "n": None}]
    )
    assert result_line(unnumbered) == "[1] tramway.md: A day pass costs 6 crowns."
    second = {"n": 2, "source": "/docs/bakery.html", "text": "Cardamom bun: 2.75 crowns"}
    both = ToolMessage("Excerpts", tool_call_id="s3", name="search_documents", artifact=[hit, second])
    assert (
        passage_line(both, "2", "Cardamom bun: 2.75 crowns") == "[1] bakery.html: Cardamom bun: 2.75 crowns"
    )


def test_digits_in_names_are_no_quantities_to_compute_with() -> None:
    assert numbers_in("What does error code F7 mean on the Tessellate P4 printer?") == []
    assert numbers_in("Twelve buns at 4.50, and the P4 has 4 nozzles") == ["12", "4.5", "4"]
    assert not grounded_in("4*7", "What does error F7 mean on the P4?")
    assert grounded_in("41*1/2", "Result: 41\nUser: And half of that?")  # "half" as 1/2


def test_a_price_written_with_its_trailing_zero_is_grounded_as_the_question_wrote_it() -> None:
    """Training keeps decimals as the question writes them ("$1.80"); the rules read 1.8: the same number."""
    question = "Maria bought 3 notebooks for $4.25 each and a pen for $1.80. How much did she spend?"
    assert grounded_in("3*4.25+1.80", question)
    assert grounded_in("3*4.25+1.8", question)
    assert not grounded_in("3*4.25+1.08", question)


@pytest.mark.slow
def test_an_adapter_that_cannot_be_loaded_leaves_the_turn_to_the_rules(
    local: ChatLocalLlama, tmp_path
) -> None:
    """A damaged adapter would crash llama.cpp (a segmentation fault): its digest stops it before it loads."""
    broken = tmp_path / "adapter.gguf"
    broken.write_bytes(ADAPTER_PATH.read_bytes()[:3_000_000])  # cut short, as by a failed copy
    digest_path(broken).write_text(digest_path(ADAPTER_PATH).read_text())
    calls = TrainedCalls(local, broken)
    assert calls.next_call([HumanMessage("And divided by 3?")]) is None
    assert calls.unavailable
    step = LocalPlanner(local, [calculator], trained=calls).plan([HumanMessage("What is 12 times 12?")])
    assert (step.tool_name, step.tool_args) == ("calculator", {"expression": "12*12"})


def looked_up(passage: str = "The court hire costs 89 marks per hour.") -> list[BaseMessage]:
    """A look-up whose figure the exact layer cannot read (marks are not a currency it knows): the adapter's."""
    call = {
        "name": "search_documents",
        "args": {"query": "court hire price"},
        "id": "s1",
        "type": "tool_call",
    }
    hit = {"n": 1, "source": "/docs/rowing_club_fees.md", "title": "Fees", "text": passage}
    return [
        HumanMessage("What do 7 hours of court hire at the rowing club cost?"),
        AIMessage("", tool_calls=[call]),
        ToolMessage(
            f"Excerpts (quoted data)\n[1] Fees (rowing_club_fees.md): {passage}",
            tool_call_id="s1",
            name="search_documents",
            artifact=[hit],
        ),
    ]


def test_after_a_look_up_the_adapter_computes_with_the_passages_figure() -> None:
    scripted = planner(Call("calculator", "89*7"))
    step = scripted.plan(looked_up())
    assert (step.kind, step.route, step.tool_name, step.tool_args) == (
        "tool_call",
        "trained",
        "calculator",
        {"expression": "89*7"},
    )
    assert isinstance(scripted.trained, ScriptedCalls)
    assert scripted.trained.prompts[-1].endswith(
        "Result: [1] rowing_club_fees.md: The court hire costs 89 marks per hour.\nCall:"
    )


def test_after_a_look_up_a_price_read_exactly_needs_no_adapter() -> None:
    step = planner().plan(looked_up("The court hire costs 89 euros per hour."))
    assert (step.kind, step.route, step.tool_name, step.tool_args) == (
        "tool_call",
        "looked_up",
        "calculator",
        {"expression": "89*7"},
    )


def test_the_answer_after_look_up_and_computation_shows_both_and_cites_the_passage() -> None:
    call = {"name": "calculator", "args": {"expression": "89*7"}, "id": "c1", "type": "tool_call"}
    messages = [
        *looked_up(),
        AIMessage("", tool_calls=[call]),
        ToolMessage("623", tool_call_id="c1", name="calculator"),
    ]
    step = planner().plan(messages)
    assert step.kind == "text" and "89 × 7 = 623" in step.text and "[1]" in step.text


def test_after_a_look_up_no_calculation_is_made_when_the_adapter_answers_or_invents_numbers() -> None:
    for written in (Call("answer", ""), Call("calculator", "89*13"), Call("calculator", "89")):
        step = planner(written).plan(looked_up())
        assert step.kind != "tool_call", written
    failed = looked_up()
    failed[-1] = ToolMessage(
        "Error: no documents", tool_call_id="s1", name="search_documents", status="error"
    )
    assert planner().plan(failed).kind != "tool_call"  # the adapter is not even asked


def test_a_plain_document_question_is_answered_from_the_passage_without_asking_the_adapter() -> None:
    messages = looked_up()
    messages[0] = HumanMessage("What does court hire at the rowing club cost?")
    step = planner().plan(messages)  # a scripted adapter with no lines fails the test when asked
    assert step.kind != "tool_call"


def test_a_question_about_what_the_user_saved_or_wrote_down_is_the_documents_cue() -> None:
    for question in ("What did I write down about the plumber's quote?", "Which recipe did we save?"):
        step = planner().plan([HumanMessage(question)])
        assert (step.tool_name, step.route) == ("search_documents", "cues"), question


def searched(question: str, *hits: tuple[str, str]) -> list[BaseMessage]:
    """A turn that searched the documents and got ``hits`` (file name, passage), numbered from 1."""
    call = {"name": "search_documents", "args": {"query": question}, "id": "s1", "type": "tool_call"}
    artifact = [
        {"n": n, "source": f"/docs/{name}", "title": name, "text": text}
        for n, (name, text) in enumerate(hits, start=1)
    ]
    quoted = "\n".join(f"[{n}] {name}: {' '.join(text.split())}" for n, (name, text) in enumerate(hits, 1))
    return [
        HumanMessage(question),
        AIMessage("", tool_calls=[call]),
        ToolMessage(
            f"Excerpts (quoted data)\n{quoted}", tool_call_id="s1", name="search_documents", artifact=artifact
        ),
    ]


POOL_HITS = (
    ("parking.md", "Parking at the leisure centre costs 3 marks per hour. The car park opens at 7."),
    (
        "pool.md",
        "The pool is 25 metres long and has 6 lanes.\n\nA swim lesson costs 14 marks. A locker costs 2 marks a day.",
    ),
)
"""Prices in marks, a currency the exact layer does not read: what the adapter is shown is the question."""


def test_after_a_look_up_the_adapter_is_shown_only_the_sentence_that_answers() -> None:
    """Training results are a sentence or three; a real search returns chunks full of other figures, and
    the first passage is not always the one that answers."""
    scripted = planner(Call("calculator", "14*5"))
    step = scripted.plan(searched("What do 5 swim lessons cost?", *POOL_HITS))
    assert (step.tool_name, step.tool_args) == ("calculator", {"expression": "14*5"})
    assert isinstance(scripted.trained, ScriptedCalls)
    assert scripted.trained.prompts[-1].endswith("Result: [1] pool.md: A swim lesson costs 14 marks.\nCall:")
    in_euros = [(name, text.replace("marks", "euros")) for name, text in POOL_HITS]
    step = planner().plan(searched("What do 5 swim lessons cost?", *in_euros))  # no adapter needed
    assert (step.route, step.tool_name, step.tool_args) == ("looked_up", "calculator", {"expression": "14*5"})


def test_a_calculation_without_the_figure_looked_up_is_written_again_with_grounded_numbers() -> None:
    calls = ScriptedCalls(Call("calculator", "7*7"), grounded=[Call("calculator", "89*7")])
    step = LocalPlanner(
        ChatLocalLlama(model="/nowhere.gguf"), [calculator, search_documents], routing="cues", trained=calls
    ).plan(looked_up())
    assert (step.tool_name, step.tool_args) == ("calculator", {"expression": "89*7"})
    assert calls.allowed == [({"7"}, {"89"})]  # one number of the question's, one of the passage's


def test_no_calculation_is_made_when_the_line_written_again_still_leaves_a_number_out() -> None:
    for again in ((), (Call("calculator", "89*89"),), (Call("calculator", "7*100"),)):
        calls = ScriptedCalls(Call("calculator", "2*7"), grounded=again)
        planner_ = LocalPlanner(
            ChatLocalLlama(model="/nowhere.gguf"),
            [calculator, search_documents],
            routing="cues",
            trained=calls,
        )
        assert planner_.plan(looked_up()).kind != "tool_call", again


def test_a_calculation_after_a_look_up_combines_the_figure_and_the_question() -> None:
    passage = "Replace the belt every 400 hours."
    assert combines("400*3", "How many hours do 3 belts last?", passage)
    assert combines("6*6", "What do 6 day passes cost?", "A day pass costs 6 crowns.")
    assert not combines("3*3", "How many hours do 3 belts last?", passage)
    assert not combines("400*2", "How many hours do 3 belts last?", passage)


@pytest.mark.parametrize(
    ("expression", "question", "passage", "product"),
    [
        ("2.75/8", "How much do 8 cardamom buns cost?", "Cardamom bun: 2.75 crowns", "2.75*8"),
        ("7.50/6", "What do 6 adult single tickets cost?", "| Adult single | 7.50 |", "7.50*6"),
        ("400/3", "How many hours do 3 belts last?", "Replace the belt every 400 hours.", "400*3"),
        # a share or a rate asked for in words: the division stands
        (
            "60/4",
            "We split the 60 crown boat hire between 4 of us; what does each pay?",
            "Hire: 60 crowns",
            None,
        ),
        ("20/2.75", "How many buns can I buy with 20 crowns?", "Cardamom bun: 2.75 crowns", None),
        ("90/3", "What does the course cost per lesson over 3 lessons?", "The course costs 90 euros.", None),
        # not the figure looked up divided by the question's count
        ("8/2.75", "How much do 8 cardamom buns cost?", "Cardamom bun: 2.75 crowns", None),
        ("2.75*8", "How much do 8 cardamom buns cost?", "Cardamom bun: 2.75 crowns", None),
        ("8/4", "How much do 8 buns cost for 4 people?", "Bun: 2 crowns", None),
    ],
)
def test_a_figure_looked_up_is_multiplied_by_the_questions_count_not_divided(
    expression: str, question: str, passage: str, product: str | None
) -> None:
    assert figure_times_count(expression, question, passage) == product


def test_the_planner_multiplies_a_price_the_adapter_divided() -> None:
    scripted = planner(Call("calculator", "89/7"))
    step = scripted.plan(looked_up())
    assert (step.tool_name, step.tool_args) == ("calculator", {"expression": "89*7"})


def test_a_figure_of_a_sentence_about_something_else_is_never_computed_with() -> None:
    """The search found a fare table's child row for a question about monthly passes: the passage is quoted
    (the adapter is never asked for a calculation), rather than 3 × 3.20 stated as the price."""
    question = "What do 3 monthly passes for Kestrel Bay Ferries cost?"
    hits = (("fares.html", "Ticket: Child single; Price (crowns): 3.20"),)
    scripted = planner()  # asked for a line, ScriptedCalls fails the test
    assert scripted.plan(searched(question, *hits)).kind != "tool_call"
    assert not extractive.names_what_is_asked(question, hits[0][1])
    assert extractive.names_what_is_asked("How much do 8 cardamom buns cost?", "Cardamom bun: 2.75 crowns")
    assert extractive.names_what_is_asked("What do 3 monthly passes cost?", "Monthly pass: 96 crowns")


def test_the_grounded_grammar_combines_a_number_of_the_question_with_one_of_the_passage() -> None:
    grammar = combining_line_grammar(["3", "P4"], ["3.40", "89", "3.40"])
    assert 'asked ::= "3"' in grammar and 'found ::= "3.40" | "89"' in grammar
    assert "pair  ::= asked op found | found op asked" in grammar
    with pytest.raises(ValueError):
        combining_line_grammar(["F7"], ["89"])
    with pytest.raises(ValueError):
        combining_line_grammar(["7"], [])


@pytest.mark.slow
def test_the_packaged_adapter_computes_with_the_passage_that_answers(local: ChatLocalLlama) -> None:
    """A made-up price list whose first passage is about something else and whose answering passage holds
    three other figures: shown whole, the adapter multiplied the wrong one."""
    planner_ = local_planner(local, [calculator, web_search, search_documents])
    assert planner_ is not None
    step = planner_.plan(searched("What do 5 swim lessons cost?", *POOL_HITS))
    assert (step.tool_name, calculate(step.tool_args["expression"])) == ("calculator", "70")


def calculated_turn(question: str, expression: str, result: str, index: int = 1) -> list[BaseMessage]:
    """A turn that asked ``question`` and answered it with one calculator call."""
    call = {"name": "calculator", "args": {"expression": expression}, "id": f"c{index}", "type": "tool_call"}
    return [
        HumanMessage(question),
        AIMessage("", tool_calls=[call]),
        ToolMessage(result, tool_call_id=f"c{index}", name="calculator"),
        AIMessage(f"{result}."),
    ]


def conversation(*turns: str) -> list[BaseMessage]:
    """Questions each answered by its calculation (question, expression, ..., question), then the last question."""
    messages = [
        message
        for index in range(0, len(turns) - 1, 2)
        for message in calculated_turn(turns[index], turns[index + 1], calculate(turns[index + 1]), index + 1)
    ]
    return [*messages, HumanMessage(turns[-1])]


def previous_result(first: str, expression: str, follow_up: str) -> list[BaseMessage]:
    return conversation(first, expression, follow_up)


def test_a_tip_the_adapter_took_off_is_added() -> None:
    step = planner(Call("calculator", "64*(1-15/100)")).plan(
        [HumanMessage("Dinner came to 64 dollars. What's the total if we leave a 15% tip?")]
    )
    assert (step.tool_name, step.tool_args) == ("calculator", {"expression": "64*(1+15/100)"})


def test_a_number_the_question_states_in_words_is_the_answer() -> None:
    step = planner(Call("calculator", "24")).plan([HumanMessage("How many cupcakes are two dozen?")])
    assert (step.route, step.tool_args) == ("trained", {"expression": "24"})
    assert planner(Call("calculator", "12")).trained_step([HumanMessage("two dozen?")], "two dozen?") is None


def test_a_follow_ups_own_number_left_out_is_written_again_with_the_previous_result() -> None:
    calls = ScriptedCalls(Call("calculator", "468*12"), grounded=[Call("calculator", "468/52")])
    planner_ = LocalPlanner(
        ChatLocalLlama(model="/nowhere.gguf"), [calculator], routing="cues", trained=calls
    )
    messages = previous_result(
        "My phone plan costs 39 a month. How much for a year?",
        "39*12",
        "And what about weekly, if a year has 52 weeks?",  # "per week, if ..." is read exactly: no model
    )
    step = planner_.plan(messages)
    assert (step.tool_name, step.tool_args) == ("calculator", {"expression": "468/52"})
    assert calls.allowed == [({"52"}, {"468"})]


@pytest.mark.parametrize(
    ("follow_up", "written", "made"),
    [
        ("How much would 10 of them cost then?", "0.25/10", "0.25*10"),
        ("And if we split that between 10 people?", "0.25/10", "0.25/10"),  # a share: as written
        ("What is that over 10 days?", "0.25/10", "0.25/10"),  # spread over a period: as written
    ],
)
def test_a_unit_price_divided_by_a_follow_ups_count_is_multiplied(
    follow_up: str, written: str, made: str
) -> None:
    messages = previous_result(
        "A box of 24 pencils costs 6 dollars. How much is one pencil?", "6/24", follow_up
    )
    step = planner(Call("calculator", written)).plan(messages)
    assert (step.tool_name, step.tool_args) == ("calculator", {"expression": made})


def test_a_calculation_that_leaves_out_the_result_referred_to_is_written_again() -> None:
    calls = ScriptedCalls(Call("calculator", "5.5*5.5"), grounded=[Call("calculator", "90*5.5")])
    planner_ = LocalPlanner(
        ChatLocalLlama(model="/nowhere.gguf"), [calculator], routing="cues", trained=calls
    )
    messages = previous_result(
        "A train travels 270 km in 3 hours. What's its average speed?",
        "270/3",
        "How far would it go in 5.5 hours at that speed?",
    )
    step = planner_.plan(messages)
    assert (step.tool_name, step.tool_args) == ("calculator", {"expression": "90*5.5"})
    assert calls.allowed == [({"5.5"}, {"90"})]


def test_a_price_per_unit_times_the_previous_quantity_is_a_cost() -> None:
    messages = previous_result(
        "A car uses 6.5 litres per 100 km. How much fuel does a 340 km trip need?",
        "6.5*340/100",
        "fuel is 1.80 per litre, what's the cost?",
    )
    step = planner(Call("calculator", "22.1/1.80")).plan(messages)
    assert step.tool_args == {"expression": "22.1*1.80"}


def test_a_weekly_figure_over_a_year_takes_52_weeks() -> None:
    step = planner(Call("calculator", "45*12")).plan(
        [HumanMessage("i save $45 a week. how much is that in a year?")]
    )
    assert step.tool_args == {"expression": "45*52"}


@pytest.mark.parametrize(
    ("question", "written", "again", "numbers"),
    [
        # a constant nothing explains: 3 in a weekly pay
        (
            "i earn 22.50 an hour and work 36 hours a week. what do i make weekly?",
            "22.50*36*3",
            "22.5*36",
            {"22.50", "22.5", "36"},
        ),
        # a unit constant in place of a number the question gives
        ("A train travels 270 km in 3 hours. What's its average speed?", "1000/270", "270/3", {"270", "3"}),
        (
            "Jacket: 80, and 25% off. Sale price?",
            "80*(1-25/12)",
            "80*(1-25/100)",
            {"80", "25", "1", "100"},
        ),
    ],
)
def test_a_line_with_a_number_nothing_explains_is_written_again_over_the_conversations_numbers(
    question: str, written: str, again: str, numbers: set[str]
) -> None:
    calls = ScriptedCalls(Call("calculator", written), grounded=[Call("calculator", again)])
    planner_ = LocalPlanner(
        ChatLocalLlama(model="/nowhere.gguf"), [calculator], routing="cues", trained=calls
    )
    step = planner_.plan([HumanMessage(question)])
    assert step.tool_args == {"expression": again}
    assert calls.over == [numbers]


@pytest.mark.parametrize(
    ("question", "written"),
    [
        ("How far is a round trip of 38 km?", "38*2"),  # "round trip" explains the 2
        ("How many minutes are in 3.5 hours?", "3.5*60"),
        ("How many grams is 2.4 kg?", "2.4*1000"),
        ("What's the area of a square room with 5 m sides?", "5**2"),
        ("Tom ran 4.5 km on Monday and twice as far on Tuesday. How far in all?", "4.5+4.5*2"),
        ("A rectangle is 12 meters long and 7 meters wide. What is its perimeter?", "2*(12+7)"),
    ],
)
def test_a_line_whose_constants_the_words_explain_stands(question: str, written: str) -> None:
    calls = ScriptedCalls(Call("calculator", written))
    planner_ = LocalPlanner(
        ChatLocalLlama(model="/nowhere.gguf"), [calculator], routing="cues", trained=calls
    )
    assert planner_.trained_step([HumanMessage(question)], question) is not None
    assert calls.over == []


def test_amounts_in_two_units_are_combined_in_the_smaller() -> None:
    question = "I've got 5 kg of rice and eat 200 g a day. How many days will it last?"
    step = planner(Call("calculator", "5/200")).plan([HumanMessage(question)])
    assert step.tool_args == {"expression": "5*1000/200"}


def test_a_thousands_separator_the_adapter_copied_is_dropped() -> None:
    question = "If I walk 8,500 steps a day, how many steps is that in a week?"
    step = planner(Call("calculator", "8,500*7")).plan([HumanMessage(question)])
    assert step.tool_args == {"expression": "8500*7"}


def test_groups_of_a_list_the_adapter_subtracted_are_added() -> None:
    question = "Maria bought 3 notebooks for $4.25 each and a pen for $1.80. How much did she spend?"
    step = planner(Call("calculator", "3*4.25-1*1.80")).plan([HumanMessage(question)])
    # read exactly before the adapter is asked ("how much did she spend?" asks the whole spent), else the
    # adapter's subtraction is mended: either way the groups are added
    assert calculate(step.tool_args["expression"]) == "14.55"


def test_the_units_a_total_takes_at_a_rate_divide_it() -> None:
    question = "Sam saves $12 a week. How many weeks will it take him to save $180?"
    step = planner(Call("calculator", "180*12")).plan([HumanMessage(question)])
    assert step.tool_args == {"expression": "180/12"}


def test_a_figure_looked_up_is_converted_to_the_unit_the_question_asks_without_a_model() -> None:
    messages = searched(
        "Ilse Varga kept the Marrowstone light for how many months?",
        ("lighthouse.md", "The longest-serving keeper was Ilse Varga, who kept the light for 26 years."),
    )
    step = planner().plan(messages)  # no scripted call: the adapter is not asked
    assert (step.tool_name, step.route, step.tool_args) == (
        "calculator",
        "conversion",
        {"expression": "26*12"},
    )


def test_a_line_written_again_may_use_the_constants_the_words_call_for() -> None:
    calls = ScriptedCalls(Call("calculator", "200*12"), grounded=[Call("calculator", "2400*12")])
    planner_ = LocalPlanner(
        ChatLocalLlama(model="/nowhere.gguf"), [calculator], routing="cues", trained=calls
    )
    step = planner_.plan([HumanMessage("I earn 2,400 a month. How much is that in a year?")])
    assert step.tool_args == {"expression": "2400*12"}
    assert calls.over == [{"2400", "12"}]  # "2,400" is one number; 12 for a month and a year


def test_a_purchase_of_things_at_named_prices_is_the_sum_of_price_times_count() -> None:
    question = "A shirt costs 25 dollars and jeans cost 40. I buy 2 shirts and 1 pair of jeans. Total?"
    step = planner(Call("calculator", "25/40+2*1")).plan([HumanMessage(question)])
    assert step.tool_args == {"expression": "25*2+40*1"}


def layered_planner(trained: ScriptedCalls) -> LocalPlanner:
    """The planner as shipped (embeddings and cues route), its adapter scripted."""
    return LocalPlanner(
        ChatLocalLlama(model="/nowhere.gguf"),
        [calculator, web_search, search_documents],
        routing="layered",
        trained=trained,
    )


@pytest.mark.parametrize(
    "question",
    [
        "Which uid is reserved for the mysql user?",
        "Who helped polish the wording of the adduser README?",
        "Which of the built-in invoke-rc.d rules is absolute?",
    ],
)
def test_a_question_of_fact_the_adapter_would_answer_from_nothing_is_looked_up(question: str) -> None:
    step = layered_planner(ScriptedCalls(Call("answer", ""))).plan([HumanMessage(question)])
    assert step.kind == "tool_call" and step.tool_name in {"search_documents", "web_search"}
    assert step.tool_args == {"query": rules.search_query(question)}


@pytest.mark.parametrize(
    "question", ["Do you like music?", "Thanks, that helps!", "Good evening, how's everything?"]
)
def test_small_talk_the_adapter_answers_stays_small_talk(question: str) -> None:
    step = layered_planner(ScriptedCalls(Call("answer", ""))).plan([HumanMessage(question)])
    assert (step.kind, step.route) == ("generate", "trained")


def test_a_follow_up_after_a_look_up_shows_the_adapter_the_sentence_that_answered() -> None:
    from tests.test_kb_answers import documents_result

    title = "Brackenridge Surveying: travel and expenses policy. Claims are paid within 30 days."
    rate = "Staff who drive their own car are paid a mileage rate of 0.45 pounds per mile."
    question = "What mileage rate does Brackenridge pay for driving your own car?"
    messages = [
        HumanMessage(question),
        AIMessage("", tool_calls=[{"name": "search_documents", "args": {"query": question}, "id": "d1"}]),
        documents_result([title, rate]),
        AIMessage(f"{rate[:-1]} [2]."),
        HumanMessage("So how much do I get back for 120 miles?"),
    ]
    scripted = ScriptedCalls(Call("calculator", "0.45*120"))
    step = layered_planner(scripted).plan(messages)
    assert f": {rate}\nUser: So how much" in scripted.prompts[0]  # the sentence the answer quoted
    assert "30 days" not in scripted.prompts[0]
    assert (step.tool_name, step.tool_args) == ("calculator", {"expression": "0.45*120"})
