"""``python -m agent``: the same as the ``agent`` command."""

from agent.cli.main import app

app(prog_name="agent")
