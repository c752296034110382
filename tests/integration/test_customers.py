"""Customers on a real Redis: identities join only on proof, merges, one-time codes, no number in a key name."""
from __future__ import annotations

import pytest

from social_bridge.customers.customers import Customers
from social_bridge.customers.keys import CustomerKeys
from social_bridge.customers.proofs import OneTimeCodes, Proof
from social_bridge.privacy.pseudonyms import PersonKeys
from tests.support.clock import Clock

NUMBER = "+393471234567"
PSID = "6543210987654321"


@pytest.fixture
def clock():
    return Clock(1_800_000_000)


@pytest.fixture
def persons():
    return PersonKeys("test secret")


@pytest.fixture
def customers(redis_client, persons, clock):
    return Customers(redis_client, persons, clock=clock)


@pytest.fixture
def codes(redis_client, persons, clock):
    return OneTimeCodes(redis_client, persons, clock=clock)


def test_a_contact_makes_one_record_found_again_by_its_identity(customers):
    first = customers.ensure("phone", NUMBER)
    assert customers.ensure("phone", NUMBER).id == first.id
    assert customers.find("phone", NUMBER).identities[f"phone:{NUMBER}"]["proof"] == "contact"
    assert customers.find("messenger", PSID) is None


@pytest.mark.parametrize("claim", [None, "typed", Proof("contact")])
def test_an_identity_never_joins_without_a_proof(customers, claim):
    owner = customers.ensure("phone", NUMBER)
    with pytest.raises(ValueError):
        customers.join(owner.id, "messenger", PSID, claim)
    assert customers.find("messenger", PSID) is None


def test_a_proof_joins_and_merges_the_record_that_held_the_identity(customers, redis_client):
    caller = customers.ensure("phone", NUMBER)
    chatter = customers.ensure("messenger", PSID)
    redis_client.zadd(CustomerKeys().cases_of(chatter.id), {"15584864": 1.0})
    joined = customers.join(caller.id, "messenger", PSID, Proof("handoff_code", "CA1"))
    assert joined.id == caller.id
    assert set(joined.identities) == {f"phone:{NUMBER}", f"messenger:{PSID}"}
    assert customers.find("messenger", PSID).id == caller.id
    assert customers.get(chatter.id) is None
    assert redis_client.zrange(CustomerKeys().cases_of(caller.id), 0, -1) == ["15584864"]


def test_account_search_by_name_code_and_line(customers):
    owner = customers.ensure("phone", NUMBER)
    customers.set_account(owner.id, name="Giulia Bianchi", customer_code="C-000123", line_number="0612345678")
    assert [c.id for c in customers.by_name("giu")] == [owner.id]
    assert customers.by_account("C-000123").id == owner.id
    assert customers.by_account("0612345678").id == owner.id
    assert customers.by_name("mario") == []


def test_no_key_name_holds_a_number_or_a_handle(customers, redis_client):
    owner = customers.ensure("phone", NUMBER)
    customers.join(owner.id, "whatsapp", "+393339998877", Proof("one_time_code", "sms"))
    customers.join(owner.id, "messenger", PSID, Proof("handoff_code"))
    customers.set_account(owner.id, customer_code="C-000123", line_number="0612345678")
    names = redis_client.keys("*")
    for secret in ("3471234567", "3339998877", PSID, "000123", "612345678"):
        assert not any(secret in name for name in names)
    assert set(names) <= set(customers.key_names(owner.id))  # erasure finds every one from the record


def test_a_one_time_code_works_once(codes):
    code = codes.issue("identify", NUMBER)
    assert codes.verify("identify", NUMBER, code)
    assert not codes.verify("identify", NUMBER, code)


def test_a_one_time_code_is_for_its_number_and_purpose_only(codes):
    code = codes.issue("identify", NUMBER)
    assert not codes.verify("identify", "+393339998877", code)
    assert not codes.verify("merge", NUMBER, code)


def test_wrong_tries_use_the_code_up(codes):
    code = codes.issue("identify", NUMBER)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        assert not codes.verify("identify", NUMBER, wrong)
    assert not codes.verify("identify", NUMBER, code)


def test_a_one_time_code_expires(codes, clock):
    code = codes.issue("identify", NUMBER)
    clock.advance(601)
    assert not codes.verify("identify", NUMBER, code)
