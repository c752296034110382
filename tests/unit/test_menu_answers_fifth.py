"""The menu-answer models on a FIFTH, blind evaluation set (tests/data/menu_eval_fifth), written in the voices of
callers the fourth set did not aim at (in a hurry at work, with a cold, children helping grandparents, tourists, callers
half-listening; besides elderly, young, annoyed, very polite, regional Italian and English, non-native) without reading
their training examples or the four other evaluation sets, after all four had been seen by the models' authors
(issue 15 §1): the bars of tests/unit/test_menu_answers_fourth.py, measured once. A bar the model missed on that run is
marked xfail(strict=True) with its figures, so the gap stays visible and a fix shows up as an XPASS."""
from __future__ import annotations

from ivr.app.settings import PROJECT_ROOT
from tests.support.blind_menu_set import BlindMenuSet
from tests.unit.test_menu_answers import menus  # noqa: F401  (the app's models, a fixture)

FIFTH = PROJECT_ROOT / "tests" / "data" / "menu_eval_fifth"
# its asked_again/ holds answers that name none of the choices ("aspetti che guardo l'agenda", "hang on i'm driving"): the call must ask again

# The bars the first and only run missed (6 Dec 2026, the models as of commit 265cab7, after /work/briefs/h15.done),
# with its figures; see docs/understanding.md. That run met the other bars: 93.6 % right over all 439 answers, 7 wrong
# actions against 21 not understood, and 3 of the 100 answers to none of the choices (3.0 %) acted on.
BLIND_RUN_MISSED: dict[tuple[str, str], str] = {
    ("options", "it"): "93.3 % right (42/45), 0 % wrong action, 6.7 % not understood: 'uno uno sono in ufficio e "
                       "ho due minuti', 'tre tre la chat che qui in ufficio non posso parlare', 'la chat la faccio "
                       "io per la nonna che lei non sente bene' asked again",
    ("options", "en"): "93.2 % right (41/44), 0 % wrong action, 6.8 % not understood: 'i'm in a hotel i want to "
                       "say the time you call', 'i'd rather set the time myself the kids are screaming', 'ring me "
                       "tomorrow morning i'm not about today' asked again",
    ("window", "it"): "91.1 % right (41/45), 2.2 % wrong action, 6.7 % not understood: 'la terza quella di sabato più "
                      "tardi' read as the second window; 'la prima tra le dieci e mezzogiorno', 'premo tre che la "
                      "mattina lavoro fino alle due', 'oggi stesso che lunedì lavoro' asked again",
    ("window", "en"): "82.2 % right (37/45), 4.4 % wrong action, 13.3 % not understood: 'the third one saturday later "
                      "on' and 'um the afternoon one i guess' read as the second window; 'first slot ten till noon', "
                      "'the second one the noon to two', 'three cause i'm at work till two', 'eight fifteen pm', "
                      "'later today please i work monday', 'monday early the nine o'clock one' asked again",
    ("number", "it"): "92.9 % right (39/42), 4.8 % wrong action, 2.4 % not understood: 'no segni tre venti quattro "
                      "quattro quattro cinque cinque cinque sei' read as +39324445556 (a wrong number); 'due il numero "
                      "è 340 55 66 778' read as no; 'nun è chillo' asked again",
}


# The kinds of failure the blind run found were then fixed (rules and training lines of their own, never these
# lines), and the bars above pass now except these: the set is no longer blind; the next set measures blind.
# Options/it passed after the fixes that followed the sixth set (issue 15 §1, docs/understanding.md).
STILL_MISSED: frozenset[tuple[str, str]] = frozenset()


class TestFifthSet(BlindMenuSet):
    FOLDER = FIFTH
    BLIND_RUN_MISSED = BLIND_RUN_MISSED
    STILL_MISSED = STILL_MISSED
