"""Looks through every Redis key (and, when asked, every value) for traces of a person.

A phone number is looked for in the forms it may take: +393471234567, 393471234567, 3471234567 and
spaced ("347 123 4567", "+39 347 123 4567"). Provider ids (CallSid, MessageSid, ...), job ids and our
pseudonyms are runs of hex; they are taken out before the digit-run check, which only a phone number
or a handle can fail.
"""
from __future__ import annotations

import re

HEX_RUN = re.compile(r"(?<![0-9A-Za-z])[A-Z]{0,2}[0-9a-f]{16,}(?![0-9a-f])")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
DIGIT_RUN = re.compile(r"\d{6,}")
# numbers of ours that name no person: 8-digit case numbers (issue 17), outage report buckets (minutes since 1970)
OURS = re.compile(r"\{customers\}:case:\d{8}$|\{outages\}:reports:\d+$")


def number_forms(e164: str) -> list[str]:
    """Every way a (+39) number may be written in a key or a value."""
    national = e164.removeprefix("+39")
    forms = {e164, e164.lstrip("+"), national, f"{national[:3]} {national[3:6]} {national[6:]}",
             f"+39 {national[:3]} {national[3:6]} {national[6:]}", f"{national[:3]} {national[3:]}"}
    return sorted(forms)


def _text(raw) -> str:
    if isinstance(raw, bytes):
        return raw.decode("utf-8", "replace")
    if isinstance(raw, (list, tuple, set)):
        return " ".join(_text(x) for x in raw)
    if isinstance(raw, dict):
        return " ".join(_text(k) + "=" + _text(v) for k, v in raw.items())
    return str(raw)


def all_keys(client) -> list[str]:
    """Every key, on one node or on every primary of a cluster (SCAN, never KEYS); a client without
    decode_responses reads values RQ stores compressed."""
    return sorted({_text(k) for k in client.scan_iter(count=1000)})


def digit_runs_in_keys(client, prefix: str = "nohold") -> list[str]:
    """Our keys with a run of 6+ digits once provider ids, job ids and pseudonyms are taken out."""
    found = []
    for key in all_keys(client):
        if key.startswith(prefix) and DIGIT_RUN.search(OURS.sub("", UUID.sub("", HEX_RUN.sub("", key)))):
            found.append(key)
    return found


def dump_value(client, key: str) -> str:
    """A key's value as text, whatever its type."""
    kind = _text(client.type(key))
    readers = {"string": client.get, "hash": client.hgetall, "list": lambda k: client.lrange(k, 0, -1),
               "set": client.smembers, "zset": lambda k: [m for m, _ in client.zrange(k, 0, -1, withscores=True)],
               "stream": lambda k: [fields for _, fields in client.xrange(k)]}
    return _text(readers[kind](key)) if kind in readers else ""


def traces(client, needles: list[str], values: bool = True) -> list[tuple[str, str]]:
    """(key, needle) for every key whose name (or value) holds one of the needles, case-insensitive."""
    lowered = [n.lower() for n in needles if n]
    found = []
    for key in all_keys(client):
        text = key.lower() + ("\n" + dump_value(client, key).lower() if values else "")
        found += [(key, needle) for needle in lowered if needle in text]
    return found
