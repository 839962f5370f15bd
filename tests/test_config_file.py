"""The user's config file (TOML, in the user config directory or at $AGENT_CONFIG) beside the environment."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from agent.settings import ConfigFileError, Settings, config_file

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config.toml"
    monkeypatch.setenv("AGENT_CONFIG", str(path))
    return path


def test_settings_come_from_the_config_file_when_nothing_else_sets_them(config: Path) -> None:
    config.write_text(
        'model = "openai:gpt-4o-mini"\nsearch = "off"\nmax_steps = 7\napprove_tools = ["web_search"]\n'
    )
    settings = Settings()
    assert (settings.model, settings.search, settings.max_steps) == ("openai:gpt-4o-mini", "off", 7)
    assert settings.approve_tools == ["web_search"]


def test_the_environment_overrides_the_config_file(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config.write_text('search = "off"\nmax_steps = 7\n')
    monkeypatch.setenv("AGENT_MAX_STEPS", "3")
    settings = Settings()
    assert settings.max_steps == 3 and settings.search == "off"


def test_without_a_config_file_the_defaults_hold(config: Path) -> None:
    assert not config.exists()
    assert Settings().max_steps == Settings.model_fields["max_steps"].default


def test_the_default_config_file_is_in_the_user_config_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AGENT_CONFIG")
    monkeypatch.setenv("XDG_CONFIG_HOME", "/tmp/xdg-config")
    assert config_file() == Path("/tmp/xdg-config/langgraph-assistant/config.toml")


def test_a_config_file_that_is_not_toml_is_named_in_the_error(config: Path) -> None:
    config.write_text("model = openai:gpt-4o-mini\n")  # the value is not quoted
    with pytest.raises(ConfigFileError, match=str(config)):
        Settings()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("model = openai\n", "cannot read the config file"),
        ("search_timeout = -1\n", "setting AGENT_SEARCH_TIMEOUT (or search_timeout in"),
    ],
    ids=["not-toml", "invalid-value"],
)
def test_a_bad_config_file_is_one_line_on_the_command_line(config: Path, content: str, expected: str) -> None:
    config.write_text(content)
    done = subprocess.run(
        [sys.executable, "-m", "agent", "threads", "list"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    (line,) = done.stderr.strip().splitlines()
    assert expected in line and str(config) in line
