"""Our messages on written channels: policy first, one provider call per message at most, rate limits kept."""
from __future__ import annotations

import pytest

from social_bridge.channels import Inbound
from social_bridge.channels.messenger import Messenger
from social_bridge.channels.x import XDirectMessages
from social_bridge.chat.delivery import Delivery, ReplyRefused, RetryLater
from social_bridge.privacy.pseudonyms import PersonKeys
from social_bridge.chat.threads import Threads
from tests.support.fake_social import FakeSocial

PSID, X_USER = "7788990011", "4455667788"


@pytest.fixture
def meta():
    server = FakeSocial(account_id="1").start()
    yield server
    server.stop()


@pytest.fixture
def setup(redis_client, clock, meta):
    threads, jobs = Threads(redis_client, PersonKeys("test person keys"), clock), []
    channels = {"messenger": Messenger("secret", "verify", "page-token", "1122", graph_base=meta.base_url),
                "x": XDirectMessages("consumer", "bearer", "1", api_base=meta.base_url)}
    delivery = Delivery(threads, channels, jobs.append, clock)

    def thread(channel: str, sender: str):
        inbound = Inbound(channel, sender, f"in-{channel}-{sender}", text="ciao", sent_at=clock())
        return threads.record_inbound(inbound, "it").thread
    return delivery, threads, jobs, thread


def sent(meta) -> list[dict]:
    return [r for r in meta.requests if r["method"] == "POST"]


def test_a_message_is_sent_once_however_often_its_job_runs(setup, meta):
    delivery, threads, jobs, thread = setup
    message = delivery.send(thread("messenger", PSID), "Ciao, ti aiuto io", agent="giulia")
    assert jobs == [message.id]
    assert threads.message(message.id).state == "queued"
    assert [delivery.deliver(message.id) for _ in range(3)] == ["sent", "sent", "sent"]
    assert len(sent(meta)) == 1
    assert threads.message(message.id).provider_id == "m_1"


@pytest.mark.parametrize("status,state", [(500, "queued"), (429, "queued"), (400, "failed")])
def test_provider_errors_retry_later_or_fail(setup, meta, status, state):
    delivery, threads, _, thread = setup
    message = delivery.send(thread("messenger", PSID), "Ciao")
    meta.fail_next(status=status, body={"error": {"message": "no", "code": 2 if status != 400 else 100}})
    if state == "queued":
        with pytest.raises(RetryLater):
            delivery.deliver(message.id)
        assert threads.message(message.id).state == "queued"
        assert delivery.deliver(message.id) == "sent"  # the job's retry
    else:
        assert delivery.deliver(message.id) == "failed"
        assert delivery.deliver(message.id) == "failed"
        assert len(sent(meta)) == 1


def test_no_answer_leaves_the_message_unknown_and_never_sends_it_again(setup, meta):
    delivery, threads, _, thread = setup
    message = delivery.send(thread("messenger", PSID), "Ciao")
    meta.stop()  # the provider vanishes: was it sent? nobody knows
    assert delivery.deliver(message.id) == "unknown"
    assert delivery.deliver(message.id) == "unknown"
    assert threads.message(message.id).error
    meta.start()


def test_the_policy_refuses_before_anything_is_stored(setup, clock):
    delivery, threads, jobs, thread = setup
    conversation = thread("messenger", PSID)
    clock.advance(8 * 86400)
    with pytest.raises(ReplyRefused) as refused:
        delivery.send(threads.get(conversation.id), "Ci sei?")
    assert refused.value.reason == "window_closed"
    assert jobs == []
    assert [m.direction for m in threads.messages(conversation.id)] == ["in"]


def test_x_rate_limit_per_recipient_waits_for_the_next_window(setup, meta, clock):
    delivery, threads, _, thread = setup
    conversation = thread("x", X_USER)
    ids = [delivery.send(conversation, f"messaggio {n}").id for n in range(201)]
    assert [delivery.deliver(i) for i in ids[:200]] == ["sent"] * 200
    with pytest.raises(RetryLater):
        delivery.deliver(ids[200])
    assert threads.message(ids[200]).state == "queued"
    assert len(sent(meta)) == 200
    clock.advance(15 * 60)
    assert delivery.deliver(ids[200]) == "sent"


def test_giving_up_after_the_retries_marks_the_message_failed(setup, meta):
    delivery, threads, _, thread = setup
    message = delivery.send(thread("messenger", PSID), "Ciao")
    meta.fail_next(status=503)
    with pytest.raises(RetryLater):
        delivery.deliver(message.id)
    delivery.give_up(message.id)
    assert threads.message(message.id).state == "failed"


def test_a_reply_longer_than_messenger_takes_goes_out_in_parts(setup, meta):
    delivery, threads, jobs, thread = setup
    sentence = "Abbiamo verificato la linea e il guasto è in centrale, il tecnico interviene entro domani. "
    delivery.send(thread("messenger", PSID), sentence * 40, agent="giulia")
    assert len(jobs) == 2
    for message_id in jobs:
        delivery.deliver(message_id)
    texts = [r["json"]["message"]["text"] for r in sent(meta)]
    assert all(len(t) <= 2000 for t in texts)
    assert texts[0].startswith("(1/2) Abbiamo")
