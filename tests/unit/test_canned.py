"""Canned replies' placeholders (issue 19): what is accepted at save time, and filling what is known."""
from __future__ import annotations

import pytest

from social_bridge.chat.canned import CannedRefused, check, fill, unknown_placeholders


@pytest.mark.parametrize("text, unknown", [
    ("Ciao {name}, richiesta {case_number}, attesa {wait}, link {reset_link}", []),
    ("Ciao {nome}", ["nome"]),
    ("{Name} and {name} and {}", ["", "Name"]),
    ("no braces at all", []),
])
def test_unknown_placeholders(text, unknown):
    assert unknown_placeholders(text) == unknown


@pytest.mark.parametrize("lang, title, text", [
    ("fr", "Bonjour", "Bonjour"), ("it", "", "Ciao"), ("it", "Saluto", "  "), ("it", "x" * 81, "Ciao"),
    ("it", "Saluto", "x" * 1601), ("en", "Hi", "Hi {customer}"),
])
def test_refused(lang, title, text):
    with pytest.raises(CannedRefused):
        check(lang, title, text)


def test_fill_leaves_what_it_does_not_know():
    filled = fill("Ciao {name}, il link: {reset_link}", {"name": "Giulia", "reset_link": ""})
    assert filled == "Ciao Giulia, il link: {reset_link}"
