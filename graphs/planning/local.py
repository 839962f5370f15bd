"""The step planner of the embedded profile: the graph's rules for a 270M base model.

A 270M *base* model cannot follow a tool-use prompt, so for the ``local`` profile the graph plans each step
itself (:class:`LocalPlanner`, injected into ``build_graph``) and uses the model only for what it does well:

- the first step of a turn: a question that is only arithmetic, or that names the user's documents, by rule;
  then the call line of the packaged model with the planner's trained adapter (:mod:`graphs.planning.trained`:
  the tool, and the whole expression of a word problem or a follow-up), made when it is grounded; else the
  intent router of :mod:`graphs.planning.rules` (cue phrases, MiniLM prototypes), then the model's calibrated
  choice among the bound tools (``ChatLocalLlama.rank_tools``) when the router cannot decide; arguments by rule
  where the tool's schema allows (an ``expression``, a ``query``), else decoded under its grammar
  (``ChatLocalLlama.tool_arguments``);
- small talk: the model continues a short few-shot transcript (``raw_prompt``);
- after a documents search, for a question that holds a quantity of its own, the adapter's calculation with
  the passage's figure (``compute_after_lookup``), made when grounded;
- after tool results: calculator results and failures are sentences written by template, passages are
  answered with the sentence that states the fact (:mod:`graphs.planning.extractive`), and only when no
  passage holds one does the model write a sentence after "According to [n],"; a failed web search is
  followed by a search of the user's documents.

Everything else (no tools bound) is left to the model: the planner returns None.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from fractions import Fraction
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.messages.ai import UsageMetadata
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool

from agent.models.local.chat_model import ANSWER_OPTION, PROVIDER, ChatLocalLlama, Plan, Spent, tool_name
from agent.models.local.grammar import tool_parameters
from agent.models.local.transcript import PLAIN_ROLE_LABELS, messages_to_turns
from graphs.planning import extractive, rules
from graphs.planning.averages import average_of_listed
from graphs.planning.call_format import ANSWER
from graphs.planning.clock import clock_duration
from graphs.planning.conversions import conversion_expression, follow_up_conversion, looked_up_conversion
from graphs.planning.dimensions import dimensional_expression, dimensional_follow_up
from graphs.planning.fractions_of import fraction_of_amount, fraction_of_result, to_fill
from graphs.planning.interest import interest_expression
from graphs.planning.looked_up import (
    SENTENCES_READ,
    Sentence,
    asks_a_price,
    asks_a_price_not_given,
    computes_with_a_price,
    looked_up_expression,
    own_amounts,
    sentences_of,
)
from graphs.planning.named_results import share_of_named
from graphs.planning.percent_direction import (
    bare_percentage_applied,
    percent_direction_fixed,
    with_change_applied,
)
from graphs.planning.perimeters import perimeter_expression
from graphs.planning.periods import period_factor_fixed, period_follow_up, periods_to_reach, rate_over_periods
from graphs.planning.price_cases import carried_on, case_changed
from graphs.planning.price_parts import priced_figures
from graphs.planning.purchases import purchase_total
from graphs.planning.rates import rate_per_amount, rate_times_sum, units_needed
from graphs.planning.ratios import ratio_expression
from graphs.planning.references import (
    added_for_everyone,
    added_on_top,
    age_of_two_when,
    age_when,
    at_the_same_rate,
    changed_by_percent,
    compared_expression,
    percent_total,
    referenced_expression,
    repeated_expression,
    saved_against,
    shared_expression,
    shared_from_leftovers,
    still_needed,
)
from graphs.planning.relations import (
    age_in_years,
    combined_share,
    rest_shared,
    share_as_percentage,
    times_as_many_together,
)
from graphs.planning.restated import asked_anew, restated_question
from graphs.planning.seasons import SEASON_QUERY, Season, dated, season_query, unnamed_season
from graphs.planning.substitution import (
    average_with_another,
    changed_count_bought,
    changed_count_expression,
    more_doers_expression,
    substituted_expression,
)
from graphs.planning.sums import (
    difference_asked,
    difference_not_negative,
    lone_amounts_added,
    sum_of_groups_fixed,
)
from graphs.planning.together import together_expression
from graphs.planning.trained import HISTORY_TURNS, Call, TrainedCalls, passage_line, trained_calls_for
from graphs.planning.trips import round_trip_doubled, trip_expression
from graphs.planning.unit_prices import price_and_count, unit_prices_compared
from graphs.planning.units import mixed_units_fixed
from graphs.planning.wages import allowance_overage, overtime_pay

Routing = Literal["layered", "cues", "model"]
"""How the first tool of a turn is chosen: ``layered`` (fast path, cues, embeddings, then the model),
``cues`` (the same without embeddings) or ``model`` (the model's own choice and arguments: the baseline
``bench/routing.py`` compares with)."""

EXPRESSION_PROMPT = """\
Write the arithmetic expression that answers each question.
Question: If 4 friends share 100 dollars equally, how much does each get?
Expression: 100/4
Question: How many seconds are in 5 minutes?
Expression: 5*60
Question: A book costs 12 dollars. How much do 3 books cost?
Expression: 12*3
Question: {question}
Expression: """

EXPRESSION_GBNF = r"""
root ::= expr "\n"
expr ::= term (ws [-+*/] ws term)*
term ::= num | "(" expr ")" | "sqrt(" expr ")"
num  ::= "-"? [0-9] [0-9]? [0-9]? [0-9]? [0-9]? [0-9]? [0-9]? ("." [0-9] [0-9]? [0-9]?)?
ws   ::= " "?
"""
"""An arithmetic expression on one line, numbers of at most 7 digits: a small model otherwise rambles on
in digits rather than end the expression."""

RESULT_ANSWER_PROMPT = """\
Sources:
{results}

Question: {question}
Short answer with citation: According to ["""

SMALL_TALK_PROMPT = """\
A friendly conversation with a helpful AI assistant that can do exact calculations, search the web and \
search the user's documents.

User: Hello!
Assistant: Hello! How can I help you today?
User: Thanks a lot.
Assistant: You're welcome! Anything else I can do for you?
{history}User: {question}
Assistant:"""
"""Replies without a tool. A short few-shot transcript rather than the graph's system prompt: the 270M base
model copies instructions and dates from a long prompt into its replies, and the prompt is half as long
(a faster turn)."""
SMALL_TALK_HISTORY_TOKENS = 300

MAX_RESULT_CHARS = 1500
"""Tool results shown to the model when it writes the answer: a tight prompt keeps a warm turn short."""

TRAINED_ROUTE = "trained"
"""The route of a step the adapter's call line decided (response metadata, ``agent eval``)."""
CONVERSION_ROUTE = "conversion"
"""The route of a unit conversion computed from the table of :mod:`graphs.planning.conversions`."""
SUBSTITUTION_ROUTE = "substitution"
"""The route of a follow-up that changes one number of the previous calculation (:mod:`graphs.planning.substitution`)."""
REFERENCE_ROUTE = "reference"
"""The route of a follow-up that is plain arithmetic on the previous result (:mod:`graphs.planning.references`)."""
DIMENSIONS_ROUTE = "dimensions"
"""The route of a first question whose amounts combine one way only into the unit it asks for
(:mod:`graphs.planning.dimensions`)."""

LOOKED_UP_ROUTE = "looked_up"
"""The route of a calculation with one figure the user's documents give and the question's own amounts
(:mod:`graphs.planning.looked_up`), or of the search for that figure."""

ASKS_A_UNIT = re.compile(r"\bhow\s+many\s+[a-z]+", re.IGNORECASE)
"""A question asking a count of some unit: after a look-up, the figure found may need converting to it."""

REFERENCE_WORDS = re.compile(r"\b(?:that|it|this|the\s+(?:same|result|total|answer))\b", re.IGNORECASE)
"""Words of a follow-up that refer to the previous result: a calculation that leaves it out is written again
("How far would it go in 5.5 hours at that speed?" -> ``5.5*5.5`` was written, ``90*5.5`` meant)."""

SPREAD_CUES = re.compile(r"\b(?:over|in|for)\b", re.IGNORECASE)
"""Words of a follow-up that may spread the previous result over a period ("What's that over 10 years?")."""

QUERY_ARGUMENTS = ("query", "q", "question", "search_query", "text")
"""Names of a search tool's one string argument, filled with the question (less the request to search)."""


def single_string_argument(tool: dict[str, Any], names: Sequence[str]) -> str | None:
    """The name of the tool's only required string argument, when it is one of ``names``."""
    parameters = tool_parameters(tool)
    properties = parameters.get("properties", {})
    required = parameters.get("required", list(properties))
    if len(required) != 1 or required[0] not in names:
        return None
    if properties.get(required[0], {}).get("type", "string") != "string":
        return None
    return str(required[0])


def usage(prompt_tokens: int, completion_tokens: int) -> UsageMetadata:
    return UsageMetadata(
        input_tokens=prompt_tokens,
        output_tokens=completion_tokens,
        total_tokens=prompt_tokens + completion_tokens,
    )


def with_exact_previous_result(step: Plan, messages: Sequence[BaseMessage]) -> Plan:
    """``step``, a calculation on the previous result written with that result's own calculation where the
    result was shown rounded (:func:`graphs.planning.rules.on_exact_previous_result`)."""
    if step.kind != "tool_call" or step.tool_name != "calculator" or len(step.tool_args) != 1:
        return step
    [(argument, expression)] = step.tool_args.items()
    if not isinstance(expression, str):
        return step
    exact = rules.on_exact_previous_result(expression, messages)
    return step if exact == expression else replace(step, tool_args={argument: exact})


class LocalPlanner:
    """Plans each step of a turn for the embedded model (a ``graphs.nodes.StepPlanner``).

    Called with the planner node's prompt, it returns the step's message: a tool call, a templated or
    extractive answer, or the model's generation over a prompt of the planner's (few-shot small talk, an
    answer that continues "According to [n],"). It returns None only with no tools bound.
    """

    def __init__(
        self,
        model: ChatLocalLlama,
        tools: Sequence[BaseTool | dict[str, Any]],
        *,
        routing: Routing = "layered",
        router: rules.IntentRouter | None = None,
        trained: TrainedCalls | None = None,
    ) -> None:
        self.model = model
        self.tools = [convert_to_openai_tool(tool) for tool in tools]
        self.by_name = {tool_name(tool): tool for tool in self.tools}
        self.routing = routing
        self._router = router
        self.trained = trained
        """The adapter's call lines (``graphs.planning.trained``), tried before the router; None: rules only."""

    @property
    def router(self) -> rules.IntentRouter:
        """The intent router (the process-wide one over the packaged MiniLM unless one was given)."""
        return self._router or rules.shared_router()

    @property
    def similarity(self) -> extractive.Similarity | None:
        """Closeness in meaning of texts to a question (the router's MiniLM), where the routing uses it."""
        return self.router.similarities if self.routing == "layered" else None

    # -- the step's message
    def __call__(self, messages: Sequence[BaseMessage]) -> AIMessage | None:
        if not self.tools:
            return None
        return self.message(messages, self.plan(messages))

    def message(self, messages: Sequence[BaseMessage], step: Plan) -> AIMessage:
        """The AI message of ``step``: built here, or generated by the model (its tokens stream)."""
        metadata = {"model_name": self.model.model_name, "model_provider": PROVIDER, "route": step.route}
        if step.kind == "tool_call":
            call = {
                "name": step.tool_name,
                "args": step.tool_args,
                "id": f"call_{uuid.uuid4().hex[:24]}",
                "type": "tool_call",
            }
            return AIMessage(
                "",
                tool_calls=[call],
                usage_metadata=usage(*step.usage),
                response_metadata={**metadata, "finish_reason": "tool_calls"},
            )
        if step.kind == "text":
            return AIMessage(
                step.text,
                usage_metadata=usage(*step.usage),
                response_metadata={**metadata, "finish_reason": "stop"},
            )
        options: dict[str, Any] = {"max_tokens": min(self.model.answer_max_tokens, self.model.max_tokens)}
        if step.prompt:
            options.update(raw_prompt=step.prompt, answer_prefix=step.prefix)
        generated = self.model.invoke(list(messages), stop=step.stop or None, **options)
        generated.response_metadata["route"] = step.route
        return generated

    # -- planning
    def plan(self, messages: Sequence[BaseMessage]) -> Plan:
        """The step for a transcript that ends with the user's request or with tool results."""
        results = rules.pending_tool_results(messages)
        if results:
            fallback = rules.documents_fallback(messages, list(self.by_name))
            documents = self.by_name.get(rules.DOCUMENTS_TOOL)
            argument = documents and single_string_argument(documents, ("query",))
            if fallback is not None and argument:
                return Plan(
                    "tool_call", "fallback", tool_name=rules.DOCUMENTS_TOOL, tool_args={argument: fallback}
                )
            if self.routing != "model" and (step := self.after_lookup(messages)) is not None:
                return step
            return self.plan_answer(messages, results)
        question = rules.last_human_text(messages)
        if not question.strip():
            return Plan("generate", "chat")
        spent = Spent()
        if self.routing != "model" and (step := self.exact_calculation(messages, question)) is not None:
            return with_exact_previous_result(step, messages)
        if self.routing != "model" and (step := self.search_again(messages, question)) is not None:
            return step
        if self.trained is not None and self.routing != "model":
            step = self.trained_step(messages, question)
            if step is not None:
                return with_exact_previous_result(step, messages)
        if self.routing == "model":
            decision = rules.Decision(None, "model")
        else:
            decision = self.router.route(question, use_embeddings=self.routing == "layered")
        name = decision.intent or ""
        if name and name != rules.ANSWER and name not in self.by_name:
            name = ""  # the intent's tool is not bound: let the model choose among what is
        if not name:
            ranked = self.model.rank_tools(question, self.tools, allow_answer=True, spent=spent)
            return self.first_feasible(messages, question, ranked, decision, spent)
        if name == rules.ANSWER:
            return self.small_talk(messages, question, decision.reason)
        step = self.call(question, self.by_name[name], decision, spent)
        if step is None and decision.scores:
            step = self.runner_up(messages, question, name, decision, spent)
        if step is None:
            return Plan("generate", f"{decision.reason}:no_valid_arguments")
        step.usage = (spent.prompt, spent.completion)
        return step

    def exact_calculation(self, messages: Sequence[BaseMessage], question: str) -> Plan | None:
        """A calculator call read from the words without a model, or None for any other question:

        - a plain unit conversion ("How many hours are in 5 days?" -> ``5*24``), or a follow-up converting the
          previous result on ("And in minutes?" -> ``120*60``) (:mod:`graphs.planning.conversions`), or
          carrying it to another period ("and per month?") (:mod:`graphs.planning.periods`);
        - the previous calculation with one number changed ("What about 20%?") or a count grown ("What if I buy
          2 more?") (:mod:`graphs.planning.substitution`);
        - plain arithmetic on the previous result ("Add 9 to that."), a difference with it ("how much more is
          that than 2000?") or a share of it ("split it between 4") (:mod:`graphs.planning.references`);
        - a first question whose amounts multiply and divide one way only into the unit it asks ("450 g of
          flour per loaf: how many grams for 6 loaves?" -> ``450*6``) (:mod:`graphs.planning.dimensions`), the
          other amount of a stated ratio (:mod:`graphs.planning.ratios`), the average of a list
          (:mod:`graphs.planning.averages`), the way round a rectangle
          (:mod:`graphs.planning.perimeters`), a worded fraction of one amount
          (:mod:`graphs.planning.fractions_of`), or the minutes between two clock times
          (:mod:`graphs.planning.clock`).
        """
        calculator = self.by_name.get("calculator")
        argument = calculator and single_string_argument(calculator, ("expression",))
        if not argument:
            return None
        for route, expression in (
            (
                CONVERSION_ROUTE,
                lambda: (
                    conversion_expression(question)
                    or follow_up_conversion(messages)
                    or period_follow_up(messages)
                    or rate_over_periods(messages)
                    or periods_to_reach(messages)
                ),
            ),
            (
                SUBSTITUTION_ROUTE,
                lambda: (
                    ((again := restated_question(messages)) and self.first_question_reading(again))
                    or substituted_expression(messages)
                    or changed_count_expression(messages)
                    or changed_count_bought(messages)
                    or more_doers_expression(messages)
                    or average_with_another(messages)
                ),
            ),
            (LOOKED_UP_ROUTE, lambda: self.case_changed_after_lookup(messages)),
            (
                REFERENCE_ROUTE,
                lambda: (
                    share_of_named(messages)
                    or referenced_expression(messages)
                    or repeated_expression(messages)
                    or at_the_same_rate(messages)
                    or fraction_of_result(messages)
                    or shared_from_leftovers(messages)
                    or compared_expression(messages)
                    or shared_expression(messages)
                    or percent_total(messages)
                    or changed_by_percent(messages)
                    or saved_against(messages)
                    or added_on_top(messages)
                    or added_for_everyone(messages)
                    or age_when(messages)
                    or age_of_two_when(messages)
                    or still_needed(messages)
                    or dimensional_follow_up(messages)
                    or ((anew := asked_anew(messages)) and self.first_question_reading(anew))
                ),
            ),
            (
                DIMENSIONS_ROUTE,
                lambda: None if rules.previous_turn(messages) else self.first_question_reading(question),
            ),
        ):
            if found := expression():
                return Plan("tool_call", route, tool_name="calculator", tool_args={argument: found})
        return None

    @staticmethod
    def first_question_reading(question: str) -> str | None:
        """The calculation of a whole question read from its amounts and the unit it asks (the last readings of
        :meth:`exact_calculation`), or None."""
        return (
            interest_expression(question)
            or combined_share(question)
            or unit_prices_compared(question)
            or to_fill(question)
            or together_expression(question)
            or average_of_listed(question)
            or ratio_expression(question)
            or perimeter_expression(question)
            or fraction_of_amount(question)
            or trip_expression(question)
            or overtime_pay(question)
            or allowance_overage(question)
            or both_ways(dimensional_expression(question), question)
            or clock_duration(question)
        )

    def trained_step(self, messages: Sequence[BaseMessage], question: str) -> Plan | None:
        """The first step of a turn from the adapter's call line, or None to leave it to the rules.

        The exact layer stays: a question that is nothing but arithmetic goes to the calculator as written, and
        one that names the user's own documents to them. A calculator call is made only with numbers the
        conversation holds (the question, earlier questions and results); a search gets the question as its
        query, as the rules give it.
        """
        assert self.trained is not None
        arithmetic = rules.words_to_expression(question)
        if arithmetic and arithmetic.pure:
            return None
        if not arithmetic and rules.cue_intents(question) == {rules.DOCUMENTS_TOOL}:
            return None  # the user names their own documents ("according to my notes"), which the adapter
            # cannot know about: the rules' cue decides
        call = self.trained.next_call(
            messages, argument_for=("calculator",), shown=self.earlier_lookups_shown(messages)
        )
        if call is None:
            return None
        if call.tool == "calculator":  # "8,500*7" as the question wrote 8,500: the calculator reads 8500
            call = replace(call, argument=rules.without_thousands_separators(call.argument))
        if (
            call.tool in {"calculator", ANSWER}
            and asks_a_price_not_given(messages, question)
            and (search := self.documents_search(rules.search_query(question)))
        ):
            return search  # "how much to hire a lane for 2.5 hours?": the price is in the documents, not the words
        if call.tool == ANSWER:
            if self.asks_for_facts(question):
                return None  # "Which uid is reserved for the mysql user?": the adapter answered it from
                # nothing ("you can't use the mysql user"); the rules look it up
            return self.small_talk(messages, question, TRAINED_ROUTE)
        tool = self.by_name.get(call.tool)
        if tool is None:
            return None
        if argument := single_string_argument(tool, ("expression",)):
            if rules.states_a_number_of(call.argument, question):
                # "two dozen cupcakes" -> calculator(24): the question states the number in words
                return Plan(
                    "tool_call", TRAINED_ROUTE, tool_name=call.tool, tool_args={argument: call.argument}
                )
            call = self.with_follow_ups_number(messages, question, call)
            call = self.with_numbers_explained(question, call)
            if as_asked := (
                purchase_total(question)
                or rate_per_amount(question)
                or price_and_count(call.argument, question)
                or units_needed(call.argument, question)
                or rate_times_sum(call.argument, question)
                or times_as_many_together(call.argument, question)
                or age_in_years(call.argument, question)
                or rest_shared(call.argument, question)
                or share_as_percentage(call.argument, question)
                or period_factor_fixed(call.argument, question)
            ):
                call = replace(call, argument=as_asked)
            if doubled := round_trip_doubled(call.argument, question):  # "38 km each way", 5 days a week
                call = replace(call, argument=doubled)
            if converted := mixed_units_fixed(call.argument, question):  # "5/200" for 5 kg at 200 g a day
                call = replace(call, argument=converted)
            # "4*9-3*7" for 4 rows of 9 and 3 of 7; "45+28" for how many more
            if added := sum_of_groups_fixed(call.argument, question) or difference_asked(
                call.argument, question
            ):
                call = replace(call, argument=added)
            if signed := lone_amounts_added(call.argument, question):  # "-350" for £350 deposited
                call = replace(call, argument=signed)
            if turned := difference_not_negative(call.argument, question):  # "1948-2025" for an age in 2025
                call = replace(call, argument=turned)
            return grounded_expression_call(with_signed_percentages(call, question), argument)
        if argument := single_string_argument(tool, QUERY_ARGUMENTS):
            query = rules.search_query(question)
            return Plan("tool_call", TRAINED_ROUTE, tool_name=call.tool, tool_args={argument: query})
        return None

    def earlier_lookups_shown(self, messages: Sequence[BaseMessage]) -> dict[str, str]:
        """What the adapter is shown of each documents search of the earlier turns: the sentence that answered
        that turn's question, as after a look-up (:meth:`compute_after_lookup`), not the first passage. A
        follow-up ("so how much for 120 miles?") computes with the figure the user was given; shown the first
        passage, the adapter took a figure of the policy's title page (``120/30``). Only the turns the
        adapter's transcript keeps (:data:`HISTORY_TURNS`) are ranked."""
        shown: dict[str, str] = {}
        asked = ""
        turns = [index for index, message in enumerate(messages) if isinstance(message, HumanMessage)]
        first = turns[-HISTORY_TURNS] if len(turns) >= HISTORY_TURNS else 0
        for message in messages[first : max(len(messages) - 1, 0)]:
            if isinstance(message, HumanMessage):
                asked = message.text
            elif (
                isinstance(message, ToolMessage)
                and message.name == rules.DOCUMENTS_TOOL
                and not rules.is_error(message)
                and (found := self.ranking(asked, message).answering_text(neighbours=False))
            ):
                shown[message.tool_call_id] = passage_line(message, found[1], found[0])
        return shown

    def asks_for_facts(self, question: str) -> bool:
        """Whether ``question`` asks about something other than the assistant that a search can answer: the
        router (embeddings and cues, 128/128 on the routing set's small talk and tools) sends it to a tool."""
        if _ADDRESSES_ASSISTANT.search(question):
            return False
        intent = self.router.route(question, use_embeddings=self.routing == "layered").intent
        return intent in {rules.DOCUMENTS_TOOL, rules.WEB_TOOL} and intent in self.by_name

    def with_numbers_explained(self, question: str, call: Call) -> Call:
        """``call``, or the line written again with the conversation's numbers only when it used a number
        nothing explains (``22.50*36*3`` for a weekly pay), a unit constant in place of one the question
        gives (``1000/270`` for 270 km in 3 hours), or a number more often than the conversation writes it
        (``38*38`` for a round trip of 38 km; then with the constants its words explain, 2 for "round trip")
        (:meth:`TrainedCalls.calculator_call_over`)."""
        assert self.trained is not None
        if not rules.is_arithmetic(call.argument):
            return call
        used = rules.expression_values(call.argument)
        invented = used - rules.number_values(call.prompt)
        left_out = rules.number_values(question) - used
        repeated = rules.repeated_numbers(call.argument, call.prompt)
        if not (rules.unexplained_numbers(call.argument, call.prompt) or (invented and left_out) or repeated):
            return call
        written = rules.without_thousands_separators(call.prompt)  # "2,400" is one number
        numbers = set(rules.numbers_in(call.prompt)) | set(re.findall(rules.DECIMAL, written))  # and "22.50"
        # the constants the words call for may serve (2 for "round trip", 12 for a month and a year)
        explained = rules.explained_constants(question)
        numbers |= {rules.format_value(value) for value in explained}
        if re.search(r"%|\bper\s*cent|\bpercent", question, re.IGNORECASE):
            numbers |= {"1", "100"}  # "80*(1-25/100)"
        asked = rules.numbers_in(question)
        if repeated and len(asked) == 1:  # one number and a constant: the grammar of a look-up's calculation
            constants = [rules.format_value(value) for value in explained - invented]
            again = (
                self.trained.grounded_calculator_call(call.prompt, asked, constants) if constants else None
            )
        else:
            again = self.trained.calculator_call_over(call.prompt, numbers) if numbers else None
        if again is None or not rules.is_arithmetic(again.argument):
            again = call
        if rules.repeated_numbers(again.argument, call.prompt):
            # written again with the same repeat ("798/8*798" for 798 km in 8 hours): the line up to it
            shorter = rules.without_repeated_tail(again.argument, call.prompt)
            return replace(again, argument=shorter) if shorter else again
        return again

    def with_follow_ups_number(self, messages: Sequence[BaseMessage], question: str, call: Call) -> Call:
        """``call``, or for a follow-up that brings a number of its own the calculation leaves out ("per week,
        if a year has 52 weeks?" -> ``468*12``), the line written again under a grammar that combines the
        question's number with the previous result (``468/52``), when that combines them. So is a calculation
        that leaves out the previous result the follow-up refers to ("at that speed": ``5.5*5.5``).

        The same check and grammar as after a look-up (:meth:`compute_after_lookup`), the previous result in
        place of the passage."""
        assert self.trained is not None
        asked = rules.numbers_in(question)
        previous = rules.previous_calculator_result(messages)
        if not asked or previous is None or not rules.is_arithmetic(call.argument):
            return call
        refers_back = REFERENCE_WORDS.search(question) and Fraction(previous) not in rules.expression_values(
            call.argument
        )
        if rules.expression_values(call.argument) & rules.number_values(question) and not refers_back:
            # "0.25/10" for "How much would 10 of them cost then?" after a unit price: the total, as after a
            # look-up, unless the follow-up asks for a share or spreads the result over a period
            product = (
                None
                if SPREAD_CUES.search(question)
                else rules.figure_times_count(call.argument, question, previous)
            )
            return replace(call, argument=product) if product else call
        again = self.trained.grounded_calculator_call(call.prompt, asked, [previous])
        return again if again is not None and rules.combines(again.argument, question, previous) else call

    def after_lookup(self, messages: Sequence[BaseMessage]) -> Plan | None:
        """After a search of the documents, the calculation with the figure found: read without a model
        (:mod:`graphs.planning.looked_up`), else written by the adapter (:meth:`compute_after_lookup`); None
        when neither makes one. The search result is ranked once for both."""
        looked = self.looked_up(messages)
        if looked is None:
            return None
        question, result, argument = looked
        ranked = self.ranking(question, result) if own_amounts(question) is not None else None
        searched_for_seasons = season_searches(messages)
        if ranked is not None:
            sentences = sentences_of(ranked)
            season = unnamed_season(question, [sentence.text for sentence in sentences[:SENTENCES_READ]])
            if season is not None:
                found = self.dated_question(question, season, sentences, searched_for_seasons)
                if isinstance(found, Plan):
                    return found
                question = found or question
            if expression := looked_up_expression(question, sentences):
                return Plan(
                    "tool_call", LOOKED_UP_ROUTE, tool_name="calculator", tool_args={argument: expression}
                )
        if self.trained is None or searched_for_seasons:
            return None
        return self.compute_after_lookup(messages, looked, ranked)

    def dated_question(
        self, question: str, season: Season, sentences: Sequence[Sentence], searched: Sequence[ToolMessage]
    ) -> str | Plan | None:
        """``question`` with the season its date falls in ("... in mid July (peak)"), as the document of the
        prices defines its seasons (:func:`graphs.planning.seasons.dated`); else a second search for the
        definitions when none was made, or None.

        The definitions ("Peak: 1 April – 31 October") are rarely in the passages that hold the prices: of the
        five development look-ups that needed one, none was."""
        priced = [
            sentence for sentence in sentences[:SENTENCES_READ] if unnamed_season(question, [sentence.text])
        ]
        priced = priced or list(sentences[:SENTENCES_READ])
        definitions = [sentence.text for sentence in sentences]
        for result in (result for result in searched if not rules.is_error(result)):
            titles = rules.result_titles([result])
            definitions += [
                passage
                for number, passage in rules.result_passages([result]).items()
                # the dates of the prices' own document: another's seasons are not theirs
                if not titles.get(number)
                or any(sentence.context.startswith(titles[number]) for sentence in priced)
            ]
        if found := dated(question, season, definitions):
            return found
        return None if searched else self.documents_search(season_query(season))

    def documents_search(self, query: str) -> Plan | None:
        """The step searching the user's documents for ``query`` (a look-up's route), or None when no
        documents tool with a query argument is bound."""
        documents = self.by_name.get(rules.DOCUMENTS_TOOL)
        query_argument = documents and single_string_argument(documents, QUERY_ARGUMENTS)
        if not query_argument:
            return None
        return Plan(
            "tool_call", LOOKED_UP_ROUTE, tool_name=rules.DOCUMENTS_TOOL, tool_args={query_argument: query}
        )

    def compute_after_lookup(
        self,
        messages: Sequence[BaseMessage],
        looked: tuple[str, ToolMessage, str],
        ranked: extractive.Ranking | None,
    ) -> Plan | None:
        """A calculator call after a look-up in the user's documents, when the adapter writes one; else None.

        The adapter was trained on look-ups followed by a computation with the passage's figure and the
        question's numbers (``calculator(89*7)`` after "court hire costs 89 per hour" for "7 hours") and on
        look-ups that answer as they stand (``answer``). It is asked only when the turn's one tool step so far
        is a documents search that worked and the question holds a quantity of its own ("7 hours"): asking after
        every search added ~0.3 s to plain document questions. The call is made when it is arithmetic and every
        number is in the conversation (the question, earlier turns, the passage).
        """
        assert self.trained is not None
        question, result, argument = looked
        if not rules.numbers_in(question) and not ASKS_A_UNIT.search(question):
            return None  # a plain document question ("what is the late fee?"): no model call, the passage answers
        # what the adapter is shown: the sentence that answers (:meth:`ranking`), ranked once
        focused = (ranked or self.ranking(question, result)).answering_text(neighbours=False)
        if not rules.numbers_in(question):
            # unless it asks the figure in another unit ("for how many months?" of "26 years")
            return self.converted_after_lookup(question, focused, argument)
        shown = {result.tool_call_id: passage_line(result, focused[1], focused[0])} if focused else {}
        passage = focused[0] if focused else next(iter(rules.result_passages([result]).values()), "")
        if not extractive.names_what_is_asked(question, passage):
            return None  # the sentence found is about something else: quoted, never computed with
        written = self.trained.next_call(messages, argument_for=("calculator",), shown=shown)
        if written is None or written.tool != "calculator":
            return None
        if not (
            rules.is_arithmetic(written.argument) and rules.combines(written.argument, question, passage)
        ):
            # "3*3" for 3 nozzles of 400 hours each: the line is written again, one number of the question
            # with one of the passage
            asked, found = rules.numbers_in(question), rules.numbers_in(passage)
            again = self.trained.grounded_calculator_call(written.prompt, asked, found)
            if again is None or not rules.combines(again.argument, question, passage):
                return None
            written = again
        if product := rules.figure_times_count(written.argument, question, passage):
            written = replace(written, argument=product)
        if not computes_with_a_price(written.argument, question, passage):
            return None  # "36000*2009" for a removal's price: the passage is quoted, not a guess computed
        return grounded_expression_call(with_signed_percentages(written, question), argument)

    def looked_up(self, messages: Sequence[BaseMessage]) -> tuple[str, ToolMessage, str] | None:
        """The question, its documents search's result and the calculator's argument name, when the turn's one
        tool step so far is a documents search that worked, a first draft, with a calculator bound; else None."""
        calculator = self.by_name.get("calculator")
        argument = calculator and single_string_argument(calculator, ("expression",))
        turn = [
            (call, result) for call, result in rules.turn_tool_results(messages) if not is_season_search(call)
        ]
        if not argument or rules.revision_attempt(messages) or len(turn) != 1:
            return None
        call, result = turn[0]
        if call.get("name") != rules.DOCUMENTS_TOOL or rules.is_error(result):
            return None
        question = carried_on_lookup(rules.conversation_of_turn(messages)) or rules.question_of_turn(messages)
        return question, result, argument

    def ranking(self, question: str, result: ToolMessage) -> extractive.Ranking:
        """The sentences of a search result ranked for ``question``.

        What the adapter is shown of it is the best sentence, the one the answer would quote: training
        results are a sentence or three (:mod:`agent.training.routing`); a real passage is a chunk of a
        document with many figures, and the first passage is not always the one that answers. Shown a whole
        chunk, the adapter multiplied by the wrong figure ("31 metres" for the staircase's steps)."""
        return extractive.ranking(
            question, rules.result_passages([result]), self.similarity, titles=rules.result_titles([result])
        )

    def case_changed_after_lookup(self, messages: Sequence[BaseMessage]) -> str | None:
        """The previous turn's calculation with a figure of its search, asked again for the case a follow-up
        names instead ("and on a Saturday instead?": the weekend price), or None
        (:func:`graphs.planning.looked_up.case_changed`)."""
        previous = previous_lookup(messages)
        if previous is None:
            return None
        question, result, computed = previous
        again = case_changed(question, messages[-1].text)
        if not computed or again is None:
            return None
        return looked_up_expression(again, sentences_of(self.ranking(again, result)))

    def search_again(self, messages: Sequence[BaseMessage], question: str) -> Plan | None:
        """A search of the documents for a follow-up that changes or adds to a price question they answered
        ("what if we add priority support?", "and if we went on the weekend instead?"), with the two asked
        together (:func:`graphs.planning.price_cases.carried_on`); None for any other question.

        Such a follow-up needs figures the last search may not hold, and the arithmetic on the previous
        result alone cannot add them ("16*4" for the weekend price of four). The step after the search reads
        the pair as one question (:meth:`looked_up`)."""
        again = carried_on_lookup(messages)
        return None if again is None else self.documents_search(rules.search_query(again))

    def converted_after_lookup(
        self, question: str, focused: tuple[str, str] | None, argument: str
    ) -> Plan | None:
        """A calculator call converting the figure the answering sentence (``focused``) gives to the unit a
        question asking "how many ..." asks (:func:`graphs.planning.conversions.looked_up_conversion`), or
        None."""
        passage = focused[0] if focused else ""
        expression = looked_up_conversion(question, passage)
        if expression is None or not extractive.names_what_is_asked(question, passage):
            return None
        return Plan("tool_call", CONVERSION_ROUTE, tool_name="calculator", tool_args={argument: expression})

    def runner_up(
        self,
        messages: Sequence[BaseMessage],
        question: str,
        tried: str,
        decision: rules.Decision,
        spent: Spent,
    ) -> Plan | None:
        """The next intent by the router's scores when the chosen tool's call cannot be made (the calculator
        for a question without numbers: "how many items can I borrow?" is a lookup, not arithmetic)."""
        scores = decision.scores or {}
        for intent in sorted(rules.INTENTS, key=lambda name: -scores.get(name, float("-inf"))):
            if intent == tried or intent not in scores:
                continue
            if intent == rules.ANSWER:
                return self.small_talk(messages, question, f"{decision.reason}:runner_up")
            if intent in self.by_name:
                runner_up = rules.Decision(intent, f"{decision.reason}:runner_up", decision.expression)
                step = self.call(question, self.by_name[intent], runner_up, spent)
                if step is not None:
                    return step
        return None

    def first_feasible(
        self,
        messages: Sequence[BaseMessage],
        question: str,
        ranked: list[str],
        decision: rules.Decision,
        spent: Spent,
    ) -> Plan:
        """The model's best-ranked option whose call can be made (valid, grounded arguments)."""
        for name in ranked[:3]:
            if name == ANSWER_OPTION:
                return self.small_talk(messages, question, "model")
            step = self.call(
                question, self.by_name[name], rules.Decision(None, "model", decision.expression), spent
            )
            if step is not None:
                step.usage = (spent.prompt, spent.completion)
                return step
        return Plan("generate", "model:no_valid_arguments")

    def small_talk(self, messages: Sequence[BaseMessage], question: str, route: str) -> Plan:
        """A reply without tools: the few-shot transcript, the latest exchanges, the question."""
        earlier = [
            turn
            for turn in messages_to_turns(messages[:-1])
            if turn.role in {"user", "assistant"} and not turn.calls and turn.text.strip()
        ]
        history: list[str] = []
        used = 0
        for turn in reversed(earlier):
            line = f"{PLAIN_ROLE_LABELS[turn.role]}: {' '.join(turn.text.split())}\n"
            used += self.model.count_tokens(line)
            if used > SMALL_TALK_HISTORY_TOKENS:
                break
            history.insert(0, line)
        prompt = SMALL_TALK_PROMPT.format(history="".join(history), question=" ".join(question.split()))
        return Plan("generate", route, prompt=prompt, stop=["\n\n"])

    def call(
        self, question: str, tool: dict[str, Any], decision: rules.Decision, spent: Spent
    ) -> Plan | None:
        """A call of ``tool`` for ``question``: arguments from rules when the schema allows, else decoded."""
        name = tool_name(tool)
        route = decision.reason
        if self.routing == "model":
            args = self.model.tool_arguments(question, tool, spent)
            return None if args is None else Plan("tool_call", route, tool_name=name, tool_args=args)
        if argument := single_string_argument(tool, ("expression",)):
            expression = decision.expression or self.expression_with_model(question, spent)
            if not expression or not rules.grounded_in(expression, question):
                return None  # numbers the question does not contain would be invented
            return Plan("tool_call", route, tool_name=name, tool_args={argument: expression})
        if argument := single_string_argument(tool, QUERY_ARGUMENTS):
            return Plan(
                "tool_call", route, tool_name=name, tool_args={argument: rules.search_query(question)}
            )
        args = self.model.tool_arguments(question, tool, spent)
        if args is None:
            return None
        return Plan("tool_call", f"{route}+grammar", tool_name=name, tool_args=args)

    def expression_with_model(self, question: str, spent: Spent) -> str | None:
        """An arithmetic expression for a word problem, written by the model after a few examples."""
        prompt = EXPRESSION_PROMPT.format(question=question.strip())
        completion = self.model.complete_grammar(prompt, EXPRESSION_GBNF, max_tokens=24, repeat_penalty=1.0)
        spent.add(completion)
        found = rules.words_to_expression(completion.text.strip())
        return found.expression if found else None

    def plan_answer(self, messages: Sequence[BaseMessage], results: list[tuple[dict, ToolMessage]]) -> Plan:
        """The answer after tool results: quoted sentences, then the sentence of a passage that answers.

        Tool failures and calculator results are sentences written without the model (``split_results``).
        From passages, the answer quotes the sentence that answers the question, with its [n]
        (:mod:`graphs.planning.extractive`: MiniLM closeness plus the question's words); a draft sent back for
        revision quotes the next-best one. Only when no passage holds a sentence does the model write one,
        after "According to [n]," for the passage closest in meaning to the question.
        """
        turn = rules.turn_tool_results(messages) or results
        if any(is_season_search(call) for call, _ in turn):
            # the season's dates chose a price; the answer is the price's passage, cited
            turn = [(call, result) for call, result in turn if not is_season_search(call)]
            kept = [(call, result) for call, result in results if not is_season_search(call)]
            results = kept or [pair for pair in turn if pair[0].get("name") == rules.DOCUMENTS_TOOL][-1:]
        earlier = turn[: len(turn) - len(results)] if turn[len(turn) - len(results) :] == results else []
        failed: list[tuple[dict, ToolMessage]] = []
        if any(rules.is_fallback_search(call, earlier) for call, _ in results):
            # the documents were searched only because the web could not be: say what failed on the web,
            # and leave out a documents search that could not run either (no documents at all)
            results = [(call, result) for call, result in results if not rules.is_error(result)]
            failed = [(call, result) for call, result in earlier if rules.is_error(result)]
        prefer = None
        if not failed and rules.computed_after_lookup(turn):
            results = turn  # the calculation and the passage it took its figure from, cited
            prefer = quoting_a_figure_of(turn[-1][0])
        sentences, for_model = rules.split_results(results)
        if not for_model:
            return Plan("text", "template", text=" ".join([*rules.split_results(failed)[0], *sentences]))
        quoted = " ".join(sentences)
        question = rules.question_of_turn(messages)
        similarity = self.router.similarities if self.routing == "layered" else None
        answer = extractive.extractive_answer(
            question,
            rules.result_passages(for_model),
            similarity,
            attempt=rules.revision_attempt(messages),
            titles=rules.result_titles(for_model),
            prefer=prefer,
        )
        if answer:
            notes = " ".join(rules.failure_note(call, result) for call, result in failed)
            lead = f"{quoted} " if quoted else ""
            text = f"{notes} {lead}Your documents say: {answer}" if notes else f"{lead}{answer}"
            return Plan("text", "extractive", text=text)
        sources = "\n\n".join(result.text.strip() for result in for_model)
        if len(sources) > MAX_RESULT_CHARS:
            sources = sources[:MAX_RESULT_CHARS].rsplit(" ", 1)[0] + " …"
        prompt = RESULT_ANSWER_PROMPT.format(results=sources, question=question.strip())
        numbers = rules.source_numbers(sources) or ["1"]
        ranked = numbers
        if len(numbers) > 1:
            by_meaning = None
            if self.routing == "layered":
                by_meaning = self.router.ranked(question, rules.source_passages(sources))
            if by_meaning is None:
                scores = self.model.score_options(prompt, [f"{n}]," for n in numbers])
                by_meaning = [numbers[i] for i in sorted(range(len(numbers)), key=lambda i: -scores[i])]
            ranked = by_meaning
        # A draft sent back for revision is followed by the request: answer from the next passage.
        number = ranked[rules.revision_attempt(messages) % len(ranked)]
        passage = rules.source_passages(sources).get(number)
        if passage:  # only the cited source: a shorter prompt, and nothing else to mix into the answer
            prompt = RESULT_ANSWER_PROMPT.format(results=f"[{number}] {passage}", question=question.strip())
        lead = f"{quoted} " if quoted else ""
        return Plan(
            "generate",
            "tool_results",
            prompt=f"{prompt}{number}],",
            prefix=f"{lead}According to [{number}],",
            stop=["\n"],
        )


_ADDRESSES_ASSISTANT = re.compile(r"\b(?:you|your|yours|yourself|u|ur)\b", re.I)
"""Small talk speaks to the assistant ("Who made you?", "Do you like music?")."""


def with_signed_percentages(call: Call, question: str) -> Call:
    """``call`` with each percentage added or taken off as ``question`` says (a tip added, a discount taken
    off: :mod:`graphs.planning.percent_direction`); the adapter often wrote the other sign."""
    fixed = with_change_applied(call.argument, question, call.prompt) or percent_direction_fixed(
        call.argument, question, call.prompt
    )
    if fixed is None and (applied := bare_percentage_applied(call.argument, question, call.prompt)):
        fixed = percent_direction_fixed(applied, question, call.prompt) or applied  # "+8/100": 8% of what?
    return replace(call, argument=fixed) if fixed else call


def quoting_a_figure_of(calculation: dict[str, Any]) -> Callable[[str], bool]:
    """Whether a sentence gives a price or rate the ``calculation`` (a calculator call) used: the one to cite
    for it ("Double (sea view): Off-peak: £112; Peak: £138" for ``138*3``, not the document's welcome line)."""
    expression = str(next(iter(calculation.get("args", {}).values()), ""))
    used = rules.expression_values(_PERCENT_CHANGE.sub(" ", expression))  # "(1-15/100)": a discount's
    return lambda text: bool(used & priced_figures(text))


_PERCENT_CHANGE = re.compile(r"\(\s*1\s*[-+]\s*[\d.]+\s*/\s*100\s*\)")


def is_season_search(call: dict[str, Any]) -> bool:
    """Whether ``call`` is a search for a document's season dates (:func:`graphs.planning.seasons.season_query`)."""
    query = next(iter(call.get("args", {}).values()), "")
    return (
        call.get("name") == rules.DOCUMENTS_TOOL
        and isinstance(query, str)
        and bool(SEASON_QUERY.match(query))
    )


def season_searches(messages: Sequence[BaseMessage]) -> list[ToolMessage]:
    """The results of the turn's searches for season dates, failed ones too."""
    return [result for call, result in rules.turn_tool_results(messages) if is_season_search(call)]


def both_ways(expression: str | None, question: str) -> str | None:
    """``expression`` with its distance doubled where the question travels the way there and back
    (:func:`graphs.planning.trips.round_trip_doubled`)."""
    return expression and (round_trip_doubled(expression, question) or expression)


def previous_lookup(messages: Sequence[BaseMessage]) -> tuple[str, ToolMessage, bool] | None:
    """The previous turn's question, its one documents search that worked, and whether it then computed, when
    ``messages`` end with a new question after such a turn; else None."""
    previous = rules.previous_turn(messages)
    if previous is None:
        return None
    question, turn = previous
    results = [message for message in turn if isinstance(message, ToolMessage)]
    searched = [
        message for message in results if message.name == rules.DOCUMENTS_TOOL and not rules.is_error(message)
    ]
    if len(searched) != 1:
        return None
    return question, searched[0], any(message.name == "calculator" for message in results)


def carried_on_lookup(messages: Sequence[BaseMessage]) -> str | None:
    """The previous price question that the documents answered, asked again with what the new question, a short
    follow-up, changes or adds (:func:`graphs.planning.price_cases.carried_on`); else None."""
    previous = previous_lookup(messages)
    if previous is None or not asks_a_price(previous[0]):
        return None
    return carried_on(previous[0], messages[-1].text)


def grounded_expression_call(call: Call, argument: str) -> Plan | None:
    """The step calling ``call``'s tool with its expression as ``argument``, or None when the expression is not
    arithmetic ("calculator(F7)") or uses numbers the conversation it continued does not hold."""
    if not rules.is_arithmetic(call.argument) or not rules.grounded_in(call.argument, call.prompt):
        return None
    return Plan("tool_call", TRAINED_ROUTE, tool_name=call.tool, tool_args={argument: call.argument})


def local_planner(
    model: BaseChatModel, tools: Sequence[BaseTool], *, adapter: bool = True
) -> LocalPlanner | None:
    """The ``PlannerFactory`` of the local profile: its planner for the embedded model (with the trained
    adapter when ``adapter`` and the model is the packaged one), None for any other model (the rules use the
    embedded model's likelihood scoring and grammar decoding)."""
    if not isinstance(model, ChatLocalLlama):
        return None
    return LocalPlanner(model, tools, trained=trained_calls_for(model) if adapter else None)
