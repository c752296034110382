"""The menu-answer models on an ELEVENTH, blind evaluation set (tests/data/menu_eval_eleventh), like the tenth a
REPRESENTATIVE SAMPLE of callers, not a set aimed at rare voices: each menu's answers as a random day's callers give
them, in about the proportions a care line hears them — mostly a few words in the caller's own wording, many with a
filler, a courtesy or a short reason, some longer, a regional turn, a hesitation, the odd change of mind, an elderly or
a hurried caller — with other callback windows than the tenth's (a Friday afternoon call offered Saturday and Monday,
an evening call, a call on Christmas Eve, a midday call), written without reading the models' training examples or the
ten other evaluation sets (issue 15 §1): the bars of tests/unit/test_menu_answers_sixth.py, to be measured once. A bar
the model misses on that run is marked xfail(strict=True) with its figures, so the gap stays visible and a fix shows
up as an XPASS."""
from __future__ import annotations

from ivr.app.settings import PROJECT_ROOT
from tests.support.blind_menu_set import BlindMenuSet
from tests.unit.test_menu_answers import menus  # noqa: F401  (the app's models, a fixture)

ELEVENTH = PROJECT_ROOT / "tests" / "data" / "menu_eval_eleventh"
# its asked_again/ holds answers a random caller gives that name none of the choices ("un attimo", "which number",
# "non ho ancora provato", a time no window holds): the call must ask again

# The blind run (6 Dec 2026, the models as of commit 3fc9342, after the round-10 fixes that followed the tenth set and
# the mended asides rule), with its figures; see docs/understanding.md. It read 99.2 % right over all 480 answers, every
# menu and language over 95 %, and a wrong action no rarer than "not understood" only because one label was a slip:
# "347 221 9065 no scusi 347 221 9056" was filed under the number said first, where its English twin ("347 992 1347
# sorry 347 992 1374") is filed under the corrected one; the reading booked the corrected number, and the label was
# mended after the run (the only change to the set since). With it, 1 wrong action against 2 not understood.
MISSED: dict[tuple[str, str], str] = {}
NONE_ACTED_ON = ("7 of 100 answers to none of the choices acted on (7.0 %): questions about a choice or the offer read "
                 "as that choice ('ma la chat è gratis' as the chat, 'anything later in the evening' and 'c'è qualcosa "
                 "di sera tardi' as the evening window, 'will the text come to this phone' as yes, 'ma il messaggio "
                 "arriva su questo numero' as no, 'is that the landline or the mobile' and 'eh come' as yes)")


class TestEleventhSet(BlindMenuSet):
    FOLDER = ELEVENTH
    BLIND_RUN_MISSED = MISSED
    STILL_MISSED = frozenset(MISSED)
    # NONE_ACTED_ON: round 11 (questions about a choice asked again) reached it: 1 of 100 acted on, 99.4 % right
    ANSWERS_PER_MENU, NONE_PER_MENU, NONE_PER_LANGUAGE = 44, 8, 45
