"""What agents see of a work item: the JSON-able view shared by the API and the console."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import phonenumbers

from social_bridge.chat.attachments import public
from social_bridge.web.rules import holds, sees_customer_words
from social_bridge.queue.work_item import WorkItem

MASK = "******"  # fixed width, so a masked number does not even reveal its length
BREACH_CHANNELS = ("voice",)  # a caller waiting on a callback feels the wait; a thread is async
CONVERSATION_LIMIT = 100  # the latest messages: enough to pick a conversation up, small enough for one page
SMS_FALLBACK_CHANNELS = ("messenger", "x", "whatsapp")  # where a closed window can be worked around by SMS
# What anyone signed in may read of an item's details; the rest (the voicemail's "transcript", and any field
# added later until it is listed here) goes to those who read the customer's words (rules.py) only
SHARED_DETAILS = ("confidence", "thread_id", "transcription", "tried")


def iso(ts: float) -> str | None:
    """ISO 8601 in UTC ("2026-12-02T09:00:00Z"); None for the 0 that means "not set"."""
    if not ts:
        return None
    return datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def mask_customer(customer: str) -> str:
    """Country code and last 2 characters only: "+39******67"; channel ids become "******ab"."""
    text = re.sub(r"^[a-z]+:", "", (customer or "").strip())  # whatsapp:+39…, messenger:…
    if not text:
        return ""
    if not text.startswith("+"):
        return MASK + text[-2:] if len(text) > 4 else MASK
    digits = re.sub(r"\D", "", text)
    try:
        country = str(phonenumbers.parse(text, None).country_code)
    except phonenumbers.NumberParseException:
        country = ""
    tail = min(2, max(len(digits) - len(country) - 1, 0))
    return f"+{country}{MASK}{digits[-tail:] if tail else ''}"


def queued_items(queue, limit: int = 100) -> list[tuple[object, int | None]]:
    """Waiting items in queue order (with their 1-based position), then scheduled ones by window."""
    queue.promote_due()
    keys = queue.keys
    ids = [(item_id, n + 1) for n, item_id in enumerate(queue.redis.zrange(keys.items_waiting, 0, limit - 1))]
    if len(ids) < limit:
        ids += [(item_id, None) for item_id in queue.redis.zrange(keys.items_scheduled, 0, limit - len(ids) - 1)]
    with queue.redis.pipeline(transaction=False) as pipe:
        for item_id, _ in ids:
            pipe.hgetall(keys.item(item_id))
        hashes = pipe.execute()
    # an item claimed between the two reads is still listed, with its new status and no position
    return [(item, position if item.status == "waiting" else None)
            for (_, position), h in zip(ids, hashes) if h for item in [WorkItem.from_hash(h)]]


def _waited(item, now: float) -> float:
    end = item.claimed_at if item.status not in ("waiting", "scheduled") and item.claimed_at else now
    return max(0.0, end - item.acquired_at)


def breaching(bridge, item, now: float) -> bool:
    """A waiting caller past the target wait, counted from their window when they booked one."""
    if item.status != "waiting" or not (item.kind == "callback" or item.channel in BREACH_CHANNELS):
        return False
    return now - max(item.acquired_at, item.not_before) > bridge.target_wait_seconds


def item_view(bridge, item, now: float, position: int | None | bool = True, agent=None) -> dict:
    """Safe to show in any list: masked customer, no recording URL, no fence.

    The customer's words (`summary`: what they said to the menu, or their latest message) only when
    `agent` holds the item or is a supervisor, else None: the intent is the topic everyone sees. Without
    an agent (one copy for every console, like the live queue) there are no words at all.
    position=True looks the position up; pass the known position (or None) to save a round trip.
    """
    if position is True:
        position = bridge.queue.position(item.id) if item.status == "waiting" else None
    return {
        "id": item.id, "kind": item.kind, "channel": item.channel, "lang": item.lang, "intent": item.intent,
        "summary": item.summary if sees_customer_words(agent, item) else None, "status": item.status,
        "acquired_at": iso(item.acquired_at), "waited_seconds": int(_waited(item, now)),
        "position": position, "customer_masked": mask_customer(item.customer),
        "not_before": iso(item.not_before), "not_after": iso(item.not_after),
        "attempts": item.attempts, "claimed_by": item.claimed_by or None,
        "lease_until": iso(item.lease_until) if item.status == "claimed" else None,
        "outcome": item.outcome or None, "has_recording": bool(item.recording_url or item.recording_sid),
        "breaching": breaching(bridge, item, now),
        "complaint": item.complaint,  # the customer voiced a grievance (the classifier's flag)
        "team": item.team or None,  # the team serving it first (social_bridge/queue/teams.py)
    }


def item_detail(bridge, item, now: float, agent) -> dict:
    """The view plus history; the whole number, the customer's words and the details made of them (a voicemail's
    transcript) for the claim holder and supervisors only; the fence for the holder alone."""
    view = item_view(bridge, item, now, agent=agent)
    mine = holds(agent, item)
    personal = sees_customer_words(agent, item)
    view.update(
        history=bridge.queue.history(item.id),
        details=item.details if personal else {k: v for k, v in item.details.items() if k in SHARED_DETAILS},
        recording_seconds=item.recording_seconds,
        dead_reason=item.dead_reason or None,
        customer=item.customer if personal else None,
        fence=item.fence if mine else None,
        **conversation(bridge, item, personal),
    )
    return view


def conversation(bridge, item, personal: bool) -> dict:
    """A thread item's latest messages and what its channel allows now; {} without a thread to show.

    Texts are the customer's words, so like `customer` they go to the claim holder and supervisors
    (`personal`) only. Anyone else gets every message with "text": None: who wrote, when and whether
    ours went out, enough to see where the conversation stands without reading it. Private notes
    (direction "note") are listed for agents like messages; delivery never sends them to the customer.
    """
    social = bridge.social
    thread = social.threads.get(item.details.get("thread_id", "")) if social and item.kind == "thread" else None
    if thread is None:
        return {}
    policy = social.delivery.policy(thread)
    called = bool(thread.caller)  # the number of the call it continues
    return {
        "conversation": [_message(m, personal) for m in social.threads.messages(thread.id, CONVERSATION_LIMIT)],
        "reply_policy": {"allowed": policy.allowed, "tag": policy.tag, "reason": policy.reason},
        "sms_fallback": thread.channel in SMS_FALLBACK_CHANNELS and called,
    }


def _message(message, personal: bool) -> dict:
    return {"id": message.id, "direction": message.direction, "kind": message.kind,
            "text": message.text if personal else None, "at": iso(message.at), "state": message.state or None,
            "agent": message.agent or None, "error": message.error or None,
            "attachments": _attachments(message) if personal else None}


def _attachments(message) -> list[dict]:
    """The customer's files: what they are and the proxy's address (issue 19), never the provider's URL."""
    records = message.attachments if isinstance(message.attachments, list) else []
    return [{**public(record, n), "url": f"/api/attachments/{message.id}/{n}"}
            for n, record in enumerate(records) if isinstance(record, dict)]


def team_overview(bridge, now: float, scan: int = 1000, agent=None) -> dict:
    """What a supervisor watches: depth, oldest waits, who is on shift, who waits too long, dead letters.

    Oldest waits and breaching items come from the first `scan` items in queue order, which are the
    oldest ones; a longer queue has nothing older further down.
    """
    views = [item_view(bridge, item, now, position, agent) for item, position in queued_items(bridge.queue, scan)]
    oldest_kind: dict[str, int] = {}
    oldest_channel: dict[str, int] = {}
    for view in views:
        if view["status"] == "waiting":  # queue order: the first of each kind/channel waited longest
            oldest_kind.setdefault(view["kind"], view["waited_seconds"])
            oldest_channel.setdefault(view["channel"], view["waited_seconds"])
    presence = {p["agent_id"]: p for p in bridge.presence.agents()}
    agents = []
    for agent in bridge.agents.all():
        seen = presence.get(agent.id, {})
        agents.append({"id": agent.id, "name": agent.name, "role": agent.role, "languages": list(agent.languages),
                       "state": bridge.presence.state(agent.id), "last_seen": iso(seen.get("last_seen", 0)),
                       "claims": [c.item.id for c in bridge.claims.claimed_by(agent.id)]})
    breaching_views = [view for view in views if view["breaching"]]
    return {
        "depth": bridge.queue.depth(),
        "oldest_wait": {"all": round(bridge.queue.oldest_wait(), 1), "by_kind": oldest_kind,
                        "by_channel": oldest_channel},
        "target_wait_seconds": bridge.target_wait_seconds,
        "agents": agents,
        "breaching": breaching_views[:100], "breaching_count": len(breaching_views),
        "dead_letters": [item_view(bridge, item, now, None, agent) for item in bridge.claims.dead_letters(50)],
    }
