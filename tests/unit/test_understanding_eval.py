"""Both held-out sets, the eval arithmetic, and `python -m ivr.understanding` end to end."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from ivr.understanding import Interpretation
from ivr.understanding.__main__ import HELDOUT, REALSTYLE, main
from ivr.understanding.catalog import OUT_OF_SCOPE, load_catalog
from ivr.understanding.evaluation import (REJECTED, Case, Ratio, confusions, confusions_by_intent, evaluate,
                                          flag_scores, format_realstyle_report, format_report, in_scope,
                                          load_heldout, load_realstyle, out_of_scope_scores, percentiles_ms,
                                          ratio_by)
from ivr.understanding.language_id import training_texts
from ivr.understanding.lexical import normalise
from tests.support.phrases import shaped_texts

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
    assert all(set(r) == {"text", "intent", "confidence", "complaint", "language"} for r in records)
    assert all(isinstance(r["confidence"], float) for r in records)
    assert all(0.0 <= r["confidence"] <= 1.0 for r in records)
    assert all(isinstance(r["complaint"], bool) for r in records)
    assert records[0]["intent"] == "account_access"
    assert records[1]["intent"] is None
    assert records[2] == {"text": "", "intent": None, "confidence": 0.0, "complaint": False, "language": "it"}


def test_classify_says_the_grievance_and_the_language_of_each_line(tmp_path):
    lines = ["worst provider ever, my broadband died AGAIN and nobody answers 😡", "la bolletta di aprile, quando arriva?"]
    done = run_cli(tmp_path, "classify", "--lang", "it", stdin="\n".join(lines) + "\n")
    assert done.returncode == 0, done.stderr
    angry, calm = [json.loads(line) for line in done.stdout.splitlines()]
    assert (angry["complaint"], angry["language"], angry["intent"]) == (True, "en", "internet_down")
    assert (calm["complaint"], calm["language"], calm["intent"]) == (False, "it", "billing")


def test_eval_prints_every_section(tmp_path):
    done = run_cli(tmp_path, "eval", "--model", "lexical", "--set", "heldout")
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


# -- the real-style set (issue 16): as customers write, labelled with intent, complaint, language ---

@pytest.fixture(scope="module")
def realstyle():
    return load_realstyle(REALSTYLE)


@pytest.mark.parametrize("lang", ["it", "en"])
def test_realstyle_has_300_texts_20_per_intent_and_60_out_of_scope_per_language(catalog, realstyle, lang):
    counts = Counter(c.expected for c in realstyle if c.lang == lang)
    assert sum(counts.values()) >= 300
    assert set(counts) == set(catalog.names) | {None}
    for intent in catalog.names:
        assert counts[intent] >= 20, intent
    assert counts[None] >= 60


@pytest.mark.parametrize("lang", ["it", "en"])
def test_realstyle_flags_a_grievance_in_about_30_percent(realstyle, lang):
    flags = [c.complaint for c in realstyle if c.lang == lang]
    assert 0.25 <= sum(flags) / len(flags) <= 0.35


def test_realstyle_labels_are_known(catalog, realstyle):
    assert {c.expected for c in realstyle} - set(catalog.names) == {None}
    assert {c.lang for c in realstyle} == set(catalog.languages)


def test_realstyle_a_text_that_is_only_a_grievance_is_flagged(realstyle):
    assert [c.text for c in realstyle if c.expected == "complaint" and not c.complaint] == []


def test_realstyle_shares_no_text_with_the_catalog_the_heldout_set_or_the_language_identifier(
        catalog, heldout, realstyle):
    training = {normalise(text) for lang in catalog.languages
                for text in [t for t, _ in catalog.examples(lang)] + catalog.out_of_scope(lang)}
    first_set = {normalise(c.text) for c in heldout}
    language_training = {t for texts in training_texts(ROOT / "prompts").values() for t in texts}
    texts = [normalise(c.text) for c in realstyle]
    assert sorted(set(texts) & training) == []
    assert sorted(set(texts) & first_set) == []
    assert sorted(set(texts) & language_training) == []
    assert [t for t, n in Counter(texts).items() if n > 1] == []


@pytest.mark.parametrize("lang", ["it", "en"])
@pytest.mark.parametrize("shape, at_least", [
    ("hashtag or mention", 5),
    ("emoji", 30),
    ("voicemail transcript", 10),
    ("several sentences", 100),
    ("shouting", 5),
])
def test_realstyle_is_written_as_customers_write(realstyle, lang, shape, at_least):
    assert len(shaped_texts(realstyle, lang, shape)) >= at_least, shape


@pytest.mark.parametrize("lang", ["it", "en"])
def test_realstyle_has_long_and_short_texts(realstyle, lang):
    words = [len(c.text.split()) for c in realstyle if c.lang == lang]
    assert sum(n >= 15 for n in words) >= 50
    assert sum(n <= 3 for n in words) >= 15


@pytest.mark.parametrize("content, message", [
    ("texts: {}\n", r"one top-level key 'texts'"),
    ("texts: [{text: ciao, intent: billing, language: it}]\n", r"texts #1: expected exactly the fields"),
    ("texts: [{text: a, intent: billing, complaint: false, language: it},\n"
     "        {text: b, intent: yes, complaint: false, language: it}]\n", r"texts #2: intent True .*quote it"),
    ("texts: [{text: a, intent: billing, complaint: maybe, language: it}]\n", r"complaint 'maybe' is not a bool"),
    ("texts: [{text: ' ', intent: billing, complaint: true, language: it}]\n", r"texts #1: text"),
])
def test_a_malformed_realstyle_file_says_where(tmp_path, content, message):
    path = tmp_path / "realstyle.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_realstyle(path)


def test_realstyle_entries_become_cases(tmp_path):
    path = tmp_path / "realstyle.yaml"
    path.write_text("texts:\n- {text: 'bolletta ASSURDA!!', intent: billing, complaint: true, language: it}\n"
                    "- {text: 'who invented it', intent: out_of_scope, complaint: false, language: en}\n",
                    encoding="utf-8")
    assert load_realstyle(path) == [Case("bolletta ASSURDA!!", "it", "billing", complaint=True),
                                    Case("who invented it", "en", None, complaint=False)]


@dataclass(frozen=True)
class Flagged(Interpretation):
    """What issue 16's model will answer: an intent, a grievance flag and a language."""

    complaint: bool = False
    language: str | None = None


class ShoutingLookup(ExampleLookup):
    """The example lookup, which also flags '!' as a grievance and says every text is Italian."""

    def interpret(self, text, lang):
        got = super().interpret(text, lang)
        return Flagged(got.intent, got.confidence, got.best_guess, complaint="!" in text, language="it")


REAL_CASES = [
    Case("bolletta folle!", "it", "billing", complaint=True),    # rejected (best guess right), flag right
    Case("bolletta alta", "it", "billing", complaint=False),     # right, no flag: right
    Case("high bill", "en", "billing", complaint=True),          # right, flag missed
    Case("sì sì!", "it", "yes", complaint=False),                # rejected, flag raised wrongly
    Case("che tempo fa", "it", None, complaint=False),           # rejected: right
    Case("weather", "en", None, complaint=False),                # rejected: right
]


@pytest.fixture
def real_outcomes(tmp_path):
    path = tmp_path / "intents.yaml"
    path.write_text(TINY, encoding="utf-8")
    return evaluate(ShoutingLookup(load_catalog(path)), REAL_CASES)


def test_flag_scores_count_the_labelled_flag(real_outcomes):
    precision, recall, f1 = flag_scores(real_outcomes, lambda o: o.got.complaint)
    assert precision == Ratio(1, 2)
    assert recall == Ratio(1, 2)
    assert f1 == pytest.approx(0.5)
    assert flag_scores(real_outcomes, lambda o: False) == (Ratio(0, 0), Ratio(0, 2), 0.0)


def test_confusions_by_intent_name_the_wrong_answers(real_outcomes):
    wrong = confusions_by_intent(real_outcomes)
    assert wrong == {"billing": Counter({REJECTED: 1}), "yes": Counter({REJECTED: 1}), OUT_OF_SCOPE: Counter()}


def test_realstyle_report_with_flag_and_language_predicted(real_outcomes):
    lines = format_realstyle_report(real_outcomes, language=lambda o: o.got.language, min_words=2)
    assert "it                  33.3 % (1/3)   best guess  66.7 % (2/3)" in lines
    assert "with a grievance    50.0 % (1/2)" in lines
    assert "billing             66.7 % (2/3)   (not understood) x1" in lines
    assert "out_of_scope       100.0 % (2/2)" in lines
    assert "precision           50.0 % (2/4)" in lines
    assert "recall, en         100.0 % (1/1)" in lines
    assert "model              precision  50.0 % (1/2)   recall  50.0 % (1/2)   F1 0.500" in lines
    assert "complaint: not predicted" not in lines
    assert "it                 100.0 % (4/4)" in lines   # "weather" (1 word) is too short to count
    assert "en                   0.0 % (0/1)" in lines


def test_realstyle_report_says_what_the_model_does_not_predict(outcomes):
    lines = format_realstyle_report(outcomes)
    assert "complaint: not predicted" in lines
    assert "intent=complaint   precision   n/a (0/0)   recall   n/a (0/0)   F1 n/a" in lines
    assert "language: not predicted" in lines


def test_eval_prints_both_sets_by_default(tmp_path):
    done = run_cli(tmp_path, "eval", "--model", "lexical")
    assert done.returncode == 0, done.stderr
    banners = [line.split(":")[0] for line in done.stdout.splitlines() if line.startswith("########")]
    assert banners == ["######## held-out set", "######## real-style set"]
    for line in ("complaint: not predicted", "== language identification (texts of 3+ words) =="):
        assert line in done.stdout.splitlines(), line


def test_eval_realstyle_prints_every_section(tmp_path):
    done = run_cli(tmp_path, "eval", "--model", "lexical", "--set", "realstyle")
    assert done.returncode == 0, done.stderr
    headings = [line.split(" (")[0].strip("= ") for line in done.stdout.splitlines() if line.startswith("== ")]
    assert headings == ["top-1 in scope per language", "per intent: right, and the wrong answers",
                        "most frequent confusions", "out of scope", "complaint flag",
                        "language identification", "latency per text"]
    for label in ("it ", "en ", "with a grievance ", "out_of_scope ", "recall ", "intent=complaint "):
        assert any(line.startswith(label) for line in done.stdout.splitlines()), label


@pytest.mark.parametrize("argv", [["eval", "--set", "nonesuch"], ["eval", "--realstyle", "/no/such/file.yaml"]])
def test_bad_realstyle_arguments_exit_2(argv):
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
