"""Read TwiML as verbs and attributes (never as strings)."""
from __future__ import annotations

import xml.etree.ElementTree as ET


def verbs(body: str) -> list[ET.Element]:
    root = ET.fromstring(body)
    assert root.tag == "Response", body
    return list(root)


def said(body: str) -> str:
    return " ".join((el.text or "") for el in ET.fromstring(body).iter("Say"))


def gather(body: str) -> ET.Element | None:
    found = [el for el in verbs(body) if el.tag == "Gather"]
    return found[0] if found else None


def assert_no_hold_music(body: str) -> None:
    root = ET.fromstring(body)
    assert not list(root.iter("Play")), body
    assert not list(root.iter("Enqueue")), body
    assert all(el.get("loop") != "0" for el in root.iter()), body
