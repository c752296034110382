"""The language a call starts in, guessed from the caller's number."""
from __future__ import annotations

import phonenumbers

DEFAULT_LANGUAGE = "it"  # the line is Italian; English is the exception we can recognise


def language_for_caller(number: str, english_regions: tuple[str, ...], country: str = "") -> str:
    """"en" when the caller's number belongs to an English-speaking region, else "it".

    `country` is Twilio's FromCountry when the webhook has it: a caller from a region that is not
    English-speaking needs no parsing at all (most calls); an English one is still checked in full,
    because the withheld caller-ID stand-ins carry a country too.
    """
    if country and country.upper() not in english_regions:
        return DEFAULT_LANGUAGE
    try:
        # no default region: only a full +CC number says where the caller is from
        parsed = phonenumbers.parse((number or "").strip(), None)
    except phonenumbers.NumberParseException:
        return DEFAULT_LANGUAGE  # withheld ("anonymous"), empty or garbage
    if not phonenumbers.is_valid_number(parsed):
        return DEFAULT_LANGUAGE  # the withheld stand-ins (+266696687 …) are invalid numbers
    region = phonenumbers.region_code_for_number(parsed)
    return "en" if region in english_regions else DEFAULT_LANGUAGE
