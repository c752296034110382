"""The menu-answer models on an EIGHTH, blind evaluation set (tests/data/menu_eval_eighth), written in the voices of
callers the seventh set did not aim at (a bad mobile line with cut-off words, recogniser garbage and repeats, callers
who spell or count things out, callers in a shop or a car park, very old and formal callers, bilingual callers who
switch language mid-sentence, days named by date, negotiators, Sicilian, Sardinian and Venetian callers, Welsh,
Australian and Indian English, polite refusals, sarcasm, a choice mixed with a question) without reading their
training examples or the seven other evaluation sets, after all seven had been seen by the models' authors (issue 15
§1): the bars of tests/unit/test_menu_answers_sixth.py, to be measured once. A bar the model misses on that run is
marked xfail(strict=True) with its figures, so the gap stays visible and a fix shows up as an XPASS."""
from __future__ import annotations

from ivr.app.settings import PROJECT_ROOT
from tests.support.blind_menu_set import BlindMenuSet
from tests.unit.test_menu_answers import menus  # noqa: F401  (the app's models, a fixture)

EIGHTH = PROJECT_ROOT / "tests" / "data" / "menu_eval_eighth"
# its asked_again/ holds answers that name none of the choices ("aspetti un attimo che pago alla cassa", "can you do
# the 24th"): the call must ask again

# The bars the blind run missed (6 Dec 2026, the models as of commit ef4f132, after the round-7 fixes that followed the
# seventh set, /work/briefs/h6.done), with its figures; see docs/understanding.md. That run met the other bars: 96.6 %
# right over all 437 answers, 7 wrong actions against 8 not understood, and 3 of the 100 answers to none of the choices
# (3.0 %) acted on.
MISSED: dict[tuple[str, str], str] = {
    ("yes_no", "it"): "93.2 % right (41/44), 4.5 % wrong action, 2.3 % not understood: 'mizzica sì finalmente qualcuno "
                      "che capisce' read as no; 'sì come no proprio quello guardi non c'entra niente' (sarcasm) read as "
                      "yes; 'ecco brava è quello' asked again",
    ("helpful", "en"): "93.2 % right (41/44), 0 % wrong action, 6.8 % not understood: 'it did the trick', 'no so what do "
                       "i do now', 'fat lot of good that did it's still dead' asked again",
}

class TestEighthSet(BlindMenuSet):
    FOLDER = EIGHTH
    BLIND_RUN_MISSED = MISSED
    STILL_MISSED: frozenset[tuple[str, str]] = frozenset()  # round 8 (commits 168ddf0..b42b528) reached both: 99.1 % right
    ANSWERS_PER_MENU, NONE_PER_MENU, NONE_PER_LANGUAGE = 42, 8, 45
