"""The menu-answer models on a SIXTH, blind evaluation set (tests/data/menu_eval_sixth), written in the voices of
callers the fifth set did not aim at (driving on a hands-free kit, shift workers, small-business owners calling about
the shop line, callers who answer with a question first, callers who use the keypad words of other IVRs; besides
elderly, young, hurried, annoyed, very polite, regional Italian and English, non-native) without reading their
training examples or the five other evaluation sets, after all five had been seen by the models' authors (issue 15
§1): the bars of tests/unit/test_menu_answers_fifth.py, measured once. A bar the model missed on that run is marked
xfail(strict=True) with its figures, so the gap stays visible and a fix shows up as an XPASS."""
from __future__ import annotations

from ivr.app.settings import PROJECT_ROOT
from tests.support.blind_menu_set import BlindMenuSet
from tests.unit.test_menu_answers import menus  # noqa: F401  (the app's models, a fixture)

SIXTH = PROJECT_ROOT / "tests" / "data" / "menu_eval_sixth"
# its asked_again/ holds answers that name none of the choices ("aspetti che accosto la macchina", "which one the home or the shop"): the
# call must ask again

# The bars the first and only run missed (6 Dec 2026, the models as of commit e8fb5e7, after /work/briefs/h18.done),
# with its figures; see docs/understanding.md. That run met the other bars: 94.4 % right over all 414 answers, 10 wrong
# actions against 13 not understood, and 2 of the 90 answers to none of the choices (2.2 %) acted on.
BLIND_RUN_MISSED: dict[tuple[str, str], str] = {
    ("options", "it"): "86.7 % right (39/45), 6.7 % wrong action, 6.7 % not understood: 'smonto adesso dal turno di "
                       "notte richiamatemi subito che poi vado a dormire' read as window; 'scelgo io quando farmi "
                       "chiamare se si può' read as asap; 'un messaggio vocale per favore sono anziana e non so scrivere "
                       "sul telefono' read as chat; 'vorrei gentilmente essere ricontattata non appena possibile la "
                       "ringrazio', 'richiamatemi voi io intanto tiro su la saracinesca', 'ci scriviamo che al bar non "
                       "sento niente' asked again",
    ("window", "en"): "85.4 % right (35/41), 9.8 % wrong action, 4.9 % not understood: 'half ten would be ideal i open "
                      "the shop at noon' read as the second window; 'three please i'm in meetings all morning', 'the "
                      "second saturday one', 'mid morning on thursday' read as the first; 'not the weekend monday "
                      "please', 'fifteen hundred hours' asked again",
    ("number", "en"): "92.7 % right (38/41), 0 % wrong action, 7.3 % not understood: 'aye that's the number', 'two i'll "
                      "give you another one to ring', 'press two to change it' asked again",
}


# The kinds of failure the blind run found were then fixed (rules and training lines of their own, never these
# lines), and the bars above pass now except these: the set is no longer blind; the next set measures blind.
STILL_MISSED: frozenset[tuple[str, str]] = frozenset()


class TestSixthSet(BlindMenuSet):
    FOLDER = SIXTH
    BLIND_RUN_MISSED = BLIND_RUN_MISSED
    STILL_MISSED = STILL_MISSED
