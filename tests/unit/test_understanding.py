"""Intent catalog validation; both classifiers (lexical, transformer) on unseen utterances; keypad digits."""
from __future__ import annotations

from pathlib import Path

import pytest

from ivr.understanding import Interpretation, interpret_digits
from ivr.understanding.catalog import load_catalog
from ivr.understanding.lexical import LexicalUnderstanding, normalise

INTENTS_FILE = Path(__file__).resolve().parent.parent.parent / "prompts" / "intents.yaml"
TOPICS = ("internet_down", "internet_slow", "account_access", "billing", "mobile_sim",
          "change_plan", "move_line", "cancel_contract", "complaint", "human_agent")


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(INTENTS_FILE)


@pytest.fixture(scope="module")
def lexical(catalog):
    return LexicalUnderstanding.train(catalog)


@pytest.fixture(scope="module", params=["lexical", "transformer"])
def understanding(request, lexical):
    """Each engine INTENT_ENGINE can select, built as the app builds it (the transformer: the real
    e5 model from the PyPI package, through transformers and ONNX Runtime)."""
    if request.param == "lexical":
        return lexical
    from ivr.app.settings import load_settings
    from ivr.understanding.loading import load_understanding
    from ivr.understanding.transformer import TransformerUnderstanding

    model = load_understanding(load_settings(environ={"INTENT_ENGINE": "transformer"}, dotenv=False))[1]
    assert isinstance(model, TransformerUnderstanding)
    return model


# -- the catalog -----------------------------------------------------------------------------

def test_catalog_declares_the_intents_in_file_order(catalog):
    assert catalog.topics == TOPICS
    assert catalog.controls == ("yes", "no", "repeat", "english")


def test_keypad_matches_the_spoken_menu(catalog):
    assert catalog.keypad == {"1": "internet_down", "2": "account_access", "3": "billing",
                              "4": "mobile_sim", "5": "change_plan", "6": "complaint",
                              "0": "human_agent", "9": "english"}
    assert catalog.digit_for("complaint") == "6"
    assert catalog.digit_for("move_line") is None


@pytest.mark.parametrize("lang", ["it", "en"])
def test_catalog_has_enough_data_per_language(catalog, lang):
    counts = {}
    for _, intent in catalog.examples(lang):
        counts[intent] = counts.get(intent, 0) + 1
    for intent in catalog.topics:
        assert counts[intent] >= 25, intent
    for intent in catalog.controls:
        assert counts[intent] >= 15, intent
    assert len(catalog.out_of_scope(lang)) >= 30
    assert 3 * len(catalog.topics) <= len(catalog.hints(lang))


def test_unknown_language_is_refused(catalog):
    with pytest.raises(ValueError, match="'de'"):
        catalog.hints("de")


GOOD_INTENT = """
    kind: topic
    keypad: "1"
    hints: {it: [internet], en: [internet]}
    examples: {it: [non va internet], en: [internet is down]}
"""
OUT_OF_SCOPE = "out_of_scope: {it: [che tempo fa], en: [weather please]}\n"


@pytest.mark.parametrize("intents_yaml, message", [
    ("intents:\n  internet_down:" + GOOD_INTENT.replace("kind: topic", "kind: thing"),
     r"'internet_down': kind"),
    ("intents:\n  internet_down:" + GOOD_INTENT.replace('"1"', "1"), r"'internet_down': keypad"),
    ("intents:\n  internet_down:" + GOOD_INTENT.replace(", en: [internet is down]", ""),
     r"'internet_down': examples must have languages"),
    ("intents:\n  internet_down:" + GOOD_INTENT.replace("[non va internet]", "[]"),
     r"'internet_down': examples\.it"),
    ("intents:\n  internet_down:" + GOOD_INTENT.replace("[non va internet]", "[yes]"),
     r"'internet_down': examples\.it: True is not a phrase"),
    ("intents:\n  no:" + GOOD_INTENT, r"intent name False must be a quoted string"),
    ("intents:\n  a:" + GOOD_INTENT + "  b:" + GOOD_INTENT, r"keypad digit .* more than one"),
    ("intents:\n  internet_down:" + GOOD_INTENT + "    colour: red\n", r"unknown field.*colour"),
    ("intents: []\n", r"non-empty 'intents' mapping"),
])
def test_malformed_catalog_is_refused_with_a_pointer(tmp_path, intents_yaml, message):
    path = tmp_path / "intents.yaml"
    path.write_text(intents_yaml + OUT_OF_SCOPE, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_catalog(path)


def test_missing_out_of_scope_is_refused(tmp_path):
    path = tmp_path / "intents.yaml"
    path.write_text("intents:\n  internet_down:" + GOOD_INTENT, encoding="utf-8")
    with pytest.raises(ValueError, match="out_of_scope"):
        load_catalog(path)


# -- the classifier ----------------------------------------------------------------------------

# Written fresh for this test: none of these sentences is in prompts/intents.yaml.
UNSEEN = [
    ("it", "buonasera da stamattina internet non funziona proprio", "internet_down"),
    ("it", "il modem ha tutte le luci spente e non riesco a navigare", "internet_down"),
    ("it", "siamo senza connessione in casa da venerdì", "internet_down"),
    ("en", "hi our internet has been down since this morning", "internet_down"),
    ("en", "there's no connection at all and the router light is red", "internet_down"),
    ("en", "we've had no broadband since the weekend", "internet_down"),
    ("it", "internet va lentissimo soprattutto la sera", "internet_slow"),
    ("it", "la connessione cade di continuo durante le videochiamate", "internet_slow"),
    ("it", "la fibra è molto lenta non arrivo a dieci mega", "internet_slow"),
    ("en", "my connection is very slow in the evenings", "internet_slow"),
    ("en", "the wifi keeps dropping every half hour", "internet_slow"),
    ("en", "internet works but it's incredibly slow", "internet_slow"),
    ("it", "non riesco più a entrare nell'app mi dice password sbagliata", "account_access"),
    ("it", "ho dimenticato la password dell'area clienti come faccio", "account_access"),
    ("it", "non mi arriva il codice per accedere al mio account", "account_access"),
    ("en", "i forgot the password for my online account", "account_access"),
    ("en", "the app won't let me log in", "account_access"),
    ("en", "my account got locked after i typed the wrong password", "account_access"),
    ("it", "mi è arrivata la bolletta con un importo più alto del solito", "billing"),
    ("it", "vorrei capire un addebito sulla fattura di aprile", "billing"),
    ("it", "ho pagato la bolletta ma risulta ancora da pagare", "billing"),
    ("en", "why is my bill so high this month", "billing"),
    ("en", "there's an extra charge on my last invoice", "billing"),
    ("en", "i'd like a refund for a double payment", "billing"),
    ("it", "ho perso il telefono e devo bloccare la sim", "mobile_sim"),
    ("it", "il cellulare mi chiede il puk", "mobile_sim"),
    ("it", "in francia non mi funzionano i dati sul telefonino", "mobile_sim"),
    ("en", "my sim card stopped working", "mobile_sim"),
    ("en", "i need the puk code for my phone", "mobile_sim"),
    ("en", "i want to bring my mobile number over from another company", "mobile_sim"),
    ("it", "vorrei passare a un'offerta con più giga", "change_plan"),
    ("it", "c'è qualche promozione per cambiare tariffa", "change_plan"),
    ("it", "voglio aggiungere l'opzione chiamate internazionali", "change_plan"),
    ("en", "i'd like to upgrade to a faster fibre plan", "change_plan"),
    ("en", "do you have any cheaper plans", "change_plan"),
    ("en", "can i add an international calls option", "change_plan"),
    ("it", "a giugno trasloco e vorrei portare internet nella nuova casa", "move_line"),
    ("it", "devo trasferire la linea al nuovo indirizzo", "move_line"),
    ("it", "ci spostiamo in un altro appartamento come facciamo con la fibra", "move_line"),
    ("en", "i'm moving house next month and want to keep my broadband", "move_line"),
    ("en", "how do i transfer my line to a new address", "move_line"),
    ("en", "we are relocating to turin in june", "move_line"),
    ("it", "vorrei disdire il contratto della fibra", "cancel_contract"),
    ("it", "come faccio a fare il recesso senza penali", "cancel_contract"),
    ("it", "voglio chiudere definitivamente la linea", "cancel_contract"),
    ("en", "i want to cancel my broadband contract", "cancel_contract"),
    ("en", "how do i terminate my contract without fees", "cancel_contract"),
    ("en", "i'd like to cancel my service please", "cancel_contract"),
    ("it", "voglio presentare un reclamo per il disservizio di questo mese", "complaint"),
    ("it", "sono stanco di questo servizio voglio fare una lamentela", "complaint"),
    ("it", "vorrei fare reclamo perché il tecnico non si è presentato", "complaint"),
    ("en", "i want to file a complaint", "complaint"),
    ("en", "i'm really unhappy and want to complain about the service", "complaint"),
    ("en", "i'd like to make a formal complaint about your engineer", "complaint"),
    ("it", "mi passi un operatore per cortesia", "human_agent"),
    ("it", "voglio parlare con una persona non con una macchina", "human_agent"),
    ("it", "c'è un operatore disponibile", "human_agent"),
    ("en", "can i speak to a real person please", "human_agent"),
    ("en", "put me through to an operator", "human_agent"),
    ("en", "i want to talk to a human", "human_agent"),
]

CONTROLS = [
    ("it", "Sì, esatto.", "yes"),
    ("it", "si certo va bene", "yes"),
    ("en", "yes that's right", "yes"),
    ("en", "yeah sure", "yes"),
    ("it", "no non è quello che ho detto", "no"),
    ("it", "no guardi è sbagliato", "no"),
    ("en", "no that's wrong", "no"),
    ("en", "nope not at all", "no"),
    ("it", "scusi non ho sentito bene può ripetere", "repeat"),
    ("it", "come ha detto scusi", "repeat"),
    ("en", "sorry could you repeat that", "repeat"),
    ("en", "pardon what did you say", "repeat"),
    ("it", "potete parlare in inglese", "english"),
    ("it", "preferirei l'inglese", "english"),
    ("en", "can we speak english", "english"),
    ("en", "english language please", "english"),
]


@pytest.mark.parametrize("lang, text, intent", UNSEEN + CONTROLS)
def test_unseen_utterances_are_understood(understanding, lang, text, intent):
    result = understanding.interpret(text, lang)
    assert result.intent == intent, result
    assert result.best_guess == intent
    assert type(result.best_guess) is str
    assert 0.35 <= result.confidence <= 1.0


@pytest.mark.parametrize("lang, text", [
    ("it", "che tempo farà sabato a bologna"),
    ("it", "vorrei prenotare un tavolo per quattro persone"),
    ("it", "a che ora gioca l'inter stasera"),
    ("it", "mi manda una pizza capricciosa"),
    ("en", "what's the weather like in rome"),
    ("en", "book a table for two at eight"),
    ("en", "what time does the football start"),
    ("en", "i want to order some sushi"),
    ("it", "eh boh"),
    ("it", "pronto pronto"),
    ("en", "erm hello"),
])
def test_out_of_scope_is_not_understood(understanding, lang, text):
    result = understanding.interpret(text, lang)
    assert result.intent is None, result
    assert result.best_guess is not None


@pytest.mark.parametrize("text", ["", "   ", "?!", None])
def test_empty_speech_is_not_understood(understanding, text):
    got = understanding.interpret(text, "it")
    assert (got.intent, got.confidence, got.best_guess) == (None, 0.0, None)
    assert not got.complaint  # no words, no grievance (None: the lexical engine does not predict the flag)


def test_a_high_threshold_rejects_what_the_default_accepts(catalog, lexical):
    strict = LexicalUnderstanding.train(catalog, reject_below=0.999)
    accepted = lexical.interpret("la bolletta è troppo cara", "it")
    rejected = strict.interpret("la bolletta è troppo cara", "it")
    assert accepted.intent == "billing"
    assert rejected == Interpretation(None, accepted.confidence, "billing")


def test_training_is_deterministic(catalog, lexical):
    again = LexicalUnderstanding.train(catalog)
    for text in ("non mi va internet", "vorrei disdire", "boh"):
        assert again.interpret(text, "it") == lexical.interpret(text, "it")


@pytest.mark.parametrize("raw, clean", [
    ("Sì, CERTO!", "si certo"),
    ("  perché   non va?? ", "perche non va"),
    ("l'app", "l app"),
])
def test_normalise_strips_case_accents_and_punctuation(raw, clean):
    assert normalise(raw) == clean


# -- the keypad --------------------------------------------------------------------------------

@pytest.mark.parametrize("digits, intent", [
    ("1", "internet_down"), ("6", "complaint"), ("0", "human_agent"), ("9", "english"),
    (" 3 ", "billing"),
])
def test_a_menu_digit_selects_its_intent(catalog, digits, intent):
    assert interpret_digits(catalog, digits) == Interpretation(intent, 1.0, intent)


@pytest.mark.parametrize("digits", ["7", "8", "12", "", "*", "#"])
def test_other_keys_are_not_understood(catalog, digits):
    assert interpret_digits(catalog, digits) == Interpretation(None, 0.0)
