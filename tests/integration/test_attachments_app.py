"""Attachments through the whole app (issue 19): a signed Messenger webhook carrying only a photo and a file, the
inbound queue and the inbox job, then the photo through the console's proxy as create_app wires it from settings."""
from __future__ import annotations

from pathlib import Path

import pytest

from ivr import create_app
from tests.integration.test_console import PASSWORD, signed_in
from tests.support.fake_social import FakeSocial, meta_signature
from tests.support.sample_files import pdf, png

PAYLOAD = Path(__file__).parent.parent / "data" / "payloads" / "messenger_message_attachments.json"
APP_SECRET, PAGE = "meta-app-secret", "1122334455"
PNG_PATH, PDF_PATH = "/v/t1.15752-9/modem_lights.png", "/v/t59.2708-21/fattura%20dicembre.pdf"


@pytest.fixture
def meta():
    server = FakeSocial().start()
    server.serve_file(PNG_PATH, "image/png", png())
    server.serve_file(PDF_PATH, "application/pdf", pdf())
    yield server
    server.stop()


@pytest.fixture
def app(settings, clock, redis_client, meta):
    """Overrides conftest's app (and so nohold and social_jobs): Messenger configured, Graph at the fake."""
    configured = settings.with_overrides(
        messenger_app_secret=APP_SECRET, messenger_verify_token="verify", messenger_page_token="page-token",
        messenger_page_id=PAGE, graph_api_base=meta.base_url + "/v21.0")
    application = create_app({"SETTINGS": configured, "CLOCK": clock})
    application.testing = True
    yield application
    application.extensions["nohold"].metrics.close()


def webhook(meta, clock) -> bytes:
    """The recorded payload for our page, sent now, its files on the fake Graph's origin."""
    text = PAYLOAD.read_text("utf-8").replace("PAGE_ID", PAGE).replace("1764673200000", str(int(clock() * 1000)))
    for host in ("https://scontent.xx.fbcdn.net", "https://cdn.fbsbx.com"):
        text = text.replace(host, meta.base_url)
    return text.encode()


def test_a_photo_sent_on_messenger_reaches_the_holder_through_the_app(app, nohold, social_jobs, meta, clock):
    body = webhook(meta, clock)
    answer = app.test_client().post("/social/messenger", data=body, content_type="application/json",
                                    headers={"X-Hub-Signature-256": meta_signature(APP_SECRET, body)})
    assert answer.status_code == 200
    social_jobs()
    bridge = app.extensions["social_bridge"]
    thread = bridge.social.threads.for_customer("messenger", "USER_ID")
    [message] = [m for m in bridge.social.threads.messages(thread.id) if m.direction == "in"]
    assert (message.text, [a["kind"] for a in message.attachments]) == ("", ["image", "file"])
    bridge.agents.create("Maria", PASSWORD)
    bridge.claims.claim(thread.item_id, "maria")
    maria = signed_in(app, "maria")
    photo = maria.get(f"/console/attachments/{message.id}/0")
    assert photo.data == png()
    assert meta.requests[-1]["headers"]["authorization"] == "Bearer page-token"
    page = maria.get(f"/console/items/{thread.item_id}").get_data(as_text=True)
    assert "[immagine]" in page
    assert meta.base_url not in page
