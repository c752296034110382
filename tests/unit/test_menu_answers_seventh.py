"""The menu-answer models on a SEVENTH, blind evaluation set (tests/data/menu_eval_seventh), written in the voices of
callers the sixth set did not aim at (children or noise around them, callers who say the prompt's words back, who
correct themselves mid-sentence, who tell a long story before the choice, teenagers, a note read aloud, carers calling
for someone else, tourists, southern and northern Italian, Scots, Irish and US English, swearing, very short answers,
fillers) without reading their training examples or the six other evaluation sets, after all six had been seen by the
models' authors (issue 15 §1): the bars of tests/unit/test_menu_answers_sixth.py, to be measured once. A bar the model
misses on that run is marked xfail(strict=True) with its figures, so the gap stays visible and a fix shows up as an
XPASS."""
from __future__ import annotations

from ivr.app.settings import PROJECT_ROOT
from tests.support.blind_menu_set import BlindMenuSet
from tests.unit.test_menu_answers import menus  # noqa: F401  (the app's models, a fixture)

SEVENTH = PROJECT_ROOT / "tests" / "data" / "menu_eval_seventh"
# its asked_again/ holds answers that name none of the choices ("aspetti che chiedo a mio marito", "hang on let me
# check my rota"): the call must ask again

# The bars the blind run missed (6 Dec 2026, the models as of commit 226f941, after the fixes that followed the sixth
# set, /work/briefs/h1.done), with its figures; see docs/understanding.md. That run met the other bars: 94.6 % right
# over all 483 answers, 7 wrong actions against 19 not understood. (Measured once before those fixes too, at 5e7766f:
# 94.0 % right, 1.9 % wrong action, six bars missed.)
MISSED: dict[tuple[str, str], str] = {
    ("options", "it"): "93.0 % right (53/57), 1.8 % wrong action, 5.3 % not understood: 'accidenti adesso non posso "
                       "proprio mi dia gli orari e ne scelgo uno' read as asap; 'un momento che c'è il frullatore acceso "
                       "ecco la due un orario che decido io', 'la uno anzi no la due che sto entrando in riunione', "
                       "'aspetta amore che la mamma parla ecco lascio un messaggio vocale' asked again",
    ("window", "en"): "87.5 % right (42/48), 2.1 % wrong action, 10.4 % not understood: 'i can't do today at all i'm on "
                      "a building site so tomorrow' read as the first window; 'the eleven to one slot', 'three the nine "
                      "to eleven tomorrow', 'monday ten till twelve', 'the second tuesday twelve to two', 'wednesday "
                      "five till seven' asked again",
    ("yes_no", "it"): "89.1 % right (41/46), 2.2 % wrong action, 8.7 % not understood: 'no aspetti sì sì è giusto avevo "
                      "capito male io' read as no; 'allora io le ho detto che internet non va da lunedì e lei ha capito "
                      "bene quindi sì', 'guardi io ho chiamato perché mi hanno addebitato due volte la bolletta non per "
                      "la linea quindi no', 'la due con un operatore in carne e ossa', 'mannò' asked again",
    ("number", "it"): "90.9 % right (40/44), 6.8 % wrong action, 2.3 % not understood: 'no anzi sì va bene quello' read "
                      "as no; '346 21 no scusi 345 219 0876' and 'no cavolo quello non lo uso più 366 742 0918' read as "
                      "no instead of the number said; 'la uno quel numero va bene' asked again",
}
NONE_ACTED_ON = ("7 of 104 (6.7 %) acted on: 'devo chiedere a mio nonno se adesso va', 'i'd have to ask my grandad if "
                 "it's working' read as yes and 'io non sapere ancora', 'it's like still loading' as no at 'was it "
                 "useful?'; 'cavolo non trovo il foglio col numero' as no at the number; 'sto leggendo il foglietto ma "
                 "non c'è scritto cosa scegliere' as option 2, 'i'm calling for my aunt but she's not here right now' "
                 "as option 1")

# The kinds of failure the blind run found were then fixed (round 7: rules and training lines of their own, never these
# lines, commit ef4f132), and every bar above passes now, the answers to none of the choices too (0 of 104 acted on):
# the set is no longer blind; the eighth set measured round 7 blind.
STILL_MISSED: frozenset[tuple[str, str]] = frozenset()


class TestSeventhSet(BlindMenuSet):
    FOLDER = SEVENTH
    BLIND_RUN_MISSED = MISSED
    STILL_MISSED = STILL_MISSED
    ANSWERS_PER_MENU, NONE_PER_MENU, NONE_PER_LANGUAGE = 42, 8, 45
