"""The deterministic checks of reflection (graphs/checks.py): pure functions, no model."""

from __future__ import annotations

from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from graphs.checks import (
    cited_numbers,
    draft_problems,
    restates_question,
    returned_passages,
    untraced_numbers,
)

DOCS = ToolMessage(
    "[1] (source: a.md) The guest network accepts up to 20 devices.",
    tool_call_id="c1",
    name="search_documents",
    artifact=[{"n": 1, "title": "a.md", "url": "/kb/a.md"}],
)


def turn(question: str, *results: ToolMessage, calls: list[dict] | None = None) -> list:
    ai = AIMessage(
        "", tool_calls=calls or [{"name": r.name, "args": {}, "id": r.tool_call_id} for r in results]
    )
    return [HumanMessage(question), ai, *results]


def test_numbers_from_the_question_tool_results_and_calculator_are_traced() -> None:
    sources = ["A baker makes 9 trays of 17 rolls and sells 73.", "80", "9*17-73"]
    assert untraced_numbers("9 × 17 - 73 = 80 rolls are left.", sources) == []
    assert untraced_numbers("That leaves 1,250.50 crowns.", ["1250.5"]) == []
    assert untraced_numbers("About 3.33 each.", ["3.3333333333"]) == []
    assert untraced_numbers("The port is 7341 [1].", ["TCP port 7341"]) == []  # [1] is no number


def test_every_operand_of_a_calculator_call_is_traced() -> None:
    """``15*80/100`` for "15% of 80": the 100 is the call's, not invented (it was once sent back)."""
    call = {"name": "calculator", "args": {"expression": "15*80/100"}, "id": "c1"}
    result = ToolMessage("12", tool_call_id="c1", name="calculator")
    assert draft_problems("What is 15% of 80?", "15 × 80 ÷ 100 = 12.", turn("x", result, calls=[call])) == []


def test_a_number_computed_in_the_head_is_untraced() -> None:
    sources = ["A baker makes 9 trays of 17 rolls and sells 73. How many are left?"]
    assert untraced_numbers("There are 80 rolls left.", sources) == ["80"]
    assert untraced_numbers("It ended in 1945, two wars.", []) == ["1945"]
    assert untraced_numbers("Version 4.1.3 fixed it.", ["## 4.1.3 - 2031-01-22"]) == []


def test_citations_must_be_passages_that_were_returned() -> None:
    assert cited_numbers("According to [2], yes [1] [2].") == [2, 1]
    assert returned_passages([DOCS]) == {1}
    error = ToolMessage("Error: off.", tool_call_id="c2", name="web_search", status="error")
    assert returned_passages([error]) == set()
    text_only = ToolMessage('<passage n="3" source="x">hi</passage>', tool_call_id="c3", name="t")
    assert returned_passages([text_only]) == {3}


def test_a_restatement_of_the_question_is_caught() -> None:
    question = "What do 10 Aurora H2 humidity modules cost at list price?"
    assert restates_question(
        "According to [1] what do 10 Aurora H2 humidity modules cost at list price?", question
    )
    assert restates_question("What do 10 Aurora H2 modules cost?", question)
    assert not restates_question(
        "According to [1], 10 Aurora H2 modules cost 1,230 crowns at list price.", question
    )
    assert not restates_question("Yes.", question)


def test_a_good_draft_has_no_problems() -> None:
    messages = turn("How many devices can join the guest network?", DOCS)
    assert draft_problems(messages[0].text, "Up to 20 devices can join it [1].", messages) == []


def test_each_failing_check_says_what_to_fix() -> None:
    question = "How many devices can join the guest network?"
    messages = turn(question, DOCS)
    [forged] = draft_problems(question, "Up to 20 devices, says [2].", messages)
    assert "[2]" in forged and "returned [1]" in forged
    [made_up] = draft_problems(question, "Up to 25 devices [1].", messages)
    assert "25" in made_up and "calculator" in made_up
    [restated] = draft_problems(
        question, "According to [1], how many devices can join the guest network?", messages
    )
    assert "repeats the question" in restated


def test_a_draft_without_tools_is_checked_too() -> None:
    question = "A baker makes 9 trays of 17 rolls and sells 73. How many are left?"
    [problem] = draft_problems(question, "80 rolls.", [HumanMessage(question)])
    assert "80" in problem
    assert draft_problems("Hi!", "Hello! How can I help?", [HumanMessage("Hi!")]) == []
