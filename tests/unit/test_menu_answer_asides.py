"""An aside about a child or a pet, then the choice said to us in the same breath as a request ("the kids are
fighting, can we pick a time", "il cane abbaia, potete scrivermi"): the request is read (issue 15 §1, after round 9's
asides rule took the whole rest of such an answer for the aside and asked again). The aside alone is still asked
again. Sentences written for this file; none is a training example or an evaluation answer (checked below)."""
from __future__ import annotations

import pytest

from ivr.understanding.asides import outside_aside
from ivr.understanding.lexical import normalise
from ivr.understanding.menu_answers import ASKED_AGAIN
from ivr.understanding.menu_eval import MenuCase, understood
from tests.unit.test_menu_answers import menus  # noqa: F401  (the app's menu models, a fixture)
from tests.support.blind_menu_set import evaluation_texts, training_texts

CHOICES = [
    ("sorry the kids are fighting can we pick a time for tomorrow", "window"),
    ("the puppy's chewing the cable could you set a time to ring me back", "window"),
    ("la bimba sta piangendo fissiamo un orario per più tardi", "window"),
    ("il cane abbaia e non sento niente potete scrivermi un messaggio", "chat"),
    ("the dog keeps barking could we do this by text instead", "chat"),
    ("il bambino si è svegliato possiamo fare per iscritto", "chat"),
    ("the baby's just woken up could you ring me back as soon as you can", "asap"),
]
ALONE = ["hang on the kids are fighting again", "un attimo che il cane abbaia", "the baby's crying sorry"]


def test_no_sentence_here_is_a_training_or_evaluation_text():
    mine = {normalise(text) for text, _ in CHOICES} | {normalise(text) for text in ALONE}
    assert mine.isdisjoint(training_texts() | evaluation_texts())


@pytest.mark.parametrize("said, meant", CHOICES)
def test_a_request_after_an_aside_is_read(menus, said, meant):  # noqa: F811
    assert understood(menus, MenuCase("options", "", said, "")) == meant


@pytest.mark.parametrize("said", ALONE)
def test_an_aside_alone_is_asked_again(menus, said):  # noqa: F811
    assert understood(menus, MenuCase("options", "", said, "")) in {None, *ASKED_AGAIN}


def test_the_request_is_what_is_left_of_the_answer():
    assert outside_aside("the dog keeps barking could we do this by text instead") == "could we do this by text instead"
