"""Meta's tag rules against the local fake Graph: HUMAN_AGENT only for a person's reply; automated messages past
24 hours go by SMS to the thread's number, or not at all, and the thread records why."""
from __future__ import annotations

from pathlib import Path

import pytest

from ivr.call.messaging import Messages
from ivr.speech.prompts import PromptBook
from social_bridge.channels import Inbound
from social_bridge.channels.messenger import Messenger
from social_bridge.chat.delivery import Delivery
from social_bridge.chat.threads import Threads
from social_bridge.outages.notices import OutageNotices
from social_bridge.privacy.pseudonyms import PersonKeys
from tests.support.apps import graph  # noqa: F401 (fixture)

PSID, CALLER, DAY = "7788990011", "+393471234567", 86400
PROMPTS = PromptBook.load(Path(__file__).resolve().parents[2] / "prompts")


@pytest.fixture
def world(redis_client, clock, graph):
    threads, jobs, sms_jobs = Threads(redis_client, PersonKeys("test person keys"), clock), [], []
    messages = Messages(redis_client, sms_jobs.append, clock=clock)
    channels = {"messenger": Messenger("secret", "verify", "page-token", "1122", graph_base=graph.base_url)}
    delivery = Delivery(threads, channels, jobs.append, clock, sms=messages)
    notices = OutageNotices(redis_client, messages, PROMPTS, threads, delivery)
    return threads, delivery, notices, messages, jobs, sms_jobs


def messenger_thread(threads, clock, caller: str = ""):
    thread = threads.record_inbound(Inbound("messenger", PSID, "mid.1", text="ciao", sent_at=clock()), "it").thread
    if caller:
        threads.update(thread.id, context={"caller": caller})
    return threads.get(thread.id)


def posted(graph) -> list[dict]:
    return [request["json"] for request in graph.requests if request["method"] == "POST"]


def notify_fixed(notices, thread, outage_id: str = "OUT1") -> int:
    notices.schedule(lambda _: None, outage_id, [f"thread:{thread.id}"])
    return notices.notify(outage_id, sleep=lambda _: None)


def test_the_fixed_notice_three_days_later_goes_by_sms_not_to_graph(world, graph, clock):
    threads, delivery, notices, messages, jobs, sms_jobs = world
    thread = messenger_thread(threads, clock, caller=CALLER)
    clock.advance(3 * DAY)
    assert notify_fixed(notices, thread) == 1
    for message_id in jobs:
        delivery.deliver(message_id)
    assert posted(graph) == []
    assert [messages.get(sms)["to"] for sms in sms_jobs] == [CALLER]
    assert [m.state for m in threads.messages(thread.id) if m.direction == "out"] == ["by_sms"]


def test_the_fixed_notice_sms_says_the_fixed_notice(world, clock):
    threads, _, notices, messages, _, sms_jobs = world
    thread = messenger_thread(threads, clock, caller=CALLER)
    clock.advance(3 * DAY)
    notify_fixed(notices, thread)
    assert messages.get(sms_jobs[0])["body"] == PROMPTS.text("it", "self_service.outage_fixed_sms")


def test_without_a_number_the_fixed_notice_is_skipped_with_the_reason_recorded(world, graph, clock):
    threads, delivery, notices, _, jobs, sms_jobs = world
    thread = messenger_thread(threads, clock)
    clock.advance(3 * DAY)
    assert notify_fixed(notices, thread) == 0
    [message] = [m for m in threads.messages(thread.id) if m.direction == "out"]
    assert message.state == "skipped"
    assert message.error == "automated_outside_window"
    assert jobs == []
    assert sms_jobs == []
    assert posted(graph) == []


def test_an_agents_reply_at_three_days_is_tagged_human_agent(world, graph, clock):
    threads, delivery, _, _, jobs, _ = world
    thread = messenger_thread(threads, clock, caller=CALLER)
    clock.advance(3 * DAY)
    message = delivery.send(threads.get(thread.id), "Ciao, sono Giulia: il guasto è risolto", agent="giulia")
    assert delivery.deliver(message.id) == "sent"
    [payload] = posted(graph)
    assert payload["tag"] == "HUMAN_AGENT"
    assert payload["messaging_type"] == "MESSAGE_TAG"


@pytest.mark.parametrize("auto", [True, False])
def test_within_24_hours_nothing_is_tagged(world, graph, clock, auto):
    threads, delivery, _, _, jobs, _ = world
    thread = messenger_thread(threads, clock, caller=CALLER)
    clock.advance(23 * 3600)
    message = delivery.send(threads.get(thread.id), "Sei il numero 2 in coda", agent="" if auto else "giulia",
                            auto=auto)
    delivery.deliver(message.id)
    [payload] = posted(graph)
    assert "tag" not in payload
    assert payload["messaging_type"] == "RESPONSE"


def test_an_automated_message_stored_with_a_tag_is_never_posted(world, graph, clock):
    threads, delivery, _, _, _, _ = world
    thread = messenger_thread(threads, clock)
    clock.advance(3 * DAY)
    message = threads.add(thread.id, "out", "Sei il numero 2 in coda", kind="auto", state="queued", tag="HUMAN_AGENT")
    assert delivery.deliver(message.id) == "failed"
    assert posted(graph) == []
