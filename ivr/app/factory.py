"""The app factory: builds every collaborator once and hands them to thin blueprints."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import redis
from flask import Flask, current_app, request
from flask.sessions import SecureCookieSessionInterface
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError, RedisError
from redis.retry import Retry
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from ivr.call.booking_limits import BookingLimits
from ivr.call.business_hours import BusinessHours
from ivr.call.flow import CallFlow, FlowConfig
from ivr.call.store import CallStore
from ivr.runtime.embedded import ensure_embedded_redis
from ivr.call.front_desk import FrontDesk
from ivr.jobs.messages import enqueuer, job_queue
from ivr.speech.language import language_for_caller
from ivr.call.messaging import DevOutbox, Messages
from ivr.runtime.metrics import Metrics
from ivr.speech.prompts import PromptBook
from ivr.runtime.redis_client import state_client
from ivr.call.customer_backend import backend_from
from ivr.jobs.outage_notices import remember_language
from ivr.call.self_service import SelfService
from ivr.app.settings import Settings, load_settings
from ivr.jobs.chat import delivery_enqueuer, drain_enqueuer
from ivr.app.social_services import build_social
from ivr.speech.spoken import Speech
from ivr.call.twiml import Hangup, Reply, render_message, render_voice
from ivr.understanding.loading import load_understanding
from social_bridge.queue.eta import EtaEstimator
from social_bridge.chat.handoff import RefCodes
from social_bridge.outages.outages import Outages
from social_bridge.queue.work_queue import WorkQueue

log = logging.getLogger("nohold")


@dataclass
class Nohold:
    """Everything a request handler may use, built once per process."""

    settings: Settings
    redis: redis.Redis
    prompts: PromptBook
    speech: Speech
    calls: CallStore
    queue: WorkQueue
    eta: EtaEstimator
    desk: FrontDesk
    flow: CallFlow
    messages: Messages
    outbox: DevOutbox
    metrics: Metrics
    voices: dict
    fallback_twiml: str
    clock: object = time.time
    social: object = None         # social_bridge.web.bridge.Social: written channels, threads, delivery
    codes: object = None          # social_bridge.chat.handoff.RefCodes
    outages: object = None        # social_bridge.outages.outages.Outages
    claims: object = None         # social_bridge.queue.claims.Claims, set by agent_side.wire
    dialer: object = None         # ivr.dialer.dialer.Dialer, set by agent_side.wire


def bounded(timeout: float) -> dict:
    """Redis client options for web processes: a slow or gone Redis costs a caller at most `timeout` per
    command, then the apology; one retry at once on a broken connection (Redis restarted), none on a timeout."""
    retry = Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,))
    return {"socket_timeout": timeout, "socket_connect_timeout": timeout, "retry": retry}


def build(settings: Settings, clock=time.time, understanding=None) -> Nohold:
    options = bounded(settings.redis_timeout_seconds)
    client = state_client(settings, decode_responses=True, health_check_interval=30, **options)
    prompts = PromptBook.load(settings.prompts_dir)
    speech = Speech.load(settings.prompts_dir / "spoken.yaml")
    catalog, understood = load_understanding(settings)
    queue = WorkQueue(client, clock=clock)
    eta = EtaEstimator(queue, default_agents=settings.agents_on_shift, default_handle_seconds=settings.handle_seconds)
    jobs = job_queue(settings.redis_url, **options)
    messages = Messages(client, enqueuer(jobs), clock=clock)
    social = build_social(settings, client, messages, delivery_enqueuer(jobs), drain_enqueuer(jobs), clock)
    codes = RefCodes(client, clock=clock)
    hours = BusinessHours.parse(settings.business_hours, settings.timezone, settings.holiday_country)
    desk = FrontDesk(queue, eta, hours, messages, prompts, speech, settings, clock=clock, codes=codes,
                     limits=BookingLimits.from_settings(client, settings, clock))
    config = FlowConfig(settings.confirm_below, settings.reject_below, settings.callback_countries)
    outages = Outages(client, clock=clock)
    backend = backend_from(settings.customer_backend_url, settings.customer_backend_token, settings.demo_customers)
    self_service = SelfService(backend, outages, messages, settings,
                               remember_language=lambda contact, lang: remember_language(client, contact, lang))
    flow = CallFlow(prompts, speech, catalog, understanding or understood, desk, config, self_service)
    voices = {"it": settings.voice_it, "en": settings.voice_en}
    fallback = Reply().say(prompts.text("it", "voice.technical_error"), "it") \
        .say(prompts.text("en", "voice.technical_error"), "en").add(Hangup())
    calls = CallStore(client, settings.call_ttl_seconds, ended_reply=render_voice(Reply().add(Hangup()), "", voices))
    return Nohold(settings, client, prompts, speech, calls, queue, eta,
                  desk, flow, messages, DevOutbox(client, clock), Metrics(client), voices,
                  render_voice(fallback, "", voices), clock, social, codes, outages)


class _SessionInterface(SecureCookieSessionInterface):
    """Flask builds a new cookie signer for every request, webhooks included; one per app will do."""

    def get_signing_serializer(self, app):
        signer = app.extensions.get("session_signer")
        if signer is None:
            signer = app.extensions["session_signer"] = super().get_signing_serializer(app)
        return signer


def create_app(test_config: dict | None = None) -> Flask:
    """test_config may hold SETTINGS (a Settings), CLOCK and UNDERSTANDING overrides."""
    test_config = test_config or {}
    settings = test_config.get("SETTINGS") or load_settings()
    if not settings.redis_url:
        settings = settings.with_overrides(redis_url=ensure_embedded_redis(settings.var_dir))
    app = Flask(__name__)
    app.session_interface = _SessionInterface()
    app.config.update(SECRET_KEY=settings.secret_key, MAX_CONTENT_LENGTH=256 * 1024, NOHOLD=settings,
                      CONSOLE_LOGIN_ATTEMPTS_PER_ADDRESS=settings.login_attempts_per_address,
                      CONSOLE_STREAM_URL=settings.console_stream_url)
    if settings.trusted_proxy_hops:  # the client's address from X-Forwarded-For, as many hops deep; nothing else
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxy_hops, x_proto=0, x_host=0)
    app.extensions["nohold"] = build(settings, test_config.get("CLOCK", time.time), test_config.get("UNDERSTANDING"))

    from ivr.app import agent_side
    from ivr.app import ops
    from ivr.call import sms
    from ivr.call import webhooks as voice
    for blueprint in (voice.bp, sms.bp, ops.bp):
        app.register_blueprint(blueprint)
    agent_side.wire(app, app.extensions["nohold"])
    app.register_error_handler(Exception, _on_error)
    if settings.dev_mode:
        log.warning("dev mode: no Twilio credentials; webhooks are signed with the dev token in %s/dev-auth-token, "
                    "messages go to the dev outbox", settings.var_dir)
    return app


def _caller_language(redis_failed: bool = False) -> str:
    """The caller's language for an apology: from the call state if Redis answers, else from the number
    (at once when Redis just failed: asking it again would double the caller's wait)."""
    nohold = current_app.extensions["nohold"]
    try:
        state = None if redis_failed else nohold.calls.load(request.form.get("CallSid", ""))
        if state is not None:
            return state.lang
    except RedisError:
        pass
    return language_for_caller(request.form.get("From", ""), nohold.settings.english_regions)


def _on_error(error: Exception):
    """Callers always hear a sentence in their language; everyone else gets a clean JSON error."""
    if isinstance(error, HTTPException):
        return {"error": error.name, "message": error.description}, error.code
    redis_failed = isinstance(error, RedisError)
    if redis_failed:  # an outage, not a bug: one line per request, no traceback
        log.error("redis unavailable (%s) on %s", type(error).__name__, request.path)
    else:
        log.error("unhandled %s on %s", type(error).__name__, request.path, exc_info=error)
    if request.path.startswith("/voice/"):
        from ivr.call.webhooks import apology
        return apology(_caller_language(redis_failed)), 200, {"Content-Type": "text/xml"}
    if request.path.startswith("/sms/"):
        text = current_app.extensions["nohold"].prompts.text(_caller_language(redis_failed), "sms.technical_error")
        return render_message(text), 200, {"Content-Type": "text/xml"}
    if redis_failed:  # Meta, X and API clients retry a 503: nothing is lost while Redis is away
        return {"error": "unavailable", "message": "storage unavailable; retry later"}, 503, {"Retry-After": "5"}
    return {"error": "internal error", "message": "something went wrong on our side; it has been logged"}, 500
