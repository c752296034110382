"""Customers' attachments through the proxy (issue 19): real Flask, real Redis, the real channel adapters parsing
recorded payloads, and the providers as local HTTP servers serving real PNG and PDF bytes."""
from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from urllib.parse import quote

import pytest

from social_bridge.channels import Attachment, Inbound
from social_bridge.channels.messenger import Messenger
from social_bridge.channels.twilio_messaging import TwilioMessaging
from social_bridge.channels.x import XDirectMessages
from social_bridge.chat.attachments import AttachmentFetcher, AttachmentRefused
from social_bridge.chat.delivery import Delivery
from social_bridge.chat.threads import Threads
from social_bridge.privacy.access_log import AccessLog
from social_bridge.privacy.pseudonyms import PersonKeys
from social_bridge.web.bridge import Social
from tests.integration.test_console import build_api_app, build_bridge, enqueue, seed_agents, signed_in
from tests.support.fake_social import FakeSocial
from tests.support.fake_twilio import FakeTwilio
from tests.support.sample_files import pdf, png

PAYLOADS = Path(__file__).parent.parent / "data" / "payloads"
ACCOUNT, TOKEN, PAGE_TOKEN, X_TOKEN = "AC00000000000000000000000000000001", "twilio-secret", "page-token", "x-token"
PNG, PDF = png(), pdf()
PNG_PATH = "/v/t1.15752-9/modem_lights.png"
PDF_PATH = "/v/t59.2708-21/fattura%20dicembre.pdf"
X_PATH = "/1.1/ton/data/dm/1371204467341807700/1371204460000000000/modem.jpg"


@pytest.fixture
def providers():
    social, twilio, elsewhere = FakeSocial().start(), FakeTwilio().start(), FakeSocial().start()
    twilio.recordings.update({"ME00000000000000000000000000000002": (PNG, "image/png"),
                              "ME00000000000000000000000000000003": (PDF, "application/pdf")})
    social.serve_file(PNG_PATH, "image/png", PNG)
    social.serve_file(PDF_PATH, "application/pdf", PDF)
    social.serve_file(X_PATH, "image/jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + PNG)  # a JPEG's first bytes
    yield {"social": social, "twilio": twilio, "elsewhere": elsewhere}
    for server in (social, twilio, elsewhere):
        server.stop()


def fetcher(providers, max_bytes: int = 10 * 1024 * 1024) -> AttachmentFetcher:
    """As ivr/app/agent_side.py builds it, with the fake servers as the *_api_base settings."""
    twilio, social = providers["twilio"].base_url, providers["social"].base_url
    basic = ("basic", (ACCOUNT, TOKEN))
    return AttachmentFetcher({"sms": basic, "whatsapp": basic, "messenger": ("bearer", PAGE_TOKEN),
                              "x": ("bearer", X_TOKEN)},
                             {"sms": twilio, "whatsapp": twilio, "messenger": social + "/v21.0", "x": social},
                             max_bytes=max_bytes)


@pytest.fixture
def channels(providers):
    social = providers["social"].base_url
    return {"messenger": Messenger("app-secret", "verify", PAGE_TOKEN, "PAGE_ID", graph_base=social + "/v21.0"),
            "x": XDirectMessages("consumer", X_TOKEN, "1234858592", api_base=social),
            "whatsapp": TwilioMessaging("whatsapp", lambda *a, **k: "SM1"),
            "sms": TwilioMessaging("sms", lambda *a, **k: "SM1")}


@pytest.fixture
def bridge(redis_client, clock, providers, channels):
    threads = Threads(redis_client, PersonKeys("test person keys"), clock)
    social = Social(channels=channels, threads=threads, delivery=Delivery(threads, channels, [].append, clock),
                    inbound=None)
    b = build_bridge(redis_client, clock, social=social, attachments=fetcher(providers),
                     access_log=AccessLog(redis_client, clock))
    seed_agents(b)
    return b


@pytest.fixture
def app(bridge):
    return build_api_app(bridge)


def payload(channel: str, providers) -> bytes:
    """The recorded payload with the provider's media host pointed at its local fake (the test's *_api_base)."""
    social, twilio = providers["social"].base_url, providers["twilio"].base_url
    if channel == "whatsapp":
        raw = (PAYLOADS / "twilio_whatsapp_media.form").read_text()
        return raw.replace(quote("https://api.twilio.com", safe=""), quote(twilio, safe="")).encode()
    name = {"messenger": "messenger_message_attachments.json", "x": "x_dm_photo.json"}[channel]
    raw = (PAYLOADS / name).read_text("utf-8")
    for host in ("https://scontent.xx.fbcdn.net", "https://cdn.fbsbx.com", "https://ton.twitter.com"):
        raw = raw.replace(host, social)
    return raw.encode()


def arrive(bridge, inbound: Inbound):
    """What the inbox does with a customer's message: the thread, its message, its work item."""
    thread = bridge.social.threads.record_inbound(inbound, "it").thread
    item = enqueue(bridge, thread.natural_key, kind="thread", channel=inbound.channel, customer=thread.customer,
                   details={"thread_id": thread.id})
    bridge.social.threads.update(thread.id, item_id=item.id)
    [message] = [m for m in bridge.social.threads.messages(thread.id) if m.provider_id == inbound.provider_id]
    return message, item


def received(bridge, channel: str, providers):
    [inbound] = bridge.social.channels[channel].parse(payload(channel, providers))
    return arrive(bridge, inbound)


def api_get(app, bridge, who: str, path: str):
    return app.test_client().get(path, headers={"Authorization": f"Bearer {bridge.agents.issue_token(who)}"})


@pytest.mark.parametrize("channel, body, credential", ids=["whatsapp", "messenger", "x"], argvalues=[
    ("whatsapp", PNG, ("auth", ACCOUNT)), ("messenger", PNG, ("authorization", f"Bearer {PAGE_TOKEN}")),
    ("x", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + PNG, ("authorization", f"Bearer {X_TOKEN}"))])
def test_the_holder_gets_each_channels_attachment(app, bridge, providers, channel, body, credential):
    message, item = received(bridge, channel, providers)
    bridge.claims.claim(item.id, "maria")
    response = signed_in(app, "maria").get(f"/console/attachments/{message.id}/0")
    assert response.status_code == 200
    assert response.data == body
    assert response.headers["Content-Disposition"] == "inline"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "private, no-store"
    assert api_get(app, bridge, "maria", f"/api/attachments/{message.id}/0").data == body
    server = providers["twilio"] if channel == "whatsapp" else providers["social"]
    seen = server.requests[-1]["auth"] if channel == "whatsapp" else server.requests[-1]["headers"]["authorization"]
    assert seen == credential[1]


def test_a_pdf_is_a_download_named_safely(app, bridge, providers):
    message, item = received(bridge, "messenger", providers)
    bridge.claims.claim(item.id, "maria")
    response = signed_in(app, "maria").get(f"/console/attachments/{message.id}/1")
    assert response.data == PDF
    assert response.headers["Content-Disposition"] == 'attachment; filename="fattura_dicembre.pdf"'
    whatsapp, other = received(bridge, "whatsapp", providers)
    bridge.claims.claim(other.id, "maria")
    answer = api_get(app, bridge, "maria", f"/api/attachments/{whatsapp.id}/1")
    assert answer.headers["Content-Disposition"] == 'attachment; filename="attachment-2.pdf"'


def test_another_agent_is_refused_before_any_fetch_and_a_supervisor_is_not(app, bridge, providers):
    message, item = received(bridge, "whatsapp", providers)
    bridge.claims.claim(item.id, "maria")
    luca = signed_in(app, "luca").get(f"/console/attachments/{message.id}/0")
    assert luca.status_code == 403
    assert "Solo chi ha in carico la richiesta" in luca.get_data(as_text=True)
    assert api_get(app, bridge, "luca", f"/api/attachments/{message.id}/0").get_json()["error"] == "forbidden"
    assert providers["twilio"].requests == []
    assert signed_in(app, "sara").get(f"/console/attachments/{message.id}/0").data == PNG


def test_every_view_is_in_the_access_log(app, bridge, providers):
    message, item = received(bridge, "x", providers)
    bridge.claims.claim(item.id, "maria")
    signed_in(app, "maria").get(f"/console/attachments/{message.id}/0")
    [entry] = [e for e in bridge.access_log.entries() if e["action"] == "view_attachment"]
    assert (entry["who"], entry["subject"], entry["detail"]) == ("maria", f"item:{item.id}", f"{message.id}/0")


def stored(bridge, url: str, content_type: str = "image/png"):
    """A Messenger message whose only attachment is at `url`, from a sender of its own, and its item held by Maria."""
    message, item = arrive(bridge, Inbound("messenger", f"555{abs(hash(url)) % 10**9}", f"m_{abs(hash(url))}",
                                           attachments=(Attachment("image", url, content_type),)))
    bridge.claims.claim(item.id, "maria")
    return message


def endless(head: bytes):
    """A body that never ends by itself (64 MB): only a reader that stops keeps the test short."""
    def chunks():
        yield head
        for _ in range(1024):
            yield b"\0" * 65536
    return chunks


def test_an_oversized_file_is_413_after_reading_at_most_the_limit(app, bridge, providers):
    limit = 100_000
    bridge.attachments = fetcher(providers, max_bytes=limit)
    url = providers["social"].serve_file("/cdn/big.png", "image/png", endless(PNG[:8]), length=False)
    response = signed_in(app, "maria").get(f"/console/attachments/{stored(bridge, url).id}/0")
    assert response.status_code == 413
    assert "supera la dimensione massima consentita (97.7 KB)" in response.get_data(as_text=True)
    assert providers["social"].served["/cdn/big.png"] < 64 * 1024 * 1024  # it was not read to the end
    with pytest.raises(AttachmentRefused) as refused:
        bridge.attachments.fetch("messenger", Attachment("image", url))
    assert refused.value.read == limit + 1


def test_a_file_of_a_declared_size_is_streamed_whole(app, bridge, providers):
    body = PNG + bytes(range(256)) * 12_000  # ~3 MB: several reads from the provider, several writes to the agent
    url = providers["social"].serve_file("/cdn/large.png", "image/png", body)
    response = signed_in(app, "maria").get(f"/console/attachments/{stored(bridge, url).id}/0", buffered=False)
    assert response.is_streamed
    assert response.headers["Content-Length"] == str(len(body))
    assert response.get_data() == body


def test_a_declared_size_over_the_limit_is_refused_unread(app, bridge, providers):
    bridge.attachments = fetcher(providers, max_bytes=len(PNG) - 1)
    url = providers["social"].serve_file("/cdn/declared.png", "image/png", PNG)
    with pytest.raises(AttachmentRefused) as refused:
        bridge.attachments.fetch("messenger", Attachment("image", url))
    assert (refused.value.status, refused.value.read) == (413, 0)
    answer = api_get(app, bridge, "maria", f"/api/attachments/{stored(bridge, url).id}/0")
    assert answer.get_json()["error"] == "too_large"


@pytest.mark.parametrize("declared, body", [("application/pdf", PNG), ("image/png", PDF), ("text/html", b"<html>")])
def test_bytes_that_are_not_what_they_claim_are_refused(app, bridge, providers, declared, body):
    url = providers["social"].serve_file("/cdn/claims", declared, body)
    response = signed_in(app, "maria").get(f"/console/attachments/{stored(bridge, url, declared).id}/0")
    assert response.status_code == 415
    assert body not in response.data


@pytest.mark.parametrize("where", ["elsewhere", "https://metadata.google.internal/computeMetadata/v1/"])
def test_a_url_on_a_foreign_host_is_refused_without_a_request(app, bridge, providers, where, caplog):
    url = providers["elsewhere"].serve_file("/x.png", "image/png", PNG) if where == "elsewhere" else where
    caplog.set_level(logging.DEBUG)
    response = signed_in(app, "maria").get(f"/console/attachments/{stored(bridge, url).id}/0")
    assert response.status_code == 502
    assert "non è sui server del fornitore" in response.get_data(as_text=True)
    assert providers["elsewhere"].requests == []
    assert url not in caplog.text


def test_no_page_or_answer_holds_the_provider_url(app, bridge, providers):
    bases = (providers["social"].base_url, providers["twilio"].base_url, "fbcdn", "ton.twitter", "api.twilio")
    maria = signed_in(app, "maria")
    for channel in ("messenger", "whatsapp", "x"):
        message, item = received(bridge, channel, providers)
        bridge.claims.claim(item.id, "maria")
        maria.get(f"/console/attachments/{message.id}/{1 if channel == 'messenger' else 0}")  # a size to show
        page = maria.get(f"/console/items/{item.id}").get_data(as_text=True)
        answer = json.dumps(api_get(app, bridge, "maria", f"/api/items/{item.id}").get_json())
        assert [base for base in bases if base in page or base in answer] == []
        assert f'src="/console/attachments/{message.id}/0"' in page
        assert f"/api/attachments/{message.id}/0" in answer


def test_the_console_shows_an_attachment_only_message_and_a_files_name_type_and_size(app, bridge, providers):
    message, item = received(bridge, "messenger", providers)
    bridge.claims.claim(item.id, "maria")
    maria = signed_in(app, "maria")
    before = maria.get(f"/console/items/{item.id}").get_data(as_text=True)
    assert "[immagine]" in before
    assert re.search(r'download>fattura dicembre.pdf</a>\s*<span class="muted attachment-meta">file · '
                     r"dimensione nota dopo l&#39;apertura</span>", before)
    maria.get(f"/console/attachments/{message.id}/1")
    after = maria.get(f"/console/items/{item.id}").get_data(as_text=True)
    assert f'attachment-meta">application/pdf · {len(PDF)} B</span>' in after


@pytest.mark.parametrize("n", ["2", "9", "x", "-1", "0001"])
def test_an_attachment_that_is_not_there_is_404(app, bridge, providers, n):
    message, item = received(bridge, "messenger", providers)
    bridge.claims.claim(item.id, "maria")
    assert signed_in(app, "maria").get(f"/console/attachments/{message.id}/{n}").status_code == 404
    assert api_get(app, bridge, "maria", f"/api/attachments/{message.id}/{n}").get_json()["error"] == "not_found"
    assert providers["social"].requests == []


def test_one_redirect_is_followed_without_credentials_and_never_off_the_providers_hosts(app, bridge, providers):
    social, elsewhere = providers["social"], providers["elsewhere"]
    hop = stored(bridge, social.redirect("/lookaside/1", PNG_PATH))
    maria = signed_in(app, "maria")
    assert maria.get(f"/console/attachments/{hop.id}/0").data == PNG
    first, then = social.requests[-2:]
    assert first["headers"]["authorization"] == f"Bearer {PAGE_TOKEN}"
    assert "authorization" not in then["headers"]
    off = stored(bridge, social.redirect("/lookaside/2", elsewhere.serve_file("/x.png", "image/png", PNG)))
    assert maria.get(f"/console/attachments/{off.id}/0").status_code == 502
    twice = stored(bridge, social.redirect("/lookaside/3", social.base_url + "/lookaside/1"))
    assert maria.get(f"/console/attachments/{twice.id}/0").status_code == 502
    assert elsewhere.requests == []
