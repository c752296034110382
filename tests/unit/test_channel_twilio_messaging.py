"""SMS/WhatsApp through Twilio: segment counting, splitting replies, the webhook form, sending, policy."""
from __future__ import annotations

import random
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest

from social_bridge.channels import Attachment, Inbound, Malformed, Outbound
from social_bridge.channels.twilio_messaging import (
    TwilioMessaging, limit_for, segments, sms_segments, split, utf16_length)

PAYLOADS = Path(__file__).parent.parent / "data" / "payloads"
MEDIA_URL = ("https://api.twilio.com/2010-04-01/Accounts/AC00000000000000000000000000000001/Messages/"
             "MM00000000000000000000000000000001/Media/ME00000000000000000000000000000001")  # the form's MediaUrl0
HOUR = 3600.0
NUMBER = re.compile(r"^\((\d+)/(\d+)\) ")


@pytest.mark.parametrize("text, expected", [
    ("", ("GSM-7", 0)),
    ("a" * 160, ("GSM-7", 1)),
    ("a" * 161, ("GSM-7", 2)),
    ("a" * 306, ("GSM-7", 2)),
    ("a" * 307, ("GSM-7", 3)),
    ("a" * 459, ("GSM-7", 3)),
    ("a" * 460, ("GSM-7", 4)),
    ("€" * 80, ("GSM-7", 1)),                     # extension table: two septets each
    ("€" * 81, ("GSM-7", 2)),
    ("a" * 159 + "^", ("GSM-7", 2)),
    ("a" * 152 + "{" + "a" * 10, ("GSM-7", 2)),   # the escape pair is not cut: 152 + (2 + 10)
    ("ò" * 160, ("GSM-7", 1)),
    ("à" * 160, ("GSM-7", 1)),
    ("Perché no? Città, più, così: è già lì. Ça va, Ñandù, ¿qué? ¡Sì! §5 ß Øre Åse Ärger", ("GSM-7", 1)),
    ("È" * 70, ("UCS-2", 1)),                      # capital È is not in GSM 03.38
    ("ó", ("UCS-2", 1)),                           # only ò, not ó, nor í ú Í
    ("Sí", ("UCS-2", 1)),
    ("a" * 69 + "😀", ("UCS-2", 2)),               # the emoji is two UTF-16 units: 71
    ("a" * 68 + "😀", ("UCS-2", 1)),
    ("😀" * 35, ("UCS-2", 1)),
    ("a" * 67 + "ó" * 67, ("UCS-2", 2)),
    ("a" * 65 + "😀" + "a" * 3, ("UCS-2", 1)),     # exactly 70 units
    ("a" * 66 + "😀" + "a" * 3, ("UCS-2", 2)),     # 71 units: the pair moves whole to part 2
    ("a" * 200 + "😀", ("UCS-2", 4)),
    ("tab\there", ("UCS-2", 1)),
])
def test_segments(text, expected):
    assert segments(text) == expected


def test_italian_reply_is_gsm7():
    text = "Perché la linea è lenta? Abbiamo già verificato: più tardi un tecnico la chiamerà."
    assert segments(text) == ("GSM-7", 1)
    assert segments(text + " 👍") == ("UCS-2", 2)


def test_limits_per_channel():
    assert limit_for("sms") == (3, sms_segments)
    assert limit_for("whatsapp") == (1600, utf16_length)
    with pytest.raises(ValueError):
        limit_for("messenger")


def test_short_text_is_one_part_without_number():
    assert split("  Ciao, come posso aiutarla?\n", 3, sms_segments) == ["Ciao, come posso aiutarla?"]
    assert split("   ", 3, sms_segments) == []


def test_split_prefers_paragraphs_then_sentences_then_words():
    first, second = "Primo paragrafo. " * 5, "Secondo paragrafo. " * 5
    assert split(f"{first.strip()}\n\n{second.strip()}", 150, numbered=False) == [first.strip(), second.strip()]
    sentences = [f"Frase numero {i} abbastanza lunga." for i in range(6)]
    parts = split(" ".join(sentences), 80, numbered=False)
    assert parts == [" ".join(sentences[i:i + 2]) for i in (0, 2, 4)]
    words = split("uno due tre quattro cinque sei", 10, numbered=False)
    assert words == ["uno due", "tre", "quattro", "cinque sei"]


def test_split_cuts_inside_a_word_only_when_it_alone_is_too_long():
    assert split("ok " + "x" * 25 + " fine", 10, numbered=False) == ["ok", "x" * 10, "x" * 10, "x" * 5 + " fine"]
    assert split("x" * 5000, 1600, numbered=False) == ["x" * 1600] * 3 + ["x" * 200]
    # 33 emoji per 67-unit segment: a surrogate pair never straddles two segments
    assert split("😀" * 300, 3, sms_segments, numbered=False) == ["😀" * 99] * 3 + ["😀" * 3]


def test_split_refuses_a_limit_no_character_fits():
    with pytest.raises(ValueError):
        split("ciao a tutti", 0, numbered=False)


def test_split_numbers_parts_within_the_limit():
    text = " ".join(f"Parola{i}." for i in range(300))
    parts = split(text, 3, sms_segments)
    assert len(parts) > 1
    for i, part in enumerate(parts, 1):
        assert NUMBER.match(part).groups() == (str(i), str(len(parts)))
        assert sms_segments(part) <= 3
    assert " ".join(NUMBER.sub("", part) for part in parts) == text


def test_split_sms_packs_up_to_three_segments():
    gsm = split("parola " * 200, 3, sms_segments, numbered=False)
    assert [segments(part) for part in gsm[:-1]] == [("GSM-7", 3)] * (len(gsm) - 1)
    assert all(len(part) <= 459 for part in gsm)
    ucs = split("perché 😀 " * 100, 3, sms_segments, numbered=False)
    assert all(segments(part)[0] == "UCS-2" for part in ucs)
    assert all(utf16_length(part) <= 201 for part in ucs)


WORDS = ["ciao", "perché", "città", "linea", "€", "{x}", "😀", "È", "modem", "a", "supercalifragilistico" * 3,
         "Fine.", "Davvero?", "Sì!", "\n", "\n\n", "  "]


@pytest.mark.parametrize("seed", range(40))
def test_split_property(seed):
    """Random texts: each part within the limit, nothing lost or reordered, cuts inside words only when forced."""
    rng = random.Random(seed)
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 400)))
    limit, measure = rng.choice([(3, sms_segments), (1, sms_segments), (40, len), (120, utf16_length)])
    parts = split(text, limit, measure, numbered=False)
    assert all(part for part in parts)
    assert all(part == part.strip() for part in parts)
    assert all(measure(part) <= limit for part in parts)
    glyphs = [(i, ch) for i, ch in enumerate(text) if not ch.isspace()]
    assert "".join(ch for _, ch in glyphs) == "".join("".join(part.split()) for part in parts)
    seen = 0
    for part in parts[:-1]:
        seen += len("".join(part.split()))
        before, after = glyphs[seen - 1][0], glyphs[seen][0]
        if after == before + 1:  # cut inside a word: that word alone must not fit
            start = max(text.rfind(" ", 0, after), text.rfind("\n", 0, after)) + 1
            end = min(pos for pos in (text.find(" ", after), text.find("\n", after), len(text)) if pos != -1)
            assert measure(text[start:end]) > limit
    numbered = split(text, limit, measure)
    assert all(measure(part) <= limit for part in numbered)
    unnumbered = [NUMBER.sub("", part) for part in numbered] if len(numbered) > 1 else numbered
    assert "".join("".join(part.split()) for part in unnumbered) == "".join(ch for _, ch in glyphs)


def _form(**fields) -> dict[str, str]:
    base = {"MessageSid": "SM" + "1" * 32, "From": "+393331234567", "To": "+390212345678",
            "Body": "ciao", "NumMedia": "0", "SmsStatus": "received"}
    base.update(fields)
    return {key: value for key, value in base.items() if value is not None}


@pytest.fixture
def sent():
    return []


@pytest.fixture
def sms(sent):
    def send_sms(to: str, text: str, key: str) -> str:
        sent.append((to, text, key))
        return f"MS{len(sent)}"
    return TwilioMessaging("sms", send_sms)


@pytest.fixture
def whatsapp(sent):
    return TwilioMessaging("whatsapp", lambda to, text, key: sent.append((to, text, key)) or f"MS{len(sent)}")


def test_parse_recorded_payload(sms):
    raw = (PAYLOADS / "twilio_sms_incoming.form").read_bytes().strip()
    assert sms.parse(raw) == [Inbound(channel="sms", sender_id="+393331234567",
                                      provider_id="SM00000000000000000000000000000001",
                                      text="RICHIAMAMI", has_attachment=True,
                                      attachments=(Attachment("image", MEDIA_URL, "image/jpeg"),))]


def test_parse_whatsapp_prefix_and_stripped_body(sms):
    [inbound] = sms.parse_form(_form(From="whatsapp:+393331234567", Body="  Codice ABCD-EFGH-JK3 \n"))
    assert (inbound.channel, inbound.sender_id, inbound.text) == ("whatsapp", "+393331234567", "Codice ABCD-EFGH-JK3")
    assert inbound.has_attachment is False


def test_parse_falls_back_to_sms_sid(sms):
    [inbound] = sms.parse(urlencode(_form(MessageSid=None, SmsSid="SM" + "2" * 32)).encode())
    assert inbound.provider_id == "SM" + "2" * 32


def test_delivery_report_is_not_a_message(sms):
    assert sms.parse_form(_form(SmsStatus="delivered")) == []


@pytest.mark.parametrize("fields", [
    {"From": None}, {"From": ""}, {"From": "whatsapp:"}, {"MessageSid": None}, {"MessageSid": "  "},
    {"NumMedia": "molti"},
])
def test_malformed_forms(sms, fields):
    with pytest.raises(Malformed):
        sms.parse_form(_form(**fields))


def test_malformed_body_bytes(sms):
    with pytest.raises(Malformed):
        sms.parse(b"From=%2B39333&MessageSid=SM1&Body=\xff\xfe")


def test_verify_is_the_apps_job(sms):
    with pytest.raises(NotImplementedError):
        sms.verify(b"", {})


def test_send_short_text_once(sms, sent):
    assert sms.send(Outbound("sms", "+393331234567", "Ciao!", "out-1")) == "MS1"
    assert sent == [("+393331234567", "Ciao!", "out-1:1")]


def test_send_splits_with_idempotent_keys(sms, sent):
    text = "\n\n".join(f"Paragrafo {i}: " + "parola " * 60 for i in range(4))
    outbound = Outbound("sms", "+393331234567", text, "out-2")
    ids = sms.send(outbound)
    assert ids == ",".join(f"MS{i}" for i in range(1, len(sent) + 1))
    assert [key for _, _, key in sent] == [f"out-2:{i}" for i in range(1, len(sent) + 1)]
    assert [body for _, body, _ in sent] == sms.parts(text)
    assert len(sent) > 1
    assert all(sms_segments(body) <= 3 for _, body, _ in sent)
    first = list(sent)
    sms.send(outbound)   # a retry produces the same parts with the same keys: the sender dedupes them
    assert sent[len(first):] == first


def test_send_whatsapp_prefixes_recipient(whatsapp, sent):
    whatsapp.send(Outbound("whatsapp", "+393331234567", "Ciao 👋", "out-3"))
    whatsapp.send(Outbound("whatsapp", "whatsapp:+393331234567", "Ancora", "out-4"))
    assert [to for to, _, _ in sent] == ["whatsapp:+393331234567"] * 2


def test_whatsapp_parts_stay_under_1600(whatsapp, sent):
    whatsapp.send(Outbound("whatsapp", "+39333", "Frase di prova con emoji 😀. " * 200, "out-5"))
    assert len(sent) > 1
    assert all(utf16_length(body) <= 1600 for _, body, _ in sent)


@pytest.mark.parametrize("outbound", [Outbound("whatsapp", "+39333", "x", "m"), Outbound("sms", "+39333", " ", "m")])
def test_send_refuses(sms, sent, outbound):
    with pytest.raises(ValueError):
        sms.send(outbound)
    assert sent == []


def test_policy(sms, whatsapp, clock):
    now = clock()
    assert sms.policy(0.0, now).allowed
    assert sms.policy(now - 30 * 24 * HOUR, now).reason == "window_open"
    inside = whatsapp.policy(now - 23 * HOUR, now)
    assert (inside.allowed, inside.reason) == (True, "window_open")
    outside = whatsapp.policy(now - 25 * HOUR, now)
    assert (outside.allowed, outside.reason) == (False, "window_closed")
    assert not whatsapp.policy(0.0, now).allowed


def test_names_and_lengths(sms, whatsapp):
    assert (sms.name, whatsapp.name) == ("sms", "whatsapp")
    assert sms.max_length == whatsapp.max_length == 1600
    with pytest.raises(ValueError):
        TwilioMessaging("messenger", lambda to, text, key: "")


# -- WhatsApp templates (outside the 24-hour session) --------------------------------------------------
TEMPLATE_SID = "HX" + "c" * 32


@pytest.fixture
def templated(sent):
    def send_sms(to: str, text: str, key: str, content_sid: str = "") -> str:
        sent.append((to, text, key, content_sid))
        return f"MS{len(sent)}"
    return TwilioMessaging("whatsapp", send_sms, {"notice": TEMPLATE_SID, "receipt": ""})


def test_a_templated_send_is_one_message_with_the_template_sid(templated, sent):
    text = "Il guasto nella tua zona è risolto. " * 8
    templated.send(Outbound("whatsapp", "+393331234567", text, "ours-1", template="notice"))
    assert sent == [("whatsapp:+393331234567", text, "ours-1:1", TEMPLATE_SID)]


def test_a_template_without_a_sid_is_refused_before_sending(templated, sent):
    with pytest.raises(ValueError):
        templated.send(Outbound("whatsapp", "+393331234567", "ciao", "ours-1", template="receipt"))
    assert sent == []


def test_sms_has_no_templates(sent):
    assert TwilioMessaging("sms", lambda *args, **kw: "MS1", {"notice": TEMPLATE_SID}).template_sid("notice") == ""
