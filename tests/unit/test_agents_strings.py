"""The agents page's words (issue 19): both languages say the same things with the same placeholders, every
refusal agent_admin.py can raise and every audit action has its sentence."""
from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from social_bridge.queue import agent_admin
from social_bridge.queue.agent_audit import AUDIT_ACTIONS
from social_bridge.web.console.agents_strings import AGENTS_STRINGS

CODES = sorted(set(re.findall(r'AdminRefused\("(\w+)"', Path(agent_admin.__file__).read_text())))


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_italian_and_english_have_the_same_keys():
    assert set(AGENTS_STRINGS["it"]) == set(AGENTS_STRINGS["en"])


@pytest.mark.parametrize("key", sorted(AGENTS_STRINGS["it"]))
def test_both_languages_fill_the_same_placeholders(key):
    assert fields(AGENTS_STRINGS["it"][key]) == fields(AGENTS_STRINGS["en"][key])


def test_the_admin_raises_refusals():
    assert len(CODES) >= 10


@pytest.mark.parametrize("code", CODES)
def test_every_refusal_has_a_sentence(code):
    assert f"refused.{code}" in AGENTS_STRINGS["it"]


@pytest.mark.parametrize("action", AUDIT_ACTIONS)
def test_every_audit_action_has_a_label(action):
    assert f"action.{action}" in AGENTS_STRINGS["it"]
