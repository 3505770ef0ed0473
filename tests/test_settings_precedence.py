from __future__ import annotations

from pathlib import Path

import pytest

from manysides.errors import SettingsError
from manysides.settings import load_settings


def test_settings_defaults_file_env_and_arguments_in_that_order(tmp_path: Path) -> None:
    assert load_settings(env={}).seed == 1
    config = tmp_path / "c.toml"
    config.write_text("seed = 5\nnum_perm = 64\n")
    assert load_settings(config, env={}).seed == 5
    env = {"MANYSIDES_SEED": "9"}
    assert load_settings(config, env=env).seed == 9
    assert load_settings(config, env=env).num_perm == 64
    assert load_settings(config, env=env, seed=11).seed == 11
    assert load_settings(env={"MANYSIDES_CONFIG": str(config)}).num_perm == 64


@pytest.mark.parametrize(
    ("text", "expected"),
    [("seed = 'x'", "expects an integer"), ("colour = 1", "unknown setting 'colour'"), ("seed = [", "not valid TOML")],
)
def test_settings_errors_say_what_to_fix(tmp_path: Path, text: str, expected: str) -> None:
    config = tmp_path / "c.toml"
    config.write_text(text)
    with pytest.raises(SettingsError, match=expected):
        load_settings(config, env={})
