"""Menu answers of the kinds a tenth, representative evaluation found misread (issue 15 §1, round 10), each in
sentences written for this file (none is a training example nor an evaluation line, both checked below): the morning
or "before lunch" (the soonest morning window), "after the weekend" and "next week" (the first window from Monday on),
an hour corrected in the same breath (the hour after the turn); relief ("meno male", "thank goodness") a yes at "was
it useful?"; a question about how to check, asked again."""
from __future__ import annotations

import pytest

from ivr.understanding import menu_answers
from ivr.understanding.hours_corrected import hour_corrected
from ivr.understanding.meal_times import next_week_named
from ivr.understanding.relief import how_to_check, relieved
from tests.unit.test_menu_answers import menus  # noqa: F401  (the app's menu models, a fixture)
from tests.support.menu_rule_cases import among_evaluation, among_training, as_the_call_acts, at

THURSDAY = at(3, 9)   # Thursday 3 December 2026, nine o'clock
# today's afternoon, Friday's and Saturday's mornings, Monday's morning and afternoon
SPREAD = [(at(3, 16), at(3, 18)), (at(4, 10), at(4, 12)), (at(5, 10), at(5, 12)), (at(7, 9), at(7, 11)),
          (at(7, 14), at(7, 16))]
# today's morning after its afternoon would be wrong: today 10-12, today 15-17, Friday 9-11
TODAY_FIRST = [(at(3, 10), at(3, 12)), (at(3, 15), at(3, 17)), (at(4, 9), at(4, 11))]
HOURS = [(at(3, 11), at(3, 13)), (at(3, 14), at(3, 16)), (at(3, 17), at(3, 19))]   # today 11-13, 14-16, 17-19
MIDDAY = [(at(3, 12), at(3, 14)), (at(3, 16), at(3, 18))]   # no morning: today 12-14 (ends by two), 16-18
THIS_WEEK = [(at(3, 16), at(3, 18)), (at(4, 10), at(4, 12)), (at(5, 10), at(5, 12))]  # nothing from Monday on

WINDOWS = [
    # the morning, before lunch: the soonest window in the morning (today's before tomorrow's)
    ("before my lunch if you can", SPREAD, 1), ("meglio prima di pranzo", SPREAD, 1), ("mornings are best", SPREAD, 1),
    ("any time in the morning", SPREAD, 1), ("di mattina se possibile", SPREAD, 1), ("direi prima di pranzo", TODAY_FIRST, 0),
    ("mornings suit me", TODAY_FIRST, 0), ("ideally before lunchtime", TODAY_FIRST, 0),
    ("prima della scuola", SPREAD, 1), ("before i go to work", TODAY_FIRST, 0),
    ("not before lunch", TODAY_FIRST, 1), ("dopo pranzo va bene", TODAY_FIRST, 1),   # after is still after
    ("monday before lunch", SPREAD, 3), ("before lunch if poss", MIDDAY, 0), ("in the morning ideally", MIDDAY, None), ("entro mezzogiorno grazie", SPREAD, 1), ("before midday ideally", SPREAD, 1),
    # after the weekend, next week: the first window from Monday on
    ("after the weekend would be great", SPREAD, 3), ("dopo il fine settimana grazie", SPREAD, 3),
    ("any day next week works", SPREAD, 3), ("facciamo la settimana prossima", SPREAD, 3),
    ("once the weekend is over", SPREAD, 3), ("la prossima settimana di pomeriggio", SPREAD, 4),
    ("next week in the afternoon", SPREAD, 4), ("not until next week", SPREAD, 3), ("meglio dopo domenica", SPREAD, 3),
    ("the following week please", SPREAD, 3),
    # the week after as the reason: when the caller cannot
    ("next week we're away so friday", SPREAD, 1), ("dopo il fine settimana sono in ferie", SPREAD, None), ("dopo il weekend", THIS_WEEK, None),   # none offered then
    ("not next week this week", SPREAD, None),   # which day this week is not said
    # an hour corrected: the hour after the turn
    ("at five oh no make it two", HOURS, 1), ("alle sei anzi alle tre", HOURS, 1),
    ("verso le quattro ah no meglio verso le undici", HOURS, 0), ("five o'clock sorry eleven o'clock", HOURS, 0),
    ("le due no aspetti le cinque", HOURS, 2), ("around two actually no five", HOURS, 2),
    ("alle tre anzi no alle nove", HOURS, None),   # no window at nine
]

HELPFUL = [
    # relief: a yes, never a no ("male" is no complaint here)
    ("eh meno male", "yes"), ("sì sì meno male davvero", "yes"), ("per fortuna adesso va", "yes"),
    ("oh thank goodness for that", "yes"), ("thank god it's sorted", "yes"), ("grazie al cielo sì", "yes"),
    ("meno male che c'è lei", "yes"), ("thankfully yes", "yes"), ("fortunately it's all good now", "yes"),
    # relief turned: what follows it or a no before it
    ("meno male ma è ancora tutto spento", "no"), ("no no meno male che ho il cellulare", "no"),
    # how to check: neither yes nor no
    ("how do i know it's working now", None), ("come faccio a capire se funziona", None),
    ("how can i tell it's fixed", None), ("e come lo vedo se va", None), ("what should i look for on the box", None),
    ("how do i test it then", None), ("come posso verificare", None),
]


def mine() -> list[str]:
    return [s for s, *_ in WINDOWS + HELPFUL]


def test_no_sentence_here_is_a_training_example():
    assert among_training(mine()) == []


def test_no_sentence_here_is_an_evaluation_answer():
    assert among_evaluation(mine()) == []


@pytest.mark.parametrize("said, offered, index", WINDOWS)
def test_a_window_by_the_morning_the_week_or_an_hour_corrected(menus, said, offered, index):  # noqa: F811
    assert menu_answers.window(menus, said, offered, THURSDAY) == index


@pytest.mark.parametrize("said, meant", HELPFUL)
def test_relief_is_a_yes_and_how_to_check_no_answer(menus, said, meant):  # noqa: F811
    assert as_the_call_acts(menus, "helpful", said) == meant


@pytest.mark.parametrize("said", ["meno male sì è quello", "oh thank god yes"])
def test_relief_at_the_number_is_no_no(menus, said):  # noqa: F811
    assert menu_answers.yes_or_no(menus, said, "yes_no") == "yes"


@pytest.mark.parametrize("said, meant", [("at five no make it two", "at two"), ("domani alle sei anzi alle tre",
                                                                                  "domani at tre")])
def test_an_hour_corrected_keeps_the_day_and_the_new_hour(said, meant):
    assert hour_corrected(said) == meant


@pytest.mark.parametrize("said", ["la due no la tre", "il tre no il cinque maggio", "at two or maybe five"])
def test_no_hour_corrected_in_keys_dates_or_a_doubt(said):
    assert hour_corrected(said) == said


@pytest.mark.parametrize("said", ["next week", "dopo il fine settimana", "la settimana prossima", "after the weekend"])
def test_the_week_after_is_named(said):
    assert next_week_named(said)[1]


@pytest.mark.parametrize("said", ["the weekend one", "not next week", "il fine settimana sono via"])
def test_the_weekend_itself_or_next_week_refused_is_not_the_week_after(said):
    assert not next_week_named(said)[1]


@pytest.mark.parametrize("said", ["how do i tell if it works", "come faccio a sapere se va"])
def test_a_question_about_checking_is_found(said):
    assert how_to_check(said)


@pytest.mark.parametrize("said", ["meno male ma non va", "purtroppo meno male no"])
def test_relief_turned_is_no_relief(said):
    assert not relieved(said)


@pytest.mark.parametrize("said", ["la settimana prossima", "call me after the weekend"])
def test_the_week_after_at_the_options_is_the_window(menus, said):  # noqa: F811
    assert menu_answers.option(menus, said) == "window"
