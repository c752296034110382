"""Ordinary answers the round-6 rules misread (found in review, brief H5), in sentences written for this file
(none is a training example nor an evaluation line, both checked below): an option said with "dico" / "I'd say"
before a reason naming "ora" or "no time" is that option, not a wish to choose the time; "le do conferma", "vi do
l'ok", "give you my consent" at a confirmation are a yes, not another number offered; "don't call me now" is no
call right away, and "mi richiami subito" (the caller's "Lei") is one; an option named and then a call asked for
("la chat non so usarla, chiamatemi") is no choice of that option by rule; "un vocale al più presto" is the voice
message, not a call as soon as possible."""
from __future__ import annotations

import pytest

from ivr.understanding import menu_answers
from ivr.understanding.lexical import normalise
from ivr.understanding.option_rules import asap_asked, choose_time, named_first
from ivr.understanding.yes_no_rules import another_number
from tests.support.blind_menu_set import evaluation_texts, training_texts
from tests.unit.test_menu_answers import menus  # noqa: F401  (the app's menu models, a fixture)

OPTIONS = [("io dico la chat, ora non posso parlare", "chat"), ("i'd say the chat, no time to talk", "chat"),
           ("i'd say voicemail no time for calls", "voicemail"), ("let me pick the time myself", "window")]
CONFIRMED = ["ok, le do conferma", "va bene, vi do l'ok", "that's fine, i'll give you my consent",
             "perfetto le do il via libera"]
OTHER_NUMBER = [("aspetti che le do il cellulare", True), ("i'll give you my landline", True),
                ("can you change it please", True), ("non serve cambiarlo", False),
                ("no need to change it", False), ("va bene le do la conferma", False)]


# a call refused now is never one asked for right away; "mi richiami subito" (the caller's "Lei") is one
RIGHT_AWAY = [("don't call me now, i'm at work", False), ("non mi chiamate ora sono al lavoro", False),
              ("please don't ring me right now i'm driving", False), ("mi chiami adesso tanto stasera sono fuori", True),
              ("mi richiami subito che di sera lavoro", True),
              # another option named, no call asked for: that option, soon
              ("un vocale al più presto grazie", False), ("drop me a message as soon as you can", False),
              ("la chat quanto prima, richiamatemi solo se serve", True)]

# an option named, then a call asked for: the option is what the caller talks about, not the choice
CALL_AFTER = ["the chat is too hard for me i want a call back", "whatsapp ce l'ho ma non so usarlo chiamatemi domani",
              "my daughter does the chat for me i'd prefer a call", "the voicemail i never listen to so ring me back"]


def mine() -> list[str]:
    return [s for s, _ in OPTIONS] + CONFIRMED + [s for s, _ in OTHER_NUMBER] + [s for s, _ in RIGHT_AWAY] \
        + CALL_AFTER + [s for s, _ in SOON_OTHER]


def test_no_sentence_here_is_a_training_example():
    assert sorted({normalise(s) for s in mine()} & training_texts()) == []


def test_no_sentence_here_is_an_evaluation_answer():
    assert sorted({normalise(s) for s in mine()} & evaluation_texts()) == []


@pytest.mark.parametrize("said, meant", OPTIONS)
def test_an_option_said_before_a_reason_naming_time_is_that_option(menus, said, meant):  # noqa: F811
    assert menu_answers.option(menus, said) == meant


@pytest.mark.parametrize("said", [s for s, meant in OPTIONS if meant != "window"])
def test_saying_an_option_is_no_wish_to_choose_the_time(said):
    assert choose_time(said) is False


@pytest.mark.parametrize("said", CONFIRMED)
def test_a_confirmation_given_is_a_yes(menus, said):  # noqa: F811
    assert menu_answers.yes_or_no(menus, said) == "yes"


@pytest.mark.parametrize("said, offered", OTHER_NUMBER)
def test_another_number_only_when_a_number_is_offered_or_changed(said, offered):
    assert another_number(said) is offered


@pytest.mark.parametrize("said, asked", RIGHT_AWAY)
def test_a_call_refused_now_is_not_asked_for_right_away(said, asked):
    assert asap_asked(said) is asked


def test_a_call_refused_now_is_no_call_now(menus):  # noqa: F811
    assert menu_answers.option(menus, "don't call me now, i'm at work") != "asap"


SOON_OTHER = [("un messaggio vocale al più presto", "voicemail"), ("send me a text as soon as you can", "chat")]


@pytest.mark.parametrize("said, meant", SOON_OTHER)
def test_another_option_wanted_soon_is_that_option(menus, said, meant):  # noqa: F811
    assert menu_answers.option(menus, said) == meant


@pytest.mark.parametrize("said", CALL_AFTER)
@pytest.mark.parametrize("defer", [True, False])
def test_an_option_named_before_a_call_asked_for_is_not_chosen_by_rule(said, defer):
    assert named_first(said, defer=defer) is None


def test_a_call_asked_for_after_the_chat_named_is_no_chat(menus):  # noqa: F811
    assert menu_answers.option(menus, "whatsapp ce l'ho ma non so usarlo chiamatemi domani") != "chat"
