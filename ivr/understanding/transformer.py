"""Intent classification on sentence embeddings: a multilingual encoder, a trained head, the lexical model.

Measured, not assumed (docs/intent-model-research.md, 5-fold cross-validation on the catalog): a
logistic regression on frozen multilingual-e5-small embeddings beat fine-tuning the encoder on this
little data, nearest-centroid and 1-NN heads; averaging its probabilities with the lexical model's
beat either alone — e5 carries meaning across languages and phrasings, the character n-grams catch
misheard words. Out-of-scope is a class of its own, and a low top probability is "not understood" too.

Training (at first start, from prompts/intents.yaml) fits the head, then picks the blend's weight and
a temperature by 5-fold cross-validation on the catalog: the weight under which the call flow's
decisions (intent, or "not understood" below INTENT_REJECT_BELOW) are most often right, the
temperature that makes confidences honest probabilities. All of it is cached on disk beside the
encoder, keyed by the catalog's bytes and the threshold: later starts load it in milliseconds.
"""
from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path

import numpy as np

from ivr.understanding import Interpretation
from ivr.understanding.catalog import OUT_OF_SCOPE, IntentCatalog
from ivr.understanding.complaint import COMPLAINT_INTENT, ComplaintModel
from ivr.understanding.cross_validation import catalog_examples, choose_blend, out_of_fold
from ivr.understanding.encoder import Encoder
from ivr.understanding.head import HEAD_C, EmbeddingHead, with_temperature
from ivr.understanding.lexical import LexicalUnderstanding, normalise
from ivr.understanding.out_of_scope import OutOfScopeDetector

log = logging.getLogger(__name__)

HEAD_VERSION = "3"     # part of the head's cache key
# When the lexical model alone is this sure, its answer is taken without running the encoder (~5 ms).
# Chosen by 5-fold cross-validation on the catalog (`python -m ivr.understanding cv` prints the sweep):
# the lowest threshold whose decisions are as often right as running the encoder every time (93.3 %);
# it skips 52 % of encoder runs on the catalog, 67 % on the held-out set (0.97 skipped 39 / 53 %).
LEXICAL_SURE = 0.93
_PUNCTUATION = re.compile(r"[^\w\s']+")


def clean(text: str) -> str:
    """What the encoder sees: lowercase, no punctuation, single spaces — like the catalog's examples."""
    return " ".join(_PUNCTUATION.sub(" ", (text or "").lower()).split())


def head_path(encoder_folder: Path, catalog_bytes: bytes, reject_below: float) -> Path:
    key = hashlib.sha256(catalog_bytes + f"|head{HEAD_VERSION}|C{HEAD_C}|reject{reject_below}".encode()).hexdigest()[:16]
    return Path(encoder_folder) / "heads" / f"{key}.npz"


def trained_head(encoder: Encoder, catalog: IntentCatalog, catalog_bytes: bytes, reject_below: float) -> EmbeddingHead:
    """The cached head for this catalog and encoder, or a newly trained (and cached) one."""
    path = head_path(encoder.folder, catalog_bytes, reject_below)
    if path.is_file():
        return EmbeddingHead.load(path)
    examples = catalog_examples(catalog)
    texts, labels = [clean(e.text) for e in examples], [e.label for e in examples]
    log.info("training the intent head on %d examples (once per catalog)", len(texts))
    # one at a time, as calls are served: int8 activations are quantised per batch, so padding
    # beside other texts would shift the vectors a little
    vectors = encoder.encode(texts, batch_size=1)
    head = EmbeddingHead.fit(vectors, labels)
    head.encoder_weight, head.temperature = choose_blend(out_of_fold(examples, vectors), labels, reject_below)
    path.parent.mkdir(parents=True, exist_ok=True)
    head.save(path)
    return head


class TransformerUnderstanding:
    """Understanding from the encoder's head blended with the lexical model; None below reject_below."""

    def __init__(self, encoder: Encoder, head: EmbeddingHead, lexical: LexicalUnderstanding, reject_below: float,
                 complaints: "ComplaintModel | None" = None, out_of_scope: "OutOfScopeDetector | None" = None,
                 trust_sure_lexical: bool = True, second_opinion=None):
        if head.classes != lexical.classes:
            raise ValueError("the embedding head and the lexical model were trained on different intents")
        self.encoder, self.head, self.lexical = encoder, head, lexical
        self.reject_below, self.encoder_weight = reject_below, head.encoder_weight
        self.classes = head.classes
        self.complaints = complaints  # None: the complaint flag is not predicted
        # None: out of scope is only the catalog's class; else the detector (out_of_scope.py) has the last word,
        # except on the controls and, with trust_sure_lexical, when the lexical model alone is sure of an intent
        self.out_of_scope, self.trust_sure_lexical = out_of_scope, trust_sure_lexical
        # None: `complaint` is answered as it comes; else (grievance_topics.SecondOpinion, which builds on this
        # module) asked whether a topic is behind the grievance
        self.second_opinion = second_opinion

    def probabilities(self, text: str) -> np.ndarray | None:
        """Blended class probabilities, or None for an empty utterance."""
        return self._scores(text)[0]

    def _scores(self, text: str) -> tuple[np.ndarray | None, bool]:
        """The probabilities, and whether they are the lexical model's alone because it was sure."""
        text = clean(text)
        lexical_text = normalise(text)
        if not lexical_text:
            return None, False
        lexical = self.lexical.probabilities(lexical_text)
        if lexical.max() >= LEXICAL_SURE:
            return lexical, True
        embedded = self.head.probabilities(self.encoder.encode_one(text))
        blend = self.encoder_weight * embedded + (1 - self.encoder_weight) * lexical
        return with_temperature(blend, self.head.temperature), False

    def interpret(self, text: str, lang: str) -> Interpretation:
        # One model for both languages: the call's language does not change what words mean.
        probabilities, lexical_sure = self._scores(text)
        flag = None if self.complaints is None else False
        if probabilities is None:
            return Interpretation(None, 0.0, complaint=flag)
        best = int(np.argmax(probabilities))
        if self.classes[best] == OUT_OF_SCOPE and self.out_of_scope is not None \
                and self.out_of_scope.connection_trouble(text):
            # "netflix keeps buffering": the app names someone else, the symptom names our line — the best of ours
            probabilities = np.where(np.array(self.classes) == OUT_OF_SCOPE, 0.0, probabilities)
            probabilities = probabilities / probabilities.sum()
            best = int(np.argmax(probabilities))
        guess, confidence = self.classes[best], float(probabilities[best])
        intent = None if guess == OUT_OF_SCOPE or confidence < self.reject_below else guess
        if intent == COMPLAINT_INTENT and self.second_opinion is not None:
            # an angry text about a bill is billing (its flag says angry), not complaint
            guess, confidence = self.second_opinion.topic(text, self.reject_below) or (guess, confidence)
            intent = guess
        if self.complaints is not None:
            # the text as written: its case, "!!!" and emoji carry the anger (measured: F1 0.836 against
            # 0.804 on the cleaned text the intent head reads), at the price of a second encoder run
            flag = self.complaints.flagged(text, self.encoder.encode_one(text.strip()))
        if intent is not None and self.out_of_scope is not None and not (
                lexical_sure and self.trust_sure_lexical and not self.out_of_scope.names_someone_else(text)):
            # the cleaned text's vector, which the intent head has just computed (the encoder remembers it)
            outside = self.out_of_scope.probability(text, self.encoder.encode_one(clean(text)))
            if (guess not in self.out_of_scope.passes and outside >= self.out_of_scope.threshold_for(text)
                    and not self.out_of_scope.connection_trouble(text)):
                return Interpretation(None, outside, OUT_OF_SCOPE, flag)
        return Interpretation(intent, confidence, guess, flag)
