"""The public halves of the X and Messenger adapters: which posts are mentions, which feed changes are comments,
what a body they cannot read becomes (Malformed: a 400), and that both stay silent unless switched on."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from social_bridge.channels import Malformed
from social_bridge.channels.messenger import Messenger
from social_bridge.channels.x import XDirectMessages

PAYLOADS = Path(__file__).parent.parent / "data" / "payloads"
BOT, FAN, PAGE = "1363121963309412354", "1133857316862910464", "1122334455"
MENTION = json.loads((PAYLOADS / "x_aaa_tweet_create_mention_composed.json").read_text("utf-8"))
COMMENT = json.loads((PAYLOADS / "messenger_feed_comment_add_composed.json").read_text("utf-8"))


def x(public: bool = True) -> XDirectMessages:
    return XDirectMessages("secret", "token", BOT, public_mentions=public)


def page(public: bool = True) -> Messenger:
    return Messenger("secret", "verify", "page-token", PAGE, page_comments=public)


def mention(**changes) -> bytes:
    body = copy.deepcopy(MENTION)
    body["tweet_create_events"][0].update(changes)
    return json.dumps(body).encode()


def comment(**changes) -> bytes:
    body = copy.deepcopy(COMMENT)
    body["entry"][0]["changes"][0]["value"].update(changes)
    return json.dumps(body).encode()


def test_the_recorded_mention_is_one_inbound_at_its_time():
    [post] = x().parse(mention())
    assert (post.channel, post.sender_id, post.provider_id, post.kind) == ("x", FAN, "1865012345678901249", "mention")
    assert post.sent_at == 1796547310.0
    assert post.text.startswith("@nohold_support da stamattina")


def test_a_long_post_is_read_whole_from_extended_tweet():
    whole = "@nohold_support " + "la fibra cade ogni sera " * 10
    [post] = x().parse(mention(truncated=True, extended_tweet={"full_text": whole}))
    assert post.text == whole


def test_a_reply_to_us_is_a_mention_even_without_the_entity():
    [post] = x().parse(mention(entities={"user_mentions": []}, in_reply_to_user_id_str=BOT))
    assert post.kind == "mention"


@pytest.mark.parametrize("changes", [{"user": {"id_str": BOT}}, {"retweeted_status": {"id_str": "1"}},
                                     {"entities": {"user_mentions": [{"id_str": "42"}]}}],
                         ids=["our-own", "retweet", "names-someone-else"])
def test_posts_that_are_not_mentions_by_others(changes):
    assert x().parse(mention(**changes)) == []


def test_mentions_are_ignored_while_switched_off():
    assert x(public=False).parse(mention()) == []
    assert x(public=False).parse(b'{"for_user_id": "%s", "tweet_create_events": {}}' % BOT.encode()) == []


@pytest.mark.parametrize("body", [
    {"for_user_id": BOT, "tweet_create_events": {}},
    {"for_user_id": BOT, "tweet_create_events": ["x"]},
    {"for_user_id": BOT, "tweet_create_events": [{"id_str": "1", "user": {"id_str": FAN}, "timestamp_ms": "1",
                                                   "entities": {"user_mentions": [{"id_str": BOT}]}, "text": 7}]},
    {"for_user_id": BOT, "tweet_create_events": [{"id_str": "1", "user": {"id_str": FAN}, "timestamp_ms": "soon",
                                                   "entities": {"user_mentions": [{"id_str": BOT}]}}]},
], ids=["events-object", "event-string", "text-number", "time-not-digits"])
def test_a_tweet_event_x_would_not_send_is_malformed(body):
    with pytest.raises(Malformed):
        x().parse(json.dumps(body).encode())


def test_the_recorded_comment_is_one_inbound_at_its_time():
    [post] = page().parse(comment())
    assert (post.channel, post.sender_id, post.provider_id, post.kind) == (
        "messenger", "6655443322", "987654321_123456789", "comment")
    assert post.sent_at == 1796547310.0


@pytest.mark.parametrize("changes", [{"from": {"id": PAGE}}, {"verb": "remove"}, {"verb": "edited"},
                                     {"item": "reaction"}, {"item": "post"}, {"from": None}],
                         ids=["page-own", "removed", "edited", "reaction", "post", "author-withheld"])
def test_feed_changes_that_are_not_new_comments_by_others(changes):
    assert page().parse(comment(**changes)) == []


def test_comments_are_ignored_while_switched_off():
    assert page(public=False).parse(comment()) == []


@pytest.mark.parametrize("changes", [{"created_time": "2026-12-06T08:55:10+0000"}, {"comment_id": 987},
                                     {"message": {"text": "hi"}}], ids=["time-string", "id-number", "message-object"])
def test_a_comment_meta_would_not_send_is_malformed(changes):
    with pytest.raises(Malformed):
        page().parse(comment(**changes))
