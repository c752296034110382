"""The encoder remembers the rows of texts it has encoded one at a time (ivr/understanding/encoder.py)."""
from __future__ import annotations

import numpy as np
import pytest

from ivr.app.settings import load_settings
from ivr.understanding.loading import load_understanding
from ivr.understanding.transformer import TransformerUnderstanding


@pytest.fixture(scope="module")
def encoder():
    built = load_understanding(load_settings(environ={}, dotenv=False))[1]
    assert isinstance(built, TransformerUnderstanding)
    built.encoder.forget()
    return built.encoder


def test_a_remembered_row_is_the_row_the_encoder_computes(encoder):
    remembered = encoder.encode_one("non mi funziona internet da ieri sera")
    assert np.array_equal(remembered, encoder.encode(["non mi funziona internet da ieri sera"])[0])


def test_the_second_time_a_text_is_heard_the_encoder_does_not_run(encoder):
    encoder.forget()
    encoder.encode_one("sì")
    encoder.encode_one("sì")
    assert encoder._remembered.cache_info().hits == 1


def test_a_remembered_row_cannot_be_changed_by_a_reader(encoder):
    row = encoder.encode_one("no grazie")
    with pytest.raises(ValueError):
        row[0] = 0.0


def test_a_call_reads_the_same_intent_with_and_without_remembered_rows():
    model = load_understanding(load_settings(environ={}, dotenv=False))[1]
    model.encoder.forget()
    first = model.interpret("la bolletta di questo mese è sbagliata, mi avete addebitato troppo", "it")
    again = model.interpret("la bolletta di questo mese è sbagliata, mi avete addebitato troppo", "it")
    assert (again.intent, again.confidence, again.complaint) == (first.intent, first.confidence, first.complaint)
