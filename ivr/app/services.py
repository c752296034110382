"""The composition root: every collaborator of nohold, built once per process, for the web and every worker.

`build_services(settings, clock)` is the only place the parts meet. Each part gets what it uses as a
constructor argument; nothing is filled in later. Jobs reach the workers through enqueuers that name
them by path (ivr.runtime.job_queue), so nothing here imports a job module.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import redis
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.retry import Retry

from ivr.app.agent_side import AgentSide, build_agent_side
from ivr.app.privacy_parts import Privacy, build_privacy
from ivr.app.settings import Settings
from ivr.app.social_services import build_social, chat_replies, public_posts
from ivr.app.widget_parts import build_widget
from ivr.call.booking_limits import BookingLimits
from ivr.call.business_hours import BusinessHours
from ivr.call.customer_backend import BackendUnavailable, backend_from
from ivr.call.flow import CallFlow, FlowConfig
from ivr.call.front_desk import FrontDesk
from ivr.call.messaging import DevOutbox, Messages, SmsSender, TwilioSms
from ivr.call.self_service import SelfService
from ivr.call.store import CallStore
from ivr.call.twiml import Hangup, Reply, render_voice
from ivr.dialer.dialer import Dialer
from ivr.dialer.services import build_dialer
from ivr.runtime import job_queue as jobs
from ivr.runtime.metrics import Metrics
from ivr.runtime.redis_client import state_client
from ivr.runtime.twilio_rest import make_twilio_client
from ivr.speech.prompts import PromptBook
from ivr.speech.spoken import Speech
from ivr.understanding.caller import load_caller_understanding
from social_bridge.chat.commands import CommandWords
from social_bridge.chat.handoff import RefCodes
from social_bridge.chat.inbox import Inbox
from social_bridge.chat.pushed_waits import PushedWaits
from social_bridge.chat.self_service import SelfServiceCore
from social_bridge.chat.service_levels import ServiceLevels, parse_targets
from social_bridge.customers.cases import Cases
from social_bridge.customers.contacts import Contacts
from social_bridge.customers.customers import Customers
from social_bridge.customers.desk import CustomerDesk
from social_bridge.customers.identification import Identification
from social_bridge.customers.proofs import OneTimeCodes
from social_bridge.customers.numbered_queue import NumberedQueue
from social_bridge.customers.quoting import CaseQuotes, WrittenCaseStatus
from social_bridge.customers.satisfaction import Satisfaction
from social_bridge.outages.notices import OutageNotices
from social_bridge.outages.outages import Outages
from social_bridge.privacy.pseudonyms import PersonKeys
from social_bridge.queue.agents import AgentDirectory
from social_bridge.queue.claims import Claims
from social_bridge.queue.eta import EtaEstimator
from social_bridge.queue.occupancy import Occupancy
from social_bridge.queue.presence import Presence
from social_bridge.queue.work_queue import WorkQueue
from social_bridge.reports.ledger import Ledger
from social_bridge.web.bridge import Bridge, Social


@dataclass
class Nohold:
    """Everything a request handler or a job may use, built once per process."""

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
    sender: SmsSender             # Twilio, or the dev outbox: what the SMS job sends through
    outbox: DevOutbox
    metrics: Metrics
    voices: dict
    fallback_twiml: str
    clock: object
    social: Social
    codes: RefCodes
    outages: Outages
    presence: Presence
    claims: Claims
    dialer: Dialer
    bridge: Bridge                # what the console and the API are given
    commands: CommandWords        # STATO/ANNULLA/CHIAMAMI...: the one parser for SMS and every chat
    notices: OutageNotices        # who is told an outage is fixed, and in which language
    self_service: SelfServiceCore  # the self-service rules the call and the chat share
    privacy: Privacy | None = None  # erasure, export, retention (ivr/app/privacy_parts.py)
    cases: Cases | None = None     # case numbers, states, reopening (social_bridge/customers/)
    case_status: WrittenCaseStatus | None = None  # STATO 12345678, by SMS or in a chat
    customers: Customers | None = None  # people: proven identities, account, cases (social_bridge/customers/)
    contacts: Contacts | None = None    # a contact from a known customer joins their open request
    identification: Identification | None = None  # the account, then a one-time code, before account data
    service_levels: ServiceLevels | None = None  # written channels' first-response and resolution clocks
    satisfaction: Satisfaction | None = None  # the 1-5 question after a completed written request, its figures
    pushed_waits: PushedWaits | None = None  # wait updates pushed to waiting customers (the minute sweep runs it)


def bounded(timeout: float) -> dict:
    """Redis client options for web processes: a slow or gone Redis costs a caller at most `timeout` per
    command, then the apology; one retry at once on a broken connection (Redis restarted), none on a timeout."""
    retry = Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,))
    return {"socket_timeout": timeout, "socket_connect_timeout": timeout, "retry": retry}


def build_services(settings: Settings, clock=time.time, understanding=None) -> Nohold:
    """settings.redis_url must be set (create_app and the worker start the embedded one when it is not)."""
    options = bounded(settings.redis_timeout_seconds)
    client = state_client(settings, decode_responses=True, health_check_interval=30, **options)
    prompts = PromptBook.load(settings.prompts_dir)
    speech = Speech.load(settings.prompts_dir / "spoken.yaml")
    catalog, understood = load_caller_understanding(settings, understanding)  # intents, menus, language
    customers = Customers(client, PersonKeys(settings.person_key_secret), clock=clock)
    ledger = Ledger(client, clock, settings.timezone)  # the reports' per-day counts (social_bridge/reports/)
    queue = NumberedQueue(client, clock=clock, customers=customers,
                          ledger=ledger)  # every new item gets its case and customer, and is counted for the reports
    cases = Cases(client, queue, clock=clock, reopen_days=settings.case_reopen_days)
    presence = Presence(client, clock=clock,  # each report also counts the agent's time (occupancy per day)
                        occupancy=Occupancy(client, Claims(client, clock=clock), clock=clock, timezone=settings.timezone))
    eta = EtaEstimator(queue, default_agents=settings.agents_on_shift, default_handle_seconds=settings.handle_seconds,
                       presence=presence,
                       agents=AgentDirectory(client, clock=clock),  # waits count the agents there who speak the language
                       threads_per_agent=settings.agent_max_threads)  # an agent holds several threads at once
    work = jobs.job_queue(settings.redis_url, **options)
    messages = Messages(client, jobs.sms_enqueuer(work), clock=clock)
    twilio = make_twilio_client(settings)
    outbox = DevOutbox(client, clock)
    persons = PersonKeys(settings.person_key_secret)  # every key naming a person holds this pseudonym, not the id
    metrics = Metrics(client)  # before the channels: X counts what it sends
    service_levels = ServiceLevels(client, queue, parse_targets(settings.sla_first_response_seconds, "first response"),
                                   parse_targets(settings.sla_resolution_seconds, "resolution"), metrics, clock=clock)
    social = build_social(settings, client, messages, jobs.delivery_enqueuer(work), jobs.drain_enqueuer(work), clock,
                          prompts=prompts, metrics=metrics,  # X's budget notices and its sends counted
                          persons=persons, service_levels=service_levels)
    codes = RefCodes(client, clock=clock, persons=persons)
    hours = BusinessHours.parse(settings.business_hours, settings.timezone, settings.holiday_country)
    desk = FrontDesk(queue, eta, hours, messages, prompts, speech, settings, clock=clock, codes=codes,
                     limits=BookingLimits.from_settings(client, settings, clock),
                     enqueue_transcription=jobs.transcription_enqueuer(settings), persons=persons,
                     quotes=CaseQuotes(cases, eta))
    outages = Outages(client, clock=clock)
    backend = backend_from(settings.customer_backend_url, settings.customer_backend_token, settings.demo_customers)
    notices = OutageNotices(client, messages, prompts, social.threads, social.delivery)
    core = SelfServiceCore(backend, outages, messages, unavailable=BackendUnavailable)  # the call's and the chat's
    otp = OneTimeCodes(client, customers.persons, clock=clock)
    identification = Identification(client, backend, otp, messages, prompts, BackendUnavailable, customers,
                                    clock=clock)  # before account data
    self_service = SelfService(core, settings, remember_language=notices.remember_language,
                               identification=identification)
    flow = CallFlow(prompts, speech, catalog, understood,
                    desk, FlowConfig(settings.confirm_below, settings.reject_below, settings.callback_countries,
                                     max_turns=settings.call_max_turns, max_seconds=settings.call_max_seconds,
                                     max_unusable=settings.call_max_unusable),
                    self_service)
    voices = {"it": settings.voice_it, "en": settings.voice_en}
    fallback = Reply().say(prompts.text("it", "voice.technical_error"), "it") \
        .say(prompts.text("en", "voice.technical_error"), "en").add(Hangup())
    calls = CallStore(client, settings.call_ttl_seconds, ended_reply=render_voice(Reply().add(Hangup()), "", voices))
    satisfaction = Satisfaction(client, social.threads, social.delivery, prompts, cases, clock=clock,
                                timezone=settings.timezone)

    def completed(item) -> None:  # a written request's clocks stop; its customer is asked how it went
        service_levels.resolved(item)
        satisfaction.ask(item)

    claims = Claims(client, clock=clock, lease_seconds=settings.lease_seconds,
                    other_language_after=settings.other_language_after, max_attempts=settings.callback_max_attempts,
                    team_overflow_seconds=settings.team_overflow_seconds,
                    ledger=ledger, on_complete=completed)

    def decided(state: str) -> None:  # a decided callback attempt: the running metric and the day's report
        metrics.incr("callback_attempts", result=state)
        ledger.dialed(state)

    dialer = build_dialer(settings, client, messages, clock=clock, claims=claims, queue=queue, prompts=prompts,
                          speech=speech, hours=hours, chat_links=desk.chat_links, enqueue_job=jobs.dial_enqueuer(work),
                          twilio=twilio, on_decided=decided,
                          codes=codes, on_machine=lambda how: metrics.incr("callback_machines", how=how),
                          enqueue_machine=jobs.machine_enqueuer(work))
    privacy = build_privacy(client, twilio, persons, social.threads, settings, clock)

    def text_code(to: str, code: str):  # a one-time code that proves two records are one person (CustomerDesk.merge)
        return messages.send_sms(to, prompts.text("it", "sms.identify_code", code=code), key=f"merge-code:{clock()!r}")

    side = AgentSide(settings, client, clock, queue, eta, presence, claims, dialer, desk, speech, prompts,
                     messages, social, outbox, outages, jobs.outage_enqueuer(work), notices, privacy=privacy,
                     customer_desk=CustomerDesk(customers, cases, social.threads, otp, text_code),
                     intents=catalog.topics, service_levels=service_levels, satisfaction=satisfaction)
    return Nohold(settings, client, prompts, speech, calls, queue, eta, desk, flow, messages,
                  DevOutbox(client) if twilio is None else TwilioSms(twilio), outbox, metrics, voices,
                  render_voice(fallback, "", voices), clock, social, codes, outages, presence, claims, dialer,
                  build_agent_side(side), CommandWords(prompts.words), notices, core, cases=cases,
                  case_status=WrittenCaseStatus(desk.quotes, prompts, speech, desk), customers=customers,
                  contacts=Contacts(customers, cases), privacy=privacy, identification=identification,
                  service_levels=service_levels, satisfaction=satisfaction,
                  pushed_waits=PushedWaits(client, queue, eta, desk, prompts, speech, social.threads, social.delivery,
                                           messages, clock, settings.pushed_waits_max,
                                           settings.pushed_waits_minutes * 60, settings.pushed_waits_percent / 100))


def build_inbox(nohold: Nohold):
    """The written channels' inbox, with public posts in front of it when a public channel is on
    (X_PUBLIC_MENTIONS, MESSENGER_PAGE_COMMENTS: social_bridge/chat/public_posts.py)."""
    return public_posts(nohold.settings, nohold.social, nohold.codes, nohold.prompts, nohold.clock,
                        private_inbox(nohold))


def private_inbox(nohold: Nohold) -> Inbox:
    """The written channels' inbox (the drain job's and the tests'): its replies get the parts they use, by name."""
    n = nohold
    replies = chat_replies(settings=n.settings, redis=n.redis, core=n.self_service, commands=n.commands,
                           classifier=n.flow.understanding, queue=n.queue, eta=n.eta, social=n.social, codes=n.codes,
                           prompts=n.prompts, speech=n.speech, desk=n.desk, outages=n.outages, metrics=n.metrics,
                           identification=n.identification)
    return Inbox(n.social.threads, n.queue, n.codes, n.social.delivery, replies, clock=n.clock,
                 case_status=n.case_status, contacts=n.contacts, identification=n.identification,
                 privacy_url=n.settings.privacy_notice_url, satisfaction=n.satisfaction,
                 service_levels=n.service_levels, pushed_waits=n.pushed_waits)


def build_web_widget(nohold: Nohold):
    """The web chat widget's parts (ivr/app/widget_parts.py): its messages go through the same Inbox."""
    n = nohold
    return build_widget(n.settings, n.redis, n.queue, n.eta, n.clock, threads=n.social.threads,
                        receive=build_inbox(n).receive)
