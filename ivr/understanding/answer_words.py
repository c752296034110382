"""The few words callers answer with that several menu rules share: one home for each set.

Each rule module builds the set it needs from these; where a module needs a narrower or a wider set on purpose, it
builds it from these beside its own name (e.g. relief.NOT_BEFORE: the negations without "never", "mai").
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
# a turn: what follows takes back what came before ("anzi", "cioè", "actually", "sorry", "wait", "I mean")
TURN_WORDS = frozenset({"anzi", "cioe", "actually", "scusi", "scusa", "sorry", "aspetti", "aspetta", "wait", "mean"})
