"""Hour spans said without "dalle" or "from" at the window menu (brief H21), in sentences written for this file (none
is a training example nor an evaluation line, both checked below): "undici all'una", "le tre alle cinque" pick the
window that starts at the first hour, as "dalle undici all'una" does, or are asked again when none fits; "eleven to
one", "eleven till one", "between eleven and one" stay spans; "ten to one" alone (ten till one, or 12:50) names a
window only when both readings pick it. A date and an hour ("lunedì sette alle dieci"), an hour alone ("at eleven",
"all'una", "undici") read as before."""
from __future__ import annotations

import pytest

from ivr.understanding import menu_answers
from ivr.understanding.hour_spans import clock_reading, spans_led
from ivr.understanding.times_said import time_said
from tests.support.menu_rule_cases import among_evaluation, among_training, at
from tests.unit.test_menu_answers import menus  # noqa: F401  (the app's menu models, a fixture)

MONDAY = at(14, 9)   # Monday 14 December 2026, nine o'clock
# tomorrow 9-11, 11-13, 15-17
OFFERED = [(at(15, 9), at(15, 11)), (at(15, 11), at(15, 13)), (at(15, 15), at(15, 17))]
# tomorrow 10-12, 12-14, 16-18: "ten to one" is 10-12 as a span, 12-14 as 12:50
NOON = [(at(15, 10), at(15, 12)), (at(15, 12), at(15, 14)), (at(15, 16), at(15, 18))]
# tomorrow 10-13, 14-17: "ten to one" is 10-13 either way
WIDE = [(at(15, 10), at(15, 13)), (at(15, 14), at(15, 17))]

ITALIAN = [("undici all'una va benissimo", 1), ("mi metta le tre alle cinque", 2), ("domani nove alle undici grazie", 0),
           ("facciamo undici alle tredici", 1), ("per me le undici all'una", 1), ("va bene tre alle cinque domani", 2),
           ("meglio le sette alle nove", None),
           # as "dalle quattro alle sei": the first hour inside an offered window (15-17) is that window
           ("le quattro alle sei se si può", 2)]
ENGLISH = [("eleven to one works for me", 1), ("eleven till one would suit", 1), ("somewhere between eleven and one", 1),
           ("three to five tomorrow ta", 2), ("nine until eleven then", 0), ("seven to nine in the evening", None)]
TEN_TO = [("ten to one please", NOON, None), ("say ten to one", WIDE, 0), ("at ten to one if you can", NOON, None),
          ("from ten to one", NOON, 0), ("ten till one tomorrow", NOON, 0), ("five to seven please", NOON, None)]
UNCHANGED = [("at eleven then", OFFERED, 1), ("alle undici per me va bene", OFFERED, 1), ("undici", OFFERED, None),
             ("all'una grazie", NOON, 1), ("dalle undici all'una per favore", OFFERED, 1),
             ("tra le tre e le cinque domani", OFFERED, 2), ("at one o'clock", NOON, 1)]
DATES = [("lunedì sette alle dieci", (7, None), 10), ("il quindici alle tre", (15, None), 15),
         ("sabato dodici alle nove", (12, None), 9)]


def mine() -> list[str]:
    return [s for s, _ in ITALIAN + ENGLISH] + [s for s, _, _ in TEN_TO + UNCHANGED + DATES]


@pytest.mark.parametrize("said, meant", ITALIAN)
def test_an_italian_span_without_dalle_picks_the_window_it_names(menus, said, meant):  # noqa: F811
    assert menu_answers.window(menus, said, OFFERED, MONDAY) == meant


@pytest.mark.parametrize("said, meant", ENGLISH)
def test_an_english_span_without_from_picks_the_window_it_names(menus, said, meant):  # noqa: F811
    assert menu_answers.window(menus, said, OFFERED, MONDAY) == meant


@pytest.mark.parametrize("said, offered, meant", TEN_TO)
def test_ten_to_one_names_a_window_only_when_span_and_clock_time_agree(menus, said, offered, meant):  # noqa: F811
    assert menu_answers.window(menus, said, offered, MONDAY) == meant


@pytest.mark.parametrize("said, offered, meant", UNCHANGED)
def test_an_hour_alone_or_a_span_led_reads_as_before(menus, said, offered, meant):  # noqa: F811
    assert menu_answers.window(menus, said, offered, MONDAY) == meant


@pytest.mark.parametrize("said, date, hour", DATES)
def test_a_date_before_alle_stays_a_date(said, date, hour):
    assert time_said(said).date == date


@pytest.mark.parametrize("said, date, hour", DATES)
def test_a_date_before_alle_keeps_the_hour_after_it(said, date, hour):
    assert time_said(said).hour == hour


def test_a_bare_span_is_led_by_dalle():
    assert spans_led("domani le undici all una") == "domani dalle undici alle una"


def test_hours_too_far_apart_are_no_span():
    assert spans_led("due alle nove") == "due alle nove"


def test_a_span_led_by_from_has_no_clock_reading():
    assert clock_reading("from ten to one") is None


def test_ten_to_one_alone_is_one_less_ten_minutes():
    assert clock_reading("ten to one") == ("one oclock", 10 / 60)


def test_no_sentence_here_is_a_training_example():
    assert among_training(mine()) == []


def test_no_sentence_here_is_an_evaluation_answer():
    assert among_evaluation(mine()) == []
