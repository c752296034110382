"""The web chat widget's parts from settings, for the web app (ivr/app/factory.py) and the stream server.

Kept apart from social_services.py so the stream server, which reads the visitors' threads but never
writes, builds them without the call's and the channels' stack.
"""
from __future__ import annotations

import time
from urllib.parse import urlsplit, urlunsplit

from social_bridge.chat.threads import Threads
from social_bridge.chat.web_chat import WebChatDesk, Widget, WidgetLimits, WidgetSessions, load_words
from social_bridge.privacy.inbound_limits import InboundLimits, Limits
from social_bridge.privacy.pseudonyms import PersonKeys

STREAM_PATH = "/widget/api/stream"


def stream_url(settings) -> str:
    """WIDGET_STREAM_URL, else the same path on the server of CONSOLE_STREAM_URL, else "" (the widget polls)."""
    if settings.widget_stream_url:
        return settings.widget_stream_url
    if not settings.console_stream_url:
        return ""
    parts = urlsplit(settings.console_stream_url)
    return urlunsplit((parts.scheme, parts.netloc, STREAM_PATH, "", ""))


def build_widget(settings, client, queue, eta, clock=time.time, threads: Threads | None = None,
                 receive=None) -> Widget:
    """receive: Inbox.receive in the web app; None in the stream server (it only reads)."""
    persons = PersonKeys(settings.person_key_secret)
    if threads is None:
        threads = Threads(client, persons, clock=clock, max_messages=settings.thread_messages_max)
    limits = WidgetLimits(
        per_token=InboundLimits(client, persons, Limits(settings.widget_per_minute, settings.widget_per_day),
                                prefix="nohold:widget", clock=clock),
        per_address=InboundLimits(client, persons, Limits(settings.widget_per_address_per_minute,
                                                          settings.widget_per_address_per_minute * 60 * 24),
                                  prefix="nohold:widget", clock=clock),
        max_chars=settings.message_max_chars)
    desk = WebChatDesk(WidgetSessions(client, clock=clock), threads, queue, eta, limits=limits, receive=receive,
                       clock=clock)
    return Widget(desk, load_words(settings.prompts_dir / "widget.yaml"), tuple(settings.widget_allowed_origins),
                  stream_url(settings))
