"""The menu-answer models on a TENTH, blind evaluation set (tests/data/menu_eval_tenth), and unlike the nine before it
a REPRESENTATIVE SAMPLE of callers, not a set aimed at rare voices: each menu's answers as a random day's callers give
them, in about the proportions a care line hears them — mostly a few words in the caller's own wording, many with a
filler, a courtesy or a short reason, some longer, a regional turn, a hesitation, the odd change of mind, an elderly or
a hurried caller — written without reading the models' training examples or the nine other evaluation sets (issue 15
§1): the bars of tests/unit/test_menu_answers_sixth.py, to be measured once. A bar the model misses on that run is
marked xfail(strict=True) with its figures, so the gap stays visible and a fix shows up as an XPASS."""
from __future__ import annotations

from ivr.app.settings import PROJECT_ROOT
from tests.support.blind_menu_set import BlindMenuSet
from tests.unit.test_menu_answers import menus  # noqa: F401  (the app's models, a fixture)

TENTH = PROJECT_ROOT / "tests" / "data" / "menu_eval_tenth"
# its asked_again/ holds answers a random caller gives that name none of the choices ("un attimo", "which number",
# "non ho ancora provato", a time no window holds): the call must ask again

# The bars the blind run missed (6 Dec 2026, the models as of commit d29d46a, after the round-9 fixes that followed the
# ninth set, /work/briefs/h13.done), with its figures; see docs/understanding.md. That run read 98.0 % right over all
# 496 answers (wrong 1.4 %, asked again 0.6 %), eight of ten pairs over 95 %, and acted on 4 of the 102 answers to none
# of the choices (3.9 %, under the 5 % bar).
MISSED: dict[tuple[str, str], str] = {
    ("window", "it"): "94.3 % right (50/53), 5.7 % wrong action: 'prima di pranzo grazie' read as tomorrow morning's "
                      "window, 'dopo il fine settimana' as the weekend's, 'ehm alle sei forse no alle tre meglio' as six",
    ("window", "en"): "92.5 % right (49/53), 5.7 % wrong action, 1.9 % not understood: 'before lunch if possible', "
                      "'after the weekend', 'six o'clock actually no make it three' read as another window; 'mornings "
                      "are best for me dear' asked again",
}
WRONG_ACTIONS = ("7 wrong actions against 3 not understood: the six window answers above and 'eh sì meno male' (thank "
                 "goodness) read as no at 'was it useful?'")



class TestTenthSet(BlindMenuSet):
    FOLDER = TENTH
    BLIND_RUN_MISSED = MISSED
    STILL_MISSED: frozenset[tuple[str, str]] = frozenset()  # round 10 reached both, and the wrong-action bar: 99.4 %
    ANSWERS_PER_MENU, NONE_PER_MENU, NONE_PER_LANGUAGE = 44, 8, 45
