"""Customers' attachments (issue 19): each channel keeps them as records, the records survive the inbound queue's
JSON, and the fetcher's rules — the provider's hosts only, the types and their first bytes — hold without a network."""
from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from social_bridge.channels import Attachment, Inbound, attachment_kind
from social_bridge.channels.messenger import Messenger
from social_bridge.channels.twilio_messaging import TwilioMessaging
from social_bridge.channels.x import XDirectMessages
from social_bridge.chat.attachments import SIGNATURES, AttachmentFetcher, AttachmentRefused, public
from tests.support.sample_files import pdf, png

PAYLOADS = Path(__file__).parent.parent / "data" / "payloads"
TWILIO_MEDIA = ("https://api.twilio.com/2010-04-01/Accounts/AC00000000000000000000000000000001/Messages/"
                "MM00000000000000000000000000000002/Media/ME0000000000000000000000000000000")


def test_messenger_keeps_files_with_a_url_and_leaves_the_location_out():
    raw = (PAYLOADS / "messenger_message_attachments.json").read_bytes()
    [inbound] = Messenger("s", "v", "t", "PAGE_ID").parse(raw)
    assert inbound.text == ""
    assert inbound.attachments == (
        Attachment("image", "https://scontent.xx.fbcdn.net/v/t1.15752-9/modem_lights.png"),
        Attachment("file", "https://cdn.fbsbx.com/v/t59.2708-21/fattura%20dicembre.pdf", name="fattura dicembre.pdf"))


def test_whatsapp_keeps_each_media_with_its_declared_type():
    raw = (PAYLOADS / "twilio_whatsapp_media.form").read_bytes()
    [inbound] = TwilioMessaging("whatsapp", lambda *a, **k: "SM1").parse(raw)
    assert (inbound.channel, inbound.text) == ("whatsapp", "Ecco la bolletta")
    assert inbound.attachments == (Attachment("image", TWILIO_MEDIA + "2", "image/png"),
                                   Attachment("file", TWILIO_MEDIA + "3", "application/pdf"))


def test_sms_media_beyond_num_media_is_not_read():
    form = dict(From="+393331234567", MessageSid="MM" + "1" * 32, Body="", NumMedia="1",
                MediaUrl0=TWILIO_MEDIA + "2", MediaContentType0="image/jpeg",
                MediaUrl1=TWILIO_MEDIA + "3", MediaContentType1="application/pdf")
    [inbound] = TwilioMessaging("sms", lambda *a, **k: "SM1").parse_form(form)
    assert [a.ref for a in inbound.attachments] == [TWILIO_MEDIA + "2"]


def test_x_keeps_the_photo_and_drops_its_link_from_the_text():
    raw = (PAYLOADS / "x_dm_photo.json").read_bytes()
    [inbound] = XDirectMessages("s", "b", "1234858592").parse(raw)
    assert inbound.text == "Il modem fa così"
    assert inbound.attachments == (Attachment(
        "image", "https://ton.twitter.com/1.1/ton/data/dm/1371204467341807700/1371204460000000000/modem.jpg"),)


def test_x_video_is_its_best_mp4():
    payload = json.loads((PAYLOADS / "x_dm_photo.json").read_text("utf-8"))
    media = payload["direct_message_events"][0]["message_create"]["message_data"]["attachment"]["media"]
    media.update(type="video", video_info={"variants": [
        {"content_type": "application/x-mpegURL", "url": "https://video.twimg.com/dm_video/1/pl.m3u8"},
        {"content_type": "video/mp4", "bitrate": 256000, "url": "https://video.twimg.com/dm_video/1/low.mp4"},
        {"content_type": "video/mp4", "bitrate": 832000, "url": "https://video.twimg.com/dm_video/1/high.mp4"}]})
    [inbound] = XDirectMessages("s", "b", "1234858592").parse(json.dumps(payload).encode())
    assert inbound.attachments == (Attachment("video", "https://video.twimg.com/dm_video/1/high.mp4", "video/mp4"),)


@pytest.mark.parametrize("media", [{"type": ["photo"]}, {"type": "photo", "media_url_https": 7}, "photo", None])
def test_x_media_of_the_wrong_shape_is_no_attachment(media):
    payload = json.loads((PAYLOADS / "x_dm_photo.json").read_text("utf-8"))
    payload["direct_message_events"][0]["message_create"]["message_data"]["attachment"]["media"] = media
    [inbound] = XDirectMessages("s", "b", "1234858592").parse(json.dumps(payload).encode())
    assert inbound.attachments == ()


def test_the_docs_empty_media_stub_is_no_attachment():
    event = json.loads((PAYLOADS / "x_message_create_object_docs.json").read_text("utf-8"))
    [inbound] = XDirectMessages("s", "b", "1234858592").parse(
        json.dumps({"for_user_id": "1234858592", "direct_message_events": [event]}).encode())
    assert inbound.attachments == ()


def test_records_survive_the_inbound_queues_json():
    sent = Inbound("sms", "+393331234567", "MM1", attachments=(Attachment("image", TWILIO_MEDIA + "2", "image/png"),))
    again = Inbound(**json.loads(json.dumps(asdict(sent))))
    assert again == sent


@pytest.mark.parametrize("content_type, kind", [("image/jpeg", "image"), ("audio/ogg", "audio"),
                                                ("video/mp4", "video"), ("application/pdf", "file"), ("", "file")])
def test_kind_from_the_declared_type(content_type, kind):
    assert attachment_kind(content_type) == kind


def test_what_a_page_may_say_never_holds_the_reference():
    shown = public(asdict(Attachment("image", "https://scontent.xx.fbcdn.net/secret.png", "image/png")), 0)
    assert "https://scontent.xx.fbcdn.net/secret.png" not in json.dumps(shown)


FETCHER = AttachmentFetcher({}, {"messenger": "http://127.0.0.1:8123/v21.0", "x": "http://10.0.0.5:80"})


@pytest.mark.parametrize("channel, url, allowed", [
    ("messenger", "https://scontent-mxp2-1.xx.fbcdn.net/v/t1/a.png?oh=1", True),
    ("messenger", "https://cdn.fbsbx.com/v/t59/fattura.pdf", True),
    ("messenger", "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1", True),
    ("messenger", "http://scontent.xx.fbcdn.net/a.png", False),              # not https
    ("messenger", "https://fbcdn.net.attacker.example/a.png", False),        # a suffix that is not a subdomain
    ("messenger", "https://attackerfbcdn.net/a.png", False),
    ("messenger", "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1", False),  # another's host
    ("messenger", "http://127.0.0.1:8123/cdn/a.png", True),                  # the configured API base's origin
    ("messenger", "http://127.0.0.1:8124/cdn/a.png", False),                 # another port on the loopback
    ("x", "http://10.0.0.5/a.png", False),                                   # plain http base off the loopback: ignored
    ("x", "https://ton.twitter.com/1.1/ton/data/dm/1/2/a.jpg", True),
    ("sms", "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1", True),
    ("sms", "https://169.254.169.254/latest/meta-data/", False),
    ("sms", "file:///etc/passwd", False),
    ("whatsapp", "https://api.twilio.com:8443/x", False),
    ("telegram", "https://api.twilio.com/x", False),
])
def test_only_the_providers_hosts(channel, url, allowed):
    assert FETCHER.allowed(channel, url) is allowed


def test_a_redirect_may_reach_twilios_media_storage_but_a_first_url_may_not():
    storage = "https://media.twiliocdn.com/AC1/abc"
    assert FETCHER.allowed("sms", storage, redirect=True)
    assert not FETCHER.allowed("sms", storage)


@pytest.mark.parametrize("content_type, head", [
    ("image/png", png()), ("application/pdf", pdf()), ("image/jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF"),
    ("image/gif", b"GIF89a\x01\x00"), ("image/webp", b"RIFF\x10\x00\x00\x00WEBPVP8 "), ("audio/ogg", b"OggS\x00\x02"),
    ("audio/mpeg", b"ID3\x04\x00"), ("audio/mpeg", b"\xff\xfb\x90\x64"), ("video/mp4", b"\x00\x00\x00\x18ftypmp42"),
])
def test_each_type_knows_its_first_bytes_and_no_other_types(content_type, head):
    assert [name for name, check in SIGNATURES.items() if check(head[:16])] == [content_type]


def test_without_credentials_nothing_is_fetched():
    with pytest.raises(AttachmentRefused) as refused:
        AttachmentFetcher({"sms": ("basic", ("", ""))}).fetch("sms", Attachment("image", TWILIO_MEDIA + "2"))
    assert refused.value.reason == "unavailable"


def test_the_settings_name_the_types_the_limit_and_each_channels_credentials(tmp_path):
    from ivr.app.agent_side import attachments_fetcher
    from ivr.app.settings import load_settings

    settings = load_settings(environ={"ATTACHMENT_TYPES": "image/png, application/pdf", "ATTACHMENT_MAX_BYTES": "2048",
                                      "NOHOLD_VAR_DIR": str(tmp_path), "MESSENGER_PAGE_TOKEN": "page-token",
                                      "GRAPH_API_BASE": "http://127.0.0.1:8123/v21.0"}, dotenv=False)
    fetcher = attachments_fetcher(settings)
    assert (fetcher.types, fetcher.max_bytes) == (("image/png", "application/pdf"), 2048)
    assert fetcher.credentials["messenger"] == ("bearer", "page-token")
    assert fetcher.allowed("messenger", "http://127.0.0.1:8123/cdn/a.png")
