"""Callback numbers: only ordinary mobiles and fixed lines; masked in logs; caller language."""
from __future__ import annotations

import re

import pytest

from ivr.call.callback_policy import NumberCheck, check_callback_number, last_digits, mask
from ivr.speech.language import language_for_caller

UK_MOBILE = "+447400123456"
US_MOBILE = "+12015550123"

# (raw, expected reason or None when accepted, expected E.164 when accepted)
CASES = [
    # Italian mobiles, as caller ID and as keyed on the keypad
    ("+393471234567", None, "+393471234567"),
    ("3471234567", None, "+393471234567"),
    ("00393471234567", None, "+393471234567"),
    ("0039 347 123 4567", None, "+393471234567"),
    ("393471234567", None, "+393471234567"),          # +39 typed without the plus
    ("+39 347 12 34 56", None, "+39347123456"),       # nine-digit mobiles still exist
    ("3123456789", None, "+393123456789"),
    ("3912345678", None, "+393912345678"),            # a 39x mobile is not mistaken for +39
    ("3471234567#", None, "+393471234567"),           # the finishing key of <Gather>
    # Rome and Milan fixed lines
    ("06 1234567", None, "+39061234567"),
    ("0612345678", None, "+390612345678"),
    ("+390612345678", None, "+390612345678"),
    ("0039061234567", None, "+39061234567"),
    ("02 1234 5678", None, "+390212345678"),
    ("(02) 1234-5678", None, "+390212345678"),
    # premium and shared cost
    ("892123", "premium", None),
    ("899123456", "premium", None),
    ("+39899123456", "premium", None),
    ("199123456", "shared_cost", None),
    ("+39199123456", "shared_cost", None),
    ("840123456", "shared_cost", None),
    ("848123456", "shared_cost", None),
    ("0039848123456", "shared_cost", None),
    # free phone is not premium, but not a person either
    ("800123456", "type", None),
    # international networks (+882 / +883)
    ("+882123456789", "country", None),
    ("+883510012345678", "country", None),
    ("00883510012345678", "country", None),
    # withheld caller ID stand-ins
    ("+266696687", "withheld", None),
    ("+7378742833", "withheld", None),
    ("+86282452253", "withheld", None),
    ("+2562533", "withheld", None),
    ("+8656696", "withheld", None),
    ("anonymous", "withheld", None),
    ("Anonymous", "withheld", None),
    ("restricted", "withheld", None),
    ("unknown", "withheld", None),
    ("", "withheld", None),
    ("   ", "withheld", None),
    # emergency numbers, however they are written
    ("112", "emergency", None),
    ("113", "emergency", None),
    ("115", "emergency", None),
    ("118", "emergency", None),
    ("+39112", "emergency", None),
    ("0039118", "emergency", None),
    # short codes
    ("4916", "short_code", None),
    ("119", "short_code", None),
    ("1500", "short_code", None),
    ("187", "short_code", None),
    # wrong lengths and garbage
    ("347123", "invalid", None),
    ("34712345678901", "invalid", None),
    ("+393471234567890", "invalid", None),
    ("0612", "invalid", None),                        # a cut-off fixed line, not a short code
    ("+3903471234567", "invalid", None),
    ("1-800-FLOWERS", "invalid", None),
    ("+999123", "invalid", None),
    ("+", "invalid", None),
    # abroad: refused under the default regions
    (UK_MOBILE, "country", None),
    (US_MOBILE, "country", None),
    ("+33612345678", "country", None),
    ("+390669812345", "country", None),               # Rome numbers of the Vatican City are region VA
]


@pytest.mark.parametrize("raw, reason, e164", CASES, ids=[repr(case[0]) for case in CASES])
def test_check_callback_number(raw, reason, e164):
    check = check_callback_number(raw)
    assert isinstance(check, NumberCheck)
    assert check.reason == reason
    assert check.ok is (reason is None)
    if reason is None:
        assert check.e164 == e164


def test_the_table_is_big_enough():
    assert len(CASES) >= 30
    assert {reason for _, reason, _ in CASES} == {
        None, "withheld", "invalid", "premium", "shared_cost", "emergency", "short_code", "country", "type"}


@pytest.mark.parametrize("raw, regions, reason, e164", [
    (UK_MOBILE, ("IT", "GB"), None, UK_MOBILE),
    (US_MOBILE, ("IT", "US"), None, US_MOBILE),
    ("+1 201 555 0123", ("US",), None, US_MOBILE),
    (UK_MOBILE, ("IT", "US"), "country", None),
    ("+447911123456", ("GB",), "country", None),       # +44 7911 is Guernsey (GG), not GB
    ("+882123456789", ("IT", "001"), "country", None),  # international networks stay out
    ("+448712345678", ("GB",), "premium", None),        # UK 0871: premium rate
    ("3471234567", ("GB",), "country", None),           # bare Italian digits under other regions
])
def test_allowed_regions(raw, regions, reason, e164):
    check = check_callback_number(raw, allowed_regions=regions)
    assert (check.ok, check.reason) == (reason is None, reason)
    if reason is None:
        assert check.e164 == e164


def test_keyed_digits_use_the_default_region():
    assert check_callback_number("07400123456", ("GB",), default_region="GB").e164 == UK_MOBILE
    assert check_callback_number("999", ("GB",), default_region="GB").reason == "emergency"


def test_refused_valid_numbers_still_report_their_e164():
    # useful for the audit trail (masked); withheld and invalid ones have none
    assert check_callback_number("899123456").e164 == "+39899123456"
    assert check_callback_number("anonymous").e164 is None


@pytest.mark.parametrize("e164, n, expected", [
    ("+393471234567", 4, "4567"),
    ("+393471234567", 2, "67"),
    ("+39 347 123 4567", 4, "4567"),
    ("+39123", 0, ""),
])
def test_last_digits(e164, n, expected):
    assert last_digits(e164, n) == expected


@pytest.mark.parametrize("number, expected", [
    ("+393471234567", "+39******67"),
    ("+12015550123", "+1******23"),
    ("+882123456789", "+882******89"),
    ("3471234567", "******67"),
    ("anonymous", "******"),
    ("", "******"),
])
def test_mask(number, expected):
    assert mask(number) == expected


@pytest.mark.parametrize("number", [raw for raw, _, _ in CASES] + ["+39", "+391", "+3912", "12", "9"])
def test_mask_never_shows_more_than_two_trailing_digits(number):
    masked = mask(number)
    code = re.match(r"\+(\d{1,3})\*", masked)
    rest = masked[code.end():] if code else masked
    assert len(re.sub(r"\D", "", rest)) <= 2
    assert "*" in masked


@pytest.mark.parametrize("number, expected", [
    ("+447400123456", "en"),
    ("+12015550123", "en"),
    ("+353871234567", "en"),
    ("+393471234567", "it"),
    ("+33612345678", "it"),
    ("+266696687", "it"),          # withheld stand-in in Lesotho's range
    ("anonymous", "it"),
    ("", "it"),
    ("3471234567", "it"),          # no country code: nothing says the caller is foreign
    ("+4479111", "it"),            # unparseable as a real number
])
def test_language_for_caller(number, expected):
    assert language_for_caller(number, ("GB", "IE", "US", "CA")) == expected
