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
from tests.unit.test_menu_answers import MENU_EVAL, menus  # noqa: F401  (menus: the app's models, a fixture)
from tests.unit.test_menu_answers_fresh import FRESH
from tests.unit.test_menu_answers_third import THIRD
from tests.unit.test_menu_answers_fourth import FOURTH
from tests.unit.test_menu_answers_fifth import FIFTH
from tests.unit.test_menu_answers_sixth import SIXTH
from tests.unit.test_menu_answers_seventh import SEVENTH
from tests.unit.test_menu_answers_eighth import EIGHTH

NINTH = PROJECT_ROOT / "tests" / "data" / "menu_eval_ninth"
# its asked_again/ holds answers that name none of the choices ("aspetti che prendo la penna", "noon tomorrow" when no
# window holds it): the call must ask again

# The bars the blind run missed, with its figures: none yet, as the set has not been measured (the lead engineer runs
# the bars once, later, and marks here any bar that run misses).
MISSED: dict[tuple[str, str], str] = {}

class TestNinthSet(BlindMenuSet):
    FOLDER = NINTH
    EARLIER = (MENU_EVAL, FRESH, THIRD, FOURTH, FIFTH, SIXTH, SEVENTH, EIGHTH)
    BLIND_RUN_MISSED = MISSED
    STILL_MISSED = frozenset(MISSED)
    ANSWERS_PER_MENU, NONE_PER_MENU, NONE_PER_LANGUAGE = 42, 8, 45
