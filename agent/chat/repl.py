"""``agent chat``: the interactive chat.

A prompt_toolkit prompt (history kept across sessions under ``AGENT_HOME``, multi-line input, tab
completion of slash commands) around streamed turns (``agent.chat.turn``). Slash commands live in
``agent.chat.commands``, the session state (model, memory, thread) in ``agent.chat.repl_session``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from prompt_toolkit import PromptSession
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.history import FileHistory
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from agent.chat.commands import KEYS_HELP, CommandError, ExitChat, run_command, slash_completer
from agent.chat.session import (
    CANCELLED_ANSWER,
    FAILED_ANSWER,
    InvalidQuestion,
    check_question,
    turn_unfinished,
)
from agent.errors import describe_error
from agent.memory.thread_lock import ThreadBusy
from agent.settings import Settings

if TYPE_CHECKING:
    from agent.chat.repl_session import ChatSession

HISTORY_FILE = "chat_history"
"""The prompt's history file, under ``AGENT_HOME``."""
PROMPT = FormattedText([("ansicyan bold", "you> ")])
CONTINUATION = "...  "


def key_bindings() -> KeyBindings:
    """Enter sends; Esc-Enter, or Enter after a trailing backslash, starts a new line; Ctrl-C clears the
    line, or (on an empty line) asks how to leave."""
    bindings = KeyBindings()

    @bindings.add("escape", "enter")
    def _newline(event: KeyPressEvent) -> None:
        event.current_buffer.insert_text("\n")

    @bindings.add("enter")
    def _send(event: KeyPressEvent) -> None:
        buffer = event.current_buffer
        if buffer.document.text_before_cursor.endswith("\\"):
            buffer.delete_before_cursor()
            buffer.insert_text("\n")
        else:
            buffer.validate_and_handle()

    @bindings.add("c-c")
    def _interrupt(event: KeyPressEvent) -> None:
        if event.current_buffer.text:
            event.current_buffer.reset()
        else:
            event.app.exit(exception=KeyboardInterrupt())

    return bindings


class Chat:
    """The read-eval-print loop of one ``agent chat``."""

    def __init__(
        self, session: ChatSession, *, console: Console, err_console: Console, debug: bool = False
    ) -> None:
        self.session = session
        self.console = console
        self.err_console = err_console
        self.debug = debug
        home = session.settings.home
        home.mkdir(parents=True, exist_ok=True)
        self.prompt = PromptSession[str](
            history=FileHistory(str(home / HISTORY_FILE)),
            multiline=True,
            key_bindings=key_bindings(),
            prompt_continuation=CONTINUATION,
            completer=slash_completer(self._thread_ids),
            complete_while_typing=True,
            bottom_toolbar=self._toolbar,
        )
        self.questions = PromptSession[str]()  # approvals: a separate prompt, kept out of the history

    # ---------------------------------------------------------------------------------------- the loop

    def run(self) -> None:
        """Read and answer until /exit or Ctrl-D."""
        self._banner()
        while True:
            try:
                line = self.prompt.prompt(PROMPT)
            except KeyboardInterrupt:
                self.console.print("[dim](to leave, press Ctrl-D or type /exit)[/]")
                continue
            except EOFError:
                break
            line = line.strip()
            if not line:
                continue
            if line.startswith("/"):
                try:
                    run_command(line, self.session, self.console)
                except ExitChat:
                    break
                except KeyboardInterrupt:
                    self.console.print("[dim](stopped)[/]")
                except Exception as error:
                    self.error(error)
                continue
            try:
                self.ask(line)
            except KeyboardInterrupt:
                # A second Ctrl-C while the first was being handled: the turn may be left open, and
                # is finished before the next question.
                self.console.print("[dim](stopped)[/]")

    def ask(self, question: str) -> None:
        """Answer one question on the current thread, finishing a turn left pending first. A blank question
        is not sent (a hint says so); one too long for the context budget is refused with one line."""
        from langchain_core.messages import HumanMessage

        from agent.chat.session import thread_config
        from agent.chat.turn import TurnView, run_turn

        session = self.session
        if not question.strip():
            self.console.print("[dim](nothing to send: type a question, or /help)[/]")
            return
        try:
            check_question(question, session.settings.max_context_tokens)
        except InvalidQuestion as error:
            self.error(error)
            return
        view = TurnView(self.console)
        try:
            with session.assistant.hold(session.thread_id):
                if turn_unfinished(session.graph.get_state(thread_config(session.thread_id))):
                    self.console.print("[dim]finishing this thread's unfinished turn first…[/]")
                    run_turn(
                        session.graph, session.thread_id, None, view, self.approve, session.assistant.context
                    )
                    view = TurnView(self.console)
                run_turn(
                    session.graph,
                    session.thread_id,
                    {"messages": [HumanMessage(question)]},
                    view,
                    self.approve,
                    session.assistant.context,
                )
        except ThreadBusy as error:  # another front end's turn is running: nothing of ours to close
            view.stop()
            self.error(error)
        except KeyboardInterrupt:
            view.stop()
            self._close_turn(CANCELLED_ANSWER)
            self.console.print("[dim](stopped)[/]")
        except Exception as error:
            view.stop()
            self.error(error)
            # The question was not answered: close its turn, so the thread stays consistent.
            self._close_turn(FAILED_ANSWER.format(error=describe_error(error, self.session.settings)))

    def _close_turn(self, answer: str) -> None:
        try:
            self.session.assistant.cancel(self.session.thread_id, answer)
        except Exception as error:
            self.error(error)

    # --------------------------------------------------------------------------------------- approvals

    def approve(self, request: dict[str, Any]) -> Any:
        """Ask whether a tool call may run; the answer is a resume value of ``graphs.approval``."""
        call = request["tool_call"]
        args = json.dumps(call["args"], ensure_ascii=False)
        self.console.print(
            Panel(
                Text(args),
                title=f"run {call['name']}?",
                title_align="left",
                border_style="yellow",
                expand=False,
            )
        )
        while True:
            answer = self._ask("approve? [y]es / [n]o / [e]dit: ").strip().lower()
            if answer in {"y", "yes", "a", "approve"}:
                return "approve"
            if answer in {"n", "no", "r", "reject"}:
                reason = self._ask("why not? (optional): ").strip()
                return {"action": "reject", "reason": reason} if reason else "reject"
            if answer in {"e", "edit"}:
                edited = self._edited_args(args)
                if edited is not None:
                    return {"action": "edit", "args": edited}

    def _edited_args(self, args: str) -> dict[str, Any] | None:
        text = self._ask("new arguments (JSON): ", default=args)
        try:
            value = json.loads(text)  # data, never code
        except json.JSONDecodeError as error:
            self.err_console.print(Text(f"not JSON: {error}", style="red"))
            return None
        if not isinstance(value, dict):
            self.err_console.print(
                Text('the arguments must be a JSON object, e.g. {"expression": "2+2"}', style="red")
            )
            return None
        return value

    def _ask(self, message: str, default: str = "") -> str:
        try:
            return self.questions.prompt(message, default=default)
        except EOFError:
            raise KeyboardInterrupt from None  # Ctrl-D while asked: stop the turn, as Ctrl-C does

    # ------------------------------------------------------------------------------------------ output

    def error(self, error: BaseException) -> None:
        """One red line (and the traceback with ``--debug``)."""
        if isinstance(error, (CommandError, InvalidQuestion)):
            message = str(error)
        else:
            if self.debug:
                self.err_console.print_exception()
            message = describe_error(error, self.session.settings)
        self.err_console.print(Text.assemble(("error: ", "bold red"), message), soft_wrap=True)

    def _banner(self) -> None:
        from agent.threads.history import read_messages

        session = self.session
        self.console.print(
            Text.assemble(
                ("agent chat", "bold"), f" · model {session.model_spec} · thread {session.thread_id}"
            )
        )
        try:
            count = len(read_messages(session.saver, session.thread_id))
        except LookupError:
            count = 0
        if count:
            self.console.print(f"[dim]continuing a thread of {count} messages (/history shows it)[/]")
        self.console.print(f"[dim]/help for commands · {KEYS_HELP}[/]", highlight=False)

    def _toolbar(self) -> str:
        session = self.session
        return f" thread {session.thread_id} · {session.model_spec} · reflection {session.settings.reflection} · /help"

    def _thread_ids(self) -> list[str]:
        from agent.threads.history import thread_ids

        return thread_ids(self.session.saver)


def run_chat(
    settings: Settings,
    *,
    thread_id: str | None = None,
    resume_latest: bool = False,
    model_spec: str | None = None,
    debug: bool = False,
    console: Console | None = None,
    err_console: Console | None = None,
) -> str:
    """Run ``agent chat`` until the user leaves; returns the thread it ended on.

    ``thread_id`` continues (or starts) that thread; ``resume_latest`` continues the most recently
    updated one. Errors while starting (no model, no memory) are raised; errors during the chat are
    printed as one line and the chat goes on.
    """
    from agent.chat.repl_session import open_chat
    from agent.threads.history import latest_thread_id

    console = console or Console()
    err_console = err_console or Console(stderr=True)
    with open_chat(settings, model_spec) as session:
        if resume_latest:
            latest = latest_thread_id(session.saver)
            if latest is None:
                err_console.print("[dim]no saved thread to continue: starting a new one[/]")
            else:
                session.thread_id = latest
        elif thread_id:
            session.thread_id = thread_id
        Chat(session, console=console, err_console=err_console, debug=debug).run()
        return session.thread_id
