"""Item, thread and message ids: never read as a command-line option, never six digits in a row (a phone number's
look in a key), and as random as before."""
import re

import pytest

from social_bridge.ids import new_id

DRAWS = 50_000  # a bare token_urlsafe(9) starts with "-" about 780 times in as many draws


@pytest.fixture(scope="module")
def drawn():
    return [new_id() for _ in range(DRAWS)]


def test_no_id_starts_like_an_option(drawn):
    assert [i for i in drawn if i.startswith("-")] == []


def test_no_id_holds_six_digits_in_a_row(drawn):
    assert [i for i in drawn if re.search(r"\d{6}", i)] == []


def test_ids_are_twelve_url_safe_characters(drawn):
    assert [i for i in drawn if not re.fullmatch(r"[A-Za-z0-9_-]{12}", i)] == []


def test_ids_do_not_repeat(drawn):
    assert len(set(drawn)) == DRAWS
