"""The one command parser (social_bridge/chat/commands.py) on the real prompts: SMS and every chat ask it."""
from pathlib import Path

import pytest

from ivr.call import answers
from ivr.speech.prompts import PromptBook
from social_bridge.chat.commands import CALLBACK_COMMANDS, CommandWords, normalise

PROMPTS = PromptBook.load(Path(__file__).resolve().parents[2] / "prompts")


@pytest.fixture(scope="module")
def commands():
    return CommandWords(PROMPTS.words)


@pytest.mark.parametrize("text, expected", [
    ("STATO", ("status", "it")),
    ("  stato! ", ("status", "it")),
    ("Annullà", ("cancel", "it")),
    ("STATUS", ("status", "en")),
    ("cancel.", ("cancel", "en")),
    ("Chiamami", ("call_me", "it")),
    ("CHIAMAMI 347 123 4567", ("call_me", "it")),
    ("call me +39 347 1234567", ("call_me", "en")),
    ("avvisami", ("notify", "it")),
    ("ho risolto", ("solved", "it")),
])
def test_command_words_in_either_language(commands, text, expected):
    assert commands.parse(text) == expected


@pytest.mark.parametrize("text", [
    "", "   ", "stato della linea?",                 # a question that starts with a command word
    "annulla tutto e chiamatemi",                     # a sentence, not a command
    "chiamami domani",                                # words after "call me" that are not a number
    "il modem non funziona",
])
def test_conversations_are_not_commands(commands, text):
    assert commands.parse(text) == (None, None)


def test_a_booked_callback_sms_understands_only_status_and_cancel(commands):
    assert commands.parse("CHIAMAMI", among=CALLBACK_COMMANDS) == (None, None)
    assert commands.parse("avvisami", among=CALLBACK_COMMANDS) == (None, None)
    assert commands.parse("ANNULLA", among=CALLBACK_COMMANDS) == ("cancel", "it")
    assert commands.parse("info", among=CALLBACK_COMMANDS) == ("status", "it")


def test_normalise_is_the_menus_rule_too():
    assert answers.normalise is normalise
    assert normalise("Sì, è GIUSTO!!") == "si e giusto"
