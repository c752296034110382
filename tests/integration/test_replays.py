"""Signed requests recorded long ago and replayed: they start nothing (Twilio's signatures never expire),
and a provider's own time never buys a place ahead of the queue (issue 13)."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from ivr.simulate import FlaskTransport, Phone
from social_bridge.channels import Inbound
from social_bridge.queue.work_item import WorkItem
from tests.integration.test_sms_commands import sms
from tests.integration.test_social_webhooks import APP_SECRET, PAGE, app, batch, entry, graph, post_messenger  # noqa: F401

CALL = yaml.safe_load((Path(__file__).resolve().parent.parent.parent / "scenarios" / "it_internet_callback.yaml").read_text())
CALLER = CALL["from"]


class Recording:
    """A transport that keeps every signed request it carried, to send them again."""

    def __init__(self, inner):
        self.inner, self.sent = inner, []

    def post(self, url: str, form: dict, headers: dict):
        self.sent.append((url, dict(form), dict(headers)))
        return self.inner.post(url, form, headers)


def expire_call_state(redis_client, call_sid: str) -> None:
    """What 4 hours without a step do to a call: its state and step replies are gone."""
    redis_client.delete(f"nohold:{{call:{call_sid}}}", f"nohold:{{call:{call_sid}}}:replies")


def test_a_call_replayed_after_its_state_expired_books_nothing(app, settings, nohold, redis_client):
    transport = Recording(FlaskTransport(app))
    result = Phone(settings.public_base_url, settings.signing_token, transport).run_script(CALL)
    assert result.ok, result.error
    booked = nohold.queue.get(nohold.calls.load(result.call_sid).item_id)
    assert booked.status == "cancelled"  # the script's caller cancelled it by SMS
    expire_call_state(redis_client, result.call_sid)
    keys_before = redis_client.dbsize()
    for url, form, headers in transport.sent:  # the attacker's recording of that call, sent again
        status, body = transport.inner.post(url, form, headers)
        if "/voice/status" in url:  # a status callback: nothing to say
            assert status == 204
            continue
        assert status == 200
        if "/voice/" in url:  # (SMS get their reply again while it is kept: the next test)
            assert [element.tag for element in ET.fromstring(body)] == ["Hangup"], body
    assert nohold.queue.pending_for(nohold.desk.callback_key(CALLER)) is None
    assert redis_client.dbsize() == keys_before


def test_a_call_in_progress_still_replays_its_own_replies(app, settings, nohold):
    transport = Recording(FlaskTransport(app))
    result = Phone(settings.public_base_url, settings.signing_token, transport).run_script(CALL)
    assert result.ok, result.error
    url, form, headers = transport.sent[1]
    first = transport.inner.post(url, form, headers)
    assert first[0] == 200
    assert "Hangup" not in [element.tag for element in ET.fromstring(first[1])]  # the call's own answer again


def test_an_old_signed_cancel_does_not_cancel_a_new_booking(app, settings, nohold, redis_client, clock):
    client = app.test_client()

    def book() -> WorkItem:
        item = WorkItem(id="", kind="callback", channel="voice", lang="it", acquired_at=clock() - 60,
                        natural_key=nohold.desk.callback_key(CALLER), customer=CALLER, intent="internet_down")
        return nohold.queue.enqueue(item).item

    first = book()
    assert "annullata" in sms(client, settings, "ANNULLA", sender=CALLER)[0]
    assert nohold.queue.get(first.id).status == "cancelled"
    redis_client.delete(f"nohold:{{sms:SM{'1' * 32}}}")  # its reply is forgotten after a week
    second = book()
    assert second.id != first.id
    assert sms(client, settings, "ANNULLA", sender=CALLER) == []  # the same signed message, weeks later
    assert nohold.queue.get(second.id).status == "waiting"


@pytest.mark.parametrize("millis, expected_offset", [
    (1, -36 * 3600),                          # "timestamp: 1": 1970, the head of the queue
    (None, None),                             # the recorded payload's own time (2016): clamped the same way
    ("future", 0),                            # a day ahead: now
])
def test_a_messenger_time_is_believed_only_within_metas_retry_window(client_app, nohold, clock, social_jobs,
                                                                      millis, expected_offset):
    client = client_app.test_client()
    now = clock()
    millis = int((now + 86400) * 1000) if millis == "future" else millis
    assert post_messenger(client, batch(entry(text="internet non va", millis=millis))).status_code == 200
    social_jobs()
    waiting = nohold.queue.get(nohold.social.threads.for_customer("messenger", "7788990011").item_id)
    assert waiting.acquired_at == pytest.approx(now + (expected_offset if expected_offset is not None else -36 * 3600))


def test_a_time_inside_the_window_is_kept():
    inbound = Inbound("messenger", "7788990011", "mid.1", text="ciao", sent_at=1_000_000.0 - 600)
    assert inbound.seen_at(1_000_000.0).sent_at == 1_000_000.0 - 600
    assert Inbound("x", "1", "2", sent_at=1_000_000.0 - 3600).seen_at(1_000_000.0).sent_at == 1_000_000.0 - 600
    assert Inbound("sms", "+393471234567", "SM1").seen_at(1_000_000.0).sent_at == 1_000_000.0


@pytest.fixture
def client_app(app):
    return app
