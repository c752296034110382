"""A thread item in the console and the API: the conversation, who may read it, Meta's windows, replies."""
from __future__ import annotations

import html
import re

import pytest

from social_bridge.web.bridge import Social
from social_bridge.channels import Inbound, ReplyPolicy
from social_bridge.chat.delivery import Delivery
from social_bridge.privacy.pseudonyms import PersonKeys
from social_bridge.chat.threads import Threads
from tests.integration.test_console import (
    NUMBER, build_api_app, build_bridge, enqueue, post, seed_agents, signed_in)

DAY = 86400
ASKED = "Ciao, la SIM non funziona all'estero <b>da ieri</b>"
ANSWER = "Buongiorno, controllo subito la sua linea"
CHAT = [("auto", "Grazie, ti abbiamo messo in coda: sei il numero 2, attesa circa 6 minuti."),
        ("in", "Sono a Lisbona e il telefono dice solo SOS"),
        ("note", "Roaming attivo sul profilo; controllare la rete preferita"),
        ("out", "Buongiorno! Provi a scegliere a mano la rete MEO dalle impostazioni, poi riavvii il telefono."),
        ("in", "Fatto, ma niente ancora"),
        ("out", "Le ho appena riattivato il roaming dai nostri sistemi: tra un paio di minuti dovrebbe funzionare.")]
IN_VIEW = """selector => {  // inside the scrolling panel's box and inside the window
  const box = document.querySelector('.convo-scroll').getBoundingClientRect();
  const it = document.querySelector('.convo-scroll ' + selector).getBoundingClientRect();
  return it.top >= box.top && it.bottom <= box.bottom && it.bottom <= window.innerHeight;
}"""
WINDOWS = {
    23 * 3600: ("Risposta libera (entro 24 ore dall'ultimo messaggio)", False),
    3 * DAY: ("Fuori dalle 24 ore: il messaggio parte con l'etichetta HUMAN_AGENT (fino a 7 giorni)", False),
    8 * DAY: ("Oltre 7 giorni: Messenger non consente di scrivere. Scrivi per SMS al numero della chiamata", True),
}


class MessengerWindows:
    """Meta's rules without Meta (the real adapter has its own tests): 24 h free, HUMAN_AGENT to 7 days, then no."""

    name, max_length = "messenger", 2000

    def policy(self, last_inbound_at: float, now: float) -> ReplyPolicy:
        age = now - last_inbound_at
        if last_inbound_at <= 0 or age >= 7 * DAY:
            return ReplyPolicy(False, reason="window_closed")
        if age < DAY:
            return ReplyPolicy(True, reason="window_open")
        return ReplyPolicy(True, tag="HUMAN_AGENT", reason="human_agent_tag")


@pytest.fixture
def jobs() -> list[str]:
    return []


@pytest.fixture
def social(redis_client, clock, jobs):
    threads, channels = Threads(redis_client, PersonKeys("test person keys"), clock), {"messenger": MessengerWindows()}
    return Social(channels=channels, threads=threads, delivery=Delivery(threads, channels, jobs.append, clock),
                  inbound=None)


@pytest.fixture
def bridge(redis_client, clock, social):
    def reply(item, text, agent, via=""):
        return social.delivery.send(social.threads.get(item.details["thread_id"]), text, agent=agent.id).id

    b = build_bridge(redis_client, clock, social=social, reply=reply)
    seed_agents(b)
    return b


@pytest.fixture
def app(bridge):
    return build_api_app(bridge)


@pytest.fixture
def thread(social, clock):
    inbound = Inbound("messenger", "5551234987", "m_first", text=ASKED, sent_at=clock())
    return social.threads.record_inbound(inbound, "it").thread


@pytest.fixture
def item(bridge, thread):
    return enqueue(bridge, thread.natural_key, ago=0, kind="thread", channel="messenger", customer=thread.customer,
                   summary="SIM all'estero", details={"thread_id": thread.id})


def page_of(client, item) -> str:
    response = client.get(f"/console/items/{item.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def messages_on(page: str) -> list[tuple[str, str]]:
    """(classes, visible text) of each message in the conversation panel, oldest first."""
    found = re.findall(r'<li class="msg ([^"]+)" data-message="[^"]+">(.*?)</li>', page, re.S)
    return [(classes, html.unescape(" ".join(re.sub(r"<[^>]+>", " ", body).split()))) for classes, body in found]


def policy_line(page: str) -> str:
    return html.unescape(re.search(r'id="reply-policy">(.*?)</p>', page, re.S).group(1))


def reply_box(page: str) -> str:
    return re.search(r'<textarea[^>]*id="reply-text"[^>]*>', page).group(0)


def api_detail(app, bridge, item, who: str = "maria") -> dict:
    headers = {"Authorization": f"Bearer {bridge.agents.issue_token(who)}"}
    response = app.test_client().get(f"/api/items/{item.id}", headers=headers)
    assert response.status_code == 200
    return response.get_json()


def test_the_holder_reads_the_conversation_and_the_state_of_ours(app, bridge, social, thread, item):
    threads = social.threads
    sent = social.delivery.send(thread, ANSWER, agent="maria")
    threads.move(sent.id, ("queued",), "sent")
    for state in ("failed", "unknown", "sending"):
        threads.move(social.delivery.send(thread, f"try {state}", agent="maria").id, ("queued",), state)
    social.delivery.send(thread, "Sei il numero 2 in coda", auto=True)
    threads.add(thread.id, "note", "Cliente in roaming in Portogallo", agent="maria")
    bridge.claims.claim(item.id, "maria")

    page = page_of(signed_in(app, "maria"), item)
    assert "&lt;b&gt;da ieri&lt;/b&gt;" in page
    assert "<b>da ieri" not in page  # their words are text, never markup
    assert messages_on(page) == [
        ("d-in", f"{ASKED} Cliente 02/12 10:00"),
        ("d-out", f"{ANSWER} maria 02/12 10:00 Inviato"),
        ("d-out", "try failed maria 02/12 10:00 Non inviato"),
        ("d-out", "try unknown maria 02/12 10:00 Consegna incerta"),
        ("d-out", "try sending maria 02/12 10:00 Consegna incerta"),
        ("d-out auto", "Sei il numero 2 in coda Automatico 02/12 10:00 In coda"),
        ("d-note", "Cliente in roaming in Portogallo Nota privata · maria 02/12 10:00"),
    ]
    assert policy_line(page) == WINDOWS[23 * 3600][0]
    assert "disabled" not in reply_box(page)


def test_only_the_holder_and_supervisors_read_the_texts(app, bridge, social, thread, item):
    social.delivery.send(thread, ANSWER, agent="maria")
    bridge.claims.claim(item.id, "maria")

    page = page_of(signed_in(app, "luca"), item)
    assert "da ieri" not in page
    assert ANSWER not in page
    assert "5551234987" not in page
    assert [classes for classes, _ in messages_on(page)] == ["d-in", "d-out"]
    assert "Testo riservato" in page
    assert 'id="reply-text"' not in page
    assert [m["text"] for m in api_detail(app, bridge, item, "luca")["conversation"]] == [None, None]
    assert [m["text"] for m in api_detail(app, bridge, item, "sara")["conversation"]] == [ASKED, ANSWER]
    assert "da ieri" in page_of(signed_in(app, "sara"), item)


@pytest.mark.parametrize("after", sorted(WINDOWS))
def test_the_policy_line_follows_the_windows_and_closes_the_reply_box(app, bridge, social, thread, clock, after):
    social.threads.update(thread.id, context={"caller": NUMBER})  # the thread continues a call
    clock.advance(after)
    item = enqueue(bridge, thread.natural_key, kind="thread", channel="messenger", customer=thread.customer,
                   details={"thread_id": thread.id})
    bridge.claims.claim(item.id, "maria")  # claimed now: the lease has not run out over the days

    line, closed = WINDOWS[after]
    page = page_of(signed_in(app, "maria"), item)
    assert policy_line(page) == line
    assert "disabled" not in reply_box(page)  # open, or past Messenger's window: by SMS to the call's number
    assert ('name="via" value="sms"' in page) is closed
    assert ("Invia per SMS" in page) is closed
    assert api_detail(app, bridge, item)["sms_fallback"] is True
    social.threads.update(thread.id, context={})  # without a call behind it, nothing can be sent when closed
    assert ("disabled" in reply_box(page_of(signed_in(app, "maria"), item))) is closed


def test_the_api_gives_the_holder_conversation_and_policy(app, bridge, thread, item):
    bridge.claims.claim(item.id, "maria")
    detail = api_detail(app, bridge, item)
    assert detail["customer"] == "messenger:5551234987"
    assert detail["reply_policy"] == {"allowed": True, "tag": "", "reason": "window_open"}
    assert detail["sms_fallback"] is False  # no call behind this thread: no number to text
    [message] = detail["conversation"]
    assert {k: message[k] for k in ("direction", "kind", "text", "at", "state", "agent", "error")} == \
        {"direction": "in", "kind": "message", "text": ASKED, "at": "2026-12-02T09:00:00Z", "state": None,
         "agent": None, "error": None}


def test_a_console_reply_is_queued_in_the_conversation(app, bridge, social, thread, item, jobs, clock):
    clock.advance(3 * DAY)
    claim = bridge.claims.claim(item.id, "maria")
    maria = signed_in(app, "maria")
    response = post(maria, f"/console/items/{item.id}/reply", fence=str(claim.fence), text=ANSWER)
    assert response.status_code == 302

    page = maria.get(response.headers["Location"]).get_data(as_text=True)
    assert "Risposta inviata." in page
    assert messages_on(page)[-1] == ("d-out", f"{ANSWER} maria 05/12 10:00 In coda")
    [message_id] = jobs
    assert social.threads.message(message_id).tag == "HUMAN_AGENT"


def test_after_seven_days_the_console_shows_the_refusal(app, bridge, social, thread, item, jobs, clock):
    clock.advance(8 * DAY)
    claim = bridge.claims.claim(item.id, "maria")
    maria = signed_in(app, "maria")
    response = post(maria, f"/console/items/{item.id}/reply", fence=str(claim.fence), text=ANSWER)

    page = maria.get(response.headers["Location"]).get_data(as_text=True)
    assert "Messaggio non inviato: il canale non consente più di scrivere a questo cliente." in page
    assert "Scrivi per SMS" not in page  # no call behind this thread
    assert jobs == []
    assert len(messages_on(page)) == 1


def test_a_thread_item_without_its_thread_still_opens(app, bridge):
    item = enqueue(bridge, "thread:messenger:gone", kind="thread", channel="messenger", customer="messenger:42",
                   details={"thread_id": "gone"})
    bridge.claims.claim(item.id, "maria")
    assert "conversation" not in api_detail(app, bridge, item)
    page = page_of(signed_in(app, "maria"), item)
    assert 'id="reply-policy"' not in page
    assert "disabled" not in reply_box(page)


def test_the_conversation_at_1280x800_opens_on_the_newest_message(app, bridge, social, thread, item, clock):
    """In Chromium: the panel starts scrolled to the bottom, with no script of ours doing it."""
    from tests.e2e.test_console_browser import CHROMIUM, FLAGS, PASSWORD, VIEWPORT, shot, sync_api
    from tests.support.served import served

    for n, (who, text) in enumerate(CHAT * 2):
        clock.advance(300)
        if who == "in":
            social.threads.record_inbound(Inbound("messenger", thread.sender_id, f"m_{n}", text=text), "it")
        elif who == "note":
            social.threads.add(thread.id, "note", text, agent="maria")
        else:
            said = social.delivery.send(social.threads.get(thread.id), text, agent="maria", auto=who == "auto")
            social.threads.move(said.id, ("queued",), "sent" if n < 2 * len(CHAT) - 1 else "unknown")
    bridge.claims.claim(item.id, "maria")
    with served(app) as url:
        with sync_api.sync_playwright() as p:
            chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = chromium.new_page(viewport=VIEWPORT, locale="it-IT", timezone_id="Europe/Rome")
            page.goto(f"{url}/console/login")
            page.fill("input[name=name]", "maria")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.goto(f"{url}/console/items/{item.id}")
            assert CHAT[-1][1] in page.locator("ol.messages li.msg").last.inner_text()
            assert page.evaluate(IN_VIEW, "li.msg:last-child")
            assert not page.evaluate(IN_VIEW, "li.msg")
            shot(page, "thread")
            chromium.close()
