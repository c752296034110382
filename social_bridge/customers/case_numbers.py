"""Case numbers: 8 digits, the last a Damm check digit, short enough to say and key digit by digit.

Why Damm and not Luhn: a person reads the number off an SMS and keys it, or says it. The two errors
people make are one wrong digit and two neighbouring digits swapped. Damm's check (a quasigroup of
order 10 with weak total anti-symmetry) catches every single-digit error and every adjacent
transposition; Luhn misses the swap 09 <-> 90. Verhoeff catches the same but needs three tables and
a permutation; ISO 7064 mod 11 sometimes needs an "X", which a keypad has not. 7 random digits
give 10 million numbers; the first is never 0 so the number keeps 8 digits wherever it is copied.
"""
from __future__ import annotations

import re
import secrets

LENGTH = 8
# The Damm table of order 10 (Damm 2004): row = interim digit, column = next digit.
_TABLE = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)
_SEPARATORS = re.compile(r"[\s.\-/]+")
# In a message: 8 digits, bare or as 4+4 with a space, dot or dash; not inside a longer number.
_IN_TEXT = re.compile(r"(?<!\d)(\d{4}[ .\-]?\d{4})(?!\d)")


def check_digit(digits: str) -> str:
    """The Damm check digit of a string of digits."""
    interim = 0
    for ch in digits:
        interim = _TABLE[interim][int(ch)]
    return str(interim)


def is_valid(number: str) -> bool:
    """True for 8 ASCII digits whose Damm check comes out at 0."""
    return (isinstance(number, str) and len(number) == LENGTH and number.isascii() and number.isdigit()
            and check_digit(number) == "0")


def new_number() -> str:
    """7 random digits (the first not 0) and their check digit."""
    body = str(secrets.choice("123456789")) + "".join(secrets.choice("0123456789") for _ in range(LENGTH - 2))
    return body + check_digit(body)


def normalize(text: str) -> str | None:
    """"1234 5678", "1234-5678", "12345678#" -> "12345678" when the check digit holds, else None."""
    if not isinstance(text, str) or len(text) > 32:
        return None
    bare = _SEPARATORS.sub("", text).rstrip("#")
    return bare if is_valid(bare) else None


def display(number: str) -> str:
    """12345678 -> "1234 5678": how receipts print it."""
    return f"{number[:4]} {number[4:]}"


def find_in_text(text: str) -> str | None:
    """The first valid case number in a customer's message, or None."""
    for match in _IN_TEXT.finditer(text or ""):
        number = normalize(match.group(1))
        if number:
            return number
    return None
