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


def _defaults_toml() -> dict[str, object]:
    import tomllib
    from importlib import resources

    return tomllib.loads((resources.files("manysides") / "data" / "defaults.toml").read_text(encoding="utf-8"))


def test_settings_defaults_file_lists_every_setting_with_the_code_default_and_a_note() -> None:
    from importlib import resources

    from manysides.settings import SECTIONS, Settings

    code = Settings().model_dump()
    written = _defaults_toml()
    for name, value in code.items():
        if name in SECTIONS:
            section = written.get(name, {})
            assert isinstance(section, dict), name
            given = {k: v for k, v in value.items() if v is not None}
            assert section == given, f"[{name}] in defaults.toml differs from settings.py"
        else:
            assert written.get(name) == value, f"{name} in defaults.toml differs from settings.py"
    lines = (resources.files("manysides") / "data" / "defaults.toml").read_text(encoding="utf-8").splitlines()
    for n, line in enumerate(lines):
        if line and not line.startswith(("#", "[", " ")) and "=" in line:
            above = lines[n - 1]
            assert above.startswith("#") or lines[n - 2].startswith("#") or "=" in above, f"no note above {line!r}"


def test_settings_sections_merge_with_their_defaults_from_file_and_environment(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text("[align]\nverbatim = 0.99\n\n[digest]\nmax_sentences = 3\n")
    s = load_settings(config, env={"MANYSIDES_ALIGN__SAME_CONTENT": "0.85"})
    assert (s.align.verbatim, s.align.same_content, s.align.near_verbatim) == (0.99, 0.85, 0.9)
    assert s.digest.max_sentences == 3 and s.digest.min_sentences == 5
    assert s.clustering.threshold is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[align]\nverbatim = 1.5\n", r"align\.verbatim"),
        ("[align]\ncolour = 1\n", r"align\.colour"),
        ("[reuse]\nmin_pairs = 'two'\n", r"reuse\.min_pairs' expects an integer"),
        ("embedding_backend = 'gpu'\n", "embedding_backend"),
    ],
)
def test_settings_section_errors_name_the_setting(tmp_path: Path, text: str, expected: str) -> None:
    config = tmp_path / "c.toml"
    config.write_text(text)
    with pytest.raises(SettingsError, match=expected):
        load_settings(config, env={})


@pytest.mark.slow
def test_settings_thresholds_from_a_file_reach_the_analysis(
    tmp_path: Path, models: object, seed_report: object
) -> None:
    import manysides
    from conftest import EXAMPLE

    config = tmp_path / "strict.toml"
    config.write_text("[reuse]\nmin_pairs = 50\n\n[digest]\nmax_sentences = 2\nmin_sentences = 1\n")
    strict = manysides.compare([str(EXAMPLE)], settings=load_settings(config, env={}), models=models)  # type: ignore[arg-type]
    assert seed_report.reuse and not strict.reuse  # type: ignore[attr-defined]
    assert max(len(s.digest) for s in seed_report.stories) > 2  # type: ignore[attr-defined]
    assert all(len(s.digest) <= 2 for s in strict.stories)
    assert strict.settings["reuse"]["min_pairs"] == 50  # the report records what it ran with
