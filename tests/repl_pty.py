"""Driving ``agent chat`` on a pseudo-terminal (pexpect), as a user at a terminal would."""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import pexpect

ROOT = Path(__file__).resolve().parent.parent
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-B]|\x1b[=>78]|\x07|\r")
PROMPT = "you> "
UP = "\x1b[A"
ESC_ENTER = "\x1b\r"


def plain(text: str) -> str:
    """Terminal output without escape sequences and carriage returns."""
    return ANSI.sub("", text)


class Chat:
    """An ``agent chat`` process. ``output`` is everything it printed so far, as plain text."""

    def __init__(self, env: dict[str, str], *args: str, timeout: float = 30) -> None:
        full_env = {
            **os.environ,
            **env,
            "PROMPT_TOOLKIT_NO_CPR": "1",  # a pty answers no cursor-position requests
            "TERM": "xterm-256color",
            "COLUMNS": "120",
            "LINES": "40",
        }
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "agent", "chat", *args],
            cwd=str(ROOT),
            env=full_env,
            encoding="utf-8",
            dimensions=(40, 120),
            timeout=timeout,
        )
        self.raw = ""
        self._seen = 0

    @property
    def output(self) -> str:
        raw = self.raw
        cut = raw.rfind("\x1b")
        if cut >= 0 and not ANSI.match(raw, cut):
            raw = raw[:cut]  # an escape sequence still arriving
        return plain(raw)

    def _read(self, timeout: float) -> bool:
        """Read what arrives within ``timeout``; False once the process has closed its terminal."""
        try:
            self.raw += self.child.read_nonblocking(65536, timeout=timeout)
        except pexpect.TIMEOUT:
            pass
        except pexpect.EOF:
            return False
        return True

    def wait_for(self, text: str, *, timeout: float = 30) -> str:
        """Wait until ``text`` appears in the output after what earlier waits consumed; returns the
        plain output from there up to and including it."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.output.find(text, self._seen)
            if found >= 0:
                chunk = self.output[self._seen : found + len(text)]
                self._seen = found + len(text)
                return chunk
            if time.monotonic() > deadline or not self._read(0.1):
                raise AssertionError(f"{text!r} did not appear; output so far:\n{self.output[-3000:]}")

    def prompt(self, timeout: float = 30) -> str:
        """Wait for the input prompt; returns what was printed before it."""
        return self.wait_for(PROMPT, timeout=timeout)

    def send_line(self, text: str) -> None:
        self.child.send(text + "\r")

    def send(self, keys: str) -> None:
        self.child.send(keys)

    def interrupt(self) -> None:
        """Ctrl-C, as typed at the terminal."""
        self.child.sendintr()

    def finish(self, timeout: float = 15) -> int:
        """Wait for the process to end; its exit status."""
        try:
            while True:
                self.raw += self.child.read_nonblocking(65536, timeout=timeout)
        except pexpect.EOF:
            pass
        self.child.close()
        return int(self.child.exitstatus or 0)

    def close(self) -> None:
        if self.child.isalive():
            self.child.terminate(force=True)
