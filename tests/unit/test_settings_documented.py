"""Every setting a newcomer can set is in README's settings table and in .env.example (issue 14: one place reads
the environment, and its variables are written down)."""
from __future__ import annotations

import re

import pytest

from ivr.app.settings import _ENV, PROJECT_ROOT, load_settings

README = (PROJECT_ROOT / "README.md").read_text()
EXAMPLE = (PROJECT_ROOT / ".env.example").read_text()


@pytest.mark.parametrize("variable", sorted(_ENV.values()))
def test_each_variable_has_a_row_in_the_readme_settings_table(variable):
    rows = [line for line in README.splitlines() if line.startswith("| ") and f"`{variable}`" in line]
    assert rows, f"{variable} has no row in README's settings table"


@pytest.mark.parametrize("variable", sorted(_ENV.values()))
def test_each_variable_is_in_the_example_environment(variable):
    assert re.search(rf"^#? ?{variable}=", EXAMPLE, re.MULTILINE), f"{variable} is not in .env.example"


def test_a_variable_is_the_setting_it_names(tmp_path):
    loaded = load_settings(environ={"CALLBACK_WINDOW_MINUTES": "90", "NOHOLD_VAR_DIR": str(tmp_path / "var")},
                           dotenv=False)
    assert (loaded.callback_window_minutes, loaded.var_dir) == (90, tmp_path / "var")
