"""X's daily budget: DMs and public replies counted per day; past X_DAILY_BUDGET nothing more goes on X — the
message goes by SMS when the thread has a number, and the customer is told once (by SMS, or by one DM with the
web chat link); the supervisor sees today's count, /metrics counts nohold_x_messages_sent_total.

Real Flask, Redis and RQ; X's API is the local fake (tests/support/fake_social.py), SMS the dev outbox.
"""
from __future__ import annotations

import re

import pytest

from tests.integration.test_public_posts import configured, mention, public_replies
from tests.integration.test_social_webhooks import BOT, FAN, graph, payload, post_x, raw  # noqa: F401 (graph)
from tests.integration.test_console import login
from tests.support.apps import built, client  # noqa: F401 (fixture)

WEB_CHAT = "https://assistenza.example.it/chat"
CALLER = "+393471234567"


@pytest.fixture
def budget():
    return 3


@pytest.fixture
def app(settings, clock, redis_client, graph, budget):
    with built(configured(settings, graph, x_daily_budget=budget, web_chat_url=WEB_CHAT), clock) as application:
        yield application


def x_dms(graph) -> list[str]:
    return [r["json"]["text"] for r in graph.requests if "/dm_conversations/" in r["path"]]


@pytest.fixture
def thread(client, nohold, social_jobs, clock):
    """FAN wrote a DM; the acknowledgement went on X (the budget's first message)."""
    dm = payload("x_aaa_direct_message_events_real.json")
    dm["for_user_id"] = BOT
    dm["direct_message_events"][0]["created_timestamp"] = str(int(clock() * 1000))
    dm["direct_message_events"][0]["message_create"]["sender_id"] = FAN
    post_x(client, raw(dm))
    social_jobs()
    return nohold.social.threads.for_customer("x", FAN)


def reply(nohold, social_jobs, thread, text: str):
    message = nohold.social.delivery.send(thread, text, agent="agent-1")
    social_jobs()
    return nohold.social.threads.message(message.id)


def test_past_the_budget_nothing_more_goes_on_x_and_the_web_chat_notice_goes_once(
        nohold, social_jobs, graph, thread):
    states = [reply(nohold, social_jobs, thread, f"Risposta {n}").state for n in range(1, 5)]
    assert states == ["sent", "sent", "failed", "failed"]
    notice = nohold.prompts.text(thread.lang, "public.x_budget_web", url=WEB_CHAT)
    assert x_dms(graph)[1:] == ["Risposta 1", "Risposta 2", notice]


def test_past_the_budget_a_thread_with_a_number_goes_on_by_sms_with_one_notice(
        nohold, social_jobs, graph, thread):
    nohold.social.threads.update(thread.id, context={"caller": CALLER})  # linked to a call by its handoff code
    thread = nohold.social.threads.get(thread.id)
    for n in range(1, 5):
        reply(nohold, social_jobs, thread, f"Risposta {n}")
    assert x_dms(graph)[1:] == ["Risposta 1", "Risposta 2"]
    texts = [entry["body"] for entry in reversed(nohold.outbox.entries()) if entry["to"] == CALLER]
    assert texts == [nohold.prompts.text(thread.lang, "public.x_budget_sms"), "Risposta 3", "Risposta 4"]


def test_the_supervisor_sees_todays_count_and_the_budget(app, nohold, social_jobs, thread):
    reply(nohold, social_jobs, thread, "Risposta 1")
    nohold.bridge.agents.create("Sara", "una password lunga 2026", role="supervisor")
    supervisor = app.test_client()
    assert login(supervisor, "sara", "una password lunga 2026").status_code == 302
    data = supervisor.get("/console/supervisor.json").json
    assert data["x_budget"]["sent"] == 2
    assert data["x_budget"]["budget"] == 3
    page = supervisor.get("/console/supervisor/body").get_data(as_text=True)
    box = re.search(r'id="x-budget"><b class="mono">([^<]*)</b><span>([^<]*)</span>', page)
    assert box.groups() == ("2 / 3", "Messaggi su X oggi / budget")


def test_metrics_count_x_messages_by_kind(client, nohold, social_jobs, thread):
    for n in range(1, 4):
        reply(nohold, social_jobs, thread, f"Risposta {n}")
    text = client.get("/metrics").text
    assert 'nohold_x_messages_sent_total{kind="dm"} 3' in text
    assert 'nohold_x_messages_sent_total{kind="notice"} 1' in text


@pytest.mark.parametrize("budget", [1])
def test_public_replies_count_too_and_the_post_is_queued_without_one(
        client, nohold, social_jobs, graph, thread, clock, budget):
    post_x(client, mention(clock, author="5550001111", tweet="1865012345678900077"))
    social_jobs()
    assert public_replies(graph) == []
    author = nohold.social.threads.for_customer("x", "5550001111")
    assert nohold.queue.get(author.item_id).status == "waiting"


@pytest.mark.parametrize("budget", [0])
def test_a_budget_of_0_is_no_limit_but_still_counted(nohold, social_jobs, graph, thread, budget):
    for n in range(1, 6):
        reply(nohold, social_jobs, thread, f"Risposta {n}")
    assert len(x_dms(graph)) == 6
    assert nohold.social.channels["x"].budget.today()["sent"] == 6


def test_the_next_day_the_budget_starts_again(nohold, social_jobs, graph, thread, clock):
    for n in range(1, 4):
        reply(nohold, social_jobs, thread, f"Risposta {n}")
    clock.advance(86400)
    assert reply(nohold, social_jobs, thread, "Buongiorno").state == "sent"
