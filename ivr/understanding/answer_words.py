"""The few words callers answer with that several menu rules share: one home for each set.

Each rule module builds the set it needs from these: where it needs more words (or fewer) it says which beside its
own name. The sets were merged only where every answer of the menu evaluation sets and of the menu rule tests is
read as before (brief H20).
"""
from __future__ import annotations

# the plain negations: what follows them is denied ("non va", "not working", "never", "mai")
NEGATIONS = frozenset({"non", "not", "no", "never", "mai"})
# "don't" as normalise leaves it ("don t", "dont")
DONT = frozenset({"don", "dont"})
# a no given as the answer ("no", "nope", "nah")
NO_WORDS = frozenset({"no", "nope", "nah"})
# a plain yes ("sì", "yes", "yeah", "yep", "certo", "sure")
YES_WORDS = frozenset({"si", "yes", "yeah", "yep", "certo", "sure"})
# a yes that leads an answer and is taken as one ("sì, è il suo", "esatto, ma...")
YES_FIRST = YES_WORDS | {"esatto"}
# an ok, a yes to go ahead
OK_WORDS = frozenset({"ok", "okay"})
# a yes or a no said as the answer
ANSWER_WORDS = YES_FIRST | OK_WORDS | NO_WORDS
# the negations with what normalise leaves of "don't", "isn't", "can't" ("don t", "isn t", "nt")
NEGATED = NEGATIONS | DONT | {"t", "isn", "nt"}
# a turn: what follows takes back what came before ("anzi", "cioè", "actually", "sorry", "wait", "I mean")
TURN_WORDS = frozenset({"anzi", "cioe", "actually", "scusi", "scusa", "sorry", "aspetti", "aspetta", "wait", "mean",
                        "attimo", "momento", "secondo", "ehm", "hmm", "oops", "correction", "hang", "sec", "meglio",
                        "make", "rather", "instead", "invece", "facciamo"})
