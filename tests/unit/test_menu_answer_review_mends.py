"""Four misreadings a review of rounds 8-11 found in the menu rules (issue 15 §1, brief H19), in sentences written for
this file and the review's own (none is a training example nor an evaluation line, both checked below): "no one"
after an hour is no correction to one o'clock; a relative's number named and then confirmed is a yes; a doubt before
"that's correct" is never a yes; a person wished for only to send the text is the offer's key 1."""
from __future__ import annotations

import pytest

from ivr.understanding import menu_answers
from ivr.understanding.hours_corrected import hour_corrected
from tests.unit.test_menu_answers import menus  # noqa: F401  (the app's menu models, a fixture)
from tests.support.menu_rule_cases import among_evaluation, among_training, as_the_call_acts, at

SUNDAY = at(13, 9)   # Sunday 13 December 2026, nine o'clock
# Monday 13-15, Tuesday 18-20
OFFERED = [(at(14, 13), at(14, 15)), (at(15, 18), at(15, 20))]

# 1. "one" right after "no" is no hour unless a time word marks it
NO_ONE = ["at six, no one is home before then", "alle sei, no uno di noi è a casa prima",
          "around six please, no one's in till then", "verso le sei, no uno di noi rientra prima",
          "at six o'clock, no one can pick up earlier"]
ONE_MARKED = ["at six, no, at one", "alle sei no alle una", "alle sei, no all'una", "at six, no, make it one",
              "at six no one o'clock sorry"]

# 2. a relative's number named, then confirmed: a yes; their own number wanted, or the agreement denied: a no
CONFIRMED = ["it's my husband's phone but yes call me on it", "that's my wife's mobile, that's fine",
             "it's my mum's landline and yes that's right", "it's my son's number, he'll pass it on, yes",
             "that's my daughter's mobile but ok, ring it", "è il cellulare di mia moglie ma va bene lo stesso",
             "quello è il fisso di mia madre, sì chiamate pure lì"]
NOT_CONFIRMED = ["my husband wants you to ring his mobile instead", "it's my wife's number, that's not fine",
                 "è il numero di mio marito, non va bene", "it's my dad's phone, call my own mobile please"]

# 3. a doubt or a denial before "that's correct" is never a yes; "'s wrong" is a wrong said
DOUBTED = ["I don't think that's correct", "I'm not sure that's correct", "i doubt that is correct",
           "the number's wrong, the name is right", "honestly i don't think that one is correct",
           "i'm really not sure that it's correct"]
AGREED = ["i can't agree more", "couldn't agree more to be honest"]
WORD_REFUSED = ["I refuse to say no", "i refuse to say no to that"]

# 4. a person wished for only to send the text: key 1 (the text, a yes); a person to speak to: key 2 (a no)
TEXT_BY_SOMEONE = ["I'd like someone to text me when it's fixed", "i want someone to let me know when it's back",
                   "vorrei che qualcuno mi mandasse un messaggio quando torna", "voglio qualcuno che mi possa avvisare",
                   "i'd like somebody to send me a text once it's sorted"]
PERSON_WANTED = ["get me a real person please", "i want a person not a text",
                 "i'd rather talk to someone than get a text", "voglio parlare con qualcuno invece di un messaggio", "put me through to someone, a text is no use"]

SENTENCES = NO_ONE + ONE_MARKED + CONFIRMED + NOT_CONFIRMED + DOUBTED + AGREED + WORD_REFUSED + TEXT_BY_SOMEONE \
    + PERSON_WANTED


def test_no_sentence_here_is_a_training_line():
    assert not among_training(SENTENCES)


def test_no_sentence_here_is_an_evaluation_answer():
    assert not among_evaluation(SENTENCES)


@pytest.mark.parametrize("said", NO_ONE)
def test_no_one_after_an_hour_is_no_correction(said):
    assert hour_corrected(said) == said


@pytest.mark.parametrize("said", NO_ONE)
def test_no_one_after_six_books_the_evening_window(menus, said):
    assert menu_answers.window(menus, said, OFFERED, SUNDAY) == 1


@pytest.mark.parametrize("said", ONE_MARKED)
def test_one_marked_as_a_time_still_corrects_the_hour(menus, said):
    assert menu_answers.window(menus, said, OFFERED, SUNDAY) == 0


@pytest.mark.parametrize("menu", ["yes_no", "number"])
@pytest.mark.parametrize("said", CONFIRMED)
def test_a_relatives_number_confirmed_is_a_yes(menus, menu, said):
    assert as_the_call_acts(menus, menu, said) == "yes"


@pytest.mark.parametrize("menu", ["yes_no", "number"])
@pytest.mark.parametrize("said", NOT_CONFIRMED)
def test_a_relatives_number_not_agreed_stays_a_no(menus, menu, said):
    assert as_the_call_acts(menus, menu, said) == "no"


@pytest.mark.parametrize("said", DOUBTED)
def test_a_doubt_before_correct_is_a_no(menus, said):
    assert as_the_call_acts(menus, "yes_no", said) == "no"


@pytest.mark.parametrize("said", AGREED)
def test_cannot_agree_more_is_a_yes(menus, said):
    assert as_the_call_acts(menus, "yes_no", said) == "yes"


@pytest.mark.parametrize("said", WORD_REFUSED)
def test_refusing_to_say_no_is_asked_again(menus, said):
    assert as_the_call_acts(menus, "yes_no", said) is None


@pytest.mark.parametrize("said", TEXT_BY_SOMEONE)
def test_someone_to_send_the_text_is_the_text(menus, said):
    assert menu_answers.what_was_said(menus, menu_answers.OUTAGE, said) == "yes"


@pytest.mark.parametrize("said", PERSON_WANTED)
def test_a_person_to_speak_to_is_still_key_two(menus, said):
    assert menu_answers.what_was_said(menus, menu_answers.OUTAGE, said) == "no"
