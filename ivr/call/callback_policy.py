"""Which numbers we may call back: only ordinary mobiles and fixed lines, never toll-fraud bait."""
from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType, shortnumberinfo

# What Twilio puts in From when the caller hides their number (see FACTS.md), plus the words
# some carriers and SIP trunks use; calling the digits back would ring a stranger abroad.
WITHHELD = frozenset({"+266696687", "+7378742833", "+86282452253", "+2562533", "+8656696",
                      "anonymous", "restricted", "unknown", "unavailable", "private", "blocked"})
CALLABLE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE,
                            PhoneNumberType.FIXED_LINE_OR_MOBILE})
# +882/+883 are "international networks" (satellite, IoT, global SIMs): billed like premium
INTERNATIONAL_NETWORKS = frozenset({882, 883})
# Italian ranges refused by prefix as well as by type: 199 is typed PERSONAL_NUMBER by
# libphonenumber although the caller pays a share, and metadata may lag new ranges.
ITALIAN_PREFIXES = (("89", "premium"), ("84", "shared_cost"), ("199", "shared_cost"))
TYPE_REASONS = {PhoneNumberType.PREMIUM_RATE: "premium", PhoneNumberType.SHARED_COST: "shared_cost"}
_SEPARATORS = re.compile(r"[\s\-./()]")
MASK = "******"  # fixed width, so a masked number does not even reveal its length


@dataclass(frozen=True)
class NumberCheck:
    """The verdict on one number: ok with its E.164 form, or the reason it is refused."""
    ok: bool
    e164: str | None
    reason: str | None   # withheld, invalid, premium, shared_cost, emergency, short_code, country, type


def _refuse(reason: str, e164: str | None = None) -> NumberCheck:
    return NumberCheck(False, e164, reason)


def _clean(raw: str) -> str:
    # keypad entries may carry the finishing '#'; spoken or pasted ones carry separators
    return _SEPARATORS.sub("", raw.strip()).rstrip("#")


def _parse(text: str, default_region: str) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number) and text.isdigit():
        # keypad users abroad sometimes type "39347…" meaning +39 347…: retry with the plus,
        # but only for the default region's own country code
        code = str(phonenumbers.country_code_for_region(default_region))
        if text.startswith(code):
            retry = phonenumbers.parse("+" + text, default_region)
            if phonenumbers.is_valid_number(retry):
                return retry
    return number


def check_callback_number(raw: str, allowed_regions: tuple[str, ...] = ("IT",),
                          default_region: str = "IT") -> NumberCheck:
    """Whether `raw` (caller ID or keyed digits) is a number we may call back, and in E.164."""
    text = _clean(raw or "")
    if not text or text.lower() in WITHHELD:
        return _refuse("withheld")
    if not re.fullmatch(r"\+?\d+", text):
        return _refuse("invalid")  # letters would be read as a vanity number; nobody keys those
    national = not text.startswith(("+", "00"))
    if national and shortnumberinfo.is_emergency_number(text, default_region):
        return _refuse("emergency")
    number = _parse(text, default_region)
    if number is None:
        return _refuse("invalid")
    if number.country_code in INTERNATIONAL_NETWORKS:
        return _refuse("country")
    region = phonenumbers.region_code_for_country_code(number.country_code)
    nsn = phonenumbers.national_significant_number(number)
    geographic = region not in ("001", "ZZ")  # 001: non-geographic codes, ZZ: unassigned
    if geographic and shortnumberinfo.is_emergency_number(nsn, region):
        return _refuse("emergency")  # "+39112" is still 112
    if not phonenumbers.is_valid_number(number):
        return _refuse(_short_or_invalid(nsn, region) if geographic else "invalid")
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    region = phonenumbers.region_code_for_number(number)
    # cost comes before country: "premium" is the more useful reason for the caller to hear
    reason = TYPE_REASONS.get(phonenumbers.number_type(number))
    if number.country_code == 39 and reason is None:
        reason = next((why for prefix, why in ITALIAN_PREFIXES if nsn.startswith(prefix)), None)
    if reason:
        return _refuse(reason, e164)
    if region not in allowed_regions:
        return _refuse("country", e164)
    if phonenumbers.number_type(number) not in CALLABLE_TYPES:
        return _refuse("type", e164)
    return NumberCheck(True, e164, None)


def _short_or_invalid(nsn: str, region: str) -> str:
    """An invalid number is a short code when it fits the region's short-number plan."""
    number = phonenumbers.parse(nsn, region)
    if shortnumberinfo.is_valid_short_number_for_region(number, region):
        return "short_code"
    # the metadata lists only some operator codes (e.g. not 4916), so up to 5 digits also count;
    # a leading 0 is a cut-off fixed line (Italian area codes), never a short code
    if (len(nsn) <= 5 and not nsn.startswith("0")
            and shortnumberinfo.is_possible_short_number_for_region(number, region)):
        return "short_code"
    return "invalid"


def last_digits(e164: str, n: int = 4) -> str:
    """The last `n` digits, for "the number ending in …"."""
    digits = re.sub(r"\D", "", e164 or "")
    return digits[-n:] if n > 0 else ""


def mask(number: str) -> str:
    """A log-safe form: country code and the last 2 digits only, e.g. "+39******67"."""
    text = (number or "").strip()
    digits = re.sub(r"\D", "", text)
    prefix = ""
    if text.startswith("+"):
        try:
            prefix = f"+{phonenumbers.parse(text, None).country_code}"
        except phonenumbers.NumberParseException:
            prefix = "+"
    # a number too short to have anything left after its country code shows no digits at all
    tail_len = min(2, max(len(digits) - len(prefix.lstrip("+")) - 1, 0))
    return f"{prefix}{MASK}{digits[-tail_len:] if tail_len else ''}"
