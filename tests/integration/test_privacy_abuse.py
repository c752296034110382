"""Inbound abuse (issue 18 §6): one sender cannot fill Redis or the queue through the written channels.

Through signed webhooks (SMS, and one Meta batch of many messages): past INBOUND_PER_MINUTE in a minute a
sender's messages are neither stored nor answered, the next minute they are again; a long message is cut
to MESSAGE_MAX_CHARS; a thread never holds more than THREAD_MESSAGES_MAX messages; other senders go on.
"""
from __future__ import annotations

import json

import pytest
import redis as redis_lib

from tests.e2e.test_social_e2e import PAGE, SECRET, clouds  # noqa: F401 (fixture)
from tests.integration.test_privacy_erase import live, sms  # noqa: F401 (fixture)
from tests.support.fake_social import meta_signature

STRANGER, NEIGHBOUR = "+393409876512", "+393401112223"
FLOODER_PSID = "5566778899"


@pytest.fixture
def store(redis_url):
    client = redis_lib.Redis.from_url(redis_url)
    yield {"INBOUND_PER_MINUTE": "3", "INBOUND_PER_DAY": "6", "MESSAGE_MAX_CHARS": "40", "THREAD_MESSAGES_MAX": "6"}, client
    client.close()


def messenger_batch(app, psid: str, texts: list[str], timestamp_ms: int) -> None:
    events = [{"sender": {"id": psid}, "recipient": {"id": PAGE}, "timestamp": timestamp_ms,
               "message": {"mid": f"m_flood_{timestamp_ms}_{n}", "text": text}} for n, text in enumerate(texts)]
    body = json.dumps({"object": "page", "entry": [{"id": PAGE, "time": timestamp_ms, "messaging": events}]}).encode()
    response = app.test_client().post("/social/messenger", data=body, content_type="application/json",
                                      headers={"X-Hub-Signature-256": meta_signature(SECRET, body)})
    assert response.status_code == 200


def inbound(nohold, channel: str, sender: str) -> list:
    thread = nohold.social.threads.for_customer(channel, sender)
    return [m for m in nohold.social.threads.messages(thread.id) if m.direction == "in"] if thread else []


def test_a_sender_over_the_minute_limit_is_neither_stored_nor_answered(live, clouds, clock):
    app, nohold, run_jobs, _ = live
    twilio, _ = clouds
    for n in range(5):
        sms(app, f"Messaggio {n}", f"SM{n:032d}", sender=STRANGER)
    sms(app, "Buongiorno, la linea non va", "SM" + "9" * 32, sender=NEIGHBOUR)
    run_jobs()
    assert [m.text for m in inbound(nohold, "sms", STRANGER)] == ["Messaggio 0", "Messaggio 1", "Messaggio 2"]
    assert len(inbound(nohold, "sms", NEIGHBOUR)) == 1
    answered = [m for m in twilio.messages() if m["To"] == STRANGER]
    assert len(answered) <= 3

    clock.advance(61)
    sms(app, "x" * 500, "SM" + "8" * 32, sender=STRANGER)
    run_jobs()
    assert inbound(nohold, "sms", STRANGER)[-1].text == "x" * 40      # the next minute: kept, cut to 40


def test_a_flood_in_one_batch_is_capped_per_day_and_per_thread(live, clouds, clock):
    app, nohold, run_jobs, raw = live
    for minute in range(4):         # 3 a minute would keep 12; but every message counts toward the day's 6
        messenger_batch(app, FLOODER_PSID, [f"spam {minute}.{n}" for n in range(10)], int(clock() * 1000))
        run_jobs()
        clock.advance(61)
    texts = [m.text for m in inbound(nohold, "messenger", FLOODER_PSID)]
    assert texts == ["spam 0.0", "spam 0.1", "spam 0.2"]     # the 10 of the first batch used up the day
    thread = nohold.social.threads.for_customer("messenger", FLOODER_PSID)
    assert raw.llen(f"nohold:{{queue}}:thread:{thread.id}:messages") <= 6
    assert len(list(raw.scan_iter(match="nohold:{queue}:message:*"))) <= 6   # trimmed messages leave no hash


def test_a_thread_keeps_only_its_newest_messages(live, clouds, clock):
    app, nohold, run_jobs, raw = live
    for n in range(6):                                        # within the limits: 3 a minute, 6 a day
        sms(app, f"aggiornamento {n}", f"SM{n:032d}", sender=NEIGHBOUR)
        run_jobs()
        clock.advance(30)
    thread = nohold.social.threads.for_customer("sms", NEIGHBOUR)
    kept = nohold.social.threads.messages(thread.id)
    assert len(kept) == 6                                     # 6 from the customer and our answer: 7 written
    assert [m.text for m in kept if m.direction == "in"][-1] == "aggiornamento 5"
    assert "aggiornamento 0" not in [m.text for m in kept]
    assert len(list(raw.scan_iter(match="nohold:{queue}:message:*"))) == 6


def test_our_own_messages_count_toward_the_cap_and_the_oldest_go_with_their_hashes(live, clouds, clock):
    app, nohold, run_jobs, raw = live
    sms(app, "non funziona internet da ieri", f"SM{0:032d}", sender=NEIGHBOUR)
    run_jobs()
    threads = nohold.social.threads
    thread = threads.for_customer("sms", NEIGHBOUR)
    for n in range(8):                                        # an agent writes and writes: the thread still keeps 6
        threads.add(thread.id, "note", f"nota numero {n}", agent="giulia")
    kept = threads.messages(thread.id)
    assert [m.text for m in kept] == [f"nota numero {n}" for n in range(2, 8)]
    assert len(list(raw.scan_iter(match="nohold:{queue}:message:*"))) == 6
