"""Italian notices (issue 18 §7): a short privacy notice on the keypad (8 at the open question and at the
keypad menu, both languages), and a link to the full notice in our first answer of a written conversation."""
from __future__ import annotations

import pytest
import redis as redis_lib

from tests.e2e.test_social_e2e import clouds  # noqa: F401 (fixture)
from tests.integration.test_privacy_erase import live, sms  # noqa: F401 (fixture)
from tests.integration.test_voice_webhooks import call, client  # noqa: F401 (fixture)
from tests.support.twiml_helpers import gather, said

NOTICE_URL = "https://www.example.it/privacy/assistenza"
WRITER = "+393409876512"


@pytest.fixture
def store(redis_url):
    client = redis_lib.Redis.from_url(redis_url)
    yield {"PRIVACY_NOTICE_URL": NOTICE_URL}, client
    client.close()


@pytest.mark.parametrize("lang, keys", [("it", []), ("en", ["9"])])
def test_eight_at_the_open_question_says_the_privacy_notice_then_asks_again(client, settings, nohold, lang, keys):
    call(client, settings, "/voice/incoming")
    seq = 1
    for key in keys:
        call(client, settings, f"/voice/step?seq={seq}", Digits=key)
        seq += 1
    heard = call(client, settings, f"/voice/step?seq={seq}", Digits="8").data
    assert nohold.prompts.text(lang, "voice.privacy_notice") in said(heard)
    assert nohold.prompts.text(lang, "voice.ask_reason") in said(heard)
    assert gather(heard).get("action") == f"/voice/step?seq={seq + 1}"
    assert nohold.calls.load("CA" + "1" * 32).node == "reason"


def test_the_keypad_menu_offers_the_notice_on_eight(client, settings, nohold):
    call(client, settings, "/voice/incoming")
    seq, heard = 1, b""
    while nohold.calls.load("CA" + "1" * 32).node != "keypad":  # nothing understood: the keypad menu
        heard = call(client, settings, f"/voice/step?seq={seq}", SpeechResult="mmh boh").data
        seq += 1
        assert seq < 6, "the keypad menu never came"
    assert "privacy, 8" in said(heard)
    again = call(client, settings, f"/voice/step?seq={seq}", Digits="8").data
    assert nohold.prompts.text("it", "voice.privacy_notice") in said(again)
    assert nohold.calls.load("CA" + "1" * 32).node == "keypad"


def test_the_first_answer_of_a_conversation_links_the_full_notice(live, clouds, clock):
    app, nohold, run_jobs, _ = live
    twilio, _ = clouds
    sms(app, "Buongiorno, internet non funziona", "SM" + "1" * 32, sender=WRITER)
    run_jobs()
    clock.advance(3600)
    sms(app, "STATO", "SM" + "2" * 32, sender=WRITER)  # a command: always answered
    run_jobs()
    answers = [m["Body"] for m in twilio.messages() if m["To"] == WRITER]
    assert len(answers) == 2
    assert NOTICE_URL in answers[0]
    assert NOTICE_URL not in answers[1]
