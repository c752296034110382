"""The console in a real browser (Debian chromium through Playwright): keys, live queue, screenshots."""
from __future__ import annotations

import time

import pytest

from social_bridge.queue.auto_offer import AutoOffer
from tests.integration.test_console import PASSWORD, Recorder, build_app, build_bridge, enqueue, seed_agents
from tests.support.browser import (  # noqa: F401 (CHROMIUM, FLAGS, VIEWPORT: other browser tests import them here)
    CHROMIUM, FLAGS, VIEWPORT, browser, chromium_or_skip, shot)
from tests.support.served import served

SAID = "Da stamattina internet non va, la luce del modem è rossa e ho già provato a riavviarlo"

sync_api = chromium_or_skip()


def seed(bridge) -> dict:
    """A morning's queue: a breaching callback first, then voicemails, a thread, a window, someone at work."""
    now = bridge.clock()
    first = enqueue(bridge, "callback:1", ago=412, summary=SAID, customer="+393471234567")
    enqueue(bridge, "voicemail:1", ago=301, kind="voicemail", intent="billing", customer="+393409876512",
            summary="Vorrei capire perché la bolletta di novembre è più alta del solito",
            recording_url="https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1", recording_seconds=47)
    enqueue(bridge, "thread:1", ago=188, kind="thread", channel="messenger", lang="en", intent="mobile_sim",
            customer="messenger:5551234987", summary="My SIM does not work abroad since I landed in Lisbon")
    enqueue(bridge, "callback:2", ago=95, intent="internet_slow", customer="+393355550142",
            summary="La linea fissa fa rumore e cade ogni pochi minuti")
    enqueue(bridge, "callback:3", ago=41, intent="account_access", customer="+393201112233",
            summary="Non riesco più a entrare nell'area clienti")
    enqueue(bridge, "callback:later", ago=1200, intent="cancel_contract", customer="+393291010101",
            summary="Vorrei disdire l'opzione TV", not_before=now + 3 * 3600, not_after=now + 5 * 3600)
    held = enqueue(bridge, "callback:held", ago=640, intent="internet_down", customer="+393388887766",
                   summary="Nessun segnale in tutta via Roma")
    bridge.claims.claim(held.id, "luca")
    dead = enqueue(bridge, "callback:dead", ago=5400, intent="move_line", customer="+393401231234",
                   summary="Trasloco della linea a gennaio")
    bridge.claims.fail_attempt(dead.id, None, "no_answer", retry_at=None)
    bridge.presence.set_state("luca", "busy")
    return {"first": first}


@pytest.fixture
def server(redis_client):
    bridge = build_bridge(redis_client, time.time, recording=Recorder((b"RIFF", "audio/wav")), dial=Recorder("AT1"),
                          outbox=Recorder([{"to": "+393471234567", "at": time.time() - 30,
                                            "body": "nohold: ti richiameremo entro circa 5 minuti."}]))
    seed_agents(bridge)
    seeded = seed(bridge)
    with served(build_app(bridge)) as url:
        yield {"url": url, "bridge": bridge, **seeded}


def sign_in(browser, url: str, name: str, screenshot: str | None = None):
    context = browser.new_context(viewport=VIEWPORT, locale="it-IT", timezone_id="Europe/Rome")
    page = context.new_page()
    page.goto(f"{url}/console/")
    assert "/console/login" in page.url
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    if screenshot:
        shot(page, screenshot)
    page.click("button[type=submit]")
    page.wait_for_selector("#rows tr")
    return page


def test_take_next_complete_and_the_other_console_follows_live(server, browser):
    url, first = server["url"], server["first"]
    maria = sign_in(browser, url, "maria", screenshot="login")
    sara = sign_in(browser, url, "sara")
    rows = maria.locator("#rows tr")
    assert rows.count() == 5  # waiting only: the held and the scheduled callbacks are listed aside
    # the live queue is one copy for every console: the topic, never the customer's words (the holder reads them)
    assert maria.locator(f"#rows tr[data-id='{first.id}'] td.what").inner_text() == "Internet non funziona"
    assert SAID not in maria.content()
    assert SAID not in sara.content()
    assert maria.locator(f"#rows tr[data-id='{first.id}']").get_attribute("class") == "breach"
    assert maria.locator("#claimed").inner_text().count("Luca") == 1
    sara.wait_for_selector("#live:not([hidden])")
    shot(maria, "queue")

    maria.keyboard.press("?")
    assert maria.locator("#help").is_visible()
    shot(maria, "help")
    maria.keyboard.press("Escape")

    maria.keyboard.press("n")
    maria.wait_for_url(f"**/console/items/{first.id}")
    claimed_at = time.monotonic()
    assert SAID in maria.locator("#said").inner_text()
    assert maria.locator("#customer").inner_text() == "+393471234567"
    # the other console loses the row by itself, through the event stream
    sara.wait_for_selector(f"#rows tr[data-id='{first.id}']", state="detached", timeout=1000)
    assert time.monotonic() - claimed_at < 1.0
    assert "Maria" in sara.locator("#claimed").inner_text()
    maria.fill("input[name=text]", "Modem già riavviato due volte, chiede un tecnico")
    maria.click("form.row button")
    maria.wait_for_selector("text=Nota aggiunta")
    shot(maria, "item")

    maria.select_option("#outcome", "resolved")
    maria.keyboard.press("d")
    maria.wait_for_url(f"{url}/console/")
    maria.wait_for_selector(".flash.ok")
    assert maria.locator(f"#rows tr[data-id='{first.id}']").count() == 0
    assert maria.locator("#rows tr").count() == 4
    sara.locator("#claimed li", has_text="Maria").wait_for(state="detached", timeout=1000)
    assert server["bridge"].queue.get(first.id).outcome == "resolved"
    shot(maria, "queue-after")

    sara.keyboard.press("s")
    sara.wait_for_url(f"{url}/console/supervisor")
    assert "Luca" in sara.locator("main").inner_text()
    shot(sara, "supervisor")


def test_auto_dial_opens_the_ringing_callback_without_a_click(server, browser):
    url, first, bridge = server["url"], server["first"], server["bridge"]
    bridge.offer = AutoOffer(bridge.redis, bridge.agents, bridge.presence, bridge.claims, bridge.queue, bridge.dial,
                             lambda: None, time.time, wrap_up_seconds=0).offer
    maria = sign_in(browser, url, "maria")
    maria.click("form.auto-dial button")
    maria.wait_for_url(f"**/console/items/{first.id}")  # switched on: the earliest callback rings her phone
    assert [args[0].id for args in bridge.dial.calls] == [first.id]
    assert maria.locator("form.auto-dial button").get_attribute("aria-pressed") == "true"
    shot(maria, "auto-dial")
    maria.keyboard.press("r")  # she gives it back; the queue page asks again by itself, through the live queue
    maria.wait_for_url(f"{url}/console/")
    maria.wait_for_url(f"**/console/items/{first.id}", timeout=5000)
    assert [args[0].id for args in bridge.dial.calls] == [first.id, first.id]


def test_a_voicemail_page_shows_its_transcript_when_it_arrives(server, browser):
    """Open before the transcript is there: "in corso", then the words appear without a reload."""
    from ivr.transcription.store import TranscriptStore

    bridge = server["bridge"]
    voicemail = enqueue(bridge, "voicemail:waiting", ago=30, kind="voicemail", intent="", summary="",
                        customer="+393409876599", recording_sid="RE9", recording_seconds=21,
                        details={"transcription": {"status": "queued", "at": bridge.clock()}})
    sara = sign_in(browser, server["url"], "sara")
    sara.goto(f"{server['url']}/console/items/{voicemail.id}")
    assert sara.locator("#transcription").inner_text().startswith("Trascrizione in corso")
    assert sara.locator("#transcript").count() == 0
    TranscriptStore(bridge.queue.redis).attach(voicemail.id, "la fattura di ottobre è il doppio del solito",
                                               "billing", 0.93, "faster_whisper", 21.0)
    sara.wait_for_selector("#transcript", timeout=8000)
    assert sara.locator("#transcript").inner_text() == "la fattura di ottobre è il doppio del solito"
    assert sara.locator("#transcript").get_attribute("lang") == "it"
    assert "Bollett" in sara.locator("#transcript-intent").inner_text()
    assert sara.locator("#transcription").count() == 0
    shot(sara, "voicemail-transcript")
