"""Menu answers of the kind an eleventh, representative evaluation found acted on (issue 15 §1, round 11): a question
about a choice or the offer read as that choice. Each in sentences written for this file (none is a training example
nor an evaluation line, both checked below): a question about an option ("is the chat free", "la chat costa
qualcosa"), a window other than those offered asked for ("anything earlier", "c'è qualcosa più tardi"), a question about
the offer of a text or the number read back ("will the text come to this phone", "è il fisso o il cellulare", "eh
come"): no choice, asked again. A choice said with a question, a request phrased as one, and a yes or a no that answers
and then asks stay the answer."""
from __future__ import annotations

import pytest

from ivr.understanding import menu_answers
from ivr.understanding.choice_questions import offer_asked_about, option_asked_about, window_asked_other
from tests.unit.test_menu_answers import menus  # noqa: F401  (the app's menu models, a fixture)
from tests.support.menu_rule_cases import among_evaluation, among_training, asked_again_or, at

THURSDAY = at(3, 9)   # Thursday 3 December 2026, nine o'clock
# today 16-18, Friday 10-12, Saturday 10-12
OFFERED = [(at(3, 16), at(3, 18)), (at(4, 10), at(4, 12)), (at(5, 10), at(5, 12))]

OPTIONS = [
    # a question about an option: no choice
    ("is the chat free", None), ("la chat costa qualcosa", None), ("does the chat cost anything", None),
    ("il messaggio vocale lo ascolta una persona", None), ("can i chat from a landline", None),
    ("will a real person listen to the voice message", None), ("posso chattare dal fisso", None),
    ("is the chat with a real person", None), ("do you charge for the callback", None),
    ("la chat è con una persona vera", None), ("can i use the chat without a smartphone", None),
    ("ma la richiamata si paga", None), ("do i need the internet for the chat", None),
    ("la chat funziona anche di notte", None), ("will the chat be in italian", None),
    ("does the call back cost me", None), ("is the chat on whatsapp", None), ("si paga qualcosa per il messaggio", None),
    ("how long does the callback take", None), ("quanto costa la chat", None), ("il vocale lo sente qualcuno oggi", None),
    ("how would the chat work for me", None), ("la chat come funziona esattamente", None),
    ("is the voice message free to leave", None), ("but is the call back free", None), ("la richiamata è gratuita", None),
    # a choice said with a question about it, a request phrased as a question: the choice
    ("the first one how long will it take", "asap"), ("can you call me back as soon as possible", "asap"),
    ("mi potete scrivere", "chat"), ("can you just text me instead", "chat"), ("could you ring me back", "asap"),
    ("mi potete richiamare subito", "asap"), ("can i leave a message", "voicemail"), ("could we do it by chat", "chat"),
    ("can someone call me back please", "asap"), ("il vocale ma costa qualcosa", "voicemail"),
    ("preferisco la chat se è gratis", "chat"), ("can i have a callback is it free", "asap"), ("could we do the chat is it free", "chat"), ("option two is that free", "window"),
]
WINDOWS = [
    # a window other than those offered asked for: asked again, never the nearest window
    ("is there anything later at night", None), ("non avete niente di domenica", None), ("anything earlier", None),
    ("c'è qualcosa più tardi", None), ("have you got anything on sunday", None), ("any chance of something earlier", None),
    ("non c'è niente prima", None), ("is there nothing later", None), ("avete niente più presto", None),
    ("can you do any later", None), ("non c'è un orario più tardi", None), ("e più tardi niente", None),
    ("is there a later one", None), ("what about later on", None), ("do you have something in the evening", None),
    ("avete qualcos'altro la sera", None),
    # a window chosen
    ("today at four is fine", 0), ("friday morning please then", 1), ("the very last one then", 2), ("la più tardi che c'è", 2),
    ("quella di sabato va bene", 2),
]
YES_NO = [
    # a question about the offer of a text or about the number: neither yes nor no
    ("will the message come to this mobile", "yes_no", None), ("il messaggio arriva su questo numero", "yes_no", None),
    ("ma è gratis", "yes_no", None), ("does that cost me anything", "yes_no", None), ("ah come", "yes_no", None),
    ("eh prego", "yes_no", None), ("eh cosa", "yes_no", None), ("sorry pardon", "yes_no", None), ("what sorry", "yes_no", None),
    ("is it free", "yes_no", None), ("mi arriva sul cellulare", "yes_no", None), ("costa qualcosa", "yes_no", None),
    ("what number will you text", "yes_no", None), ("su che numero arriva", "yes_no", None),
    ("is that a text or a call", "yes_no", None), ("e il messaggio lo mandate a questo telefono", "yes_no", None),
    ("is that my landline or my mobile", "number", None), ("quale numero avete", "number", None),
    ("which number have you got", "number", None), ("che numero è", "number", None),
    ("is that the house phone", "number", None), ("è il fisso o il cellulare", "number", None),
    ("what number is it you've got", "number", None), ("eh scusi come", "number", None),
    # a yes or a no that answers, then asks: the answer
    ("sì ma quando arriva", "yes_no", "yes"), ("yes will it be today", "yes_no", "yes"),
    ("yes please how long will it be", "yes_no", "yes"), ("sì grazie arriva su questo numero vero", "yes_no", "yes"),
    ("no grazie non mi serve proprio", "yes_no", "no"), ("oh yes please do", "yes_no", "yes"), ("sì è quello ma mi chiamate oggi", "number", "yes"),
    ("yes that's it when will you ring", "number", "yes"), ("no that's my old one", "number", "no"),
    ("sì sì va bene è quello", "number", "yes"),
]


def mine() -> list[str]:
    return [s for s, *_ in OPTIONS + WINDOWS + YES_NO]


def test_no_sentence_here_is_a_training_example():
    assert among_training(mine()) == []


def test_no_sentence_here_is_an_evaluation_answer():
    assert among_evaluation(mine()) == []


@pytest.mark.parametrize("said, meant", OPTIONS)
def test_a_question_about_an_option_is_no_choice(menus, said, meant):  # noqa: F811
    assert asked_again_or(menu_answers.option(menus, said)) == meant


@pytest.mark.parametrize("said, index", WINDOWS)
def test_a_window_not_offered_asked_for_is_no_window(menus, said, index):  # noqa: F811
    assert menu_answers.window(menus, said, OFFERED, THURSDAY) == index


@pytest.mark.parametrize("said, menu, meant", YES_NO)
def test_a_question_about_the_offer_or_the_number_is_neither_yes_nor_no(menus, said, menu, meant):  # noqa: F811
    reading = menu_answers.what_was_said(menus, menu_answers.OUTAGE if menu == "yes_no" else "yes_no", said)
    assert asked_again_or(reading) == meant


@pytest.mark.parametrize("said", ["is the chat free", "la chat costa qualcosa", "posso chattare dal fisso"])
def test_an_option_asked_about_is_found(said):
    assert option_asked_about(said)


@pytest.mark.parametrize("said", ["can you text me is it free", "preferisco la chat che è gratis", "i'll leave a message"])
def test_a_request_or_a_choice_is_no_question_about_an_option(said):
    assert not option_asked_about(said)


@pytest.mark.parametrize("said", ["anything later", "non avete niente di domenica", "c'è qualcosa più tardi"])
def test_a_window_not_offered_is_found(said):
    assert window_asked_other(said)


@pytest.mark.parametrize("said", ["anything after four is fine", "la più presto che avete", "the earliest you have"])
def test_a_window_chosen_is_no_other_asked_for(said):
    assert not window_asked_other(said)


@pytest.mark.parametrize("said", ["sì ma quando arriva", "no, is that free", "not that one is it"])
def test_an_answer_then_a_question_is_no_question_about_the_offer(said):
    assert not offer_asked_about(said)
