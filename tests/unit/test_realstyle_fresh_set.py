"""The second real-style held-out set (issue 16), written blind: its shape, its labels, and no overlap with training."""
from __future__ import annotations

from collections import Counter

import pytest
import yaml

from ivr.understanding.evaluation import load_realstyle
from ivr.understanding.language_id import training_texts
from tests.support.phrases import shaped_texts, texts_in
from tests.unit.test_understanding_eval import (ROOT, catalog, heldout, normalise,  # noqa: F401  (fixtures)
                                                realstyle)

FRESH = ROOT / "tests" / "data" / "intents_realstyle_fresh.yaml"


@pytest.fixture(scope="module")
def fresh():
    return load_realstyle(FRESH)


@pytest.fixture(scope="module")
def elsewhere(catalog, heldout, realstyle):  # noqa: F811  (fixtures imported above)
    """Every text the set must not share, normalised, by where it comes from."""
    return {
        "catalog": {normalise(text) for lang in catalog.languages
                    for text in [t for t, _ in catalog.examples(lang)] + catalog.out_of_scope(lang)},
        "first held-out set": {normalise(c.text) for c in heldout},
        "first real-style set": {normalise(c.text) for c in realstyle},
        "language identifier": {t for texts in training_texts(ROOT / "prompts").values() for t in texts},
        # every string of every prompt file: the prompt books and any training list beside the catalog
        "prompts": {normalise(t) for path in sorted((ROOT / "prompts").glob("*.yaml"))
                    for t in texts_in(yaml.safe_load(path.read_text(encoding="utf-8")))},
    }


def test_the_set_is_read_by_the_realstyle_loader(fresh):
    assert len(fresh) >= 340


@pytest.mark.parametrize("lang", ["it", "en"])
def test_170_texts_8_per_intent_and_50_out_of_scope_per_language(catalog, fresh, lang):  # noqa: F811
    counts = Counter(c.expected for c in fresh if c.lang == lang)
    assert sum(counts.values()) >= 170
    assert set(counts) == set(catalog.names) | {None}
    assert [i for i in catalog.names if counts[i] < 8] == []
    assert counts[None] >= 50


def test_labels_and_languages_are_the_catalogs(catalog, fresh):  # noqa: F811
    assert {c.expected for c in fresh} - set(catalog.names) == {None}
    assert {c.lang for c in fresh} == set(catalog.languages)


@pytest.mark.parametrize("lang", ["it", "en"])
def test_a_grievance_is_flagged_in_25_to_35_percent(fresh, lang):
    flags = [c.complaint for c in fresh if c.lang == lang]
    assert 0.25 <= sum(flags) / len(flags) <= 0.35


def test_a_text_that_is_only_a_grievance_is_flagged(fresh):
    assert [c.text for c in fresh if c.expected == "complaint" and not c.complaint] == []


@pytest.mark.parametrize("source", ["catalog", "first held-out set", "first real-style set",
                                    "language identifier", "prompts"])
def test_no_text_is_one_the_project_already_has(fresh, elsewhere, source):
    assert sorted({normalise(c.text) for c in fresh} & elsewhere[source]) == []


def test_no_text_appears_twice(fresh):
    texts = Counter(normalise(c.text) for c in fresh)
    assert [t for t, n in texts.items() if n > 1] == []


@pytest.mark.parametrize("lang", ["it", "en"])
@pytest.mark.parametrize("shape, at_least", [
    ("hashtag or mention", 8),
    ("emoji", 20),
    ("voicemail transcript", 15),
    ("several sentences", 50),
    ("shouting", 5),
])
def test_written_as_customers_write(fresh, lang, shape, at_least):
    assert len(shaped_texts(fresh, lang, shape)) >= at_least, shape


@pytest.mark.parametrize("lang", ["it", "en"])
def test_long_and_short_texts(fresh, lang):
    words = [len(c.text.split()) for c in fresh if c.lang == lang]
    assert sum(n >= 15 for n in words) >= 30
    assert sum(n <= 3 for n in words) >= 20
