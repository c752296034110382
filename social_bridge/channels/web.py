"""The web chat: our own channel, the widget on the operator's site (social_bridge/web/widget_api.py).

No provider stands behind it. A visitor's message arrives through our own API, already authenticated
by the visitor's token, so there is no webhook to verify or parse; our messages are read by the widget
from the thread itself, so "sending" one only records that it is there for the visitor to read.
"""
from __future__ import annotations

from typing import Mapping

from . import Malformed, Outbound, ReplyPolicy
from .providers import check_text


class WebChat:
    """Channel "web": always open (the visitor reads the thread whenever they come back)."""

    name = "web"

    def __init__(self, max_length: int = 4000):
        self.max_length = max_length  # an agent's reply longer than this is split by Delivery, like any channel

    def verify(self, raw: bytes, headers: Mapping[str, str]) -> bool:
        return False  # no webhook: a visitor's message comes in through /widget/api with a token

    def parse(self, raw: bytes) -> list:
        raise Malformed("the web chat has no webhook")

    def send(self, outbound: Outbound) -> str:
        """The message is in the thread already, where the widget reads it: nothing leaves nohold."""
        check_text(outbound, self.max_length)
        return f"web:{outbound.message_id}"

    def policy(self, last_inbound_at: float, now: float) -> ReplyPolicy:
        return ReplyPolicy(True, reason="window_open")
