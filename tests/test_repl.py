"""``agent chat``: slash commands, completion and streamed turns in-process with a scripted model; the
whole chat on a pseudo-terminal against a local OpenAI-compatible server."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import HumanMessage, ToolMessage
from langchain_core.tools import StructuredTool
from langgraph.checkpoint.memory import InMemorySaver
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from rich.console import Console

from agent.chat.commands import CommandError, ExitChat, first_sentence, run_command, slash_completer
from agent.chat.render import tool_panel
from agent.chat.repl_session import ChatSession
from agent.chat.session import thread_config
from agent.chat.turn import TurnView, run_turn
from agent.settings import Settings
from tests.fakes import ScriptedChatModel, call, tool_calls
from tests.openai_server import fake_openai_server, reply, status
from tests.repl_pty import ESC_ENTER, UP, Chat
from tools.calculator import calculator

ACCEPT = {"verdict": "accept", "feedback": "supported by the tool"}


def lookup_docs(query: str) -> tuple[str, list[dict[str, Any]]]:
    """Search the user's documents."""
    return f"[1] passage about {query}", [{"n": 1, "title": "Handbook", "url": "docs/handbook.md"}]


DOCS = StructuredTool.from_function(
    lookup_docs, name="search_documents", response_format="content_and_artifact"
)


def chat_session(model: ScriptedChatModel, home: Path, **settings: Any) -> ChatSession:
    values: dict[str, Any] = {"home": home, "search": "off", "reflection": "off", **settings}
    return ChatSession(
        settings=Settings(_env_file=None, **values),
        saver=InMemorySaver(),
        model=model,
        model_spec="scripted",
        tools=[calculator, DOCS],
    )


def recorder() -> Console:
    return Console(record=True, width=100, force_terminal=False, color_system=None)


def ask(session: ChatSession, console: Console, question: str, approve: Any = None) -> Any:
    return run_turn(
        session.graph,
        session.thread_id,
        {"messages": [HumanMessage(question)]},
        TurnView(console),
        approve or (lambda request: pytest.fail(f"unexpected approval request {request}")),
        session.assistant.context,
    )


# ---------------------------------------------------------------------------------------- streamed turns


class RecordingView(TurnView):
    """A view that also keeps the tokens it was given."""

    def __init__(self, console: Console) -> None:
        super().__init__(console)
        self.tokens: list[str] = []

    def token(self, text: str) -> None:
        self.tokens.append(text)
        super().token(text)


def test_a_turn_streams_tokens_and_shows_tool_panels_verdicts_and_sources(isolated_environment: Path) -> None:
    model = ScriptedChatModel(
        script=[
            tool_calls(call("calculator", expression="12*12"), call("search_documents", query="leave")),
            "12 × 12 = 144, see [1].",
        ],
        critiques=[ACCEPT],
    )
    session = chat_session(model, isolated_environment, reflection="always")
    console = recorder()
    view = RecordingView(console)
    result = run_turn(
        session.graph,
        session.thread_id,
        {"messages": [HumanMessage("12*12? and leave policy")]},
        view,
        lambda request: pytest.fail("no approval expected"),
    )
    assert view.tokens == ["12", " ×", " 12", " =", " 144,", " see", " [1]."]  # the critic's are not shown
    assert result.answer == "12 × 12 = 144, see [1]."
    text = console.export_text()
    assert re.search(r"⚙ calculator.*\n.*\{\"expression\": \"12\*12\"\}.*\n.*→ 144", text)
    assert re.search(
        r"⚙ search_documents.*\n.*\{\"query\": \"leave\"\}.*\n.*→ \[1\] passage about leave", text
    )
    assert "reflection: accept — supported by the tool" in text
    assert text.index("reflection: accept") < text.index("12 × 12 = 144, see [1].")
    assert "[1] Handbook docs/handbook.md" in text.split("Sources")[1]


def test_a_failing_tool_call_is_shown_in_red_with_its_error(isolated_environment: Path) -> None:
    model = ScriptedChatModel(
        script=[tool_calls(call("calculator", expression="1/0")), "Cannot divide by zero."]
    )
    session = chat_session(model, isolated_environment)
    console = recorder()
    view = TurnView(console)
    printed: list[Any] = []
    view.print = printed.append  # type: ignore[method-assign]
    run_turn(session.graph, session.thread_id, {"messages": [HumanMessage("1/0?")]}, view, print)
    [panel] = printed
    assert panel.border_style == "red" and panel.title.plain == "⚙ calculator"
    assert panel.renderable.plain.startswith('{"expression": "1/0"}\n→ Error:')
    assert tool_panel("calculator", {}, "4").border_style == "green"


def test_a_revised_draft_is_withdrawn_and_the_verdicts_are_shown(isolated_environment: Path) -> None:
    model = ScriptedChatModel(
        script=["It is 150.", "It is 144."],
        critiques=[
            {"verdict": "revise", "feedback": "use the calculator"},
            ACCEPT,
        ],
    )
    session = chat_session(model, isolated_environment, reflection="always")
    console = recorder()
    result = ask(session, console, "Is 12*12 150 or 144?")  # numbers the checks can trace: the critic decides
    text = console.export_text()
    assert result.answer == "It is 144."
    assert "reflection: revise — use the calculator" in text
    assert "It is 150." not in text  # the withdrawn draft was only ever in the live region
    assert text.rstrip().endswith("It is 144.")


def test_approval_is_asked_and_an_edit_runs_with_the_new_arguments(isolated_environment: Path) -> None:
    model = ScriptedChatModel(script=[tool_calls(call("calculator", expression="2+2")), "Six."])
    session = chat_session(model, isolated_environment, approve_tools=["calculator"])
    asked: list[dict[str, Any]] = []

    def decide(request: dict[str, Any]) -> Any:
        asked.append(request)
        return {"action": "edit", "args": {"expression": "3+3"}}

    result = ask(session, recorder(), "add", approve=decide)
    assert [(r["type"], r["tool_call"]["name"], r["tool_call"]["args"]) for r in asked] == [
        ("tool_approval", "calculator", {"expression": "2+2"})
    ]
    messages = session.graph.get_state(thread_config(session.thread_id)).values["messages"]
    [answer] = [m for m in messages if isinstance(m, ToolMessage)]
    assert answer.content == "6"
    assert result.answer == "Six."


# ------------------------------------------------------------------------------------------ commands


def run(session: ChatSession, line: str) -> str:
    console = recorder()
    run_command(line, session, console)
    return console.export_text()


def test_new_threads_switch_and_history(isolated_environment: Path) -> None:
    model = ScriptedChatModel(script=["Hello Ada.", "Hi Bob.", "You are Ada."])
    session = chat_session(model, isolated_environment)
    first = session.thread_id
    ask(session, recorder(), "I am Ada.")
    assert run(session, "/new").split() == ["new", "thread", session.thread_id]
    second = session.thread_id
    assert second != first
    ask(session, recorder(), "I am Bob.")
    listing = run(session, "/threads")
    rows = [line.split() for line in listing.splitlines() if first in line or second in line]
    assert [row[:2] for row in rows] == [["●", second], [first, "I"]]
    assert "I am Ada." in listing and "I am Bob." in listing
    shown = run(session, f"/switch {first[:5]}")
    assert session.thread_id == first
    assert f"switched to thread {first} (2 messages)" in shown
    assert "you> I am Ada." in shown and "Hello Ada." in shown
    assert ask(session, recorder(), "Who am I?").answer == "You are Ada."
    assert [m.content for m in model.prompts[-1] if isinstance(m, HumanMessage)] == ["I am Ada.", "Who am I?"]
    history = run(session, "/history").splitlines()
    assert [line.strip() for line in history if line.strip()] == [
        "you> I am Ada.",
        "Hello Ada.",
        "you> Who am I?",
        "You are Ada.",
    ]


def test_switch_to_an_unknown_thread_is_an_error_and_keeps_the_thread(isolated_environment: Path) -> None:
    session = chat_session(ScriptedChatModel(), isolated_environment)
    before = session.thread_id
    with pytest.raises(LookupError, match="no thread 'nope'"):
        run(session, "/switch nope")
    with pytest.raises(CommandError, match="usage: /switch ID"):
        run(session, "/switch")
    assert session.thread_id == before


def test_reflection_model_tools_help_and_exit(isolated_environment: Path) -> None:
    session = chat_session(ScriptedChatModel(), isolated_environment, approve_tools=["calculator"])
    graph_before = session.graph
    assert run(session, "/reflection").strip() == "reflection: off"
    assert run(session, "/reflection always").strip() == "reflection always"
    assert session.settings.reflection == "always" and session.assistant.context.reflection == "always"
    assert session.graph is graph_before  # the next run carries the mode; nothing is recompiled
    with pytest.raises(CommandError, match=r"usage: /reflection auto\|always\|off"):
        run(session, "/reflection sometimes")
    assert run(session, "/model").splitlines()[0] == "model: scripted"
    tools = " ".join(run(session, "/tools").split())
    assert tools == (
        f"calculator {first_sentence(calculator.description)} (asks for approval) "
        "search_documents Search the user's documents."
    )
    assert first_sentence("Cite them as [n].  Second\n sentence.") == "Cite them as [n]."
    help_text = run(session, "/help")
    for name in ("/new", "/threads", "/switch ID", "/history", "/model [SPEC]", "/ingest PATH", "/kb QUERY"):
        assert name in help_text
    with pytest.raises(ExitChat):
        run(session, "/exit")
    with pytest.raises(CommandError, match="unknown command /frobnicate"):
        run(session, "/frobnicate")


def test_model_switch_keeps_the_thread_and_the_graph_and_a_bad_spec_keeps_the_model(
    isolated_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = chat_session(ScriptedChatModel(script=["one", "three"]), isolated_environment)
    graph = session.graph
    ask(session, recorder(), "first")
    with pytest.raises(ValueError, match="unknown model provider"):
        run(session, "/model mystery:thing")
    assert session.model_spec == "scripted"
    other = ScriptedChatModel(script=["two"])  # what /model would load, without a network model
    monkeypatch.setattr("agent.models.loading.load_model", lambda spec, settings: other)
    run(session, "/model openai:other")
    assert ask(session, recorder(), "second").answer == "two"
    run(session, "/model scripted")  # back to the model the graph was compiled with
    assert ask(session, recorder(), "third").answer == "three"
    assert session.graph is graph  # switching models compiles nothing
    messages = session.graph.get_state(thread_config(session.thread_id)).values["messages"]
    assert [m.text for m in messages] == ["first", "one", "second", "two", "third", "three"]


def test_ingest_of_a_missing_path_says_so_without_opening_the_store(isolated_environment: Path) -> None:
    session = chat_session(ScriptedChatModel(), isolated_environment)
    with pytest.raises(CommandError, match=r"no such file or directory: /no/such/file\.md"):
        run(session, "/ingest /no/such/file.md")
    assert not (isolated_environment / "kb").exists()


def completions(text: str, ids: list[str] | None = None) -> list[str]:
    completer = slash_completer(lambda: ids or [])
    return [
        c.text for c in completer.get_completions(Document(text), CompleteEvent(completion_requested=True))
    ]


def test_tab_completion_of_commands_and_their_arguments(tmp_path: Path) -> None:
    assert completions("/h") == ["/help", "/history"]
    assert completions("/re") == ["/reflection"]
    assert completions("/reflection a") == ["auto", "always"]
    assert completions("/switch ab", ["abc123", "abd456", "zzz999"]) == ["abc123", "abd456"]
    (tmp_path / "notes.md").write_text("x")
    assert completions(f"/ingest {tmp_path}/no") == ["tes.md"]
    assert completions("what is") == []


# ---------------------------------------------------------------------------- the chat on a terminal


@pytest.fixture
def chat_env(isolated_environment: Path) -> dict[str, str]:
    return {
        "AGENT_HOME": str(isolated_environment),
        "AGENT_SEARCH": "off",
        "AGENT_REFLECTION": "off",
        "AGENT_MODEL": "openai:test-model",
        "OPENAI_API_KEY": "sk-test-secret",
    }


@pytest.fixture
def chats() -> Iterator[list[Chat]]:
    started: list[Chat] = []
    yield started
    for chat in started:
        chat.close()


def start(chats: list[Chat], env: dict[str, str], url: str, *args: str) -> Chat:
    chat = Chat({**env, "AGENT_BASE_URL": url}, *args)
    chats.append(chat)
    return chat


def user_messages(request: dict[str, Any]) -> list[str]:
    return [m["content"] for m in request["messages"] if m["role"] == "user"]


@pytest.mark.slow
def test_chat_answers_with_a_streamed_answer_and_a_tool_panel(
    chat_env: dict[str, str], chats: list[Chat]
) -> None:
    script = [
        reply(tool_calls=[("calculator", {"expression": "12*12"})]),
        reply("Twelve times twelve is **144** indeed, friend.", delay=0.15),
        reply("Two lines received."),
    ]
    with fake_openai_server(script) as server:
        chat = start(chats, chat_env, server.url)
        banner = chat.prompt()
        assert "model openai:test-model" in banner and "/help" in banner
        chat.send_line("What is 12 times 12?")
        turn = chat.wait_for("friend.")
        assert re.search(r"⚙ calculator.*\n.*\{\"expression\": \"12\*12\"\}.*\n.*→ 144", turn)
        # Streaming: the raw draft was on screen a few words at a time, before the whole answer.
        assert re.search(r"Twelve times twelve(?! is \*\*144\*\* indeed, friend\.)", turn)
        chat.wait_for("Twelve times twelve is 144 indeed, friend.")  # then rendered as Markdown
        chat.prompt()
        # Multi-line input: a trailing backslash and Esc-Enter both start a new line; Enter sends.
        chat.send("first line\\\r")
        chat.send("second line" + ESC_ENTER + "third line\r")
        chat.wait_for("Two lines received.")
        chat.prompt()
        chat.send_line("/exit")
        assert chat.finish() == 0
    assert user_messages(server.requests[2]) == [
        "What is 12 times 12?",
        "first line\nsecond line\nthird line",
    ]
    assert server.requests[1]["stream"] is True
    assert "thread " in chat.output.split("/exit")[-1] and "agent chat --thread" in chat.output


@pytest.mark.slow
def test_ctrl_c_stops_the_answer_and_the_thread_goes_on(chat_env: dict[str, str], chats: list[Chat]) -> None:
    slow = " ".join(f"word{n}" for n in range(40))
    with fake_openai_server([reply(slow, delay=0.25), reply("Still here.")]) as server:
        chat = start(chats, chat_env, server.url)
        chat.prompt()
        chat.send_line("Tell me a long story.")
        chat.wait_for("word2")
        stopped_at = time.monotonic()
        chat.interrupt()
        chat.wait_for("(stopped)", timeout=5)
        assert time.monotonic() - stopped_at < 3  # not after the 10 s the whole answer would take
        chat.prompt()
        chat.send_line("Are you there?")
        chat.wait_for("Still here.")
        chat.prompt()
        # Ctrl-C at an empty prompt says how to leave; Ctrl-D leaves.
        chat.interrupt()
        chat.wait_for("to leave, press Ctrl-D or type /exit")
        chat.prompt()
        chat.send("\x04")
        assert chat.finish() == 0
    sent = [(m["role"], m["content"]) for m in server.requests[1]["messages"][1:]]
    # The stopped answer stays in the thread for people, never in what the model reads as its own words.
    assert sent == [("user", "Tell me a long story."), ("user", "Are you there?")]


@pytest.mark.slow
def test_threads_new_and_switch(chat_env: dict[str, str], chats: list[Chat]) -> None:
    script = [reply("Hello Ada."), reply("Hello Bob."), reply("You are Ada.")]
    with fake_openai_server(script) as server:
        chat = start(chats, chat_env, server.url)
        banner = chat.prompt()
        first = re.search(r"thread ([0-9a-f]{12})", banner)
        assert first is not None
        chat.send_line("I am Ada.")
        chat.wait_for("Hello Ada.")
        chat.prompt()
        chat.send_line("/new")
        chat.wait_for("new thread ")
        second = re.match(r"[0-9a-f]{12}", chat.prompt())
        assert second is not None and second.group(0) != first.group(1)
        chat.send_line("I am Bob.")
        chat.wait_for("Hello Bob.")
        chat.prompt()
        chat.send_line("/threads")
        listing = chat.wait_for("I am Ada.")
        assert re.search(rf"●\s+{second.group(0)}\s+I am Bob\.\s+2\s", listing)
        chat.prompt()
        chat.send_line(f"/switch {first.group(1)[:6]}")
        chat.wait_for(f"switched to thread {first.group(1)}")
        chat.prompt()
        chat.send_line("Who am I?")
        chat.wait_for("You are Ada.")
        chat.prompt()
        chat.send_line("/exit")
        assert chat.finish() == 0
    assert user_messages(server.requests[2]) == ["I am Ada.", "Who am I?"]


@pytest.mark.slow
def test_history_and_the_thread_carry_over_to_the_next_session(
    chat_env: dict[str, str], chats: list[Chat]
) -> None:
    with fake_openai_server([reply("Noted: blue."), reply("Blue, as you said.")]) as server:
        chat = start(chats, chat_env, server.url)
        chat.prompt()
        chat.send_line("My favourite colour is blue.")
        chat.wait_for("Noted: blue.")
        chat.prompt()
        chat.send_line("/exit")
        chat.finish()
        again = start(chats, chat_env, server.url, "--continue")
        banner = again.prompt()
        assert "continuing a thread of 2 messages" in banner
        again.send(UP + UP)  # the newest entry is /exit, the one before the question
        again.wait_for("My favourite colour is blue.")
        again.send("\r")
        again.wait_for("Blue, as you said.")
        again.prompt()
        again.send_line("/exit")
        assert again.finish() == 0
    assert user_messages(server.requests[1]) == ["My favourite colour is blue."] * 2


@pytest.mark.slow
def test_tool_calls_wait_for_approval(chat_env: dict[str, str], chats: list[Chat]) -> None:
    script = [
        reply(tool_calls=[("calculator", {"expression": "2+2"})]),
        reply("It is 4."),
        reply(tool_calls=[("calculator", {"expression": "2+2"})]),
        reply("It is 6."),
        reply(tool_calls=[("calculator", {"expression": "2+2"})]),
        reply("Not computed."),
    ]
    env = {**chat_env, "AGENT_APPROVE_TOOLS": "calculator"}
    with fake_openai_server(script) as server:
        chat = start(chats, env, server.url)
        chat.prompt()
        chat.send_line("approve this")
        chat.wait_for("run calculator?")
        chat.wait_for("approve? [y]es / [n]o / [e]dit:")
        chat.send_line("y")
        chat.wait_for("It is 4.")
        chat.prompt()
        chat.send_line("edit this")
        chat.wait_for("approve? [y]es / [n]o / [e]dit:")
        chat.send_line("e")
        chat.wait_for("new arguments (JSON):")
        chat.send("\x15" + '{"expression": "3+3"}\r')  # Ctrl-U clears the suggested arguments
        chat.wait_for("It is 6.")
        chat.prompt()
        chat.send_line("reject this")
        chat.wait_for("approve? [y]es / [n]o / [e]dit:")
        chat.send_line("n")
        chat.wait_for("why not? (optional):")
        chat.send_line("not now")
        chat.wait_for("Not computed.")
        chat.prompt()
        chat.send_line("/exit")
        assert chat.finish() == 0
    tool_results = [server.requests[i]["messages"][-1] for i in (1, 3, 5)]
    assert [(m["role"], m["content"]) for m in tool_results[:2]] == [("tool", "4"), ("tool", "6")]
    assert tool_results[2]["role"] == "tool" and "rejected" in tool_results[2]["content"]
    assert "not now" in tool_results[2]["content"]


@pytest.mark.slow
def test_errors_are_one_line_and_the_chat_goes_on(chat_env: dict[str, str], chats: list[Chat]) -> None:
    with fake_openai_server(
        [status(401, "Incorrect API key provided: sk-test-secret"), reply("Back.")]
    ) as server:
        chat = start(chats, chat_env, server.url)
        chat.prompt()
        chat.send_line("hello")
        line = chat.wait_for("OPENAI_API_KEY")
        assert "error:" in line and "rejected the API key" in line
        chat.prompt()
        chat.send_line("/ingest /no/such/file.md")
        chat.wait_for("error: no such file or directory: /no/such/file.md")
        chat.prompt()
        chat.send_line("hello again")
        chat.wait_for("Back.")
        chat.prompt()
        chat.send_line("/exit")
        assert chat.finish() == 0
    assert "Traceback" not in chat.output
    assert "sk-test-secret" not in chat.output
    assert user_messages(server.requests[1]) == ["hello", "hello again"]
    sent = json.dumps(server.requests[1])
    assert "(this turn failed: " not in sent  # kept for people, never shown to the model as its words
    assert "sk-test-secret" not in sent


# ------------------------------------------------------------------------- the loop, in-process


@pytest.fixture
def keyboard() -> Iterator[Any]:
    """Keys typed at the chat's prompts (prompt_toolkit reads them from a pipe; output goes nowhere)."""
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        yield pipe


def repl(session: ChatSession, console: Console) -> Any:
    from agent.chat.repl import Chat

    return Chat(session, console=console, err_console=console)


def test_a_turn_left_at_an_approval_is_finished_before_the_next_question(
    isolated_environment: Path, keyboard: Any
) -> None:
    model = ScriptedChatModel(script=[tool_calls(call("calculator", expression="2+2")), "Four.", "Next."])
    session = chat_session(model, isolated_environment, approve_tools=["calculator"])
    config = thread_config(session.thread_id)
    session.graph.invoke({"messages": [HumanMessage("2+2?")]}, config)  # the chat was left at the question
    assert session.graph.get_state(config).next == ("approval",)
    console = recorder()
    keyboard.send_text("maybe\r")  # not an answer: asked again
    keyboard.send_text("y\r")
    repl(session, console).ask("And next?")
    messages = session.graph.get_state(config).values["messages"]
    assert [m.text for m in messages] == ["2+2?", "", "4", "Four.", "And next?", "Next."]
    text = console.export_text()
    assert "finishing this thread's unfinished turn first" in text
    assert text.index("Four.") < text.index("Next.")


def test_an_edit_must_be_a_json_object(isolated_environment: Path, keyboard: Any) -> None:
    session = chat_session(ScriptedChatModel(), isolated_environment)
    console = recorder()
    keyboard.send_text("e\r\x15[1, 2]\r")  # Ctrl-U clears the suggested arguments
    keyboard.send_text("e\r\x15{oops\r")
    keyboard.send_text('e\r\x15{"expression": "3+3"}\r')
    decision = repl(session, console).approve(
        {
            "type": "tool_approval",
            "tool_call": {"id": "c1", "name": "calculator", "args": {"expression": "2+2"}},
        }
    )
    assert decision == {"action": "edit", "args": {"expression": "3+3"}}
    text = console.export_text()
    assert "the arguments must be a JSON object" in text and "not JSON:" in text


@pytest.mark.parametrize(
    ("question", "said"),
    [
        ("   ", "(nothing to send: type a question, or /help)"),
        ("\n\t", "(nothing to send: type a question, or /help)"),
        ("x" * 20_000, "error: the question is too long"),
    ],
)
def test_a_blank_or_oversized_question_is_not_sent(
    isolated_environment: Path, keyboard: Any, question: str, said: str
) -> None:
    model = ScriptedChatModel(script=["never sent"])
    session = chat_session(model, isolated_environment, max_context_tokens=8000)
    console = recorder()
    repl(session, console).ask(question)
    text = " ".join(console.export_text().split())
    assert text.startswith(said)
    assert "AGENT_MAX_CONTEXT_TOKENS" in text or "nothing to send" in text
    assert model.calls == 0
    assert session.saver.get_tuple(thread_config(session.thread_id)) is None


def test_a_failed_turn_is_one_line_and_closed(isolated_environment: Path, keyboard: Any) -> None:
    model = ScriptedChatModel(script=[RuntimeError("the model fell over\nsecond line"), "Fine now."])
    session = chat_session(model, isolated_environment)
    console = recorder()
    chat = repl(session, console)
    chat.ask("first")
    assert console.export_text().strip() == "error: the model fell over"
    chat.ask("second")
    messages = session.graph.get_state(thread_config(session.thread_id)).values["messages"]
    assert [m.text for m in messages] == [
        "first",
        "(this turn failed: the model fell over)",
        "second",
        "Fine now.",
    ]


def test_debug_shows_the_traceback(isolated_environment: Path, keyboard: Any) -> None:
    model = ScriptedChatModel(script=[RuntimeError("the model fell over")])
    session = chat_session(model, isolated_environment)
    console = recorder()
    from agent.chat.repl import Chat

    Chat(session, console=console, err_console=console, debug=True).ask("first")
    text = console.export_text()
    assert "Traceback" in text and text.rstrip().endswith("error: the model fell over")


def test_thread_and_continue_together_are_refused(isolated_environment: Path) -> None:
    from typer.testing import CliRunner

    from agent.cli.main import app

    done = CliRunner().invoke(app, ["chat", "--thread", "abc", "--continue"])
    assert done.exit_code == 1
    assert "use --thread ID or --continue, not both" in done.output
