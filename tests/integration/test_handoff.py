"""Handoff ref codes on a real Redis: single use, expiry on our clock, forgeries never reach Redis."""
from __future__ import annotations

import re

import pytest

from social_bridge.chat.handoff import ALPHABET, RefCodes, deep_links, find_code, normalize

CONTEXT = {"item_id": "it-42", "call_sid": "CA" + "0" * 32, "acquired_at": 1764666000.0, "lang": "it",
           "intent": "fault", "summary": "Linea lenta, già riavviato il modem", "tried": ["restart_modem", "sms_link"]}
SHAPE = re.compile(r"^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{3}$")
CODE = "ABCD-EFGH-JK3"


@pytest.fixture
def codes(redis_client, clock):
    return RefCodes(redis_client, clock=clock)


def _lookups(redis_client) -> int:
    stats = redis_client.info("stats")
    return stats["keyspace_hits"] + stats["keyspace_misses"]


def test_round_trip_once(codes, redis_client):
    code = codes.issue(CONTEXT)
    assert SHAPE.match(code)
    assert any(ch.isdigit() for ch in code)
    [key] = redis_client.keys()
    assert key == "nohold:{handoff}:code:" + code.replace("-", "")
    assert 0 < redis_client.ttl(key) <= 24 * 3600
    assert codes.redeem(code) == CONTEXT
    assert codes.redeem(code) is None
    assert redis_client.keys() == []


@pytest.mark.parametrize("spelling", [str.lower, lambda c: c.replace("-", ""), lambda c: c.replace("-", " "),
                                      lambda c: f"  {c.lower().replace('-', ' - ')}  "])
def test_redeem_ignores_case_spaces_and_dashes(codes, spelling):
    code = codes.issue(CONTEXT)
    assert codes.redeem(spelling(code)) == CONTEXT


def test_expiry_follows_the_injected_clock(codes, clock):
    kept, expired = codes.issue({"n": 1}), codes.issue({"n": 2})
    clock.advance(24 * 3600)
    assert codes.redeem(kept) == {"n": 1}
    clock.advance(1)
    assert codes.redeem(expired) is None


def test_short_ttl_and_prefix(redis_client, clock):
    codes = RefCodes(redis_client, clock=clock, ttl_seconds=600, prefix="test")
    code = codes.issue({})
    [key] = redis_client.keys()
    assert key.startswith("test:{handoff}:code:")
    assert redis_client.ttl(key) <= 600
    clock.advance(601)
    assert codes.redeem(code) is None
    with pytest.raises(ValueError):
        RefCodes(redis_client, prefix="a{b}")


@pytest.mark.parametrize("forged", [
    "", "*", "x:y", "ABCD-EFGH-JK", "ABCD-EFGH-JK33", "ABCD-EFGH-JKO", "ABCD-EFGH-JK1", "ABCD-EFGH-JKL",
    "ABCD-EFGH-JKI", "ABCD-EFGH-JK0", "ABCDEFGHJKM",  # no digit: never issued
    "ABCD-EFGH-J*3", "nohold:{handoff}:code:ABCDEFGHJK3", "ABCD\x00EFGH-JK3", "ſBCD-EFGH-JK3", "A" * 100_000,
    None, 12345678901,
])
def test_forged_codes_never_touch_redis(codes, redis_client, forged):
    codes.issue(CONTEXT)
    before, keys = _lookups(redis_client), redis_client.keys()
    assert codes.redeem(forged) is None
    assert _lookups(redis_client) == before
    assert redis_client.keys() == keys


def test_unknown_code_is_none(codes, redis_client):
    before = _lookups(redis_client)
    assert codes.redeem(CODE) is None
    assert _lookups(redis_client) == before + 1  # a well-formed code is looked up: the counter above sees it
    assert redis_client.keys() == []


def test_codes_are_distinct_and_well_formed(codes, redis_client):
    issued = {codes.issue({"i": i}) for i in range(1000)}
    assert len(issued) == 1000 == len(redis_client.keys())
    assert all(SHAPE.match(code) and normalize(code) == code.replace("-", "") for code in issued)
    assert set("".join(issued).replace("-", "")) <= set(ALPHABET)
    assert not set(ALPHABET) & set("0O1IL")


@pytest.mark.parametrize("text, found", [
    (f"ciao il mio codice è {CODE}", CODE),
    (CODE, CODE),
    (CODE.lower(), CODE),
    ("Codice: abcdefghjk3", CODE),
    (f"Codice {CODE}", CODE),
    ("Buongiorno, vi scrivo per la linea. Codice ABCD EFGH JK3, grazie!", CODE),
    (f"Hi, my code is {CODE}.", CODE),
    (f"Here: ({CODE}) thanks", CODE),
    ("the code ABCDEFGHJK3 from the call", CODE),
    ("trasmettere il documento", None),            # 11 letters of the alphabet, but no digit
    ("codice ABCD-EFGH-JK", None),
    ("codice XABCD-EFGH-JK3", None),               # part of a longer token
    ("codice ABCD-EFGH-JK3Z", None),
    ("codice ABCD-EFGH-JK0", None),
    ("numero 3331234567 per favore", None),
    ("", None),
])
def test_find_code(text, found):
    assert find_code(text) == found


def test_found_code_redeems(codes):
    code = codes.issue(CONTEXT)
    assert codes.redeem(find_code(f"Salve, mi hanno dato il codice {code.lower()} al telefono")) == CONTEXT


def test_deep_links_for_configured_channels():
    links = deep_links(CODE.lower(), messenger_page_id="NoholdTelco", whatsapp_number="+39 02 1234 5678",
                       x_account_id="1234567890", sms_number="+390212345678")
    assert links == {
        "messenger": "https://m.me/NoholdTelco?ref=ABCD-EFGH-JK3",
        "whatsapp": "https://wa.me/390212345678?text=Codice%20ABCD-EFGH-JK3",
        "x": "https://x.com/messages/compose?recipient_id=1234567890&text=Codice%20ABCD-EFGH-JK3",
        "sms": "ABCD-EFGH-JK3",
    }


def test_deep_links_skip_unconfigured_channels():
    assert deep_links(CODE) == {}
    assert deep_links(CODE, whatsapp_number="+390212345678") == {
        "whatsapp": "https://wa.me/390212345678?text=Codice%20ABCD-EFGH-JK3"}
    assert set(deep_links(CODE, messenger_page_id="p", sms_number="+39021")) == {"messenger", "sms"}


def test_deep_links_without_a_code_are_plain():
    assert deep_links("", messenger_page_id="NoholdTelco", whatsapp_number="+390212345678",
                      x_account_id="1234567890", sms_number="+390212345678") == {
        "messenger": "https://m.me/NoholdTelco",
        "whatsapp": "https://wa.me/390212345678",
        "x": "https://x.com/messages/compose?recipient_id=1234567890",
    }


def test_deep_links_refuse_a_bad_code():
    with pytest.raises(ValueError):
        deep_links("x&text=evil", messenger_page_id="p")
