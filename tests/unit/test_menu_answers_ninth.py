"""The menu-answer models on a NINTH, blind evaluation set (tests/data/menu_eval_ninth), written in the voices of
callers the eighth set did not aim at (Romanian, Albanian, Chinese, Arabic and Spanish speakers talking Italian; Polish,
Nigerian and Filipino speakers talking English; callers from Puglia, Calabria, Tuscany, Liguria and Friuli; South
African, Canadian, Irish-American and Jamaican English; callers half asleep or off a night shift, with a baby or a dog
in the background, repeating what a relative says or reading from a screen; bureaucratic Italian; times said as "alle
17", "half five", "teatime" or "dopo cena"; callers who rule out the other choices or say a choice in their own words;
digits said with an article or as "opzione"; numbers said with the country code, in pairs, triples or mixed with
words) without reading their training examples or the eight other evaluation sets, after all eight had been seen by
the models' authors (issue 15 §1): the bars of tests/unit/test_menu_answers_sixth.py, to be measured once. A bar the
model misses on that run is marked xfail(strict=True) with its figures, so the gap stays visible and a fix shows up as
an XPASS."""
from __future__ import annotations

from ivr.app.settings import PROJECT_ROOT
from tests.support.blind_menu_set import BlindMenuSet
from tests.unit.test_menu_answers import menus  # noqa: F401  (the app's models, a fixture)

NINTH = PROJECT_ROOT / "tests" / "data" / "menu_eval_ninth"
# its asked_again/ holds answers that name none of the choices ("aspetti che prendo la penna", "noon tomorrow" when no
# window holds it): the call must ask again

# The bars the blind run missed (6 Dec 2026, the models as of commit b42b528, after the round-8 fixes that followed the
# eighth set, /work/briefs/h9.done), with its figures; see docs/understanding.md. That run read 91.1 % right over all
# 461 answers, 7 wrong actions against 34 not understood (that bar met), options/en and window/it over 95 %, and acted
# on 6 of the 100 answers to none of the choices (6.0 %, over the 5 % bar).
MISSED: dict[tuple[str, str], str] = {
    ("helpful", "it"): "88.6 % right (39/44), 0 % wrong action, 11.4 % not understood: the device's state said instead "
                       "of yes or no ('il telefono ha ripreso a squillare', 'la lucina è ancora rossa'), a relative's "
                       "words relayed ('mio padre dice che ora la tv si vede'), bureaucratic Italian",
    ("helpful", "en"): "84.1 % right (37/44), 0 % wrong action, 15.9 % not understood: the device's state ('the light's "
                       "gone green', 'i've got a dial tone again', 'light's still flashing red'), relayed words ('my "
                       "nan says the telly's working now'), Jamaican English ('it nuh fix')",
    ("number", "it"): "91.3 % right (42/46), 2.2 % wrong action, 6.5 % not understood: 'po quello è il mio' read as "
                      "no; a stammer ('da da questo numero è bene'), relayed words, bureaucratic Italian",
    ("number", "en"): "89.4 % right (42/47), 0 % wrong action, 10.6 % not understood: 'ring that one', 'you can reach "
                      "me on that', 'that's the one call me there', Nigerian Pidgin, 'call his number instead'",
    ("options", "it"): "93.8 % right (45/48), 0 % wrong action, 6.2 % not understood: bureaucratic Italian ('opto per "
                       "essere ricontattato con la massima sollecitudine'), a learner's Italian ('io scrivere meglio "
                       "parlare non bene mandare messaggio'), 'mandatemi un messaggio e ci scriviamo'",
    ("window", "en"): "87.5 % right (42/48), 8.3 % wrong action, 4.2 % not understood: times of day said by a meal or "
                      "work ('monday teatime', 'after work on monday', 'after dinner', 'six on monday') read as another "
                      "window or not at all; 'the weekend one'",
    ("yes_no", "it"): "93.2 % right (41/44), 2.3 % wrong action, 4.5 % not understood: 'è completamente fuori strada' "
                      "read as yes; asking for a person at the outage offer ('fatemi parlare con un tecnico vero')",
    ("yes_no", "en"): "88.6 % right (39/44), 0 % wrong action, 11.4 % not understood: asking for a person at the outage "
                      "offer ('put me through to a human', 'let me talk to somebody please'), 'way off', Nigerian "
                      "Pidgin ('ehen na so')",
}
NONE_ACTED_ON = ("6 of 100 answers to none of the choices acted on (6.0 %): 'un momento che la bambina si è svegliata' "
                 "and a bureaucratic request for more details read as a window, 'the baby's grabbed the phone one sec' "
                 "as yes, 'mia figlia sa il numero io no' and 'my son has the number i don't' as no, 'io non ancora "
                 "guardato' as no")

class TestNinthSet(BlindMenuSet):
    FOLDER = NINTH
    BLIND_RUN_MISSED = MISSED
    STILL_MISSED: frozenset[tuple[str, str]] = frozenset()  # rounds 9 and 10 reached all eight: 98.3 % right
    NONE_ACTED_ON_MISSED = NONE_ACTED_ON
    ANSWERS_PER_MENU, NONE_PER_MENU, NONE_PER_LANGUAGE = 42, 8, 45
