"""The out-of-scope detector's gazetteer (brief H4): other companies' names, requests no care line handles,
the line's own words; its model, its weight in the blend and its place in the cache."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ivr.understanding.out_of_scope import OutOfScopeDetector, detector_key
from ivr.understanding.out_of_scope_training import choose_blend, fit_parts
from ivr.understanding.out_of_scope_names import Gazetteer, NamesModel

ROOT = Path(__file__).resolve().parents[2]
NAMES = ROOT / "prompts" / "out_of_scope_names.yaml"

# a toy gazetteer, so these tests do not move when the file grows
TOY = Gazetteer(frozenset({"spotify", "xbox", "carta di credito"}), frozenset({"dentist", "ricetta"}),
                frozenset({"fibra", "router"}))
TEXTS = ["spotify non parte", "la mia xbox si blocca", "need a dentist near me", "una ricetta veloce",
         "ho perso la carta di credito", "my xbox controller is broken",
         "la fibra non va", "il router lampeggia", "fibra lenta stasera", "router rosso da ieri",
         "the internet keeps dropping", "voglio parlare con un operatore"]
LABELS = [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]


@pytest.fixture(scope="module")
def gazetteer():
    return Gazetteer.load(NAMES)


@pytest.mark.parametrize("section", ["others", "requests", "ours"])
def test_the_file_fills_every_section(gazetteer, section):
    assert len(getattr(gazetteer, section)) >= 40


def test_the_file_leaves_telephone_operators_out(gazetteer):
    # "passo da vodafone a voi" is a request for this line, not someone else's product
    assert {"vodafone", "tim", "iliad", "fastweb"} & gazetteer.others == set()


@pytest.mark.parametrize("text", ["Can I watch Crunchyroll on a smart TV?", "il mio PS5 non scarica i giochi",
                                  "octopus energy won't answer the phone"])
def test_a_name_is_read_as_another_companys_in_any_case_and_punctuation(gazetteer, text):
    assert gazetteer.hits(text)[0]


def test_a_name_matches_only_as_whole_words(gazetteer):
    # "hp" is a printer maker; "whatsup" and "hphone" are not it
    assert not gazetteer.hits("hphone whatsupp")[0]


def test_a_phrase_of_several_words_matches_across_punctuation(gazetteer):
    assert gazetteer.hits("la bolletta... della luce è arrivata doppia")[1]


def test_our_own_words_are_told_apart(gazetteer):
    assert gazetteer.hits("netflix si blocca sul wifi di casa") == (True, False, True)


def test_the_indicators_say_another_name_without_ours():
    assert TOY.features("spotify non parte").tolist() == [1.0, 0.0, 0.0, 1.0, 0.0]


def test_the_indicators_say_another_name_beside_ours():
    assert TOY.features("spotify si blocca sulla fibra").tolist() == [1.0, 0.0, 1.0, 0.0, 0.0]


def test_the_names_model_reads_a_name_it_never_saw_in_a_training_text():
    model = NamesModel.fit(TOY, TEXTS[:4] + TEXTS[6:], LABELS[:4] + LABELS[6:])   # no text names "carta di credito"
    assert model.probability("mi hanno bloccato la carta di credito") > 0.5


def test_the_names_model_leaves_a_text_about_our_service_in_scope():
    model = NamesModel.fit(TOY, TEXTS, LABELS)
    assert model.probability("il router non si accende") < 0.5


def test_the_blend_gives_the_names_weight_when_only_they_separate_the_classes():
    labels = [1, 1, 1, 0, 0, 0]
    blind = np.full(6, 0.5)
    named = np.array([0.9, 0.95, 0.9, 0.1, 0.2, 0.1])
    *_, names_weight = choose_blend(blind, blind, labels, target=0.99, word_p=blind, names_p=named)
    assert names_weight > 0.0


def test_without_names_scores_the_names_weight_stays_zero():
    *_, names_weight = choose_blend(np.array([0.9, 0.1]), np.array([0.9, 0.1]), [1, 0], target=0.9)
    assert names_weight == 0.0


def test_a_detector_keeps_its_names_model_and_weight_in_its_cache_file(tmp_path):
    vectors = np.random.default_rng(1).normal(size=(len(TEXTS), 8)).astype(np.float32)
    lexical, weights, bias, words = fit_parts(TEXTS, vectors, LABELS)
    detector = OutOfScopeDetector(lexical, weights, bias, 0.2, 0.6, ("yes",), words, 0.3,
                                  NamesModel.fit(TOY, TEXTS, LABELS), 0.2)
    detector.save(tmp_path / "detector.npz")
    again = OutOfScopeDetector.load(tmp_path / "detector.npz")
    assert again.probability("spotify non parte", vectors[0]) == pytest.approx(
        detector.probability("spotify non parte", vectors[0]))


def test_editing_the_gazetteer_changes_the_cache_key(tmp_path):
    examples = tmp_path / "out_of_scope.yaml"
    examples.write_text("out_of_scope: {it: [a], en: [b]}\nin_scope: {it: [c], en: [d]}\n", encoding="utf-8")
    before = detector_key(examples)
    (tmp_path / "out_of_scope_names.yaml").write_text("others: {it: [spotify], en: []}\n", encoding="utf-8")
    assert detector_key(examples) != before


def _detector_with(gazetteer: Gazetteer, names_weight: float) -> OutOfScopeDetector:
    vectors = np.random.default_rng(2).normal(size=(len(TEXTS), 8)).astype(np.float32)
    lexical, weights, bias, words = fit_parts(TEXTS, vectors, LABELS)
    return OutOfScopeDetector(lexical, weights, bias, 0.4, 0.7, ("yes",), words, 0.2,
                              NamesModel.fit(gazetteer, TEXTS, LABELS), names_weight)


def test_a_text_naming_only_someone_elses_product_is_for_the_detector_to_judge():
    assert _detector_with(TOY, 0.3).names_someone_else("quanto costa spotify premium")


def test_a_text_naming_our_service_beside_another_company_is_not_taken_from_the_intent_model():
    assert not _detector_with(TOY, 0.3).names_someone_else("spotify si blocca, la fibra non regge")


def test_a_gazetteer_the_cross_validation_gave_no_weight_takes_nothing_from_the_intent_model():
    assert not _detector_with(TOY, 0.0).names_someone_else("quanto costa spotify premium")


@pytest.fixture(scope="module")
def served():
    from ivr.app.settings import load_settings
    from ivr.understanding.loading import load_understanding

    return load_understanding(load_settings(environ={}, dotenv=False))[1]


def test_the_served_detector_reads_the_gazetteer(served):
    assert served.out_of_scope.names is not None


@pytest.mark.parametrize("text", ["how do I cancel my hulu trial", "come disdico l'abbonamento a timvision"])
def test_cancelling_another_companys_subscription_is_not_answered(served, text):
    # the lexical model alone is sure these are cancel_contract; the names hand them to the detector
    assert served.interpret(text, "en").intent is None


@pytest.mark.parametrize("text", ["how do i cancel my broadband", "voglio disdire il contratto della linea fissa"])
def test_cancelling_our_own_contract_still_is(served, text):
    assert served.interpret(text, "it").intent == "cancel_contract"


@pytest.mark.parametrize("text", ["voglio parlare con un operatore subito", "il costo dell'abbonamento è aumentato",
                                  "posso pagare la bolletta con la carta di credito?", "vorrei pagare col bancomat",
                                  "can I pay my bill by debit card", "ups, volevo dire di no",
                                  "still chasing a refund, the boots of the engineer left mud everywhere"])
def test_plain_words_and_paying_our_own_bill_name_no_other_company(gazetteer, text):
    # brief H15: such words made our own requests read as someone else's
    assert not gazetteer.hits(text)[0]
