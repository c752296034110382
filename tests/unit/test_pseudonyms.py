"""Key names hold a keyed HMAC of a phone number, never the number or a bare hash of it."""
import hashlib

import pytest

from social_bridge.privacy.pseudonyms import PersonKeys, derived_secret

NUMBER = "+393471234567"


def test_the_same_number_gives_the_same_pseudonym_under_one_secret():
    keys = PersonKeys("a-secret-of-the-deployment-000000")
    assert keys.of(NUMBER) == keys.of(" +393471234567 ")


def test_another_secret_gives_another_pseudonym():
    assert PersonKeys("secret-one").of(NUMBER) != PersonKeys("secret-two").of(NUMBER)


def test_the_pseudonym_is_neither_the_number_nor_its_bare_hash():
    pseudonym = PersonKeys("a-secret").of(NUMBER)
    assert NUMBER.lstrip("+") not in pseudonym
    assert pseudonym not in hashlib.sha256(NUMBER.encode()).hexdigest()
    assert len(pseudonym) == 32


def test_two_numbers_never_share_a_pseudonym():
    keys = PersonKeys("a-secret")
    numbers = [f"+39347{n:07d}" for n in range(5000)]
    assert len({keys.of(n) for n in numbers}) == len(numbers)


def test_no_secret_is_refused():
    with pytest.raises(ValueError):
        PersonKeys("")


def test_the_derived_secret_is_not_the_session_key():
    assert derived_secret("session-key") != "session-key"
    assert derived_secret("session-key") == derived_secret("session-key")
    assert derived_secret("session-key") != derived_secret("another-key")
