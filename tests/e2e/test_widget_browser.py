"""The web chat widget in a real browser (Debian chromium through Playwright): the operator's page on another
origin with the one script tag, an agent's console beside it. The visitor writes, sees a place in line, the
agent takes the thread and replies, the reply appears live; a handoff code from a call continues that call."""
from __future__ import annotations

import functools
import http.server
import re
import threading

import pytest
import yaml

from ivr import create_app
from ivr.runtime import streams
from ivr.runtime.redis_server import free_port
from social_bridge.chat.handoff import find_code
from social_bridge.web.console.strings import STRINGS
from tests.support.browser import (  # noqa: F401 (the browser fixture)
    PASSWORD, VIEWPORT, browser, chromium_or_skip, shot, signed_in)
from tests.support.served import served
from tests.support.twilio_requests import signed_post

chromium_or_skip()

PAGE = """<!doctype html><html lang="it"><head><meta charset="utf-8"><title>Negozio</title>
<style>button {{ background: red !important; font-size: 40px }} p {{ color: green }}</style></head>
<body><h1>Il sito dell'operatore</h1><p>Offerte fibra.</p>
<script src="{app}/widget/nohold.js" data-lang="it" async></script></body></html>"""


@pytest.fixture
def sites(request, settings, clock, redis_client, tmp_path, job_services):
    """The operator's page (localhost:P, a plain static server), nohold's web app and its stream server
    (parametrized False: the widget is told a stream URL where nothing listens, and must poll)."""
    site_port, stream_port = free_port(), free_port()
    site = f"http://localhost:{site_port}"
    streaming = getattr(request, "param", True)
    stream_url = f"http://127.0.0.1:{stream_port if streaming else free_port()}"
    config = settings.with_overrides(widget_allowed_origins=(site,),
                                     widget_stream_url=stream_url + "/widget/api/stream")
    app = create_app({"SETTINGS": config, "CLOCK": clock})
    nohold = app.extensions["nohold"]
    job_services.install(nohold)
    live_app = streams.create_app(test_config={"SETTINGS": config, "CLOCK": clock})
    with served(app, free_port()) as base, served(live_app, stream_port):
        (tmp_path / "index.html").write_text(PAGE.format(app=base), encoding="utf-8")
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
        page_server = http.server.ThreadingHTTPServer(("127.0.0.1", site_port), handler)
        threading.Thread(target=page_server.serve_forever, daemon=True).start()
        nohold.bridge.agents.create("Sara", PASSWORD, role="agent", languages=("it", "en"))
        yield {"site": site, "app": app, "base": base, "nohold": nohold, "settings": config}
        page_server.shutdown()
    nohold.metrics.close()


@pytest.fixture
def words(settings):
    return yaml.safe_load((settings.prompts_dir / "widget.yaml").read_text(encoding="utf-8"))["it"]


def shaped(template: str) -> re.Pattern:
    """A sentence of prompts/widget.yaml with its {placeholders} as numbers."""
    return re.compile(re.sub(r"\\\{\w+\\\}", r"\\d+", re.escape(template)))


def visitor_page(browser, site: str):
    page = browser.new_context(viewport=VIEWPORT, locale="it-IT").new_page()
    page.goto(f"{site}/index.html")
    page.wait_for_selector("button.opener")
    return page


def write(page, text: str) -> None:
    page.fill("#nohold-input", text)
    page.press("#nohold-input", "Enter")  # the keyboard sends


def test_the_visitor_writes_the_agent_replies_and_the_reply_appears_live(sites, browser, words):
    visitor = visitor_page(browser, sites["site"])
    streamed = []
    visitor.on("response", lambda r: streamed.append(r.status) if "/widget/api/stream" in r.url
               and r.request.method == "GET" else None)
    opener = visitor.locator("button.opener")
    assert opener.inner_text() == words["open"]
    assert opener.evaluate("b => getComputedStyle(b).fontSize") != "40px"  # the site's CSS stays out
    visitor.keyboard.press("Tab")
    visitor.keyboard.press("Enter")  # focusable, opened from the keyboard
    assert opener.get_attribute("aria-expanded") == "true"
    assert visitor.locator("div.log").get_attribute("aria-live") == "polite"
    write(visitor, "non funziona internet da ieri")
    visitor.locator(".msg.you", has_text="non funziona internet da ieri").wait_for()
    status = visitor.locator("p.status")
    status.filter(has_text=re.compile(r"\d")).wait_for()
    assert shaped(words["waiting_one"]).fullmatch(status.inner_text())  # first in line, with a wait in minutes
    assert visitor.locator(".msg.us").count() == 1  # the inbox's acknowledgement

    nohold = sites["nohold"]
    thread_id = nohold.social.threads.for_customer("web", _only_visitor(sites)).id
    item_id = nohold.social.threads.get(thread_id).item_id
    agent = signed_in(browser, sites["base"], "sara")
    agent.keyboard.press("n")  # take the next item: the visitor's thread, the only one waiting
    agent.wait_for_url(f"**/console/items/{item_id}")
    assert agent.locator("#reply-policy").inner_text() == STRINGS["it"]["policy.web.window_open"]  # never "24 hours"
    agent.fill("#reply-text", "Ciao, sono Sara: vedo un guasto sulla tua linea, lo apro subito.")
    agent.click("#act-reply")
    reply = visitor.locator(".msg.us", has_text="sono Sara")
    reply.wait_for(timeout=6000)  # through the stream server, without reloading the page
    status.filter(has_text=words["with_agent"]).wait_for(timeout=6000)
    shot(visitor, "widget-reply")  # tests/artifacts/console-widget-reply.png
    shot(agent, "widget-thread")  # the same conversation in the agent's console
    assert visitor.url.endswith("/index.html")
    assert 200 in streamed  # live through the stream server's events, not by polling


def _only_visitor(sites) -> str:
    desk = sites["app"].extensions["nohold_widget"].desk
    [key] = desk.sessions.redis.keys("nohold:{widget}:token:*")
    return desk.sessions.redis.get(key)


@pytest.mark.parametrize("sites", [False], indirect=True, ids=["no-stream"])
def test_a_handoff_code_typed_in_the_widget_continues_the_call_and_polling_brings_the_reply(sites, browser, clock,
                                                                                           run_jobs):
    nohold, settings = sites["nohold"], sites["settings"]
    client = sites["app"].test_client()
    started = clock()
    call = {"CallSid": "CA" + "5" * 32, "From": "+393471234567", "To": "+390200000000"}
    signed_post(client, settings, "/voice/incoming", call)
    signed_post(client, settings, "/voice/step?seq=1", {**call, "SpeechResult": "non mi va internet da stamattina",
                                                        "Confidence": "0.92"})
    signed_post(client, settings, "/voice/step?seq=2", {**call, "Digits": "3"})  # 3: continue in chat, as callers do
    run_jobs()
    code = find_code(" ".join(entry["body"] for entry in nohold.outbox.entries()))
    clock.advance(25 * 60)
    visitor = visitor_page(browser, sites["site"])
    visitor.click("button.opener")
    write(visitor, f"ho già chiamato, il codice è {code}")
    linked = yaml.safe_load((settings.prompts_dir / "it.yaml").read_text(encoding="utf-8"))["chat"]["ack_linked"]
    visitor.locator(".msg.us", has_text=linked.split(":")[0]).wait_for()
    item = nohold.queue.get(nohold.social.threads.for_customer("web", _only_visitor(sites)).item_id)
    assert item.acquired_at == started  # the place the call earned
    assert item.call_sid == call["CallSid"]
    thread = nohold.social.threads.for_customer("web", _only_visitor(sites))
    nohold.bridge.claims.claim(item.id, "sara")
    nohold.social.delivery.send(thread, "Ciao, sono Sara: ho davanti quello che hai detto al telefono.", agent="sara")
    visitor.locator(".msg.us", has_text="sono Sara").wait_for(timeout=8000)  # no stream here: the widget polls
