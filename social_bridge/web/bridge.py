"""What the agent-facing web layers (console, API) are given by the app factory.

social_bridge never imports ivr: whatever it needs from the voice side (sending a message,
dialing an agent-first callback, fetching a recording, the dev outbox) arrives here as a
plain callable, or None when that capability is not configured.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable


@dataclass
class Social:
    """The written channels: adapters by name (configured ones only), threads, delivery, inbound batches."""

    channels: dict                # name -> social_bridge.channels.Channel
    threads: object               # social_bridge.chat.threads.Threads
    delivery: object              # social_bridge.chat.delivery.Delivery
    inbound: object               # social_bridge.chat.inbound_queue.InboundQueue


@dataclass
class Bridge:
    redis: object
    queue: object                 # social_bridge.queue.work_queue.WorkQueue
    claims: object                # social_bridge.queue.claims.Claims
    presence: object              # social_bridge.queue.presence.Presence
    agents: object                # social_bridge.queue.agents.AgentDirectory
    eta: object                   # social_bridge.queue.eta.EtaEstimator
    clock: Callable[[], float] = time.time
    dev_mode: bool = True
    target_wait_seconds: int = 150
    # reply(item, text, agent, via="") -> message id: sends text to the customer on the item's channel, or
    # by SMS to the number of the call a thread continues (via="sms"); ValueError (with .reason) when refused
    reply: Callable | None = None
    # dial(item, claim, agent) -> attempt id: starts an agent-first callback
    dial: Callable | None = None
    # recording(item) -> (bytes, mimetype): the voicemail audio, fetched with provider credentials
    recording: Callable | None = None
    # outbox(limit) -> list[dict]: what dev mode would have sent
    outbox: Callable | None = None
    # offer(agent_id) -> item id or None: auto-dial offers the agent the next callback (social_bridge.queue.auto_offer)
    offer: Callable | None = None
    social: Social | None = None
    timezone: str = "Europe/Rome"  # the desk's: times on the console pages
    # dial_check(item) -> a sentence when callbacks should not be dialed now (after hours), else None
    dial_check: Callable | None = None
    outages: object | None = None  # social_bridge.outages.outages.Outages: the supervisor's outage board
    # on_outage_resolved(outage_id, subscribers) -> how many will be told it is fixed
    on_outage_resolved: Callable | None = None
    # daily_stats(days) -> list[dict]: the glance page's counts per day
    daily_stats: Callable | None = None
    # privacy (issue 18): who read whose words (social_bridge.privacy.access_log.AccessLog), and
    # erase_person(item_id, who) -> counts: the supervisor's erasure of the person behind an item
    access_log: object | None = None
    erase_person: Callable | None = None
    customers: object | None = None  # social_bridge.customers.desk.CustomerDesk: search, a person's page, cases, merge
    canned: object | None = None  # social_bridge.chat.canned.CannedReplies: the replies agents insert with "/"
    # issue 19 (H1): transfers and assignments (social_bridge.queue.handovers.Handovers) and the teams
    # (social_bridge.queue.teams.Teams) they name
    handovers: object | None = None
    teams: object | None = None
    # issue 19: written channels' service levels (social_bridge.chat.service_levels.ServiceLevels) and the
    # satisfaction answers (social_bridge.customers.satisfaction.Satisfaction), for the supervisor and the API
    service_levels: object | None = None
    satisfaction: object | None = None
    attachments: object | None = None  # social_bridge.chat.attachments.AttachmentFetcher: customers' files (issue 19)
    agent_admin: object | None = None  # social_bridge.queue.agent_admin.AgentAdmin: supervisors manage agents (H5)
    capacity: object | None = None  # social_bridge.queue.capacity.Capacity: N threads + one voice item per agent
    reports: object | None = None  # social_bridge.reports.report.Reports: the supervisor's reports per day or week
