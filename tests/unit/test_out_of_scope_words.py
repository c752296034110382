"""The out-of-scope detector's word n-gram model (brief H3): whole words, its blend weight, its cache file."""
from __future__ import annotations

import numpy as np
import pytest

from ivr.app.settings import load_settings
from ivr.understanding.loading import load_understanding
from ivr.understanding.out_of_scope import OutOfScopeDetector, WordModel
from ivr.understanding.out_of_scope_training import choose_blend, fit_parts

# someone else's subscription (1) against ours (0): the same verbs, a different name
TEXTS = ["come disdico la palestra", "voglio lasciare la palestra sotto casa", "quanto costa netflix al mese",
         "how do i cancel my gym", "is netflix cheaper than prime", "leaving the gym next month",
         "voglio disdire la fibra", "quanto costa la vostra fibra al mese", "lasciare la linea di casa",
         "how do i cancel my broadband", "is your broadband cheaper than before", "leaving my mobile plan next month"]
LABELS = [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]


@pytest.fixture(scope="module")
def words():
    return WordModel.fit(TEXTS, LABELS)


@pytest.mark.parametrize("text", ["posso disdire la palestra?", "NETFLIX: how do I stop paying"])
def test_a_word_seen_only_in_other_companies_texts_reads_as_out_of_scope(words, text):
    assert words.probability(text) > 0.5


@pytest.mark.parametrize("text", ["posso disdire la fibra?", "broadband: how do I stop paying"])
def test_the_same_ask_about_our_service_reads_as_in_scope(words, text):
    assert words.probability(text) < 0.5


def test_a_text_with_no_words_has_no_word_evidence(words):
    assert words.probability("?! 🙈") == 0.0


def test_the_word_model_is_the_same_after_a_trip_through_its_file(words, tmp_path):
    np.savez(tmp_path / "words.npz", **words.arrays())
    with np.load(tmp_path / "words.npz", allow_pickle=False) as data:
        again = WordModel.from_arrays(data)
    texts = ["la palestra costa troppo", "my broadband is down", "ciao"]
    assert [again.probability(t) for t in texts] == pytest.approx([words.probability(t) for t in texts])


def test_the_blend_gives_the_word_model_weight_when_only_it_separates_the_classes():
    labels = [1, 1, 1, 0, 0, 0]
    blind = np.array([0.5, 0.5, 0.5, 0.5, 0.5, 0.5])    # the encoder and the letters cannot tell them apart
    sharp = np.array([0.95, 0.9, 0.92, 0.1, 0.05, 0.2])
    weight, word_weight, threshold, precision, recall, _ = choose_blend(blind, blind, labels, target=0.99, word_p=sharp)
    assert word_weight > 0.0
    assert recall == 1.0


def test_without_word_scores_the_word_weight_stays_zero():
    labels = [1, 0]
    weight, word_weight, threshold, precision, recall, _ = choose_blend(np.array([0.9, 0.1]), np.array([0.9, 0.1]),
                                                                     labels, target=0.9)
    assert word_weight == 0.0


def test_a_detector_keeps_its_word_model_and_weight_in_its_cache_file(tmp_path):
    vectors = np.random.default_rng(0).normal(size=(len(TEXTS), 8)).astype(np.float32)
    lexical, weights, bias, words = fit_parts(TEXTS, vectors, LABELS)
    detector = OutOfScopeDetector(lexical, weights, bias, 0.2, 0.6, ("yes",), words, 0.5)
    detector.save(tmp_path / "detector.npz")
    again = OutOfScopeDetector.load(tmp_path / "detector.npz")
    assert again.word_weight == 0.5
    assert again.probability("disdire la palestra", vectors[0]) == pytest.approx(
        detector.probability("disdire la palestra", vectors[0]))


def test_the_served_detector_reads_words_too():
    detector = load_understanding(load_settings(environ={}, dotenv=False))[1].out_of_scope
    assert detector.words is not None
