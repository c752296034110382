"""The agent side's Bridge: what the console and the API are given (social_bridge never imports ivr).

Everything social_bridge needs from the voice side arrives as a typed field of the Bridge: sending a
reply, dialing an agent-first callback, fetching a recording, the dev outbox, the desk's hours.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Callable

from ivr.call.recordings import recording_fetcher
from ivr.runtime.metrics import DailyStats
from social_bridge.chat.attachments import AttachmentFetcher
from social_bridge.chat.canned import CannedReplies
from social_bridge.chat.delivery import ReplyRefused
from social_bridge.queue.agent_accounts import AgentAccounts
from social_bridge.queue.agent_admin import AgentAdmin
from social_bridge.queue.agent_audit import AgentAudit
from social_bridge.queue.agents import AgentDirectory
from social_bridge.queue.auto_offer import AutoOffer
from social_bridge.queue.handovers import Handovers
from social_bridge.queue.notes import Notes
from social_bridge.queue.teams import Teams
from social_bridge.queue.capacity import Capacity
from social_bridge.reports.ledger import Ledger
from social_bridge.reports.report import Reports
from social_bridge.reports.written import written_sources
from social_bridge.web.bridge import Bridge


@dataclass(frozen=True)
class AgentSide:
    """The services the agent side is built from (ivr.app.services builds them)."""

    settings: object
    redis: object
    clock: Callable[[], float]
    queue: object
    eta: object
    presence: object
    claims: object
    dialer: object
    desk: object
    speech: object
    prompts: object
    messages: object
    social: object
    outbox: object
    outages: object
    enqueue_outage_notices: Callable[[str], None]
    notices: object               # social_bridge.outages.notices.OutageNotices
    privacy: object = None        # ivr.app.privacy_parts.Privacy: the access log, the supervisor's erasure
    customer_desk: object = None  # social_bridge.customers.desk.CustomerDesk: the customer page and search
    intents: tuple = ()           # the catalog's topics: the reports' intent columns
    service_levels: object = None  # social_bridge.chat.service_levels.ServiceLevels: written channels' clocks
    satisfaction: object = None   # social_bridge.customers.satisfaction.Satisfaction: answers and figures


def attachments_fetcher(settings) -> AttachmentFetcher:
    """Customers' files (issue 19) with each provider's credentials; media on the configured API bases counts as
    the provider's (a local test double's), anything else only on the hosts social_bridge/chat/attachments.py names."""
    twilio = ("basic", (settings.twilio_account_sid, settings.twilio_auth_token))
    return AttachmentFetcher(
        {"sms": twilio, "whatsapp": twilio, "messenger": ("bearer", settings.messenger_page_token),
         "x": ("bearer", settings.x_bearer_token)},
        {"sms": settings.twilio_api_base, "whatsapp": settings.twilio_api_base,
         "messenger": settings.graph_api_base, "x": settings.x_api_base},
        types=settings.attachment_types, max_bytes=settings.attachment_max_bytes)


def build_agent_side(side: AgentSide) -> Bridge:
    settings, client, clock = side.settings, side.redis, side.clock

    def reply(item, text, agent, via=""):
        """On the thread's own channel (ReplyRefused when its policy forbids it), by SMS to the number of the
        call the thread continues (via="sms": past Messenger's window), or an SMS for callbacks and voicemails."""
        thread = side.social.threads.get(item.details.get("thread_id", "")) if item.kind == "thread" else None
        if thread is not None and via == "sms":
            return sms_instead(thread, text, agent)
        if thread is not None:
            return side.social.delivery.send(thread, text, agent=agent.id).id
        digest = hashlib.sha256(f"{item.id}:{agent.id}:{text}".encode()).hexdigest()[:16]
        return side.messages.send_sms(item.customer, text, key=f"reply:{digest}", lang=item.lang)

    def sms_instead(thread, text, agent):
        number = thread.caller  # the number of the call the thread continues (social_bridge/chat/threads.py)
        if not number:
            raise ReplyRefused("no_number", "this conversation has no phone number to text")
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        message_id = side.messages.send_sms(number, text, key=f"thread-sms:{thread.id}:{digest}", lang=thread.lang)
        side.social.threads.add(thread.id, "out", text, kind="agent_sms", state="sent", agent=agent.id,
                                provider_id=message_id)
        if side.service_levels is not None and thread.item_id:  # an agent's answer by SMS is a first response too
            side.service_levels.responded(thread.item_id, agent.id)
        return message_id

    def daily_stats(days: int) -> list[dict]:
        today = side.desk.now().date()
        return DailyStats(client).last([(today - timedelta(days=n)).isoformat() for n in range(days - 1, -1, -1)])

    def outage_resolved(outage_id, subscribers):
        return side.notices.schedule(side.enqueue_outage_notices, outage_id, subscribers)

    def dial_check(item):
        if side.desk.is_open():
            return None
        back = side.speech.moment(side.desk.next_opening(), side.desk.now(), "it")
        return side.prompts.text("it", "voice.wait_after_hours", return_at=back)

    agents = AgentDirectory(client, clock=clock)
    capacity = Capacity(side.claims, side.presence, settings.agent_max_threads)
    dial = side.dialer.start
    auto = AutoOffer(client, agents, side.presence, side.claims, side.queue, dial, lambda: dial_check(None), clock,
                     settings.auto_dial_wrap_up_seconds)
    return Bridge(redis=client, queue=side.queue, claims=side.claims, presence=side.presence, agents=agents,
                  eta=side.eta, clock=clock, dev_mode=settings.dev_mode, target_wait_seconds=settings.target_wait_seconds,
                  reply=reply, dial=dial, recording=recording_fetcher(settings), outbox=side.outbox.entries,
                  offer=auto.offer, social=side.social, timezone=settings.timezone, dial_check=dial_check,
                  outages=side.outages, on_outage_resolved=outage_resolved, daily_stats=daily_stats,
                  access_log=side.privacy.access_log if side.privacy else None,
                  erase_person=side.privacy.erase_item_person if side.privacy else None,
                  customers=side.customer_desk, canned=CannedReplies(client, clock),
                  handovers=Handovers(side.claims, agents, Notes(client, clock), agents.teams, capacity),
                  teams=Teams(client, intents=side.intents),  # supervisors' edits name the catalog's intents
                  service_levels=side.service_levels, satisfaction=side.satisfaction,
                  reports=Reports(Ledger(client, clock, settings.timezone), calls=DailyStats(client).days,
                                  intents=side.intents, others=written_sources(
                                      side.service_levels, side.satisfaction, settings.timezone)),
                  attachments=attachments_fetcher(settings),
                  agent_admin=agent_admin(client, clock, side),
                  capacity=capacity)


def agent_admin(client, clock, side: AgentSide) -> AgentAdmin:
    """The supervisors' agents page and /api/agents: the same agents as the directory, an audit list beside them."""
    accounts = AgentAccounts(client, clock=clock)
    return AgentAdmin(accounts, side.claims, side.presence, AgentAudit(client, clock), accounts.teams)
