"""Numbers, waits, days and times as a person would say them; the words live in prompts/spoken.yaml."""
from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path

import yaml

from ivr.call.business_hours import Window

DEFAULT_LANGUAGE = "it"
REQUIRED = ("weekdays", "months", "meridiem", "today", "tomorrow", "date", "day_numbers", "moment",
            "window", "window_same_half", "span", "clock.at", "clock.at_minutes", "clock.the",
            "clock.the_minutes", "wait.under_a_minute", "wait.a_minute", "wait.minutes",
            "wait.named_minutes", "wait.an_hour", "wait.hour_and_half", "wait.two_hours",
            "wait.over_two_hours")


def _half_up(value: float) -> int:
    # round() rounds halves to even ("2.5 minutes" → 2); people round them up
    return math.floor(value + 0.5)


class Speech:
    """Reads numbers and times aloud in one of the languages of spoken.yaml."""

    def __init__(self, words: dict[str, dict]):
        for lang, table in words.items():
            for key in REQUIRED:
                node = table
                for part in key.split("."):
                    if not isinstance(node, dict) or part not in node:
                        raise ValueError(f"spoken words for {lang!r} lack {key!r}")
                    node = node[part]
            if len(table["weekdays"]) != 7 or len(table["months"]) != 12 or len(table["meridiem"]) != 2:
                raise ValueError(f"spoken words for {lang!r} need 7 weekdays, 12 months and 2 meridiem words")
        self.words = words

    @classmethod
    def load(cls, path: Path) -> "Speech":
        with open(path, encoding="utf-8") as handle:
            return cls(yaml.safe_load(handle))

    def _lang(self, lang: str) -> dict:
        return self.words.get(lang) or self.words[DEFAULT_LANGUAGE]

    def digits(self, digits: str) -> str:
        """One character at a time ("4567" → "4 5 6 7"), so TTS does not read "four thousand…"."""
        return " ".join(char for char in digits if not char.isspace())

    def wait(self, seconds: float, lang: str) -> str:
        """A wait rounded the way a person would say it: minutes, then quarters, halves and hours."""
        w = self._lang(lang)["wait"]
        minutes = max(seconds or 0, 0) / 60
        if minutes < 1:
            return w["under_a_minute"]
        if minutes < 1.5:
            return w["a_minute"]
        if minutes < 9.5:
            return w["minutes"].format(n=_half_up(minutes))
        if minutes < 47.5:
            n = 5 * _half_up(minutes / 5)  # past ten minutes nobody says "about 23"
            return w["named_minutes"].get(n, w["minutes"].format(n=n))
        if minutes < 75:
            return w["an_hour"]
        if minutes < 105:
            return w["hour_and_half"]
        if minutes < 135:
            return w["two_hours"]
        return w["over_two_hours"]

    def moment(self, at: datetime | Window, now: datetime, lang: str) -> str:
        """When something happens: "oggi alle 14 e 30", "tomorrow at 8:30 am", "lunedì 3 marzo alle 9".

        A Window is a promise we can only give as a span: "domani tra le 8 e 30 e le 9 e 15", or, across
        days, "da sabato 7 marzo alle 17 e 45 a lunedì 9 marzo alle 9".
        """
        w = self._lang(lang)
        if isinstance(at, Window):
            if at.start.date() == at.end.astimezone(at.start.tzinfo).date():
                return self.window(at, now, lang)
            return w["span"].format(start=self.moment(at.start, now, lang), end=self.moment(at.end, now, lang))
        return w["moment"].format(day_phrase=self._day(at, now, w), time=self._clock(at, "at", w))

    def window(self, window: Window, now: datetime, lang: str) -> str:
        """A callback window: "oggi tra le 14 e le 16", "today between 2 and 4 pm"."""
        w = self._lang(lang)
        start, end = window.start, window.end.astimezone(window.start.tzinfo)
        same_half = start.hour // 12 == end.hour // 12 and not self._named(start, "the", w)
        template = w["window_same_half"] if same_half else w["window"]
        return template.format(day_phrase=self._day(start, now, w), start=self._clock(start, "the", w),
                               start_short=self._clock(start, "short", w), end=self._clock(end, "the", w))

    def money(self, cents: int, lang: str) -> str:
        """An amount in euros as said aloud: "79 euro e 90 centesimi", "45 euros"."""
        w = self._lang(lang)
        euros, rest = divmod(int(cents), 100)
        return (w["money"] if rest else w["money_whole"]).format(euros=euros, cents=rest)

    def day(self, on, today, lang: str) -> str:
        """A date without a time: "oggi", "domani", "lunedì 15 dicembre", "Monday, December 15"."""
        w = self._lang(lang)
        noon = datetime(on.year, on.month, on.day, 12)
        return self._day(noon, datetime(today.year, today.month, today.day, 12), w)

    def ordinal_position(self, position: int, lang: str) -> str:
        """A place in line as a plain numeral ("3"), never an ordinal word.

        Italian ordinals agree with their noun (il terzo / la terza), so the prompts carry the
        noun and the article ("la numero {n}", "number {n}") and the numeral fits any of them.
        """
        if position < 1:
            raise ValueError(f"a position in line starts at 1, not {position}")
        return str(position)

    # -- pieces -----------------------------------------------------------------
    def _day(self, at: datetime, now: datetime, w: dict) -> str:
        days = (at.date() - now.astimezone(at.tzinfo).date()).days
        if days == 0:
            return w["today"]
        if days == 1:
            return w["tomorrow"]
        day = w["day_numbers"].get(at.day, str(at.day))
        return w["date"].format(weekday=w["weekdays"][at.weekday()], day=day, month=w["months"][at.month - 1])

    def _named(self, at: datetime, form: str, w: dict) -> bool:
        """Whether this hour has its own word in `form` (noon, mezzogiorno, l'una …)."""
        key = form if at.minute == 0 else f"{form}_minutes"
        return key in (w["clock"].get("hours") or {}).get(at.hour, {})

    def _clock(self, at: datetime, form: str, w: dict) -> str:
        clock = w["clock"]
        key = form if at.minute == 0 else f"{form}_minutes"
        if key not in clock:
            key = key.replace(form, "the", 1)  # a language without a short form uses the full one
        template = (clock.get("hours") or {}).get(at.hour, {}).get(key, clock[key])
        return template.format(h=at.hour, h12=(at.hour - 1) % 12 + 1, m=at.minute, mm=f"{at.minute:02d}",
                               ampm=w["meridiem"][at.hour // 12]).strip()
