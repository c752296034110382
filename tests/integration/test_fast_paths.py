"""The fast paths give exactly what the slow ones gave."""
from __future__ import annotations

import numpy as np
import pytest

from pathlib import Path

from ivr.understanding.catalog import load_catalog
from ivr.understanding.lexical import build_pipeline, normalise, trained_lexical, training_data

INTENTS_FILE = Path(__file__).resolve().parent.parent.parent / "prompts" / "intents.yaml"


@pytest.fixture(scope="module")
def understanding_and_texts(tmp_path_factory):
    """The lexical model as a process serves it: trained, cached, then read back from the cache."""
    catalog = load_catalog(INTENTS_FILE)
    texts, labels = training_data(catalog)
    folder = tmp_path_factory.mktemp("lexical")
    trained_lexical(catalog, INTENTS_FILE.read_bytes(), folder)
    served = trained_lexical(catalog, INTENTS_FILE.read_bytes(), folder)  # read from the cache
    return served, build_pipeline().fit(texts, labels), texts


def test_hand_rolled_scoring_equals_predict_proba(understanding_and_texts):
    understanding, pipeline, texts = understanding_and_texts
    assert understanding.classes == tuple(pipeline.classes_)
    extra = ["", "zzzz qqqq", "modem modem modem non va", normalise("Sì, perché no? Internet è lento!!")]
    expected = pipeline.predict_proba(texts + extra)
    for text, want in zip(texts + extra, expected):
        got = understanding.probabilities(text)
        assert np.max(np.abs(got - want)) < 1e-9, text


def test_newcomer_estimate_is_cached_briefly(redis_client):
    from social_bridge.queue.eta import EtaEstimator, WaitEstimate
    from social_bridge.queue.work_item import WorkItem
    from social_bridge.queue.work_queue import WorkQueue

    t0 = 1_700_000_000.0
    queue = WorkQueue(redis_client, clock=lambda: t0)
    now = {"t": 100.0}
    eta = EtaEstimator(queue, default_agents=1, default_handle_seconds=60, cache_seconds=2.0, clock=lambda: now["t"])
    assert eta.for_newcomer() == WaitEstimate(seconds=60.0, position=1, agents=1)
    queue.enqueue(WorkItem(id="", kind="callback", channel="voice", lang="it", acquired_at=t0,
                           natural_key="call:CA1", not_before=0.0))
    now["t"] += 1.9
    assert eta.for_newcomer().position == 1  # within the window: the same answer, no Redis
    now["t"] += 0.2
    assert eta.for_newcomer() == WaitEstimate(seconds=120.0, position=2, agents=1)
    assert EtaEstimator(queue, default_agents=1, default_handle_seconds=60, cache_seconds=0).for_newcomer().position == 2
