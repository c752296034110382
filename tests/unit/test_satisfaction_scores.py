"""What counts as an answer to "Da 1 a 5, quanto sei soddisfatto…": a whole message that is a score, nothing else."""
from __future__ import annotations

import pytest

from social_bridge.customers.satisfaction import _figures, score_of


@pytest.mark.parametrize("text, score", [
    ("4", 4), (" 5 ", 5), ("1.", 1), ("5 stelle", 5), ("1 stella", 1), ("4/5", 4), ("3 su 5", 3),
    ("cinque", 5), ("Quattro!", 4), ("five", 5), ("two stars", 2), ("voto 3", 3), ("4 out of 5", 4),
])
def test_a_score(text, score):
    assert score_of(text) == score


@pytest.mark.parametrize("text", ["ciao", "", "0", "6", "12", "45", "4 ma il modem è ancora lento", "grazie 5",
                                  "sei", "stelle", "ho 3 problemi"])
def test_not_a_score(text):
    assert score_of(text) is None


def test_figures_average_and_distribution():
    assert _figures({"5": 3, "2": 1}) == {"count": 4, "average": 4.25,
                                          "distribution": {"1": 0, "2": 1, "3": 0, "4": 0, "5": 3}}


def test_no_answers_have_no_average():
    assert _figures({})["average"] is None
