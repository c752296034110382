"""The held-out set, the eval arithmetic, and `python -m ivr.understanding` end to end."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from ivr.understanding import Interpretation
from ivr.understanding.__main__ import HELDOUT, main
from ivr.understanding.catalog import OUT_OF_SCOPE, load_catalog
from ivr.understanding.evaluation import (REJECTED, Case, Ratio, confusions, evaluate, format_report,
                                          in_scope, load_heldout, out_of_scope_scores, percentiles_ms,
                                          ratio_by)
from ivr.understanding.lexical import normalise

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(ROOT / "prompts" / "intents.yaml")


@pytest.fixture(scope="module")
def heldout():
    return load_heldout(HELDOUT)


# -- the held-out set ---------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["it", "en"])
def test_heldout_covers_every_intent_in_each_language(catalog, heldout, lang):
    counts = Counter(c.expected for c in heldout if c.lang == lang and not c.cross_lingual)
    assert set(counts) == set(catalog.names) | {None}
    for intent in catalog.names:
        assert counts[intent] >= 12, intent
    assert counts[None] >= 30


def test_heldout_has_cross_lingual_cases_for_every_topic_both_ways(catalog, heldout):
    cross = Counter((c.expected, c.lang) for c in heldout if c.cross_lingual)
    for intent in catalog.topics:
        assert cross[intent, "it"] >= 2, intent
        assert cross[intent, "en"] >= 2, intent
        assert cross[intent, "it"] + cross[intent, "en"] >= 4, intent


def test_heldout_shares_no_utterance_with_the_training_file(catalog, heldout):
    training = {normalise(text) for lang in catalog.languages
                for text in [t for t, _ in catalog.examples(lang)] + catalog.out_of_scope(lang)}
    texts = [normalise(c.text) for c in heldout]
    assert sorted(set(texts) & training) == []
    assert [t for t, n in Counter(texts).items() if n > 1] == []


def test_heldout_reads_as_a_recogniser_writes(heldout):
    for case in heldout:
        assert case.text == case.text.lower().strip(), case
        assert not set(case.text) & set(",.?!;:"), case


@pytest.mark.parametrize("content, message", [
    ("intents: {}\n", r"top-level keys"),
    ("intents: {billing: {it: [bolletta]}}\ncross_lingual: []\nout_of_scope: {it: [meteo]}\n",
     r"cross_lingual: expected a mapping"),
    ("intents: {yes: {it: [sì]}}\ncross_lingual: {billing: {en: [bolletta]}}\n"
     "out_of_scope: {it: [meteo]}\n", r"intent name True must be quoted"),
    ("intents: {billing: {it: []}}\ncross_lingual: {billing: {en: [bolletta]}}\n"
     "out_of_scope: {it: [meteo]}\n", r"intents\.billing\.it"),
])
def test_a_malformed_heldout_file_says_where(tmp_path, content, message):
    path = tmp_path / "heldout.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_heldout(path)


# -- the arithmetic, on a tiny catalog and a model that only knows its examples ----------------

TINY = """
intents:
  billing: {kind: topic, hints: {it: [bolletta], en: [bill]}, examples: {it: [bolletta alta], en: [high bill]}}
  "yes": {kind: control, hints: {it: [sì], en: ["yes"]}, examples: {it: [sì], en: ["yes"]}}
out_of_scope: {it: [che tempo fa], en: [weather]}
"""


class ExampleLookup:
    """Knows the catalog's examples by heart; anything else is rejected with a timid guess."""

    def __init__(self, catalog):
        self.known = {normalise(t): i for lang in catalog.languages for t, i in catalog.examples(lang)}
        self.known.update({normalise(t): None for lang in catalog.languages for t in catalog.out_of_scope(lang)})

    def interpret(self, text, lang):
        if normalise(text) not in self.known:
            return Interpretation(None, 0.2, "billing")
        intent = self.known[normalise(text)]
        return Interpretation(intent, 1.0, intent or OUT_OF_SCOPE)


TINY_CASES = [
    Case("bolletta alta", "it", "billing"),                      # right
    Case("high bill", "en", "billing"),                          # right
    Case("sì", "it", "yes"),                                     # right
    Case("sì la bolletta", "it", "billing"),                     # rejected, best guess right
    Case("high bill", "it", "billing", cross_lingual=True),      # right
    Case("boh", "en", "billing", cross_lingual=True),            # rejected
    Case("che tempo fa", "it", None),                            # rejected: right
    Case("weather", "en", None),                                 # rejected: right
    Case("yes", "en", None),                                     # accepted: wrong
]


def stepping_clock():
    """Case i (from 0) takes i + 1 milliseconds."""
    ticks = []
    for i in range(len(TINY_CASES)):
        ticks += [10.0 * i, 10.0 * i + (i + 1) / 1000]
    return iter(ticks).__next__


@pytest.fixture
def outcomes(tmp_path):
    path = tmp_path / "intents.yaml"
    path.write_text(TINY, encoding="utf-8")
    return evaluate(ExampleLookup(load_catalog(path)), TINY_CASES, clock=stepping_clock())


def test_accuracy_per_language_intent_and_cross_lingual(outcomes):
    mono, cross = in_scope(outcomes), in_scope(outcomes, cross_lingual=True)
    assert ratio_by(mono, lambda o: o.case.lang) == {"it": Ratio(2, 3), "en": Ratio(1, 1)}
    assert ratio_by(mono, lambda o: o.case.lang, lambda o: o.guessed) == {"it": Ratio(3, 3), "en": Ratio(1, 1)}
    assert ratio_by(mono, lambda o: o.case.expected) == {"billing": Ratio(2, 3), "yes": Ratio(1, 1)}
    assert ratio_by(cross, lambda o: o.case.lang) == {"it": Ratio(1, 1), "en": Ratio(0, 1)}


def test_out_of_scope_precision_and_recall(outcomes):
    precision, recall = out_of_scope_scores(outcomes)
    assert precision == Ratio(2, 4)   # four rejections, two of them out of scope
    assert recall == Ratio(2, 3)      # three out-of-scope cases, two rejected
    assert (precision.value, round(recall.value, 4)) == (0.5, 0.6667)


def test_confusions_count_rejections_and_wrong_acceptances(outcomes):
    assert confusions(outcomes) == [(("billing", REJECTED), 2), ((OUT_OF_SCOPE, "yes"), 1)]
    assert confusions(outcomes, most=1) == [(("billing", REJECTED), 2)]


def test_latency_percentiles(outcomes):
    assert [round(o.seconds * 1000, 6) for o in outcomes] == list(range(1, 10))
    assert percentiles_ms(o.seconds for o in outcomes) == pytest.approx([5.0, 8.6])


def test_report_lines(outcomes):
    lines = format_report(outcomes)
    assert "it                  66.7 % (2/3)   best guess 100.0 % (3/3)" in lines
    assert "billing             66.7 % (2/3)" in lines
    assert "all                 50.0 % (1/2)" in lines
    assert "   2  billing -> (not understood)" in lines
    assert "precision           50.0 % (2/4)" in lines
    assert "recall              66.7 % (2/3)" in lines
    assert "p50 5.000 ms   p95 8.600 ms   n=9" in lines
    assert str(Ratio(0, 0)) == "  n/a (0/0)"


# -- the command line ---------------------------------------------------------------------------

def run_cli(tmp_path, *args, stdin=""):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")}
    env["NOHOLD_VAR_DIR"] = str(tmp_path / "var")
    return subprocess.run([sys.executable, "-m", "ivr.understanding", *args], input=stdin, cwd=ROOT,
                          env=env, capture_output=True, text=True, encoding="utf-8", timeout=60)


def test_classify_writes_one_json_object_per_line(tmp_path):
    lines = ["ho dimenticato la password", "che tempo fa domani", "", "la bolletta è più cara"]
    done = run_cli(tmp_path, "classify", "--lang", "it", stdin="\n".join(lines) + "\n")
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["text"] for r in records] == lines
    assert all(set(r) == {"text", "intent", "confidence"} for r in records)
    assert all(isinstance(r["confidence"], float) for r in records)
    assert all(0.0 <= r["confidence"] <= 1.0 for r in records)
    assert records[0]["intent"] == "account_access"
    assert records[1]["intent"] is None
    assert records[2] == {"text": "", "intent": None, "confidence": 0.0}


def test_eval_prints_every_section(tmp_path):
    done = run_cli(tmp_path, "eval", "--model", "lexical")
    assert done.returncode == 0, done.stderr
    headings = [line for line in done.stdout.splitlines() if line.startswith("== ")]
    assert [h.split(" (")[0].strip("= ") for h in headings] == [
        "accuracy per language", "accuracy per intent", "cross-lingual",
        "most frequent confusions", "out of scope", "calibration", "latency per utterance"]
    for label in ("it ", "en ", "internet_down ", "english ", "precision ", "recall ", "p50 "):
        assert any(line.startswith(label) for line in done.stdout.splitlines()), label


def test_bench_prints_latency_and_rss(tmp_path):
    done = run_cli(tmp_path, "bench", "--repeats", "1")
    assert done.returncode == 0, done.stderr
    assert all(word in done.stdout for word in ("p50", "p95", "rss", "MB"))


@pytest.mark.parametrize("argv", [
    [], ["eval", "--model", "nonesuch"], ["classify", "--lang", "de"], ["bench", "--repeats", "x"],
    ["eval", "--heldout", "/no/such/file.yaml"],
])
def test_bad_arguments_exit_2(argv):
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
