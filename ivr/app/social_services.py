"""Builds the written channels from settings, for the web app and for the workers alike.

A channel exists only when its credentials are set (Messenger: app secret, verify token, page
token and page id; X: consumer secret, bearer token and account id; WhatsApp: a number); SMS is
always there (Twilio, or the dev outbox). A channel that does not exist is never offered to
callers and its webhook answers 404.
"""
from __future__ import annotations

import time

from ivr.call.callback_policy import check_callback_number, last_digits
from social_bridge.chat.handoff import TEXTED_TTL, texted_key
from social_bridge.chat.replies import ChatReplies
from social_bridge.chat.self_service import SelfServiceCore
from social_bridge.chat.self_service_text import ChatSelfService
from social_bridge.web.bridge import Social
from social_bridge.channels.messenger import Messenger
from social_bridge.channels.twilio_messaging import TwilioMessaging
from social_bridge.channels.x import XDirectMessages
from social_bridge.channels import messenger_comments, x_public
from social_bridge.channels.x_budget import BudgetedX, XBudget
from social_bridge.chat.public_posts import PublicPosts, ReplyLimits
from social_bridge.channels.web import WebChat
from social_bridge.chat.delivery import Delivery
from social_bridge.chat.handoff import RefCodes
from social_bridge.chat.inbound_queue import InboundQueue
from social_bridge.chat.threads import Threads
from social_bridge.privacy.inbound_limits import InboundLimits, Limits

# the dialer texts chat links too: the same key, named once in social_bridge/chat/handoff.py
CODE_BY_NUMBER_TTL = TEXTED_TTL
code_by_number_key = texted_key


def configured_channels(settings) -> list[str]:
    """The written channels whose credentials are set, SMS always."""
    s, names = settings, ["sms"]
    if s.whatsapp_number:
        names.append("whatsapp")
    if s.messenger_app_secret and s.messenger_verify_token and s.messenger_page_token and s.messenger_page_id:
        names.append("messenger")
    if s.x_consumer_secret and s.x_bearer_token and s.x_account:
        names.append("x")
    return names


def offered_channels(settings) -> list[str]:
    """The channels a caller choosing chat hears about: configured, and listed in CHAT_CHANNELS (SMS always)."""
    return [name for name in configured_channels(settings) if name == "sms" or name in settings.channels]


def channels_from(settings, send_sms) -> dict:
    """send_sms(to, text, key) -> our message id: the idempotent Twilio sender (ivr.call.messaging)."""
    s, channels = settings, {}
    for name in configured_channels(settings):
        if name in ("sms", "whatsapp"):  # WhatsApp's approved templates, for outside its 24-hour session
            channels[name] = TwilioMessaging(name, send_sms, {"receipt": s.whatsapp_template_receipt,
                                                              "notice": s.whatsapp_template_notice})
        elif name == "messenger":
            channels[name] = Messenger(s.messenger_app_secret, s.messenger_verify_token, s.messenger_page_token,
                                       s.messenger_page_id, graph_base=s.graph_api_base,
                                       page_comments=bool(s.messenger_page_comments))
        else:
            channels[name] = XDirectMessages(s.x_consumer_secret, s.x_bearer_token, s.x_account, api_base=s.x_api_base,
                                             public_mentions=bool(s.x_public_mentions))
    channels["web"] = WebChat()  # our own widget: no credentials; agents' replies to its threads always go
    return channels


def build_social(settings, client, messages, enqueue_delivery, enqueue_drain, clock=time.time, persons=None,
                 prompts=None, metrics=None,
                 service_levels=None) -> Social:
    def send_sms(to: str, text: str, key: str, content_sid: str = "") -> str:
        return messages.send_sms(to, text, key=key, content_sid=content_sid)

    channels = channels_from(settings, send_sms)
    limits = InboundLimits(client, persons, Limits(settings.inbound_per_minute, settings.inbound_per_day,
                                                   settings.message_max_chars), clock=clock)
    threads = Threads(client, persons, clock=clock, limits=limits, max_messages=settings.thread_messages_max)
    if "x" in channels and prompts is not None:  # X bills per message: every send passes the day's budget
        budget = XBudget(client, settings.x_daily_budget, persons, clock, settings.timezone)  # X_DAILY_BUDGET
        channels["x"] = BudgetedX(channels["x"], budget, threads, messages, prompts.text, settings.web_chat_url,
                                  metrics)
    delivery = Delivery(threads, channels, enqueue_delivery, clock, sms=messages,  # automated past 24 h: by SMS
                        service_levels=service_levels)  # an agent's first message stops the first-response clock
    return Social(channels=channels, threads=threads, delivery=delivery,
                  inbound=InboundQueue(client, enqueue_drain, clock))


def public_posts(settings, social: Social, codes, prompts, clock, inbox):
    """The inbox with public posts in front (X mentions, page comments) when a public channel is on; else the inbox."""
    x, messenger = social.channels.get("x"), social.channels.get("messenger")
    senders = {}
    if x is not None and settings.x_public_mentions:
        senders["x"] = lambda post, text: x.send_public(lambda: x_public.reply(x, post, text)) \
            if isinstance(x, BudgetedX) else x_public.reply(x, post, text)
    if messenger is not None and settings.messenger_page_comments:
        senders["messenger"] = lambda comment, text: messenger_comments.reply(messenger, comment, text)
    if not senders:
        return inbox
    limits = ReplyLimits(social.threads.redis, social.threads.persons, settings.public_replies_per_author_per_day,
                         settings.public_replies_per_channel_per_hour, clock=clock, timezone=settings.timezone)
    return PublicPosts(inbox, social.threads.redis, codes, limits, senders, prompts.text,
                       {"x": settings.x_account, "messenger": settings.messenger_page_id}, clock=clock)


def ref_codes(client, clock=time.time) -> RefCodes:
    return RefCodes(client, clock=clock)


class CallbackNumbers:
    """The callback number policy (ivr/call/callback_policy.py) as the chat's PhoneNumbers."""

    def __init__(self, countries: tuple[str, ...]):
        self.countries = countries

    def callable(self, raw: str) -> str | None:
        check = check_callback_number(raw, self.countries)
        return check.e164 if check.ok else None

    def last_digits(self, number: str) -> str:
        return last_digits(number)


def chat_replies(*, settings, redis, core: SelfServiceCore, commands, classifier, queue, eta, social: Social, codes,
                 prompts, speech, desk, outages, metrics, identification=None) -> ChatReplies:
    """The Inbox's replies: each part the voice side lends (classifier, desk, prompts, speech) by its Protocol."""
    written = ChatSelfService(core, redis, prompts, speech, hours=desk, identification=identification,
                              identify_all=bool(settings.identify_everyone))
    return ChatReplies(commands=commands, classifier=classifier, queue=queue, eta=eta, threads=social.threads,
                       codes=codes, prompts=prompts, spoken=speech, hours=desk, bookings=desk,
                       numbers=CallbackNumbers(settings.callback_countries), self_service=written, outages=outages,
                       metrics=metrics)
