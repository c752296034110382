"""The out-of-scope detector's second encoder (second_encoder.py: USE multilingual v3 from its PyPI wheel): what it
reads, how its share of the blend is chosen, that the cache keeps it, and that the served detector uses it."""
from __future__ import annotations

import numpy as np
import pytest

from ivr.app.settings import load_settings
from ivr.understanding.loading import load_understanding
from ivr.understanding.out_of_scope import OutOfScopeDetector
from ivr.understanding.out_of_scope_names import Gazetteer, NamesModel
from ivr.understanding.out_of_scope_training import choose_second_share, fit_parts, second_blend
from ivr.understanding.second_encoder import MOST_WORDS, SecondEncoder, second_encoder_name


@pytest.fixture(scope="module")
def second() -> SecondEncoder:
    return SecondEncoder(threads=1)


@pytest.fixture(scope="module")
def model():
    return load_understanding(load_settings(environ={}, dotenv=False))[1]


def test_a_sentence_is_closer_to_its_translation_than_to_another_request(second):
    italian, english, other = second.encode(["la fibra non funziona da ieri sera", "my fibre hasn't worked since last night",
                                             "vorrei disdire il contratto"])
    assert float(italian @ english) > float(italian @ other)


def test_a_text_read_alone_is_the_row_read_among_others(second):
    rows = second.encode(["chi ha inventato il telefono?", "Who invented the telephone?", "ok"])
    assert np.allclose(second.encode_one("Who invented the telephone?"), rows[1], atol=1e-5)


def test_rows_are_unit_vectors(second):
    assert np.linalg.norm(second.encode_one("il modem lampeggia rosso 😡")) == pytest.approx(1.0, abs=1e-3)


def test_the_second_member_gets_a_share_when_it_catches_what_the_first_cannot():
    labels = [1, 1, 1, 1, 0, 0, 0, 0]
    first = np.array([0.9, 0.6, 0.6, 0.6, 0.6, 0.2, 0.1, 0.1])    # three out-of-scope texts tied with an in-scope one
    second = np.array([0.9, 0.9, 0.8, 0.8, 0.1, 0.2, 0.1, 0.1])   # the second encoder tells them apart
    # the first alone catches one of four at precision 0.98; a share of the second catches all four
    assert choose_second_share(first, second, labels, target=0.98)[3] == 1.0


def test_a_second_member_that_adds_nothing_gets_no_share():
    labels = [1, 1, 0, 0]
    first = np.array([0.9, 0.8, 0.2, 0.1])
    second = np.array([0.1, 0.2, 0.9, 0.8])   # upside down: any share of it would cost recall or precision
    assert choose_second_share(first, second, labels, target=0.98)[0] == 1.0


TEXTS = ["spotify non parte", "cosa vuol dire la sigla PDF", "what does UNESCO stand for", "una ricetta veloce",
         "la fibra non va", "il router lampeggia", "my broadband is off", "router rosso da ieri"]
LABELS = [1, 1, 1, 1, 0, 0, 0, 0]


TOY = Gazetteer(frozenset({"spotify", "unesco"}), frozenset({"ricetta"}), frozenset({"fibra", "router", "broadband"}))


def _with_second(second: SecondEncoder) -> OutOfScopeDetector:
    vectors = np.random.default_rng(3).normal(size=(len(TEXTS), 8)).astype(np.float32)
    lexical, weights, bias, words = fit_parts(TEXTS, vectors, LABELS)
    from sklearn.linear_model import LogisticRegression

    head = LogisticRegression(C=10.0, class_weight="balanced").fit(second.encode(TEXTS), LABELS)
    detector = OutOfScopeDetector(lexical, weights, bias, 0.5, 0.7, ("yes",), words, 0.2,
                                  NamesModel.fit(TOY, TEXTS, LABELS), 0.2,
                                  second_weights=head.coef_[0].astype(np.float32),
                                  second_bias=float(head.intercept_[0]), first_share=0.4)
    detector.second = second
    return detector


def _second_alone(detector: OutOfScopeDetector, second: SecondEncoder, text: str) -> float:
    return float(1 / (1 + np.exp(-(second.encode_one(text) @ detector.second_weights + detector.second_bias))))


def test_the_blend_is_the_first_members_and_the_second_by_its_share(second):
    detector, vector = _with_second(second), np.zeros(8, dtype=np.float32)
    first = detector.first_probability("my broadband is off", vector)
    alone = _second_alone(detector, second, "my broadband is off")
    assert detector.probability("my broadband is off", vector) == pytest.approx(0.4 * first + 0.6 * alone)


@pytest.mark.parametrize("text", ["spotify non parte", "what does UNESCO stand for", "my broadband is off"])
def test_serving_blends_as_training_chose_with_the_rule_for_others_names(second, text):
    detector, vector = _with_second(second), np.zeros(8, dtype=np.float32)
    first = detector.first_probability(text, vector)
    trained = second_blend(0.4, np.array([first]), np.array([_second_alone(detector, second, text)]),
                           np.array([detector.names_only_someone_else(text)]))
    assert detector.probability(text, vector) == pytest.approx(float(trained[0]))


def test_where_only_someone_elses_is_named_the_blend_never_goes_under_the_first_members(second):
    detector, vector = _with_second(second), np.zeros(8, dtype=np.float32)
    assert detector.probability("spotify non parte", vector) >= detector.first_probability("spotify non parte", vector)


def test_a_very_long_text_is_read_up_to_its_first_words(second):
    words = "la fibra non va da ieri sera e nessuno risponde".split()
    long = " ".join(words * 40)
    cut = " ".join((words * 40)[:MOST_WORDS])
    assert np.allclose(second.encode_one(long), second.encode_one(cut), atol=1e-6)


def test_the_second_member_is_kept_in_the_cache_file(second, tmp_path):
    detector, vector = _with_second(second), np.zeros(8, dtype=np.float32)
    detector.save(tmp_path / "detector.npz")
    loaded = OutOfScopeDetector.load(tmp_path / "detector.npz")
    loaded.second = second
    assert loaded.probability("la fibra non va", vector) == pytest.approx(detector.probability("la fibra non va", vector))


def test_a_detector_without_the_second_member_is_the_first_members_alone(second, tmp_path):
    detector, vector = _with_second(second), np.zeros(8, dtype=np.float32)
    detector.second_weights = None
    detector.save(tmp_path / "detector.npz")
    loaded = OutOfScopeDetector.load(tmp_path / "detector.npz")
    assert loaded.probability("spotify non parte", vector) == loaded.first_probability("spotify non parte", vector)


def test_the_cache_key_names_the_second_encoders_version():
    assert second_encoder_name().startswith("use-multilingual-v3/")


def test_a_detector_without_the_second_encoder_is_cached_under_a_key_of_its_own(tmp_path):
    from ivr.understanding.out_of_scope import detector_path

    assert detector_path(tmp_path, b"e", b"c", b"g", "") != detector_path(tmp_path, b"e", b"c", b"g", second_encoder_name())


def test_second_encoder_files_that_fail_their_checksum_leave_the_detector_without_it(tmp_path, monkeypatch):
    import shutil

    from ivr.understanding import second_encoder as module

    for name in module.RESOURCES_SHA256:
        shutil.copy(module.resources() / name, tmp_path / name)
    with open(tmp_path / "sp.model", "r+b") as handle:
        handle.seek(1024)
        handle.write(b"\xff\xfe")
    monkeypatch.setattr(module, "resources", lambda: tmp_path)   # the package's files, one of them tampered with
    assert module.second_encoder(1) is None


def test_the_served_detector_reads_the_second_encoder(model):
    detector, text = model.out_of_scope, "come si cambia la password di instagram"
    vector = model.encoder.encode_one(text)
    assert detector.probability(text, vector) != detector.first_probability(text, vector)
