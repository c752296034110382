"""Public posts: X mentions and comments on the page's posts, signed like the real ones, become work items at the
post's time, get one public templated reply (no personal data, a private link with a handoff code) on the fake X /
Graph server, and join the author's private conversation when they write.

Real Flask, Redis and RQ; X's API and Meta's Graph API are the local fake (tests/support/fake_social.py).
"""
from __future__ import annotations

import copy
import json

import pytest

from ivr import create_app
from social_bridge.chat.handoff import find_code
from tests.integration.test_console import login
from tests.integration.test_social_webhooks import (  # noqa: F401 (graph: the fixture)
    APP_SECRET, BOT, FAN, PAGE, X_SECRET, around, graph, inbox_keys, payload, post_messenger, post_x, raw)
from tests.support.apps import built, client  # noqa: F401 (fixture)
from tests.support.fake_social import forged_signatures, meta_signature, x_signature

COMMENTER = "6655443322"     # the commenter's id in the recorded comment
PSID = "7788990011"          # the same person's Messenger id: Meta gives them another id there
TWEET, COMMENT = "1865012345678901249", "987654321_123456789"
AGO = 120                    # seconds between the post and its webhook


def mention(clock, author: str = FAN, tweet: str = TWEET, **changes) -> bytes:
    """The recorded mention, posted AGO seconds before now by `author`."""
    body = payload("x_aaa_tweet_create_mention_composed.json")
    post = body["tweet_create_events"][0]
    post["user"]["id_str"], post["id_str"] = author, tweet
    post["timestamp_ms"] = str(int((clock() - AGO) * 1000))
    post.update(changes)
    return raw(body)


def comment(clock, author: str = COMMENTER, comment_id: str = COMMENT, **changes) -> bytes:
    """The recorded page comment, written AGO seconds before now by `author`."""
    body = payload("messenger_feed_comment_add_composed.json")
    value = body["entry"][0]["changes"][0]["value"]
    value["from"]["id"], value["comment_id"], value["created_time"] = author, comment_id, int(clock() - AGO)
    value.update(changes)
    return raw(body)


def configured(settings, graph, **overrides):
    return settings.with_overrides(
        messenger_app_secret=APP_SECRET, messenger_verify_token="verify", messenger_page_token="page-token",
        messenger_page_id=PAGE, graph_api_base=graph.base_url + "/v21.0",
        x_consumer_secret=X_SECRET, x_bearer_token="x-user-token", x_account=BOT, x_api_base=graph.base_url,
        x_public_mentions=1, messenger_page_comments=1, public_replies_per_author_per_day=1,
        public_replies_per_channel_per_hour=3, **overrides)


@pytest.fixture
def app(settings, clock, redis_client, graph):
    with built(configured(settings, graph), clock) as application:
        yield application


def public_replies(graph) -> list[dict]:
    return [r for r in graph.requests if r["path"] == "/2/tweets" or r["path"].endswith("/comments")]


def dms(graph) -> list[dict]:
    return [r for r in graph.requests if "/dm_conversations/" in r["path"] or r["path"].endswith("/me/messages")]


# -- a mention / a comment becomes work at the post's time, answered once in public -----------------------
def test_a_mention_is_an_item_at_the_post_time(client, nohold, social_jobs, clock):
    assert post_x(client, mention(clock)).status_code == 200
    social_jobs()
    thread = nohold.social.threads.for_customer("x", FAN)
    item = nohold.queue.get(thread.item_id)
    assert item.acquired_at == pytest.approx(clock() - AGO)
    assert item.kind == "thread"
    assert [m.kind for m in nohold.social.threads.messages(thread.id) if m.direction == "in"] == ["mention"]


def test_a_page_comment_is_an_item_at_the_post_time(client, nohold, social_jobs, clock):
    assert post_messenger(client, comment(clock)).text == "EVENT_RECEIVED"
    social_jobs()
    thread = nohold.social.threads.for_customer("messenger", COMMENTER)
    item = nohold.queue.get(thread.item_id)
    assert item.acquired_at == pytest.approx(clock() - AGO)
    assert [m.kind for m in nohold.social.threads.messages(thread.id) if m.direction == "in"] == ["comment"]


def test_a_commenter_gets_no_automated_message_before_they_write(client, nohold, social_jobs, clock):
    post_messenger(client, comment(clock))
    social_jobs()
    thread = nohold.social.threads.for_customer("messenger", COMMENTER)
    # Meta: a comment opens no Messenger window; only an agent's private reply may go (test_private_replies.py)
    assert nohold.social.delivery.policy(thread, human=False).allowed is False


def test_the_public_reply_to_a_mention_holds_a_dm_link_and_a_valid_code_only(client, nohold, social_jobs, clock, graph):
    post_x(client, mention(clock))
    social_jobs()
    [request] = public_replies(graph)
    assert request["json"]["reply"] == {"in_reply_to_tweet_id": TWEET}
    assert request["headers"]["authorization"] == "Bearer x-user-token"
    text = request["json"]["text"]
    code = find_code(text)
    link = f"https://x.com/messages/compose?recipient_id={BOT}&text=Codice%20{code}"
    assert text == nohold.prompts.text("it", "public.reply", link=link, code=code)
    context = nohold.codes.redeem(code)
    assert context["acquired_at"] == pytest.approx(clock() - AGO)
    assert dms(graph) == []  # nothing private goes to someone who has not written privately


def test_the_public_reply_to_a_comment_holds_an_mme_link_and_a_valid_code_only(
        client, nohold, social_jobs, clock, graph):
    post_messenger(client, comment(clock))
    social_jobs()
    [request] = public_replies(graph)
    assert request["path"] == f"/v21.0/{COMMENT}/comments"
    assert request["query"] == {}  # the page token goes in the header, never in a URL
    text = request["json"]["message"]
    code = find_code(text)
    assert text == nohold.prompts.text("it", "public.reply", link=f"https://m.me/{PAGE}?ref={code}", code=code)
    assert nohold.codes.redeem(code) is not None


@pytest.mark.parametrize("post", ["mention", "comment"])
def test_a_public_reply_names_nothing_of_the_author_nor_their_words(client, nohold, social_jobs, clock, graph, post):
    body = mention(clock) if post == "mention" else comment(clock)
    (post_x if post == "mention" else post_messenger)(client, body)
    social_jobs()
    [request] = public_replies(graph)
    sent = json.dumps(request["json"], ensure_ascii=False).lower()
    for personal in ("giulia", "esempio", "marco", FAN, COMMENTER, "modem", "internet", "telefono", "fisso"):
        assert personal.lower() not in sent


def test_a_redelivered_post_is_queued_and_answered_once(client, nohold, social_jobs, clock, graph):
    body = mention(clock)
    for _ in range(3):
        post_x(client, body)
    social_jobs()
    assert len(public_replies(graph)) == 1
    assert nohold.queue.depth()["thread"] == 1


# -- the author writes privately: one conversation -------------------------------------------------------
def test_the_authors_dm_joins_the_mention_in_one_conversation(client, nohold, social_jobs, clock, graph):
    post_x(client, mention(clock))
    social_jobs()
    code = find_code(public_replies(graph)[0]["json"]["text"])
    clock.advance(600)
    dm = payload("x_aaa_direct_message_events_real.json")
    dm["for_user_id"] = BOT
    event = dm["direct_message_events"][0]
    event["created_timestamp"] = str(int(clock() * 1000))
    event["message_create"]["sender_id"] = FAN
    event["message_create"]["message_data"]["text"] = f"Codice {code}"
    post_x(client, raw(dm))
    social_jobs()
    thread = nohold.social.threads.for_customer("x", FAN)
    assert [m.kind for m in nohold.social.threads.messages(thread.id) if m.direction == "in"] == ["mention", "message"]
    assert nohold.queue.depth()["thread"] == 1
    assert nohold.queue.get(thread.item_id).acquired_at == pytest.approx(clock() - 600 - AGO)


def comment_then_private(client, nohold, social_jobs, clock, graph):
    """A comment, our public answer, then 900 s later the commenter opens the m.me link: (the comment's item, the
    private thread)."""
    post_messenger(client, comment(clock))
    social_jobs()
    item_id = nohold.social.threads.for_customer("messenger", COMMENTER).item_id
    code = find_code(public_replies(graph)[0]["json"]["message"])
    clock.advance(900)
    postback = copy.deepcopy(payload("messenger_postback_with_referral_docs.json")["value"])
    postback["sender"], postback["timestamp"] = {"id": PSID}, int(clock() * 1000)
    postback["postback"]["referral"]["ref"] = code
    post_messenger(client, around(postback))
    social_jobs()
    threads = nohold.social.threads
    return nohold.queue.get(item_id), threads.for_customer("messenger", PSID)


def test_the_commenters_messenger_thread_takes_the_comment_and_its_place(client, nohold, social_jobs, clock, graph):
    public_item, private = comment_then_private(client, nohold, social_jobs, clock, graph)
    messages = [m for m in nohold.social.threads.messages(private.id) if m.direction == "in"]
    assert [m.kind for m in messages] == ["postback", "comment"]
    assert messages[1].at == pytest.approx(clock() - 900 - AGO)
    assert nohold.queue.get(private.item_id).acquired_at == pytest.approx(clock() - 900 - AGO)
    assert public_item.status == "cancelled"
    assert nohold.social.threads.for_customer("messenger", COMMENTER).item_id == private.item_id
    assert nohold.queue.depth()["thread"] == 1


def test_the_agent_reads_the_comment_in_the_private_conversation(app, client, nohold, social_jobs, clock, graph):
    _, private = comment_then_private(client, nohold, social_jobs, clock, graph)
    nohold.bridge.agents.create("Sara", "una password lunga 2026", role="supervisor")
    supervisor = app.test_client()
    assert login(supervisor, "sara", "una password lunga 2026").status_code == 302
    page = supervisor.get(f"/console/items/{private.item_id}").get_data(as_text=True)
    assert "Da ieri sera il telefono fisso non funziona" in page
    assert "commento pubblico sulla pagina" in page


def test_an_x_posts_code_from_another_account_links_nothing(client, nohold, social_jobs, clock, graph):
    post_x(client, mention(clock))
    social_jobs()
    code = find_code(public_replies(graph)[0]["json"]["text"])
    dm = payload("x_aaa_direct_message_events_real.json")
    dm["for_user_id"] = BOT
    dm["direct_message_events"][0]["created_timestamp"] = str(int(clock() * 1000))
    dm["direct_message_events"][0]["message_create"]["sender_id"] = "4242424242"
    dm["direct_message_events"][0]["message_create"]["message_data"]["text"] = f"Codice {code}"
    post_x(client, raw(dm))
    social_jobs()
    stranger = nohold.social.threads.for_customer("x", "4242424242")
    assert nohold.queue.get(stranger.item_id).acquired_at == pytest.approx(clock())
    assert nohold.codes.redeem(code) is None  # used up: nobody else can take the post's place with it
    assert nohold.queue.depth()["thread"] == 2


# -- limits ----------------------------------------------------------------------------------------------
def test_one_public_reply_per_author_a_day_and_every_post_still_queued(client, nohold, social_jobs, clock, graph):
    post_x(client, mention(clock, tweet="1865012345678901001"))
    post_messenger(client, comment(clock))
    social_jobs()
    clock.advance(3600)
    post_x(client, mention(clock, tweet="1865012345678901002"))
    social_jobs()
    assert [r["json"]["reply"]["in_reply_to_tweet_id"] for r in public_replies(graph) if "reply" in r["json"]] == [
        "1865012345678901001"]
    thread = nohold.social.threads.for_customer("x", FAN)
    assert [m.provider_id for m in nohold.social.threads.messages(thread.id) if m.direction == "in"] == [
        "1865012345678901001", "1865012345678901002"]
    assert nohold.queue.get(thread.item_id).status == "waiting"


def test_the_next_day_the_author_gets_a_public_answer_again(client, nohold, social_jobs, clock, graph):
    post_x(client, mention(clock, tweet="1865012345678901001"))
    social_jobs()
    clock.advance(86400)
    post_x(client, mention(clock, tweet="1865012345678901002"))
    social_jobs()
    assert len(public_replies(graph)) == 2


def test_public_replies_per_channel_per_hour(client, nohold, social_jobs, clock, graph):
    for n in range(5):
        post_x(client, mention(clock, author=f"50000000{n}", tweet=f"186501234567890{n:04d}"))
    social_jobs()
    assert len(public_replies(graph)) == 3  # PUBLIC_REPLIES_PER_CHANNEL_PER_HOUR in this app
    assert nohold.queue.depth()["thread"] == 5
    clock.advance(3600)
    post_x(client, mention(clock, author="600000000", tweet="1865012345678909999"))
    social_jobs()
    assert len(public_replies(graph)) == 4


# -- what is not read ------------------------------------------------------------------------------------
@pytest.fixture
def off_client(settings, clock, redis_client, graph):
    application = create_app({"SETTINGS": configured(settings, graph).with_overrides(
        x_public_mentions=0, messenger_page_comments=0), "CLOCK": clock})
    yield application.test_client()
    application.extensions["nohold"].metrics.close()


def test_with_the_public_channels_off_posts_are_acknowledged_and_ignored(off_client, redis_client, clock, graph):
    before = redis_client.dbsize()
    assert post_x(off_client, mention(clock)).status_code == 200
    assert post_messenger(off_client, comment(clock)).status_code == 200
    assert inbox_keys(redis_client) == []
    assert redis_client.dbsize() == before


@pytest.mark.parametrize("channel", ["x", "messenger"])
def test_a_forged_signature_on_a_post_is_403_and_writes_nothing(client, nohold, redis_client, clock, channel):
    body = mention(clock) if channel == "x" else comment(clock)
    sign, secret, post = (x_signature, X_SECRET, post_x) if channel == "x" else (meta_signature, APP_SECRET,
                                                                                  post_messenger)
    before = redis_client.dbsize()
    for forged in forged_signatures(sign, secret, body):
        assert post(client, body, forged).status_code == 403
    assert inbox_keys(redis_client) == []
    assert redis_client.dbsize() == before


@pytest.mark.parametrize("changes", [
    {"user": {"id_str": BOT, "screen_name": "nohold_support"}},                   # our own post
    {"retweeted_status": {"id_str": "1865000000000000000", "text": "@nohold_support ..."}},  # a retweet
    {"entities": {"user_mentions": []}},                                          # does not name us
], ids=["own-post", "retweet", "not-a-mention"])
def test_posts_that_are_not_mentions_by_others_are_ignored(client, redis_client, clock, changes):
    before = redis_client.dbsize()
    body = payload("x_aaa_tweet_create_mention_composed.json")
    body["tweet_create_events"][0].update(changes)
    assert post_x(client, raw(body)).status_code == 200
    assert inbox_keys(redis_client) == []
    assert redis_client.dbsize() == before


@pytest.mark.parametrize("changes", [{"from": {"id": PAGE, "name": "nohold"}}, {"verb": "edited"},
                                     {"item": "reaction", "verb": "add"}], ids=["page-own-reply", "edit", "reaction"])
def test_feed_changes_that_are_not_new_comments_by_others_are_ignored(client, redis_client, clock, changes):
    before = redis_client.dbsize()
    assert post_messenger(client, comment(clock, **changes)).status_code == 200
    assert inbox_keys(redis_client) == []
    assert redis_client.dbsize() == before
