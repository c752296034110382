"""STATO / STATUS with a case number, on the one command parser and the real prompts; case numbers in text."""
from pathlib import Path

import pytest

from ivr.speech.prompts import PromptBook
from social_bridge.chat.commands import CommandWords, case_argument
from social_bridge.customers import case_numbers

PROMPTS = PromptBook.load(Path(__file__).resolve().parents[2] / "prompts")


@pytest.fixture(scope="module")
def commands():
    return CommandWords(PROMPTS.words)


@pytest.mark.parametrize("text, command, argument", [
    ("STATO 1558 4864", ("status", "it"), "15584864"),
    ("stato 15584864", ("status", "it"), "15584864"),
    ("Status 1558-4864", ("status", "en"), "15584864"),
    ("STATO 1558 4846", ("status", "it"), "15584846"),   # mistyped: still STATO with a number (answered "unknown")
    ("STATO", ("status", "it"), None),
    ("stato 1234567", (None, None), None),               # 7 digits: not a case number, a conversation
    ("stato della mia linea 15584864", (None, None), None),
])
def test_status_may_carry_a_case_number(commands, text, command, argument):
    assert commands.parse(text) == command
    assert case_argument(text) == argument


@pytest.mark.parametrize("number", ["15584864", "15584846", "1558486a", "1558 4864"])
def test_a_new_number_is_valid_and_a_typo_is_not(number):
    assert case_numbers.is_valid(number) is (number == "15584864")


def test_new_numbers_have_eight_digits_and_a_valid_check():
    numbers = [case_numbers.new_number() for _ in range(500)]
    assert {len(n) for n in numbers} == {8}
    assert not [n for n in numbers if n.startswith("0")]
    assert all(case_numbers.is_valid(n) for n in numbers)
