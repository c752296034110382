"""Spoken numbers, waits, moments and windows in Italian and English."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from ivr.call.business_hours import Window
from ivr.speech.spoken import Speech

ROME = ZoneInfo("Europe/Rome")
SPOKEN_YAML = Path(__file__).resolve().parent.parent.parent / "prompts" / "spoken.yaml"
NOW = datetime(2026, 3, 5, 10, 0, tzinfo=ROME)   # a Thursday


def rome(*args) -> datetime:
    return datetime(*args, tzinfo=ROME)


@pytest.fixture(scope="module")
def speech() -> Speech:
    return Speech.load(SPOKEN_YAML)


@pytest.mark.parametrize("digits, expected", [("4567", "4 5 6 7"), ("0", "0"), ("12 34", "1 2 3 4"), ("", "")])
def test_digits(speech, digits, expected):
    assert speech.digits(digits) == expected


WAITS = [
    # seconds, Italian, English
    (0, "meno di un minuto", "less than a minute"),
    (45, "meno di un minuto", "less than a minute"),
    (60, "circa un minuto", "about a minute"),
    (89, "circa un minuto", "about a minute"),
    (90, "circa 2 minuti", "about 2 minutes"),
    (132, "circa 2 minuti", "about 2 minutes"),
    (150, "circa 3 minuti", "about 3 minutes"),       # halves round up, as people do
    (246, "circa 4 minuti", "about 4 minutes"),
    (300, "circa 5 minuti", "about 5 minutes"),
    (600, "circa 10 minuti", "about 10 minutes"),
    (13 * 60, "circa un quarto d'ora", "about 15 minutes"),
    (15 * 60, "circa un quarto d'ora", "about 15 minutes"),
    (23 * 60, "circa 25 minuti", "about 25 minutes"),
    (29 * 60, "circa mezz'ora", "about half an hour"),
    (34 * 60, "circa 35 minuti", "about 35 minutes"),
    (45 * 60, "circa tre quarti d'ora", "about 45 minutes"),
    (55 * 60, "circa un'ora", "about an hour"),
    (70 * 60, "circa un'ora", "about an hour"),
    (90 * 60, "circa un'ora e mezza", "about an hour and a half"),
    (2 * 3600, "circa due ore", "about two hours"),
    (3 * 3600, "più di due ore", "more than two hours"),
    (-5, "meno di un minuto", "less than a minute"),
]


@pytest.mark.parametrize("seconds, italian, english", WAITS, ids=[str(w[0]) for w in WAITS])
def test_wait(speech, seconds, italian, english):
    assert speech.wait(seconds, "it") == italian
    assert speech.wait(seconds, "en") == english


MOMENTS_IT = [
    (rome(2026, 3, 5, 14, 30), "oggi alle 14 e 30"),
    (rome(2026, 3, 5, 13, 0), "oggi alle 13"),
    (rome(2026, 3, 6, 8, 30), "domani alle 8 e 30"),
    (rome(2026, 3, 6, 1, 0), "domani all'una"),
    (rome(2026, 3, 6, 1, 15), "domani all'una e 15"),
    (rome(2026, 3, 5, 12, 0), "oggi a mezzogiorno"),
    (rome(2026, 3, 5, 12, 30), "oggi alle 12 e 30"),
    (rome(2026, 3, 6, 0, 0), "domani a mezzanotte"),
    (rome(2026, 3, 9, 9, 0), "lunedì 9 marzo alle 9"),
    (rome(2026, 4, 1, 9, 5), "mercoledì primo aprile alle 9 e 5"),
    (rome(2026, 3, 7, 9, 0), "sabato 7 marzo alle 9"),
]

MOMENTS_EN = [
    (rome(2026, 3, 5, 14, 30), "today at 2:30 pm"),
    (rome(2026, 3, 5, 13, 0), "today at 1 pm"),
    (rome(2026, 3, 6, 8, 30), "tomorrow at 8:30 am"),
    (rome(2026, 3, 5, 12, 0), "today at noon"),
    (rome(2026, 3, 5, 12, 30), "today at 12:30 pm"),
    (rome(2026, 3, 6, 0, 0), "tomorrow at midnight"),
    (rome(2026, 3, 9, 9, 0), "Monday 9 March at 9 am"),
    (rome(2026, 4, 1, 9, 5), "Wednesday 1 April at 9:05 am"),
]


@pytest.mark.parametrize("at, expected", MOMENTS_IT, ids=[m[1] for m in MOMENTS_IT])
def test_moment_italian(speech, at, expected):
    assert speech.moment(at, NOW, "it") == expected


@pytest.mark.parametrize("at, expected", MOMENTS_EN, ids=[m[1] for m in MOMENTS_EN])
def test_moment_english(speech, at, expected):
    assert speech.moment(at, NOW, "en") == expected


def test_today_is_decided_in_the_timezone_of_the_moment(speech):
    # 23:45 UTC on the 4th is already 00:45 on the 5th in Rome
    now = datetime(2026, 3, 4, 23, 45, tzinfo=timezone.utc)
    assert speech.moment(rome(2026, 3, 5, 8, 30), now, "it") == "oggi alle 8 e 30"
    assert speech.moment(rome(2026, 3, 6, 8, 30), now, "en") == "tomorrow at 8:30 am"


WINDOWS = [
    # start, end, Italian, English
    ((5, 14), (5, 16), "oggi tra le 14 e le 16", "today between 2 and 4 pm"),
    ((6, 9), (6, 11), "domani tra le 9 e le 11", "tomorrow between 9 and 11 am"),
    ((5, 11), (5, 13), "oggi tra le 11 e le 13", "today between 11 am and 1 pm"),
    ((5, 10), (5, 12), "oggi tra le 10 e mezzogiorno", "today between 10 am and noon"),
    ((5, 12), (5, 14), "oggi tra mezzogiorno e le 14", "today between noon and 2 pm"),
    ((6, 1), (6, 3), "domani tra l'una e le 3", "tomorrow between 1 and 3 am"),
    ((5, 20), (5, 21), "oggi tra le 20 e le 21", "today between 8 and 9 pm"),
    ((9, 9), (9, 11), "lunedì 9 marzo tra le 9 e le 11", "Monday 9 March between 9 and 11 am"),
]


@pytest.mark.parametrize("start, end, italian, english", WINDOWS, ids=[w[2] for w in WINDOWS])
def test_window(speech, start, end, italian, english):
    window = Window(rome(2026, 3, start[0], start[1]), rome(2026, 3, end[0], end[1]))
    assert speech.window(window, NOW, "it") == italian
    assert speech.window(window, NOW, "en") == english


def test_window_with_minutes(speech):
    window = Window(rome(2026, 3, 5, 12, 30), rome(2026, 3, 5, 14, 30))
    assert speech.window(window, NOW, "it") == "oggi tra le 12 e 30 e le 14 e 30"
    assert speech.window(window, NOW, "en") == "today between 12:30 and 2:30 pm"


@pytest.mark.parametrize("position, lang, expected", [(1, "it", "1"), (3, "it", "3"), (12, "en", "12")])
def test_ordinal_position_is_a_numeral(speech, position, lang, expected):
    assert speech.ordinal_position(position, lang) == expected


def test_ordinal_position_starts_at_one(speech):
    with pytest.raises(ValueError):
        speech.ordinal_position(0, "it")


def test_unknown_language_falls_back_to_italian(speech):
    assert speech.wait(300, "de") == speech.wait(300, "it")


def test_load_refuses_incomplete_words(tmp_path):
    words = yaml.safe_load(SPOKEN_YAML.read_text(encoding="utf-8"))
    del words["en"]["wait"]["an_hour"]
    path = tmp_path / "spoken.yaml"
    path.write_text(yaml.safe_dump(words, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match="wait.an_hour"):
        Speech.load(path)


def test_both_languages_are_complete():
    words = yaml.safe_load(SPOKEN_YAML.read_text(encoding="utf-8"))
    assert set(words) == {"it", "en"}
    assert words["it"].keys() == words["en"].keys()


@pytest.mark.parametrize("start, end, italian, english", [
    (rome(2026, 3, 6, 8, 30), rome(2026, 3, 6, 9, 15), "domani tra le 8 e 30 e le 9 e 15",
     "tomorrow between 8:30 and 9:15 am"),
    (rome(2026, 3, 7, 17, 30), rome(2026, 3, 9, 9, 30),
     "da sabato 7 marzo alle 17 e 30 a lunedì 9 marzo alle 9 e 30",
     "between Saturday 7 March at 5:30 pm and Monday 9 March at 9:30 am"),
])
def test_a_promised_span_is_said_as_a_moment(speech, start, end, italian, english):
    promise = Window(start, end)
    assert speech.moment(promise, NOW, "it") == italian
    assert speech.moment(promise, NOW, "en") == english
