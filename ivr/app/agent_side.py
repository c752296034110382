"""Wires the agent side (social_bridge: claims, presence, console, API) and the dialer into the app."""
from __future__ import annotations

import hashlib
from datetime import timedelta

from ivr.jobs import outage_notices
from ivr.jobs.messages import job_queue
from ivr.runtime.metrics import DailyStats
from ivr.call.recordings import recording_fetcher
from social_bridge.web import api
from social_bridge.web import console
from social_bridge.web import webhooks as social_webhooks
from social_bridge.queue.agents import AgentDirectory
from social_bridge.queue.auto_offer import AutoOffer
from social_bridge.web.bridge import Bridge
from social_bridge.queue.claims import Claims
from social_bridge.chat.delivery import ReplyRefused
from social_bridge.queue.presence import Presence


def wire(app, nohold) -> Bridge:
    """Builds the Bridge the console and API use, registers them and the dialer webhooks."""
    from ivr.dialer import webhooks as dial_webhooks

    settings, client, clock = nohold.settings, nohold.redis, nohold.clock
    presence = Presence(client, clock=clock)
    nohold.eta.presence = presence  # wait estimates count the agents actually there
    claims = Claims(client, clock=clock, lease_seconds=settings.lease_seconds,
                    other_language_after=settings.other_language_after,
                    max_attempts=settings.callback_max_attempts)
    nohold.claims = claims
    dialer = dial_webhooks.register(app, nohold, claims=claims)

    def reply(item, text, agent, via=""):
        """On the thread's own channel (ReplyRefused when its policy forbids it), by SMS to the number of the
        call the thread continues (via="sms": past Messenger's window), or an SMS for callbacks and voicemails."""
        thread = nohold.social.threads.get(item.details.get("thread_id", "")) if item.kind == "thread" else None
        if thread is not None and via == "sms":
            return sms_instead(thread, text, agent)
        if thread is not None:
            return nohold.social.delivery.send(thread, text, agent=agent.id).id
        digest = hashlib.sha256(f"{item.id}:{agent.id}:{text}".encode()).hexdigest()[:16]
        return nohold.messages.send_sms(item.customer, text, key=f"reply:{digest}", lang=item.lang)

    def sms_instead(thread, text, agent):
        number = (thread.context or {}).get("caller", "")
        if not number.startswith("+"):
            raise ReplyRefused("no_number", "this conversation has no phone number to text")
        message_id = nohold.messages.send_sms(number, text, key=f"thread-sms:{thread.id}:{hashlib.sha256(text.encode()).hexdigest()[:16]}",
                                              lang=thread.lang)
        nohold.social.threads.add(thread.id, "out", text, kind="agent_sms", state="sent", agent=agent.id,
                                  provider_id=message_id)
        return message_id

    def daily_stats(days: int) -> list[dict]:
        today = nohold.desk.now().date()
        return DailyStats(client).last([(today - timedelta(days=n)).isoformat() for n in range(days - 1, -1, -1)])

    def outage_resolved(outage_id, subscribers):
        return outage_notices.schedule(client, outage_notices.enqueuer(job_queue(settings.redis_url)), outage_id,
                                       subscribers)

    def dial_check(item):
        if nohold.desk.is_open():
            return None
        back = nohold.speech.moment(nohold.desk.next_opening(), nohold.desk.now(), "it")
        return nohold.prompts.text("it", "voice.wait_after_hours", return_at=back)

    agents = AgentDirectory(client, clock=clock)
    dial = lambda item, claim, agent: dialer.start(item, claim, agent)  # noqa: E731
    auto = AutoOffer(client, agents, presence, claims, nohold.queue, dial, lambda: dial_check(None), clock,
                     settings.auto_dial_wrap_up_seconds)
    bridge = Bridge(redis=client, queue=nohold.queue, claims=claims, presence=presence,
                    agents=agents, eta=nohold.eta, clock=clock,
                    dev_mode=settings.dev_mode, target_wait_seconds=settings.target_wait_seconds,
                    reply=reply, dial=dial, recording=recording_fetcher(settings), outbox=nohold.outbox.entries,
                    offer=auto.offer, social=nohold.social,
                    extras={"timezone": settings.timezone, "dial_check": dial_check, "outages": nohold.outages,
                            "on_outage_resolved": outage_resolved, "daily_stats": daily_stats})
    app.extensions["social_bridge"] = bridge
    app.register_blueprint(api.bp)
    app.register_blueprint(console.bp)
    app.register_blueprint(social_webhooks.bp)
    app.config.update(SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_SECURE=settings.public_base_url.startswith("https"))
    return bridge
