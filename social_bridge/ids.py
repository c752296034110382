"""The ids of work items, threads and messages: 12 URL-safe characters (72 random bits).

Two draws are refused and drawn again (about 1 in 60): one starting with "-", which a command line reads as an option
(`python -m ivr privacy erase --thread -x…` failed to parse), and one holding six digits in a row, which reads like a
piece of a phone number in a key or a log line — exactly what the privacy audit of keys looks for."""
from __future__ import annotations

import re
import secrets

_DIGIT_RUN = re.compile(r"\d{6}")


def new_id() -> str:
    while True:
        candidate = secrets.token_urlsafe(9)
        if not candidate.startswith("-") and not _DIGIT_RUN.search(candidate):
            return candidate
