"""Menu answers of the kinds a seventh blind evaluation found misread (issue 15 §1, round 7), each in sentences
written for this file (none is a training example nor an evaluation line, both checked below): a yes, a no, a key
or a number corrected in the same breath; a number said after a leading no; "quindi sì" closing a reason; a key
followed by its option's words; an aside to someone in the room before the choice; asking for the times to pick
one; windows named by their hours in words; a day refused before the one asked for; checking later, a lost note
with the number and a caller phoning for someone absent, all asked again."""
from __future__ import annotations

import pytest

from ivr.understanding import menu_answers
from ivr.understanding.second_thoughts import key_named, last_answer, number_after_turn
from tests.unit.test_menu_answers import menus  # noqa: F401  (the app's menu models, a fixture)
from tests.support.menu_rule_cases import among_evaluation, among_training, at

MONDAY = at(7, 8)   # Monday 7 December 2026, eight o'clock
OFFERED = [(at(7, 10), at(7, 12)), (at(8, 9), at(8, 11)), (at(8, 17), at(8, 19)), (at(9, 11), at(9, 13)),
           (at(15, 12), at(15, 14)), (at(15, 14), at(15, 16))]
ONE_TOMORROW = [(at(7, 10), at(7, 12)), (at(8, 9), at(8, 11)), (at(9, 11), at(9, 13))]

NUMBERS = [
    # the number after the correction word, never the digits before it
    ("339 44 no scusi 339 441 2288", "3394412288"),
    ("348 76 anzi 347 765 4321", "3477654321"),
    ("333 12 i mean 335 129 8765", "3351298765"),
    ("320 9 sorry 328 947 1122", "3289471122"),
    # a number said after a leading no ("più" there is "any more", not a plus)
    ("no quello l'ho cambiato da anni il 392 456 7788", "3924567788"),
    ("no ormai non ce l'ho più 345 678 1234", "3456781234"),
]
YES_NO = [
    # corrected in the same breath: the one said last
    ("no cioè sì quello va benissimo", "yes_no", "yes"),
    ("no un momento sì è proprio quello", "yes_no", "yes"),
    ("no anzi sì confermo", "yes_no", "yes"),
    ("no un attimo sì è quello", "yes_no", "yes"),
    ("sì cioè no quello è vecchio", "yes_no", "no"),
    # a reason, then "quindi" and the answer
    ("ho provato a spegnere e riaccendere due volte e ancora niente quindi sì", "yes_no", "yes"),
    ("ho controllato i cavi e le luci sono tutte verdi quindi no", "yes_no", "no"),
    # a key and the option's words
    ("la due con una persona vera", "yes_no", "no"),
    ("la uno quel numero lo uso sempre", "yes_no", "yes"),
    ("mannò lasci stare", "yes_no", "no"),
    ("mannò guardi", "yes_no", "no"),
    # the answer comes later, or the note with the number is lost: asked again
    ("devo sentire mia figlia se adesso funziona", "helpful", None),
    ("i need to check with my son first", "helpful", None),
    ("the page is still loading", "helpful", None),
    ("aspetti non riesco a trovare il biglietto col numero", "yes_no", None),
    ("non ritrovo più il foglietto dove l'avevo scritto", "yes_no", None),
]
OPTIONS = [
    ("ecco la quattro il messaggio in segreteria", "voicemail"),
    ("la due anzi no la uno", "asap"),
    ("la tre anzi la quattro", "voicemail"),
    ("mi dite gli orari e poi ne prendo uno", "window"),
    ("aspetta tesoro che sto al telefono ecco voglio la chat", "chat"),
    ("sto guardando il biglietto ma non dice cosa devo premere", None),
    ("i'm phoning for my uncle but he's out at the moment", None),
    ("il bigliettino che mi hanno dato non dice quale opzione", None),
    ("ringing for my gran but she isn't in just now", None),
    ("chiamo per mia madre che non c'è, mi richiamate stasera", "window"),   # the one away, and a time asked
]
WINDOWS = [
    ("tuesday nine till eleven", OFFERED, 1),
    ("tuesday five to seven", OFFERED, 2),
    ("the eleven till one slot", OFFERED, 3),
    ("two the nine to eleven tomorrow", OFFERED, 1),
    ("today's no good so wednesday", OFFERED, 3),
    ("can't do today so tomorrow", ONE_TOMORROW, 1),
    # a weekday whose window at those hours is next week's: that one, an ordinal of the day too
    ("tuesday twelve till two", OFFERED, 4),
    ("the later tuesday twelve till two please", OFFERED, 4),
    ("tuesday nine to eleven please", OFFERED, 1),
]


def mine() -> list[str]:
    return [s for s, *_ in NUMBERS + YES_NO + OPTIONS + WINDOWS]


def test_no_sentence_here_is_a_training_example():
    assert among_training(mine()) == []


def test_no_sentence_here_is_an_evaluation_answer():
    assert among_evaluation(mine()) == []


@pytest.mark.parametrize("said, digits", NUMBERS)
def test_the_number_meant_is_the_one_said_last(said, digits):
    assert menu_answers.spoken_number(said) == digits


@pytest.mark.parametrize("said, menu, meant", YES_NO)
def test_each_yes_no_kind_is_read_as_meant(menus, said, menu, meant):  # noqa: F811
    assert menu_answers.yes_or_no(menus, said, menu) == meant


@pytest.mark.parametrize("said, meant", OPTIONS)
def test_each_option_kind_is_read_as_meant(menus, said, meant):  # noqa: F811
    assert menu_answers.option(menus, said) == meant


@pytest.mark.parametrize("said, offered, index", WINDOWS)
def test_each_window_kind_is_read_as_meant(menus, said, offered, index):  # noqa: F811
    assert menu_answers.window(menus, said, offered, MONDAY) == index


@pytest.mark.parametrize("said, meant", [("no wait yes that's it", "yes"), ("sì aspetti no", "no"),
                                         ("no no quello va bene", None), ("sì perché no", None),
                                         ("no aspetti che glielo spiego il cellulare sì lo tengo ma", None)])
def test_the_answer_taken_back_is_the_last(said, meant):
    assert last_answer(said) == meant


@pytest.mark.parametrize("said, key", [("la tre con la chat", 3), ("la uno anzi no la due", 2),
                                       ("la due, tre volte", None), ("due volte", None),
                                       ("the one with the chat", None)])
def test_a_key_with_its_article_is_read(said, key):
    assert key_named(said) == key


@pytest.mark.parametrize("said", ["no il 347 123 4567", "347 no 123 4567"])
def test_a_no_is_a_correction_only_before_a_whole_number(said):
    assert number_after_turn(said) == ""
