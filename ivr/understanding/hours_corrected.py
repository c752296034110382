"""An hour corrected in the same breath at the window menu (issue 15 §1, round 10): "five, actually no, make it two",
"alle sei anzi no alle tre", "verso le quattro, no, meglio le undici" name the hour after the correction, resolved
against the windows offered as every time is (as second_thoughts.py does for a key or a yes).
"""
from __future__ import annotations

from ivr.understanding.dates_said import MONTHS, hour_value
from ivr.understanding.answer_words import TURN_WORDS
from ivr.understanding.lexical import normalise

# a turn between two hours: what follows it replaces the hour said before
TURNS = TURN_WORDS | {"no", "nope"}   # the turns, and a no ("no, make it two")
# what may stand between the turn and the new hour ("make it two", "no meglio le undici", "no sorry at two")
BRIDGE = TURNS | {"it", "that", "le", "l", "alle", "all", "at", "around", "about", "verso", "for", "say", "let", "s",
                  "oh", "ehm", "um", "uh", "er", "la", "i", "diciamo", "dico", "ho", "detto", "said", "the", "ok",
                  "okay", "allora", "ecco", "mi", "ero", "sbagliato", "sbagliata", "got", "wrong", "one", "quella", "o",
                  "clock", "on", "a", "just", "ah", "eh", "mah"}
# said right before an hour: left with the first hour when the second replaces it
LEADS = {"le", "l", "alle", "all", "at", "around", "about", "verso", "for", "by", "dalle", "dopo", "after", "before",
         "prima", "delle", "the", "one", "quella", "il", "from"}
# the correction only counts when an hour was said as a time ("alle sei", "at five", "le due") or the turn says
# "make it", "meglio": "two no three" alone may be keys
TIME_SIGNS = {"alle", "all", "le", "at", "verso", "around", "about", "oclock", "clock", "am", "pm", "ish", "circa"}
STRONG_TURNS = {"make", "meglio", "facciamo", "rather", "invece"}
# "one" right after "no" is no hour unless a time word marks it ("at six, no one is home", "alle sei, no uno di
# noi …"; but "no, at one", "no all'una", "make it one", "no one o'clock")
ONE, NOES, AFTER_ONE = {"one", "uno", "una"}, {"no", "nope"}, {"oclock", "clock", "am", "pm", "ish"}


def _hour_at(words: list[str], i: int) -> bool:
    """Whether words[i] is an hour of the day, not a date ("il tre maggio", "the fifth")."""
    value = hour_value(words[i])
    return value is not None and 1 <= value <= 12 and words[i + 1:i + 2] not in ([m] for m in MONTHS)


def hour_corrected(text: str) -> str:
    """The answer with an hour taken back replaced by the hour said after the turn ("tomorrow at five no make it
    two" -> "tomorrow at two"); else the text as said."""
    words = normalise(text or "").split()
    hours = [i for i in range(len(words)) if _hour_at(words, i)]
    for first, second in zip(hours, hours[1:]):
        between = words[first + 1:second]
        if words[second] in ONE and words[second - 1] in NOES and not set(words[second + 1:second + 3]) & AFTER_ONE:
            continue
        if not between or not set(between) & TURNS or not set(between) <= BRIDGE | {"oclock", "am", "pm"}:
            continue
        near = words[max(0, first - 2):first + 2] + words[second - 2:second + 2]
        if not set(near + between) & (TIME_SIGNS | STRONG_TURNS):
            continue
        start = first
        while start > 0 and words[start - 1] in LEADS:
            start -= 1
        return hour_corrected(" ".join(words[:start] + ["at"] + words[second:]))  # "… no alle tre anzi alle quattro"
    return text
