"""The detector's, the complaint flag's and the second opinion's training files hold no near-twin of a held-out text
(brief H3; grievance_topics.yaml since brief H10).

An exact-match check (test_out_of_scope.py, test_understanding_complaint.py) lets through "my laptop is
really slow how do i speed it up" beside the held-out "my laptop is super slow, how do I speed it up?".
Here a training text of four words or more may share at most 60 % of its words (Jaccard) with any
held-out text: the same frame about something else ("how do i cancel my tv licence") stays allowed."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.support.phrases import held_out_texts, plain, texts_in

ROOT = Path(__file__).resolve().parents[2]
MOST_SHARED = 0.6
MIN_WORDS = 4


def _words(text: str) -> frozenset[str]:
    return frozenset(plain(text).split())


def _shared(a: frozenset[str], b: frozenset[str]) -> float:
    common = len(a & b)
    return common / (len(a) + len(b) - common)


def _most_shared(words: frozenset[str], held_out: list[frozenset[str]]) -> float:
    # a share of MOST_SHARED needs sizes within that ratio of each other: skip the rest (the test stays fast)
    sizes = (MOST_SHARED * len(words), len(words) / MOST_SHARED)
    return max((_shared(words, h) for h in held_out if sizes[0] <= len(h) <= sizes[1]), default=0.0)


@pytest.fixture(scope="module")
def held_out() -> list[frozenset[str]]:
    first, realstyle = held_out_texts()
    return [w for w in map(_words, first + realstyle) if w]


def test_the_measure_catches_a_reworded_copy():
    held = _words("my laptop is super slow, how do I speed it up?")
    assert _shared(_words("my laptop is really slow how do i speed it up"), held) > MOST_SHARED


def test_the_measure_lets_the_same_frame_about_something_else_through():
    held = _words("how do I cancel my gym membership?")
    assert _shared(_words("how do i cancel my tv licence"), held) < MOST_SHARED


@pytest.mark.parametrize("name", ["out_of_scope.yaml", "complaints.yaml", "grievance_topics.yaml"])
def test_no_training_text_is_a_near_twin_of_a_held_out_one(name, held_out):
    texts = texts_in(yaml.safe_load((ROOT / "prompts" / name).read_text(encoding="utf-8")))
    twins = [t for t in texts if len(_words(t)) >= MIN_WORDS and _most_shared(_words(t), held_out) >= MOST_SHARED]
    assert twins == []
