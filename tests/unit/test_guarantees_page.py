"""docs/guarantees.md names the tests that keep each promise: every name must be a real test."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def referenced_tests() -> list[tuple[str, str]]:
    """(file, test) for every `file::test` and following `::test` in the page's table cells."""
    found, current = [], None
    for ref in re.findall(r"`([^`<]+)`", (ROOT / "docs" / "guarantees.md").read_text()):
        if ref.startswith("::"):
            found.append((current, ref[2:]))
        elif "::" in ref:
            current, name = ref.split("::")
            found.append((current, name))
    return found


def test_every_test_the_guarantees_page_names_exists():
    refs = referenced_tests()
    assert len(refs) >= 30
    files = {path.name: path for path in (ROOT / "tests").rglob("test_*.py")}  # tests live in folders
    missing = [(f, t) for f, t in refs if f not in files or f"def {t}(" not in files[f].read_text()]
    assert missing == []
