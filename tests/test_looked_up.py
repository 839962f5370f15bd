"""A calculation with one figure of the user's documents and the question's own amounts, read without a model;
and a question asking a price it does not give, sent to the documents first."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from graphs.planning.local import LOOKED_UP_ROUTE, SUBSTITUTION_ROUTE, LocalPlanner, carried_on_lookup
from graphs.planning.looked_up import asks_a_price_not_given, computes_with_a_price, looked_up_expression
from graphs.planning.price_cases import carried_on, case_changed
from graphs.planning.price_parts import parts, priced_figures
from graphs.planning.quantities import amounts
from graphs.planning.rules import number_words_to_digits
from graphs.planning.trained import Call
from tests.test_kb_answers import documents_result
from tests.test_planning import search_documents
from tests.test_trained_planner import planner as scripted_planner
from tools.calculator import calculate, calculator

COURTS = "Court hire (one court): $12 per hour on weekdays, $15 per hour at weekends."
BOATS = (
    "Canoe (2-person)........ €20 per hour, €60 per day, €250 per week "
    "Kayak (single)......... €15 per hour, €45 per day, €180 per week"
)
PARKING = "Visitor parking costs £3 per hour, up to a maximum of £12 per day."
COPIES = "Photocopies: 15p per page, minimum charge 50p."
TICKETS = "Ticket: Adult (18–64); Off-peak: $11.00; Peak: $14.50"
ENTRY = [
    "Entry: Adult (16–64); Weekday: $7.50; Weekend: $9.00",
    "Entry: Child (3–15); Weekday: $4.80; Weekend: $5.60",
    "Entry: Senior (65+); Weekday: $5.20; Weekend: $6.00",
]


def test_a_sentence_is_read_in_parts_each_with_what_it_prices() -> None:
    assert parts(COURTS) == [
        "Court hire: $12 per hour on weekdays",
        "Court hire: $15 per hour at weekends.",
    ]
    assert parts(BOATS) == [
        "Canoe: €20 per hour",
        "Canoe: €60 per day",
        "Canoe: €250 per week",
        "Kayak: €15 per hour",
        "Kayak: €45 per day",
        "Kayak: €180 per week",
    ]
    assert parts(PARKING) == ["Visitor parking costs £3 per hour."]  # the limit is not a price
    assert parts(TICKETS) == ["Adult Off-peak: $11.00", "Adult Peak: $14.50"]


@pytest.mark.parametrize(
    ("question", "sentences", "expression", "value"),
    [
        ("how much to hire a court for 3 hours on a Tuesday?", [COURTS], "12*3", "36"),
        ("We want a court for 2.5 hours on Sunday. What will that cost?", [COURTS], "15*2.5", "37.5"),
        ("what do 4 kayaks cost for 2 days?", [BOATS], "45*4*2", "360"),
        ("two canoes for three hours, how much?", [BOATS], "20*2*3", "120"),
        ("If I park for 90 minutes, how much is parking?", [PARKING], "3*90/60", "4.5"),
        ("how much to photocopy 40 pages (in pounds)?", [COPIES], "15*40/100", "6"),
        ("six kayaks for one day please, what's the hire cost?", [BOATS], "45*6", "270"),
        (
            "We'd like five canoes for a day. What is the hire once the club discount is taken off?",
            ["Clubs receive 20% off boat hire (not deposits).", BOATS],
            "60*5*(1-20/100)",
            "240",
        ),
        ("We're 4 adults and 2 kids, what will entry cost us on a Saturday?", ENTRY, "9*4+5.6*2", "47.2"),
        ("3 adults and 1 child on a weekday, how much is entry?", ENTRY, "7.5*3+4.8", "27.3"),
        (
            "pay as you go, a 25 minute ride: what's that including the unlock fee?",
            ["Every ride starts with an unlock fee of £1.", "Pay as you go: 20p per minute."],
            "20*25/100+1",
            "6",
        ),
        (
            "two dogs for 6 nights, what do the dog charges come to?",
            ["Dogs: £2 per dog per night, maximum 2 dogs per pitch."],
            "2*2*6",
            "24",
        ),
        (
            "I'm not a student, but I'd like a practice room for three hours. How much?",
            ["Practice rooms are £6 per hour for students and £9 per hour for everyone else."],
            "9*3",
            "27",
        ),
        (
            "hiring a cello for 9 months, how much in hire fees, not counting the deposit?",
            ["Instrument: Cello; Monthly hire: £22; Deposit: £120"],
            "22*9",
            "198",
        ),
        # the best sentence without a figure for the question gives way to the next
        (
            "what would 6 hours of court time cost on a weekday?",
            ["Courts open at 7 am.", COURTS],
            "12*6",
            "72",
        ),
    ],
)
def test_one_figure_of_the_answering_sentence_and_the_questions_amounts(
    question: str, sentences: list[str], expression: str, value: str
) -> None:
    assert looked_up_expression(question, sentences) == expression
    assert calculate(expression) == value


@pytest.mark.parametrize(
    ("question", "sentences"),
    [
        ("how much to hire a court for 3 hours?", [COURTS]),  # weekday or weekend: not said
        ("I paid for 3 of my 8 hours, what do I owe for the rest?", [COURTS]),  # a difference not given
        ("what do 3 adult tickets cost?", [TICKETS]),  # peak or off-peak
        ("how much is entry for 2 adults and 2 seniors?", ENTRY),  # weekday or weekend
        ("entry for 2 adults and 3 dogs on Sunday?", ENTRY),  # no price names the dogs
        ("what do 4 kayaks cost for 2 days?", ["Our café sells soup for $5 per bowl."]),  # about other things
        ("how much is a court at the weekend?", [COURTS]),  # no amount of the question's own
        ("what do 4 kayaks cost for 2 days with the 10% discount?", [BOATS + ", $2 added per booking"]),
        ("what do 4 kayaks cost for 2 days with the student discount?", [BOATS]),  # no discount found
    ],
)
def test_no_calculation_where_the_reading_is_not_one(question: str, sentences: list[str]) -> None:
    assert looked_up_expression(question, sentences) is None


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("how much to hire one lane for 2.5 hours on a tuesday evening", True),
        ("What's the price in pounds of 750 business cards?", True),
        ("3 nights in Leeds: what will the hotel come to?", True),
        ("three A1 posters with lamination please, total in £?", True),
        ("if i buy 7 notebooks at $3.25 each how much do i pay", False),  # the price is given
        ("Rent is 1200 a month, split between 3. How much does each pay over 6 months?", False),
        ("How much do 6 bags of rice cost at 3.40 each?", False),
        ("A ticket costs 12 dollars. How much do 4 cost?", False),
        ("How much do 4 pens cost at 80p each?", False),
        ("How much is 15% of 80?", False),
        ("How many litres of paint do I need for 3 rooms?", False),
        ("How much flour do I need for 3 cakes?", False),  # no price asked
    ],
)
def test_a_question_asking_a_price_it_does_not_give(question: str, asks: bool) -> None:
    assert asks_a_price_not_given([HumanMessage(question)], question) is asks


def test_a_follow_up_is_not_sent_to_the_documents_for_its_price() -> None:
    earlier = [HumanMessage("What is 6 times 7?"), AIMessage("6 × 7 = 42.")]
    question = "and how much to hire a court for 3 hours?"
    assert asks_a_price_not_given([*earlier, HumanMessage(question)], question) is False


def test_a_code_before_a_noun_is_a_name_not_a_number() -> None:
    assert number_words_to_digits("three A1 posters and 2 MP3s, 3x4") == "3 A1 posters and 2 MP3s, 3 x 4"
    found = amounts("three A1 posters")
    assert found is not None and [(a.written, a.unit.sizes[0][0]) for a in found] == [("3", "poster")]


def after_search(question: str, passages: list[str]) -> list:
    call = {"name": "search_documents", "args": {"query": question}, "id": "d1", "type": "tool_call"}
    return [HumanMessage(question), AIMessage("", tool_calls=[call]), documents_result(passages)]


class NoModel:
    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"the model was asked for {name}")


def test_the_planner_computes_with_the_figure_found_without_a_model() -> None:
    messages = after_search("what do 4 kayaks cost for 2 days?", ["Boat hire\n\n" + BOATS])
    step = rules_planner().plan(messages)
    assert (step.route, step.tool_name, step.tool_args) == (
        LOOKED_UP_ROUTE,
        "calculator",
        {"expression": "45*4*2"},
    )


def test_a_price_not_given_is_looked_up_rather_than_computed_from_nothing() -> None:
    question = "how much to hire a court for 3 hours on a Tuesday?"
    step = scripted_planner(Call("calculator", "3*12")).trained_step([HumanMessage(question)], question)
    assert step is not None
    assert (step.route, step.tool_name, step.tool_args) == (
        LOOKED_UP_ROUTE,
        "search_documents",
        {"query": "how much to hire a court for 3 hours on a Tuesday"},
    )
    with_a_price = "courts are $12 an hour: how much to hire one for 3 hours and 2 rackets at $3 each?"
    step = scripted_planner(Call("calculator", "12*3+2*3")).trained_step(
        [HumanMessage(with_a_price)], with_a_price
    )
    assert step is not None and step.tool_name == "calculator"


def court_hired() -> list:
    """A turn that searched, found the court's weekday price and computed 3 hours of it."""
    question = "how much to hire a court for 3 hours on a Tuesday?"
    computed = {"name": "calculator", "args": {"expression": "12*3"}, "id": "c1", "type": "tool_call"}
    return [
        *after_search(question, [COURTS]),
        AIMessage("", tool_calls=[computed]),
        ToolMessage("36", tool_call_id="c1", name="calculator"),
        AIMessage("12 × 3 = 36. Court hire (one court): $12 per hour on weekdays [1]."),
    ]


def rules_planner() -> LocalPlanner:
    return LocalPlanner(NoModel(), [calculator, search_documents], routing="cues")  # type: ignore[arg-type]


def test_a_follow_up_changes_a_number_of_the_calculation_made_after_a_look_up() -> None:
    step = rules_planner().plan([*court_hired(), HumanMessage("and for 5 hours?")])
    assert (step.route, step.tool_args) == (SUBSTITUTION_ROUTE, {"expression": "12*5"})


def test_a_follow_up_naming_another_day_reads_the_figure_for_it() -> None:
    for follow_up in ("and on a Saturday instead?", "what if we went at the weekend?"):
        step = rules_planner().plan([*court_hired(), HumanMessage(follow_up)])
        assert (step.route, step.tool_args) == (LOOKED_UP_ROUTE, {"expression": "15*3"}), follow_up


@pytest.mark.parametrize(
    ("question", "follow_up", "again"),
    [
        ("a court for 3 hours on a Tuesday?", "and on Sunday?", "a court for 3 hours on a Sunday?"),
        ("2 off-peak tickets?", "and at peak times?", "2 peak tickets?"),
        ("a court for 3 hours on a Tuesday?", "and for 4 hours on Sunday?", None),  # a number: substitution's
        ("a court for 3 hours?", "and on Sunday?", None),  # no day to replace
    ],
)
def test_a_case_named_instead(question: str, follow_up: str, again: str | None) -> None:
    assert case_changed(question, follow_up) == again


@pytest.mark.parametrize(
    ("text", "figures"),
    [
        (COURTS, {12, 15}),
        (PARKING, {3}),  # the cap is a limit, not a price
        (COPIES, {15}),
        ("Route: Ashby Cross – Kellow; Weekly: 38.00; Monthly: 146.00", {38, 146}),
        ("A swim lesson costs 14 marks. A fee of 30 applies once.", {14, 30}),
        ("A deposit of 1,200 crowns is due, and 30 crowns a day.", {1200, 30}),
        ("Bluefinch has moved 36000 homes since 2009; the pool is 25 metres long.", set()),
    ],
)
def test_the_figures_a_passage_gives_as_prices_or_rates(text: str, figures: set[int]) -> None:
    assert priced_figures(text) == figures


def test_a_calculation_after_a_look_up_that_asks_a_price_uses_a_price_of_the_passage() -> None:
    removals = "Bluefinch Removals has moved 36000 homes since 2009. A 2-person crew costs $135 per hour."
    question = "How much would 5 hours of a 2-person crew cost?"
    assert computes_with_a_price("135*5", question, removals)
    assert not computes_with_a_price("36000*2009", question, removals)
    assert not computes_with_a_price("2*5", question, removals)
    assert not computes_with_a_price("2*5-135", question, removals)  # a price is never below nothing
    # a question that asks no price may compute with any figure
    assert computes_with_a_price("25*4", "How far is 4 lengths of the pool?", "The pool is 25 metres long.")


def test_a_calculation_after_a_look_up_without_the_price_is_not_made() -> None:
    messages = after_search(
        "How much are 3 lessons?", ["Lessons run for 6 weeks and each lesson costs 14 marks."]
    )
    assert scripted_planner(Call("calculator", "6*3")).plan(messages).kind != "tool_call"
    step = scripted_planner(Call("calculator", "14*3")).plan(messages)
    assert (step.tool_name, step.tool_args) == ("calculator", {"expression": "14*3"})


@pytest.mark.parametrize(
    ("follow_up", "again"),
    [
        ("and on a Saturday instead?", "a court for 3 hours on a Saturday?"),
        ("what if we add racket hire?", "a court for 3 hours on a Tuesday? what if we add racket hire?"),
        ("And can I also hire rackets?", "a court for 3 hours on a Tuesday? And can I also hire rackets?"),
        ("What time does the sports centre open on Sundays, and is there parking nearby at all?", None),
        ("Who runs the club?", None),  # a question of its own
        ("ok thanks", None),
    ],
)
def test_a_follow_up_carries_the_question_on(follow_up: str, again: str | None) -> None:
    assert carried_on("a court for 3 hours on a Tuesday?", follow_up) == again


def court_quoted() -> list:
    """A turn that searched for the court's price and answered with the passage, computing nothing."""
    question = "how much to hire a court for 3 hours on a Tuesday?"
    return [
        *after_search(question, ["Courts can be booked online."]),
        AIMessage("Courts can be booked online [1]."),
    ]


def test_a_follow_up_to_a_price_looked_up_searches_again_and_reads_the_two_as_one() -> None:
    follow_up = HumanMessage("and on a Saturday instead?")
    step = rules_planner().plan([*court_quoted(), follow_up])
    assert (step.route, step.tool_name, step.tool_args) == (
        LOOKED_UP_ROUTE,
        "search_documents",
        {"query": "how much to hire a court for 3 hours on a Saturday"},
    )
    call = {"name": "search_documents", "args": step.tool_args, "id": "d2", "type": "tool_call"}
    searched = [*court_quoted(), follow_up, AIMessage("", tool_calls=[call]), documents_result([COURTS])]
    searched[-1].tool_call_id = "d2"
    step = rules_planner().plan(searched)
    assert (step.route, step.tool_args) == (LOOKED_UP_ROUTE, {"expression": "15*3"})


def test_a_follow_up_of_a_question_that_asked_no_price_is_not_searched_again() -> None:
    earlier = after_search("who runs the tennis club?", ["The club is run by volunteers."])
    messages = [*earlier, AIMessage("Volunteers [1]."), HumanMessage("and on Saturdays instead?")]
    assert carried_on_lookup(messages) is None
    assert carried_on_lookup([*court_quoted(), HumanMessage("and on Saturdays instead?")]) is not None


@pytest.mark.parametrize(
    ("question", "passage", "expression"),
    [
        ("how much to park for 6 hours?", PARKING, "min(3*6,12)"),  # the day's cap
        ("how much to park for 3 hours?", PARKING, "3*3"),  # under it
        ("how much to copy 2 pages?", COPIES, "max(15*2/100,0.5)"),  # the minimum charge
        ("how much to copy 10 pages?", COPIES, "15*10/100"),
        ("how much to park for 3 days, 8 hours a day?", PARKING, None),  # a cap per day, for 3 days: not read
    ],
)
def test_a_price_is_held_within_its_sentences_limit(
    question: str, passage: str, expression: str | None
) -> None:
    assert looked_up_expression(question, [passage]) == expression


def test_the_answer_shows_the_limit_applied() -> None:
    messages = after_search("how much to park for 6 hours?", [PARKING])
    step = rules_planner().plan(messages)
    assert step.tool_args == {"expression": "min(3*6,12)"}
    computed = {"name": "calculator", "args": step.tool_args, "id": "c1", "type": "tool_call"}
    answered = rules_planner().plan(
        [
            *messages,
            AIMessage("", tool_calls=[computed]),
            ToolMessage(calculate("min(3*6,12)"), tool_call_id="c1", name="calculator"),
        ]
    )
    assert (
        answered.kind == "text"
        and answered.text.startswith("min(3 × 6, 12) = 12.")
        and "[1]" in answered.text
    )
