"""Meta's Private Replies: an agent's first reply to someone who only commented on the page goes to Messenger
addressed by the comment (`POST /{page-id}/messages`, `recipient.comment_id`, no tag), once per comment and within
7 days of it; a second waits for the commenter to write, and then replies go as usual.

Real Flask, Redis, RQ and console; Meta's Graph API is the local fake (tests/support/fake_social.py).
"""
from __future__ import annotations

from tests.integration.test_console import PASSWORD, login, post
from tests.integration.test_public_posts import (  # noqa: F401 (app, graph: fixtures)
    AGO, COMMENT, COMMENTER, PSID, app, comment, configured, graph)
from tests.integration.test_social_webhooks import PAGE, batch, entry, post_messenger
from tests.support.apps import client  # noqa: F401 (fixture)

DAY = 86400
ANSWER = "Buongiorno, abbiamo letto il commento: ci scrivi il numero della pratica?"


def private_replies(graph) -> list[dict]:
    return [r for r in graph.requests if r["path"] == f"/v21.0/{PAGE}/messages"]


def page_messages(graph) -> list[dict]:
    return [r for r in graph.requests if r["path"].endswith("/me/messages")]


def commented(client, nohold, social_jobs, clock):
    """A page comment (AGO seconds old) in the queue, claimed by Sara: (the item's id, the claim's fence)."""
    post_messenger(client, comment(clock))
    social_jobs()
    item_id = nohold.social.threads.for_customer("messenger", COMMENTER).item_id
    nohold.bridge.agents.create("Sara", PASSWORD)
    claim = nohold.bridge.claims.claim(item_id, "sara")
    return item_id, claim.fence


def reply(app, item_id: str, fence: int, text: str = ANSWER) -> str:
    console = app.test_client()
    assert login(console, "sara").status_code == 302
    response = post(console, f"/console/items/{item_id}/reply", fence=str(fence), text=text)
    return console.get(response.headers["Location"]).get_data(as_text=True)


def test_the_first_reply_to_a_commenter_is_a_private_reply_to_the_comment(app, client, nohold, social_jobs, clock,
                                                                          graph):
    item_id, fence = commented(client, nohold, social_jobs, clock)
    page = reply(app, item_id, fence)
    social_jobs()
    assert "Risposta inviata." in page
    [request] = private_replies(graph)
    assert request["json"] == {"recipient": {"comment_id": COMMENT}, "message": {"text": ANSWER}}
    assert request["headers"]["authorization"] == "Bearer page-token"
    assert page_messages(graph) == []
    thread = nohold.social.threads.for_customer("messenger", COMMENTER)
    [sent] = [m for m in nohold.social.threads.messages(thread.id) if m.direction == "out" and m.kind == "agent"]
    assert sent.state == "sent"


def test_the_console_says_the_first_reply_goes_privately(app, client, nohold, social_jobs, clock, graph):
    item_id, _ = commented(client, nohold, social_jobs, clock)
    console = app.test_client()
    assert login(console, "sara").status_code == 302
    page = console.get(f"/console/items/{item_id}").get_data(as_text=True)
    assert "la prima risposta parte in privato su Messenger" in page


def test_a_second_reply_before_the_commenter_writes_is_refused_and_not_sent(app, client, nohold, social_jobs, clock,
                                                                            graph):
    item_id, fence = commented(client, nohold, social_jobs, clock)
    reply(app, item_id, fence)
    social_jobs()
    clock.advance(60)
    page = reply(app, item_id, fence, "Ci sei ancora?")
    social_jobs()
    assert "Messenger consente una sola risposta privata a un commento" in page
    assert len(private_replies(graph)) == 1
    assert page_messages(graph) == []
    thread = nohold.social.threads.for_customer("messenger", COMMENTER)
    assert [m.text for m in nohold.social.threads.messages(thread.id) if m.kind == "agent"] == [ANSWER]


def test_a_comment_eight_days_old_is_refused(app, client, nohold, social_jobs, clock, graph):
    item_id, _ = commented(client, nohold, social_jobs, clock)
    clock.advance(8 * DAY)
    claim = nohold.bridge.claims.claim(item_id, "sara")
    page = reply(app, item_id, claim.fence)
    social_jobs()
    assert "Messaggio non inviato: il canale non consente più di scrivere a questo cliente." in page
    assert private_replies(graph) == []


def test_a_comment_just_under_seven_days_old_still_gets_its_private_reply(app, client, nohold, social_jobs, clock,
                                                                          graph):
    item_id, _ = commented(client, nohold, social_jobs, clock)
    clock.advance(7 * DAY - AGO - 60)
    claim = nohold.bridge.claims.claim(item_id, "sara")
    reply(app, item_id, claim.fence)
    social_jobs()
    assert len(private_replies(graph)) == 1


def test_after_the_commenter_writes_privately_replies_go_as_usual(app, client, nohold, social_jobs, clock, graph):
    item_id, fence = commented(client, nohold, social_jobs, clock)
    reply(app, item_id, fence)
    social_jobs()
    clock.advance(900)  # they answer the private reply from Messenger, under their Messenger id
    post_messenger(client, batch(entry(sender=PSID, text="Pratica 1234 5678", millis=int(clock() * 1000))))
    social_jobs()
    private = nohold.social.threads.for_customer("messenger", PSID)
    nohold.social.delivery.send(private, "Grazie, la controlliamo subito.", agent="sara")
    nohold.social.delivery.send(private, "Ti scriviamo entro un'ora.", agent="sara")
    social_jobs()
    assert [r["json"] for r in page_messages(graph)][-2:] == [  # after our receipt
        {"recipient": {"id": PSID}, "message": {"text": text}, "messaging_type": "RESPONSE"}
        for text in ("Grazie, la controlliamo subito.", "Ti scriviamo entro un'ora.")]
    assert len(private_replies(graph)) == 1
