"""A price that depends on the season, read for the date a question names: the season's dates from the
document (``graphs.planning.seasons``), searched for when the prices' passages do not hold them."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from graphs.planning.local import LOOKED_UP_ROUTE
from graphs.planning.seasons import SEASONS, asked_date, dated, season_of, unnamed_season
from tests.test_kb_answers import documents_result
from tests.test_looked_up import after_search, rules_planner

PEAK, HIGH = SEASONS
ROOMS = "Room type: Double (sea view); Sleeps: 2; Off-peak: £112 per night; Peak: £138 per night"
INN_SEASONS = "Seasons\n\n- Off-peak: 1 November – 31 March\n- Peak: 1 April – 31 October"


@pytest.mark.parametrize(
    ("question", "date"),
    [
        ("3 nights in mid july?", (7, 15)),
        ("2 nights in February", (2, None)),
        ("seven nights starting 1 August", (8, 1)),
        ("at the end of September", (9, 28)),
        ("early August, two adults", (8, 5)),
        ("I may come in June", (6, None)),  # "may" the verb is no month
        ("in May or June", None),  # two dates: which?
        ("for 3 nights", None),
    ],
)
def test_the_date_a_question_names(question: str, date: tuple[int, int | None] | None) -> None:
    assert asked_date(question) == date


@pytest.mark.parametrize(
    ("date", "definitions", "within"),
    [
        ((7, 15), [INN_SEASONS], True),
        ((2, None), [INN_SEASONS], False),
        ((8, 5), ["High season runs from 20 July to 2 September. All other dates are low season."], True),
        ((10, None), ["High season runs from 20 July to 2 September."], False),
        ((7, None), ["High season runs from 20 July to 2 September."], None),  # which part of July?
        ((1, None), ["Peak season runs from May to September; off-peak is October to April."], False),
        ((12, 24), ["A peak surcharge applies from 20 December to 3 January."], True),  # over the new year
        ((7, 15), ["Our prices were last changed in March."], None),  # no season's dates
    ],
)
def test_whether_a_date_falls_in_the_season(
    date: tuple[int, int | None], definitions: list[str], within: bool | None
) -> None:
    season = HIGH if "igh season" in definitions[0] else PEAK
    assert season_of(date, season, definitions) is within


def test_a_question_with_a_date_is_asked_for_its_season() -> None:
    assert unnamed_season("3 nights in a double room in mid July?", [ROOMS]) == PEAK
    assert unnamed_season("3 nights in a double room?", [ROOMS]) is None  # no date
    assert unnamed_season("3 off-peak nights in July?", [ROOMS]) is None  # the question names it
    assert dated("3 nights in mid July?", PEAK, [INN_SEASONS]) == "3 nights in mid July? (peak)"
    assert dated("2 nights in February?", PEAK, [INN_SEASONS]) == "2 nights in February? (off-peak)"


def season_searched(
    first: list[BaseMessage], passages: list[str], *, failed: bool = False
) -> list[BaseMessage]:
    call = {
        "name": "search_documents",
        "args": {"query": "When is peak season?"},
        "id": "d2",
        "type": "tool_call",
    }
    result = (
        ToolMessage("Error: the search failed", tool_call_id="d2", name="search_documents", status="error")
        if failed
        else documents_result(passages, call_id="d2")
    )
    return [*first, AIMessage("", tool_calls=[call]), result]


def test_the_seasons_dates_are_searched_for_then_the_price_for_the_date_is_read() -> None:
    first = after_search("what would 3 nights in a double room come to in mid July?", [ROOMS])
    step = rules_planner().plan(first)
    assert (step.route, step.tool_name, step.tool_args) == (
        LOOKED_UP_ROUTE,
        "search_documents",
        {"query": "When is peak season?"},
    )
    step = rules_planner().plan(season_searched(first, [INN_SEASONS]))
    assert (step.route, step.tool_name, step.tool_args) == (
        LOOKED_UP_ROUTE,
        "calculator",
        {"expression": "138*3"},
    )
    winter = after_search("what would 3 nights in a double room come to in February?", [ROOMS])
    step = rules_planner().plan(season_searched(winter, [INN_SEASONS]))
    assert step.tool_args == {"expression": "112*3"}


def test_dates_the_prices_passages_hold_need_no_second_search() -> None:
    step = rules_planner().plan(
        after_search("3 nights in a double room in mid July: the cost?", [ROOMS, INN_SEASONS])
    )
    assert (step.tool_name, step.tool_args) == ("calculator", {"expression": "138*3"})


def test_when_the_seasons_dates_are_not_found_the_prices_are_quoted_without_searching_again() -> None:
    first = after_search("what would 3 nights in a double room come to in mid July?", [ROOMS])
    for searched in (
        season_searched(first, ["Breakfast is served from 7."]),
        season_searched(first, [], failed=True),
    ):
        step = rules_planner().plan(searched)
        assert step.kind == "text" and "Peak: £138 per night [1]" in step.text, step


def test_the_answer_cites_the_price_not_the_seasons_dates() -> None:
    first = after_search("what would 3 nights in a double room come to in mid July?", [ROOMS])
    computed = {"name": "calculator", "args": {"expression": "138*3"}, "id": "c1", "type": "tool_call"}
    messages = [
        *season_searched(first, [INN_SEASONS]),
        AIMessage("", tool_calls=[computed]),
        ToolMessage("414", tool_call_id="c1", name="calculator"),
    ]
    step = rules_planner().plan(messages)
    assert (
        step.kind == "text"
        and step.text.startswith("138 × 3 = 414.")
        and "Peak: £138 per night [1]" in step.text
    )
    assert "31 October" not in step.text


def titled_result(call_id: str, *hits: tuple[str, str]) -> ToolMessage:
    """A documents search's result whose passages each come from a named document."""
    artifact = [{"n": n, "title": title, "text": text} for n, (title, text) in enumerate(hits, start=1)]
    quoted = "\n".join(f"[{n}] {title}: {' '.join(text.split())}" for n, (title, text) in enumerate(hits, 1))
    return ToolMessage(
        f"Excerpts\n{quoted}", tool_call_id=call_id, name="search_documents", artifact=artifact
    )


def test_another_documents_seasons_do_not_date_the_prices() -> None:
    question = "what would 3 nights in a double room come to in mid July?"
    call = {"name": "search_documents", "args": {"query": question}, "id": "d1", "type": "tool_call"}
    first = [
        HumanMessage(question),
        AIMessage("", tool_calls=[call]),
        titled_result("d1", ("Harbour Inn", ROOMS)),
    ]
    dates = {
        "name": "search_documents",
        "args": {"query": "When is peak season?"},
        "id": "d2",
        "type": "tool_call",
    }
    for title, computed in (("Hillside Campsite", False), ("Harbour Inn", True)):
        messages = [*first, AIMessage("", tool_calls=[dates]), titled_result("d2", (title, INN_SEASONS))]
        step = rules_planner().plan(messages)
        assert (step.tool_name == "calculator") is computed, title
